"""RaBitQ-style rotated binary codes: estimator top-k, then exact rerank.

Plain sign bits (:func:`accel.binary_quantize`) rank by Hamming distance, which
ignores how far each vector is from the data and how well its bits describe it.
RaBitQ (Gao & Long, SIGMOD 2024) fixes both: vectors are centred on the data's
mean and turned by a seeded random orthogonal rotation, so the sign bits of the
rotated residual are an unbiased, well-spread 1-bit code; each code keeps two
correction factors (the residual's norm and ``<x_bar, o>``, how well the bit
vector aligns with the unit residual), and the squared distance to a query is
estimated as::

    |x - c|^2 + |q - c|^2 - 2 |x - c| |q - c| <x_bar, q_hat> / <x_bar, o>

where ``<x_bar, q_hat>`` comes from the bits and the exact rotated query.  The
bit/query products run as a C table scan: one 256-entry table per code byte
(the sum of the query's rotated components under each bit pattern), the PQ ADC
kernel with m = d / 8 and ksub = 256.  The best ``k * rerank_factor`` estimates
are then re-ranked by exact l2 on the original vectors with :func:`accel.topk`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _validate as v
from .quant import binary_quantize
from .search import distances, hamming, topk

F32 = NDArray[np.float32]

QUERY_BITS = 4
"""The rotated query is quantized to this many bits per component (RaBitQ's B_q); the
estimator expression below spells out its four bit planes."""


@dataclass(frozen=True)
class RaBitQCodes:
    """Encoded vectors: sign bits of the rotated residual and the estimator's factors."""

    bits: NDArray[np.uint8]  # (n, d_pad / 8), packbits order
    norm: F32  # |x - c|
    align: F32  # <x_bar, o>: bit vector against the unit rotated residual, in (0, 1]
    ones: F32  # set bits per code
    norm2: F32  # |x - c|^2
    scale: F32  # f = 2 |x - c| / (<x_bar, o> sqrt(d_pad)): the estimator's per-code factor
    scale_ones: F32  # f * ones


class RaBitQ:
    """A fitted rotation and centre for ``d``-dimensional vectors (l2 search).

    ``fit`` needs only the data's mean; the rotation is a seeded random
    orthogonal matrix (QR of a Gaussian matrix), so two quantizers with the same
    ``d`` and ``seed`` and centre produce the same codes.
    """

    def __init__(self, seed: int = 0) -> None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed: expected an int, got {type(seed).__name__}")
        self.seed = int(seed)
        self.centre: F32 | None = None
        self.rotation: F32 | None = None  # (d_pad, d): rows are the rotated axes

    def _fitted(self) -> tuple[F32, F32]:
        if self.centre is None or self.rotation is None:
            raise RuntimeError("RaBitQ: call fit() first")
        return self.centre, self.rotation

    @property
    def d(self) -> int:
        return int(self._fitted()[0].shape[0])

    def fit(self, x: Any) -> RaBitQ:
        """Centre on the mean of x (n, d) and draw the rotation."""
        data = v.as_f32("x", v.float_matrix("x", x), check_finite=True)
        if data.shape[0] == 0:
            raise ValueError("x: need at least one training vector")
        d = data.shape[1]
        d_pad = (d + 63) // 64 * 64  # whole 64-bit words of code
        rng = np.random.default_rng(self.seed)
        gauss = rng.standard_normal((d_pad, d_pad))
        qmat, r = np.linalg.qr(gauss)
        qmat *= np.sign(np.diag(r))[None, :]  # a uniformly random orthogonal matrix
        self.centre = data.mean(axis=0, dtype=np.float64).astype(np.float32)
        self.rotation = np.ascontiguousarray(qmat[:, :d], dtype=np.float32)
        return self

    def _rotate(self, name: str, x: Any) -> tuple[F32, F32]:
        """Rotated residuals (n, d_pad) and their norms |x - c|."""
        centre, rotation = self._fitted()
        data = v.as_f32(name, v.float_matrix(name, x, allow_1d=True), check_finite=True)
        v.same_dim(name, data, centre.shape[0], "the quantizer's")
        # The rotation by accel's own batch kernel (ip = -dot): single-threaded, no BLAS.
        rotated = distances(data - centre, rotation, "ip")
        np.negative(rotated, out=rotated)
        norms = np.sqrt(np.einsum("ij,ij->i", rotated, rotated, dtype=np.float64))
        return rotated, norms.astype(np.float32)

    def encode(self, x: Any) -> RaBitQCodes:
        """Vectors (n, d) -> codes; a vector at the centre gets align 1 (its estimate is exact)."""
        rotated, norms = self._rotate("x", x)
        bits = binary_quantize(rotated)
        d_pad = rotated.shape[1]
        # <x_bar, o> = sum |o_k| / sqrt(d_pad) for the unit residual o: the bits are its signs.
        l1 = np.abs(rotated).sum(axis=1, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            align = np.where(norms > 0, l1 / (norms * np.sqrt(d_pad)), 1.0)
        align32 = np.maximum(align, 1e-6).astype(np.float32)
        ones = (rotated > 0).sum(axis=1).astype(np.float32)
        scale = (2.0 * norms / (align32 * np.sqrt(d_pad))).astype(np.float32)
        return RaBitQCodes(bits, norms, align32, ones, norms * norms, scale, scale * ones)

    def estimate(self, queries: Any, codes: RaBitQCodes) -> F32:
        """Estimated squared l2 distances (nq, n) between queries and encoded vectors."""
        rotated, qnorm = self._rotate("queries", queries)
        nq, d_pad = rotated.shape
        if codes.bits.shape[1] != d_pad // 8:
            raise ValueError(f"codes: {codes.bits.shape[1]} bytes per code, expected {d_pad // 8}")
        # <b, q'> from popcounts: q' ~ lo + step * u with u in [0, 2**QUERY_BITS), and
        # <b, u> = sum_j 2**j popcount(b & plane_j) = sum_j 2**j (|b| + |p_j| - ham(b, p_j)) / 2.
        # With x_bar = (2b - 1) / sqrt(d_pad) the estimate |x-c|^2 + |q-c|^2 - 2 |x-c| <x_bar,
        # q'> / <x_bar, o> becomes, per code, norm2 + qn^2 - A*f*ones - B*f + step*f*h with
        # h = sum_j 2**j ham_j, A = 2 lo + (2**B - 1) step, B = step * sum_j 2**j |p_j| - sum q'.
        top = 2**QUERY_BITS - 1
        lo = rotated.min(axis=1)
        step = (rotated.max(axis=1) - lo) / top
        step = np.where(step > 0, step, 1.0).astype(np.float32)
        u = np.rint((rotated - lo[:, None]) / step[:, None]).astype(np.uint8)
        planes = np.stack([(u >> j) & 1 for j in range(QUERY_BITS)], axis=1)  # (nq, B, d_pad)
        plane_bits = np.packbits(planes, axis=2).reshape(nq * QUERY_BITS, -1)
        weights = 2.0 ** np.arange(QUERY_BITS)
        weighted_ones = planes.sum(axis=2) @ weights  # (nq,)
        ham = hamming(plane_bits, codes.bits).astype(np.float32).reshape(nq, QUERY_BITS, -1)
        total = rotated.sum(axis=1, dtype=np.float64)
        w32 = weights.astype(np.float32)
        out = np.empty((nq, ham.shape[2]), np.float32)
        for i in range(nq):
            row = out[i]
            np.dot(w32, ham[i], out=row)  # h
            row *= np.float32(step[i])
            row -= np.float32(step[i] * weighted_ones[i] - total[i])
            row *= codes.scale
            row += codes.norm2
            row += np.float32(float(qnorm[i]) ** 2)
            row -= np.float32(2.0 * lo[i] + top * step[i]) * codes.scale_ones
        return np.maximum(out, 0.0, out=out)

    def search(
        self, queries: Any, codes: RaBitQCodes, vectors: Any, k: int, rerank_factor: int = 20
    ) -> tuple[NDArray[np.int64], F32]:
        """Top-k by exact l2 among the ``k * rerank_factor`` best estimates.

        ``vectors`` are the original (n, d) vectors the codes were made from; the
        result has the conventions of :func:`accel.topk` (sorted, l2 distances).
        """
        kk = v.check_k(k)
        if isinstance(rerank_factor, bool) or not isinstance(rerank_factor, (int, np.integer)):
            raise TypeError(f"rerank_factor: expected an int, got {type(rerank_factor).__name__}")
        if rerank_factor < 1:
            raise ValueError(f"rerank_factor: must be >= 1, got {rerank_factor}")
        x = v.float_matrix("vectors", vectors)
        if x.shape[0] != codes.bits.shape[0]:
            raise ValueError(
                f"vectors: {x.shape[0]} rows, but the codes encode {codes.bits.shape[0]}"
            )
        one = np.ndim(queries) == 1
        q = np.atleast_2d(np.asarray(queries))
        est = self.estimate(q, codes)
        n = est.shape[1]
        keep = min(n, kk * int(rerank_factor))
        kk = min(kk, n)
        idx = np.empty((q.shape[0], kk), np.int64)
        dist = np.empty((q.shape[0], kk), np.float32)
        if keep:
            short = np.argpartition(est, keep - 1, axis=1)[:, :keep]
            short.sort(axis=1)  # index order: ties in the exact pass go to the lower index
            for i in range(q.shape[0]):
                j, dd = topk(q[i], x[short[i]], kk, "l2")
                idx[i], dist[i] = short[i][j], dd
        return (idx[0], dist[0]) if one else (idx, dist)
