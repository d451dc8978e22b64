"""Vector columns of an input batch -> validated float matrices (and NULL masks).

Accepts 2-D numeric ndarrays, pyarrow (fixed-size) list arrays, and sequences of vectors
(with None for NULL). Checks run over the whole batch with numpy; only when a check fails
is the first offending row searched for, to name it.
"""

from __future__ import annotations

import functools
import operator
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ..values import MAX_DIM, to_float16, to_float32
from .errors import BulkValidationError

__all__ = ["VectorBatch", "vector_batch"]

BoolArray = npt.NDArray[np.bool_]
_is_none: Final = functools.partial(operator.is_, None)
#: Row-wise finiteness in one BLAS call: a row's dot product with small positive weights
#: is finite iff every element is (see types/dense.py for why it cannot overflow).
_PROBE: Final = np.full(MAX_DIM, 2.0**-15, dtype=np.float32)


class VectorBatch:
    """``matrix`` (n, dim) of validated values (zeros on NULL rows) and ``null`` (or None
    when no row is NULL); ``rows`` instead of a matrix for an unbounded column whose rows
    have different dimensions."""

    __slots__ = ("matrix", "null", "rows")

    def __init__(
        self, matrix: Any | None, null: BoolArray | None, rows: list[Any] | None = None
    ) -> None:
        self.matrix = matrix
        self.null = null
        self.rows = rows


def _null_mask(items: list[Any]) -> BoolArray | None:
    null = np.fromiter(map(_is_none, items), dtype=bool, count=len(items))
    return null if null.any() else None


