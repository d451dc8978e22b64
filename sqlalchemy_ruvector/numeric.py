"""Numeric checks shared by the dense (:mod:`.values`) and sparse (:mod:`.sparse_vector`)
value layers: element types, dtype, NaN/Inf, float32/float16 range and dimensions.

Both layers build on this module and on nothing of each other's, so they import in
one direction only. Every check runs vectorised over the whole array and raises an
:mod:`.errors` exception that names the problem and carries where it was found.
"""

from __future__ import annotations

import array
import decimal
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from .errors import InvalidVectorError, InvalidVectorTypeError

__all__ = [
    "ACCEPTED_KINDS",
    "BOOL_TYPES",
    "MAX_DIM",
    "NOWHERE",
    "SPARSE_MAX_DIM",
    "SPARSE_MAX_NNZ",
    "Float16Array",
    "Float32Array",
    "Int32Array",
    "Where",
    "cast_checked",
    "check_length",
    "check_scalar_types",
    "coerce_numeric",
    "column_where",
    "dim_argument",
    "seq_to_float64",
    "to_dense_array",
]

#: Maximum dimensions of ``ruvector(n)`` / pgvector ``vector`` and ``halfvec``.
MAX_DIM: Final = 16000
#: pgvector ``sparsevec`` limits: dimensions and non-zero elements.
SPARSE_MAX_DIM: Final = 1_000_000_000
SPARSE_MAX_NNZ: Final = 16000

Float32Array = npt.NDArray[np.float32]
Float16Array = npt.NDArray[np.float16]
Int32Array = npt.NDArray[np.int32]

#: Types that are integers to Python but never vector elements or indices.
BOOL_TYPES: Final = (bool, np.bool_)
#: numpy dtype kinds accepted as vector elements: signed, unsigned, float.
ACCEPTED_KINDS: Final = frozenset("iuf")
# Python scalar types for which ``np.asarray(seq, dtype=float64)`` is exact and safe.
_PLAIN_NUMBERS: Final = frozenset({float, int})
_NESTED_TYPES: Final = (list, tuple, np.ndarray, array.array, memoryview, range)
_ARRAY_TYPECODES: Final = frozenset("bBhHiIlLqQfd")
_MEMORYVIEW_FLOAT_FORMATS: Final = frozenset("efd")


@dataclass(frozen=True)
class Where:
    """Where a value comes from: prefixes messages and fills the errors' attributes."""

    column: str | None = None
    argument: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        column = f"column {self.column!r}: " if self.column else ""
        argument = f"argument {self.argument!r}: " if self.argument else ""
        row = f"row {self.row}: " if self.row is not None else ""
        return column + argument + row

    def at_row(self, row: int) -> Where:
        return replace(self, row=row)

    def value_error(
        self,
        message: str,
        *,
        row: int | None = None,
        dimension: int | None = None,
        expected: int | None = None,
    ) -> InvalidVectorError:
        return InvalidVectorError(
            f"{self}{message}",
            column=self.column,
            argument=self.argument,
            row=self.row if row is None else row,
            dimension=dimension,
            expected=expected,
        )

    def type_error(self, message: str) -> InvalidVectorTypeError:
        return InvalidVectorTypeError(
            f"{self}{message}", column=self.column, argument=self.argument, row=self.row
        )


#: No location known (messages get no prefix).
NOWHERE: Final = Where()


@lru_cache(maxsize=1024)
def column_where(column: str | None) -> Where:
    """The location of values bound to ``column``, cached: binds run per value."""
    return Where(column) if column else NOWHERE


