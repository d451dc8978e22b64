"""float64 reference distances with honest float32 error bounds.

The kernels accumulate in float32 (lane-parallel, then a short tree), so the
error of a reduction is about eps32 * sqrt(d) * sum|terms| for random data; the
bound uses 8x that, which still flags a dropped or doubled element once d is
below a few thousand (a single term is ~1/d of the sum).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

EPS = float(np.finfo(np.float32).eps)

F64 = NDArray[np.float64]


def reference(
    q: NDArray[np.float64], x: NDArray[np.float64], metric: str, xmag: F64 | None = None
) -> tuple[F64, F64]:
    """(distances, tolerance), both (nq, n), for float64 inputs (already rounded to storage).

    ``xmag`` bounds |x| elementwise when x is itself computed in float32 (SQ8
    decodes lo + scale * code, so its rounding scales with |lo| + |scale * code|).
    """
    d = q.shape[1]
    ax = np.abs(x) if xmag is None else xmag
    grow = 8.0 * EPS * np.sqrt(d) + 4 * EPS
    diff = q[:, None, :] - x[None, :, :]
    if metric == "ip":
        dot = q @ x.T
        return -dot, grow * (np.abs(q) @ ax.T) + 1e-30
    if metric == "l1":
        mag = (np.abs(q)[:, None, :] + ax[None, :, :]).sum(axis=2)
        return np.abs(diff).sum(axis=2), grow * mag + 1e-30
    if metric == "cosine":
        qn = np.linalg.norm(q, axis=1)[:, None]
        xn = np.linalg.norm(x, axis=1)[None, :]
        zero = (qn < 2.0**-60) | (xn < 2.0**-60)  # accel.COSINE_MIN_NORM
        cos = (q @ x.T) / np.where(zero, 1.0, qn * xn)
        rel = (np.abs(q) @ ax.T) / np.where(zero, 1.0, qn * xn)
        tol = np.where(zero, 0.0, grow * (rel + 2.0) + 2 * EPS)
        # A candidate that is zero only up to its own rounding (SQ8 lo + scale * code)
        # has no reliable direction: any cosine distance in [0, 2] is acceptable.
        fuzzy = xn <= 4 * EPS * np.linalg.norm(ax, axis=1)[None, :]
        return np.where(zero, 1.0, 1.0 - cos), np.where(fuzzy & (ax.max(axis=1) > 0), 2.0, tol)
    sq = (diff * diff).sum(axis=2)
    mag = ((np.abs(q)[:, None, :] + ax[None, :, :]) ** 2).sum(axis=2)
    tol_sq = grow * mag + 1e-30
    if metric == "sqeuclidean":
        return sq, tol_sq
    root = np.sqrt(sq)
    tol = np.where(sq > tol_sq, tol_sq / (2 * np.maximum(root, 1e-300)), np.sqrt(tol_sq))
    return root, tol + 2 * EPS * root
