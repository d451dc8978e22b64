"""Argument checking shared by the C and numpy back ends.

Every public function funnels its arrays through here so both back ends see
the same shapes and dtypes and raise the same errors, naming the argument.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._enums import Metric, metric_name

METRICS: dict[str, Metric] = {metric_name(m): m for m in Metric}
"""Public metric names and the C extension's Metric members."""

_FLOATS = (np.float16, np.float32, np.float64)


def metric_code(metric: str | Metric) -> Metric:
    """The Metric member for a public name (``"l2"``) or a member itself."""
    if isinstance(metric, Metric):
        return metric
    try:
        return METRICS[metric]
    except (KeyError, TypeError):
        raise ValueError(f"metric: expected one of {', '.join(METRICS)}, got {metric!r}") from None


def float_matrix(name: str, x: Any, *, allow_1d: bool = False) -> NDArray[Any]:
    """`x` as a C-contiguous 2-D float16/32/64 array (1-D promoted to one row if allowed)."""
    arr = np.asarray(x)
    if arr.dtype.type not in _FLOATS:
        raise TypeError(f"{name}: expected a float16, float32 or float64 array, got {arr.dtype}")
    if arr.ndim == 1 and allow_1d:
        arr = arr[None, :]
    if arr.ndim != 2:
        shape = "(d,) or (n, d)" if allow_1d else "(n, d)"
        raise ValueError(f"{name}: expected a {shape} array, got shape {arr.shape}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name}: dimension must be at least 1, got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def as_f32(name: str, x: NDArray[Any], *, check_finite: bool) -> NDArray[np.float32]:
    out = np.ascontiguousarray(x, dtype=np.float32)
    if check_finite and not np.isfinite(out).all():
        kind = "nan" if np.isnan(out).any() else "inf"
        raise ValueError(f"{name}: contains {kind} (nan and inf are not allowed)")
    return out


def same_dim(name: str, x: NDArray[Any], d: int, other: str) -> None:
    if x.shape[1] != d:
        raise ValueError(f"{name}: dimension {x.shape[1]} does not match {other} dimension {d}")


def codes_matrix(name: str, x: Any, *, allow_1d: bool = False) -> NDArray[np.uint8]:
    arr = np.asarray(x)
    if arr.dtype != np.uint8:
        raise TypeError(f"{name}: expected a uint8 array of codes, got {arr.dtype}")
    if arr.ndim == 1 and allow_1d:
        arr = arr[None, :]
    if arr.ndim != 2:
        shape = "(nbytes,) or (n, nbytes)" if allow_1d else "(n, nbytes)"
        raise ValueError(f"{name}: expected a {shape} array, got shape {arr.shape}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name}: code length must be at least 1, got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k: expected an int, got {type(k).__name__}")
    if k < 0:
        raise ValueError(f"k: must be >= 0, got {k}")
    return int(k)


def check_out(out: Any, shape: tuple[int, ...], dtype: type) -> NDArray[Any]:
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out: expected a numpy array, got {type(out).__name__}")
    if out.shape != shape or out.dtype != dtype or not out.flags.c_contiguous:
        raise ValueError(
            f"out: expected a C-contiguous {np.dtype(dtype).name} array of shape {shape}, "
            f"got {out.dtype} {out.shape}"
        )
    if not out.flags.writeable:
        raise ValueError("out: array is read-only")
    return out
