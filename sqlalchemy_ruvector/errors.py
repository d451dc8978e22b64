"""The exceptions this package raises, in one small hierarchy.

Every class also derives from the built-in exception a caller would have caught
before (``ValueError``, ``TypeError``, ``LookupError``), so existing ``except``
clauses keep working, and each carries what it is about as attributes (not only
inside the message), so callers and tools can act on them.
"""

from __future__ import annotations

__all__ = [
    "InvalidVectorError",
    "RuVectorError",
    "UnknownOpclassError",
    "UnmappableIndexError",
    "UnsupportedByServerError",
]


class RuVectorError(Exception):
    """Base of every error raised by sqlalchemy_ruvector, alembic_ext and accel."""


class InvalidVectorError(RuVectorError, ValueError):
    """A vector value that cannot be sent: wrong dimension, NaN, wrong dtype, ...

    ``column``, ``argument`` and ``row`` say where it came from when known."""

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        argument: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(message)
        self.column = column
        self.argument = argument
        self.row = row


class UnknownOpclassError(RuVectorError, LookupError):
    """An operator class name that is neither pgvector's nor ruvector's."""

    def __init__(self, message: str, *, opclass: str) -> None:
        super().__init__(message)
        self.opclass = opclass


class UnmappableIndexError(RuVectorError, ValueError):
    """An index that has no faithful equivalent on the target type or server.

    Raised instead of falling back to a default opclass; ``index`` is set when the
    caller knows which index it was mapping."""

    def __init__(self, message: str, *, opclass: str | None = None, index: str | None = None):
        super().__init__(message)
        self.opclass = opclass
        self.index = index


class UnsupportedByServerError(RuVectorError, NotImplementedError):
    """The connected server lacks a type, operator or function the call needs."""

    def __init__(self, message: str, *, feature: str) -> None:
        super().__init__(message)
        self.feature = feature
