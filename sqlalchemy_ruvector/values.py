"""Python value layer: coerce and validate vector bind values before any SQL is sent.

ruvector-postgres does not enforce the column typmod on input, so a wrong-sized vector would be
stored silently; NaN/Inf are rejected by the server with an error that does not name the column.
Everything here therefore validates on the client, once, with vectorised numpy calls, and raises
``ValueError``/``TypeError`` whose message names the column and the problem.

Only numpy is imported at module level; pyarrow and scipy are imported lazily, and only when the
value handed in already is a pyarrow/scipy object (so they are installed).
"""

from __future__ import annotations

import array
import decimal
import numbers
import operator
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "HALF_MAX",
    "MAX_DIM",
    "SPARSE_MAX_DIM",
    "SPARSE_MAX_NNZ",
    "Float16Array",
    "Float32Array",
    "SparseVector",
    "to_float16",
    "to_float32",
    "to_float32_batch",
    "to_sparse",
]

#: Maximum dimensions of ``ruvector(n)`` / pgvector ``vector`` and ``halfvec``.
MAX_DIM: Final = 16000
#: pgvector ``sparsevec`` limits: dimensions and non-zero elements.
SPARSE_MAX_DIM: Final = 1_000_000_000
SPARSE_MAX_NNZ: Final = 16000
#: Largest finite float16.
HALF_MAX: Final = 65504.0

Float32Array = npt.NDArray[np.float32]
Float16Array = npt.NDArray[np.float16]
Int32Array = npt.NDArray[np.int32]

# Python scalar types for which ``np.asarray(seq, dtype=float64)`` is exact and safe.
_PLAIN_NUMBERS: Final = frozenset({float, int})
_BOOL_TYPES: Final = (bool, np.bool_)
_NESTED_TYPES: Final = (list, tuple, np.ndarray, array.array, memoryview, range)
_ACCEPTED_KINDS: Final = frozenset("iuf")
_ARRAY_TYPECODES: Final = frozenset("bBhHiIlLqQfd")
_MEMORYVIEW_FLOAT_FORMATS: Final = frozenset("efd")


def _where(column: str | None) -> str:
    return f"column {column!r}: " if column else ""


# --------------------------------------------------------------------------------------------
# Generic coercion to a numeric ndarray (any shape); validation of shape/finiteness is separate.
# --------------------------------------------------------------------------------------------


def _check_scalar_types(types: Iterable[type], where: str) -> None:
    """Reject bools, strings, nested sequences and other non-real element types.

    Works on the *set* of element types, so the cost is one C-level ``map(type, ...)`` pass.
    """
    for t in types:
        if t in _PLAIN_NUMBERS:
            continue
        if issubclass(t, _BOOL_TYPES):
            raise TypeError(f"{where}bool values are not numeric vector elements")
        if issubclass(t, _NESTED_TYPES) or (
            issubclass(t, Sequence) and not issubclass(t, (str, bytes, bytearray))
        ):
            raise ValueError(
                f"{where}expected a flat 1-D vector, got nested sequences ({t.__name__})"
            )
        if issubclass(t, (numbers.Real, decimal.Decimal)):
            continue
        raise TypeError(f"{where}expected numeric (real) values, got {t.__name__}")


def _seq_to_float64(value: Sequence[Any], where: str) -> npt.NDArray[np.float64]:
    """One type scan plus one numpy conversion; no per-element Python loop."""
    if len(value) == 0:
        return np.empty(0, dtype=np.float64)
    _check_scalar_types(set(map(type, value)), where)
    try:
        return np.asarray(value, dtype=np.float64)
    except OverflowError:
        raise ValueError(
            f"{where}an integer is outside the float32 range and would become inf"
        ) from None
    except decimal.InvalidOperation as exc:  # pragma: no cover - Decimal('sNaN') only
        raise ValueError(f"{where}invalid numeric value (nan): {exc}") from None


