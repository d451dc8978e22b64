# ruff: noqa: SIM117  (pytest.raises around the migration block reads as the test says)
"""strategy="online": same end state as in_place, downgrade restores exactly, resumable
state, refusals, the autocommit requirement and the published-2.0.5 conflict."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from alembic_ext import ExtensionConflict, MigrationRefused
from alembic_ext.strategies.online import NeedsAutocommit
from tests.conftest import REAL_URL, Database

from .conftest import migration, operations, run_sql
from .helpers import catalog, checksum
from .online_helpers import NOTHING, leftovers, make_items


def _same_schema(dump: dict[str, Any], src: str, dst: str) -> dict[str, Any]:
    return json.loads(json.dumps(dump).replace(f"{src}.", f"{dst}."))


@pytest.mark.volume
def test_50k_rows_same_end_state_as_in_place_and_downgrade_restores(
    source_db: Database,
) -> None:
    rows = 50_000
    a = make_items(source_db, "a", rows, 16)
    b = make_items(source_db, "b", rows, 16)
    before, data = catalog(source_db, b), checksum(source_db, b)
    assert _same_schema(catalog(source_db, a), "a", "b") == before
    assert run_sql(source_db, f"SELECT count(*) FROM {b} WHERE embedding IS NULL")[0][0] > 0

    with operations(source_db) as op:
        op.migrate_to_ruvector("items", "embedding", schema="a")
    with migration(source_db) as op:
        op.migrate_to_ruvector(
            "items", "embedding", schema="b", strategy="online", batch_size=7_000, progress=False
        )
    after = catalog(source_db, b)
    assert after == _same_schema(catalog(source_db, a), "a", "b")
    assert [c[1] for c in after["columns"]] == ["bigint", "text", "ruvector(16)"]
    assert checksum(source_db, b) == checksum(source_db, a) == data
    assert leftovers(source_db) == NOTHING

    with migration(source_db) as op:
        op.migrate_to_pgvector(
            "items", "embedding", schema="b", strategy="online", batch_size=7_000, progress=False
        )
    assert catalog(source_db, b) == before
    assert checksum(source_db, b) == data
    assert leftovers(source_db) == NOTHING


def test_composite_text_key_and_state_schema(source_db: Database) -> None:
    with source_db.connect() as conn:
        conn.execute("CREATE SCHEMA ops")
        conn.execute(
            "CREATE TABLE pairs (tenant text, n int, embedding vector(3), PRIMARY KEY (tenant, n))"
        )
        conn.execute(
            "INSERT INTO pairs SELECT 't' || (i % 7), i, ARRAY[i, i + 0.5, -i]::real[]::vector"
            " FROM generate_series(1, 1000) i"
        )
    data = checksum(source_db, "pairs", "tenant, n")
    with migration(source_db) as op:
        op.migrate_to_ruvector(
            "pairs", strategy="online", batch_size=37, state_schema="ops", progress=False
        )
    assert checksum(source_db, "pairs", "tenant, n") == data
    assert run_sql(
        source_db,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = 'pairs'::regclass AND attname = 'embedding'",
    ) == [("ruvector(3)",)]
    assert run_sql(source_db, "SELECT to_regclass('ops.alembic_ext_migration_state')") == [
        ("ops.alembic_ext_migration_state",)
    ]
    assert leftovers(source_db) == NOTHING


def test_table_without_key_is_refused_before_anything(source_db: Database) -> None:
    run_sql(source_db, "CREATE TABLE nokey (n int, embedding vector(3))")
    run_sql(source_db, "INSERT INTO nokey VALUES (1, '[1,2,3]')")
    with pytest.raises(MigrationRefused, match="no primary key or unique NOT NULL key"):
        with migration(source_db) as op:
            op.migrate_to_ruvector("nokey", strategy="online")
    assert leftovers(source_db) == NOTHING
    assert run_sql(
        source_db,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = 'nokey'::regclass AND attname = 'embedding'",
    ) == [("vector(3)",)]


def test_unique_not_null_key_is_enough(source_db: Database) -> None:
    run_sql(source_db, "CREATE TABLE ukey (code uuid NOT NULL UNIQUE, embedding vector(2))")
    run_sql(
        source_db,
        "INSERT INTO ukey SELECT gen_random_uuid(), ARRAY[i, i]::real[]::vector"
        " FROM generate_series(1, 300) i",
    )
    data = checksum(source_db, "ukey", "code")
    with migration(source_db) as op:
        op.migrate_to_ruvector(
            "ukey", "embedding", strategy="online", batch_size=50, progress=False
        )
    assert checksum(source_db, "ukey", "code") == data


def test_env_py_with_its_own_transaction_gets_a_clear_error(source_db: Database) -> None:
    make_items(source_db, "public", 100, 4, indexes=False, name="tx_items")
    engine = sa.create_engine(source_db.url)
    try:
        with engine.connect() as conn, conn.begin():
            from alembic.migration import MigrationContext
            from alembic.operations import Operations

            context = MigrationContext.configure(conn)
            with pytest.raises(NeedsAutocommit, match="begin_transaction"):
                Operations(context).migrate_to_ruvector("tx_items", strategy="online")
    finally:
        engine.dispose()
    assert leftovers(source_db) == NOTHING


def test_options_are_checked_before_sql(source_db: Database) -> None:
    make_items(source_db, "public", 10, 4, indexes=False, name="opt_items")
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        with migration(source_db) as op:
            op.migrate_to_ruvector("opt_items", strategy="online", batch_size=0)
    with pytest.raises(ValueError, match=r"option.*of strategy='online'"):
        with migration(source_db) as op:
            op.migrate_to_ruvector("opt_items", batch_size=10)
    assert leftovers(source_db) == NOTHING


@pytest.mark.skipif(
    REAL_URL is not None, reason="the published-2.0.5 profile is the compat layer's"
)
def test_published_profile_refuses_online_before_starting(
    make_source_db: Callable[..., Database],
) -> None:
    db = make_source_db("published-2.0.5", ("vector",))
    table = make_items(db, "public", 500, 4, indexes=True)
    before, data = catalog(db, table), checksum(db, table)
    with pytest.raises(ExtensionConflict) as info, migration(db) as op:
        op.migrate_to_ruvector("items", strategy="online")
    message = str(info.value)
    assert "strategy='online'" in message and 'name their HNSW access method "hnsw"' in message
    assert "ruhnsw" in message and "new database" in message and "nothing was started" in message
    assert catalog(db, table) == before and checksum(db, table) == data
    assert leftovers(db) == NOTHING
    assert run_sql(db, "SELECT extname FROM pg_extension ORDER BY 1") == [("plpgsql",), ("vector",)]
