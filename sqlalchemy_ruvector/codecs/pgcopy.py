"""PGCOPY binary frames: whole batches of rows encoded and decoded with numpy.

``COPY ... (FORMAT BINARY)`` is a 19-byte header, then per row a ``>h`` field count and per
field a ``>i`` length (-1 for NULL) followed by the value in the type's send/recv format, and a
``>h -1`` trailer. Each value is exactly what the type's ``send`` function produces, so vector
fields use the same layouts as the binary codecs (:class:`BinaryLayout` for dense vectors).

Encoding: when every field of a batch has a fixed width and no NULL, all rows share one layout
and the batch is one ``(n, row_size)`` uint8 matrix filled column by column (headers set once
per column, floats byteswapped through strided views). Decoding splits a buffer into fields
with one vectorised pass per column, using the row boundaries the server's messages give
(PostgreSQL sends one CopyData message per row) and verifying them, falling back to a
sequential scan when a boundary does not hold.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ..binary_layout import BinaryLayout
from ..errors import InvalidVectorError, MalformedVectorError
from ..numeric import MAX_DIM
from ._common import _F16_BE, _F32_BE, _layout

__all__ = [
    "HEADER",
    "TRAILER",
    "DenseValues",
    "FieldSplit",
    "dense_fields",
    "dense_from_fields",
    "fixed_rows",
    "halfvec_fields",
    "split_rows",
    "strip_header",
]

#: File header: signature, flags (no OIDs), header extension length 0.
HEADER: Final = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
#: File trailer: a field count of -1.
TRAILER: Final = b"\xff\xff"

#: Rows per block when gathering unevenly spaced values (bounds the index array's size).
_GATHER_ROWS: Final = 1024

U8Matrix = npt.NDArray[np.uint8]
Int64Matrix = npt.NDArray[np.int64]


class DenseValues:
    """An ``(n, dim)`` float matrix that writes itself as n binary vector values of one
    width, straight into a frame (no intermediate copy of the encoded values)."""

    __slots__ = ("elem", "layout", "matrix", "width")

    def __init__(
        self, matrix: npt.NDArray[Any], layout: BinaryLayout, elem: np.dtype[Any] = _F32_BE
    ) -> None:
        if matrix.ndim != 2:
            raise InvalidVectorError(f"expected a 2-D (n, dim) matrix, got shape {matrix.shape}")
        if matrix.shape[1] > MAX_DIM:
            raise InvalidVectorError(
                f"vector has {matrix.shape[1]} dimensions; the maximum is {MAX_DIM}",
                dimension=matrix.shape[1],
            )
        self.matrix = matrix
        self.layout = layout
        self.elem = elem
        self.width = layout.header_size + elem.itemsize * matrix.shape[1]

    def write(self, dest: U8Matrix) -> None:
        """Fill ``dest``, an (n, width) uint8 view (rows may be strided)."""
        dim = self.matrix.shape[1]
        dest[:, 0] = dim >> 8
        dest[:, 1] = dim & 0xFF
        if self.layout is BinaryLayout.PGVECTOR:
            dest[:, 2:4] = 0
        # the value bytes of each row are contiguous: view them as big-endian floats
        dest[:, self.layout.header_size :].view(self.elem)[...] = self.matrix

    def to_matrix(self) -> U8Matrix:
        out = np.empty((self.matrix.shape[0], self.width), dtype=np.uint8)
        self.write(out)
        return out


def dense_fields(matrix: npt.NDArray[np.float32], layout: BinaryLayout | str) -> U8Matrix:
    """``(n, dim)`` float32 -> ``(n, record)`` uint8: each row one binary vector value."""
    m = np.asarray(matrix, dtype=np.float32)
    return DenseValues(m, _layout(layout)).to_matrix()


def halfvec_fields(matrix: npt.NDArray[np.float16]) -> U8Matrix:
    """``(n, dim)`` float16 -> ``(n, 4 + 2*dim)`` uint8 in pgvector's halfvec send format."""
    return DenseValues(matrix, BinaryLayout.PGVECTOR, _F16_BE).to_matrix()