def _from_arrow(value: Any, where: str) -> npt.NDArray[Any]:
    """pyarrow Array/ChunkedArray/list scalar -> ndarray, zero-copy for primitive arrays."""
    import pyarrow as pa

    if isinstance(value, pa.ChunkedArray):
        if value.null_count:
            raise ValueError(f"{where}vector contains null values")
        value = value.chunk(0) if value.num_chunks == 1 else value.combine_chunks()
    if isinstance(value, pa.Scalar):
        if not value.is_valid:
            raise ValueError(f"{where}vector is null")
        inner = getattr(value, "values", None)
        if not isinstance(inner, pa.Array):
            raise TypeError(f"{where}expected a numeric pyarrow array, got scalar {value.type}")
        value = inner
    if not isinstance(value, pa.Array):
        raise TypeError(f"{where}unsupported pyarrow object {type(value).__name__}")
    if value.null_count:
        raise ValueError(f"{where}vector contains null values")
    typ = value.type
    if pa.types.is_floating(typ) or pa.types.is_integer(typ):
        # zero_copy_only=False still returns a view for primitive arrays without nulls
        return np.asarray(value.to_numpy(zero_copy_only=False))
    if pa.types.is_boolean(typ):
        raise TypeError(f"{where}bool values are not numeric vector elements")
    if pa.types.is_fixed_size_list(typ) or pa.types.is_list(typ) or pa.types.is_large_list(typ):
        flat = _from_arrow(value.flatten(), where)
        n = len(value)
        if n == 0:
            return flat.reshape(0, 0)
        if pa.types.is_fixed_size_list(typ):
            return flat.reshape(n, typ.list_size)
        offsets = np.asarray(value.offsets.to_numpy(zero_copy_only=False))
        lengths = np.diff(offsets)
        if (lengths != lengths[0]).any():
            bad = int(np.flatnonzero(lengths != lengths[0])[0])
            raise ValueError(
                f"{where}rows have different dimensions: row 0 has {int(lengths[0])}, "
                f"row {bad} has {int(lengths[bad])} (ragged, not a 2-D batch)"
            )
        return flat.reshape(n, int(lengths[0]))
    raise TypeError(f"{where}expected numeric values, got pyarrow type {typ}")


def _coerce_numeric(value: Any, where: str) -> npt.NDArray[Any]:
    """Return an ndarray with an int/uint/float dtype (any shape) or raise."""
    if isinstance(value, np.ndarray):
        if isinstance(value, np.ma.MaskedArray) and np.ma.is_masked(value):
            raise ValueError(f"{where}vector contains masked (null) values")
        arr: npt.NDArray[Any] = value
    elif isinstance(value, (list, tuple)):
        arr = _seq_to_float64(value, where)
    elif isinstance(value, array.array):
        if value.typecode not in _ARRAY_TYPECODES:
            raise TypeError(f"{where}expected numeric values, got array('{value.typecode}')")
        arr = np.asarray(value)
    elif isinstance(value, memoryview):
        if value.format.lstrip("@=<>!") not in _MEMORYVIEW_FLOAT_FORMATS:
            raise TypeError(
                f"{where}expected a memoryview of floats (format 'f', 'd' or 'e'), got format "
                f"{value.format!r}; use memoryview.cast('f') for raw float32 bytes (not numeric)"
            )
        arr = np.asarray(value)
    elif isinstance(value, (str, bytes, bytearray)):
        raise TypeError(f"{where}expected numeric values, got {type(value).__name__}")
    elif isinstance(value, SparseVector):
        raise TypeError(f"{where}got a SparseVector for a dense vector; use .to_dense()")
    elif type(value).__module__.partition(".")[0] == "pyarrow":
        arr = _from_arrow(value, where)
    elif hasattr(value, "__array__"):
        arr = np.asarray(value)
    elif isinstance(value, Sequence):
        arr = _seq_to_float64(list(value), where)
    else:
        raise TypeError(f"{where}expected a vector of numeric values, got {type(value).__name__}")

    kind = arr.dtype.kind
    if kind in _ACCEPTED_KINDS:
        return arr
    if kind == "b":
        raise TypeError(f"{where}bool values are not numeric vector elements")
    if kind == "O":
        if arr.ndim != 1:
            raise ValueError(f"{where}expected a flat 1-D vector, got nested/{arr.ndim}-D input")
        return _seq_to_float64(arr.tolist(), where)
    raise TypeError(f"{where}expected numeric (real) values, got dtype {arr.dtype}")


