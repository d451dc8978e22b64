"""Column types, one module per SQL type family."""

from ._base import VectorType
from .dense import PgVector, PgVectorParam, RuVector, RuVectorParam, VectorParam
from .halfvec import HalfVec, HalfVecParam
from .sparsevec import SparseVec

__all__ = [
    "HalfVec",
    "HalfVecParam",
    "PgVector",
    "PgVectorParam",
    "RuVector",
    "RuVectorParam",
    "SparseVec",
    "VectorParam",
    "VectorType",
]
