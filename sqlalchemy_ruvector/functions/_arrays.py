"""Argument types that need more than SQLAlchemy's: ``real``, arrays and ``jsonb``.

Most of ruvector's functions take ``real[]``, not ``ruvector``, and the server has no
cast between the two (spec 2.5): vectors must be sent as float4 arrays from the
client. These types accept numpy arrays and sequences, validate them as float32
(NaN/Inf, overflow and nesting refused, with the message naming the problem) before
any SQL is sent, and bind them as ``REAL[]``. A scalar ``real`` is rendered with an
explicit cast, because psycopg sends Python floats as float8 and PostgreSQL has no
implicit float8 -> float4 cast to resolve ``f(..., s real)``. A ``jsonb`` argument takes
the Python value, not JSON text: several are named ``*_json``, and a ``str`` would
arrive as a JSON string, so it is refused.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
from sqlalchemy import REAL, cast
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from ..values import Float32Array, to_float32, to_float32_batch

__all__ = ["Json", "ListArray", "Real", "RealArray", "RealMatrix"]

_NO_LIMIT = sys.maxsize  # real[] has no 16000-element limit


def _is_empty(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.size == 0
    return isinstance(value, (list, tuple)) and len(value) == 0


class Real(TypeDecorator[float]):
    """A ``real`` argument: bound as ``CAST(:p AS REAL)``."""

    impl = REAL
    cache_ok = True

    def bind_expression(self, bindvalue: BindParameter[float]) -> ColumnElement[float]:
        return cast(bindvalue, REAL())

    def coerce(self, value: Any) -> float:
        if isinstance(value, (bool, np.bool_, str, bytes)):
            raise TypeError(f"expected a real number, got {type(value).__name__}")
        return float(value)

    def process_bind_param(self, value: Any, dialect: Dialect) -> float | None:
        return None if value is None else self.coerce(value)


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
            raise ValueError(f"expected a 2-D array of rows, got {type(value).__name__}")
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

    def coerce(self, value: Any) -> list[Any]:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise TypeError(f"expected a sequence, got {type(value).__name__}")
        if isinstance(value, np.ndarray):
            out: list[Any] = value.tolist()
            return out
        return list(value)

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[Any] | None:
        return None if value is None else self.coerce(value)


class Json(TypeDecorator[Any]):
    """A ``jsonb`` argument: a dict, list, number or bool, serialized by SQLAlchemy."""

    impl = JSONB
    cache_ok = True

    def coerce(self, value: Any) -> Any:
        if isinstance(value, (str, bytes)):
            raise TypeError(
                "expected the Python value (dict, list, ...), not JSON text; for text use "
                "sa.cast(sa.literal(text), JSONB)"
            )
        return value
