"""Distances and fused top-k: float vectors, SQ8 codes and packed bit codes.

The one place user input becomes the layouts the C scan reads (C-contiguous
float32 queries; float32, float16 or uint8 candidates) and the one place the C
and numpy back ends are chosen between for a scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from . import _backend, _numpy
from . import _validate as v
from ._enums import Encoding, Metric
from .quant import SQ8Params, check_params

MetricName = Literal["l2", "sqeuclidean", "cosine", "ip", "l1"] | Metric
F32 = NDArray[np.float32]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class _Candidates:
    """Candidates as the scan reads them, plus a float64 decoder for numpy."""

    data: NDArray[Any]
    encoding: Encoding
    params: SQ8Params | None = None

    def decode(self, j0: int, j1: int) -> NDArray[np.float64]:
        block = self.data[j0:j1]
        if self.params is not None:
            decoded: NDArray[np.float64] = self.params.lo + block * self.params.scale.astype(
                np.float64
            )
            return decoded
        return block.astype(np.float64)


def _queries(queries: Any, d: int | None = None) -> tuple[F32, bool]:
    q = v.float_matrix("queries", queries, allow_1d=True)
    if d is not None:
        v.same_dim("queries", q, d, "candidates'")
    return v.as_f32("queries", q, check_finite=True), np.ndim(queries) == 1


def _vector_candidates(candidates: Any, d: int) -> _Candidates:
    x = v.float_matrix("candidates", candidates)
    v.same_dim("candidates", x, d, "queries'")
    if x.dtype == np.float16:  # read as is: the kernels convert in registers
        return _Candidates(x, Encoding.F16)
    return _Candidates(v.as_f32("candidates", x, check_finite=False), Encoding.F32)


def _scan_vectors(
    q: F32, cand: _Candidates, metric: Metric, k: int | None, out: F32 | None = None
) -> tuple[I64, F32] | F32:
    """Distances (k is None) or fused top-k between f32 queries and candidates."""
    nq, d = q.shape
    nx = cand.data.shape[0]
    kk = 0 if k is None else min(k, nx)
    dist = out if out is not None else np.empty((nq, nx if k is None else kk), np.float32)
    idx = np.empty((nq, kk), np.int64)
    ext = _backend.kernels()
    if ext is not None:
        p = cand.params
        ext.scan_vectors(
            queries=q,
            candidates=cand.data,
            metric=metric,
            lo=None if p is None else p.lo,
            scale=None if p is None else p.scale,
            k=k,
            out=dist,
            out_indices=None if k is None else idx,
        )
        return dist if k is None else (idx, dist)
    q64 = q.astype(np.float64)
    rows = _numpy.block_rows(d, nq)

    def block(j0: int, j1: int) -> F32:
        return _numpy.vector_block(q64, cand.decode(j0, j1), metric).astype(np.float32)

    if k is None:
        _numpy.distances(nq, nx, rows, block, dist)
        return dist
    if kk == 0 or nq == 0:
        return idx, dist
    return _numpy.topk(nq, nx, kk, rows, block)


def _shape_result(res: tuple[I64, F32], one: bool) -> tuple[I64, F32]:
    return (res[0][0], res[1][0]) if one else res


def distances(
    queries: Any, candidates: Any, metric: MetricName = "l2", *, out: F32 | None = None
) -> F32:
    """Distance matrix between queries (q, d) and candidates (n, d) -> (q, n) float32.

    A 1-D query gives a 1-D (n,) result.  ``out`` receives the result when given
    (C-contiguous float32 of the result's shape).  Smaller is closer for every
    metric, see the package docstring.
    """
    code = v.metric_code(metric)
    q, one = _queries(queries)
    cand = _vector_candidates(candidates, q.shape[1])
    shape = (q.shape[0], cand.data.shape[0])
    if out is not None:
        target = v.check_out(out, shape[1:] if one else shape, np.float32)
        _scan_vectors(q, cand, code, None, target.reshape(shape))
        return target
    res = _scan_vectors(q, cand, code, None)
    assert isinstance(res, np.ndarray)
    return res[0] if one else res


def topk(queries: Any, candidates: Any, k: int, metric: MetricName = "l2") -> tuple[I64, F32]:
    """The k nearest candidates per query, fused with the distance pass.

    Returns ``(indices int64 (q, k'), distances float32 (q, k'))`` with
    ``k' = min(k, n)``, each row sorted ascending by distance, ties broken by the
    lower index.  float16 candidates are read directly (converted in registers),
    halving the memory traffic.  Memory stays O(q * k) whatever n is.

    With 4 or more queries, ``l2``/``sqeuclidean`` rank candidates by the expansion
    ``|q|^2 + |x|^2 - 2 q.x`` (the dot-product kernel: one FMA per element instead
    of subtract + FMA), keep ``k + max(k, 16)`` of them, and re-rank those by the
    exact ``|q - x|``, which is what is returned.  The expansion's float32 error is
    about ``eps * sqrt(d) * (|q|^2 + |x|^2)`` rather than ``eps * sqrt(d) * |q - x|^2``,
    so for data far from the origin relative to its spread, a neighbour whose
    distance is within that error of the k-th one may be swapped for an equally
    close one; the returned distances are always exact.  :func:`distances` always
    uses the exact (direct) form.
    """
    code = v.metric_code(metric)
    kk = v.check_k(k)
    q, one = _queries(queries)
    cand = _vector_candidates(candidates, q.shape[1])
    res = _scan_vectors(q, cand, code, kk)
    assert isinstance(res, tuple)
    return _shape_result(res, one)


def sq8_topk(
    queries: Any, codes: Any, params: SQ8Params, k: int, metric: MetricName = "l2"
) -> tuple[I64, F32]:
    """Top-k of float32 queries against SQ8 codes without decoding them to memory.

    The asymmetric distance uses the exact query and the dequantized candidate;
    results match ``topk(queries, sq8_decode(codes, params), k, metric)`` up to
    float32 rounding, while reading a quarter of the bytes.

    With 4 or more queries and a metric other than ``l1``, on CPUs with
    AVX512-VNNI or AVX-VNNI (and on the portable back ends), candidates are first
    ranked by integer dot products of the codes with each query rounded to int8
    (``vpdpbusd``: 4x the multiply-adds of a float32 FMA), keeping
    ``k + max(k, 32)``; those are re-ranked by the exact distance, which is what is
    returned.  The int8 rounding error is bounded per query; when the bound cannot
    prove that nothing left out is closer than the k-th kept (near-ties, tiny d),
    that query is scanned again exactly, so the answer is the exact one either way.
    """
    code = v.metric_code(metric)
    kk = v.check_k(k)
    c = v.codes_matrix("codes", codes)
    p = check_params(params, c.shape[1], "codes")
    q, one = _queries(queries, c.shape[1])
    res = _scan_vectors(q, _Candidates(c, Encoding.SQ8, p), code, kk)
    assert isinstance(res, tuple)
    return _shape_result(res, one)


def _hamming_scan(a: NDArray[np.uint8], b: NDArray[np.uint8], k: int | None) -> Any:
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"codes: {b.shape[1]} bytes per code do not match the queries' {a.shape[1]}"
        )
    nq, nbytes = a.shape
    nx = b.shape[0]
    kk = 0 if k is None else min(k, nx)
    dist = np.empty((nq, nx if k is None else kk), np.float32)
    idx = np.empty((nq, kk), np.int64)
    ext = _backend.kernels()
    if ext is not None:
        ext.scan_hamming(queries=a, codes=b, k=k, out=dist, out_indices=None if k is None else idx)
        return dist.astype(np.int32) if k is None else (idx, dist.astype(np.int32))
    rows = _numpy.block_rows(nbytes, nq)

    def block(j0: int, j1: int) -> F32:
        return _numpy.hamming_block(a, b[j0:j1])

    if k is None:
        _numpy.distances(nq, nx, rows, block, dist)
        return dist.astype(np.int32)
    if kk == 0 or nq == 0:
        return idx, dist.astype(np.int32)
    i, d = _numpy.topk(nq, nx, kk, rows, block)
    return i, d.astype(np.int32)


def hamming(a_codes: Any, b_codes: Any) -> NDArray[np.int32]:
    """Hamming distances between packed bit codes (qa, nbytes) x (nb, nbytes) -> int32."""
    a = v.codes_matrix("a_codes", a_codes, allow_1d=True)
    b = v.codes_matrix("b_codes", b_codes)
    res: NDArray[np.int32] = _hamming_scan(a, b, None)
    return res[0] if np.ndim(a_codes) == 1 else res


def hamming_topk(query_codes: Any, codes: Any, k: int) -> tuple[I64, NDArray[np.int32]]:
    """The k codes nearest in Hamming distance: (indices int64, distances int32), sorted."""
    kk = v.check_k(k)
    a = v.codes_matrix("query_codes", query_codes, allow_1d=True)
    b = v.codes_matrix("codes", codes)
    i, d = _hamming_scan(a, b, kk)
    return (i[0], d[0]) if np.ndim(query_codes) == 1 else (i, d)
