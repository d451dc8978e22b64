"""An opt-in guard: refuse statements on tenant tables in a transaction without a tenant,
for a whole engine or for one session (or sessionmaker).

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
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.sql import util as sql_util
from sqlalchemy.sql.elements import ClauseElement

from ..errors import InvalidArgumentTypeError, RuVectorError
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
                raise InvalidArgumentTypeError(
                    f"expected a Table, a mapped class or a name, got {item!r}",
                    argument="tables",
                    value=item,
                )
            keys.add(_key(table))
    return keys


def refuse_without_tenant(
    target: Engine | AsyncEngine | Connection | Session | AsyncSession | sessionmaker[Any],
    tables: Iterable[Table | type | str] | None = None,
) -> Callable[[], None]:
    """Install the guard on ``target``; returns a function that removes it.

    On an engine or connection it checks every statement executed there (sessions
    bound to it included); on a ``Session``, ``AsyncSession`` or ``sessionmaker`` only
    that session's statements and flushes. ``tables`` lists the tenant tables; by
    default, every table whose ``info`` has ``TENANT_INFO_KEY``
    (``__table_args__ = {"info": {TENANT_INFO_KEY: "tenant_id"}}``).
    """
    named = None if tables is None else _named(tables)

    def tenant_tables(found: Iterable[Any]) -> list[Any]:
        if named is not None:
            return [t for t in found if _key(t) in named]
        return [t for t in found if TENANT_INFO_KEY in getattr(t, "info", {})]

    def refuse(conn: Connection, found: list[Any]) -> None:
        if found and tenant_of(conn) is None:
            raise TenantRequiredError(
                f"statement on tenant table {found[0].name!r} in a transaction without a "
                "tenant; run it inside tenant_context(session, tenant_id)"
            )

    def statement_tables(statement: Any) -> list[Any]:
        if not isinstance(statement, ClauseElement):
            return []
        return tenant_tables(sql_util.find_tables(statement, include_crud=True, include_joins=True))

    if isinstance(target, (Session, AsyncSession, sessionmaker)):
        session_target = target.sync_session if isinstance(target, AsyncSession) else target

        def on_execute(state: ORMExecuteState) -> None:
            found = statement_tables(state.statement)
            if found:
                refuse(state.session.connection(bind_arguments=state.bind_arguments), found)

        def on_flush(session: Session, flush_context: Any, instances: Any) -> None:
            objects = [*session.new, *session.dirty, *session.deleted]
            found = tenant_tables({t for o in objects for t in sa_inspect(o).mapper.tables})
            if found:
                refuse(session.connection(), found)

        event.listen(session_target, "do_orm_execute", on_execute)
        event.listen(session_target, "before_flush", on_flush)

        def remove_session_guard() -> None:
            event.remove(session_target, "do_orm_execute", on_execute)
            event.remove(session_target, "before_flush", on_flush)

        return remove_session_guard

    sync_target = target.sync_engine if isinstance(target, AsyncEngine) else target

    def check(
        conn: Connection, clauseelement: Any, multiparams: Any, params: Any, options: Any
    ) -> None:
        refuse(conn, statement_tables(clauseelement))

    event.listen(sync_target, "before_execute", check)
    return lambda: event.remove(sync_target, "before_execute", check)
