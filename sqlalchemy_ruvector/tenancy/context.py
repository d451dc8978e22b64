"""``tenant_context``: the current tenant of a transaction, as the policies see it.

The tenant goes to the server as a bound value of ``set_config('ruvector.tenant_id',
:tenant, true)``: transaction-local, so it ends at COMMIT or ROLLBACK and a pooled
connection never carries it into another checkout. On a ``Session`` (or an
``AsyncSession``) the block re-applies it to every transaction the session begins
inside the block, so a ``commit()`` in the middle does not silently drop the tenant.
On a ``Connection`` it covers the current transaction only.
"""

from __future__ import annotations

import uuid
import weakref
from types import TracebackType
from typing import Final

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from .ddl import TENANT_SETTING

__all__ = ["current_tenant", "set_tenant", "tenant_context", "tenant_of"]

_SAVE_AND_SET: Final = text(
    "SELECT NULLIF(current_setting(:name, true), ''), set_config(:name, :value, true)"
)
_READ: Final = text("SELECT NULLIF(current_setting(:name, true), '')")
_MARK: Final = "ruvector_tenant"

SyncBind = Session | Connection
Bind = Session | Connection | AsyncSession | AsyncConnection


def _validate(tenant_id: object) -> str:
    if isinstance(tenant_id, bool) or not isinstance(tenant_id, (str, int, uuid.UUID)):
        raise InvalidArgumentTypeError(
            f"tenant_id must be a str, int or UUID, got {tenant_id!r}",
            argument="tenant_id",
            value=tenant_id,
        )
    value = str(tenant_id)
    if not value:
        raise InvalidArgumentError(
            "tenant_id must not be empty", argument="tenant_id", value=tenant_id
        )
    if "\x00" in value:
        raise InvalidArgumentError(
            f"tenant_id {value!r} contains a NUL byte", argument="tenant_id", value=tenant_id
        )
    return value


def _connection(bind: SyncBind) -> Connection:
    conn = bind.connection() if isinstance(bind, Session) else bind
    if getattr(conn.connection.dbapi_connection, "autocommit", False):
        raise InvalidArgumentError(
            "tenant_context needs a transaction; the connection is in AUTOCOMMIT", argument="bind"
        )
    return conn


def _mark(conn: Connection, tenant: str | None) -> None:
    """Remember which tenant this transaction has (for the tenant guard), without a
    round trip: keyed by the root transaction, so it is void once that ends."""
    txn = conn.get_transaction()
    if tenant is None or txn is None:
        conn.info.pop(_MARK, None)
    else:
        conn.info[_MARK] = (weakref.ref(txn), tenant)


def tenant_of(conn: Connection) -> str | None:
    """The tenant set through this module for ``conn``'s current transaction."""
    entry = conn.info.get(_MARK)
    txn = conn.get_transaction()
    if entry is None or txn is None or entry[0]() is not txn:
        return None
    tenant: str = entry[1]
    return tenant


def _apply(conn: Connection, tenant: str) -> str | None:
    previous: str | None = conn.execute(
        _SAVE_AND_SET, {"name": TENANT_SETTING, "value": tenant}
    ).scalar_one()
    _mark(conn, tenant)
    return previous


def set_tenant(bind: SyncBind, tenant_id: str | int | uuid.UUID) -> None:
    """Set the tenant for the rest of the current transaction."""
    _apply(_connection(bind), _validate(tenant_id))


def current_tenant(bind: SyncBind) -> str | None:
    """The transaction's tenant as the server sees it (None when there is none)."""
    conn = bind.connection() if isinstance(bind, Session) else bind
    value: str | None = conn.execute(_READ, {"name": TENANT_SETTING}).scalar_one()
    return value


class tenant_context:  # used like a function: ``with tenant_context(...)``
    """``with tenant_context(session, "acme"):`` / ``async with tenant_context(asession, ...)``.

    Sets ``ruvector.tenant_id`` for the block and restores the previous value after
    it. Needs a transaction (SQLAlchemy begins one by default; AUTOCOMMIT refuses).
    """

    def __init__(self, bind: Bind, tenant_id: str | int | uuid.UUID) -> None:
        if not isinstance(bind, (Session, Connection, AsyncSession, AsyncConnection)):
            raise InvalidArgumentTypeError(
                f"tenant_context needs a Session, Connection, AsyncSession or AsyncConnection, "
                f"got {type(bind).__name__}",
                argument="bind",
                value=bind,
            )
        self.bind = bind
        self.tenant = _validate(tenant_id)
        self._previous: str | None = None
        self._session: Session | None = None

    # -- sync -----------------------------------------------------------------------

    def __enter__(self) -> tenant_context:
        if isinstance(self.bind, (AsyncSession, AsyncConnection)):
            raise InvalidArgumentTypeError(
                "use 'async with tenant_context(...)' with an async session", argument="bind"
            )
        self._enter(self.bind)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert not isinstance(self.bind, (AsyncSession, AsyncConnection))
        self._exit(self.bind)

    # -- async ----------------------------------------------------------------------

    async def __aenter__(self) -> tenant_context:
        if isinstance(self.bind, (Session, Connection)):
            raise InvalidArgumentTypeError(
                "use 'with tenant_context(...)' with a sync session", argument="bind"
            )
        await self.bind.run_sync(self._enter)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert isinstance(self.bind, (AsyncSession, AsyncConnection))
        await self.bind.run_sync(self._exit)

    # -- both -----------------------------------------------------------------------

    def _enter(self, bind: SyncBind) -> None:
        self._previous = _apply(_connection(bind), self.tenant)
        if isinstance(bind, Session):
            self._session = bind
            event.listen(bind, "after_begin", self._on_begin)

    def _on_begin(self, session: Session, txn: SessionTransaction, conn: Connection) -> None:
        if txn.parent is None:  # a new root transaction: the setting is gone
            # What to restore at exit is now this transaction's value before ours
            # (an enclosing tenant_context's listener has already run), not the last one's.
            self._previous = _apply(conn, self.tenant)

    def _exit(self, bind: SyncBind) -> None:
        if isinstance(bind, Session):
            if self._session is not None:
                event.remove(self._session, "after_begin", self._on_begin)
                self._session = None
            txn = bind.get_transaction()
            if txn is None or not txn.is_active:
                return  # ended or failed: the server drops the setting with it
            conn = bind.connection()
        else:
            conn = bind
            root = conn.get_transaction()
            if root is None or not root.is_active or conn.invalidated:
                return
        conn.execute(_SAVE_AND_SET, {"name": TENANT_SETTING, "value": self._previous or ""})
        _mark(conn, self._previous)
