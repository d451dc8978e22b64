"""Text and binary wire codecs for ``ruvector``, pgvector ``vector``, ``halfvec`` and ``sparsevec``.

Everything is numpy-based with no per-element Python loop on dense vectors. Round trips are
bit-exact for every finite float32 (and float16 for ``halfvec``):

* Text encode uses ``%.9g``: nine significant digits always identify a binary32 value, the
  server parses them with a correctly rounded ``f32`` parser (Rust / ``strtof``), and formatting
  all elements with one ``%`` operation is ~3x faster than numpy's shortest-repr formatting.
  It may emit exponent notation (``1e-07``), which both servers accept on input.
* Text decode parses all elements with one ``np.array(tokens, dtype=float64)`` call and rounds
  to float32. Decimal -> float64 -> float32 can double-round only when the float64 lands exactly
  on a float32 midpoint; that case is detected vectorised and re-decided exactly with
  ``decimal`` for those elements only, so the result equals a correctly rounded ``strtof``
  for arbitrary input, not just for the shortest-repr text that servers print.
* Binary: ruvector 2.0.5 sends ``>H dim`` then ``dim x >f4``; pgvector sends ``>H dim, >H 0``
  then ``dim x >f4``. The two lengths differ by 2 for every dim, so a mismatch is always
  detectable and reported with the layout the buffer does match.

The encoders do not validate values (NaN, dimension limits of the column): call
:func:`sqlalchemy_ruvector.values.to_float32` & co. first; the decoders validate structure.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt

from .values import (
    MAX_DIM,
    SPARSE_MAX_NNZ,
    Float16Array,
    Float32Array,
    SparseVector,
    _check_sparse_dim,
)

__all__ = [
    "BinaryLayout",
    "detect_binary_layout",
    "halfvec_from_binary",
    "halfvec_from_text",
    "halfvec_to_binary",
    "halfvec_to_text",
    "sparsevec_from_binary",
    "sparsevec_from_text",
    "sparsevec_to_binary",
    "sparsevec_to_text",
    "vector_binary_decoder",
    "vector_binary_encoder",
    "vector_from_binary",
    "vector_from_text",
    "vector_to_binary",
    "vector_to_text",
    "vectors_from_binary",
    "vectors_to_binary",
]

Buffer = bytes | bytearray | memoryview
TextInput = str | bytes | bytearray | memoryview

_F32_BE: Final = np.dtype(">f4")
_F32: Final = np.dtype(np.float32)
_F16_BE: Final = np.dtype(">f2")
_I32_BE: Final = np.dtype(">i4")
_HEAD_PG: Final = struct.Struct(">HH")
_HEAD_RU: Final = struct.Struct(">H")
_HEAD_SPARSE: Final = struct.Struct(">iii")


class _Narrow(NamedTuple):
    """Constants to spot float64 values that are midpoints of a narrower float format."""

    low_mask: int  # float64 mantissa bits the narrow format drops
    half_bit: int  # pattern of those bits at a midpoint (100...0)
    tiny: float  # smallest normal narrow value (below it, midpoints have more zero bits)
    max_finite: float
    overflow_limit: float  # 2**(emax+1): where rounding goes to inf


_NARROW: Final = {
    np.dtype(np.float32): _Narrow(
        (1 << 29) - 1, 1 << 28, 2.0**-126, float(np.finfo(np.float32).max), 2.0**128
    ),
    np.dtype(np.float16): _Narrow((1 << 42) - 1, 1 << 41, 2.0**-14, 65504.0, 2.0**16),
}


class BinaryLayout(enum.Enum):
    """Binary send/recv layout of a dense float32 vector type."""

    #: pgvector ``vector`` (and ruvector's on-disk datum): ``>H dim, >H unused=0, dim x >f4``.
    PGVECTOR = "pgvector"
    #: published ruvector-postgres 2.0.5 ``ruvector_send/recv``: ``>H dim, dim x >f4``.
    RUVECTOR = "ruvector"

    @property
    def header_size(self) -> int:
        return 4 if self is BinaryLayout.PGVECTOR else 2

    def expected_size(self, dim: int) -> int:
        return self.header_size + 4 * dim


_PG: Final = BinaryLayout.PGVECTOR
_HEADER_SIZE: Final = {BinaryLayout.PGVECTOR: 4, BinaryLayout.RUVECTOR: 2}


def _layout(layout: BinaryLayout | str) -> BinaryLayout:
    if layout.__class__ is BinaryLayout:
        return layout
    return layout if isinstance(layout, BinaryLayout) else BinaryLayout(layout)


def _header(lay: BinaryLayout, dim: int) -> bytes:
    return _HEAD_PG.pack(dim, 0) if lay is _PG else _HEAD_RU.pack(dim)


def _preview(text: object) -> str:
    r = repr(text)
    return r if len(r) <= 60 else r[:57] + "..."


def _as_text(text: TextInput) -> str:
    if isinstance(text, str):
        return text
    try:
        return bytes(text).decode("ascii")
    except UnicodeDecodeError:
        raise ValueError(f"invalid vector text: non-ASCII bytes in {_preview(text)}") from None


# --------------------------------------------------------------------------------------------
# float parsing/formatting shared by vector, halfvec and sparsevec
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=128)
def _join_format(n: int, spec: str) -> str:
    """``'%.9g,%.9g,...'`` for n elements (cached: built once per dimension)."""
    return ",".join([spec] * n)


def _format_floats(values: list[float], spec: str) -> str:
    return _join_format(len(values), spec) % tuple(values)


def _parse_floats(tokens: list[str], dtype: np.dtype[Any], kind: str) -> Any:
    """Parse decimal tokens to ``dtype`` with correct rounding; reject NaN/Inf/garbage."""
    try:
        wide = np.array(tokens, dtype=np.float64)
    except ValueError:
        for i, tok in enumerate(tokens):
            try:
                float(tok)
            except ValueError:
                raise ValueError(
                    f"invalid {kind} text: element {i} {_preview(tok)} is not a number"
                ) from None
        raise  # pragma: no cover - np.array and float() disagree
    with np.errstate(over="ignore", invalid="ignore"):
        out = wide.astype(dtype)
    _fix_double_rounding(wide, out, tokens)
    finite = np.isfinite(out)
    if not finite.all():
        i = int(np.flatnonzero(~finite)[0])
        what = "nan" if np.isnan(out[i]) else "inf (out of range)"
        raise ValueError(
            f"invalid {kind} text: element {i} {_preview(tokens[i].strip())} is {what}; "
            f"NaN and infinite values are not allowed"
        )
    return out


def _fix_double_rounding(wide: npt.NDArray[np.float64], out: Any, tokens: list[str]) -> None:
    """Correct decimal -> float64 -> narrow double rounding, in place.

    Rounding the float64 again can differ from rounding the decimal directly only when the
    float64 is *exactly* the midpoint between two adjacent narrow values (the midpoint is
    representable in float64 and rounding is monotonic). A cheap bit test on the float64
    finds possible midpoints among normal values; subnormal/huge values are always examined.
    Survivors get an exact vectorised midpoint test and, only for real midpoints, an exact
    Decimal comparison. Text printed by a server (shortest float32 digits) never reaches the
    Decimal branch.
    """
    info = _NARROW[out.dtype]
    bits = wide.view(np.uint64) & np.uint64(info.low_mask)
    magnitude = np.abs(wide)
    suspects = (
        (bits == np.uint64(info.half_bit)) | (magnitude < info.tiny) | (magnitude > info.max_finite)
    )
    if not suspects.any():
        return
    sel = np.flatnonzero(suspects)
    w = wide[sel]
    o = out[sel]
    limit = info.overflow_limit
    with np.errstate(invalid="ignore", over="ignore"):
        back = o.astype(np.float64)
        back = np.where(np.isinf(back) & np.isfinite(w), np.copysign(limit, w), back)
        toward = np.where(w > back, np.inf, -np.inf).astype(out.dtype)
        neighbour = np.nextafter(o, toward)
        nb_wide = np.where(np.isinf(neighbour), np.copysign(limit, w), neighbour)
        is_mid = (w != back) & ((back + nb_wide) * 0.5 == w)
    for j in np.flatnonzero(is_mid).tolist():
        i = int(sel[j])
        exact = Decimal(tokens[i].strip())
        midpoint = Decimal(float(w[j]))
        if exact == midpoint:
            continue  # a true tie: the ties-to-even cast is already right
        pair = (o[j], neighbour[j])
        out[i] = max(pair) if exact > midpoint else min(pair)


def _dense_from_text(text: TextInput, dtype: np.dtype[Any], kind: str) -> Any:
    s = _as_text(text).strip()
    if len(s) < 2 or s[0] != "[" or s[-1] != "]":
        raise ValueError(f"invalid {kind} text: expected '[...]', got {_preview(text)}")
    inner = s[1:-1]
    if not inner.isascii() or "_" in inner:
        raise ValueError(f"invalid {kind} text: unexpected characters in {_preview(text)}")
    if not inner.strip():
        return np.empty(0, dtype=dtype)
    tokens = inner.split(",")
    if len(tokens) > MAX_DIM:
        raise ValueError(f"invalid {kind} text: {len(tokens)} dimensions; the maximum is {MAX_DIM}")
    return _parse_floats(tokens, dtype, kind)


def _as_1d(arr: Any, dtype: type[np.floating[Any]], kind: str) -> Any:
    a = np.asarray(arr, dtype=dtype)
    if a.ndim != 1:
        raise ValueError(f"{kind} must be 1-D, got shape {a.shape}")
    if a.shape[0] > MAX_DIM:
        raise ValueError(f"{kind} has {a.shape[0]} dimensions; the maximum is {MAX_DIM}")
    return a


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
            raise ValueError(f"vector has {a.shape[0]} dimensions; the maximum is {MAX_DIM}")
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
                    raise ValueError(f"vector has {n} dimensions; the maximum is {MAX_DIM}")
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
    raise ValueError(
        f"binary value of {len(buf)} bytes matches neither the ruvector nor the pgvector layout"
    )


def _layout_matches(buf: Buffer, lay: BinaryLayout) -> bool:
    n = len(buf)
    if n < lay.header_size:
        return False
    dim = int(_HEAD_RU.unpack_from(buf)[0])
    if n != lay.expected_size(dim):
        return False
    return lay is BinaryLayout.RUVECTOR or _HEAD_RU.unpack_from(buf, 2)[0] == 0


def _check_binary(buf: Buffer, lay: BinaryLayout, elem_size: int = 4) -> int:
    n = len(buf)
    if n < lay.header_size:
        raise ValueError(
            f"binary value of {n} bytes is too short for the {lay.value} layout header"
        )
    dim = int(_HEAD_RU.unpack_from(buf)[0])
    expected = lay.header_size + elem_size * dim
    if n != expected:
        msg = (
            f"binary value of {n} bytes does not match {lay.value} layout for dim {dim} "
            f"(expected {expected})"
        )
        if elem_size == 4:
            other = BinaryLayout.PGVECTOR if lay is BinaryLayout.RUVECTOR else BinaryLayout.RUVECTOR
            if _layout_matches(buf, other):
                msg += f"; the server may use the {other.value} layout"
        raise ValueError(msg)
    if lay is BinaryLayout.PGVECTOR:
        unused = int(_HEAD_RU.unpack_from(buf, 2)[0])
        if unused:
            raise ValueError(
                f"binary value has unused header field {unused}, expected 0 for the "
                f"{lay.value} layout"
            )
    return dim


def vector_from_binary(buf: Buffer, layout: BinaryLayout | str) -> Float32Array:
    """Decode one binary value; the length must equal the header-implied length."""
    lay = _layout(layout)
    hdr = _HEADER_SIZE[lay]
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
    hdr = _HEADER_SIZE[lay]
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
        raise ValueError(f"expected a 2-D (n, dim) matrix, got shape {m.shape}")
    n, dim = m.shape
    if dim > MAX_DIM:
        raise ValueError(f"vector has {dim} dimensions; the maximum is {MAX_DIM}")
    if n == 0:
        return []
    lay = _layout(layout)
    hdr = lay.header_size
    rec = hdr + 4 * dim
    u8 = np.empty((n, rec), dtype=np.uint8)
    u8[:, 0] = dim >> 8
    u8[:, 1] = dim & 0xFF
    if lay is BinaryLayout.PGVECTOR:
        u8[:, 2:4] = 0
    floats = np.ndarray((n, dim), dtype=_F32_BE, buffer=u8, offset=hdr, strides=(rec, 4))
    floats[...] = m
    rows: list[bytes] = u8.view(np.dtype(("V", rec))).ravel().tolist()
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
        raise ValueError(f"row 0: expected {dim} dimensions, got {first_dim}")
    hdr = lay.header_size
    rec = hdr + 4 * dim
    lengths = np.fromiter(map(len, buffers), dtype=np.int64, count=n)
    bad = np.flatnonzero(lengths != rec)
    if bad.size:
        i = int(bad[0])
        try:
            row_dim = _check_binary(buffers[i], lay)
        except ValueError as exc:
            raise ValueError(f"row {i}: {exc}") from None
        raise ValueError(f"row {i}: expected {dim} dimensions, got {row_dim}")
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
        raise ValueError(f"row {i}: header dim {int(dims[i])} does not match length for dim {dim}")
    if lay is BinaryLayout.PGVECTOR and u8[:, 2:4].any():
        i = int(np.flatnonzero(u8[:, 2:4].any(axis=1))[0])
        raise ValueError(f"row {i}: unused header field is not 0 for the pgvector layout")
    floats = np.ndarray((n, dim), dtype=_F32_BE, buffer=u8, offset=hdr, strides=(rec, 4))
    out: Float32Array = floats.astype(np.float32, order="C")
    return out


# --------------------------------------------------------------------------------------------
# halfvec (float16, pgvector layout)
# --------------------------------------------------------------------------------------------


def halfvec_to_text(arr: npt.ArrayLike) -> str:
    """``[1,2.5]``; 5 significant digits identify every float16 exactly.

    Also exact through pgvector's ``strtof`` -> half conversion: a 5-digit decimal is never
    within float32 rounding distance of a float16 midpoint (verified for all 63,488 finite
    halves in the tests).
    """
    a: Float16Array = _as_1d(arr, np.float16, "halfvec")
    return "[" + _format_floats(a.tolist(), "%.5g") + "]"


def halfvec_from_text(text: TextInput) -> Float16Array:
    """Parse ``[1,2.5]`` to float16 with correct rounding (pgvector prints float32 digits)."""
    out: Float16Array = _dense_from_text(text, np.dtype(np.float16), "halfvec")
    return out


def halfvec_to_binary(arr: npt.ArrayLike) -> bytes:
    """pgvector halfvec send format: ``>H dim, >H 0, dim x >f2``."""
    a: Float16Array = _as_1d(arr, np.float16, "halfvec")
    return _HEAD_PG.pack(a.shape[0], 0) + a.astype(_F16_BE).tobytes()


def halfvec_from_binary(buf: Buffer) -> Float16Array:
    dim = _check_binary(buf, BinaryLayout.PGVECTOR, elem_size=2)
    out: Float16Array = np.frombuffer(buf, dtype=_F16_BE, count=dim, offset=4).astype(np.float16)
    return out


# --------------------------------------------------------------------------------------------
# sparsevec (pgvector)
# --------------------------------------------------------------------------------------------


def _as_sparse(vec: Any) -> SparseVector:
    if not isinstance(vec, SparseVector):
        raise TypeError(
            f"expected a SparseVector, got {type(vec).__name__}; use values.to_sparse() first"
        )
    return vec


def sparsevec_to_text(vec: SparseVector) -> str:
    """``{1:1.5,3:2}/5``: pgvector's text form uses 1-BASED indices."""
    v = _as_sparse(vec)
    nnz = v.nnz
    flat: list[Any] = [None] * (2 * nnz)
    flat[0::2] = (v.indices.astype(np.int64) + 1).tolist()
    flat[1::2] = v.values.tolist()
    body = _join_format(nnz, "%d:%.9g") % tuple(flat) if nnz else ""
    return f"{{{body}}}/{v.dim}"