def fixed_rows(fields: Sequence[U8Matrix | DenseValues]) -> U8Matrix:
    """Frame n rows whose every field is present and fixed-width.

    ``fields[j]`` is an ``(n, width_j)`` uint8 matrix of field j's values, or
    :class:`DenseValues` that write themselves in place. Returns the rows as one
    ``(n, row_size)`` uint8 matrix, ready to send (without header or trailer)."""
    widths = [f.width if isinstance(f, DenseValues) else f.shape[1] for f in fields]
    first = fields[0]
    n = first.matrix.shape[0] if isinstance(first, DenseValues) else first.shape[0]
    row_size = 2 + sum(4 + w for w in widths)
    out = np.empty((n, row_size), dtype=np.uint8)
    out[:, 0:2] = np.frombuffer(struct.pack(">h", len(fields)), dtype=np.uint8)
    pos = 2
    for f, width in zip(fields, widths, strict=True):
        out[:, pos : pos + 4] = np.frombuffer(struct.pack(">i", width), dtype=np.uint8)
        if isinstance(f, DenseValues):
            f.write(out[:, pos + 4 : pos + 4 + width])
        else:
            out[:, pos + 4 : pos + 4 + width] = f
        pos += 4 + width
    return out


def strip_header(buf: memoryview) -> memoryview:
    """Check and drop the file header at the start of a COPY TO stream."""
    if len(buf) < 19 or bytes(buf[:11]) != HEADER[:11]:
        raise MalformedVectorError("COPY stream does not start with the PGCOPY binary signature")
    flags, ext = struct.unpack_from(">ii", buf, 11)
    if flags >> 16:
        raise MalformedVectorError(f"COPY stream has unsupported critical header flags {flags:#x}")
    if ext < 0 or len(buf) < 19 + ext:
        raise MalformedVectorError("COPY stream header extension is truncated")
    return buf[19 + ext :]


class FieldSplit:
    """Field positions of n rows in one buffer: ``offsets[i, j]`` is where field j of row i
    starts (after its length word) and ``lengths[i, j]`` its length (-1 for NULL)."""

    __slots__ = ("buffer", "lengths", "offsets")

    def __init__(self, buffer: U8Matrix, offsets: Int64Matrix, lengths: Int64Matrix) -> None:
        self.buffer = buffer
        self.offsets = offsets
        self.lengths = lengths

    @property
    def rows(self) -> int:
        return int(self.offsets.shape[0])

    def uniform(self, j: int) -> bool:
        """Whether field j sits at one stride (rows evenly spaced, same offset in each row)."""
        off = self.offsets[:, j]
        if off.shape[0] < 2:
            return True
        step = off[1] - off[0]
        return bool((np.diff(off) == step).all())


def _read_be(buf: U8Matrix, pos: npt.NDArray[np.int64], size: int) -> npt.NDArray[np.int64]:
    """Signed big-endian integers of ``size`` bytes at positions ``pos`` (vectorised)."""
    out = np.zeros(pos.shape[0], dtype=np.int64)
    for k in range(size):
        out = (out << 8) | buf[pos + k].astype(np.int64)
    sign = np.int64(1) << (8 * size - 1)
    signed: npt.NDArray[np.int64] = (out ^ sign) - sign
    return signed


