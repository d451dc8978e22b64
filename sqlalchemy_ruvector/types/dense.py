"""Dense float vector types: ruvector's ``ruvector(n)`` and pgvector's ``vector(n)``."""

from __future__ import annotations

from typing import Any

from .. import codecs
from ..capabilities import Capabilities
from ..codecs import BinaryLayout
from ..comparator import DenseComparator
from ..values import Float32Array, to_float32
from ._base import VectorType

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

    def from_binary(self, data: bytes, caps: Capabilities) -> Float32Array:
        layout = caps.binary_layout if self.sql_name == "ruvector" else BinaryLayout.PGVECTOR
        return codecs.vector_from_binary(data, layout)

    def wrap(self, value: Float32Array) -> VectorParam:
        return self.param_class(value)


class RuVector(_Float32Vector):
    """``ruvector(n)``: ruvector's one vector type (1 to 16000 float32 dimensions).

    Results are float32 numpy arrays, or lists with ``as_list=True``."""

    cache_ok = True
    sql_name = "ruvector"
    family = "ruvector"
    param_class = RuVectorParam


class PgVector(_Float32Vector):
    """pgvector's ``vector(n)``: the source of migrations to ruvector, and reflection."""

    cache_ok = True
    sql_name = "vector"
    family = "pgvector"
    param_class = PgVectorParam
