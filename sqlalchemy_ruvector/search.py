"""Search-time settings (``ef_search``, ``probes``), scoped to a statement or a block.

Values are validated as integers in ruvector's documented ranges and always sent as
bound parameters of ``set_config(name, value, true)`` (``SET LOCAL``); nothing the
user passes is formatted into SQL. Each parameter maps to the server settings the
probe found effective (see ``Capabilities.search_settings``).

Restoring is exact: a setting that was undefined before (its library not yet loaded
in this backend, so ``current_setting(name, true)`` is NULL) goes back to its
default (``set_config(name, NULL, true)``), never to ``''``, which the library would
reject once it loads.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

import numpy as np
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, SessionTransaction

from .capabilities import Capabilities, effective
from .errors import InvalidArgumentError, InvalidArgumentTypeError

__all__ = ["SEARCH_RANGES", "search_settings", "validate_search"]

#: Documented ranges (ruvector's GUC registrations, spec section 5).
SEARCH_RANGES: Final = {"ef_search": (1, 1000), "probes": (1, 10000)}

_SAVE_AND_SET: Final = "SELECT current_setting(%s, true), set_config(%s, %s, true)"
#: A NULL value means SET LOCAL ... TO DEFAULT (the value of an undefined setting).
_RESTORE: Final = "SELECT set_config(%s, %s, true)"

#: Execution options under which rows are fetched after ``execute()`` returns.
_STREAMING_OPTIONS: Final = ("stream_results", "yield_per")

Saved = list[tuple[str, str | None]]


def validate_search(settings: Mapping[str, Any]) -> dict[str, int]:
    """Check names, types and ranges; return the settings that are not None."""
    if not isinstance(settings, Mapping):
        raise InvalidArgumentTypeError(
            f"ruvector_search must be a mapping, got {type(settings).__name__}",
            argument="ruvector_search",
            value=settings,
        )
    valid: dict[str, int] = {}
    for name, value in settings.items():
        if name not in SEARCH_RANGES:
            raise InvalidArgumentError(
                f"unknown search setting {name!r}; expected {' or '.join(SEARCH_RANGES)}",
                argument=name,
            )
        if value is None:
            continue
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise InvalidArgumentTypeError(
                f"{name} must be an int, got {value!r}", argument=name, value=value
            )  # numpy integers pass
        value = int(value)
        low, high = SEARCH_RANGES[name]
        if not low <= value <= high:
            raise InvalidArgumentError(
                f"{name} must be between {low} and {high}, got {value}", argument=name, value=value
            )
        valid[name] = int(value)
    return valid


def _pairs(caps: Capabilities, settings: Mapping[str, int]) -> list[tuple[str, str]]:
    return [(guc, str(v)) for name, v in settings.items() for guc in caps.search_settings(name)]


def _dbapi(conn: Connection) -> Any:
    return conn.connection.dbapi_connection


def _refuse_autocommit(dbapi_conn: Any, what: str) -> None:
    if getattr(dbapi_conn, "autocommit", False):
        raise InvalidArgumentError(
            f"{what} needs a transaction; the connection is in AUTOCOMMIT", argument="bind"
        )


def _status(dbapi_conn: Any) -> TransactionStatus | None:
    info = getattr(dbapi_conn, "info", None)
    status: TransactionStatus | None = getattr(info, "transaction_status", None)
    return status


def _apply(dbapi_conn: Any, pairs: list[tuple[str, str]]) -> Saved:
    """Set ``pairs`` for the current transaction on a side cursor (the statement's
    own cursor and results stay untouched); return the previous values."""
    saved: Saved = []
    cursor = dbapi_conn.cursor()
    try:
        for name, value in pairs:
            cursor.execute(_SAVE_AND_SET, (name, name, value))
            saved.append((name, cursor.fetchone()[0]))
    finally:
        cursor.close()
    return saved


def _restore(dbapi_conn: Any, saved: Saved) -> None:
    """Put back what ``_apply`` saved, if the transaction it ran in is still usable
    (a failed one is rolled back, which undoes ``SET LOCAL`` anyway)."""
    if not saved or _status(dbapi_conn) not in (TransactionStatus.INTRANS, None):
        return
    cursor = dbapi_conn.cursor()
    try:
        for name, value in reversed(saved):
            cursor.execute(_RESTORE, (name, value))
    finally:
        cursor.close()


class _Block:
    """One ``search_settings`` block: applied to its transaction, and again to each
    transaction begun inside the block (after a ``commit()`` or ``rollback()``)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs
        self.dbapi_conn: Any = None
        self.saved: Saved = []

    def apply(self, conn: Connection) -> None:
        self.dbapi_conn = _dbapi(conn)
        self.saved = _apply(self.dbapi_conn, self.pairs)

    def on_connection_begin(self, conn: Connection) -> None:
        self.apply(conn)

    def on_session_begin(
        self, session: Session, transaction: SessionTransaction, conn: Connection
    ) -> None:
        self.apply(conn)

    def restore(self, bind: Session | Connection, *, quietly: bool) -> None:
        """Restore in the block's current transaction; ``quietly`` (the block is
        failing) never lets a restore error replace the original exception."""
        try:
            conn = _current_connection(bind)
            if conn is not None and not conn.invalidated and _dbapi(conn) is self.dbapi_conn:
                _restore(self.dbapi_conn, self.saved)
        except Exception:
            if not quietly:
                raise


