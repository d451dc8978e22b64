"""Alembic operations for tenant isolation: ``op.enable_tenant_isolation`` and its
reverse ``op.disable_tenant_isolation``, their renderers, and an autogenerate
comparator.

A table opts in from the model with ``info={TENANT_INFO_KEY: "tenant_id"}``;
autogenerate then emits ``op.enable_tenant_isolation(...)`` when the database lacks
the policy (after ``create_table`` for a new table), and
``op.disable_tenant_isolation(...)`` when the marker is gone. The statements are
``sqlalchemy_ruvector.tenancy.TenantIsolation``'s, so the DDL has one source.
Importing this module registers everything; it runs no SQL.
"""

from __future__ import annotations

import re
from typing import Any, Final

from alembic.autogenerate import comparators, renderers
from alembic.autogenerate.api import AutogenContext
from alembic.operations import MigrateOperation, Operations
from alembic.operations.ops import ModifyTableOps
from sqlalchemy import Table, text

from sqlalchemy_ruvector.tenancy import TENANT_INFO_KEY, TenantIsolation

__all__ = ["DisableTenantIsolationOp", "EnableTenantIsolationOp"]

_DEFAULTS: Final = {"tenant_column": "tenant_id", "tenant_type": "text"}


class _TenantIsolationOp(MigrateOperation):
    """Shared state: one table's tenant isolation settings."""

    def __init__(
        self,
        table_name: str,
        tenant_column: str = "tenant_id",
        *,
        schema: str | None = None,
        tenant_type: str = "text",
        policy_name: str | None = None,
        index_name: str | None = None,
    ) -> None:
        # Validates every name and the type now, before a migration runs any SQL.
        self.isolation = TenantIsolation(
            table_name, tenant_column, schema, tenant_type, policy_name, index_name
        )

    @property
    def table_name(self) -> str:
        return self.isolation.table

    @property
    def schema(self) -> str | None:
        return self.isolation.schema

    def _kwargs(self) -> dict[str, Any]:
        iso = self.isolation
        return {
            "tenant_column": iso.tenant_column,
            "schema": iso.schema,
            "tenant_type": iso.tenant_type,
            "policy_name": iso.policy_name,
            "index_name": iso.index_name,
        }


@Operations.register_operation("enable_tenant_isolation")
class EnableTenantIsolationOp(_TenantIsolationOp):
    """Column default, index, ENABLE + FORCE ROW LEVEL SECURITY and the policy."""

    @classmethod
    def enable_tenant_isolation(
        cls, operations: Operations, table_name: str, tenant_column: str = "tenant_id", **kw: Any
    ) -> None:
        """``op.enable_tenant_isolation("documents", tenant_column="tenant_id")``."""
        operations.invoke(cls(table_name, tenant_column, **kw))

    def reverse(self) -> DisableTenantIsolationOp:
        return DisableTenantIsolationOp(self.table_name, **self._kwargs())

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("enable_tenant_isolation", self.schema, self.table_name)


@Operations.register_operation("disable_tenant_isolation")
class DisableTenantIsolationOp(_TenantIsolationOp):
    """Drops what ``enable_tenant_isolation`` created, in reverse order."""

    @classmethod
    def disable_tenant_isolation(
        cls, operations: Operations, table_name: str, tenant_column: str = "tenant_id", **kw: Any
    ) -> None:
        """``op.disable_tenant_isolation("documents", tenant_column="tenant_id")``."""
        operations.invoke(cls(table_name, tenant_column, **kw))

    def reverse(self) -> EnableTenantIsolationOp:
        return EnableTenantIsolationOp(self.table_name, **self._kwargs())

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("disable_tenant_isolation", self.schema, self.table_name)


def _run(operations: Operations, statements: list[str]) -> None:
    # text() would read ":name" as a bind parameter: escape every colon.
    for statement in statements:
        operations.execute(text(statement.replace(":", r"\:")))


@Operations.implementation_for(EnableTenantIsolationOp)
def _enable(operations: Operations, operation: EnableTenantIsolationOp) -> None:
    _run(operations, operation.isolation.enable_statements())


