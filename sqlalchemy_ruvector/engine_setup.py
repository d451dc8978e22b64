"""Per-engine set-up shared by the ``postgresql+ruvector`` dialects and the plugin:
keeping the engine's :class:`Capabilities` and each connection's adapters current.

The server is probed once per engine, and again only when what it knows may have
changed, so the pgvector tutorials' order (engine, ``CREATE EXTENSION``,
``create_all``) and a drop-and-recreate of the extension just work:

- a statement run through the engine changes extensions (``CREATE``/``ALTER``/``DROP
  EXTENSION``, ``DROP SCHEMA``/``OWNED``): re-probed on that connection right after
  it, inside its transaction; if that transaction is rolled back, at the next use;
- the extension is missing: re-probed at every checkout until it appears;
- a new connection finds other type OIDs than the last probe (the extension was
  re-created elsewhere), or the server reports a type it no longer knows: re-probed.

Each pooled connection's psycopg adapters follow the current capabilities; they are
brought up to date at checkout and before each statement. Only public SQLAlchemy
events are used; import time does nothing but define these functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Connection, Dialect, Engine

from .adapters import register_adapters
from .capabilities import DOCUMENTED, Capabilities, Run, capabilities_of, probe, type_oids
from .search import install_execution_option

__all__ = ["capabilities", "install_engine", "refresh_capabilities"]

#: Pool-record info keys: the capabilities this connection's adapters were made
#: from, and whether its open transaction changed extensions.
_RECORD_KEY: Final = "ruvector_capabilities"
_DDL_KEY: Final = "ruvector_extension_ddl"
#: Dialect attribute: the capabilities may be out of date (probe at the next use).
_STALE: Final = "ruvector_stale"

#: Statements after which the extensions (and so types and OIDs) may differ.
_EXTENSION_DDL: Final = re.compile(
    r"\b(?:(?:CREATE|ALTER|DROP)\s+EXTENSION|DROP\s+(?:SCHEMA|OWNED))\b", re.IGNORECASE
)

#: Server errors meaning "the types/functions you know are gone": SQLSTATE
#: undefined_object, undefined_function, and internal_error "cache lookup failed".
_STALE_SQLSTATES: Final = frozenset({"42704", "42883"})


def _may_change_extensions(context: Any) -> bool:
    """False for INSERT/UPDATE/DELETE built by Core or the ORM (often long statements,
    never extension DDL): only other statements are searched for it."""
    return context is None or not (context.isinsert or context.isupdate or context.isdelete)


def capabilities(dialect: Dialect) -> Capabilities:
    return capabilities_of(dialect) or DOCUMENTED


def _set(dialect: Dialect, caps: Capabilities) -> None:
    dialect.ruvector_capabilities = caps  # type: ignore[attr-defined]
    setattr(dialect, _STALE, False)


def _is_stale(dialect: Dialect) -> bool:
    return bool(getattr(dialect, _STALE, False))


def _lacks_extension(dialect: Dialect) -> bool:
    caps = capabilities(dialect)
    return not (caps.probed and caps.has_extension)


def _dbapi(conn: Connection) -> Any:
    return conn.connection.dbapi_connection


def _status(dbapi_conn: Any) -> TransactionStatus | None:
    status: TransactionStatus | None = getattr(
        getattr(dbapi_conn, "info", None), "transaction_status", None
    )
    return status


@contextmanager
def _queries(dbapi_conn: Any) -> Iterator[Run]:
    """Run catalog queries on a side cursor of ``dbapi_conn``, leaving its transaction
    as found: an idle connection is rolled back afterwards; inside a transaction the
    queries run in a savepoint, so they can never abort the caller's work."""
    status = _status(dbapi_conn)
    in_transaction = status == TransactionStatus.INTRANS
    cursor = dbapi_conn.cursor()

    def run(query: str) -> Any:
        cursor.execute(query)
        return cursor.fetchall()

    try:
        if in_transaction:
            cursor.execute("SAVEPOINT ruvector_probe")
        try:
            yield run
        except BaseException:
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT ruvector_probe")
            raise
        finally:
            if in_transaction:
                cursor.execute("RELEASE SAVEPOINT ruvector_probe")
    finally:
        cursor.close()
        if status == TransactionStatus.IDLE and not getattr(dbapi_conn, "autocommit", False):
            dbapi_conn.rollback()


def _probe(dbapi_conn: Any) -> Capabilities:
    with _queries(dbapi_conn) as run:
        return probe(run)


