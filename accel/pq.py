"""Product quantization: k-means per subspace, C kernels for encode and ADC scans.

Training alternates the C nearest-centroid kernel (the expensive step) with a
one-pass C accumulation of the per-centroid sums (bincount in numpy without the
extension), all in float32 except the float64 sums; empty clusters are re-seeded from random
training points so every code stays usable.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from . import _backend, _numpy
from . import _validate as v

F32 = NDArray[np.float32]


class ProductQuantizer:
    """``m`` subspaces of ``d / m`` dimensions, ``2**nbits`` centroids each (4 <= nbits <= 8).

    Codes are uint8 arrays of shape (n, m).  ADC distances are squared L2 between
    the exact query and the reconstructed candidate (``l2`` takes the root, ``ip``
    gives the negative dot product).
    """

    def __init__(self, m: int, nbits: int = 8) -> None:
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise ValueError(f"m: expected a positive int, got {m!r}")
        if isinstance(nbits, bool) or not isinstance(nbits, int) or not 4 <= nbits <= 8:
            raise ValueError(f"nbits: expected an int from 4 to 8, got {nbits!r}")
        self.m = m
        self.nbits = nbits
        self.ksub = 1 << nbits
        self._centroids: F32 | None = None

    @property
    def centroids(self) -> F32 | None:
        """The codebooks, float32 (m, ksub, dsub); None before :meth:`fit`."""
        return self._centroids

    @centroids.setter
    def centroids(self, value: Any) -> None:
        """Set trained codebooks: any float array of shape (m, ksub, dsub), stored as float32."""
        if value is None:
            self._centroids = None
            return
        arr = np.asarray(value)
        if arr.dtype.type not in (np.float16, np.float32, np.float64):
            raise TypeError(f"centroids: expected a float array, got {arr.dtype}")
        if arr.ndim != 3 or arr.shape[:2] != (self.m, self.ksub) or arr.shape[2] == 0:
            raise ValueError(
                f"centroids: expected shape ({self.m}, {self.ksub}, dsub), got {arr.shape}"
            )
        self._centroids = v.as_f32("centroids", arr, check_finite=True)

    @property
    def d(self) -> int:
        m, _, dsub = self._trained().shape
        return int(m * dsub)

    def _trained(self) -> F32:
        if self.centroids is None:
            raise RuntimeError("ProductQuantizer: call fit() first")
        return self.centroids

    def _vectors(self, name: str, x: Any, d: int | None) -> F32:
        arr = v.as_f32(name, v.float_matrix(name, x), check_finite=True)
        if d is not None:
            v.same_dim(name, arr, d, "the quantizer's")
        elif arr.shape[1] % self.m:
            raise ValueError(f"{name}: dimension {arr.shape[1]} is not a multiple of m={self.m}")
        return arr

    def fit(
        self, x: Any, iters: int = 20, seed: int = 0, max_train: int | None = None
    ) -> ProductQuantizer:
        """Train on at most ``max_train`` (default 256 * 2**nbits) random rows of x."""
        data = self._vectors("x", x, None)
        n, d = data.shape
        ksub, m, dsub = self.ksub, self.m, d // self.m
        if n < ksub:
            raise ValueError(f"x: need at least {ksub} training vectors, got {n}")
        for name, value, low in (("iters", iters, 0), ("max_train", max_train, ksub)):
            if value is not None and (
                isinstance(value, (bool, np.bool_))
                or not isinstance(value, (int, np.integer))
                or value < low
            ):
                raise ValueError(f"{name}: expected an int >= {low}, got {value!r}")
        rng = np.random.default_rng(seed)
        n_train = min(n, int(max_train) if max_train is not None else 256 * ksub)
        train = data[np.sort(rng.choice(n, n_train, replace=False))] if n_train < n else data
        start = train[rng.choice(n_train, ksub, replace=False)]
        centroids = np.ascontiguousarray(start.reshape(ksub, m, dsub).transpose(1, 0, 2))
        codes = np.empty((n_train, m), np.uint8)
        subvectors = train.reshape(n_train * m, dsub)
        offsets = np.arange(m, dtype=np.int64) * ksub
        ext = _backend.kernels()
        for _ in range(iters):
            _assign(train, centroids, codes)
            if ext is not None:  # one pass over the training rows, float64 sums
                counts2 = np.zeros((m, ksub), np.int64)
                sums3 = np.zeros((m, ksub, dsub), np.float64)
                ext.pq_accumulate(x=train, codes=codes, sums=sums3, counts=counts2)
                counts, sums = counts2.reshape(-1), sums3.reshape(m * ksub, dsub)
            else:
                flat = (codes + offsets).ravel()
                counts = np.bincount(flat, minlength=m * ksub)
                sums = np.stack(
                    [np.bincount(flat, subvectors[:, j], minlength=m * ksub) for j in range(dsub)],
                    axis=1,
                )
            means = (sums / np.maximum(counts, 1)[:, None]).reshape(m, ksub, dsub)
            s_idx, c_idx = np.nonzero(counts.reshape(m, ksub) == 0)
            rows = rng.integers(n_train, size=s_idx.size)
            means[s_idx, c_idx] = train.reshape(n_train, m, dsub)[rows, s_idx]
            centroids = means.astype(np.float32)
        self.centroids = centroids
        return self

    def encode(self, x: Any) -> NDArray[np.uint8]:
        """Vectors (n, d) -> codes (n, m): the nearest centroid per subspace."""
        centroids = self._trained()
        data = self._vectors("x", x, self.d)
        codes = np.empty((data.shape[0], self.m), np.uint8)
        _assign(data, centroids, codes)
        return codes

    def _codes(self, codes: Any) -> NDArray[np.uint8]:
        c = v.codes_matrix("codes", codes)
        if c.shape[1] != self.m:
            raise ValueError(f"codes: expected {self.m} bytes per code, got {c.shape[1]}")
        if self.nbits < 8 and c.size and int(np.max(c)) >= self.ksub:
            raise ValueError(f"codes: values must be < {self.ksub} for nbits={self.nbits}")
        return c

    def decode(self, codes: Any) -> F32:
        """Codes (n, m) -> reconstructed float32 vectors (n, d)."""
        centroids = self._trained()
        c = self._codes(codes)
        return centroids[np.arange(self.m)[None, :], c].reshape(c.shape[0], -1)

    def adc_topk(
        self,
        queries: Any,
        codes: Any,
        k: int,
        metric: Literal["l2", "sqeuclidean", "ip"] = "l2",
    ) -> tuple[NDArray[np.int64], F32]:
        """Top-k by asymmetric distance: exact queries against encoded candidates.

        Same conventions as :func:`accel.topk` (sorted, ties by lower index,
        k > n allowed); one (m, ksub) lookup table per query, then a table scan.
        """
        if metric not in ("l2", "sqeuclidean", "ip"):
            raise ValueError(f"metric: expected l2, sqeuclidean or ip, got {metric!r}")
        kk = v.check_k(k)
        centroids = self._trained()
        q = v.as_f32(
            "queries", v.float_matrix("queries", queries, allow_1d=True), check_finite=True
        )
        v.same_dim("queries", q, self.d, "the quantizer's")
        c = self._codes(codes)
        nq, m, _ksub = q.shape[0], self.m, self.ksub
        sub = q.reshape(nq, m, 1, -1)
        if metric == "ip":
            luts = -np.einsum("qmid,mkd->qmk", sub, centroids)
        else:
            luts = ((sub - centroids[None]) ** 2).sum(axis=3)
        luts = np.ascontiguousarray(luts, dtype=np.float32)
        nx = c.shape[0]
        kk = min(kk, nx)
        ext = _backend.kernels()
        if ext is not None:
            idx = np.empty((nq, kk), np.int64)
            dist = np.empty((nq, kk), np.float32)
            ext.scan_pq(luts=luts, codes=c, k=kk, out=dist, out_indices=idx)
        elif kk == 0 or nq == 0:
            idx, dist = np.empty((nq, 0), np.int64), np.empty((nq, 0), np.float32)
        else:
            rows = _numpy.block_rows(m, nq)
            idx, dist = _numpy.topk(
                nq, nx, kk, rows, lambda j0, j1: _numpy.pq_adc_block(luts, c[j0:j1])
            )
        if metric == "l2":
            dist = np.sqrt(np.maximum(dist, 0.0))
        return (idx[0], dist[0]) if np.ndim(queries) == 1 else (idx, dist)


def _assign(x: F32, centroids: F32, out: NDArray[np.uint8]) -> None:
    ext = _backend.kernels()
    if ext is None:
        _numpy.pq_assign(x, centroids, out)
        return
    _m, _ksub, _ = centroids.shape
    # (m, dsub, ksub), scaled by -2 (exact) so the kernel adds |c|^2 + x.(-2c) with one FMA
    transposed = np.ascontiguousarray(centroids.transpose(0, 2, 1) * np.float32(-2.0))
    norms = np.ascontiguousarray(np.einsum("mkd,mkd->mk", centroids, centroids), np.float32)
    ext.pq_encode(x=x, centroids_t=transposed, norms=norms, out=out)
