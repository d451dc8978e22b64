"""examples/from_pgvector_python: pgvector-python code switched by one sed over its
imports gives the same output on ruvector as the original on pgvector."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tests.conftest import REAL_URL, Database

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "from_pgvector_python"
README = (EXAMPLE / "README.md").read_text()


def readme_sed_expression() -> str:
    """The sed expression exactly as the example's README gives it."""
    match = re.search(r"sed -i -E '([^']+)'", README)
    assert match, "the README shows the sed command"
    return match.group(1)


def run_app(folder: Path, url: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, str(folder / "app.py")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DATABASE_URL": url},
        cwd=folder,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def switched_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "switched"
    shutil.copytree(EXAMPLE, folder)
    subprocess.run(["sed", "-i", "-E", readme_sed_expression(), "app.py"], cwd=folder, check=True)
    return folder


def test_sed_changes_only_the_import_lines(tmp_path: Path) -> None:
    folder = switched_copy(tmp_path)
    before = (EXAMPLE / "app.py").read_text().splitlines()
    after = (folder / "app.py").read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        (
            "from pgvector.sqlalchemy import BIT, Vector, avg",
            "from sqlalchemy_ruvector.pgvector.sqlalchemy import BIT, Vector, avg",
        )
    ]


@pytest.mark.skipif(REAL_URL is not None, reason="compares with a pgvector-only database")
def app_url(db: Database, setup: str) -> str:
    if setup == "dialect":
        return db.url.replace("+psycopg", "+ruvector", 1)
    if setup == "plugin":
        return db.url + ("&" if "?" in db.url else "?") + "plugin=ruvector"
    return db.url


@pytest.mark.parametrize(
    ("profile", "setup"),
    [
        ("documented", "dialect"),
        ("documented", "plain"),
        ("published-2.0.5", "dialect"),
        ("published-2.0.5", "plugin"),
    ],
)
def test_switched_app_matches_pgvector(
    tmp_path: Path, make_database: Callable[..., Database], profile: str, setup: str
) -> None:
    pytest.importorskip("pgvector")
    pgvector_only = make_database("documented", pgvector=True)
    with psycopg.connect(pgvector_only.psycopg_url, autocommit=True) as conn:
        conn.execute("DROP EXTENSION ruvector")
    original = run_app(EXAMPLE, pgvector_only.url)

    ruvector = make_database(profile)
    switched = run_app(switched_copy(tmp_path), app_url(ruvector, setup))
    assert switched == original
    assert "embedding type: list" in switched and "refused: True" in switched
    assert any(line.startswith("binary rerank: ['product-42'") for line in switched)
