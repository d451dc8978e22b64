"""Where an online migration is, kept in the database so any runner can finish it.

One row per migrating column in ``<state schema>.alembic_ext_migration_state``: the
step reached, the backfill's keyset position, and the frozen plan (names of the
shadow column, trigger, function and temporary indexes, the DDL to build them, the
default/NOT NULL/comment to restore). Every step changes the schema and its row in
the same transaction, so the row never lies about what exists. A session-level
advisory lock per table makes a second runner fail fast, naming the holder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy_ruvector.errors import RuVectorError

from .._db import Db
from .._sql import qualified

__all__ = [
    "STATE_TABLE",
    "STEPS",
    "MigrationInProgress",
    "State",
    "advisory_lock",
    "all_states",
    "delete_state",
    "ensure_state_table",
    "insert_state",
    "read_state",
    "transaction",
    "update_state",
]

STATE_TABLE: Final = "alembic_ext_migration_state"
#: Steps in order; the row holds the next one to run.
STEPS: Final = ("trigger", "backfill", "indexes", "validate", "swap", "drop_old")


class MigrationInProgress(RuVectorError, RuntimeError):
    """Another runner holds this table's online-migration lock."""

    def __init__(self, table: str, holder: str) -> None:
        self.table = table
        self.holder = holder
        super().__init__(
            f"an online migration of {table} is already running in {holder}; nothing was "
            "done. Wait for it, or stop that process (its state is kept: running the "
            "upgrade again resumes it; `python -m alembic_ext abort` rolls it back)."
        )


@dataclass(frozen=True)
class State:
    schema: str
    table: str
    column: str
    target: str
    step: str
    last_key: tuple[str, ...] | None
    rows_done: int
    rows_total: int | None
    plan: dict[str, Any]
    pid: int | None
    updated_at: Any

    @property
    def qualified_column(self) -> str:
        return f"{self.schema}.{self.table}.{self.column}"


@contextmanager
def transaction(db: Db, isolation: str | None = None) -> Iterator[None]:
    """BEGIN ... COMMIT on an autocommit connection (ROLLBACK on any error)."""
    db.execute("BEGIN" + (f" ISOLATION LEVEL {isolation}" if isolation else ""))
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _table(state_schema: str) -> str:
    return qualified(state_schema, STATE_TABLE)


def ensure_state_table(db: Db, state_schema: str) -> None:
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {_table(state_schema)} ("
        " table_schema text NOT NULL, table_name text NOT NULL, column_name text NOT NULL,"
        " target text NOT NULL, step text NOT NULL, last_key text[],"
        " rows_done bigint NOT NULL DEFAULT 0, rows_total bigint, plan jsonb NOT NULL,"
        " pid integer, started_at timestamptz NOT NULL DEFAULT now(),"
        " updated_at timestamptz NOT NULL DEFAULT now(),"
        " PRIMARY KEY (table_schema, table_name, column_name))"
    )


def _exists(db: Db, state_schema: str) -> bool:
    return db.scalar("SELECT to_regclass(%(t)s)", {"t": _table(state_schema)}) is not None


_COLUMNS: Final = (
    "table_schema, table_name, column_name, target, step, last_key, rows_done,"
    " rows_total, plan, pid, updated_at"
)


def _state(row: Any) -> State:
    plan = row[8] if isinstance(row[8], dict) else json.loads(row[8])
    return State(
        row[0], row[1], row[2], row[3], row[4],
        tuple(row[5]) if row[5] is not None else None,
        int(row[6]), None if row[7] is None else int(row[7]), plan, row[9], row[10],
    )  # fmt: skip


def read_state(db: Db, state_schema: str, schema: str, table: str, column: str) -> State | None:
    if not _exists(db, state_schema):
        return None
    rows = db.rows(
        f"SELECT {_COLUMNS} FROM {_table(state_schema)}"
        " WHERE table_schema = %(s)s AND table_name = %(t)s AND column_name = %(c)s",
        {"s": schema, "t": table, "c": column},
    )
    return _state(rows[0]) if rows else None


def all_states(db: Db) -> list[State]:
    """Every migration in progress, in every schema that has a state table."""
    found = []
    for (schema,) in db.rows(
        "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relname = %(t)s AND c.relkind = 'r' ORDER BY 1",
        {"t": STATE_TABLE},
    ):
        found += [
            _state(r) for r in db.rows(f"SELECT {_COLUMNS} FROM {_table(schema)} ORDER BY 1, 2, 3")
        ]
    return found


def insert_state(db: Db, state_schema: str, state: State) -> None:
    db.execute(
        f"INSERT INTO {_table(state_schema)} (table_schema, table_name, column_name, target,"
        " step, plan, pid) VALUES (%(s)s, %(t)s, %(c)s, %(g)s, %(p)s, %(j)s::jsonb,"
        " pg_backend_pid())",
        {"s": state.schema, "t": state.table, "c": state.column, "g": state.target,
         "p": state.step, "j": json.dumps(state.plan)},
    )  # fmt: skip


def update_state(db: Db, state_schema: str, state: State, **changes: Any) -> None:
    """Set ``changes`` (step, last_key, rows_done, rows_total) on the state row."""
    allowed = {"step", "last_key", "rows_done", "rows_total"}
    if not set(changes) <= allowed:
        raise ValueError(f"unknown state fields {sorted(set(changes) - allowed)}")
    sets = ", ".join(f"{name} = %({name})s" for name in sorted(changes))
    db.execute(
        f"UPDATE {_table(state_schema)} SET {sets}, pid = pg_backend_pid(), updated_at = now()"
        " WHERE table_schema = %(s_)s AND table_name = %(t_)s AND column_name = %(c_)s",
        {**changes, "s_": state.schema, "t_": state.table, "c_": state.column},
    )


def delete_state(db: Db, state_schema: str, state: State) -> None:
    db.execute(
        f"DELETE FROM {_table(state_schema)}"
        " WHERE table_schema = %(s)s AND table_name = %(t)s AND column_name = %(c)s",
        {"s": state.schema, "t": state.table, "c": state.column},
    )


def _lock_key(db: Db, schema: str, table: str) -> int:
    key: int = db.scalar(
        "SELECT hashtextextended(%(k)s, 0)", {"k": f"alembic_ext.online:{schema}.{table}"}
    )
    return key


_HOLDER: Final = """
SELECT a.pid, coalesce(nullif(a.application_name, ''), 'unnamed application'),
       coalesce(host(a.client_addr), 'local socket'), a.backend_start, a.state
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
   AND ((l.classid::bigint << 32) | l.objid::bigint) = %(k)s::bigint
"""


@contextmanager
def advisory_lock(db: Db, schema: str, table: str) -> Iterator[None]:
    """This table's online-migration lock for the whole run (session level: a killed
    runner's lock goes with its connection), or :class:`MigrationInProgress`."""
    key = _lock_key(db, schema, table)
    if not db.scalar("SELECT pg_try_advisory_lock(%(k)s)", {"k": key}):
        rows = db.rows(_HOLDER, {"k": key})
        holder = (
            "backend pid {} ({}, from {}, connected since {}, {})".format(*rows[0])
            if rows
            else "another session"
        )
        raise MigrationInProgress(f"{schema}.{table}", holder)
    try:
        yield
    finally:
        db.execute("SELECT pg_advisory_unlock(%(k)s)", {"k": key})
