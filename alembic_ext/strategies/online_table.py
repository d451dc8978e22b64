"""``shadow="table"``'s steps: copy into a new table, then swap the tables.

Why a new table and not a shadow column: a backfill UPDATE of a packed table writes
every row again, and, as no HOT update fits on a full page, inserts every row into
the old column's HNSW and IVFFlat indexes again (an HNSW insert costs as much as
building it), and leaves the table twice its size. Copying into a new table with
only its key index costs a batched ``INSERT ... SELECT``; the vector indexes are then
built once, on the new table.

Sync rule: an AFTER trigger on the old table replays every INSERT, UPDATE and DELETE
into the new one (upsert by key; DELETE by key). A copy batch locks its source rows
``FOR KEY SHARE`` (a concurrent DELETE or key change waits for the batch; an UPDATE
does not) and inserts ``ON CONFLICT DO NOTHING``, so whichever of trigger and copy
writes a row second, the result is the row's latest committed version.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Final

from .._db import Db
from .._sql import ident, literal, qualified
from .online_plan import OnlinePlan, short_name
from .online_steps import checkpoint, locked_step
from .progress import Progress
from .state import State, delete_state, insert_state, read_state, transaction, update_state

__all__ = [
    "abort_table",
    "add_table_trigger",
    "copy_rows",
    "create_shadow_table",
    "drop_old_table",
    "swap_table",
]

log: Final = logging.getLogger("alembic.runtime.ruvector")


def _values(p: OnlinePlan, row: str) -> str:
    return ", ".join(
        p.convert(row) if c == p.column else f"{row}{ident(c)}" for c in p.copy_columns
    )


def create_shadow_table(
    db: Db, p: OnlinePlan, state: State, state_schema: str, lt: str, n: int
) -> None:
    """The new table, empty, with its key and other non-vector indexes; no lock on the
    old table but the short ones ``LIKE`` and foreign keys take."""

    def body() -> None:
        insert_state(db, state_schema, state)
        for statement in p.create:
            db.execute(statement)

    locked_step(db, p, "creating the shadow table", lt, n, body)
    log.info("online: %s: shadow table %s created", p.qualified_table, p.shadow)
    checkpoint("shadow")


def add_table_trigger(
    db: Db, p: OnlinePlan, state: State, state_schema: str, lt: str, n: int
) -> None:
    new, keys = p.qualified_shadow_table, [ident(k) for k, _ in p.key]
    cols = ", ".join(ident(c) for c in p.copy_columns)
    match = " AND ".join(f"{k} = OLD.{k}" for k in keys)
    changed = " OR ".join(f"OLD.{k} IS DISTINCT FROM NEW.{k}" for k in keys)
    sets = ", ".join(
        f"{ident(c)} = EXCLUDED.{ident(c)}" for c in p.copy_columns if c not in dict(p.key)
    )

    def body() -> None:
        db.execute(
            f"CREATE OR REPLACE FUNCTION {p.qualified_function}() RETURNS trigger"
            " LANGUAGE plpgsql AS $alembic_ext$ BEGIN"
            f" IF TG_OP = 'TRUNCATE' THEN TRUNCATE {new}; RETURN NULL; END IF;"
            f" IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND ({changed})) THEN"
            f" DELETE FROM {new} WHERE {match}; END IF;"
            " IF TG_OP = 'DELETE' THEN RETURN NULL; END IF;"
            f" INSERT INTO {new} ({cols}) VALUES ({_values(p, 'NEW.')})"
            f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets};"
            " RETURN NULL; END $alembic_ext$"
        )
        db.execute(
            f"CREATE TRIGGER {ident(p.trigger)} AFTER INSERT OR UPDATE OR DELETE"
            f" ON {p.qualified_table} FOR EACH ROW EXECUTE FUNCTION {p.qualified_function}()"
        )
        db.execute(
            f"CREATE TRIGGER {ident(p.trigger + '_t')} AFTER TRUNCATE"
            f" ON {p.qualified_table} FOR EACH STATEMENT EXECUTE FUNCTION"
            f" {p.qualified_function}()"
        )
        update_state(db, state_schema, state, step="backfill")

    locked_step(db, p, "creating the sync trigger", lt, n, body)
    log.info("online: %s: sync trigger %s created", p.qualified_table, p.trigger)
    checkpoint("trigger")


def copy_rows(
    db: Db, p: OnlinePlan, state: State, state_schema: str, batch_size: int, progress: Progress
) -> None:
    """Walk the old table by key, ``batch_size`` rows per transaction: the batch's
    upper key is read first, then the range ``(last, upper]`` is copied, so a row
    whose key changes meanwhile cannot move the walk past rows not copied yet."""
    table, new = p.qualified_table, p.qualified_shadow_table
    keys = [ident(k) for k, _ in p.key]
    key_list = ", ".join(keys)
    cols = ", ".join(ident(c) for c in p.copy_columns)
    total = state.rows_total
    if total is None:
        total = int(db.scalar(f"SELECT count(*) FROM {table}"))
        with transaction(db):
            update_state(db, state_schema, state, rows_total=total)
    progress.start(total, state.rows_done)
    last, done = state.last_key, state.rows_done

    def bound(prefix: str, values: Any) -> tuple[str, dict[str, Any]]:
        params = {f"{prefix}{i}": v for i, v in enumerate(values)}
        row = ", ".join(f"%({prefix}{i})s::{t}" for i, (_, t) in enumerate(p.key))
        return f"({row})", params

    while True:
        params: dict[str, Any] = {"n": batch_size - 1}
        where: list[str] = []
        if last is not None:
            low, more = bound("lo", last)
            params.update(more)
            where.append(f"({key_list}) > {low}")
        after = f" WHERE {where[0]}" if where else ""
        with transaction(db):
            upper = db.rows(
                f"SELECT ARRAY[{', '.join(f'{k}::text' for k in keys)}] FROM {table}{after}"
                f" ORDER BY {key_list} OFFSET %(n)s LIMIT 1",
                params,
            )
            if upper:
                high, more = bound("hi", upper[0][0])
                params.update(more)
                where.append(f"({key_list}) <= {high}")
            count = int(
                db.scalar(
                    f"WITH batch AS (SELECT {cols} FROM {table}"
                    + (f" WHERE {' AND '.join(where)}" if where else "")
                    + " FOR KEY SHARE),"
                    f" ins AS (INSERT INTO {new} ({cols}) SELECT {_values(p, 'b.')}"
                    f" FROM batch b ON CONFLICT ({key_list}) DO NOTHING)"
                    " SELECT count(*) FROM batch",
                    params,
                )
            )
            done += count
            if count:
                checkpoint("batch")
            if upper:
                last = tuple(upper[0][0])
                update_state(db, state_schema, state, last_key=list(last), rows_done=done)
            else:
                update_state(db, state_schema, state, step="indexes", rows_done=done)
        progress.advance(count)
        if not upper:
            break
    progress.close()


def _grants(db: Db, table: str) -> list[tuple[str, str]]:
    """(privilege, grantee) giving the new table the old one's privileges (the
    owner's excepted: the new table has the same owner)."""
    rows = db.rows(
        "SELECT coalesce(r.rolname, ''), a.privilege_type, a.is_grantable"
        " FROM pg_class c, aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee"
        " WHERE c.oid = %(t)s::regclass AND a.grantee <> c.relowner ORDER BY 1, 2",
        {"t": table},
    )
    return [
        (priv, (ident(role) if role else "PUBLIC") + (" WITH GRANT OPTION" if grantable else ""))
        for role, priv, grantable in rows
    ]