def _location(index: int, shape: tuple[int, ...]) -> str:
    if len(shape) <= 1:
        return f"element {index}"
    row, col = np.unravel_index(index, shape)[:2]
    return f"row {int(row)}, element {int(col)}"


def _cast_checked(arr: npt.NDArray[Any], target: type[np.floating[Any]], where: str) -> Any:
    """Cast to native ``target`` (no copy if already C-contiguous native) and reject NaN/Inf.

    Values that are finite in the source but overflow the target are reported as "inf" too:
    the server would otherwise receive inf (binary) or reject an out-of-range literal.
    """
    dtype = np.dtype(target)
    if arr.dtype == dtype:  # == also requires native byte order
        out = np.ascontiguousarray(arr)
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            out = arr.astype(dtype, order="C")
    if arr.dtype.kind == "f" or dtype.itemsize < 4:
        finite = np.isfinite(out)
        if not finite.all():
            idx = int(np.flatnonzero(~finite.ravel())[0])
            src = arr.reshape(-1)[idx]
            loc = _location(idx, arr.shape)
            if np.isnan(src):
                raise ValueError(f"{where}{loc} is nan; the server rejects NaN values")
            if np.isinf(src):
                raise ValueError(f"{where}{loc} is {float(src)}; infinite values are not allowed")
            raise ValueError(
                f"{where}{loc} ({float(src)!r}) is outside the {dtype.name} range and would "
                f"become inf"
            )
    return out


def _check_len(n: int, dim: int | None, max_dim: int, where: str) -> None:
    if n == 0:
        raise ValueError(f"{where}empty vector; at least 1 dimension is required")
    if n > max_dim:
        raise ValueError(f"{where}vector has {n} dimensions; the maximum is {max_dim}")
    if dim is not None and n != dim:
        raise ValueError(f"{where}expected {dim} dimensions, got {n}")


def _to_dense(
    value: Any,
    target: type[np.floating[Any]],
    dim: int | None,
    column: str | None,
    max_dim: int,
) -> Any:
    where = _where(column)
    arr = _coerce_numeric(value, where)
    if arr.ndim != 1:
        raise ValueError(
            f"{where}expected a flat 1-D vector, got nested/{arr.ndim}-D input of shape {arr.shape}"
        )
    _check_len(arr.shape[0], dim, max_dim, where)
    return _cast_checked(arr, target, where)


def to_float32(
    value: Any,
    *,
    dim: int | None = None,
    column: str | None = None,
    max_dim: int = MAX_DIM,
) -> Float32Array:
    """Coerce a bind value to a C-contiguous 1-D float32 array, validating it first.

    Accepts lists/tuples of real numbers, numpy arrays of any int/uint/float dtype, pyarrow
    arrays (zero-copy where possible), ``array.array`` and float memoryviews. A native,
    contiguous float32 ndarray is returned as-is (no copy). Raises ``ValueError`` for wrong
    dimension, empty, too long, nested, NaN, Inf or float32 overflow, ``TypeError`` for
    non-numeric input.
    """
    out: Float32Array = _to_dense(value, np.float32, dim, column, max_dim)
    return out


def to_float16(
    value: Any,
    *,
    dim: int | None = None,
    column: str | None = None,
    max_dim: int = MAX_DIM,
) -> Float16Array:
    """Like :func:`to_float32` for ``halfvec``; values beyond ±65504 are rejected as "inf"."""
    out: Float16Array = _to_dense(value, np.float16, dim, column, max_dim)
    return out


