"""The examples run as a user would run them, each on its own embedded server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pytestmark = pytest.mark.skipif(
    os.environ.get("RUVECTOR_TEST_URL") is not None, reason="examples start their own server"
)


def run(name: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_quickstart() -> None:
    out = run("quickstart.py")
    assert "compatibility layer" in out
    assert "Index Scan using documents_embedding_idx" in out
    rows = [line.split() for line in out.splitlines() if line.strip().startswith("124 ")]
    assert rows and rows[0][1:3] == ["doc", "123"]  # the perturbed vector finds its source


def test_orm_search() -> None:
    out = run("orm_search.py")
    assert "nearest books under 50:" in out
    assert "refused: column 'products.embedding': expected 32 dimensions, got 31" in out


def test_migrate_from_pgvector() -> None:
    out = run("migrate_from_pgvector/run.py")
    assert "documents.embedding: ruvector(32)" in out
    assert (
        "USING ruhnsw (embedding ruvector_cosine_ops) WITH (m='24', ef_construction='100')" in out
    )
    assert "rewriting public.documents in place under an ACCESS EXCLUSIVE lock" in out
    assert out.count(": unchanged") == 2 and "CHANGED" not in out
    assert "nearest to document 42: 42 (0.000)" in out
    assert out.rstrip().splitlines()[-5].strip() == "documents.embedding: vector(32)"


def test_hybrid_search() -> None:
    out = run("hybrid_search.py")
    assert "docstrings indexed" in out
    sections = out.split("\n\n")
    json_rrf = next(s for s in sections if s.startswith("rrf: 'decode json or parse'"))
    assert "json.JSONDecoder" in json_rrf
    assert "only json.*: ['json." in out
    assert "Index Scan using docs_embedding_idx" in out


def test_tenancy() -> None:
    out = run("tenancy.py")
    assert "acme sees: ['acme plan', 'acme roadmap']" in out
    assert "acme deletes globex's memo: 0 rows" in out
    assert "acme writes as globex: refused, new row violates row-level security" in out
    assert "globex sees: ['globex memo']" in out
    assert "no tenant sees: []" in out
    assert "guard: statement on tenant table 'documents'" in out
    assert "rows in the table (as superuser): 4" in out


def test_bulk_arrow() -> None:
    out = run("bulk_arrow.py")
    assert "loaded 50000 rows from Parquet" in out
    first_hit = [line.split() for line in out.splitlines() if line.strip().startswith("123 ")]
    assert first_hit and first_hit[0][1:3] == ["doc", "123"]
    assert "distance: double" in out
    assert "round trip bit-exact: True" in out


def test_migrate_from_pgvector_online() -> None:
    out = run("migrate_from_pgvector/online.py")
    assert "documents.embedding: ruvector(32)" in out
    assert "rows differing from the twin: 0" in out
    assert ", 0 errors" in out and "writers committed 0 " not in out