def split_rows(buf: U8Matrix, starts: npt.NDArray[np.int64], nfields: int) -> FieldSplit:
    """Split rows known to start at ``starts`` (and end where the next starts, the last at
    the end of ``buf``) into fields, vectorised over rows; verifies every boundary.

    Raises ``ValueError`` when the rows are not well-formed there (so a caller that guessed
    the boundaries can fall back to :func:`scan_rows`)."""
    n = starts.shape[0]
    ends = np.empty(n, dtype=np.int64)
    ends[:-1] = starts[1:]
    if n:
        ends[-1] = buf.shape[0]
    if n and (ends - starts < 2).any():
        raise MalformedVectorError("COPY row shorter than its field count")
    counts = _read_be(buf, starts, 2) if n else starts
    if n and (counts != nfields).any():
        i = int(np.flatnonzero(counts != nfields)[0])
        raise MalformedVectorError(
            f"COPY row {i} has {int(counts[i])} fields, expected {nfields}", row=i
        )
    offsets = np.empty((n, nfields), dtype=np.int64)
    lengths = np.empty((n, nfields), dtype=np.int64)
    pos = starts + 2
    for j in range(nfields):
        if n and (pos + 4 > ends).any():
            raise MalformedVectorError("COPY row is truncated")
        length = _read_be(buf, pos, 4) if n else pos
        if n and (length < -1).any():
            raise MalformedVectorError("COPY field has a negative length")
        offsets[:, j] = pos + 4
        lengths[:, j] = length
        pos = pos + 4 + np.maximum(length, 0)
    if n and (pos != ends).any():
        raise MalformedVectorError("COPY row length does not match its fields")
    return FieldSplit(buf, offsets, lengths)


def scan_rows(buf: U8Matrix, nfields: int) -> FieldSplit:
    """Sequential split of a buffer of whole rows (no header/trailer): the slow, general way."""
    data = buf.tobytes()
    starts: list[int] = []
    pos = 0
    unpack_h, unpack_i = struct.Struct(">h").unpack_from, struct.Struct(">i").unpack_from
    size = len(data)
    while pos < size:
        starts.append(pos)
        if pos + 2 > size or unpack_h(data, pos)[0] != nfields:
            raise MalformedVectorError(f"malformed COPY row at byte {pos}")
        pos += 2
        for _ in range(nfields):
            if pos + 4 > size:
                raise MalformedVectorError("COPY row is truncated")
            length = unpack_i(data, pos)[0]
            pos += 4 + max(length, 0)
        if pos > size:
            raise MalformedVectorError("COPY row is truncated")
    return split_rows(buf, np.asarray(starts, dtype=np.int64), nfields)


def dense_from_fields(
    split: FieldSplit,
    j: int,
    layout: BinaryLayout,
    dim: int,
    elem: np.dtype[Any] = _F32_BE,
) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    """Field j of every row as an ``(n, dim)`` native float matrix plus a NULL mask.

    Every non-NULL value must be a vector of ``dim`` dimensions in ``layout``; NULL rows are
    zeros. Evenly spaced rows are read through one strided view; others row by row."""
    native = elem.newbyteorder("=")
    hdr = layout.header_size
    rec = hdr + elem.itemsize * dim
    n = split.rows
    lengths = split.lengths[:, j]
    null = lengths == -1
    bad = np.flatnonzero(~null & (lengths != rec))
    if bad.size:
        i = int(bad[0])
        raise MalformedVectorError(
            f"row {i}: vector value of {int(lengths[i])} bytes, expected {rec} "
            f"({layout.value} layout, {dim} dimensions)",
            row=i,
            expected=dim,
        )
    buf = split.buffer
    offsets = split.offsets[:, j]
    out = np.empty((n, dim), dtype=native)
    if n == 0:
        return out, null
    if null.any():
        out[null] = 0
    heads = _read_be(buf, offsets[~null], 2)
    if (heads != dim).any():
        i = int(np.flatnonzero(~null)[np.flatnonzero(heads != dim)[0]])
        raise MalformedVectorError(f"row {i}: header dim does not match {dim}", row=i, expected=dim)
    if not null.any() and split.uniform(j):
        stride = int(offsets[1] - offsets[0]) if n > 1 else rec
        view = np.ndarray(
            (n, dim),
            dtype=elem,
            buffer=buf,
            offset=int(offsets[0]) + hdr,
            strides=(stride, elem.itemsize),
        )
        out[...] = view
        return out, null
    # rows at uneven positions: gather bytes in blocks (bounded index memory)
    present = np.flatnonzero(~null)
    span = np.arange(rec - hdr, dtype=np.int64)
    for s in range(0, present.shape[0], _GATHER_ROWS):
        rows = present[s : s + _GATHER_ROWS]
        picked = buf[(offsets[rows] + hdr)[:, None] + span]
        out[rows] = picked.view(elem)
    return out, null