def _from_arrow(arr: Any) -> tuple[Any, BoolArray | None]:
    """A pyarrow list / fixed-size-list column -> (2-D array or list of rows, null mask)."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    null = arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count else None
    t = arr.type
    if pa.types.is_fixed_size_list(t):
        size = t.list_size
        child = arr.values.slice(arr.offset * size, n * size)
        _check_child(child, lambda pos: pos // size, null)
        return child.to_numpy(zero_copy_only=False).reshape(n, size), null
    if not (pa.types.is_list(t) or pa.types.is_large_list(t)):
        raise BulkValidationError(f"expected a list or fixed-size list of floats, got Arrow {t}")
    offsets = arr.offsets.to_numpy()
    base = int(offsets[0])
    child = arr.values.slice(base, int(offsets[-1]) - base)
    _check_child(child, lambda pos: int(np.searchsorted(offsets, pos + base, "right")) - 1, null)
    flat = child.to_numpy(zero_copy_only=False)
    lengths = np.diff(offsets)
    valid = np.ones(n, dtype=bool) if null is None else ~null
    present = lengths[valid]
    if present.size and (present == present[0]).all():
        dim = int(present[0])
        if (lengths == dim).all():
            return flat.reshape(n, dim), null
        out = np.zeros((n, dim), dtype=flat.dtype)
        starts = offsets[:-1][valid] - base
        out[valid] = flat[starts[:, None] + np.arange(dim)]
        return out, null
    rows = [
        flat[s - base : e - base] if ok else None
        for s, e, ok in zip(
            offsets[:-1].tolist(), offsets[1:].tolist(), valid.tolist(), strict=True
        )
    ]
    return rows, null


def _check_child(child: Any, row_of: Any, null: BoolArray | None) -> None:
    if child.null_count:
        pos = int(np.flatnonzero(child.is_null().to_numpy(zero_copy_only=False))[0])
        row = int(row_of(pos))
        if null is None or not null[row]:
            raise BulkValidationError("vector contains a null element", row=row)


def _locate_rows(rows: list[Any], index: BoolArray | None, coerce: Any) -> None:
    """Re-check rows one by one to name the first bad one (only after a batch check failed)."""
    where = range(len(rows)) if index is None else np.flatnonzero(~index).tolist()
    for i in where:
        try:
            coerce(rows[i])
        except (ValueError, TypeError) as exc:
            raise BulkValidationError.from_vector_error(exc, row=int(i)) from None


def _finite_rows(m: Any) -> BoolArray:
    if m.dtype == np.float32:
        with np.errstate(all="ignore"):
            ok: BoolArray = np.isfinite(m @ _PROBE[: m.shape[1]])
        return ok
    return np.asarray(np.isfinite(m).all(axis=1))


def _check_matrix(src: Any, out: Any, null: BoolArray | None, kind: str) -> None:
    """Name the first row of ``out`` (cast from ``src``) that is not finite."""
    finite = _finite_rows(out)
    if null is not None:
        finite |= null
    if finite.all():
        return
    i = int(np.flatnonzero(~finite)[0])
    j = int(np.flatnonzero(~np.isfinite(out[i]))[0])
    value = float(src[i, j])
    if np.isnan(value):
        why = "is nan; NaN values are not allowed"
    elif np.isinf(value):
        why = f"is {value}; infinite values are not allowed"
    else:
        why = f"({value!r}) is outside the {kind} range and would become inf"
    raise BulkValidationError(f"element {j} {why}", row=i)


def vector_batch(data: Any, dim: int | None, *, half: bool = False) -> VectorBatch:
    """Validate one batch of a dense vector column (``half``: a halfvec column)."""
    kind = "float16" if half else "float32"
    target = np.float16 if half else np.float32
    null: BoolArray | None
    if type(data).__module__.partition(".")[0] == "pyarrow":
        data, null = _from_arrow(data)
    elif isinstance(data, np.ndarray) and data.ndim == 2:
        null = None
    else:
        if isinstance(data, np.ndarray) and data.ndim != 1:
            raise BulkValidationError(f"expected a 2-D (n, dim) array, got shape {data.shape}")
        data = list(data)
        null = _null_mask(data)
    if isinstance(data, list):
        return _from_rows(data, null, dim, half)
    m = np.asarray(data)
    if m.dtype.kind not in "iuf":
        raise BulkValidationError(f"expected numeric vectors, got dtype {m.dtype}")
    width = m.shape[1]
    if dim is not None and width != dim:
        first = 0 if null is None else int(np.flatnonzero(~null)[0]) if (~null).any() else 0
        raise BulkValidationError(
            f"expected {dim} dimensions, got {width}", row=first, dimension=width, expected=dim
        )
    if not 1 <= width <= MAX_DIM and m.shape[0]:
        raise BulkValidationError(f"vectors have {width} dimensions; 1 to {MAX_DIM} allowed", row=0)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.ascontiguousarray(m, dtype=target)
    _check_matrix(m, out, null, kind)
    if null is not None and out is m:
        out = out.copy()
    if null is not None:
        out[null] = 0
    return VectorBatch(out, null)


def _from_rows(rows: list[Any], null: BoolArray | None, dim: int | None, half: bool) -> VectorBatch:
    coerce_one = to_float16 if half else to_float32
    max_dim = MAX_DIM

    def coerce(v: Any) -> Any:
        return coerce_one(v, dim=dim, max_dim=max_dim)

    present = rows if null is None else [rows[i] for i in np.flatnonzero(~null).tolist()]
    try:
        arrays = list(map(coerce, present))
    except (ValueError, TypeError):
        _locate_rows(rows, null, coerce)
        raise  # pragma: no cover - _locate_rows raises
    lengths = {a.shape[0] for a in arrays}
    if len(lengths) > 1:  # an unbounded column with rows of several dimensions
        out_rows: list[Any] = [None] * len(rows)
        where = range(len(rows)) if null is None else np.flatnonzero(~null).tolist()
        for i, a in zip(where, arrays, strict=True):
            out_rows[i] = a
        return VectorBatch(None, null, out_rows)
    width = lengths.pop() if lengths else (dim or 1)
    out = np.zeros((len(rows), width), dtype=np.float16 if half else np.float32)
    if arrays:
        stacked = np.stack(arrays)
        if null is None:
            out = stacked
        else:
            out[~null] = stacked
    return VectorBatch(out, null)
