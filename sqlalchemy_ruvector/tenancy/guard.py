"""An opt-in guard: refuse statements on tenant tables in a transaction without a tenant.

Row-level security already makes such statements see nothing and insert nothing;
the guard turns that silent emptiness into an error at the call site, before any SQL
is sent. It recognises tenants set through ``tenant_context`` / ``set_tenant`` (no
round trip: it reads a mark kept for the current transaction), and the tables a
statement names in SQLAlchemy constructs; ``text()`` SQL is not inspected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from sqlalchemy import Table, event
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import util as sql_util
from sqlalchemy.sql.elements import ClauseElement

from ..errors import RuVectorError
from .context import tenant_of

__all__ = ["TENANT_INFO_KEY", "TenantRequiredError", "refuse_without_tenant"]

#: ``Table.info`` key marking a tenant table; its value names the tenant column.
TENANT_INFO_KEY: Final = "ruvector_tenant_column"


class TenantRequiredError(RuVectorError, sa_exc.InvalidRequestError):
    """A statement on a tenant table ran in a transaction without a tenant."""


def _key(table: Any) -> tuple[str | None, str]:
    return (getattr(table, "schema", None), str(table.name))


def _named(tables: Iterable[Table | type | str]) -> set[tuple[str | None, str]]:
    keys: set[tuple[str | None, str]] = set()
    for item in tables:
        if isinstance(item, str):
            schema, _, name = item.rpartition(".")
            keys.add((schema or None, name))
        elif isinstance(item, Table):
            keys.add(_key(item))
        else:
            mapper: Any = sa_inspect(item, raiseerr=False)
            table = getattr(mapper, "local_table", None)
            if not isinstance(table, Table):
                raise TypeError(f"expected a Table, a mapped class or a name, got {item!r}")
            keys.add(_key(table))
    return keys


def refuse_without_tenant(
    target: Engine | AsyncEngine | Connection,
    tables: Iterable[Table | type | str] | None = None,
) -> Callable[[], None]:
    """Install the guard on ``target``; returns a function that removes it.

    ``tables`` lists the tenant tables; by default, every table whose ``info`` has
    ``TENANT_INFO_KEY`` (``__table_args__ = {"info": {TENANT_INFO_KEY: "tenant_id"}}``).
    """
    named = None if tables is None else _named(tables)
    sync_target = target.sync_engine if isinstance(target, AsyncEngine) else target

    def is_tenant_table(table: Any) -> bool:
        if named is not None:
            return _key(table) in named
        return TENANT_INFO_KEY in getattr(table, "info", {})

    def check(
        conn: Connection, clauseelement: Any, multiparams: Any, params: Any, options: Any
    ) -> None:
        if not isinstance(clauseelement, ClauseElement):
            return
        found = [
            t
            for t in sql_util.find_tables(clauseelement, include_crud=True, include_joins=True)
            if is_tenant_table(t)
        ]
        if found and tenant_of(conn) is None:
            raise TenantRequiredError(
                f"statement on tenant table {found[0].name!r} in a transaction without a "
                "tenant; run it inside tenant_context(session, tenant_id)"
            )

    event.listen(sync_target, "before_execute", check)
    return lambda: event.remove(sync_target, "before_execute", check)
