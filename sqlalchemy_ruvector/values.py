"""Python value layer: coerce and validate vector bind values before any SQL is sent.

ruvector-postgres does not enforce the column typmod on input, so a wrong-sized vector would be
stored silently; NaN/Inf are rejected by the server with an error that does not name the column.
Everything here therefore validates on the client, once, with vectorised numpy calls, and raises
:class:`~.errors.InvalidVectorError` (a ``ValueError``) or
:class:`~.errors.InvalidVectorTypeError` (a ``TypeError``) whose message names the column and
the problem, and whose attributes carry the column, row and dimensions.

Only numpy is imported at module level; pyarrow and scipy are imported lazily, and only when the
value handed in already is a pyarrow/scipy object (so they are installed).
"""

from __future__ import annotations

import decimal
import operator
from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import VectorInputError
from .numeric import (
    ACCEPTED_KINDS,
    MAX_DIM,
    SPARSE_MAX_DIM,
    SPARSE_MAX_NNZ,
    Float16Array,
    Float32Array,
    Where,
    cast_checked,
    check_length,
    check_scalar_types,
    coerce_numeric,
    column_where,
    dim_argument,
    seq_to_float64,
    to_dense_array,
)
from .sparse_vector import SparseVector

__all__ = [
    "MAX_DIM",
    "SPARSE_MAX_DIM",
    "SPARSE_MAX_NNZ",
    "Float16Array",
    "Float32Array",
    "to_float16",
    "to_float32",
    "to_float32_batch",
]


def _to_dense(
    value: Any, target: type[np.floating[Any]], dim: int | None, where: Where, max_dim: int
) -> Any:
    if isinstance(value, SparseVector):
        raise where.type_error("got a SparseVector for a dense vector; use .to_dense()")
    return to_dense_array(value, target, dim=dim, max_dim=max_dim, where=where)


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
    contiguous float32 ndarray is returned as-is (no copy). Raises ``InvalidVectorError``
    (a ``ValueError``) for wrong dimension, empty, too long, nested, NaN, Inf or float32
    overflow, ``InvalidVectorTypeError`` (a ``TypeError``) for non-numeric input.
    """
    out: Float32Array = _to_dense(value, np.float32, dim, column_where(column), max_dim)
    return out


def to_float16(
    value: Any,
    *,
    dim: int | None = None,
    column: str | None = None,
    max_dim: int = MAX_DIM,
) -> Float16Array:
    """Like :func:`to_float32` for ``halfvec``; values beyond ±65504 are rejected as "inf"."""
    out: Float16Array = _to_dense(value, np.float16, dim, column_where(column), max_dim)
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
    the offending row (also in their ``row`` attribute).
    """
    where = column_where(column)
    dim = dim_argument(dim, where)
    if not 1 <= dim <= max_dim:
        raise where.value_error(f"dim must be between 1 and {max_dim}, got {dim}")
    if isinstance(values, (list, tuple)):
        arr = _rows_to_array(values, dim, where, max_dim)
    else:
        arr = coerce_numeric(values, where)
    if arr.ndim != 2:
        raise where.value_error(
            f"expected a 2-D batch of shape (n, {dim}), got {arr.ndim}-D input of shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        return np.empty((0, dim), dtype=np.float32)
    check_length(arr.shape[1], dim, max_dim, where)
    out: Float32Array = cast_checked(arr, np.float32, where)
    return out


def _rows_to_array(rows: Sequence[Any], dim: int, where: Where, max_dim: int) -> npt.NDArray[Any]:
    if len(rows) == 0:
        return np.empty((0, dim), dtype=np.float32)
    row_types = set(map(type, rows))
    if row_types <= {list, tuple, np.ndarray}:
        if np.ndarray in row_types and set(map(np.ndim, rows)) != {1}:
            raise where.value_error("expected each row to be a flat 1-D vector (nested)")
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        bad = np.flatnonzero(lengths != dim)
        if bad.size:
            i = int(bad[0])
            check_length(int(lengths[i]), dim, max_dim, where.at_row(i))
        if row_types == {np.ndarray}:
            kinds = set(map(operator.attrgetter("dtype.kind"), rows))
            if not kinds <= ACCEPTED_KINDS:
                # reuse the single-vector path for a precise message
                for i, r in enumerate(rows):
                    coerce_numeric(r, where.at_row(i))
            return np.stack(rows)
        if not row_types & {np.ndarray}:
            # rows are lists/tuples: one C-level type scan over all elements
            check_scalar_types(set(map(type, chain.from_iterable(rows))), where)
            try:
                return np.asarray(rows, dtype=np.float64)
            except OverflowError:
                raise where.value_error(
                    "an integer is outside the float32 range and would become inf"
                ) from None
            except (ValueError, decimal.InvalidOperation):
                for i, row in enumerate(rows):
                    seq_to_float64(row, where.at_row(i))
                raise  # pragma: no cover - every row converts alone
    # mixed or exotic row types: validate row by row (still vectorised within each row)
    out = np.empty((len(rows), dim), dtype=np.float32)
    for i, row in enumerate(rows):
        try:
            out[i] = to_float32(row, dim=dim, max_dim=max_dim)
        except VectorInputError as exc:
            raise exc.relocated(str(where.at_row(i)), column=where.column, row=i) from None
        except ValueError as exc:  # from numpy, on a row object it cannot read
            raise where.at_row(i).value_error(str(exc)) from None
        except TypeError as exc:
            raise where.at_row(i).type_error(str(exc)) from None
    return out
