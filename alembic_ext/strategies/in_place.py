"""``strategy="in_place"``: one transaction, all or nothing.

Take the table's ACCESS EXCLUSIVE lock with ``lock_timeout`` (failing fast with
:class:`~alembic_ext.errors.LockBusy` instead of queueing behind a long transaction
and blocking every reader behind us), re-read the catalog under the lock, snapshot
the columns, drop their vector indexes, retype the columns in one table rewrite,
rebuild the mapped indexes, and validate. Any error rolls the migration back.
"""

from __future__ import annotations

import logging
import time
from typing import Final

import psycopg

from sqlalchemy_ruvector.capabilities import Capabilities

from .._db import Db
from ..catalog import reflect_table, stored_dims
from ..errors import LockBusy
from ..facts import TableFacts
from ..plan import Plan, plan_migration
from ..validate import snapshot, validate_vector_migration
from . import MigrationRequest, MigrationResult, register_strategy

__all__ = ["InPlace"]

#: A child of Alembic's logger, so the default ``alembic.ini`` shows the warning.
log: Final = logging.getLogger("alembic.runtime.ruvector")


class InPlace:
    name = "in_place"

    def plan(
        self, db: Db, caps: Capabilities, request: MigrationRequest, *, with_dims: bool = False
    ) -> Plan:
        facts = reflect_table(db, request.table, request.schema)
        dims = _unbounded_dims(db, facts, request) if with_dims else None
        return plan_migration(facts, request.column, request.target, caps, stored_dims=dims)

    def migrate(self, db: Db, caps: Capabilities, request: MigrationRequest) -> MigrationResult:
        first = self.plan(db, caps, request)
        first.raise_if_refused()
        table = first.qualified_table
        log.warning(
            "migrate_to_%s: rewriting %s in place under an ACCESS EXCLUSIVE lock: every "
            "reader and writer of the table waits until this migration commits "
            "(lock_timeout=%s)",
            request.target,
            first.table.qualified_name,
            request.lock_timeout,
        )
        started = time.perf_counter()
        _lock(db, table, first.table, request.lock_timeout)
        result = MigrationResult(plan=first, locked_at=time.perf_counter())
        result.timings["lock_wait"] = result.locked_at - started  # type: ignore[operator]

        plan = self.plan(db, caps, request, with_dims=True)  # the catalog as it is now
        plan.raise_if_refused()
        result.plan = plan
        for note in plan.notes:
            log.warning("%s", note)
        mark = time.perf_counter()
        if request.validate:
            for change in plan.columns:
                result.before[change.column] = snapshot(
                    db,
                    caps,
                    plan.table.name,
                    change.column,
                    schema=plan.table.schema,
                    metrics=plan.metrics(change.column),
                    samples=request.samples,
                    k=request.k,
                )
        result.timings["validate"] = time.perf_counter() - mark

        mark = time.perf_counter()
        creates = {i.create for i in plan.indexes}
        for statement in plan.statements:
            if statement in creates:
                result.timings.setdefault("rewrite", time.perf_counter() - mark)
            db.execute(statement)
        result.timings.setdefault("rewrite", time.perf_counter() - mark)
        result.timings["ddl"] = time.perf_counter() - mark
        result.timings["index_build"] = result.timings["ddl"] - result.timings["rewrite"]

        if request.validate:
            mark = time.perf_counter()
            after_caps = db.capabilities() if request.target == "pgvector" else caps
            for column, before in result.before.items():
                result.after[column] = validate_vector_migration(db, after_caps, before)
            result.timings["validate"] += time.perf_counter() - mark
        log.info(
            "migrate_to_%s: %s done: %s; %d index(es) rebuilt%s",
            request.target,
            plan.table.qualified_name,
            ", ".join(f"{c.column} {c.source_type} -> {c.target_type}" for c in plan.columns),
            len(plan.indexes),
            "; validated" if request.validate else "",
        )
        return result


def _unbounded_dims(
    db: Db, facts: TableFacts, request: MigrationRequest
) -> dict[str, dict[int, int]]:
    names = [request.column] if request.column else [c.name for c in facts.columns]
    found = {}
    for name in names:
        col = facts.column(name)
        if col is not None and col.family is not None and col.dims is None:
            found[name] = stored_dims(db, facts, name)
    return found


def _lock(db: Db, table_sql: str, facts: TableFacts, lock_timeout: str) -> None:
    """ACCESS EXCLUSIVE on the table within ``lock_timeout``, or :class:`LockBusy`
    naming the sessions in the way; the transaction stays usable either way."""
    previous = db.scalar("SELECT current_setting('lock_timeout')")
    db.execute("SAVEPOINT alembic_ext_lock")
    db.execute("SELECT set_config('lock_timeout', %(v)s, true)", {"v": lock_timeout})
    try:
        db.execute(f"LOCK TABLE {table_sql} IN ACCESS EXCLUSIVE MODE")
    except psycopg.errors.LockNotAvailable:
        db.execute("ROLLBACK TO SAVEPOINT alembic_ext_lock")
        holders = [
            int(r[0])
            for r in db.rows(
                "SELECT DISTINCT l.pid FROM pg_locks l WHERE l.relation = %(t)s::regclass"
                " AND l.pid <> pg_backend_pid() ORDER BY 1",
                {"t": table_sql},
            )
        ]
        raise LockBusy(facts.qualified_name, lock_timeout, holders) from None
    except psycopg.Error:
        db.execute("ROLLBACK TO SAVEPOINT alembic_ext_lock")
        raise
    db.execute("SELECT set_config('lock_timeout', %(v)s, true)", {"v": previous})
    db.execute("RELEASE SAVEPOINT alembic_ext_lock")


register_strategy(InPlace())