@contextmanager
def search_settings(
    bind: Session | Connection, *, ef_search: int | None = None, probes: int | None = None
) -> Iterator[None]:
    """Apply search settings to the statements run inside the block, then restore the
    previous values.

    Needs a transaction (the ORM and Core open one by default). The settings cover
    everything run or fetched inside the block, streamed results included, and a
    transaction begun after a ``commit()`` or ``rollback()`` inside the block gets
    them too. An exception raised inside the block propagates unchanged.
    """
    settings = validate_search({"ef_search": ef_search, "probes": probes})
    if isinstance(bind, Session):
        conn = bind.connection()
    elif isinstance(bind, Connection):
        conn = bind
    else:
        raise InvalidArgumentTypeError(
            "search_settings needs a Session or Connection (the settings live in one "
            f"transaction), got {type(bind).__name__}; use `with engine.connect() as conn:`",
            argument="bind",
            value=bind,
        )
    _refuse_autocommit(_dbapi(conn), "search_settings")
    block = _Block(_pairs(effective(conn.dialect), settings))
    if not conn.in_transaction():
        conn.begin()  # what conn.execute() would do; SQLAlchemy then knows of it
    block.apply(conn)
    target: Any = bind
    identifier, listener = (
        ("after_begin", block.on_session_begin)
        if isinstance(bind, Session)
        else ("begin", block.on_connection_begin)
    )
    event.listen(target, identifier, listener)
    try:
        yield
    except BaseException:
        block.restore(bind, quietly=True)
        raise
    else:
        block.restore(bind, quietly=False)
    finally:
        event.remove(target, identifier, listener)


def _current_connection(bind: Session | Connection) -> Connection | None:
    """The connection of ``bind``'s open transaction, without beginning one."""
    if not bind.in_transaction():
        return None
    return bind.connection() if isinstance(bind, Session) else bind


def install_execution_option(engine: Engine) -> None:
    """Honour ``execution_options(ruvector_search={...})`` on ``engine``: the settings
    are applied before the statement and restored after it (so the option cannot be
    combined with streamed results, whose rows are fetched later)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _apply_option(
        conn: Connection, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        options = context.execution_options.get("ruvector_search") if context else None
        if not options:
            return
        settings = validate_search(options)
        streaming = [o for o in _STREAMING_OPTIONS if context.execution_options.get(o)]
        if streaming:
            raise InvalidArgumentError(
                f"ruvector_search cannot be combined with {streaming[0]}: the settings last "
                "for the execute() call, but streamed rows are fetched after it; wrap the "
                "execution and the iteration in `with search_settings(session_or_conn, ...)`",
                argument="ruvector_search",
                value=options,
            )
        dbapi_conn = _dbapi(conn)
        _refuse_autocommit(dbapi_conn, "ruvector_search")
        context._ruvector_saved_settings = _apply(
            dbapi_conn, _pairs(effective(conn.dialect), settings)
        )

    @event.listens_for(engine, "after_cursor_execute")
    def _restore_option(
        conn: Connection, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        saved = getattr(context, "_ruvector_saved_settings", None)
        if saved:
            _restore(_dbapi(conn), saved)
