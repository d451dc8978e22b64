"""The one quoting helper: every identifier in SQL built here goes through it.

Quoting is PostgreSQL's (SQLAlchemy's preparer for the ``postgresql`` dialect), so
planning stays pure: no connection is needed to build a statement. Values in DML
are bound parameters; DDL cannot bind, so the few literals it carries (reloption
values, comments) go through :func:`literal`.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.dialects import postgresql

from sqlalchemy_ruvector.errors import InvalidArgumentError, InvalidIdentifierError

__all__ = ["ident", "literal", "qualified"]

_PREPARER: Final = postgresql.dialect().identifier_preparer  # type: ignore[no-untyped-call]


def ident(name: str) -> str:
    """``name`` as an SQL identifier, quoted when it needs to be (case, spaces, quotes,
    reserved words)."""
    if not name:
        raise InvalidIdentifierError("empty SQL identifier", identifier=name)
    if "\x00" in name:
        raise InvalidIdentifierError(
            f"SQL identifier {name!r} contains a NUL byte", identifier=name
        )
    return str(_PREPARER.quote_identifier(name) if _needs_quotes(name) else name)


def _needs_quotes(name: str) -> bool:
    return bool(_PREPARER._requires_quotes(name))


def qualified(schema: str | None, name: str) -> str:
    """``schema.name`` (or ``name``), each part quoted by :func:`ident`."""
    return ident(name) if schema is None else f"{ident(schema)}.{ident(name)}"


def literal(value: str) -> str:
    """A standard-conforming SQL string literal (for DDL, which cannot bind values)."""
    if "\x00" in value:
        raise InvalidArgumentError(f"SQL literal {value!r} contains a NUL byte", value=value)
    return "'" + value.replace("'", "''") + "'"