def check_scalar_types(types: Iterable[type], where: Where) -> None:
    """Reject bools, strings, nested sequences and other non-real element types.

    Works on the *set* of element types, so the cost is one C-level ``map(type, ...)`` pass.
    """
    for t in types:
        if t in _PLAIN_NUMBERS:
            continue
        if issubclass(t, BOOL_TYPES):
            raise where.type_error("bool values are not numeric vector elements")
        if issubclass(t, _NESTED_TYPES) or (
            issubclass(t, Sequence) and not issubclass(t, (str, bytes, bytearray))
        ):
            raise where.value_error(
                f"expected a flat 1-D vector, got nested sequences ({t.__name__})"
            )
        if issubclass(t, (numbers.Real, decimal.Decimal)):
            continue
        raise where.type_error(f"expected numeric (real) values, got {t.__name__}")


def seq_to_float64(value: Sequence[Any], where: Where) -> npt.NDArray[np.float64]:
    """One type scan plus one numpy conversion; no per-element Python loop."""
    if len(value) == 0:
        return np.empty(0, dtype=np.float64)
    check_scalar_types(set(map(type, value)), where)
    try:
        return np.asarray(value, dtype=np.float64)
    except OverflowError:
        raise where.value_error(
            "an integer is outside the float32 range and would become inf"
        ) from None
    except (ValueError, decimal.InvalidOperation):  # Decimal('sNaN') cannot become a float
        raise _unconvertible(value, where) from None


def _unconvertible(value: Sequence[Any], where: Where) -> InvalidVectorError:
    """The error for the first element numpy could not convert (the slow path runs
    only after the vectorised conversion failed)."""
    for i, item in enumerate(value):
        if isinstance(item, decimal.Decimal) and item.is_nan():
            return where.value_error(f"element {i} is {item}; the server rejects NaN values")
        try:
            float(item)
        except (ValueError, OverflowError, decimal.InvalidOperation) as exc:
            return where.value_error(f"element {i} ({item!r}) is not a real number: {exc}")
    return where.value_error("values cannot be converted to float")  # pragma: no cover


def _from_arrow(value: Any, where: Where) -> npt.NDArray[Any]:
    """pyarrow Array/ChunkedArray/list scalar -> ndarray, zero-copy for primitive arrays."""
    import pyarrow as pa

    if isinstance(value, pa.ChunkedArray):
        if value.null_count:
            raise where.value_error("vector contains null values")
        value = value.chunk(0) if value.num_chunks == 1 else value.combine_chunks()
    if isinstance(value, pa.Scalar):
        if not value.is_valid:
            raise where.value_error("vector is null")
        inner = getattr(value, "values", None)
        if not isinstance(inner, pa.Array):
            raise where.type_error(f"expected a numeric pyarrow array, got scalar {value.type}")
        value = inner
    if not isinstance(value, pa.Array):
        raise where.type_error(f"unsupported pyarrow object {type(value).__name__}")
    if value.null_count:
        raise where.value_error("vector contains null values")
    typ = value.type
    if pa.types.is_floating(typ) or pa.types.is_integer(typ):
        # zero_copy_only=False still returns a view for primitive arrays without nulls
        return np.asarray(value.to_numpy(zero_copy_only=False))
    if pa.types.is_boolean(typ):
        raise where.type_error("bool values are not numeric vector elements")
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
            raise where.value_error(
                f"rows have different dimensions: row 0 has {int(lengths[0])}, "
                f"row {bad} has {int(lengths[bad])} (ragged, not a 2-D batch)",
                row=bad,
                dimension=int(lengths[bad]),
                expected=int(lengths[0]),
            )
        return flat.reshape(n, int(lengths[0]))
    raise where.type_error(f"expected numeric values, got pyarrow type {typ}")


