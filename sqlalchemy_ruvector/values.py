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
from collections.abc import Iterable, Sequence
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
    "to_float16",
    "to_float32",
    "to_float32_batch",
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
    except (ValueError, decimal.InvalidOperation):  # Decimal('sNaN') cannot become a float
        raise _unconvertible(value, where) from None


def _unconvertible(value: Sequence[Any], where: str) -> ValueError:
    """The error for the first element numpy could not convert (the slow path runs
    only after the vectorised conversion failed)."""
    for i, item in enumerate(value):
        if isinstance(item, decimal.Decimal) and item.is_nan():
            return ValueError(f"{where}element {i} is {item}; the server rejects NaN values")
        try:
            float(item)
        except (ValueError, OverflowError, decimal.InvalidOperation) as exc:
            return ValueError(f"{where}element {i} ({item!r}) is not a real number: {exc}")
    return ValueError(f"{where}values cannot be converted to float")  # pragma: no cover


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
    elif isinstance(value, _sparse_vector_class()):
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


def _dim_argument(dim: Any, where: str) -> int:
    """The ``dim`` argument as an int (numpy integers too); floats and bools refused."""
    if isinstance(dim, _BOOL_TYPES) or not isinstance(dim, numbers.Integral):
        raise TypeError(f"{where}dim must be an int, got {type(dim).__name__} {dim!r}")
    return int(dim)


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
    if dim is not None:
        dim = _dim_argument(dim, where)
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
    dim = _dim_argument(dim, where)
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
            except (ValueError, decimal.InvalidOperation):
                for i, row in enumerate(rows):
                    try:
                        _seq_to_float64(row, f"{where}row {i}: ")
                    except ValueError as exc:
                        raise exc from None
                raise  # pragma: no cover - every row converts alone
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


def _sparse_vector_class() -> type:
    """SparseVector, imported late: its module builds on this one."""
    from .sparse_vector import SparseVector

    return SparseVector
