"""Shared pieces of the codecs: binary layouts, headers, float text formatting and parsing."""

from __future__ import annotations

import struct
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt

from ..binary_layout import BinaryLayout
from ..errors import InvalidVectorError, MalformedVectorError
from ..numeric import (
    MAX_DIM,
)

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


_PG: Final = BinaryLayout.PGVECTOR


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
        raise MalformedVectorError(
            f"invalid vector text: non-ASCII bytes in {_preview(text)}"
        ) from None


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
                raise MalformedVectorError(
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
        raise MalformedVectorError(
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
        raise MalformedVectorError(f"invalid {kind} text: expected '[...]', got {_preview(text)}")
    inner = s[1:-1]
    if not inner.isascii() or "_" in inner:
        raise MalformedVectorError(
            f"invalid {kind} text: unexpected characters in {_preview(text)}"
        )
    if not inner.strip():
        return np.empty(0, dtype=dtype)
    tokens = inner.split(",")
    if len(tokens) > MAX_DIM:
        raise MalformedVectorError(
            f"invalid {kind} text: {len(tokens)} dimensions; the maximum is {MAX_DIM}"
        )
    return _parse_floats(tokens, dtype, kind)


def _as_1d(arr: Any, dtype: type[np.floating[Any]], kind: str) -> Any:
    a = np.asarray(arr, dtype=dtype)
    if a.ndim != 1:
        raise InvalidVectorError(f"{kind} must be 1-D, got shape {a.shape}")
    if a.shape[0] > MAX_DIM:
        raise InvalidVectorError(
            f"{kind} has {a.shape[0]} dimensions; the maximum is {MAX_DIM}",
            dimension=a.shape[0],
        )
    return a


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
        raise MalformedVectorError(
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
        raise MalformedVectorError(msg)
    if lay is BinaryLayout.PGVECTOR:
        unused = int(_HEAD_RU.unpack_from(buf, 2)[0])
        if unused:
            raise MalformedVectorError(
                f"binary value has unused header field {unused}, expected 0 for the "
                f"{lay.value} layout"
            )
    return dim
