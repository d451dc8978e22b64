"""The online strategy's steps, each a short transaction that also moves the state row.

setup (state row + shadow column) -> trigger -> backfill batches -> indexes built
CONCURRENTLY -> exact validation -> swap. Only setup, trigger and swap take locks
that block writers; each does so under ``lock_timeout`` with bounded retries and
backoff, and gives up with :class:`OnlineBusy`, leaving the table as it was.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, Final

import psycopg

from sqlalchemy_ruvector.capabilities import Capabilities

from .._db import Db
from .._sql import ident, literal, qualified
from ..errors import LockBusy, ValidationMismatch
from ..validate import ColumnSnapshot, compare, snapshot
from .online_plan import OnlinePlan
from .progress import Progress
from .state import State, delete_state, insert_state, transaction, update_state

__all__ = [
    "CHECKPOINTS",
    "OnlineBusy",
    "abort",
    "add_shadow",
    "add_trigger",
    "backfill",
    "build_indexes",
    "prove_not_null",
    "swap",
    "validate",
]

log: Final = logging.getLogger("alembic.runtime.ruvector")

#: Called with a point's name as the run passes it ("shadow", "trigger", "batch",
#: "index", "swap"): how the crash-injection tests stop a real process there.
CHECKPOINTS: list[Callable[[str], None]] = []


def checkpoint(name: str) -> None:
    for hook in CHECKPOINTS:
        hook(name)


class OnlineBusy(LockBusy):
    """A short locking step could not get its lock within lock_timeout, every retry."""

    def __init__(self, table: str, what: str, lock_timeout: str, tries: int, holders: list[int]):
        super().__init__(table, lock_timeout, holders)
        pids = ", ".join(map(str, holders)) or "unknown"
        self.args = (
            f"table {table} is busy: {what} could not take its lock within "
            f"lock_timeout={lock_timeout} in {tries} tries (held or awaited by backend pid(s) "
            f"{pids}). The table is unchanged and fully usable in its old form; the "
            "migration's progress is kept: run the upgrade again to continue, or "
            "`python -m alembic_ext abort` to roll it back.",
        )


def locked_step(
    db: Db, p: OnlinePlan, what: str, lock_timeout: str, retries: int, body: Callable[[], Any]
) -> float:
    """Run ``body`` in a transaction with ``lock_timeout``, retrying with exponential
    backoff on lock timeouts; returns ``time.perf_counter()`` at the end of COMMIT."""
    for attempt in range(retries + 1):
        try:
            with transaction(db):
                db.execute("SELECT set_config('lock_timeout', %(v)s, true)", {"v": lock_timeout})
                body()
            return time.perf_counter()
        except psycopg.errors.LockNotAvailable:
            delay = min(0.05 * 2**attempt, 2.0) * (0.5 + random.random())
            log.warning(
                "%s on %s: lock not granted within %s (try %d of %d)%s",
                what, p.qualified_table, lock_timeout, attempt + 1, retries + 1,
                f"; retrying in {delay:.2f}s" if attempt < retries else "",
            )  # fmt: skip
            if attempt < retries:
                time.sleep(delay)
    holders = [
        int(r[0])
        for r in db.rows(
            "SELECT DISTINCT pid FROM pg_locks WHERE relation = %(t)s::regclass"
            " AND pid <> pg_backend_pid() ORDER BY 1",
            {"t": p.qualified_table},
        )
    ]
    raise OnlineBusy(f"{p.schema}.{p.table}", what, lock_timeout, retries + 1, holders)


def add_shadow(db: Db, p: OnlinePlan, state: State, state_schema: str, lt: str, n: int) -> None:
    def body() -> None:
        insert_state(db, state_schema, state)
        db.execute(f"ALTER TABLE {p.qualified_table} ADD COLUMN {ident(p.shadow)} {p.target_type}")

    locked_step(db, p, "adding the shadow column", lt, n, body)
    log.info("online: %s: shadow column %s added", p.qualified_table, p.shadow)
    checkpoint("shadow")


def add_trigger(db: Db, p: OnlinePlan, state: State, state_schema: str, lt: str, n: int) -> None:
    """INSERT, and UPDATE OF the column, keep the shadow in sync. Rows the backfill
    has not reached hold NULL in the shadow until it does; the backfill's UPDATE reads
    the latest committed value (row lock), so after it passes a row, the trigger alone
    keeps it right."""

    def body() -> None:
        db.execute(
            f"CREATE OR REPLACE FUNCTION {p.qualified_function}() RETURNS trigger"
            " LANGUAGE plpgsql AS $alembic_ext$ BEGIN"
            f" NEW.{ident(p.shadow)} := {p.convert('NEW.')}; RETURN NEW;"
            " END $alembic_ext$"
        )
        db.execute(
            f"CREATE TRIGGER {ident(p.trigger)} BEFORE INSERT OR UPDATE OF {ident(p.column)}"
            f" ON {p.qualified_table} FOR EACH ROW EXECUTE FUNCTION {p.qualified_function}()"
        )
        update_state(db, state_schema, state, step="backfill")

    locked_step(db, p, "creating the sync trigger", lt, n, body)
    log.info("online: %s: sync trigger %s created", p.qualified_table, p.trigger)
    checkpoint("trigger")


def backfill(
    db: Db, p: OnlinePlan, state: State, state_schema: str, batch_size: int, progress: Progress
) -> None:
    """Walk the table by key, ``batch_size`` rows per transaction."""
    table = p.qualified_table
    keys = [ident(k) for k, _ in p.key]
    key_list = ", ".join(keys)
    total = state.rows_total
    if total is None:
        total = int(db.scalar(f"SELECT count(*) FROM {table}"))
        with transaction(db):
            update_state(db, state_schema, state, rows_total=total)
    progress.start(total, state.rows_done)
    last, done = state.last_key, state.rows_done
    match = " AND ".join(f"u.{k} = b.{k}" for k in keys)
    while True:
        params: dict[str, Any] = {"n": batch_size}
        where = ""
        if last is not None:
            params.update({f"k{i}": v for i, v in enumerate(last)})
            bound = ", ".join(f"%(k{i})s::{t}" for i, (_, t) in enumerate(p.key))
            where = f"WHERE ({key_list}) > ({bound})"
        with transaction(db):
            count, new_last = db.rows(
                f"WITH batch AS (SELECT {key_list} FROM {table} {where}"
                f" ORDER BY {key_list} LIMIT %(n)s),"
                f" upd AS (UPDATE {table} u SET {ident(p.shadow)} = {p.convert('u.')}"
                f" FROM batch b WHERE {match} AND u.{ident(p.column)} IS NOT NULL RETURNING 1)"
                " SELECT (SELECT count(*) FROM batch), (SELECT ARRAY["
                + ", ".join(f"{k}::text" for k in keys)
                + "] FROM batch ORDER BY "
                + ", ".join(f"{k} DESC" for k in keys)
                + " LIMIT 1), (SELECT count(*) FROM upd)",
                params,
            )[0][:2]
            if count == 0:
                update_state(db, state_schema, state, step="indexes")
            else:
                checkpoint("batch")
                done += int(count)
                update_state(db, state_schema, state, last_key=list(new_last), rows_done=done)
        if count == 0:
            break
        last = tuple(new_last)
        progress.advance(int(count))
    progress.close()


def prove_not_null(db: Db, p: OnlinePlan, lt: str, n: int) -> None:
    """For a NOT NULL column: ``CHECK (shadow IS NOT NULL) NOT VALID`` (a catalog-only
    change under ``lock_timeout``), then ``VALIDATE`` it, which scans the table
    without blocking writers, so the swap's ``SET NOT NULL`` uses the proven
    constraint instead of scanning under ACCESS EXCLUSIVE. Added only now: before the
    backfill reached every row, an UPDATE of another column would have violated it."""
    table, check = p.qualified_table, ident(p.not_null_check)
    validated = db.scalar(
        "SELECT convalidated FROM pg_constraint WHERE conrelid = %(t)s::regclass"
        " AND conname = %(c)s",
        {"t": table, "c": p.not_null_check},
    )
    if validated is None:
        locked_step(
            db, p, "adding the NOT NULL check", lt, n,
            lambda: db.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {check}"
                f" CHECK ({ident(p.shadow)} IS NOT NULL) NOT VALID"
            ),
        )  # fmt: skip
    if not validated:
        db.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {check}")


def _index_valid(db: Db, schema: str, name: str) -> bool | None:
    valid: bool | None = db.scalar(
        "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %(s)s AND c.relname = %(n)s",
        {"s": schema, "n": name},
    )
    return valid


def build_indexes(db: Db, p: OnlinePlan, state: State, state_schema: str) -> float:
    """CREATE INDEX CONCURRENTLY on the shadow column, outside any transaction; an
    INVALID one (an interrupted build) is dropped and built again."""
    started = time.perf_counter()
    for build in p.indexes:
        valid = _index_valid(db, p.schema, build.tmp)
        if valid:
            continue
        if valid is False:
            log.warning(
                "online: %s: index %s is INVALID (an interrupted CREATE INDEX "
                "CONCURRENTLY); dropping and building it again",
                p.qualified_table, build.tmp,
            )  # fmt: skip
            db.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {qualified(p.schema, build.tmp)}")
        checkpoint("index")
        mark = time.perf_counter()
        db.execute(build.create)
        log.info(
            "online: %s: index %s (for %s) built concurrently in %.1fs",
            p.qualified_table, build.tmp, build.name, time.perf_counter() - mark,
        )  # fmt: skip
    with transaction(db):
        update_state(db, state_schema, state, step="validate")
    return time.perf_counter() - started


def validate(
    db: Db, caps: Capabilities, p: OnlinePlan, state: State, state_schema: str,
    samples: int, k: int,
) -> tuple[ColumnSnapshot, ColumnSnapshot]:  # fmt: skip
    """Part 1's exact check, old column against shadow, in one REPEATABLE READ
    snapshot so concurrent writers cannot make them differ."""
    with transaction(db, "REPEATABLE READ"):
        before = snapshot(
            db, caps, p.table, p.column, schema=p.schema, metrics=p.metrics, samples=samples, k=k
        )
        table, column = (p.shadow, p.column) if p.kind == "table" else (p.table, p.shadow)
        after = snapshot(db, caps, table, column, schema=p.schema, k=k, queries=before.queries)
        problems = compare(before, after)
        if problems:
            raise ValidationMismatch(f"{p.schema}.{p.table}.{p.column} (shadow)", problems)
        update_state(db, state_schema, state, step="swap")
    return before, after


def swap(db: Db, p: OnlinePlan, state: State, state_schema: str, lt: str, n: int) -> float:
    """Rename the shadow into place; returns how long ACCESS EXCLUSIVE was held (s)."""
    table = p.qualified_table
    granted: list[float] = []

    def body() -> None:
        db.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        granted.append(time.perf_counter())
        checkpoint("swap")
        db.execute(f"DROP TRIGGER {ident(p.trigger)} ON {table}")
        db.execute(f"DROP FUNCTION {p.qualified_function}()")
        db.execute(f"ALTER TABLE {table} DROP COLUMN {ident(p.column)}")
        db.execute(f"ALTER TABLE {table} RENAME COLUMN {ident(p.shadow)} TO {ident(p.column)}")
        for build in p.indexes:
            db.execute(
                f"ALTER INDEX {qualified(p.schema, build.tmp)} RENAME TO {ident(build.name)}"
            )
            if build.comment is not None:
                db.execute(
                    f"COMMENT ON INDEX {qualified(p.schema, build.name)}"
                    f" IS {literal(build.comment)}"
                )
        column = f"ALTER TABLE {table} ALTER COLUMN {ident(p.column)}"
        if p.default is not None:
            db.execute(f"{column} SET DEFAULT {p.default}")
        if p.not_null:  # no scan: prove_not_null's validated CHECK implies it
            db.execute(f"{column} SET NOT NULL")
            db.execute(f"ALTER TABLE {table} DROP CONSTRAINT {ident(p.not_null_check)}")
        if p.comment is not None:
            db.execute(f"COMMENT ON COLUMN {table}.{ident(p.column)} IS {literal(p.comment)}")
        delete_state(db, state_schema, state)

    committed = locked_step(db, p, "the swap", lt, n, body)
    held = committed - granted[-1]
    db.execute(f"ANALYZE {table} ({ident(p.column)})")
    log.info("online: %s: swapped; ACCESS EXCLUSIVE held %.1f ms", table, held * 1000)
    return held


def abort(db: Db, p: OnlinePlan, state: State, state_schema: str, lt: str, n: int) -> None:
    """Drop everything the run made (indexes, trigger, function, shadow) and its row."""
    for build in p.indexes:
        db.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {qualified(p.schema, build.tmp)}")
    table = p.qualified_table

    def body() -> None:
        db.execute(f"DROP TRIGGER IF EXISTS {ident(p.trigger)} ON {table}")
        db.execute(f"DROP FUNCTION IF EXISTS {p.qualified_function}()")
        db.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {ident(p.shadow)}")
        delete_state(db, state_schema, state)

    locked_step(db, p, "the abort", lt, n, body)
    log.warning("online: %s.%s: migration to %s aborted", table, p.column, state.target)
