"""``ruvector`` / pgvector ``vector`` (float32): text, binary, and batches for bulk paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from ..binary_layout import BinaryLayout
from ..errors import InvalidVectorError, MalformedVectorError
from ..numeric import (
    MAX_DIM,
    Float32Array,
)
from ._common import (
    _F32,
    _F32_BE,
    _HEAD_PG,
    _HEAD_RU,
    _PG,
    Buffer,
    TextInput,
    _as_1d,
    _check_binary,
    _dense_from_text,
    _format_floats,
    _header,
    _layout,
    _layout_matches,
)
from .pgcopy import dense_fields

# --------------------------------------------------------------------------------------------
# vector / ruvector (float32)
# --------------------------------------------------------------------------------------------


def vector_to_text(arr: npt.ArrayLike) -> str:
    """``[1,2.5,-3]`` with 9 significant digits: the shortest always-exact float32 form."""
    a: Float32Array = _as_1d(arr, np.float32, "vector")
    return "[" + _format_floats(a.tolist(), "%.9g") + "]"


def vector_from_text(text: TextInput) -> Float32Array:
    """Parse ``[1,2.5,-3]`` (whitespace, exponents, ``+1`` accepted; ``[]`` -> 0 dims)."""
    out: Float32Array = _dense_from_text(text, np.dtype(np.float32), "vector")
    return out


def vector_to_binary(arr: npt.ArrayLike, layout: BinaryLayout | str) -> bytes:
    """Binary send format for ``layout`` (big-endian header and float32 values)."""
    lay = _layout(layout)
    if arr.__class__ is np.ndarray and arr.dtype is _F32 and arr.ndim == 1:
        a: Float32Array = arr  # the common case, no conversion
        if a.shape[0] > MAX_DIM:
            raise InvalidVectorError(
                f"vector has {a.shape[0]} dimensions; the maximum is {MAX_DIM}",
                dimension=a.shape[0],
            )
    else:
        a = _as_1d(arr, np.float32, "vector")
    return _header(lay, a.shape[0]) + a.astype(_F32_BE).tobytes()


def vector_binary_encoder(layout: BinaryLayout | str) -> Callable[[Any], bytes]:
    """:func:`vector_to_binary` bound to one layout, for per-row adapters.

    Native float32 1-D arrays (what :func:`~sqlalchemy_ruvector.values.to_float32` returns)
    take a short path with a per-dimension cached header; anything else goes through
    :func:`vector_to_binary` unchanged."""
    lay = _layout(layout)
    heads: dict[int, bytes] = {}
    ndarray, f32, be = np.ndarray, _F32, _F32_BE

    def encode(arr: Any) -> bytes:
        if arr.__class__ is ndarray and arr.dtype is f32 and arr.ndim == 1:
            n = arr.shape[0]
            head = heads.get(n)
            if head is None:
                if n > MAX_DIM:
                    raise InvalidVectorError(
                        f"vector has {n} dimensions; the maximum is {MAX_DIM}", dimension=n
                    )
                head = heads[n] = _header(lay, n)
            return head + arr.astype(be).tobytes()
        return vector_to_binary(arr, lay)

    return encode


def detect_binary_layout(buf: Buffer) -> BinaryLayout:
    """Infer the layout of one binary ``vector``/``ruvector`` value from its length.

    ``2 + 4*dim`` and ``4 + 4*dim`` never coincide for the same header, so this is
    unambiguous; use it to probe the server once.
    """
    for lay in (BinaryLayout.RUVECTOR, BinaryLayout.PGVECTOR):
        if _layout_matches(buf, lay):
            return lay
    raise MalformedVectorError(
        f"binary value of {len(buf)} bytes matches neither the ruvector nor the pgvector layout"
    )


def vector_from_binary(buf: Buffer, layout: BinaryLayout | str) -> Float32Array:
    """Decode one binary value; the length must equal the header-implied length."""
    lay = _layout(layout)
    hdr = lay.header_size
    n = len(buf)
    if n >= hdr and not (n - hdr) & 3:
        # short path: the length implies dim, the header agrees (all that _check_binary checks)
        dim = (n - hdr) >> 2
        if lay is _PG:
            ok = _HEAD_PG.unpack_from(buf) == (dim, 0)
        else:
            ok = _HEAD_RU.unpack_from(buf)[0] == dim
        if ok:
            return _decode_f32(buf, dim, hdr)
    return _decode_f32(buf, _check_binary(buf, lay), hdr)  # raises, naming the problem


def _decode_f32(buf: Buffer, dim: int, offset: int) -> Float32Array:
    out: Float32Array = np.frombuffer(buf, dtype=_F32_BE, count=dim, offset=offset).astype(_F32)
    return out


def vector_binary_decoder(
    layout: BinaryLayout | str, dim: int | None = None
) -> Callable[[Buffer], Float32Array]:
    """:func:`vector_from_binary` bound to one layout, for result processors and loaders.

    A value of the expected dimension (``dim``, else that of the last value decoded) is
    recognised by its length and header bytes alone; any other value is decoded (or
    rejected) by :func:`vector_from_binary`, so results and errors are identical."""
    lay = _layout(layout)
    hdr = lay.header_size
    frombuffer, f32, be = np.frombuffer, _F32, _F32_BE
    # (expected length, header, dim) in one tuple, so threads always see a matching set
    expect = (-1, b"", 0) if dim is None else (hdr + 4 * dim, _header(lay, dim), dim)
    learn = dim is None

    def decode(buf: Buffer) -> Float32Array:
        nonlocal expect
        size, head, n = expect
        if len(buf) == size and buf[:hdr] == head:
            out: Float32Array = frombuffer(buf, dtype=be, count=n, offset=hdr).astype(f32)
            return out
        out = vector_from_binary(buf, lay)
        if learn:
            expect = (len(buf), _header(lay, out.shape[0]), out.shape[0])
        return out

    return decode


# --------------------------------------------------------------------------------------------
# batches (bulk insert / fetch)
# --------------------------------------------------------------------------------------------


def vectors_to_binary(matrix: npt.ArrayLike, layout: BinaryLayout | str) -> list[bytes]:
    """Encode an ``(n, dim)`` matrix to n binary values with one numpy pass.

    All rows are written into one ``(n, record)`` uint8 buffer (headers set column-wise, floats
    byteswapped through a strided big-endian view); ``view('V<record>').tolist()`` then creates
    the n ``bytes`` objects in one C loop, with no intermediate joined copy.
    """
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim != 2:
        raise InvalidVectorError(f"expected a 2-D (n, dim) matrix, got shape {m.shape}")
    if m.shape[0] == 0:
        return []
    u8 = dense_fields(m, layout)
    rows: list[bytes] = u8.view(np.dtype(("V", u8.shape[1]))).ravel().tolist()
    return rows


def vectors_from_binary(
    buffers: list[Buffer] | tuple[Buffer, ...],
    layout: BinaryLayout | str,
    *,
    dim: int | None = None,
) -> Float32Array:
    """Decode n binary values of one dimension into an ``(n, dim)`` float32 matrix.

    One copy of all rows into an ``(n, record)`` buffer, one strided big-endian view and one
    byteswapping ``astype``; per-row work is limited to ``len()``. All rows must have the same
    dimension (a column ``ruvector(n)``).
    """
    lay = _layout(layout)
    n = len(buffers)
    if n == 0:
        return np.empty((0, dim or 0), dtype=np.float32)
    first_dim = _check_binary(buffers[0], lay)
    if dim is None:
        dim = first_dim
    elif first_dim != dim:
        raise MalformedVectorError(
            f"row 0: expected {dim} dimensions, got {first_dim}",
            row=0,
            dimension=first_dim,
            expected=dim,
        )
    hdr = lay.header_size
    rec = hdr + 4 * dim
    lengths = np.fromiter(map(len, buffers), dtype=np.int64, count=n)
    bad = np.flatnonzero(lengths != rec)
    if bad.size:
        i = int(bad[0])
        try:
            row_dim = _check_binary(buffers[i], lay)
        except MalformedVectorError as exc:
            raise exc.relocated(f"row {i}: ", row=i) from None
        raise MalformedVectorError(
            f"row {i}: expected {dim} dimensions, got {row_dim}",
            row=i,
            dimension=row_dim,
            expected=dim,
        )
    if set(map(type, buffers)) == {bytes}:
        # one C loop copying every bytes object into place (no joined intermediate); only for
        # bytes: numpy would treat memoryview/bytearray rows as sequences of uint8
        u8 = np.array(buffers, dtype=np.dtype(("V", rec))).view(np.uint8).reshape(n, rec)
    else:
        u8 = np.frombuffer(b"".join(buffers), dtype=np.uint8).reshape(n, rec)
    dims = (u8[:, 0].astype(np.uint16) << 8) | u8[:, 1]
    wrong = np.flatnonzero(dims != dim)
    if wrong.size:
        i = int(wrong[0])
        raise MalformedVectorError(
            f"row {i}: header dim {int(dims[i])} does not match length for dim {dim}",
            row=i,
            dimension=int(dims[i]),
            expected=dim,
        )
    if lay is BinaryLayout.PGVECTOR and u8[:, 2:4].any():
        i = int(np.flatnonzero(u8[:, 2:4].any(axis=1))[0])
        raise MalformedVectorError(
            f"row {i}: unused header field is not 0 for the pgvector layout", row=i
        )
    floats = np.ndarray((n, dim), dtype=_F32_BE, buffer=u8, offset=hdr, strides=(rec, 4))
    out: Float32Array = floats.astype(np.float32, order="C")
    return out