def coerce_numeric(value: Any, where: Where) -> npt.NDArray[Any]:
    """Return an ndarray with an int/uint/float dtype (any shape) or raise."""
    if isinstance(value, np.ndarray):
        if isinstance(value, np.ma.MaskedArray) and np.ma.is_masked(value):
            raise where.value_error("vector contains masked (null) values")
        arr: npt.NDArray[Any] = value
    elif isinstance(value, (list, tuple)):
        arr = seq_to_float64(value, where)
    elif isinstance(value, array.array):
        if value.typecode not in _ARRAY_TYPECODES:
            raise where.type_error(f"expected numeric values, got array('{value.typecode}')")
        arr = np.asarray(value)
    elif isinstance(value, memoryview):
        if value.format.lstrip("@=<>!") not in _MEMORYVIEW_FLOAT_FORMATS:
            raise where.type_error(
                f"expected a memoryview of floats (format 'f', 'd' or 'e'), got format "
                f"{value.format!r}; use memoryview.cast('f') for raw float32 bytes (not numeric)"
            )
        arr = np.asarray(value)
    elif isinstance(value, (str, bytes, bytearray)):
        raise where.type_error(f"expected numeric values, got {type(value).__name__}")
    elif type(value).__module__.partition(".")[0] == "pyarrow":
        arr = _from_arrow(value, where)
    elif hasattr(value, "__array__"):
        arr = np.asarray(value)
    elif isinstance(value, Sequence):
        arr = seq_to_float64(list(value), where)
    else:
        raise where.type_error(f"expected a vector of numeric values, got {type(value).__name__}")

    kind = arr.dtype.kind
    if kind in ACCEPTED_KINDS:
        return arr
    if kind == "b":
        raise where.type_error("bool values are not numeric vector elements")
    if kind == "O":
        if arr.ndim != 1:
            raise where.value_error(f"expected a flat 1-D vector, got nested/{arr.ndim}-D input")
        return seq_to_float64(arr.tolist(), where)
    raise where.type_error(f"expected numeric (real) values, got dtype {arr.dtype}")


def cast_checked(arr: npt.NDArray[Any], target: type[np.floating[Any]], where: Where) -> Any:
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
            if arr.ndim <= 1:
                row, loc = None, f"element {idx}"
            else:
                r, c = (int(i) for i in np.unravel_index(idx, arr.shape)[:2])
                row, loc = r, f"row {r}, element {c}"
            if np.isnan(src):
                message = f"{loc} is nan; the server rejects NaN values"
            elif np.isinf(src):
                message = f"{loc} is {float(src)}; infinite values are not allowed"
            else:
                message = (
                    f"{loc} ({float(src)!r}) is outside the {dtype.name} range and would become inf"
                )
            raise where.value_error(message, row=row)
    return out


def dim_argument(dim: Any, where: Where) -> int:
    """The ``dim`` argument as an int (numpy integers too); floats and bools refused."""
    if isinstance(dim, BOOL_TYPES) or not isinstance(dim, numbers.Integral):
        raise where.type_error(f"dim must be an int, got {type(dim).__name__} {dim!r}")
    return int(dim)


def check_length(n: int, dim: int | None, max_dim: int, where: Where) -> None:
    """Refuse an empty vector, one over ``max_dim``, or one of another length than ``dim``."""
    if n == 0:
        raise where.value_error(
            "empty vector; at least 1 dimension is required", dimension=0, expected=dim
        )
    if n > max_dim:
        raise where.value_error(
            f"vector has {n} dimensions; the maximum is {max_dim}", dimension=n, expected=dim
        )
    if dim is not None and n != dim:
        raise where.value_error(f"expected {dim} dimensions, got {n}", dimension=n, expected=dim)


def to_dense_array(
    value: Any,
    target: type[np.floating[Any]],
    *,
    dim: int | None,
    max_dim: int,
    where: Where,
) -> Any:
    """One vector as a validated C-contiguous 1-D ``target`` array (see ``values.to_float32``)."""
    if dim is not None:
        dim = dim_argument(dim, where)
    arr = coerce_numeric(value, where)
    if arr.ndim != 1:
        raise where.value_error(
            f"expected a flat 1-D vector, got nested/{arr.ndim}-D input of shape {arr.shape}"
        )
    check_length(arr.shape[0], dim, max_dim, where)
    return cast_checked(arr, target, where)
