"""``halfvec(n)``: half-precision vectors, under the name ruvector's docs use.

ruvector 2.0.5 does not create this type (only pgvector does); the capability
probe tells, and DDL for it fails with a clear message where it is missing."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import codecs
from ..capabilities import Capabilities
from ..comparator import DenseComparator
from ..values import Float16Array, Float32Array, to_float16
from ._base import VectorType

__all__ = ["HalfVec", "HalfVecParam"]


class HalfVecParam:
    """A validated float16 vector on its way to the server."""

    __slots__ = ("array",)

    def __init__(self, array: Float16Array) -> None:
        self.array = array


class HalfVec(VectorType):
    """``halfvec(n)``; results are float32 arrays (exact widening) or lists."""

    cache_ok = True
    sql_name = "halfvec"
    comparator_factory = DenseComparator

    def coerce(self, value: Any) -> Float16Array:
        return to_float16(value, dim=self.dim, column=self.column_name)

    def to_text(self, value: Any) -> str:
        return codecs.halfvec_to_text(value)

    def from_text(self, text: str) -> Float32Array:
        return codecs.halfvec_from_text(text).astype(np.float32)

    def from_binary(self, data: bytes, caps: Capabilities) -> Float16Array:
        return codecs.halfvec_from_binary(data)

    def wrap(self, value: Float16Array) -> HalfVecParam:
        return HalfVecParam(value)

    def present(self, value: Any) -> Any:
        if isinstance(value, np.ndarray) and value.dtype != np.float32:
            value = value.astype(np.float32)
        return super().present(value)
