"""The exceptions this package raises, in one small hierarchy.

Every class also derives from the built-in exception a caller would have caught
before (``ValueError``, ``TypeError``, ``LookupError``), so existing ``except``
clauses keep working, and each carries what it is about as attributes (not only
inside the message), so callers and tools can act on them.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = [
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "InvalidIdentifierError",
    "InvalidVectorError",
    "InvalidVectorTypeError",
    "MalformedVectorError",
    "ObjectNotFoundError",
    "RuVectorError",
    "UnknownOpclassError",
    "UnmappableIndexError",
    "UnsupportedByServerError",
    "VectorInputError",
]


class RuVectorError(Exception):
    """Base of every error raised by sqlalchemy_ruvector, alembic_ext and accel."""


class _ArgumentError(RuVectorError):
    """A call or configuration argument that cannot be used.

    ``argument`` is the parameter's name (None when the problem is the call as a whole,
    e.g. a connection in the wrong state), ``value`` the value refused when one was."""

    def __init__(self, message: str, *, argument: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.argument = argument
        self.value = value


class InvalidArgumentError(_ArgumentError, ValueError):
    """An argument of the right type but an unusable value: an unknown metric or
    method, a count out of range, a connection in the wrong state, ..."""


class InvalidArgumentTypeError(_ArgumentError, TypeError):
    """An argument of the wrong type: a str where an int belongs, a Session where a
    Connection is needed, ..."""


_Located = TypeVar("_Located", bound="VectorInputError")


class VectorInputError(RuVectorError):
    """A vector input that cannot be sent, and where it came from.

    ``column`` (the column's name), ``argument`` (a function or index argument),
    ``row`` (0-based row of a batch), ``dimension`` (the value's number of elements)
    and ``expected`` (the dimensions the column or call needs) are set when known."""

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        argument: str | None = None,
        row: int | None = None,
        dimension: int | None = None,
        expected: int | None = None,
    ) -> None:
        super().__init__(message)
        self.column = column
        self.argument = argument
        self.row = row
        self.dimension = dimension
        self.expected = expected

    def relocated(
        self: _Located,
        prefix: str,
        *,
        column: str | None = None,
        argument: str | None = None,
        row: int | None = None,
    ) -> _Located:
        """The same error with ``prefix`` before its message and the location filled in
        (attributes already set are kept)."""
        return type(self)(
            f"{prefix}{self}",
            column=self.column if self.column is not None else column,
            argument=self.argument if self.argument is not None else argument,
            row=self.row if self.row is not None else row,
            dimension=self.dimension,
            expected=self.expected,
        )


class InvalidVectorError(VectorInputError, ValueError):
    """A vector value that cannot be sent: wrong dimension, NaN/Inf, out of range, ..."""


class MalformedVectorError(InvalidVectorError):
    """Vector text, binary or COPY data that is not a valid encoding (a corrupt or
    foreign value read from the server or a file)."""


class InvalidVectorTypeError(VectorInputError, TypeError):
    """A value of the wrong type for a vector: a str, bools, a non-numeric dtype, ..."""


class InvalidIdentifierError(RuVectorError, ValueError):
    """A name that cannot be an SQL identifier (empty, NUL byte, too long).

    ``identifier`` is the name refused, ``argument`` what it was given as."""

    def __init__(self, message: str, *, identifier: object, argument: str | None = None) -> None:
        super().__init__(message)
        self.identifier = identifier
        self.argument = argument


class UnknownOpclassError(RuVectorError, LookupError):
    """An operator class name that is neither pgvector's nor ruvector's."""

    def __init__(self, message: str, *, opclass: str) -> None:
        super().__init__(message)
        self.opclass = opclass


class ObjectNotFoundError(RuVectorError, LookupError):
    """A database object the caller named that does not exist (an index, an online
    migration in progress); ``kind`` says what was looked for, ``name`` which one."""

    def __init__(self, message: str, *, kind: str, name: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.name = name


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
