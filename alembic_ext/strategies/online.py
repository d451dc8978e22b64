"""``strategy="online"``: move a column while the application keeps writing.

A shadow of the target type kept in sync by a trigger: by default a new table
(``shadow="table"``, :mod:`.online_table`), or a column added to the table
(``shadow="column"``, :mod:`.online_steps`); a keyset copy in short batches; the
target indexes built CONCURRENTLY; part 1's exact validation of old column against
shadow in one snapshot; then a swap of a few catalog updates under ``lock_timeout``.
Progress lives in a state table, so a killed run is finished (or rolled back with
``python -m alembic_ext abort``) by the next one.

Each step commits on its own, so the operation runs in Alembic's
``autocommit_block()``; the migrations before it in the same file are committed first.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from psycopg.pq import TransactionStatus

from sqlalchemy_ruvector.capabilities import Capabilities
from sqlalchemy_ruvector.errors import InvalidArgumentError, ObjectNotFoundError, RuVectorError

from .. import extension
from .._db import Db
from ..catalog import current_schema, reflect_table
from ..errors import ExtensionConflict, Refusal
from ..plan import Plan
from . import MigrationRequest, MigrationResult, register_strategy
from .in_place import InPlace
from .online_plan import OnlinePlan, freeze, online_refusals
from .online_steps import (
    abort,
    add_shadow,
    add_trigger,
    backfill,
    build_indexes,
    prove_not_null,
    swap,
    validate,
)
from .online_table import (
    abort_table,
    add_table_trigger,
    copy_rows,
    create_shadow_table,
    drop_old_table,
    swap_table,
)
from .online_table_plan import freeze_table, table_refusals
from .progress import Progress
from .state import (
    State,
    advisory_lock,
    ensure_state_table,
    read_state,
    transaction,
    update_state,
)

__all__ = ["NeedsAutocommit", "Online", "OnlineOptions", "abort_migration"]

log: Final = logging.getLogger("alembic.runtime.ruvector")
IDLE: Final = TransactionStatus.IDLE

ONLINE_CONFLICT: Final = (
    "strategy='online' keeps the pgvector column and its ruvector shadow side by side in "
    "one database while the application writes; this ruvector build cannot be installed "
    'next to pgvector (both name their HNSW access method "hnsw"), so no online move is '
    "possible in this database, and nothing was started. What works here:\n"
) + extension.CONFLICT_STEPS.split("Do one of:\n", 1)[1]


class NeedsAutocommit(RuVectorError, RuntimeError):
    """The online strategy cannot commit step by step on this connection."""


@dataclass(frozen=True)
class OnlineOptions:
    """strategy="online"'s own options; ``shadow``: "table" (fast, new table swapped
    in) or "column" (keeps the table and its OID, for what a table swap refuses)."""

    batch_size: int = 10_000
    max_swap_retries: int = 5
    progress: bool = True
    state_schema: str | None = None
    shadow: str = "table"

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> OnlineOptions:
        unknown = set(options) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise InvalidArgumentError(
                f"unknown online option(s): {', '.join(sorted(unknown))}",
                argument=sorted(unknown)[0],
                value=options,
            )
        made = cls(**options)
        if not isinstance(made.batch_size, int) or made.batch_size < 1:
            raise InvalidArgumentError(
                f"batch_size must be a positive int, got {made.batch_size!r}",
                argument="batch_size",
                value=made.batch_size,
            )
        if not isinstance(made.max_swap_retries, int) or made.max_swap_retries < 0:
            raise InvalidArgumentError(
                f"max_swap_retries must be an int >= 0, got {made.max_swap_retries!r}",
                argument="max_swap_retries",
                value=made.max_swap_retries,
            )
        if made.shadow not in ("table", "column"):
            raise InvalidArgumentError(
                f"shadow must be 'table' or 'column', got {made.shadow!r}",
                argument="shadow",
                value=made.shadow,
            )
        if made.state_schema is not None and (
            not isinstance(made.state_schema, str) or not made.state_schema
        ):
            raise InvalidArgumentError(
                f"state_schema must be a schema name, got {made.state_schema!r}",
                argument="state_schema",
                value=made.state_schema,
            )
        return made


def _require_autocommit(db: Db) -> None:
    raw: Any = db.connection.connection.dbapi_connection
    if not getattr(raw, "autocommit", False) or raw.info.transaction_status != IDLE:
        raise NeedsAutocommit(
            "strategy='online' commits every step on its own (batches, CREATE INDEX "
            "CONCURRENTLY) and needs a connection outside any transaction: through "
            "op.migrate_to_ruvector it enters Alembic's autocommit_block() itself; when "
            "calling migrate_column() directly, pass a connection with "
            "execution_options(isolation_level='AUTOCOMMIT')"
        )


class Online:
    name = "online"
    needs_autocommit = True

    def plan(
        self, db: Db, caps: Capabilities, request: MigrationRequest, *, with_dims: bool = False
    ) -> Plan:
        plan = InPlace().plan(db, caps, request, with_dims=with_dims)
        refusals = online_refusals(plan)
        if OnlineOptions.of(request.options).shadow == "table":
            refusals += table_refusals(db, plan)
        return dataclasses.replace(plan, refusals=plan.refusals + tuple(refusals))

    def ensure_installable(self, db: Db) -> None:
        try:
            with transaction(db):  # it probes in a savepoint, rolled back
                extension.ensure_installable(db)
        except ExtensionConflict as exc:
            raise ExtensionConflict(
                "migrate_to_ruvector(strategy='online')",
                [Refusal("ruvector and pgvector in one database", ONLINE_CONFLICT)],
            ) from exc

    @contextmanager
    def autocommit(self, context: MigrationContext) -> Iterator[None]:
        """Alembic's autocommit block, or a clear :class:`NeedsAutocommit`."""
        block = context.autocommit_block()
        try:
            block.__enter__()
        except (AssertionError, sa.exc.InvalidRequestError) as exc:
            raise NeedsAutocommit(
                "strategy='online' must run outside a transaction (it commits every batch "
                "and builds indexes CONCURRENTLY) and enters Alembic's autocommit_block() "
                "for that, but this env.py runs the migrations inside a transaction it "
                "opened itself (e.g. `with connection.begin(): context.run_migrations()`), "
                "which Alembic cannot leave. Use `with context.begin_transaction(): "
                "context.run_migrations()` (ideally with transaction_per_migration=True)."
            ) from exc
        try:
            yield
        except BaseException as exc:
            if not block.__exit__(type(exc), exc, exc.__traceback__):
                raise
        else:
            block.__exit__(None, None, None)

    def migrate(self, db: Db, caps: Capabilities, request: MigrationRequest) -> MigrationResult:
        opts = OnlineOptions.of(request.options)
        _require_autocommit(db)
        facts = reflect_table(db, request.table, request.schema)
        state_schema = opts.state_schema or current_schema(db)
        with advisory_lock(db, facts.schema, facts.name):
            return self._migrate(db, caps, request, opts, state_schema)

    def _migrate(
        self,
        db: Db,
        caps: Capabilities,
        request: MigrationRequest,
        opts: OnlineOptions,
        state_schema: str,
    ) -> MigrationResult:
        facts = reflect_table(db, request.table, request.schema)
        names = [request.column] if request.column else [c.name for c in facts.columns]
        states = [
            s
            for s in (read_state(db, state_schema, facts.schema, facts.name, n) for n in names)
            if s is not None
        ]
        result = MigrationResult(plan=self.plan(db, caps, request))
        for state in states:
            p = OnlinePlan.from_json(state.plan)
            if state.target != request.target:  # a downgrade before the swap
                _abort(db, p, state, state_schema, request.lock_timeout, opts.max_swap_retries)
            else:
                log.warning("online: resuming %s at step %s", state.qualified_column, state.step)
                self._run(db, caps, request, opts, state_schema, p, state, result)
        resumed = {s.column for s in states}
        facts = reflect_table(db, request.table, request.schema)
        column = facts.column(request.column) if request.column else None
        if (column is not None and column.family == request.target) or (
            request.column is None and resumed
        ):
            log.info("online: %s: already %s", facts.qualified_name, request.target)
            return result
        plan = self.plan(db, caps, request, with_dims=True)
        source = "pgvector" if request.target == "ruvector" else "ruvector"
        if request.column is None and all(c.family != source for c in facts.columns):
            return result
        plan.raise_if_refused()
        result.plan = plan
        for note in plan.notes:
            log.warning("%s", note)
        with transaction(db):
            ensure_state_table(db, state_schema)
        for change in plan.columns:
            p = freeze(db, plan, change)
            if opts.shadow == "table":
                p = freeze_table(db, plan, change, p)
            state = State(
                p.schema, p.table, p.column, request.target, "trigger", None, 0, None,
                p.to_json(), None, None,
            )  # fmt: skip
            setup = create_shadow_table if p.kind == "table" else add_shadow
            with _Timer(result.timings)("shadow"):
                setup(db, p, state, state_schema, request.lock_timeout, opts.max_swap_retries)
            self._run(db, caps, request, opts, state_schema, p, state, result)
        return result

    def _run(
        self,
        db: Db,
        caps: Capabilities,
        request: MigrationRequest,
        opts: OnlineOptions,
        state_schema: str,
        p: OnlinePlan,
        state: State,
        result: MigrationResult,
    ) -> None:
        lt, retries = request.lock_timeout, opts.max_swap_retries
        step = state.step
        table = p.kind == "table"
        timed = _Timer(result.timings)
        if step == "drop_old":  # swapped; killed before the old table was dropped
            drop_old_table(db, p, state, state_schema, lt, retries)
            return
        if step == "trigger":
            with timed("trigger"):
                trigger = add_table_trigger if table else add_trigger
                trigger(db, p, state, state_schema, lt, retries)
            step = "backfill"
        if step == "backfill":
            current = read_state(db, state_schema, p.schema, p.table, p.column) or state
            label = f"{p.schema}.{p.table}.{p.column}"
            with timed("backfill"):
                (copy_rows if table else backfill)(
                    db, p, current, state_schema, opts.batch_size,
                    Progress(label, bar=opts.progress),
                )  # fmt: skip
            step = "indexes"
        if step == "indexes":
            with timed("index_build"):
                if not table and p.not_null:
                    prove_not_null(db, p, lt, retries)
                build_indexes(db, p, state, state_schema)
            step = "validate"
        if step == "validate":
            with timed("validate"):
                if request.validate:
                    before, after = validate(
                        db, caps, p, state, state_schema, request.samples, request.k
                    )
                    result.before[p.column], result.after[p.column] = before, after
                else:
                    with transaction(db):
                        update_state(db, state_schema, state, step="swap")
        with timed("swap"):
            held = (swap_table if table else swap)(db, p, state, state_schema, lt, retries)
        result.timings["swap_lock_held"] = max(result.timings.get("swap_lock_held", 0.0), held)
        log.info(
            "migrate_to_%s(strategy='online'): %s.%s done (%s -> %s, %d index(es))",
            request.target, p.qualified_table, p.column, p.source_type, p.target_type,
            len(p.indexes),
        )  # fmt: skip


@dataclass
class _Timer:
    """Adds each step's wall time (s) to ``timings[step]``, for benches and logs."""

    timings: dict[str, float]

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        mark = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - mark


def abort_migration(
    db: Db,
    schema: str,
    table: str,
    column: str,
    *,
    state_schema: str | None = None,
    lock_timeout: str = "5s",
    max_retries: int = 5,
) -> State:
    """Roll back one migration in progress (what ``python -m alembic_ext abort`` runs)."""
    _require_autocommit(db)
    with advisory_lock(db, schema, table):
        state = read_state(db, state_schema or current_schema(db), schema, table, column)
        if state is None:
            raise ObjectNotFoundError(
                f"no online migration in progress for {schema}.{table}.{column}",
                kind="online migration",
                name=f"{schema}.{table}.{column}",
            )
        _abort(
            db, OnlinePlan.from_json(state.plan), state, state_schema or current_schema(db),
            lock_timeout, max_retries,
        )  # fmt: skip
        return state


def _abort(db: Db, p: OnlinePlan, state: State, state_schema: str, lt: str, n: int) -> None:
    (abort_table if p.kind == "table" else abort)(db, p, state, state_schema, lt, n)


register_strategy(Online())
