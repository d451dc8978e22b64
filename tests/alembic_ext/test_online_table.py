# ruff: noqa: SIM117  (pytest.raises around the migration block reads as the test says)
"""The online strategy's two variants on what differs between them: a NOT NULL column
(shadow="column" proves it with a validated CHECK before the swap; "table" copies it),
and what a table swap must carry over (sequence, grants, comments, foreign keys, other
indexes, CHECK and generated columns) or refuse (views, referencing foreign keys)."""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

import pytest

from alembic_ext import MigrationRefused
from alembic_ext.strategies import online_steps
from tests.conftest import Database

from .conftest import migration, operations, run_sql
from .helpers import catalog, checksum
from .online_helpers import NOTHING, leftovers

ROWS = 20_000


def _as(dump: dict[str, Any], src: str, dst: str) -> dict[str, Any]:
    return json.loads(json.dumps(dump).replace(f"{src}.", f"{dst}."))


def _not_null_items(db: Database, schema: str) -> str:
    run_sql(db, f"CREATE SCHEMA {schema}")
    run_sql(
        db,
        f"CREATE TABLE {schema}.items (id bigint PRIMARY KEY, embedding vector(8) NOT NULL)",
    )
    run_sql(
        db,
        f"INSERT INTO {schema}.items SELECT i, (SELECT array_agg(sin(i * j)::real)"
        f" FROM generate_series(1, 8) j)::vector FROM generate_series(1, {ROWS}) i",
    )
    run_sql(
        db,
        f"CREATE INDEX items_hnsw ON {schema}.items USING hnsw (embedding vector_cosine_ops)",
    )
    return f"{schema}.items"


@pytest.mark.parametrize("shadow", ["table", "column"])
def test_not_null_column_ends_like_in_place_without_a_scan_under_the_swap_lock(
    source_db: Database, shadow: str, caplog: pytest.LogCaptureFixture
) -> None:
    reference, moved = _not_null_items(source_db, "ref"), _not_null_items(source_db, "mv")
    before, data = catalog(source_db, moved), checksum(source_db, moved)
    with operations(source_db) as op:
        op.migrate_to_ruvector("items", "embedding", schema="ref")
    proven: list[Any] = []

    def look(name: str) -> None:  # inside the swap's transaction, lock granted
        if name == "swap":
            proven.extend(
                run_sql(
                    source_db,
                    "SELECT conname, convalidated FROM pg_constraint"
                    " WHERE conrelid = 'mv.items'::regclass AND contype = 'c'",
                )
            )

    online_steps.CHECKPOINTS.append(look)
    caplog.set_level(logging.INFO, logger="alembic.runtime.ruvector")
    try:
        with migration(source_db) as op:
            op.migrate_to_ruvector(
                "items", "embedding", schema="mv", strategy="online", batch_size=3_000,
                progress=False, shadow=shadow,
            )  # fmt: skip
    finally:
        online_steps.CHECKPOINTS.remove(look)
    if shadow == "column":  # SET NOT NULL at the swap uses this proof instead of a scan
        assert [(re.sub(r"__aex_\w+", "", n), v) for n, v in proven] == [("embedding", True)]
    else:  # the new table's own NOT NULL, checked on every row copied into it
        assert proven == []
    assert catalog(source_db, moved) == _as(catalog(source_db, reference), "ref", "mv")
    assert catalog(source_db, moved)["columns"][1][1:3] == ["ruvector(8)", True]
    assert checksum(source_db, moved) == checksum(source_db, reference) == data
    held = [float(m) for m in re.findall(r"ACCESS EXCLUSIVE held ([\d.]+) ms", caplog.text)]
    print(f"swap held ACCESS EXCLUSIVE {held[0]:.1f} ms, NOT NULL column, {ROWS} rows ({shadow})")
    assert leftovers(source_db) == NOTHING

    with migration(source_db) as op:
        op.migrate_to_pgvector(
            "items", "embedding", schema="mv", strategy="online", progress=False, shadow=shadow
        )
    assert catalog(source_db, moved) == before
    assert checksum(source_db, moved) == data
    assert leftovers(source_db) == NOTHING


def _rich_items(db: Database, schema: str, role: str) -> str:
    """A table with what a table swap has to carry over."""
    table = f"{schema}.items"
    with db.connect() as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"CREATE TABLE {schema}.owners (id int PRIMARY KEY)")
        conn.execute(f"INSERT INTO {schema}.owners SELECT generate_series(0, 9)")
        conn.execute(
            f"CREATE TABLE {table} (id serial PRIMARY KEY, code text NOT NULL,"
            f" owner int REFERENCES {schema}.owners ON DELETE CASCADE,"
            " score real CHECK (score >= 0), doubled real GENERATED ALWAYS AS (score * 2) STORED,"
            " embedding vector(4) DEFAULT '[0,0,0,1]')"
        )
        conn.execute(f"CREATE UNIQUE INDEX items_code ON {table} (code)")
        conn.execute(f"CREATE INDEX items_owner ON {table} (owner) WHERE owner > 0")
        conn.execute(f"COMMENT ON INDEX {schema}.items_code IS 'one per code'")
        conn.execute(f"COMMENT ON TABLE {table} IS 'the items'")
        conn.execute(f"COMMENT ON COLUMN {table}.embedding IS 'the embedding'")
        conn.execute(f"GRANT SELECT, UPDATE ON {table} TO {role}")
        conn.execute(
            f"INSERT INTO {table} (code, owner, score, embedding) SELECT 'c' || i, i % 10,"
            " i / 3.0, ARRAY[i, 1, -i, 0.5]::real[]::vector FROM generate_series(1, 3000) i"
        )
        conn.execute(f"CREATE INDEX items_hnsw ON {table} USING hnsw (embedding vector_l2_ops)")
    return table


