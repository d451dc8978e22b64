"""``SparseVector``: the Python value of ``sparsevec`` columns, and its coercion.

Indices are 0-based in Python (pgvector's text form is 1-based; the codecs convert).
Construction validates once — dimension, index range and duplicates, NaN/Inf — so
every later path can trust the value.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Mapping
from typing import Any

import numpy as np

from .errors import InvalidVectorError, InvalidVectorTypeError, VectorInputError
from .numeric import (
    BOOL_TYPES,
    NOWHERE,
    SPARSE_MAX_DIM,
    SPARSE_MAX_NNZ,
    Float32Array,
    Int32Array,
    cast_checked,
    coerce_numeric,
    column_where,
    seq_to_float64,
    to_dense_array,
)

__all__ = ["SparseVector", "to_sparse"]


def _is_scipy_sparse(value: object) -> bool:
    return type(value).__module__.startswith("scipy.sparse")


class SparseVector:
    """An immutable pgvector-style sparse vector: sorted 0-based int32 indices, float32 values.

    Zero values are dropped and indices sorted on construction (as pgvector does), so two
    vectors compare equal iff they denote the same point. The arrays are read-only.
    """

    __slots__ = ("_dim", "_indices", "_values")
    __hash__ = None  # type: ignore[assignment]

    _dim: int
    _indices: Int32Array
    _values: Float32Array

    def __init__(self, indices: Any, values: Any, dim: int) -> None:
        dim = check_sparse_dim(dim)
        idx = np.asarray(indices)
        if idx.size == 0:
            idx = idx.astype(np.int64).reshape(-1)
        if idx.dtype.kind == "O" and idx.ndim == 1:  # Python ints beyond int64
            _check_python_indices(idx.tolist(), dim)
        if idx.dtype.kind not in "iu":
            raise InvalidVectorTypeError(f"sparse indices must be integers, got dtype {idx.dtype}")
        if idx.ndim != 1:
            raise InvalidVectorError(f"sparse indices must be 1-D, got shape {idx.shape}")
        vals = coerce_numeric(values, NOWHERE) if not _is_empty(values) else np.empty(0)
        if vals.ndim != 1:
            raise InvalidVectorError(f"sparse values must be 1-D, got shape {vals.shape}")
        if vals.shape[0] != idx.shape[0]:
            raise InvalidVectorError(
                f"sparse vector has {idx.shape[0]} indices but {vals.shape[0]} values"
            )
        fvals: Float32Array = cast_checked(vals, np.float32, NOWHERE)
        if idx.size:
            out_of_range = (idx < 0) | (idx >= dim)
            if out_of_range.any():
                bad = int(idx[np.flatnonzero(out_of_range)[0]])
                raise InvalidVectorError(f"index {bad} out of range for dim {dim}")
            diffs = np.diff(idx)
            if (diffs <= 0).any():
                order = np.argsort(idx, kind="stable")
                idx = idx[order]
                fvals = fvals[order]
                dup = np.flatnonzero(np.diff(idx) == 0)
                if dup.size:
                    raise InvalidVectorError(f"duplicate index {int(idx[dup[0]])}")
            nonzero = fvals != 0
            if not nonzero.all():
                idx = idx[nonzero]
                fvals = fvals[nonzero]
        if np.may_share_memory(fvals, vals):
            fvals = fvals.copy()  # never freeze or alias the caller's array
        self._init(idx.astype(np.int32), fvals, dim)

    def _init(self, indices: Int32Array, values: Float32Array, dim: int) -> None:
        if indices.shape[0] > SPARSE_MAX_NNZ:
            raise InvalidVectorError(
                f"sparse vector has {indices.shape[0]} non-zero elements; the maximum is "
                f"{SPARSE_MAX_NNZ}"
            )
        # callers pass freshly made arrays, so freezing them never affects user data
        indices = np.ascontiguousarray(indices, dtype=np.int32)
        values = np.ascontiguousarray(values, dtype=np.float32)
        indices.flags.writeable = False
        values.flags.writeable = False
        object.__setattr__(self, "_dim", dim)
        object.__setattr__(self, "_indices", indices)
        object.__setattr__(self, "_values", values)

    @classmethod
    def _trusted(cls, indices: Int32Array, values: Float32Array, dim: int) -> SparseVector:
        """Build from already validated, sorted, zero-free arrays (codec fast path)."""
        self = cls.__new__(cls)
        self._init(indices, values, dim)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("SparseVector is immutable")

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def from_dense(cls, value: Any) -> SparseVector:
        """From a dense sequence/ndarray; dim is its length, zeros are dropped."""
        if isinstance(value, SparseVector):
            raise InvalidVectorTypeError("got a SparseVector for a dense vector; use .to_dense()")
        arr = to_dense_array(value, np.float32, dim=None, max_dim=SPARSE_MAX_DIM, where=NOWHERE)
        nz = np.flatnonzero(arr)
        return cls._trusted(nz.astype(np.int32), arr[nz], int(arr.shape[0]))

    @classmethod
    def from_dict(cls, elements: Mapping[int, float], dim: int) -> SparseVector:
        """From ``{0-based index: value}`` and the number of dimensions."""
        if not isinstance(elements, Mapping):
            raise InvalidVectorTypeError(
                f"expected a mapping of index -> value, got {type(elements).__name__}"
            )
        key_types = set(map(type, elements.keys()))
        for t in key_types:
            if issubclass(t, BOOL_TYPES) or not issubclass(t, numbers.Integral):
                raise InvalidVectorTypeError(f"sparse indices must be integers, got {t.__name__}")
        n = len(elements)
        try:
            idx = np.fromiter(elements.keys(), dtype=np.int64, count=n)
        except OverflowError:
            _check_python_indices(list(elements), dim)
            raise  # pragma: no cover - one key is out of range
        vals = seq_to_float64(list(elements.values()), NOWHERE)
        return cls(idx, vals, dim)

    @classmethod
    def from_scipy(cls, matrix: Any) -> SparseVector:
        """From a 1-D or 1 x N scipy sparse array/matrix (duplicate entries are summed)."""
        if not _is_scipy_sparse(matrix):
            raise InvalidVectorTypeError(
                f"expected a scipy sparse array or matrix, got {type(matrix).__name__}"
            )
        shape = tuple(int(s) for s in matrix.shape)
        if len(shape) == 1:
            dim = shape[0]
        elif len(shape) == 2 and shape[0] == 1:
            dim = shape[1]
        else:
            raise InvalidVectorError(f"expected a 1-D or 1 x N sparse matrix, got shape {shape}")
        coo = matrix.tocoo(copy=True)
        coo.sum_duplicates()
        coords = coo.coords[-1] if hasattr(coo, "coords") else coo.col
        return cls(np.asarray(coords), np.asarray(coo.data), dim)

    # -- accessors ----------------------------------------------------------------------------

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def indices(self) -> Int32Array:
        """Sorted 0-based indices of the non-zero elements (read-only int32)."""
        return self._indices

    @property
    def values(self) -> Float32Array:
        """Non-zero values matching :attr:`indices` (read-only float32)."""
        return self._values

    @property
    def nnz(self) -> int:
        return int(self._indices.shape[0])

    def to_dense(self) -> Float32Array:
        out = np.zeros(self._dim, dtype=np.float32)
        out[self._indices] = self._values
        return out

    def to_list(self) -> list[float]:
        """Dense Python list of floats (like pgvector's ``to_list``)."""
        result: list[float] = self.to_dense().tolist()
        return result

    def to_dict(self) -> dict[int, float]:
        return dict(zip(self._indices.tolist(), self._values.tolist(), strict=True))

    def to_scipy(self) -> Any:
        """A 1 x dim ``scipy.sparse.csr_array`` (scipy is imported here, lazily)."""
        from scipy.sparse import csr_array

        indptr = np.array([0, self.nnz], dtype=np.int32)
        return csr_array((self._values.copy(), self._indices.copy(), indptr), shape=(1, self._dim))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SparseVector):
            return NotImplemented
        return (
            self._dim == other._dim
            and np.array_equal(self._indices, other._indices)
            and np.array_equal(self._values, other._values)
        )

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{i}: {np.float32(v)!s}"
            for i, v in zip(self._indices[:10].tolist(), self._values[:10], strict=True)
        )
        if self.nnz > 10:
            shown += f", ... ({self.nnz - 10} more)"
        return f"SparseVector({{{shown}}}, dim={self._dim})"