def sparsevec_from_text(text: TextInput) -> SparseVector:
    """Parse ``{1:1.5,3:2}/5`` (1-based indices) to a 0-based :class:`SparseVector`."""
    s = _as_text(text).strip()
    body, slash, dim_text = s.rpartition("/")
    body = body.strip()
    dim_text = dim_text.strip()
    if (
        not slash
        or len(body) < 2
        or body[0] != "{"
        or body[-1] != "}"
        or not s.isascii()
        or "_" in s
        or not dim_text.lstrip("+").isdigit()
    ):
        raise ValueError(
            f"invalid sparsevec text: expected '{{i:v,...}}/dim', got {_preview(text)}"
        )
    dim = _check_sparse_dim(int(dim_text))
    inner = body[1:-1]
    if not inner.strip():
        return SparseVector(np.empty(0, np.int32), np.empty(0, np.float32), dim)
    n = inner.count(",") + 1
    if n > SPARSE_MAX_NNZ:
        raise ValueError(
            f"invalid sparsevec text: {n} elements; the maximum is {SPARSE_MAX_NNZ} non-zeros"
        )
    tokens = inner.replace(":", ",").split(",")
    if len(tokens) != 2 * n or inner.count(":") != n:
        raise ValueError(
            f"invalid sparsevec text: every element must be 'index:value' in {_preview(text)}"
        )
    index_tokens = tokens[0::2]
    try:
        idx = np.array(index_tokens, dtype=np.int64)
    except (ValueError, OverflowError):
        raise ValueError(f"invalid sparsevec text: non-integer index in {_preview(text)}") from None
    bad = (idx < 1) | (idx > dim)
    if bad.any():
        raise ValueError(
            f"invalid sparsevec text: index {int(idx[np.flatnonzero(bad)[0]])} out of range for "
            f"dim {dim} (text indices are 1-based)"
        )
    vals = _parse_floats(tokens[1::2], np.dtype(np.float32), "sparsevec")
    return SparseVector(idx - 1, vals, dim)