def _old_name(p: OnlinePlan) -> str:
    """Where the old table waits, after the swap, for its drop."""
    return short_name(p.table, "__aexold_" + p.function.rsplit("_", 1)[1])


def swap_table(db: Db, p: OnlinePlan, state: State, state_schema: str, lt: str, n: int) -> float:
    """Give the new table the old one's name, index names, grants, comment and
    sequences, and rename the old one away (its drop, which unlinks every file of it,
    comes after, without the lock); returns how long ACCESS EXCLUSIVE was held (s).
    A statement waiting for the lock finds the new table when it gets it: PostgreSQL
    looks the name up again once the lock is granted, and replans cached plans."""
    table, new = p.qualified_table, p.qualified_shadow_table
    granted: list[float] = []

    def body() -> None:
        db.execute(f"LOCK TABLE {table}, {new} IN ACCESS EXCLUSIVE MODE")
        granted.append(time.perf_counter())
        checkpoint("swap")
        for privilege, grantee in _grants(db, table):
            db.execute(f"GRANT {privilege} ON {new} TO {grantee}")
        comment = db.scalar("SELECT obj_description(%(t)s::regclass, 'pg_class')", {"t": table})
        for sequence, column in p.sequences:
            db.execute(f"ALTER SEQUENCE {sequence} OWNED BY {new}.{ident(column)}")
        db.execute(f"DROP TRIGGER {ident(p.trigger)} ON {table}")
        db.execute(f"DROP TRIGGER {ident(p.trigger + '_t')} ON {table}")
        db.execute(f"DROP FUNCTION {p.qualified_function}()")
        old = _old_name(p)
        for k, (name,) in enumerate(
            db.rows(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE i.indrelid = %(t)s::regclass ORDER BY 1",
                {"t": table},
            )
        ):
            moved = short_name(str(name), f"__aexold{k}")
            db.execute(f"ALTER INDEX {qualified(p.schema, str(name))} RENAME TO {ident(moved)}")
        db.execute(f"ALTER TABLE {table} RENAME TO {ident(old)}")
        db.execute(f"ALTER TABLE {new} RENAME TO {ident(p.table)}")
        for tmp, name in (*p.renames, *((b.tmp, b.name) for b in p.indexes)):
            db.execute(f"ALTER INDEX {qualified(p.schema, tmp)} RENAME TO {ident(name)}")
        for build in p.indexes:
            if build.comment is not None:
                db.execute(
                    f"COMMENT ON INDEX {qualified(p.schema, build.name)}"
                    f" IS {literal(build.comment)}"
                )
        if comment is not None:
            db.execute(f"COMMENT ON TABLE {table} IS {literal(str(comment))}")
        update_state(db, state_schema, state, step="drop_old")

    committed = locked_step(db, p, "the swap", lt, n, body)
    held = committed - granted[-1]
    log.info("online: %s: swapped; ACCESS EXCLUSIVE held %.1f ms", table, held * 1000)
    drop_old_table(db, p, state, state_schema, lt, n)
    db.execute(f"ANALYZE {table}")
    return held