def to_float32_batch(
    values: Any,
    *,
    dim: int,
    column: str | None = None,
    max_dim: int = MAX_DIM,
) -> Float32Array:
    """Coerce many vectors to one C-contiguous ``(n, dim)`` float32 array for bulk paths.

    ``values`` is a 2-D array (numpy, pyarrow fixed-size-list, ...) or a sequence of vectors.
    Validation matches :func:`to_float32` and is vectorised over the whole batch; errors name
    the offending row.
    """
    where = _where(column)
    if not 1 <= dim <= max_dim:
        raise ValueError(f"{where}dim must be between 1 and {max_dim}, got {dim}")
    if isinstance(values, (list, tuple)):
        arr = _rows_to_array(values, dim, column, max_dim)
    else:
        arr = _coerce_numeric(values, where)
    if arr.ndim != 2:
        raise ValueError(
            f"{where}expected a 2-D batch of shape (n, {dim}), got {arr.ndim}-D input of shape "
            f"{arr.shape}"
        )
    if arr.shape[0] == 0:
        return np.empty((0, dim), dtype=np.float32)
    _check_len(arr.shape[1], dim, max_dim, where)
    out: Float32Array = _cast_checked(arr, np.float32, where)
    return out


def _rows_to_array(
    rows: Sequence[Any], dim: int, column: str | None, max_dim: int
) -> npt.NDArray[Any]:
    where = _where(column)
    if len(rows) == 0:
        return np.empty((0, dim), dtype=np.float32)
    row_types = set(map(type, rows))
    if row_types <= {list, tuple, np.ndarray}:
        if np.ndarray in row_types and set(map(np.ndim, rows)) != {1}:
            raise ValueError(f"{where}expected each row to be a flat 1-D vector (nested)")
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        bad = np.flatnonzero(lengths != dim)
        if bad.size:
            i = int(bad[0])
            if lengths[i] == 0:
                raise ValueError(f"{where}row {i}: empty vector; at least 1 dimension is required")
            raise ValueError(f"{where}row {i}: expected {dim} dimensions, got {int(lengths[i])}")
        if row_types == {np.ndarray}:
            kinds = set(map(operator.attrgetter("dtype.kind"), rows))
            if not kinds <= _ACCEPTED_KINDS:
                # reuse the single-vector path for a precise message
                for r in rows:
                    _coerce_numeric(r, where)
            return np.stack(rows)
        if not row_types & {np.ndarray}:
            # rows are lists/tuples: one C-level type scan over all elements
            _check_scalar_types(set(map(type, chain.from_iterable(rows))), where)
            try:
                return np.asarray(rows, dtype=np.float64)
            except OverflowError:
                raise ValueError(
                    f"{where}an integer is outside the float32 range and would become inf"
                ) from None
    # mixed or exotic row types: validate row by row (still vectorised within each row)
    out = np.empty((len(rows), dim), dtype=np.float32)
    for i, row in enumerate(rows):
        try:
            out[i] = to_float32(row, dim=dim, max_dim=max_dim)
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"{where}row {i}: {exc}") from None
    return out


