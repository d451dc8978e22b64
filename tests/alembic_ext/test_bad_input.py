"""Bad input: each refused with an error naming the object, before anything changes,
and the table checked untouched afterwards (catalog dump and data checksum)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from alembic_ext import LockBusy, MigrationRefused
from tests.conftest import Database

from .conftest import operations, run_sql
from .helpers import catalog, checksum

ITEMS = '"Sch ema"."My ""Items"""'


@pytest.fixture
def db(source_db: Database) -> Iterator[Database]:
    """A table with quoted, upper-case and spaced identifiers, pgvector-typed."""
    run_sql(source_db, 'CREATE SCHEMA "Sch ema"')
    run_sql(
        source_db,
        f"CREATE TABLE {ITEMS} (id int PRIMARY KEY, \"Body Text\" text NOT NULL DEFAULT 'x',"
        ' "My Embedding" vector(3), n int)',
    )
    run_sql(
        source_db,
        f"INSERT INTO {ITEMS} SELECT i, 't' || i, CASE WHEN i % 5 = 0 THEN NULL ELSE"
        " ('[' || i || ',' || (i % 7) || ',1]')::vector END, i FROM generate_series(1, 500) i",
    )
    run_sql(
        source_db,
        f'CREATE INDEX "Hnsw Idx" ON {ITEMS} USING hnsw ("My Embedding" vector_cosine_ops)'
        " WITH (m = 8)",
    )
    yield source_db


def untouched(db: Database, before: tuple[object, object]) -> bool:
    return (catalog(db, ITEMS), checksum(db, ITEMS)) == before


def state(db: Database) -> tuple[object, object]:
    return catalog(db, ITEMS), checksum(db, ITEMS)


def migrate(db: Database, table: str = 'My "Items"', column: str | None = "My Embedding",
            **kw: object) -> None:  # fmt: skip
    with operations(db) as op:
        op.migrate_to_ruvector(table, column, schema="Sch ema", **kw)


def test_quoted_identifiers_migrate_and_come_back(db: Database) -> None:
    before = state(db)
    migrate(db)
    dump = catalog(db, ITEMS)
    assert dump["columns"][2][1] == "ruvector(3)"
    assert dump["indexes"][0][:4] == ["Hnsw Idx", "ruhnsw", ["ruvector_cosine_ops"], ["m=8"]]
    with operations(db) as op:
        op.migrate_to_pgvector('My "Items"', "My Embedding", schema="Sch ema")
    assert untouched(db, before)


@pytest.mark.parametrize(
    ("table", "column", "message"),
    [
        ("nope", "My Embedding", "no table 'nope' in schema 'Sch ema'"),
        ('My "Items"', "nope", "no column 'nope'"),
        ('My "Items"', "n", "is int4, not a pgvector type"),
        ('My "Items"', "Body Text", "is text, not a pgvector type"),
    ],
)
def test_unknown_or_wrong_column(db: Database, table: str, column: str, message: str) -> None:
    before = state(db)
    with pytest.raises(MigrationRefused, match=message):
        migrate(db, table, column)
    assert untouched(db, before)


def test_unmappable_index(db: Database) -> None:
    run_sql(db, f'CREATE INDEX "L1 Idx" ON {ITEMS} USING hnsw ("My Embedding" vector_l1_ops)')
    before = state(db)
    with pytest.raises(MigrationRefused) as info:
        migrate(db)
    assert "index Sch ema.L1 Idx: operator class 'vector_l1_ops' (l1) has no ruvector" in str(
        info.value
    )
    assert untouched(db, before)


def test_dependent_view_and_function(db: Database) -> None:
    run_sql(db, f'CREATE VIEW "Sch ema".v AS SELECT id, "My Embedding" FROM {ITEMS}')
    run_sql(
        db,
        'CREATE FUNCTION "Sch ema".first_embedding() RETURNS text LANGUAGE sql BEGIN ATOMIC'
        f' SELECT "My Embedding"::text FROM {ITEMS} ORDER BY id LIMIT 1; END',
    )
    before = state(db)
    with pytest.raises(MigrationRefused) as info:
        migrate(db)
    text = str(info.value)
    assert '"Sch ema".v' in text and "view" in text
    assert "function" in text and "first_embedding()" in text
    assert untouched(db, before)


def test_lock_held_by_another_session(db: Database) -> None:
    before = state(db)
    holder = db.connect(autocommit=False)
    try:
        holder.execute(f"SELECT count(*) FROM {ITEMS}")  # ACCESS SHARE, held until rollback
        pid = holder.info.backend_pid
        with pytest.raises(LockBusy) as info:
            migrate(db, lock_timeout="200ms")
        assert info.value.table == 'Sch ema.My "Items"'
        assert pid in info.value.holders
        assert "lock_timeout=200ms" in str(info.value)
    finally:
        holder.rollback()
        holder.close()
    assert untouched(db, before)


def test_lock_waits_within_timeout(db: Database) -> None:
    """A lock released within lock_timeout is waited for, then the migration runs."""
    holder = db.connect(autocommit=False)
    holder.execute(f"SELECT count(*) FROM {ITEMS}")
    timer = threading.Timer(0.3, holder.rollback)
    timer.start()
    try:
        migrate(db, lock_timeout="10s")
    finally:
        timer.join()
        holder.close()
    assert catalog(db, ITEMS)["columns"][2][1] == "ruvector(3)"


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"lock_timeout": "5 parsecs"}, "lock_timeout must be a PostgreSQL duration"),
        ({"lock_timeout": "1s; DROP TABLE x"}, "lock_timeout must be"),
        ({"strategy": "teleport"}, "unknown strategy 'teleport'"),
        ({"strategy": "../x"}, "strategy must be a name"),
    ],
)
def test_bad_arguments_fail_before_sql(db: Database, kw: dict[str, object], message: str) -> None:
    before = state(db)
    with pytest.raises(ValueError, match=message):
        migrate(db, **kw)
    assert untouched(db, before)


def test_failure_midway_rolls_everything_back(db: Database) -> None:
    """A statement failing after the indexes were dropped leaves nothing half-done."""
    before = state(db)
    with pytest.raises(sa.exc.DBAPIError, match="division by zero"), operations(db) as op:
        op.migrate_to_ruvector('My "Items"', "My Embedding", schema="Sch ema")
        op.execute("SELECT 1/0")
    assert untouched(db, before)
