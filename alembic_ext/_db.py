"""Statements on the migration's own connection, inside its transaction.

Alembic hands operations a SQLAlchemy ``Connection``; statements built here already
have quoted identifiers, so they go to the psycopg cursor underneath, with values as
bound parameters (``%(name)s``) and no placeholder parsing when there are none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from sqlalchemy_ruvector.capabilities import Capabilities, probe

__all__ = ["Db"]


class Db:
    """A thin runner over one SQLAlchemy connection's DBAPI cursor."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _cursor(self) -> Any:
        return self.connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def execute(self, statement: str, params: Mapping[str, Any] | None = None) -> None:
        statement = _escape(statement, params)
        cursor = self._cursor()
        try:
            cursor.execute(statement, params)
        finally:
            cursor.close()

    def rows(self, statement: str, params: Mapping[str, Any] | None = None) -> list[Sequence[Any]]:
        statement = _escape(statement, params)
        cursor = self._cursor()
        try:
            cursor.execute(statement, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def scalar(self, statement: str, params: Mapping[str, Any] | None = None) -> Any:
        rows = self.rows(statement, params)
        return rows[0][0] if rows else None

    def capabilities(self) -> Capabilities:
        """Probe this connection's server (three catalog queries)."""
        return probe(lambda query: self.rows(query))


def _escape(statement: str, params: Mapping[str, Any] | None) -> str:
    """With parameters, psycopg reads every ``%``: double those that are not one of
    ``params``' placeholders (a quoted identifier may contain ``%``)."""
    if params is None:
        return statement
    names = "|".join(re.escape(n) for n in params)
    placeholder = rf"%(?!\((?:{names})\)s)" if names else "%"
    return re.sub(placeholder, "%%", statement)
