"""The row-level-security DDL that isolates tenants on one table.

ruvector 2.0.5's ``ruvector_enable_tenant_rls`` only returns SQL text and its
``ruvector_tenant_set`` sets nothing, so isolation is built here from plain
PostgreSQL: a column default, an index, ``ENABLE`` + ``FORCE ROW LEVEL SECURITY``
(so the table owner is filtered too) and one policy whose ``USING`` and ``WITH
CHECK`` compare the tenant column with the transaction's ``ruvector.tenant_id``.

The setting is read as ``NULLIF(current_setting('ruvector.tenant_id', true), '')``:
unset (NULL) and reset-after-``SET LOCAL`` (``''``) both mean "no tenant", which
matches no row and fails every ``WITH CHECK``. In the policy it is wrapped in a
scalar subquery, so the planner evaluates it once (an InitPlan) and can use the
tenant column's index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from sqlalchemy.dialects import postgresql

from ..errors import InvalidArgumentError, InvalidIdentifierError

__all__ = ["TENANT_SETTING", "TenantIsolation", "current_tenant_sql", "quote_identifier"]

#: The setting the policies read; set per transaction by ``tenant_context``.
TENANT_SETTING: Final = "ruvector.tenant_id"

_PREPARER: Final = postgresql.dialect().identifier_preparer  # type: ignore[no-untyped-call]
_TYPE: Final = re.compile(r"[a-z_][a-z0-9_]*( [a-z_][a-z0-9_]*)*(\(\d+\))?\Z")
_MAX_IDENTIFIER: Final = 63


def quote_identifier(name: str, what: str = "identifier") -> str:
    """``name`` quoted as PostgreSQL needs (SQLAlchemy's preparer); refuses what no
    identifier can hold."""
    if not isinstance(name, str) or not name:
        raise InvalidIdentifierError(
            f"{what} must be a non-empty str, got {name!r}", identifier=name, argument=what
        )
    if "\x00" in name:
        raise InvalidIdentifierError(
            f"{what} {name!r} contains a NUL byte", identifier=name, argument=what
        )
    if len(name.encode()) > _MAX_IDENTIFIER:
        raise InvalidIdentifierError(
            f"{what} {name!r} is longer than {_MAX_IDENTIFIER} bytes",
            identifier=name,
            argument=what,
        )
    return str(_PREPARER.quote(name))


def current_tenant_sql(tenant_type: str = "text") -> str:
    """SQL for the transaction's tenant as ``tenant_type`` (NULL when there is none)."""
    if not _TYPE.match(tenant_type):
        raise InvalidArgumentError(
            f"tenant_type must be a plain SQL type name such as text, uuid or bigint, "
            f"got {tenant_type!r}",
            argument="tenant_type",
            value=tenant_type,
        )
    return f"NULLIF(current_setting('{TENANT_SETTING}', true), '')::{tenant_type}"


@dataclass(frozen=True)
class TenantIsolation:
    """Tenant isolation of one table: the statements that enable and disable it."""

    table: str
    tenant_column: str = "tenant_id"
    schema: str | None = None
    tenant_type: str = "text"
    policy_name: str | None = None
    index_name: str | None = None

    def __post_init__(self) -> None:
        # Validate everything now, before any statement is built or run.
        self._table_sql()
        quote_identifier(self.tenant_column, "tenant_column")
        quote_identifier(self.policy, "policy_name")
        quote_identifier(self.index, "index_name")
        current_tenant_sql(self.tenant_type)

    @property
    def policy(self) -> str:
        return self.policy_name or "ruvector_tenant_isolation"

    @property
    def index(self) -> str:
        return self.index_name or f"idx_{self.table}_{self.tenant_column}"

    def _table_sql(self) -> str:
        table = quote_identifier(self.table, "table name")
        if self.schema is None:
            return table
        return f"{quote_identifier(self.schema, 'schema')}.{table}"

    def _index_sql(self) -> str:
        index = quote_identifier(self.index, "index_name")
        if self.schema is None:
            return index
        return f"{quote_identifier(self.schema, 'schema')}.{index}"

    def enable_statements(self) -> list[str]:
        table = self._table_sql()
        column = quote_identifier(self.tenant_column, "tenant_column")
        tenant = current_tenant_sql(self.tenant_type)
        match = f"{column} = (SELECT {tenant})"
        return [
            f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {tenant}",
            f"CREATE INDEX {quote_identifier(self.index, 'index_name')} ON {table} ({column})",
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY {quote_identifier(self.policy, 'policy_name')} ON {table} "
            f"AS PERMISSIVE FOR ALL USING ({match}) WITH CHECK ({match})",
        ]

    def disable_statements(self) -> list[str]:
        table = self._table_sql()
        column = quote_identifier(self.tenant_column, "tenant_column")
        return [
            f"DROP POLICY {quote_identifier(self.policy, 'policy_name')} ON {table}",
            f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
            f"DROP INDEX {self._index_sql()}",
            f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT",
        ]