def drop_old_table(db: Db, p: OnlinePlan, state: State, state_schema: str, lt: str, n: int) -> None:
    """After the swap: drop the old table (nobody can reach it by name any more)."""

    def body() -> None:
        db.execute(f"DROP TABLE IF EXISTS {qualified(p.schema, _old_name(p))}")
        delete_state(db, state_schema, state)

    locked_step(db, p, "dropping the old table", lt, n, body)


def abort_table(db: Db, p: OnlinePlan, state: State, state_schema: str, lt: str, n: int) -> None:
    """Drop the trigger, its function and the new table (with its indexes), and the row.
    After the swap there is nothing to roll back (a downgrade moves it back): finish
    by dropping the old table."""
    table = p.qualified_table
    current = read_state(db, state_schema, p.schema, p.table, p.column)
    if current is not None and current.step == "drop_old":
        drop_old_table(db, p, state, state_schema, lt, n)
        log.warning("online: %s.%s: already swapped; dropped the old table", table, p.column)
        return

    def body() -> None:
        db.execute(f"DROP TRIGGER IF EXISTS {ident(p.trigger)} ON {table}")
        db.execute(f"DROP TRIGGER IF EXISTS {ident(p.trigger + '_t')} ON {table}")
        db.execute(f"DROP FUNCTION IF EXISTS {p.qualified_function}()")
        db.execute(f"DROP TABLE IF EXISTS {p.qualified_shadow_table}")
        delete_state(db, state_schema, state)

    locked_step(db, p, "the abort", lt, n, body)
    log.warning("online: %s.%s: migration to %s aborted", table, p.column, state.target)
