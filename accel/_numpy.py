"""Pure numpy back end: used when the C extension is missing or ACCEL_SIMD=numpy.

Same contract as the C kernels, computed in float64 and rounded to float32 at
the end (so it is, if anything, slightly more accurate); blocks over candidates
like the C scan so top-k memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Callable

import numexpr as ne
import numpy as np
from numpy.typing import NDArray

from ._enums import COSINE_MIN_SQNORM, Metric

BLOCK_ELEMENTS = 1 << 21  # float64 values per candidate block (16 MiB)

Decoder = Callable[[int, int], NDArray[np.float64]]
BlockFn = Callable[[int, int], NDArray[np.float32]]

_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)

_F32_MAX = float(np.finfo(np.float32).max)

NONFINITE = (
    "non-finite distance: the input contains nan or inf "
    "(or values so large that float32 overflows to inf)"
)


def block_rows(row_elements: int, nq: int = 1) -> int:
    return max(16, BLOCK_ELEMENTS // max(1, row_elements * max(1, nq)))


def vector_block(
    q: NDArray[np.float64], x: NDArray[np.float64], metric: Metric
) -> NDArray[np.float64]:
    """Metric values between queries q (nq, d) and candidates x (nb, d).

    Computed in float64 with the C kernels' float32 rules (see accel's docstring):
    an intermediate beyond float32's range gives NaN (rejected by the caller),
    and cosine treats squared norms below COSINE_MIN_SQNORM as zero vectors.
    """
    if q.shape[0] == 0 or x.shape[0] == 0:
        return np.zeros((q.shape[0], x.shape[0]))
    if metric == Metric.L1:
        l1: NDArray[np.float64] = np.asarray(
            ne.evaluate("sum(abs(a - b), axis=2)", {"a": q[:, None, :], "b": x[None]})
        )
        return np.where(l1 <= _F32_MAX, l1, np.nan)
    with np.errstate(invalid="ignore", over="ignore"):
        dot: NDArray[np.float64] = q @ x.T
        if metric == Metric.IP:
            return np.where(np.abs(dot) <= _F32_MAX, -dot, np.nan)
        xx = np.einsum("ij,ij->i", x, x)
        if metric == Metric.COSINE:
            qq = np.einsum("ij,ij->i", q, q)[:, None]
            if (qq > _F32_MAX).any():
                return np.full(dot.shape, np.nan)
            xsq = xx[None, :]
            zero = (qq < COSINE_MIN_SQNORM) | (xsq < COSINE_MIN_SQNORM)
            cos = 1.0 - dot / np.where(zero, 1.0, np.sqrt(qq * xsq))
            return np.where(~(xsq <= _F32_MAX), np.nan, np.where(zero, 1.0, cos))
        # Expanded form is exact enough in float64 for a float32 result.
        sq = np.maximum(np.einsum("ij,ij->i", q, q)[:, None] + xx[None, :] - 2.0 * dot, 0.0)
        sq = np.where(np.isfinite(dot) & (sq <= _F32_MAX), sq, np.nan)
        return np.sqrt(sq) if metric == Metric.L2 else sq


def hamming_block(a: NDArray[np.uint8], b: NDArray[np.uint8]) -> NDArray[np.float32]:
    counts: NDArray[np.int64] = _POPCOUNT[a[:, None, :] ^ b[None, :, :]].sum(axis=2, dtype=np.int64)
    return counts.astype(np.float32)


def pq_adc_block(luts: NDArray[np.float32], codes: NDArray[np.uint8]) -> NDArray[np.float32]:
    """luts (nq, m, ksub), codes (nb, m) -> (nq, nb) summed table entries."""
    m = codes.shape[1]
    picked: NDArray[np.float32] = luts[:, np.arange(m)[None, :], codes]  # (nq, nb, m)
    sums: NDArray[np.float64] = picked.sum(axis=2, dtype=np.float64)
    return sums.astype(np.float32)


def distances(nq: int, nx: int, rows: int, block: BlockFn, out: NDArray[np.float32]) -> None:
    for j0 in range(0, nx, rows):
        j1 = min(nx, j0 + rows)
        values = block(j0, j1)
        if not np.isfinite(values).all():
            raise ValueError(NONFINITE)
        out[:, j0:j1] = values


def topk(
    nq: int, nx: int, k: int, rows: int, block: BlockFn
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Running top-k merge; a stable sort keeps (distance, index) order on ties."""
    best_d = np.empty((nq, 0), dtype=np.float32)
    best_i = np.empty((nq, 0), dtype=np.int64)
    for j0 in range(0, nx, rows):
        j1 = min(nx, j0 + rows)
        values = block(j0, j1)
        if not np.isfinite(values).all():
            raise ValueError(NONFINITE)
        cand_d = np.concatenate([best_d, values], axis=1)
        cand_i = np.concatenate([best_i, np.broadcast_to(np.arange(j0, j1), values.shape)], axis=1)
        order = np.argsort(cand_d, axis=1, kind="stable")[:, :k]
        best_d = np.take_along_axis(cand_d, order, axis=1)
        best_i = np.take_along_axis(cand_i, order, axis=1)
    return np.ascontiguousarray(best_i), np.ascontiguousarray(best_d)


def f32_to_f16(x: NDArray[np.float32]) -> NDArray[np.float16]:
    with np.errstate(over="ignore"):  # overflow to inf is the defined result
        return x.astype(np.float16)


def sq8_encode(
    x: NDArray[np.float32], lo: NDArray[np.float32], inv_scale: NDArray[np.float32]
) -> NDArray[np.uint8]:
    v = (x - lo) * inv_scale  # float32 throughout, the same rounding as the kernels
    codes: NDArray[np.uint8] = np.rint(np.clip(v, 0.0, 255.0)).astype(np.uint8)
    return codes


def binary_quantize(x: NDArray[np.float32]) -> NDArray[np.uint8]:
    bits: NDArray[np.uint8] = np.packbits(x > 0, axis=-1, bitorder="big")
    return bits


def pq_assign(
    x: NDArray[np.float32], centroids: NDArray[np.float32], out: NDArray[np.uint8]
) -> None:
    """out[:, s] = nearest centroid of subspace s; centroids (m, ksub, dsub)."""
    m, _, dsub = centroids.shape
    rows = block_rows(centroids.shape[1])
    for s in range(m):
        c = centroids[s].astype(np.float64)
        cn = np.einsum("ij,ij->i", c, c)
        for j0 in range(0, x.shape[0], rows):
            sub = x[j0 : j0 + rows, s * dsub : (s + 1) * dsub].astype(np.float64)
            out[j0 : j0 + rows, s] = np.argmin(cn[None, :] - 2.0 * (sub @ c.T), axis=1)
