"""Argument types that need more than SQLAlchemy's: arrays and ``jsonb``.

Most of ruvector's functions take ``real[]``, not ``ruvector``, and the server has no
cast between the two (spec 2.5): vectors must be sent as float4 arrays from the
client. These types accept numpy arrays and sequences, validate them as float32
(NaN/Inf, overflow and nesting refused, with the message naming the problem) before
any SQL is sent, and bind them as ``REAL[]``; integer and text arrays check their
elements as the scalar types do (``_scalars``). A ``jsonb`` argument takes
the Python value, not JSON text: several are named ``*_json``, and a ``str`` would
arrive as a JSON string, so it is refused.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
from sqlalchemy import REAL, BigInteger, Integer, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from ..errors import InvalidArgumentTypeError, InvalidVectorError
from ..values import Float32Array, to_float32, to_float32_batch
from ._scalars import Bigint, Int, String

__all__ = ["Json", "ListArray", "RealArray", "RealMatrix"]

_NO_LIMIT = sys.maxsize  # real[] has no 16000-element limit


def _is_empty(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.size == 0
    return isinstance(value, (list, tuple)) and len(value) == 0


class RealArray(TypeDecorator[list[float]]):
    """A ``real[]`` argument from a 1-D numpy array or sequence, checked as float32."""

    impl = ARRAY
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(REAL())

    def coerce(self, value: Any) -> Float32Array:
        """The float32 array sent for ``value`` (empty allowed, unlike ``ruvector``)."""
        if _is_empty(value):
            return np.empty(0, dtype=np.float32)
        return to_float32(value, max_dim=_NO_LIMIT)

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[float] | None:
        if value is None:
            return None
        out: list[float] = self.coerce(value).tolist()
        return out


class RealMatrix(TypeDecorator[list[list[float]]]):
    """A ``real[][]`` argument from a 2-D numpy array or a sequence of equal-length rows."""

    impl = ARRAY
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(REAL(), dimensions=2)

    def coerce(self, value: Any) -> Float32Array:
        if _is_empty(value):
            return np.empty((0, 0), dtype=np.float32)
        if isinstance(value, (list, tuple)):
            first = value[0]
            dim = len(first) if hasattr(first, "__len__") else 0
        else:
            shape = np.shape(value)
            dim = shape[1] if len(shape) == 2 else 0
        if dim == 0:
            raise InvalidVectorError(f"expected a 2-D array of rows, got {type(value).__name__}")
        return to_float32_batch(value, dim=dim, max_dim=_NO_LIMIT)

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[list[float]] | None:
        if value is None:
            return None
        out: list[list[float]] = self.coerce(value).tolist()
        return out


class ListArray(TypeDecorator[list[Any]]):
    """A ``text[]`` / ``integer[]`` / ``bigint[]`` argument: tuples and numpy arrays are
    sent as lists (psycopg adapts only lists to arrays); a bare string is refused."""

    impl = ARRAY
    cache_ok = True

    def __init__(self, item_type: TypeEngine[Any]) -> None:
        super().__init__(item_type)
        self.item_type = item_type

    def coerce(self, value: Any) -> list[Any]:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise InvalidArgumentTypeError(
                f"expected a sequence, got {type(value).__name__}", value=value
            )
        items: list[Any] = list(value)  # numpy scalars stay, for the element check
        check = self._element_check()
        for i, item in enumerate(items):
            if item is not None:
                try:
                    items[i] = check(item)
                except (TypeError, ValueError) as exc:
                    raise type(exc)(f"element {i}: {exc}") from None
        return items

    def _element_check(self) -> Any:
        item = self.item_type
        if isinstance(item, BigInteger):
            return Bigint().coerce
        if isinstance(item, Integer):
            return Int().coerce
        if isinstance(item, Text):
            return String().coerce
        return lambda v: v

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[Any] | None:
        return None if value is None else self.coerce(value)


class Json(TypeDecorator[Any]):
    """A ``jsonb`` argument: a dict, list, number or bool, serialized by SQLAlchemy."""

    impl = JSONB
    cache_ok = True

    def coerce(self, value: Any) -> Any:
        if isinstance(value, (str, bytes)):
            raise InvalidArgumentTypeError(
                "expected the Python value (dict, list, ...), not JSON text; for text use "
                "sa.cast(sa.literal(text), JSONB)",
                value=value,
            )
        return value