def sparsevec_to_binary(vec: SparseVector) -> bytes:
    """pgvector send format: ``>i dim, >i nnz, >i 0, nnz x >i index (0-based), nnz x >f4``."""
    v = _as_sparse(vec)
    return (
        _HEAD_SPARSE.pack(v.dim, v.nnz, 0)
        + v.indices.astype(_I32_BE).tobytes()
        + v.values.astype(_F32_BE).tobytes()
    )


def sparsevec_from_binary(buf: Buffer) -> SparseVector:
    """Decode pgvector's sparsevec binary value, validating length, indices and values."""
    n = len(buf)
    if n < 12:
        raise ValueError(f"binary sparsevec value of {n} bytes is shorter than its 12-byte header")
    dim, nnz, unused = _HEAD_SPARSE.unpack_from(buf)
    if nnz < 0 or n != 12 + 8 * nnz:
        raise ValueError(
            f"binary sparsevec value of {n} bytes does not match nnz {nnz} "
            f"(expected {12 + 8 * max(nnz, 0)})"
        )
    if unused != 0:
        raise ValueError(f"binary sparsevec value has unused field {unused}, expected 0")
    idx = np.frombuffer(buf, dtype=_I32_BE, count=nnz, offset=12)
    vals = np.frombuffer(buf, dtype=_F32_BE, count=nnz, offset=12 + 4 * nnz)
    return SparseVector(idx.astype(np.int32), vals.astype(np.float32), dim)
