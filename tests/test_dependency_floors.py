"""The floors CI tests are the floors pyproject.toml declares.

``.ci/run`` installs the project on the oldest Python with ci/constraints-oldest.txt;
this test keeps that file equal to every ``>=`` lower bound of the dependencies and
of the extras the test suite installs, so a new or raised floor cannot go untested.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the newest CI lane runs this

ROOT = Path(__file__).resolve().parents[1]
#: Extras that are not part of ``.[test]`` (benchmarks' baselines).
UNTESTED_EXTRAS = frozenset({"bench"})
_FLOOR = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_floors() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra, items in project["optional-dependencies"].items():
        if extra not in UNTESTED_EXTRAS:
            requirements += items
    floors: dict[str, str] = {}
    for requirement in requirements:
        match = _FLOOR.match(requirement)
        if match and _normalized(match[1]) != _normalized(project["name"]):
            floors[_normalized(match[1])] = match[2]
    return floors


def pinned_floors() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "ci" / "constraints-oldest.txt").read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_normalized(name)] = version.strip()
    return pins


def _release(version: str) -> tuple[int, ...]:
    """1.13 and 1.13.0 are the same floor."""
    parts = [int(p) for p in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_constraints_pin_every_declared_floor() -> None:
    declared = declared_floors()
    pinned = pinned_floors()
    assert "sqlalchemy" in declared and "psycopg" in declared  # the parser works
    assert sorted(declared) == sorted(pinned), "ci/constraints-oldest.txt and pyproject differ"
    mismatched = {
        name: (declared[name], pinned[name])
        for name in declared
        if _release(declared[name]) != _release(pinned[name])
    }
    assert mismatched == {}, "floor in pyproject.toml vs pin in ci/constraints-oldest.txt"
