"""One input batch -> validated, encoded COPY fields -> PGCOPY bytes.

Vector and fixed-width scalar columns are encoded for the whole batch with numpy; other
columns go through psycopg's binary dumper of the column's type, one C-level ``map`` per
column. Everything is validated before a single byte of the batch is framed, so a bad row
is never sent, and the error names it.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from psycopg.abc import Transformer
from psycopg.pq import Format

from ..codecs import BinaryLayout, sparsevec_to_binary, vector_binary_encoder
from ..codecs._common import _F16_BE
from ..codecs.pgcopy import DenseValues, fixed_rows
from ..errors import InvalidVectorError
from ..sparse_vector import SparseVector, to_sparse
from .columns import ColumnSpec, Kind
from .errors import BulkValidationError
from .vectors_in import vector_batch

__all__ = ["Field", "encode_batch", "frame", "make_dumpers"]

BoolArray = npt.NDArray[np.bool_]
_is_none: Final = functools.partial(operator.is_, None)


class Field:
    """A column's encoded values: ``fixed`` (n, width) uint8 when every value has one width,
    else ``values`` (bytes, or None for NULL); ``null`` marks NULL rows (None: no NULL)."""

    __slots__ = ("fixed", "null", "values")

    def __init__(
        self,
        fixed: npt.NDArray[np.uint8] | DenseValues | None = None,
        values: list[bytes | None] | None = None,
        null: BoolArray | None = None,
    ) -> None:
        self.fixed = fixed
        self.values = values
        self.null = null

    def as_values(self) -> list[bytes | None]:
        if self.values is not None:
            return self.values
        assert self.fixed is not None
        fixed = self.fixed.to_matrix() if isinstance(self.fixed, DenseValues) else self.fixed
        width = fixed.shape[1]
        out: list[bytes | None] = fixed.view(np.dtype(("V", width))).ravel().tolist()
        if self.null is not None:
            for i in np.flatnonzero(self.null).tolist():
                out[i] = None
        return out


def _objects(data: Any) -> list[Any]:
    if type(data).__module__.partition(".")[0] == "pyarrow":
        return list(data.to_pylist())
    if isinstance(data, np.ndarray):
        return list(data.tolist()) if data.dtype != object else list(data)
    return list(data)


def _null_mask(items: Sequence[Any]) -> BoolArray | None:
    null = np.fromiter(map(_is_none, items), dtype=bool, count=len(items))
    return null if null.any() else None


def _dense(spec: ColumnSpec, data: Any) -> Field:
    batch = vector_batch(data, spec.dim, half=spec.kind is Kind.HALF)
    if batch.matrix is None:  # rows of several dimensions (an unbounded ruvector column)
        encode = vector_binary_encoder(spec.layout)
        assert batch.rows is not None
        return Field(values=[None if r is None else encode(r) for r in batch.rows], null=batch.null)
    if spec.kind is Kind.HALF:
        return Field(
            fixed=DenseValues(batch.matrix, BinaryLayout.PGVECTOR, _F16_BE), null=batch.null
        )
    return Field(fixed=DenseValues(batch.matrix, spec.layout), null=batch.null)


def _sparse(spec: ColumnSpec, data: Any) -> Field:
    items = _objects(data)
    out: list[bytes | None] = [None] * len(items)
    for i, item in enumerate(items):
        if item is None:
            continue
        try:
            if isinstance(item, dict) and "indices" in item and "values" in item:
                vec = SparseVector(
                    item["indices"], item["values"], int(item.get("dim") or spec.dim or 0)
                )
                if spec.dim is not None and vec.dim != spec.dim:
                    raise InvalidVectorError(
                        f"expected {spec.dim} dimensions (dim), got {vec.dim}",
                        dimension=vec.dim,
                        expected=spec.dim,
                    )
            else:
                vec = to_sparse(item, dim=spec.dim)
        except (ValueError, TypeError) as exc:
            raise BulkValidationError.from_vector_error(exc, row=i) from None
        out[i] = sparsevec_to_binary(vec)
    return Field(values=out, null=_null_mask(items))


def _fixed(spec: ColumnSpec, data: Any) -> Field:
    wire = spec.wire_dtype
    null: BoolArray | None = None
    if type(data).__module__.partition(".")[0] == "pyarrow":
        if data.null_count:
            null = data.is_null().to_numpy(zero_copy_only=False)
            data = data.fill_null(False if wire.kind == "b" else 0)
        arr = data.to_numpy(zero_copy_only=False)
    elif isinstance(data, np.ndarray) and data.dtype != object:
        arr = data
    else:
        items = _objects(data)
        null = _null_mask(items)
        if null is not None:
            fill = False if wire.kind == "b" else 0
            items = [fill if v is None else v for v in items]
        _check_scalar_types(spec, items)
        arr = np.asarray(items)
    _check_fixed(spec, arr)
    with np.errstate(over="ignore", invalid="ignore"):
        be = arr.astype(wire)
    if wire.kind == "f" and arr.dtype.kind == "f":
        overflow = np.isinf(be) & np.isfinite(arr)
        if overflow.any():
            i = int(np.flatnonzero(overflow)[0])
            raise BulkValidationError(
                f"{float(arr[i])!r} is outside the {spec.type_name} range", row=i
            )
    return Field(fixed=be.view(np.uint8).reshape(len(be), wire.itemsize), null=null)


_ACCEPTED: Final = {
    "b": (bool, np.bool_),
    "i": (int, np.integer),
    "f": (int, float, np.integer, np.floating),
}


def _check_scalar_types(spec: ColumnSpec, items: list[Any]) -> None:
    """Name the first Python value that is not of a type the column's numbers accept."""
    accepted = _ACCEPTED[spec.wire_dtype.kind]
    if all(issubclass(t, accepted) for t in set(map(type, items))):
        return
    i = next(i for i, v in enumerate(items) if not isinstance(v, accepted))
    raise BulkValidationError(f"{type(items[i]).__name__} value is not {spec.type_name}", row=i)


