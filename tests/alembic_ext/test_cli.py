"""``python -m alembic_ext plan``: the report, refusals, and a written revision that
Alembic runs up and down."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config

from alembic_ext.__main__ import main
from tests.conftest import REAL_URL, Database

from .conftest import run_sql
from .helpers import catalog, checksum

ENV = """
import sqlalchemy as sa
from alembic import context

engine = sa.create_engine(context.config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
"""


def plan(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["plan", *args], out=out)
    return code, out.getvalue()


def make(make_source_db: Callable[..., Database]) -> Database:
    db = make_source_db("real" if REAL_URL else "documented", ("vector",))
    run_sql(db, "CREATE TABLE docs (id int PRIMARY KEY, e vector(3), note text)")
    run_sql(
        db,
        "INSERT INTO docs SELECT i, ('[' || i || ',2,3]')::vector, 'n'"
        " FROM generate_series(1, 300) i",
    )
    run_sql(db, "CREATE INDEX docs_e ON docs USING hnsw (e vector_cosine_ops) WITH (m = 12)")
    return db


def test_plan_reports_and_writes_a_runnable_revision(
    make_source_db: Callable[..., Database], tmp_path: Path
) -> None:
    db = make(make_source_db)
    before_catalog, before_data = catalog(db, "docs"), checksum(db, "docs")
    versions = tmp_path / "versions"
    versions.mkdir()
    code, out = plan("--url", db.psycopg_url, "--write", str(versions))
    assert code == 0, out
    assert "ruvector (to be installed)" in out
    assert "table public.docs: 300 rows; the in-place rewrite writes about" in out
    assert "column e: vector(3) -> ruvector(3)" in out
    assert "index docs_e: hnsw vector_cosine_ops WITH (m=12) -> ruhnsw ruvector_cosine_ops" in out
    assert "op.create_ruvector_extension()\n  op.migrate_to_ruvector('docs', 'e')" in out
    # Planning changed nothing: no extension, same table.
    assert run_sql(db, "SELECT count(*) FROM pg_extension WHERE extname = 'ruvector'") == [(0,)]
    assert (catalog(db, "docs"), checksum(db, "docs")) == (before_catalog, before_data)

    [written] = versions.glob("*.py")
    (tmp_path / "env.py").write_text(ENV)
    config = Config()
    config.set_main_option("script_location", str(tmp_path))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    command.upgrade(config, "head")
    assert catalog(db, "docs")["columns"][1][1] == "ruvector(3)"
    assert checksum(db, "docs") == before_data
    command.downgrade(config, "base")
    assert (catalog(db, "docs"), checksum(db, "docs")) == (before_catalog, before_data)
    assert written.read_text().count("op.migrate_to_pgvector('docs', 'e')") == 1


def test_plan_lists_refusals_and_writes_nothing(
    make_source_db: Callable[..., Database], tmp_path: Path
) -> None:
    db = make(make_source_db)
    run_sql(db, "CREATE INDEX docs_l1 ON docs USING hnsw (e vector_l1_ops)")
    run_sql(db, "CREATE VIEW docs_v AS SELECT e FROM docs")
    code, out = plan("--url", db.url, "--write", str(tmp_path))
    assert code == 2
    assert "REFUSED index public.docs_l1: operator class 'vector_l1_ops'" in out
    assert "REFUSED view docs_v: depends on column public.docs.e" in out
    assert "no revision written" in out
    assert list(tmp_path.iterdir()) == []


def test_module_entry_point(make_source_db: Callable[..., Database]) -> None:
    db = make(make_source_db)
    proc = subprocess.run(
        [sys.executable, "-m", "alembic_ext", "plan", "--url", db.psycopg_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "op.migrate_to_ruvector('docs', 'e')" in proc.stdout


def test_plan_reports_unbounded_sparsevec_and_halfvec_columns(
    make_source_db: Callable[..., Database], tmp_path: Path
) -> None:
    """The plan measures unbounded columns of every pgvector type (sparsevec has no
    vector_dims in pgvector 0.8): those without a ruvector counterpart are REFUSED by
    name instead of the measuring query failing."""
    db = make(make_source_db)
    run_sql(db, "CREATE TABLE mixed (id int PRIMARY KEY, s sparsevec, h halfvec)")
    run_sql(db, "INSERT INTO mixed VALUES (1, '{1:1,3:2}/5', '[1,2]'), (2, '{2:1}/7', NULL)")
    code, out = plan("--url", db.url, "--write", str(tmp_path))
    assert code == 2
    assert "public.mixed.s: is sparsevec" in out
    assert "public.mixed.h: is halfvec" in out
    assert list(tmp_path.iterdir()) == []
