"""No source file in the shipped packages grows past ~400 lines: one concept per module.

Generated files (``functions/__init__.pyi``, written from ``catalog.tsv``) are not
sources and are not counted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400

#: Files over the limit for now, with the reason. The C kernels in accel/src are being
#: split on the accel branch; the lead removes these entries after merging it (the
#: stale-entry test below fails once a listed file is back under the limit).
ALLOWED_OVER_LIMIT: dict[str, str] = {
    "accel/src/search.c": "split on the accel branch (issue 8, item 3)",
    "accel/src/kernels_avx512.c": "split on the accel branch (issue 8, item 3)",
}


def _sources() -> list[Path]:
    files = [ROOT / "alembic_ext_plugin.py"]
    for package in ("sqlalchemy_ruvector", "alembic_ext", "accel"):
        files += (ROOT / package).rglob("*.py")
    src = ROOT / "accel" / "src"
    files += [*src.glob("*.c"), *src.glob("*.h")]
    return sorted(files)


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_sources_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _sources()}
    assert {"sqlalchemy_ruvector/values.py", "alembic_ext/ops.py", "accel/pq.py"} <= names
    assert any(n.startswith("accel/src/") and n.endswith(".c") for n in names)


def test_no_source_file_over_the_limit() -> None:
    over = {
        name: n
        for path in _sources()
        if (n := _lines(path)) > LIMIT
        and (name := path.relative_to(ROOT).as_posix()) not in ALLOWED_OVER_LIMIT
    }
    assert over == {}, f"files over {LIMIT} lines (split them by concept): {over}"


@pytest.mark.parametrize("name", sorted(ALLOWED_OVER_LIMIT))
def test_allowlist_is_not_stale(name: str) -> None:
    path = ROOT / name
    assert path.exists() and _lines(path) > LIMIT, f"{name} no longer needs its allowlist entry"