@pytest.fixture
def role(source_db: Database) -> Any:
    name = f"reader_{uuid.uuid4().hex[:8]}"
    run_sql(source_db, f"CREATE ROLE {name}")
    yield name
    run_sql(source_db, f"DROP OWNED BY {name}")
    run_sql(source_db, f"DROP ROLE {name}")


def _extras(db: Database, schema: str, role: str) -> dict[str, Any]:
    """What the catalog dump leaves out: sequence ownership, grants, constraints."""
    table = f"{schema}.items"
    return {
        "sequence": run_sql(db, f"SELECT pg_get_serial_sequence('{table}', 'id')"),
        "grants": run_sql(
            db,
            f"SELECT has_table_privilege('{role}', '{table}', 'SELECT'),"
            f" has_table_privilege('{role}', '{table}', 'UPDATE'),"
            f" has_table_privilege('{role}', '{table}', 'DELETE')",
        ),
        "constraints": run_sql(
            db,
            "SELECT conname, contype, convalidated, pg_get_constraintdef(oid) FROM pg_constraint"
            f" WHERE conrelid = '{table}'::regclass ORDER BY conname",
        ),
    }


def test_table_swap_carries_sequence_grants_comments_and_constraints(
    source_db: Database, role: str
) -> None:
    _rich_items(source_db, "ref", role)
    table = _rich_items(source_db, "mv", role)
    data, extras = checksum(source_db, table), _extras(source_db, "mv", role)
    with operations(source_db) as op:
        op.migrate_to_ruvector("items", "embedding", schema="ref")
    with migration(source_db) as op:
        op.migrate_to_ruvector(
            "items", "embedding", schema="mv", strategy="online", batch_size=700, progress=False
        )
    assert catalog(source_db, table) == _as(catalog(source_db, "ref.items"), "ref", "mv")
    assert checksum(source_db, table) == checksum(source_db, "ref.items") == data
    assert _extras(source_db, "mv", role) == extras
    assert extras["sequence"] == [("mv.items_id_seq",)]
    assert extras["grants"] == [(True, True, False)]
    # The sequence goes on where it was; the foreign key's cascade reaches the new table.
    run_sql(source_db, "INSERT INTO mv.items (code) VALUES ('new')")
    assert run_sql(source_db, "SELECT id FROM mv.items WHERE code = 'new'") == [(3001,)]
    run_sql(source_db, "DELETE FROM mv.owners WHERE id = 3")
    assert run_sql(source_db, "SELECT count(*) FROM mv.items WHERE owner = 3") == [(0,)]
    assert leftovers(source_db) == NOTHING

    run_sql(source_db, "DELETE FROM mv.items WHERE code = 'new'")
    run_sql(source_db, "INSERT INTO mv.owners VALUES (3)")
    with operations(source_db) as op:
        op.migrate_to_pgvector("items", "embedding", schema="ref")
    with migration(source_db) as op:
        op.migrate_to_pgvector("items", "embedding", schema="mv", strategy="online", progress=False)
    assert catalog(source_db, table) == _as(catalog(source_db, "ref.items"), "ref", "mv")
    assert _extras(source_db, "mv", role) == extras
    assert leftovers(source_db) == NOTHING


@pytest.mark.parametrize(
    ("setup", "named"),
    [
        ("CREATE VIEW v.recent AS SELECT id FROM v.items", "view(s) or rule(s) v.recent"),
        (
            "CREATE TABLE v.likes (item bigint REFERENCES v.items)",
            "referenced by foreign key(s) likes_item_fkey on v.likes",
        ),
        ("ALTER TABLE v.items ADD COLUMN n int GENERATED ALWAYS AS IDENTITY", "identity column"),
    ],
)
def test_table_swap_refuses_what_points_at_the_old_table(
    source_db: Database, setup: str, named: str
) -> None:
    run_sql(source_db, "CREATE SCHEMA v")
    run_sql(source_db, "CREATE TABLE v.items (id bigint PRIMARY KEY, embedding vector(3))")
    run_sql(source_db, "INSERT INTO v.items SELECT i, '[1,2,3]' FROM generate_series(1, 50) i")
    run_sql(source_db, setup)
    with pytest.raises(MigrationRefused, match=re.escape(named) + r".*shadow='column'"):
        with migration(source_db) as op:
            op.migrate_to_ruvector("items", schema="v", strategy="online", progress=False)
    assert leftovers(source_db) == NOTHING
    with migration(source_db) as op:  # the shadow column keeps the table (and its OID)
        op.migrate_to_ruvector(
            "items", schema="v", strategy="online", progress=False, shadow="column"
        )
    assert run_sql(
        source_db,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = 'v.items'::regclass AND attname = 'embedding'",
    ) == [("ruvector(3)",)]
    assert leftovers(source_db) == NOTHING