def _is_empty(value: Any) -> bool:
    try:
        return len(value) == 0
    except TypeError:
        return False


def _check_python_indices(indices: list[Any], dim: Any) -> None:
    """Name the first index that is not an integer in [0, dim), for indices numpy
    could not hold as int64 (instead of a bare OverflowError)."""
    for i in indices:
        if isinstance(i, BOOL_TYPES) or not isinstance(i, numbers.Integral):
            raise InvalidVectorTypeError(f"sparse indices must be integers, got {type(i).__name__}")
        number = operator.index(i)
        if not 0 <= number < dim:
            shown = str(number) if abs(number) < 10**40 else f"of {len(str(abs(number)))} digits"
            raise InvalidVectorError(f"index {shown} out of range for dim {dim}")


def check_sparse_dim(dim: Any) -> int:
    if isinstance(dim, BOOL_TYPES):
        raise InvalidVectorTypeError("sparse dim must be an integer, got bool")
    try:
        dim = operator.index(dim)
    except TypeError:
        raise InvalidVectorTypeError(
            f"sparse dim must be an integer, got {type(dim).__name__}"
        ) from None
    if not 1 <= dim <= SPARSE_MAX_DIM:
        raise InvalidVectorError(
            f"sparse dim must be between 1 and {SPARSE_MAX_DIM}, got dim {dim}", dimension=dim
        )
    return int(dim)


def to_sparse(value: Any, *, dim: int | None = None, column: str | None = None) -> SparseVector:
    """Coerce a bind value for a ``sparsevec`` column to a validated :class:`SparseVector`.

    Accepts a SparseVector, a ``{index: value}`` dict (needs ``dim``), a scipy sparse
    array/matrix, or a dense vector (converted, zeros dropped).
    """
    where = column_where(column)
    try:
        if isinstance(value, SparseVector):
            vec = value
        elif isinstance(value, Mapping):
            if dim is None:
                raise InvalidVectorError("a dict sparse value needs the column's dim")
            vec = SparseVector.from_dict(value, dim)
        elif _is_scipy_sparse(value):
            vec = SparseVector.from_scipy(value)
        else:
            vec = SparseVector.from_dense(value)
    except VectorInputError as exc:
        raise exc.relocated(str(where), column=column) from None
    except ValueError as exc:  # from numpy or scipy, on input they cannot read
        raise where.value_error(str(exc)) from None
    except TypeError as exc:
        raise where.type_error(str(exc)) from None
    if dim is not None and vec.dim != dim:
        raise where.value_error(
            f"expected {dim} dimensions (dim), got {vec.dim}", dimension=vec.dim, expected=dim
        )
    return vec
