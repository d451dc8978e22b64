"""What each operation does when a migration runs (``Operations.implementation_for``).

Each implementation checks its arguments, probes the server on the migration's own
connection, and delegates: extension lifecycle to :mod:`alembic_ext.extension`,
column moves to a strategy, validation to :mod:`alembic_ext.validate`. Offline
(``alembic upgrade --sql``) only the extension operations can emit static SQL; the
others need the live catalog and say so.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from alembic.operations import Operations
from sqlalchemy import Column, MetaData, Table
from sqlalchemy.engine import Connection

from sqlalchemy_ruvector.capabilities import Capabilities, capabilities_of
from sqlalchemy_ruvector.engine_setup import refresh_capabilities
from sqlalchemy_ruvector.errors import InvalidArgumentError
from sqlalchemy_ruvector.indexes import VectorIndex
from sqlalchemy_ruvector.vector_types import column_classes

from . import extension, ops
from ._db import Db
from ._sql import ident, literal, qualified
from .catalog import current_schema, reflect_table, vector_tables
from .errors import MigrationRefused, Refusal
from .strategies import MigrationRequest, MigrationResult, get_strategy
from .validate import ColumnSnapshot, snapshot, validate_vector_migration

__all__ = ["migrate_column", "migrate_schema"]

log: Final = logging.getLogger("alembic.runtime.ruvector")
_TYPES: Final[dict[str, Any]] = column_classes()
_SNAPSHOTS: Final = "alembic_ext.snapshots"


def _live(operations: Operations, what: str) -> Db:
    context = operations.get_context()
    if context.as_sql:
        raise NotImplementedError(
            f"{what} reads the live catalog and cannot run in offline (--sql) mode"
        )
    bind = operations.get_bind()
    assert isinstance(bind, Connection)
    return Db(bind)


# --- extension ---------------------------------------------------------------------


@Operations.implementation_for(ops.CreateRuVectorExtensionOp)
def create_ruvector_extension(operations: Operations, op: ops.CreateRuVectorExtensionOp) -> None:
    if operations.get_context().as_sql:
        operations.execute(extension._create_sql(op.schema, op.version, op.if_not_exists))
        return
    db = _live(operations, "create_ruvector_extension")
    extension.create_extension(
        db, schema=op.schema, version=op.version, if_not_exists=op.if_not_exists
    )
    _refresh(db)


@Operations.implementation_for(ops.DropRuVectorExtensionOp)
def drop_ruvector_extension(operations: Operations, op: ops.DropRuVectorExtensionOp) -> None:
    if operations.get_context().as_sql:
        operations.execute("DROP EXTENSION " + ("IF EXISTS " if op.if_exists else "") + "ruvector")
        return
    db = _live(operations, "drop_ruvector_extension")
    extension.drop_extension(db, if_exists=op.if_exists)
    _refresh(db)


def _refresh(db: Db) -> None:
    """Tell a ``postgresql+ruvector`` dialect what the database has now, so later
    operations of the same migration compile ruvector types for it."""
    if capabilities_of(db.connection.dialect) is not None:
        refresh_capabilities(db.connection)


# --- vector indexes --------------------------------------------------------------------


def index_ddl(
    caps: Capabilities,
    op: ops.CreateVectorIndexOp,
    schema: str,
    column_type: str,
    dims: int | None,
) -> str:
    """The CREATE INDEX statement, with the access method, opclass and params that
    ``VectorIndex.resolve`` picks for this server."""
    type_class = _TYPES.get(column_type)
    if type_class is None:
        raise MigrationRefused(
            f"create_vector_index {op.index_name}",
            [
                Refusal(
                    f"{schema}.{op.table_name}.{op.column}", f"is {column_type}, not a vector type"
                )
            ],
        )
    table = Table(op.table_name, MetaData(), Column(op.column, type_class(dims)), schema=schema)
    index = VectorIndex(
        op.index_name, table.c[op.column], method=op.method, metric=op.metric, **op.params
    )
    am, opclass, params = index.resolve(caps)
    sql = (
        "CREATE INDEX "
        + ("CONCURRENTLY " if op.concurrently else "")
        + ("IF NOT EXISTS " if op.if_not_exists else "")
        + f"{ident(op.index_name)} ON {qualified(schema, op.table_name)} "
        + f"USING {ident(am)} ({ident(op.column)} {ident(opclass)})"
    )
    if params:
        sql += (
            " WITH ("
            + ", ".join(f"{ident(k)} = {literal(str(v))}" for k, v in params.items())
            + ")"
        )
    return sql


@Operations.implementation_for(ops.CreateVectorIndexOp)
def create_vector_index(operations: Operations, op: ops.CreateVectorIndexOp) -> None:
    db = _live(operations, "create_vector_index")
    facts = reflect_table(db, op.table_name, op.schema)
    col = facts.column(op.column)
    if col is None:
        raise MigrationRefused(
            f"create_vector_index {op.index_name}",
            [Refusal(f"{facts.qualified_name}.{op.column}", "no such column")],
        )
    sql = index_ddl(db.capabilities(), op, facts.schema, col.type_name, col.dims)
    if not op.concurrently:
        db.execute(sql)
        return
    with operations.get_context().autocommit_block():
        db = Db(operations.get_bind())
        state = _index_state(db, facts.schema, op.index_name)
        if state is False:
            log.warning(
                "index %s.%s is INVALID (an earlier concurrent build failed): rebuilding it",
                facts.schema,
                op.index_name,
            )
            db.execute(f"DROP INDEX CONCURRENTLY {qualified(facts.schema, op.index_name)}")
        db.execute(sql)
        if _index_state(db, facts.schema, op.index_name) is not True:
            raise MigrationRefused(
                f"create_vector_index {op.index_name}",
                [Refusal(f"index {op.index_name}", "was built but is not valid")],
            )


def _index_state(db: Db, schema: str, name: str) -> bool | None:
    """True: a valid, ready index; False: an INVALID one; None: none of that name."""
    row = db.rows(
        "SELECT i.indisvalid AND i.indisready FROM pg_index i JOIN pg_class c ON c.oid ="
        " i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %(s)s AND c.relname = %(n)s",
        {"s": schema, "n": name},
    )
    return None if not row else bool(row[0][0])


@Operations.implementation_for(ops.DropVectorIndexOp)
def drop_vector_index(operations: Operations, op: ops.DropVectorIndexOp) -> None:
    name = qualified(op.schema, op.index_name)
    sql = (
        "DROP INDEX "
        + ("CONCURRENTLY " if op.concurrently else "")
        + ("IF EXISTS " if op.if_exists else "")
        + name
    )
    if op.concurrently:
        with operations.get_context().autocommit_block():
            operations.execute(sql)
    else:
        operations.execute(sql)


# --- column migrations ---------------------------------------------------------------


def migrate_column(
    db: Db, request: MigrationRequest, strategy: str = "in_place"
) -> MigrationResult:
    """Run one column (or table) migration on ``db``: the Python form of the ops."""
    chosen = get_strategy(strategy)
    if request.options and not getattr(chosen, "needs_autocommit", False):
        raise InvalidArgumentError(
            f"{', '.join(sorted(request.options))}: option(s) of strategy='online', "
            f"not of strategy={strategy!r}",
            argument=sorted(request.options)[0],
            value=strategy,
        )
    if request.target == "ruvector":
        getattr(chosen, "ensure_installable", extension.ensure_installable)(db)
    return chosen.migrate(db, db.capabilities(), request)


def _request(op: ops.MigrateToRuVectorOp | ops.MigrateToPgVectorOp) -> MigrationRequest:
    return MigrationRequest(
        table=op.table_name,
        column=op.column,
        target=op.target,  # type: ignore[arg-type]
        schema=op.schema,
        validate=op.validate,
        lock_timeout=op.lock_timeout,
        options=op.options,
    )


def _migrate_op(
    operations: Operations, op: ops.MigrateToRuVectorOp | ops.MigrateToPgVectorOp
) -> None:
    request = _request(op)
    chosen = get_strategy(op.strategy)
    if getattr(chosen, "needs_autocommit", False):
        # Strategies that commit step by step (online) run in Alembic's autocommit block.
        _live(operations, op.op_name)
        with chosen.autocommit(operations.get_context()):  # type: ignore[attr-defined]
            migrate_column(_live(operations, op.op_name), request, op.strategy)
    else:
        migrate_column(_live(operations, op.op_name), request, op.strategy)


@Operations.implementation_for(ops.MigrateToRuVectorOp)
def migrate_to_ruvector(operations: Operations, op: ops.MigrateToRuVectorOp) -> None:
    _migrate_op(operations, op)


@Operations.implementation_for(ops.MigrateToPgVectorOp)
def migrate_to_pgvector(operations: Operations, op: ops.MigrateToPgVectorOp) -> None:
    _migrate_op(operations, op)


def migrate_schema(
    db: Db,
    target: str,
    schema: str | None = None,
    *,
    strategy: str = "in_place",
    validate: bool = True,
    lock_timeout: str = "5s",
) -> list[MigrationResult]:
    """Every source-family column of ``schema``: all tables planned first (refused as a
    whole if any is refused), then migrated one by one; a summary is logged."""
    chosen = get_strategy(strategy)
    if target == "ruvector":
        extension.ensure_installable(db)
    caps = db.capabilities()
    schema = schema or current_schema(db)
    source = "vector" if target == "ruvector" else "ruvector"
    tables = vector_tables(db, schema, source)
    requests = [
        MigrationRequest(t, None, target, schema, validate, lock_timeout)  # type: ignore[arg-type]
        for t in tables
    ]
    plans = [chosen.plan(db, caps, r) for r in requests]  # type: ignore[attr-defined]
    refusals = [r for p in plans for r in p.refusals]
    if refusals:
        raise MigrationRefused(f"migrate_schema_to_{target} on schema {schema}", refusals)
    results = [chosen.migrate(db, caps, r) for r in requests]
    columns = sum(len(r.plan.columns) for r in results)
    indexes = sum(len(r.plan.indexes) for r in results)
    log.info(
        "migrate_schema_to_%s: schema %s: %d table(s), %d column(s), %d index(es) migrated: %s",
        target,
        schema,
        len(results),
        columns,
        indexes,
        ", ".join(r.plan.table.name for r in results) or "nothing to do",
    )
    return results


@Operations.implementation_for(ops.MigrateSchemaToRuVectorOp)
@Operations.implementation_for(ops.MigrateSchemaToPgVectorOp)
def migrate_schema_op(
    operations: Operations, op: ops.MigrateSchemaToRuVectorOp | ops.MigrateSchemaToPgVectorOp
) -> None:
    MigrationRequest("-", None, op.target, None, op.validate, op.lock_timeout)  # type: ignore[arg-type]
    migrate_schema(
        _live(operations, op.op_name),
        op.target,
        op.schema,
        strategy=op.strategy,
        validate=op.validate,
        lock_timeout=op.lock_timeout,
    )


# --- snapshot / validate ----------------------------------------------------------------


def _snapshots(db: Db) -> dict[tuple[str, str, str], ColumnSnapshot]:
    store: dict[tuple[str, str, str], ColumnSnapshot] = db.connection.info.setdefault(
        _SNAPSHOTS, {}
    )
    return store


@Operations.implementation_for(ops.SnapshotVectorColumnOp)
def snapshot_vector_column(operations: Operations, op: ops.SnapshotVectorColumnOp) -> None:
    db = _live(operations, op.op_name)
    taken = snapshot(
        db,
        db.capabilities(),
        op.table_name,
        op.column,
        schema=op.schema,
        samples=op.samples,
        k=op.k,
    )
    _snapshots(db)[(taken.schema, taken.table, taken.column)] = taken


@Operations.implementation_for(ops.ValidateVectorMigrationOp)
def validate_vector_migration_op(operations: Operations, op: ops.ValidateVectorMigrationOp) -> None:
    db = _live(operations, op.op_name)
    schema = op.schema or current_schema(db)
    before = _snapshots(db).pop((schema, op.table_name, op.column), None)
    if before is None:
        raise MigrationRefused(
            op.op_name,
            [
                Refusal(
                    f"{schema}.{op.table_name}.{op.column}",
                    "no snapshot to compare with: "
                    "call op.snapshot_vector_column() before the change",
                )
            ],
        )
    validate_vector_migration(db, db.capabilities(), before)