@Operations.implementation_for(DisableTenantIsolationOp)
def _disable(operations: Operations, operation: DisableTenantIsolationOp) -> None:
    _run(operations, operation.isolation.disable_statements())


def _render(name: str, autogen_context: AutogenContext, op: _TenantIsolationOp) -> str:
    autogen_context.imports.add("import alembic_ext")
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    args = [repr(op.table_name)]
    for key, value in op._kwargs().items():
        if value is not None and value != _DEFAULTS.get(key):
            args.append(f"{key}={value!r}")
    return f"{prefix}{name}({', '.join(args)})"


@renderers.dispatch_for(EnableTenantIsolationOp)
def _render_enable(autogen_context: AutogenContext, op: EnableTenantIsolationOp) -> str:
    return _render("enable_tenant_isolation", autogen_context, op)


@renderers.dispatch_for(DisableTenantIsolationOp)
def _render_disable(autogen_context: AutogenContext, op: DisableTenantIsolationOp) -> str:
    return _render("disable_tenant_isolation", autogen_context, op)


# -- autogenerate ----------------------------------------------------------------------

_POLICY_STATE: Final = text(
    """
SELECT c.relrowsecurity AND c.relforcerowsecurity,
       (SELECT pg_get_expr(p.polqual, p.polrelid) FROM pg_policy p
         WHERE p.polrelid = c.oid AND p.polname = :policy)
  FROM pg_class c WHERE c.oid = to_regclass(:table)
"""
)
_POLICY_COLUMN: Final = re.compile(r'^\(*\s*("(?:[^"]|"")+"|[^\s=()]+)\s*=')


def _tenant_type(table: Table, column: str) -> str:
    col = table.c[column]
    return str(col.type.compile(dialect=_pg_dialect())).lower()


def _pg_dialect() -> Any:
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()  # type: ignore[no-untyped-call]


def _qualified(schema: str | None, name: str) -> str:
    preparer = _pg_dialect().identifier_preparer
    table = preparer.quote(name)
    return table if schema is None else f"{preparer.quote(schema)}.{table}"


def _state(
    autogen_context: AutogenContext, schema: str | None, name: str
) -> tuple[bool, str | None]:
    """(RLS enabled and forced, the isolation policy's USING expression or None)."""
    conn = autogen_context.connection
    if conn is None:
        return False, None
    row = conn.execute(
        _POLICY_STATE,
        {"policy": "ruvector_tenant_isolation", "table": _qualified(schema, name)},
    ).first()
    if row is None:
        return False, None
    return bool(row[0]), row[1]


@comparators.dispatch_for("table")
def _compare_tenant_isolation(
    autogen_context: AutogenContext,
    modify_table_ops: ModifyTableOps,
    schema: str | None,
    tname: str,
    conn_table: Table | None,
    metadata_table: Table | None,
) -> Any:
    if metadata_table is not None:
        column = metadata_table.info.get(TENANT_INFO_KEY)
        if column is not None:
            forced, policy = (
                (False, None) if conn_table is None else _state(autogen_context, schema, tname)
            )
            if not (forced and policy):
                modify_table_ops.ops.append(
                    EnableTenantIsolationOp(
                        tname,
                        column,
                        schema=schema,
                        tenant_type=_tenant_type(metadata_table, column),
                    )
                )
        elif conn_table is not None:
            _, policy = _state(autogen_context, schema, tname)
            match = _POLICY_COLUMN.match(policy or "")
            if match:
                found = match.group(1)
                if found.startswith('"'):
                    found = found[1:-1].replace('""', '"')
                modify_table_ops.ops.append(DisableTenantIsolationOp(tname, found, schema=schema))
    return _continue()


def _continue() -> Any:
    """What a comparator returns: CONTINUE on Alembic >= 1.18, None before it."""
    try:
        from alembic.util import PriorityDispatchResult
    except ImportError:  # pragma: no cover - Alembic < 1.18
        return None
    return PriorityDispatchResult.CONTINUE
