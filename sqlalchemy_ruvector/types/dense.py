"""Dense float vector types: ruvector's ``ruvector(n)`` and pgvector's ``vector(n)``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy.engine.interfaces import Dialect

from .. import codecs
from ..capabilities import Capabilities, capabilities_of
from ..comparator import DenseComparator
from ..values import MAX_DIM, Float32Array, to_float32
from ..vector_types import vector_type
from ._base import VectorType

_F32 = np.dtype(np.float32)
#: ``v.dot(_FINITE_PROBE[:n])`` is finite iff every element of a float32 ``v`` is: NaN and
#: +-inf propagate (inf - inf is NaN), and with the 2**-15 scale no sum of up to MAX_DIM
#: finite float32 values can overflow (16000 * 2**128 * 2**-15 < 2**128), so valid input
#: raises no overflow warning; products only underflow for |x| < 2**-111, which numpy
#: ignores by default. (A vector holding both +inf and -inf makes numpy warn "invalid
#: value" before the usual ValueError.) One BLAS call: ~3x cheaper than
#: ``np.isfinite(v).all()``.
_FINITE_PROBE = np.full(MAX_DIM, 2.0**-15, dtype=np.float32)

__all__ = ["PgVector", "PgVectorParam", "RuVector", "RuVectorParam", "VectorParam"]


class VectorParam:
    """A validated float32 vector on its way to the server; adapters dump it."""

    __slots__ = ("array",)

    def __init__(self, array: Float32Array) -> None:
        self.array = array


class RuVectorParam(VectorParam):
    """Dumped as ``ruvector`` in the server's binary layout."""

    __slots__ = ()


class PgVectorParam(VectorParam):
    """Dumped as pgvector's ``vector``."""

    __slots__ = ()


class _Float32Vector(VectorType):
    comparator_factory = DenseComparator
    param_class: type[VectorParam]

    def coerce(self, value: Any) -> Float32Array:
        return to_float32(value, dim=self.dim, column=self.column_name)

    def to_text(self, value: Any) -> str:
        return codecs.vector_to_text(value)

    def from_text(self, text: str) -> Float32Array:
        return codecs.vector_from_text(text)

    def binary_decoder(self, caps: Capabilities) -> Callable[[bytes], Float32Array]:
        spec = vector_type(self.sql_name)
        assert spec is not None  # every vector type has its row
        layout = spec.binary_layout(caps)
        return codecs.vector_binary_decoder(layout, self.dim)

    def wrap(self, value: Float32Array) -> VectorParam:
        return self.param_class(value)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any]:
        """Binary binds. A native, C-contiguous 1-D float32 ndarray of an allowed length
        (what ``to_float32`` would return as is) only needs its finiteness checked, done
        with one dot product: see ``_FINITE_PROBE``. Everything else, and any value that
        fails the check, goes through :meth:`coerce` as before (same errors)."""
        if capabilities_of(dialect) is None:
            return super().bind_processor(dialect)
        coerce, param_class, dim = self.coerce, self.param_class, self.dim
        ndarray, f32, isfinite = np.ndarray, _F32, math.isfinite
        lo, hi = (1, MAX_DIM) if dim is None else (dim, dim)
        probe = _FINITE_PROBE[:hi]

        def process(value: Any) -> Any:
            if value is None:
                return None
            if (
                value.__class__ is ndarray
                and value.dtype is f32
                and value.ndim == 1
                and lo <= value.shape[0] <= hi
                and value.flags.c_contiguous
            ):
                n = value.shape[0]
                try:
                    finite = isfinite(value.dot(probe if n == dim else probe[:n]))
                except (FloatingPointError, RuntimeWarning):  # np.seterr / -W error
                    finite = False
                if finite:
                    return param_class(value)
            return param_class(coerce(value))

        return process


class RuVector(_Float32Vector):
    """``ruvector(n)``: ruvector's one vector type (1 to 16000 float32 dimensions).

    Results are float32 numpy arrays, or lists with ``as_list=True``."""

    cache_ok = True
    sql_name = "ruvector"
    param_class = RuVectorParam


class PgVector(_Float32Vector):
    """pgvector's ``vector(n)``: the source of migrations to ruvector, and reflection."""

    cache_ok = True
    sql_name = "vector"
    param_class = PgVectorParam
