"""Tables for the online-strategy tests: deterministic data (so two copies are equal),
vector indexes as the issue asks, and a look at what a run leaves behind."""

from __future__ import annotations

from typing import Any

from tests.conftest import Database

from .conftest import run_sql


def make_items(
    db: Database,
    schema: str,
    rows: int,
    dims: int = 16,
    *,
    indexes: bool = True,
    name: str = "items",
) -> str:
    """``schema.name (id bigint pk, body text, embedding vector(dims))``: every 20th
    embedding NULL, values a function of the id (two calls make equal tables)."""
    table = f"{schema}.{name}"
    with db.connect() as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        conn.execute(
            f"CREATE TABLE {table} (id bigint PRIMARY KEY, body text NOT NULL DEFAULT '',"
            f" embedding vector({dims}))"
        )
        conn.execute(f"COMMENT ON COLUMN {table}.embedding IS 'the embedding'")
        conn.execute(
            f"INSERT INTO {table} SELECT i, 'row ' || i, CASE WHEN i %% 20 = 0 THEN NULL ELSE"
            f" (SELECT array_agg(round(sin(i * j + j)::numeric, 5)::real)"
            f" FROM generate_series(1, {dims}) j)::vector END FROM generate_series(1, %s) i",
            (rows,),
        )
        if indexes:
            conn.execute(
                f"CREATE INDEX {name}_hnsw ON {table} USING hnsw (embedding vector_cosine_ops)"
                " WITH (m = 24, ef_construction = 100)"
            )
            conn.execute(
                f"CREATE INDEX {name}_ivfflat ON {table} USING ivfflat (embedding vector_l2_ops)"
                " WITH (lists = 10)"
            )
        conn.execute(f"ANALYZE {table}")
    return table


def leftovers(db: Database) -> dict[str, Any]:
    """Everything an online run creates, wherever it is: state rows, shadow columns,
    triggers, functions, temporary indexes."""
    states = []
    for (schema,) in run_sql(
        db,
        "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relname = 'alembic_ext_migration_state'",
    ):
        states += run_sql(
            db, f"SELECT table_name, column_name, step FROM {schema}.alembic_ext_migration_state"
        )
    return {
        "states": states,
        "columns": run_sql(
            db,
            "SELECT attrelid::regclass::text, attname FROM pg_attribute a"
            " JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'"
            " WHERE attname LIKE '%%__aex_%%' AND NOT attisdropped",
        ),
        "triggers": run_sql(db, "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'alembic_ext%%'"),
        "functions": run_sql(db, "SELECT proname FROM pg_proc WHERE proname LIKE 'alembic_ext%%'"),
        "indexes": run_sql(db, "SELECT relname FROM pg_class WHERE relname LIKE '%%__aex%%'"),
    }


NOTHING = {"states": [], "columns": [], "triggers": [], "functions": [], "indexes": []}
