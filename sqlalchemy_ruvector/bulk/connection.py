"""From what the caller hands us (Engine, Connection, Session) to a psycopg connection,
the engine's capabilities and transaction scopes that say who commits."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..capabilities import Capabilities, capabilities_of, probe
from ..errors import InvalidArgumentTypeError

__all__ = ["Target", "open_target"]


@dataclass
class Target:
    """A SQLAlchemy connection in use, its Session if any, and its psycopg connection."""

    own_connection: sa.Connection | None
    session: Session | None

    @property
    def connection(self) -> sa.Connection:
        """The connection in use now (a Session hands out a new one after a commit)."""
        if self.session is not None:
            return self.session.connection()
        assert self.own_connection is not None
        return self.own_connection

    @property
    def driver(self) -> psycopg.Connection[Any]:
        dbapi = self.connection.connection.driver_connection
        if not isinstance(dbapi, psycopg.Connection):
            raise InvalidArgumentTypeError(
                "bulk operations need a synchronous psycopg 3 connection "
                f"(postgresql+ruvector:// or postgresql+psycopg://), got {type(dbapi).__name__}",
                argument="conn_or_session",
            )
        return dbapi

    def capabilities(self) -> Capabilities:
        """The engine's probed capabilities; probed here on an engine without our dialect."""
        caps = capabilities_of(self.connection.dialect)
        if caps is not None and caps.probed:
            return caps
        dbapi = self.driver

        def run(query: str) -> Any:
            with dbapi.cursor() as cur:
                cur.execute(query)
                return cur.fetchall()

        return probe(run)

    @contextlib.contextmanager
    def unit(self, *, owned: bool) -> Iterator[None]:
        """All-or-nothing scope: a transaction we commit when nothing is in progress
        (``owned``), else a savepoint inside the caller's transaction (the caller commits)."""
        if self.session is not None:
            if owned:
                yield
                self.session.commit()
            else:
                with self.session.begin_nested():
                    yield
        elif owned:
            with self.connection.begin():
                yield
        else:
            with self.connection.begin_nested():
                yield

    def owns_transaction(self) -> bool:
        """Whether no transaction is open, so committing commits only our rows."""
        if self.session is not None:
            return False
        return not self.connection.in_transaction()


@contextlib.contextmanager
def open_target(conn_or_session: Any) -> Iterator[Target]:
    """Accept an Engine (a connection is opened and closed), a Connection or a Session."""
    if isinstance(conn_or_session, sa.Engine):
        with conn_or_session.connect() as conn:
            yield Target(conn, None)
    elif isinstance(conn_or_session, sa.Connection):
        yield Target(conn_or_session, None)
    elif isinstance(conn_or_session, Session):
        yield Target(None, conn_or_session)
    else:
        raise InvalidArgumentTypeError(
            "expected a SQLAlchemy Engine, Connection or Session, got "
            f"{type(conn_or_session).__name__}",
            argument="conn_or_session",
            value=conn_or_session,
        )
