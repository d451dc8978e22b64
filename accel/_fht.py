"""RaBitQ's fast random rotation: sign flips and Hadamard transforms, O(D log D) a row.

Rows are zero-padded to ``D`` (a multiple of 64); each round multiplies by a row of
random signs and applies the normalized Walsh-Hadamard transform to a power-of-two
window, the first ``m`` entries in even rounds and the last ``m`` in odd ones
(``m`` the largest power of two <= D), so the windows overlap and every coordinate
mixes with every other.  Every step is orthogonal, so the map is a rotation.  The C
kernel is ``accel/src/rotate.c``; the numpy version here performs the same float32
operations in the same order, so both give identical results.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from . import _backend

F32 = NDArray[np.float32]

ROUNDS = 4


def draw_signs(rng: np.random.Generator, d_pad: int) -> F32:
    """Random +-1 signs (ROUNDS, d_pad), float32."""
    signs: F32 = (rng.integers(0, 2, (ROUNDS, d_pad)) * 2 - 1).astype(np.float32)
    return signs


def window(d_pad: int) -> int:
    """The largest power of two <= d_pad."""
    return 1 << (d_pad.bit_length() - 1)


def rotate(x: F32, signs: F32) -> F32:
    """Rows of x (n, d), float32 C-contiguous, rotated into (n, D), D = signs.shape[1]."""
    n, d = x.shape
    d_pad = signs.shape[1]
    out = np.empty((n, d_pad), np.float32)
    ext = _backend.kernels()
    if ext is not None:
        ext.fht_rotate(x=x, signs=signs, out=out)
        return out
    out[:, :d] = x
    out[:, d:] = 0.0
    m = window(d_pad)
    norm = np.float32(1.0 / np.sqrt(m))
    for r in range(signs.shape[0]):
        out *= signs[r]
        w = out[:, d_pad - m :] if r % 2 else out[:, :m]
        h = 1
        while h < m:
            pairs = w.reshape(n, m // (2 * h), 2, h)
            a = pairs[:, :, 0, :].copy()
            b = pairs[:, :, 1, :]
            pairs[:, :, 0, :] += b
            np.subtract(a, b, out=pairs[:, :, 1, :])
            h *= 2
        w *= norm
    return out
