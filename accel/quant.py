"""Encoders: float16, SQ8 (per-dimension affine 8-bit) and sign-bit binary codes.

Each function converts its input to the layout the C kernels read (C-contiguous,
float32 unless stated) before crossing into C, so parameters held as float64 or
lists give the same codes as float32 ones on every back end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _backend, _numpy
from . import _validate as v

F32 = NDArray[np.float32]
_FLOATS = (np.float16, np.float32, np.float64)


def to_f16(x: Any, *, out: NDArray[np.float16] | None = None) -> NDArray[np.float16]:
    """float32 (or float16/float64) array of any shape, 0-d included -> float16 of that shape.

    Rounds to nearest even (F16C); values beyond float16's range become +-inf.
    ``out`` (C-contiguous float16 of x's shape) receives the result when given;
    large outputs are written with non-temporal stores.
    """
    arr = np.asarray(x)
    if arr.dtype.type not in _FLOATS:
        raise TypeError(f"x: expected a float16, float32 or float64 array, got {arr.dtype}")
    src = np.asarray(arr, dtype=np.float32, order="C")  # keeps 0-d arrays 0-d
    target = np.empty(src.shape, np.float16) if out is None else out
    v.check_out(target, src.shape, np.float16)
    ext = _backend.kernels()
    if ext is None:
        target[...] = _numpy.f32_to_f16(src)
    else:
        ext.to_f16(x=src, out=target)
    return target


def from_f16(h: Any) -> F32:
    """float16 array of any shape -> float32 of that shape (exact)."""
    arr = np.asarray(h)
    if arr.dtype != np.float16:
        raise TypeError(f"h: expected a float16 array, got {arr.dtype}")
    src = np.asarray(arr, order="C")
    ext = _backend.kernels()
    if ext is None:
        return src.astype(np.float32)
    out = np.empty(src.shape, np.float32)
    ext.from_f16(x=src, out=out)
    return out


def _param(name: str, value: Any) -> F32:
    arr = np.asarray(value)
    if arr.dtype.type not in _FLOATS:
        raise TypeError(f"{name}: expected a float array, got {arr.dtype}")
    if arr.ndim != 1 or arr.shape[0] == 0:
        raise ValueError(f"{name}: expected a (d,) array, got shape {arr.shape}")
    return v.as_f32(name, arr, check_finite=True)


@dataclass(frozen=True)
class SQ8Params:
    """Per-dimension affine 8-bit quantization: x ~= lo + scale * code.

    ``lo`` and ``scale`` are stored as C-contiguous float32 (d,) arrays whatever
    they were given as (float64 arrays and lists are converted, not reinterpreted).
    """

    lo: F32
    scale: F32

    def __post_init__(self) -> None:
        lo, scale = _param("lo", self.lo), _param("scale", self.scale)
        if lo.shape != scale.shape:
            raise ValueError(f"scale: shape {scale.shape} does not match lo's {lo.shape}")
        if (scale < 0).any():
            raise ValueError("scale: must be >= 0")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "scale", scale)

    @property
    def inv_scale(self) -> F32:
        with np.errstate(divide="ignore"):
            return np.where(self.scale > 0, 1.0 / self.scale, 0.0).astype(np.float32)


def sq8_train(x: Any) -> SQ8Params:
    """Per-dimension min and (max - min) / 255 of the training vectors (n, d)."""
    arr = v.as_f32("x", v.float_matrix("x", x), check_finite=True)
    if arr.shape[0] == 0:
        raise ValueError("x: need at least one training vector")
    lo = arr.min(axis=0)
    scale = ((arr.max(axis=0).astype(np.float64) - lo) / 255.0).astype(np.float32)
    return SQ8Params(lo, scale)


def check_params(params: Any, d: int, name: str) -> SQ8Params:
    if not isinstance(params, SQ8Params):
        raise TypeError(f"params: expected SQ8Params, got {type(params).__name__}")
    if params.lo.shape != (d,):
        raise ValueError(f"params: trained for dimension {params.lo.shape[0]}, {name} has {d}")
    return params


def sq8_encode(
    x: Any, params: SQ8Params, *, out: NDArray[np.uint8] | None = None
) -> NDArray[np.uint8]:
    """Vectors (n, d) -> uint8 codes (n, d); values outside the trained range clamp.

    ``out`` (C-contiguous uint8 (n, d)) receives the codes when given; large
    outputs are written with non-temporal stores.
    """
    ext = _backend.kernels()  # the C encoder checks nan/inf in its own pass
    arr = v.as_f32("x", v.float_matrix("x", x), check_finite=ext is None)
    p = check_params(params, arr.shape[1], "x")
    target = np.empty(arr.shape, np.uint8) if out is None else out
    v.check_out(target, arr.shape, np.uint8)
    if ext is None:
        target[...] = _numpy.sq8_encode(arr, p.lo, p.inv_scale)
    else:
        ext.sq8_encode(x=arr, lo=p.lo, inv_scale=p.inv_scale, out=target)
    return target


def sq8_decode(codes: Any, params: SQ8Params) -> F32:
    """uint8 codes (n, d) -> float32 vectors lo + scale * code."""
    c = v.codes_matrix("codes", codes)
    p = check_params(params, c.shape[1], "codes")
    ext = _backend.kernels()
    if ext is None:
        return (p.lo + c * p.scale).astype(np.float32)
    out = np.empty(c.shape, np.float32)
    ext.sq8_decode(codes=c, lo=p.lo, scale=p.scale, out=out)
    return out


def binary_quantize(x: Any, *, out: NDArray[np.uint8] | None = None) -> NDArray[np.uint8]:
    """Sign bits (x > 0 -> 1) packed like ``numpy.packbits(x > 0, axis=-1)``.

    (n, d) -> (n, ceil(d / 8)) uint8, first element in the most significant bit;
    a 1-D vector gives a 1-D result.  ``out`` (C-contiguous uint8 of the result's
    shape) receives the bits when given.
    """
    ext = _backend.kernels()  # the C encoder checks nan/inf in its own pass
    f = v.as_f32("x", v.float_matrix("x", x, allow_1d=True), check_finite=ext is None)
    shape = (f.shape[0], (f.shape[1] + 7) // 8)
    one = np.ndim(x) == 1
    if out is None:
        target = np.empty(shape, np.uint8)
    else:
        target = v.check_out(out, shape[1:] if one else shape, np.uint8).reshape(shape)
    if ext is None:
        target[...] = _numpy.binary_quantize(f)
    else:
        ext.binary_quantize(x=f, out=target)
    if out is not None:
        return out
    return target[0] if one else target
