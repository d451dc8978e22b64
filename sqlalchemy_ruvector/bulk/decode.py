"""Fields of a chunk of COPY rows -> column values, decoded with numpy per column.

Each decoder takes a :class:`~sqlalchemy_ruvector.codecs.pgcopy.FieldSplit` and a column
index and returns a :class:`Column` chunk: dense vectors as an (n, dim) float32 matrix,
vectors of varying dimension and sparse vectors as flat arrays with offsets, fixed-width
scalars as a native array, anything else as Python objects from psycopg's binary loaders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from psycopg.abc import Transformer
from psycopg.pq import Format

from ..binary_layout import BinaryLayout
from ..codecs._common import _F16_BE, _F32_BE
from ..codecs.pgcopy import FieldSplit, _read_be, dense_from_fields
from ..errors import MalformedVectorError
from .columns import ColumnSpec, Kind

__all__ = ["Column", "decode_column", "loader"]

BoolArray = npt.NDArray[np.bool_]
Int64Array = npt.NDArray[np.int64]


@dataclass
class Column:
    """One column of a chunk. ``kind`` says which attributes are set:

    * ``matrix``: ``values`` (n, dim) float32
    * ``ragged``: ``values`` flat float32 and ``offsets`` (n+1) int64
    * ``sparse``: ``dims`` (n,), ``offsets`` (n+1), ``indices`` flat int32, ``values`` flat
    * ``scalar``: ``values`` (n,) native numpy array
    * ``objects``: ``values`` list of Python objects (None for NULL)
    """

    kind: str
    values: Any
    null: BoolArray
    offsets: Int64Array | None = None
    indices: Any = None
    dims: Any = None


def _ragged_bytes(buf: npt.NDArray[np.uint8], starts: Int64Array, sizes: Int64Array) -> Any:
    """Concatenate ``buf[starts[i] : starts[i] + sizes[i]]`` for all i, vectorised."""
    total = int(sizes.sum())
    if total == 0:
        return np.empty(0, dtype=np.uint8)
    before = np.cumsum(sizes) - sizes
    idx = np.repeat(starts - before, sizes) + np.arange(total, dtype=np.int64)
    return buf[idx]


def _dense(split: FieldSplit, j: int, spec: ColumnSpec) -> Column:
    half = spec.kind is Kind.HALF
    layout = BinaryLayout.PGVECTOR if half else spec.layout
    elem = _F16_BE if half else _F32_BE
    lengths = split.lengths[:, j]
    null = lengths == -1
    dim = spec.dim
    if dim is None:
        present = lengths[~null]
        sizes = (present - layout.header_size) // elem.itemsize
        if present.size == 0 or not (sizes == sizes[0]).all():
            return _ragged(split, j, layout, elem, null)
        dim = int(sizes[0])
    matrix, null = dense_from_fields(split, j, layout, dim, elem)
    if half:
        matrix = matrix.astype(np.float32)
    if spec.dim is None:  # unbounded column: report as ragged (List<float32>)
        offsets = np.zeros(split.rows + 1, dtype=np.int64)
        np.cumsum(np.where(null, 0, dim), out=offsets[1:])
        flat = matrix[~null].reshape(-1) if null.any() else matrix.reshape(-1)
        return Column("ragged", flat, null, offsets)
    return Column("matrix", matrix, null)


def _ragged(
    split: FieldSplit, j: int, layout: BinaryLayout, elem: np.dtype[Any], null: BoolArray
) -> Column:
    hdr = layout.header_size
    lengths = split.lengths[:, j]
    sizes = np.where(null, 0, lengths - hdr)
    if ((sizes < 0) | (sizes % elem.itemsize != 0)).any():
        i = int(np.flatnonzero((sizes < 0) | (sizes % elem.itemsize != 0))[0])
        raise MalformedVectorError(
            f"row {i}: malformed vector value of {int(lengths[i])} bytes", row=i
        )
    dims = sizes // elem.itemsize
    heads = _read_be(split.buffer, split.offsets[~null, j], 2)
    if (heads != dims[~null]).any():
        i = int(np.flatnonzero(~null)[np.flatnonzero(heads != dims[~null])[0]])
        raise MalformedVectorError(
            f"row {i}: vector header dim does not match its length", row=i, dimension=int(dims[i])
        )
    raw = _ragged_bytes(split.buffer, split.offsets[:, j] + hdr, sizes)
    flat = raw.view(elem).astype(np.float32)
    offsets = np.zeros(split.rows + 1, dtype=np.int64)
    np.cumsum(dims, out=offsets[1:])
    return Column("ragged", flat, null, offsets)


def _sparse(split: FieldSplit, j: int) -> Column:
    lengths = split.lengths[:, j]
    null = lengths == -1
    off = split.offsets[:, j]
    buf = split.buffer
    n = split.rows
    dims = np.zeros(n, dtype=np.int64)
    nnz = np.zeros(n, dtype=np.int64)
    if (~null).any():
        dims[~null] = _read_be(buf, off[~null], 4)
        nnz[~null] = _read_be(buf, off[~null] + 4, 4)
    if (~null & (lengths != 12 + 8 * nnz)).any():
        raise MalformedVectorError("sparsevec value length does not match its nnz")
    idx_raw = _ragged_bytes(buf, np.where(null, 0, off + 12), 4 * nnz)
    val_raw = _ragged_bytes(buf, np.where(null, 0, off + 12 + 4 * nnz), 4 * nnz)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(nnz, out=offsets[1:])
    return Column(
        "sparse",
        val_raw.view(_F32_BE).astype(np.float32),
        null,
        offsets,
        indices=idx_raw.view(">i4").astype(np.int32),
        dims=dims.astype(np.int32),
    )


def _scalar(split: FieldSplit, j: int, spec: ColumnSpec) -> Column:
    wire = spec.wire_dtype
    lengths = split.lengths[:, j]
    null = lengths == -1
    if (~null & (lengths != wire.itemsize)).any():
        raise MalformedVectorError(
            f"column {spec.name!r}: value of unexpected size for {spec.type_name}", column=spec.name
        )
    off = np.where(null, split.offsets[:, j][0] if split.rows else 0, split.offsets[:, j])
    raw = split.buffer[off[:, None] + np.arange(wire.itemsize)]
    values = raw.view(wire).reshape(-1).astype(wire.newbyteorder("="))
    if null.any():
        values[null] = 0
    return Column("scalar", values, null)


def loader(spec: ColumnSpec, tx: Transformer) -> Callable[[Any], Any]:
    """psycopg's binary load function of a column, made on the connection's thread."""
    return tx.get_loader(spec.oid, Format.BINARY).load


def _objects(split: FieldSplit, j: int, load: Callable[[Any], Any]) -> Column:
    data = split.buffer
    lengths = split.lengths[:, j].tolist()
    offsets = split.offsets[:, j].tolist()
    mv = memoryview(data.data)
    values = [None if n < 0 else load(mv[o : o + n]) for o, n in zip(offsets, lengths, strict=True)]
    return Column("objects", values, split.lengths[:, j] == -1)


def decode_column(
    split: FieldSplit, j: int, spec: ColumnSpec, load: Callable[[Any], Any] | None
) -> Column:
    """Column j of a chunk; ``load`` is the psycopg loader for columns numpy does not decode."""
    if spec.kind in (Kind.DENSE, Kind.HALF):
        return _dense(split, j, spec)
    if spec.kind is Kind.SPARSE:
        return _sparse(split, j)
    if spec.kind is Kind.FIXED:
        return _scalar(split, j, spec)
    assert load is not None
    return _objects(split, j, load)