def _oids_changed(dbapi_conn: Any, caps: Capabilities) -> bool:
    """Whether the database's vector type OIDs differ from ``caps`` (one query)."""
    with _queries(dbapi_conn) as run:
        return type_oids(run) != dict(caps.types)


def _register(dialect: Dialect, dbapi_conn: Any, info: dict[Any, Any]) -> None:
    caps = capabilities(dialect)
    register_adapters(dbapi_conn, caps, own_loaders_only=True)
    info[_RECORD_KEY] = caps


def _reprobe(dialect: Dialect, dbapi_conn: Any, info: dict[Any, Any]) -> None:
    _set(dialect, _probe(dbapi_conn))
    _register(dialect, dbapi_conn, info)


def _bring_up_to_date(
    dialect: Dialect, dbapi_conn: Callable[[], Any], info: dict[Any, Any], *, checkout: bool
) -> None:
    """Re-probe when the capabilities are stale (or, at checkout, while the extension
    is missing), never in a failed transaction; then make sure this connection's
    adapters match the current capabilities. ``dbapi_conn`` is called only when
    needed: this runs before every statement."""
    if _is_stale(dialect) or (checkout and _lacks_extension(dialect)):
        connection = dbapi_conn()
        if _status(connection) != TransactionStatus.INERROR:
            _reprobe(dialect, connection, info)
            return
    if info.get(_RECORD_KEY) is not capabilities(dialect):
        _register(dialect, dbapi_conn(), info)


def install_engine(engine: Engine) -> None:
    """Attach the connection hooks and the ``ruvector_search`` execution option."""
    dialect = engine.dialect
    if capabilities_of(dialect) is None:
        dialect.ruvector_capabilities = DOCUMENTED  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        if (
            _is_stale(dialect)
            or _lacks_extension(dialect)
            or _oids_changed(dbapi_conn, capabilities(dialect))
        ):
            _set(dialect, _probe(dbapi_conn))
        _register(dialect, dbapi_conn, record.info)

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        _bring_up_to_date(dialect, lambda: dbapi_conn, record.info, checkout=True)

    @event.listens_for(engine, "before_execute")
    def _before_execute(conn: Connection, *args: Any) -> None:
        # Before compilation: renderers and type checks must see current capabilities.
        _bring_up_to_date(dialect, lambda: _dbapi(conn), conn.info, checkout=False)

    @event.listens_for(engine, "before_cursor_execute")
    def _before_cursor_execute(conn: Connection, *args: Any) -> None:
        # exec_driver_sql() skips before_execute; parameters are dumped after this.
        _bring_up_to_date(dialect, lambda: _dbapi(conn), conn.info, checkout=False)

    @event.listens_for(engine, "after_cursor_execute")
    def _after_cursor_execute(
        conn: Connection, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        if _may_change_extensions(context) and _EXTENSION_DDL.search(statement):
            dbapi_conn = _dbapi(conn)
            if not getattr(dbapi_conn, "autocommit", False):
                conn.info[_DDL_KEY] = True  # a rollback undoes it: probe again then
            _reprobe(dialect, dbapi_conn, conn.info)

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Connection) -> None:
        conn.info.pop(_DDL_KEY, None)

    def _undone(info: dict[Any, Any]) -> None:
        if info.pop(_DDL_KEY, False):
            setattr(dialect, _STALE, True)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Connection) -> None:
        _undone(conn.info)

    @event.listens_for(engine, "rollback_savepoint")
    def _on_rollback_savepoint(conn: Connection, name: Any, context: Any) -> None:
        if conn.info.get(_DDL_KEY):
            setattr(dialect, _STALE, True)  # the outer transaction may still commit it

    @event.listens_for(engine, "reset")
    def _on_reset(dbapi_conn: Any, record: Any, reset_state: Any) -> None:
        _undone(record.info)  # a connection returned with its transaction open

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        error = context.original_exception
        sqlstate = getattr(error, "sqlstate", None)
        if sqlstate in _STALE_SQLSTATES or "cache lookup failed for type" in str(error):
            setattr(dialect, _STALE, True)

    install_execution_option(engine)


def refresh_capabilities(bind: Engine | Connection) -> Capabilities:
    """Probe again through ``bind`` now. Rarely needed: the engine re-probes by itself
    after extension changes it runs or sees; other pooled connections pick the new
    adapters up at their next checkout."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return refresh_capabilities(conn)
    _reprobe(bind.dialect, _dbapi(bind), bind.info)
    return capabilities(bind.dialect)