# --------------------------------------------------------------------------------------------
# Sparse vectors
# --------------------------------------------------------------------------------------------


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
        dim = _check_sparse_dim(dim)
        idx = np.asarray(indices)
        if idx.size == 0:
            idx = idx.astype(np.int64).reshape(-1)
        if idx.dtype.kind not in "iu":
            raise TypeError(f"sparse indices must be integers, got dtype {idx.dtype}")
        if idx.ndim != 1:
            raise ValueError(f"sparse indices must be 1-D, got shape {idx.shape}")
        vals = _coerce_numeric(values, "") if not _is_empty(values) else np.empty(0)
        if vals.ndim != 1:
            raise ValueError(f"sparse values must be 1-D, got shape {vals.shape}")
        if vals.shape[0] != idx.shape[0]:
            raise ValueError(f"sparse vector has {idx.shape[0]} indices but {vals.shape[0]} values")
        fvals: Float32Array = _cast_checked(vals, np.float32, "")
        if idx.size:
            out_of_range = (idx < 0) | (idx >= dim)
            if out_of_range.any():
                bad = int(idx[np.flatnonzero(out_of_range)[0]])
                raise ValueError(f"index {bad} out of range for dim {dim}")
            diffs = np.diff(idx)
            if (diffs <= 0).any():
                order = np.argsort(idx, kind="stable")
                idx = idx[order]
                fvals = fvals[order]
                dup = np.flatnonzero(np.diff(idx) == 0)
                if dup.size:
                    raise ValueError(f"duplicate index {int(idx[dup[0]])}")
            nonzero = fvals != 0
            if not nonzero.all():
                idx = idx[nonzero]
                fvals = fvals[nonzero]
        if np.may_share_memory(fvals, vals):
            fvals = fvals.copy()  # never freeze or alias the caller's array
        self._init(idx.astype(np.int32), fvals, dim)

    def _init(self, indices: Int32Array, values: Float32Array, dim: int) -> None:
        if indices.shape[0] > SPARSE_MAX_NNZ:
            raise ValueError(
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
        arr = to_float32(value, max_dim=SPARSE_MAX_DIM)
        nz = np.flatnonzero(arr)
        return cls._trusted(nz.astype(np.int32), arr[nz], int(arr.shape[0]))

    @classmethod
    def from_dict(cls, elements: Mapping[int, float], dim: int) -> SparseVector:
        """From ``{0-based index: value}`` and the number of dimensions."""
        if not isinstance(elements, Mapping):
            raise TypeError(f"expected a mapping of index -> value, got {type(elements).__name__}")
        key_types = set(map(type, elements.keys()))
        for t in key_types:
            if issubclass(t, _BOOL_TYPES) or not issubclass(t, numbers.Integral):
                raise TypeError(f"sparse indices must be integers, got {t.__name__}")
        n = len(elements)
        idx = np.fromiter(elements.keys(), dtype=np.int64, count=n)
        vals = _seq_to_float64(list(elements.values()), "")
        return cls(idx, vals, dim)

    @classmethod
    def from_scipy(cls, matrix: Any) -> SparseVector:
        """From a 1-D or 1 x N scipy sparse array/matrix (duplicate entries are summed)."""
        if not _is_scipy_sparse(matrix):
            raise TypeError(f"expected a scipy sparse array or matrix, got {type(matrix).__name__}")
        shape = tuple(int(s) for s in matrix.shape)
        if len(shape) == 1:
            dim = shape[0]
        elif len(shape) == 2 and shape[0] == 1:
            dim = shape[1]
        else:
            raise ValueError(f"expected a 1-D or 1 x N sparse matrix, got shape {shape}")
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


def _check_sparse_dim(dim: Any) -> int:
    if isinstance(dim, _BOOL_TYPES):
        raise TypeError("sparse dim must be an integer, got bool")
    dim = operator.index(dim)
    if not 1 <= dim <= SPARSE_MAX_DIM:
        raise ValueError(f"sparse dim must be between 1 and {SPARSE_MAX_DIM}, got dim {dim}")
    return int(dim)


def to_sparse(value: Any, *, dim: int | None = None, column: str | None = None) -> SparseVector:
    """Coerce a bind value for a ``sparsevec`` column to a validated :class:`SparseVector`.

    Accepts a SparseVector, a ``{index: value}`` dict (needs ``dim``), a scipy sparse
    array/matrix, or a dense vector (converted, zeros dropped).
    """
    where = _where(column)
    try:
        if isinstance(value, SparseVector):
            vec = value
        elif isinstance(value, Mapping):
            if dim is None:
                raise ValueError("a dict sparse value needs the column's dim")
            vec = SparseVector.from_dict(value, dim)
        elif _is_scipy_sparse(value):
            vec = SparseVector.from_scipy(value)
        else:
            vec = SparseVector.from_dense(value)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"{where}{exc}") from None
    if dim is not None and vec.dim != dim:
        raise ValueError(f"{where}expected {dim} dimensions (dim), got {vec.dim}")
    return vec
