"""RaBitQ-style rotated binary codes: estimator top-k, then exact rerank.

Plain sign bits (:func:`accel.binary_quantize`) rank by Hamming distance, which
ignores how far each vector is from the data and how well its bits describe it.
RaBitQ (Gao & Long, SIGMOD 2024) fixes both.  Each vector ``x`` is taken relative
to its nearest of a few k-means centroids ``c`` (the residual ``x - c`` is far
shorter than ``x`` minus the global mean on clustered data, and the estimator's
error scales with it) and turned by a seeded random orthogonal rotation ``P``, so
the sign bits ``b`` of ``o = P(x - c)`` are an unbiased, well-spread 1-bit code.
With ``x_bar = (2b - 1) / sqrt(D)`` the squared distance to a query ``q`` is
estimated as::

    |x - c|^2 + |q - c|^2 - 2 |o| <x_bar, P(q - c)> / <x_bar, o / |o|>

Everything that depends on the code alone (its norm, ``<x_bar, o / |o|>`` and
``<b, P c>``) is precomputed per code, ``|q - c|^2`` once per query and centroid,
and the one product left, ``<b, P q>``, comes from 4-bit table lookups over the
bits (:mod:`accel._rabitq_scan`).  The best ``k * rerank_factor`` estimates are
then re-ranked by exact l2 on the original vectors with :func:`accel.topk`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _backend, _fht
from . import _rabitq_scan as fastscan
from . import _validate as v
from .pq import ProductQuantizer
from .quant import binary_quantize
from .search import distances, topk

F32 = NDArray[np.float32]

POINTS_PER_CLUSTER = 39
"""``clusters=None`` picks the most clusters (a power of two, 16 to 256) that leave at
least this many vectors each (faiss's floor for k-means); with fewer vectors, one."""

KMEANS_ITERS = 20
KMEANS_TRAIN_PER_CLUSTER = 128
"""k-means effort: on the bench's 100k x 768 data, 10 iterations over 64 rows per centroid
gave recall@10 0.990-0.995 over three data seeds, these 0.992-1.000 (fit 2 s -> 7 s)."""

ENCODE_BLOCK = 8192
"""Vectors encoded at a time: bounds the float32 temporaries to a few (8192, D) arrays."""

ESTIMATE_BLOCK = 1 << 22
"""Estimates computed per batch of queries (float32 values), bounding memory."""


@dataclass(frozen=True)
class RaBitQCodes:
    """Encoded vectors: sign bits of the rotated residual and the estimator's factors."""

    packed: NDArray[np.uint8]  # the sign bits in the scan kernel's layout (n / 32, D / 4, 16)
    cluster: NDArray[np.uint8]  # (n,): the centroid each code is relative to
    norm: F32  # |x - c|
    align: F32  # <x_bar, o / |o|>: bit vector against the unit rotated residual, in (0, 1]
    factors: F32  # (2, n): scale and offset, below

    def __len__(self) -> int:
        return int(self.cluster.shape[0])

    @property
    def bits(self) -> NDArray[np.uint8]:
        """The sign bits (n, D / 8) in numpy.packbits order, unpacked from ``packed``."""
        nib = fastscan.unpack(self.packed, len(self))
        bits = np.left_shift(nib[:, 0::2], 4, dtype=np.uint8)
        bits |= nib[:, 1::2]
        return bits

    @property
    def scale(self) -> F32:
        """2 |x - c| / (<x_bar, o / |o|> sqrt(D)): the estimator's per-code factor."""
        row: F32 = self.factors[0]
        return row

    @property
    def offset(self) -> F32:
        """|x - c|^2 + scale * (2 <b, P c> - sum(P c)): the terms that need no query."""
        row: F32 = self.factors[1]
        return row


def _rotate(data: F32, centre: F32, signs: F32) -> F32:
    """P (x - centre) for rows of x (the fast rotation of :mod:`accel._fht`)."""
    return _fht.rotate(np.ascontiguousarray(data - centre), signs)


def _clusters_for(n: int) -> int:
    count = 256
    while count >= 16:
        if n >= POINTS_PER_CLUSTER * count:
            return count
        count //= 2
    return 1


class RaBitQ:
    """A fitted rotation and set of centroids for ``d``-dimensional vectors (l2 search).

    ``clusters`` is 1 (every vector relative to the data's mean), a power of two from
    16 to 256 (k-means centroids), or None to pick by the number of training vectors.
    The rotation is a seeded structured random rotation (sign flips and Hadamard
    transforms, :mod:`accel._fht`: O(D log D) per vector) and k-means is seeded too,
    so two quantizers fitted with the same arguments produce the same codes.
    """

    def __init__(self, seed: int = 0, clusters: int | None = None) -> None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed: expected an int, got {type(seed).__name__}")
        if clusters is not None and (
            isinstance(clusters, bool)
            or not isinstance(clusters, (int, np.integer))
            or clusters not in (1, 16, 32, 64, 128, 256)
        ):
            raise ValueError(
                f"clusters: expected None, 1 or a power of two from 16 to 256, got {clusters!r}"
            )
        self.seed = int(seed)
        self.clusters = None if clusters is None else int(clusters)
        self.centre: F32 | None = None
        self._signs: F32 | None = None  # the rotation's random signs (rounds, D)
        self.centroids: F32 | None = None  # (clusters, d)
        self._rotated_centroids: F32 | None = None  # (clusters, D): P (c - centre)
        self._assigner: ProductQuantizer | None = None

    def _fitted(self) -> tuple[F32, F32, F32]:
        if self.centre is None or self._signs is None or self._rotated_centroids is None:
            raise RuntimeError("RaBitQ: call fit() first")
        return self.centre, self._signs, self._rotated_centroids

    @property
    def rotation(self) -> F32 | None:
        """The rotation as a matrix (D, d), rows the rotated axes; None before fit."""
        if self._signs is None or self.centre is None:
            return None
        d = self.centre.shape[0]
        return np.ascontiguousarray(_fht.rotate(np.eye(d, dtype=np.float32), self._signs).T)

    @property
    def d(self) -> int:
        return int(self._fitted()[0].shape[0])

    def fit(self, x: Any) -> RaBitQ:
        """Draw the rotation, centre on the mean of x (n, d) and fit the centroids."""
        data = v.as_f32("x", v.float_matrix("x", x), check_finite=True)
        n, d = data.shape
        if n == 0:
            raise ValueError("x: need at least one training vector")
        count = _clusters_for(n) if self.clusters is None else self.clusters
        if n < count:
            raise ValueError(f"x: {count} clusters need at least {count} vectors, got {n}")
        d_pad = (d + 63) // 64 * 64  # whole 64-bit words of code
        signs = _fht.draw_signs(np.random.default_rng(self.seed), d_pad)
        centre = data.mean(axis=0, dtype=np.float64).astype(np.float32)
        assigner = None
        centroids = centre[None].copy()
        if count > 1:
            assigner = ProductQuantizer(1, nbits=count.bit_length() - 1).fit(
                data,
                iters=KMEANS_ITERS,
                seed=self.seed,
                max_train=KMEANS_TRAIN_PER_CLUSTER * count,
            )
            assert assigner.centroids is not None
            centroids = np.ascontiguousarray(assigner.centroids[0])
        rotated_centroids = _rotate(centroids, centre, signs)
        # all or nothing: a failed fit leaves the quantizer as it was
        self._signs, self.centre, self.centroids = signs, centre, centroids
        self._assigner, self._rotated_centroids = assigner, rotated_centroids
        return self

    def _rotate_rows(self, data: F32) -> F32:
        centre, signs, _ = self._fitted()
        return _rotate(data, centre, signs)

    def _rows(self, name: str, x: Any) -> F32:
        centre = self._fitted()[0]
        data = v.as_f32(name, v.float_matrix(name, x, allow_1d=True), check_finite=True)
        v.same_dim(name, data, centre.shape[0], "the quantizer's")
        return data

    def encode(self, x: Any) -> RaBitQCodes:
        """Vectors (n, d) -> codes; a vector at its centroid gets align 1 (exact estimate)."""
        data = self._rows("x", x)
        n = data.shape[0]
        bits = np.empty((n, self._fitted()[2].shape[1] // 8), np.uint8)
        cluster = np.zeros(n, np.uint8)
        factors = np.empty((4, n), np.float32)  # norm, align, scale, offset
        for start in range(0, n, ENCODE_BLOCK):
            stop = min(n, start + ENCODE_BLOCK)
            factors[:, start:stop] = self._encode_block(
                data[start:stop], bits[start:stop], cluster[start:stop]
            )
        return RaBitQCodes(fastscan.pack(bits), cluster, factors[0], factors[1], factors[2:].copy())

    def _encode_block(
        self, data: F32, bits: NDArray[np.uint8], cluster: NDArray[np.uint8]
    ) -> NDArray[np.float64]:
        """Fills the block's bits and clusters; returns its (norm, align, scale, offset)."""
        rotated_centroids = self._fitted()[2]
        if self._assigner is not None:
            cluster[:] = self._assigner.encode(data)[:, 0]
        residual = self._rotate_rows(data)
        residual -= rotated_centroids[cluster]
        d_pad = residual.shape[1]
        norm = np.sqrt(np.einsum("ij,ij->i", residual, residual, dtype=np.float64))
        bits[:] = binary_quantize(residual)
        # <x_bar, o> = sum |o_k| / sqrt(D) for the unit residual o: the bits are its signs.
        l1 = np.abs(residual).sum(axis=1, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            align = np.where(norm > 0, l1 / (norm * np.sqrt(d_pad)), 1.0)
        align = np.maximum(align, 1e-6)
        scale = 2.0 * norm / (align * np.sqrt(d_pad))
        # <b, P c>: the rotated centroid's components where the code's bit is set
        np.multiply(residual > 0, rotated_centroids[cluster], out=residual)
        bits_dot_centroid = residual.sum(axis=1, dtype=np.float64)
        centroid_sum = rotated_centroids.sum(axis=1, dtype=np.float64)[cluster]
        offset = norm * norm + scale * (2.0 * bits_dot_centroid - centroid_sum)
        return np.stack([norm, align, scale, offset])

    def _check_codes(self, codes: RaBitQCodes) -> None:
        rotated_centroids = self._fitted()[2]
        if codes.packed.shape[1] * 4 != rotated_centroids.shape[1]:
            raise ValueError(
                f"codes: {codes.packed.shape[1] // 2} bytes per code, expected "
                f"{rotated_centroids.shape[1] // 8}"
            )
        if codes.cluster.size and int(np.max(codes.cluster)) >= rotated_centroids.shape[0]:
            raise ValueError("codes: a cluster index beyond this quantizer's centroids")

    def estimate(self, queries: Any, codes: RaBitQCodes) -> F32:
        """Estimated squared l2 distances (nq, n) between queries and encoded vectors."""
        self._check_codes(codes)
        data = self._rows("queries", queries)
        out = np.empty((data.shape[0], len(codes)), np.float32)
        batch = max(1, ESTIMATE_BLOCK // max(1, len(codes)))
        for start in range(0, data.shape[0], batch):
            out[start : start + batch] = self._estimate(data[start : start + batch], codes)
        return out

    def _query_terms(self, queries: F32) -> tuple[fastscan.QueryTables, F32]:
        """The queries' lookup tables and rows (a, b, |q - c|^2 per centroid): the
        estimate is max(((S a + b) scale + offset) + |q - c|^2, 0) for table sum S."""
        rotated_centroids = self._fitted()[2]
        rotated = self._rotate_rows(queries)  # P (q - centre)
        tables = fastscan.query_tables(rotated)
        # 2 <b, P(q-c)> - sum P(q-c) = 2 (offset + step S) - sum Pq - (2 <b, Pc> - sum Pc);
        # the code's own part is in its offset, the rest is S a + b:
        total = rotated.sum(axis=1, dtype=np.float64)
        rows = np.empty((rotated.shape[0], 2 + rotated_centroids.shape[0]), np.float32)
        rows[:, 0] = -2.0 * tables.step
        rows[:, 1] = total - 2.0 * tables.offset
        rows[:, 2:] = distances(rotated, rotated_centroids, "sqeuclidean")
        return tables, rows

    def _estimate(self, queries: F32, codes: RaBitQCodes) -> F32:
        tables, rows = self._query_terms(queries)
        est = fastscan.scan(tables, codes.packed, len(codes))
        for i, row in enumerate(est):  # the order of rabitq.c's accel_rabitq_topk
            row *= rows[i, 0]
            row += rows[i, 1]
            row *= codes.scale
            row += codes.offset
            row += rows[i, 2:][codes.cluster]
        return np.maximum(est, 0.0, out=est)

    def _shortlist(self, queries: F32, codes: RaBitQCodes, keep: int) -> NDArray[np.int64]:
        """The ``keep`` smallest estimates per query, as code indices in ascending order."""
        ext = _backend.kernels()
        nq = queries.shape[0]
        if ext is not None:
            tables, rows = self._query_terms(queries)
            short = np.empty((nq, keep), np.int64)
            ext.rabitq_topk(
                luts=tables.luts,
                codes=codes.packed,
                factors=codes.factors,
                cluster=codes.cluster,
                queries=rows,
                k=keep,
                out=np.empty((nq, keep), np.float32),
                out_indices=short,
            )
        else:
            est = self._estimate(queries, codes)
            short = np.argpartition(est, keep - 1, axis=1)[:, :keep]
        short.sort(axis=1)  # index order: ties in the exact pass go to the lower index
        return short

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
        if x.shape[0] != len(codes):
            raise ValueError(f"vectors: {x.shape[0]} rows, but the codes encode {len(codes)}")
        one = np.ndim(queries) == 1
        q = self._rows("queries", queries)
        self._check_codes(codes)
        n = len(codes)
        keep = min(n, kk * int(rerank_factor))
        kk = min(kk, n)
        idx = np.empty((q.shape[0], kk), np.int64)
        dist = np.empty((q.shape[0], kk), np.float32)
        batch = max(1, ESTIMATE_BLOCK // max(1, n))
        for start in range(0, q.shape[0] if keep else 0, batch):
            short = self._shortlist(q[start : start + batch], codes, keep)
            for i, row in enumerate(short, start):
                j, dd = topk(q[i], x[row], kk, "l2")
                idx[i], dist[i] = row[j], dd
        return (idx[0], dist[0]) if one else (idx, dist)
