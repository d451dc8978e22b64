"""Scalar argument types of ruvector's functions: checked in Python, bound as declared.

psycopg sends what it is given: ``2.5`` for an ``integer`` parameter arrives as
numeric and is rounded by the server, NaN reaches a ``real`` parameter, and an
out-of-range value fails on the server with a message that names neither the
function nor the argument. Each type here refuses such values when the call is
written (the function and argument are added by the caller), accepts numpy's
scalars where Python's are accepted, and sends plain Python values.

A scalar ``real`` is rendered with an explicit cast, because psycopg sends Python
floats as float8 and PostgreSQL has no implicit float8 -> float4 cast to resolve
``f(..., s real)``.
"""

from __future__ import annotations

import math
import numbers
import operator
from decimal import Decimal
from typing import Any, Final

import numpy as np
from sqlalchemy import REAL, BigInteger, Boolean, Integer, Text, cast
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.types import TypeDecorator

from ..errors import InvalidArgumentError, InvalidArgumentTypeError

__all__ = ["Bigint", "Bool", "Int", "Real", "String"]

#: Largest finite float32: a ``real`` beyond it would be stored as infinity.
_REAL_MAX: Final = float(np.finfo(np.float32).max)
_BOOLS: Final = (bool, np.bool_)


def _integer(value: Any, bits: int) -> int:
    """``value`` as a Python int of ``bits`` signed bits; bools and non-integers refused."""
    if isinstance(value, _BOOLS) or not isinstance(value, numbers.Integral):
        raise InvalidArgumentTypeError(
            f"expected an integer, got {type(value).__name__} {value!r}", value=value
        )
    number = operator.index(value)
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    if not low <= number <= high:
        raise InvalidArgumentError(
            f"{number} is outside the int{bits // 8} range [{low}, {high}]", value=value
        )
    return number


class Int(TypeDecorator[int]):
    """An ``integer`` argument: int or numpy integer within int4."""

    impl = Integer
    cache_ok = True
    bits = 32

    def coerce(self, value: Any) -> int:
        return _integer(value, self.bits)

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else self.coerce(value)


class Bigint(Int):
    """A ``bigint`` argument: int or numpy integer within int8."""

    impl = BigInteger
    cache_ok = True
    bits = 64


class Real(TypeDecorator[float]):
    """A ``real`` argument: a finite number within float32, bound as ``CAST(:p AS REAL)``."""

    impl = REAL
    cache_ok = True

    def bind_expression(self, bindvalue: BindParameter[float]) -> ColumnElement[float]:
        return cast(bindvalue, REAL())

    def coerce(self, value: Any) -> float:
        if isinstance(value, _BOOLS) or not isinstance(value, (numbers.Real, Decimal)):
            raise InvalidArgumentTypeError(
                f"expected a real number, got {type(value).__name__}", value=value
            )
        if isinstance(value, Decimal) and not value.is_finite():
            raise InvalidArgumentError(f"{value} is not a finite number", value=value)
        try:
            number = float(value)
        except OverflowError:
            raise InvalidArgumentError(
                "the value is outside the real (float4) range", value=value
            ) from None
        if math.isnan(number):
            raise InvalidArgumentError("nan is not allowed", value=value)
        if math.isinf(number):
            raise InvalidArgumentError(
                f"{number} is not allowed; infinite values are refused", value=value
            )
        if abs(number) > _REAL_MAX:
            raise InvalidArgumentError(
                f"{number!r} is outside the real (float4) range (largest {_REAL_MAX:.8g})",
                value=value,
            )
        return number

    def process_bind_param(self, value: Any, dialect: Dialect) -> float | None:
        return None if value is None else self.coerce(value)


class Bool(TypeDecorator[bool]):
    """A ``boolean`` argument: True/False (numpy's too); 0/1 and strings are refused."""

    impl = Boolean
    cache_ok = True

    def coerce(self, value: Any) -> bool:
        if not isinstance(value, _BOOLS):
            raise InvalidArgumentTypeError(
                f"expected a bool, got {type(value).__name__} {value!r}", value=value
            )
        return bool(value)

    def process_bind_param(self, value: Any, dialect: Dialect) -> bool | None:
        return None if value is None else self.coerce(value)


class String(TypeDecorator[str]):
    """A ``text`` argument: a str (numpy's too); numbers and bytes are refused."""

    impl = Text
    cache_ok = True

    def coerce(self, value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidArgumentTypeError(
                f"expected a str, got {type(value).__name__} {value!r}", value=value
            )
        return str(value)

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.coerce(value)