def _check_fixed(spec: ColumnSpec, arr: npt.NDArray[Any]) -> None:
    wire, kind = spec.wire_dtype, arr.dtype.kind
    if arr.ndim != 1:
        raise BulkValidationError(f"expected a 1-D column of {spec.type_name}, got {arr.shape}")
    allowed = {"b": "b", "i": "iu", "f": "iuf"}[wire.kind]
    if kind not in allowed:
        if kind == "O":
            bad = [i for i, v in enumerate(arr.tolist()) if type(v) not in (int, float, bool)]
            if bad:
                raise BulkValidationError(
                    f"{type(arr[bad[0]]).__name__} value is not {spec.type_name}", row=bad[0]
                )
        raise BulkValidationError(f"dtype {arr.dtype} values cannot be stored as {spec.type_name}")
    if wire.kind == "i" and arr.size:
        info = np.iinfo(wire)
        out = (arr < info.min) | (arr > info.max)
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise BulkValidationError(f"{int(arr[i])} is outside the {spec.type_name} range", row=i)


Dumpers = dict[str, Callable[[Any], Any]]


def make_dumpers(specs: Sequence[ColumnSpec], tx: Transformer) -> Dumpers:
    """psycopg binary dump functions of the columns psycopg encodes, made once, on the
    connection's thread (dumpers read connection settings when they are created)."""
    out: Dumpers = {}
    for spec in specs:
        if spec.kind is Kind.OTHER:
            dumper_class = tx.adapters.get_dumper_by_oid(spec.oid, Format.BINARY)
            out[spec.name] = dumper_class(type(None), tx).dump
    return out


def _other(spec: ColumnSpec, data: Any, dump: Callable[[Any], Any]) -> Field:
    items = _objects(data)
    null = _null_mask(items)
    present = items if null is None else [items[i] for i in np.flatnonzero(~null).tolist()]
    try:
        dumped = [bytes(b) for b in map(dump, present)]
    except Exception:
        index = range(len(items)) if null is None else np.flatnonzero(~null).tolist()
        for i in index:
            try:
                dump(items[i])
            except Exception as exc:
                raise BulkValidationError(
                    f"{type(items[i]).__name__} value cannot be sent as {spec.type_name}: {exc}",
                    row=int(i),
                ) from None
        raise
    if null is None:
        return Field(values=list(dumped))
    values: list[bytes | None] = [None] * len(items)
    for i, b in zip(np.flatnonzero(~null).tolist(), dumped, strict=True):
        values[i] = b
    return Field(values=values, null=null)


def encode_batch(
    specs: Sequence[ColumnSpec], columns: dict[str, Any], dumpers: Dumpers
) -> list[Field]:
    """Validate and encode one batch; raise the error of the earliest bad row."""
    fields: list[Field] = []
    errors: list[BulkValidationError] = []
    for spec in specs:
        data = columns[spec.name]
        try:
            if spec.kind in (Kind.DENSE, Kind.HALF):
                field = _dense(spec, data)
            elif spec.kind is Kind.SPARSE:
                field = _sparse(spec, data)
            elif spec.kind is Kind.FIXED:
                field = _fixed(spec, data)
            else:
                field = _other(spec, data, dumpers[spec.name])
            if spec.not_null and field.null is not None:
                row = int(np.flatnonzero(field.null)[0])
                raise BulkValidationError("NULL in a NOT NULL column", row=row)
        except BulkValidationError as exc:
            errors.append(exc.in_column(spec.name))
            continue
        fields.append(field)
    if errors:
        raise min(errors, key=lambda e: -1 if e.row is None else e.row)
    return fields


def frame(fields: Sequence[Field], rows: int) -> bytes | npt.NDArray[np.uint8]:
    """PGCOPY rows (no header/trailer) for encoded fields.

    Fixed-width fields with no NULL: one (rows, row_size) matrix. Otherwise the pieces of
    every row are laid out in one list by slice assignment and joined in C."""
    if all(f.fixed is not None and f.null is None for f in fields):
        return fixed_rows([f.fixed for f in fields if f.fixed is not None])
    k = len(fields)
    step = 1 + 2 * k
    parts: list[bytes] = [b""] * (rows * step)
    parts[0::step] = [len(fields).to_bytes(2, "big")] * rows
    for j, field in enumerate(fields):
        values = field.as_values()
        lengths = np.fromiter(
            (-1 if v is None else len(v) for v in values), dtype=">i4", count=rows
        )
        parts[1 + 2 * j :: step] = lengths.view(np.dtype(("V", 4))).tolist()
        parts[2 + 2 * j :: step] = [b"" if v is None else v for v in values]
    return b"".join(parts)
