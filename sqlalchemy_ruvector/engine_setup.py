"""Per-engine set-up shared by the ``postgresql+ruvector`` dialects and the plugin.

A new DBAPI connection triggers the capability probe (once per engine; again only
while the extension is missing) and gets the psycopg adapters the probe calls for.
A pooled connection whose adapters predate the current capabilities (say, made
before ``CREATE EXTENSION ruvector`` and :func:`refresh_capabilities`) is brought
up to date at checkout. Import time does nothing but define these functions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Dialect, Engine

from .adapters import register_adapters
from .capabilities import DOCUMENTED, Capabilities, capabilities_of, probe
from .search import install_execution_option

__all__ = ["capabilities", "install_engine", "refresh_capabilities"]

_RECORD_KEY = "ruvector_capabilities"


def capabilities(dialect: Dialect) -> Capabilities:
    return capabilities_of(dialect) or DOCUMENTED


def _probe(dbapi_conn: Any) -> Capabilities:
    cursor = dbapi_conn.cursor()

    def run(query: str) -> Any:
        cursor.execute(query)
        return cursor.fetchall()

    try:
        return probe(run)
    finally:
        cursor.close()


def _register(dialect: Dialect, dbapi_conn: Any, record: Any) -> None:
    caps = capabilities(dialect)
    register_adapters(dbapi_conn, caps)
    record.info[_RECORD_KEY] = caps


def install_engine(engine: Engine) -> None:
    """Attach the connection hooks and the ``ruvector_search`` execution option."""
    dialect = engine.dialect
    if not hasattr(dialect, "ruvector_capabilities"):
        dialect.ruvector_capabilities = DOCUMENTED  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        caps = capabilities(dialect)
        if not (caps.probed and caps.has_extension):
            autocommit = bool(getattr(dbapi_conn, "autocommit", False))
            try:
                dialect.ruvector_capabilities = _probe(dbapi_conn)  # type: ignore[attr-defined]
            finally:
                if not autocommit:
                    dbapi_conn.rollback()
        _register(dialect, dbapi_conn, record)

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        if record.info.get(_RECORD_KEY) is not capabilities(dialect):
            _register(dialect, dbapi_conn, record)

    install_execution_option(engine)


def refresh_capabilities(bind: Engine | Connection) -> Capabilities:
    """Probe again through ``bind``, e.g. after ``CREATE EXTENSION ruvector`` on an
    engine that connected before the extension existed. Other pooled connections
    pick the new adapters up at their next checkout."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return refresh_capabilities(conn)
    dbapi_conn: Any = bind.connection.dbapi_connection
    caps = _probe(dbapi_conn)
    bind.dialect.ruvector_capabilities = caps  # type: ignore[attr-defined]
    register_adapters(dbapi_conn, caps)
    bind.info[_RECORD_KEY] = caps  # the pool record's info: checkout sees it is current
    return caps
