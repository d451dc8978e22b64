"""``sparsevec(n)``: sparse vectors as :class:`~sqlalchemy_ruvector.SparseVector`.

Like ``halfvec`` this is documented by ruvector but created only by pgvector."""

from __future__ import annotations

from typing import Any

from .. import codecs
from ..capabilities import Capabilities
from ..comparator import SparseComparator
from ..sparse_vector import SparseVector, to_sparse
from ..values import SPARSE_MAX_DIM
from ._base import VectorType

__all__ = ["SparseVec"]


class SparseVec(VectorType):
    """``sparsevec(n)``; binds SparseVector, dicts with a dim, scipy sparse or dense
    vectors; results are SparseVector (dense lists with ``as_list=True``)."""

    cache_ok = True
    sql_name = "sparsevec"
    max_dim = SPARSE_MAX_DIM
    comparator_factory = SparseComparator

    @property
    def python_type(self) -> type[Any]:
        return list if self.as_list else SparseVector

    def coerce(self, value: Any) -> SparseVector:
        return to_sparse(value, dim=self.dim, column=self.column_name)

    def to_text(self, value: Any) -> str:
        return codecs.sparsevec_to_text(value)

    def from_text(self, text: str) -> SparseVector:
        return codecs.sparsevec_from_text(text)

    def from_binary(self, data: bytes, caps: Capabilities) -> SparseVector:
        return codecs.sparsevec_from_binary(data)

    def wrap(self, value: SparseVector) -> SparseVector:
        return value

    def present(self, value: Any) -> Any:
        if self.as_list and isinstance(value, SparseVector):
            return value.to_list()
        return value
