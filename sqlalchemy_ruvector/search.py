"""Search-time settings (``ef_search``, ``probes``), scoped to a statement or a block.

Values are validated as integers in ruvector's documented ranges and always sent as
bound parameters of ``set_config(name, value, true)`` (``SET LOCAL``); nothing the
user passes is formatted into SQL. Each parameter maps to the server settings the
probe found effective (see ``Capabilities.search_settings``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from .capabilities import Capabilities, effective

__all__ = ["SEARCH_RANGES", "search_settings", "validate_search"]

#: Documented ranges (ruvector's GUC registrations, spec section 5).
SEARCH_RANGES: Final = {"ef_search": (1, 1000), "probes": (1, 10000)}

_SAVE_AND_SET: Final = text("SELECT current_setting(:name, true), set_config(:name, :value, true)")
_RESTORE: Final = text("SELECT set_config(:name, :value, true)")
_SAVE_AND_SET_DBAPI: Final = "SELECT current_setting(%s, true), set_config(%s, %s, true)"
_RESTORE_DBAPI: Final = "SELECT set_config(%s, %s, true)"


def validate_search(settings: Mapping[str, Any]) -> dict[str, int]:
    """Check names, types and ranges; return the settings that are not None."""
    if not isinstance(settings, Mapping):
        raise TypeError(f"ruvector_search must be a mapping, got {type(settings).__name__}")
    valid: dict[str, int] = {}
    for name, value in settings.items():
        if name not in SEARCH_RANGES:
            raise ValueError(
                f"unknown search setting {name!r}; expected {' or '.join(SEARCH_RANGES)}"
            )
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {value!r}")
        low, high = SEARCH_RANGES[name]
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low} and {high}, got {value}")
        valid[name] = value
    return valid


def _pairs(caps: Capabilities, settings: Mapping[str, int]) -> list[tuple[str, str]]:
    return [(guc, str(v)) for name, v in settings.items() for guc in caps.search_settings(name)]


@contextmanager
def search_settings(
    bind: Session | Connection, *, ef_search: int | None = None, probes: int | None = None
) -> Iterator[None]:
    """Apply search settings for the statements run inside the block, then restore
    the previous values. Needs a transaction (the ORM and Core open one by default)."""
    settings = validate_search({"ef_search": ef_search, "probes": probes})
    conn = bind.connection() if isinstance(bind, Session) else bind
    if getattr(conn.connection.dbapi_connection, "autocommit", False):
        raise ValueError("search_settings needs a transaction; the connection is in AUTOCOMMIT")
    previous = [
        (name, conn.execute(_SAVE_AND_SET, {"name": name, "value": value}).scalar_one())
        for name, value in _pairs(effective(conn.dialect), settings)
    ]
    try:
        yield
    finally:
        if conn.in_transaction() and not conn.invalidated:
            for name, value in reversed(previous):
                conn.execute(_RESTORE, {"name": name, "value": value or ""})


@contextmanager
def _side_cursor(conn: Connection) -> Iterator[Any]:
    """A second DBAPI cursor, so the statement's own cursor and results stay untouched."""
    dbapi_conn: Any = conn.connection.dbapi_connection
    if getattr(dbapi_conn, "autocommit", False):
        raise ValueError("ruvector_search needs a transaction; the connection is in AUTOCOMMIT")
    cursor = dbapi_conn.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def install_execution_option(engine: Engine) -> None:
    """Honour ``execution_options(ruvector_search={...})`` on ``engine``: the settings
    are applied before the statement and restored after it."""

    @event.listens_for(engine, "before_cursor_execute")
    def _apply(
        conn: Connection, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        options = context.execution_options.get("ruvector_search") if context else None
        if not options:
            return
        saved: list[tuple[str, Any]] = []
        with _side_cursor(conn) as side:
            for name, value in _pairs(effective(conn.dialect), validate_search(options)):
                side.execute(_SAVE_AND_SET_DBAPI, (name, name, value))
                saved.append((name, side.fetchone()[0]))
        context._ruvector_saved_settings = saved

    @event.listens_for(engine, "after_cursor_execute")
    def _restore(
        conn: Connection, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        saved = getattr(context, "_ruvector_saved_settings", None)
        if saved:
            with _side_cursor(conn) as side:
                for name, value in reversed(saved):
                    side.execute(_RESTORE_DBAPI, (name, value or ""))
