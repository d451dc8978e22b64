"""SIMD distance, top-k and quantization kernels for reranking vectors.

Stable API (the SQLAlchemy rerank integration builds on :func:`distances` and
:func:`topk`):

* Metrics follow pgvector: ``l2`` (``<->``), ``sqeuclidean``, ``cosine``
  (``<=>``, ``1 - cos``), ``ip`` (``<#>``: the *negative* dot product, so smaller
  is closer for every metric) and ``l1`` (``<+>``).
* Cosine with a zero vector on either side is defined as 1.0 (orthogonal);
  pgvector returns NaN there, which cannot be ranked.
* Inputs are float32 (float16/float64 are converted; non-contiguous arrays are
  copied).  Results are float32 computed with float32 accumulation, so expect a
  relative error of roughly ``1e-6 * sqrt(d)`` against a float64 reference.
* NaN or inf anywhere in the inputs raises ValueError naming nan/inf: the
  queries are checked up front with ``np.isfinite``; candidates are checked for
  free inside the scan, by rejecting any non-finite distance (which a NaN/inf
  candidate always produces).  Finite values so large that a float32 distance
  overflows are rejected the same way.

The back end is picked at import: the best SIMD level of ``accel._kernels`` or,
without it or with ``ACCEL_SIMD=numpy``, a numpy implementation with the same
results (computed in float64, so ties at the float32 rounding level may order
differently).  See :mod:`accel._backend` for ``ACCEL_SIMD``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from . import _backend, _numpy
from . import _validate as v
from .pq import ProductQuantizer

__all__ = [
    "ProductQuantizer",
    "SQ8Params",
    "available_levels",
    "binary_quantize",
    "distances",
    "from_f16",
    "hamming",
    "hamming_topk",
    "simd_level",
    "sq8_decode",
    "sq8_encode",
    "sq8_topk",
    "sq8_train",
    "to_f16",
    "topk",
]

Metric = Literal["l2", "sqeuclidean", "cosine", "ip", "l1"]
F32 = NDArray[np.float32]
I64 = NDArray[np.int64]

_F32, _F16, _SQ8 = 0, 1, 2  # candidate encodings known to the C scan


def simd_level() -> str:
    """What runs: ``avx512``, ``avx2``, ``neon``, ``scalar`` or ``numpy``."""
    return _backend.level()


def available_levels() -> list[str]:
    """Every back end this machine can run, best SIMD level last before ``numpy``."""
    return _backend.levels()


def _set_level(name: str) -> None:
    """Test hook: force a back end (ValueError if this CPU or build lacks it)."""
    _backend.set_level(name)


@dataclass(frozen=True)
class _Candidates:
    """Candidates as the scan reads them, plus a float64 decoder for numpy."""

    data: NDArray[Any]
    elem: int
    lo: F32 | None = None
    scale: F32 | None = None

    def decode(self, j0: int, j1: int) -> NDArray[np.float64]:
        block = self.data[j0:j1]
        if self.elem == _SQ8:
            assert self.lo is not None and self.scale is not None
            decoded: NDArray[np.float64] = self.lo + block * self.scale.astype(np.float64)
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
        return _Candidates(x, _F16)
    return _Candidates(v.as_f32("candidates", x, check_finite=False), _F32)


def _scan_vectors(
    q: F32, cand: _Candidates, metric: int, k: int | None, out: F32 | None = None
) -> tuple[I64, F32] | F32:
    """Distances (k is None) or fused top-k between f32 queries and candidates."""
    nq, d = q.shape
    nx = cand.data.shape[0]
    kk = 0 if k is None else min(k, nx)
    dist = out if out is not None else np.empty((nq, nx if k is None else kk), np.float32)
    idx = np.empty((nq, kk), np.int64)
    ext = _backend.kernels()
    if ext is not None:
        raw = cand.data.view(np.uint16) if cand.elem == _F16 else cand.data
        ext.scan(
            0,
            cand.elem,
            metric,
            q,
            raw,
            nq,
            nx,
            d,
            d * raw.itemsize,
            cand.lo,
            cand.scale,
            0,
            0,
            -1 if k is None else kk,
            dist,
            idx,
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
    queries: Any, candidates: Any, metric: Metric = "l2", *, out: F32 | None = None
) -> F32:
    """Distance matrix between queries (q, d) and candidates (n, d) -> (q, n) float32.

    A 1-D query gives a 1-D (n,) result.  ``out`` receives the result when given
    (C-contiguous float32 of the result's shape).  Smaller is closer for every
    metric, see the module docstring.
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


def topk(queries: Any, candidates: Any, k: int, metric: Metric = "l2") -> tuple[I64, F32]:
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


# -- float16 -------------------------------------------------------------------


def to_f16(x: Any, *, out: NDArray[np.float16] | None = None) -> NDArray[np.float16]:
    """float32 (or float16/float64) array -> float16, rounding to nearest even (F16C).

    ``out`` (C-contiguous float16 of x's shape) receives the result when given;
    large outputs are written with non-temporal stores.
    """
    arr = np.asarray(x)
    if arr.dtype.type not in (np.float16, np.float32, np.float64):
        raise TypeError(f"x: expected a float16, float32 or float64 array, got {arr.dtype}")
    src = np.ascontiguousarray(arr, dtype=np.float32)
    target = np.empty(src.shape, np.float16) if out is None else out
    v.check_out(target, src.shape, np.float16)
    ext = _backend.kernels()
    if ext is None:
        target[...] = _numpy.f32_to_f16(src)
    else:
        ext.convert(0, src, target.view(np.uint16), src.size, 1, None, None)
    return target


def from_f16(h: Any) -> F32:
    """float16 array -> float32 (exact)."""
    arr = np.asarray(h)
    if arr.dtype != np.float16:
        raise TypeError(f"h: expected a float16 array, got {arr.dtype}")
    src = np.ascontiguousarray(arr)
    ext = _backend.kernels()
    if ext is None:
        return src.astype(np.float32)
    out = np.empty(src.shape, np.float32)
    ext.convert(1, src.view(np.uint16), out, src.size, 1, None, None)
    return out


# -- SQ8 -----------------------------------------------------------------------


@dataclass(frozen=True)
class SQ8Params:
    """Per-dimension affine 8-bit quantization: x ~= lo + scale * code."""

    lo: F32
    scale: F32

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
    return SQ8Params(np.ascontiguousarray(lo), np.ascontiguousarray(scale))


def _check_params(params: SQ8Params, d: int, name: str) -> None:
    if not isinstance(params, SQ8Params):
        raise TypeError(f"params: expected SQ8Params, got {type(params).__name__}")
    if params.lo.shape != (d,) or params.scale.shape != (d,):
        raise ValueError(f"params: trained for dimension {params.lo.shape[0]}, {name} has {d}")


def sq8_encode(
    x: Any, params: SQ8Params, *, out: NDArray[np.uint8] | None = None
) -> NDArray[np.uint8]:
    """Vectors (n, d) -> uint8 codes (n, d); values outside the trained range clamp.

    ``out`` (C-contiguous uint8 (n, d)) receives the codes when given; large
    outputs are written with non-temporal stores.
    """
    ext = _backend.kernels()  # the C encoder checks nan/inf in its own pass
    arr = v.as_f32("x", v.float_matrix("x", x), check_finite=ext is None)
    _check_params(params, arr.shape[1], "x")
    target = np.empty(arr.shape, np.uint8) if out is None else out
    v.check_out(target, arr.shape, np.uint8)
    if ext is None:
        target[...] = _numpy.sq8_encode(arr, params.lo, params.inv_scale)
    else:
        ext.convert(2, arr, target, arr.shape[0], arr.shape[1], params.lo, params.inv_scale)
    return target


def sq8_decode(codes: Any, params: SQ8Params) -> F32:
    """uint8 codes (n, d) -> float32 vectors lo + scale * code."""
    c = v.codes_matrix("codes", codes)
    _check_params(params, c.shape[1], "codes")
    return (params.lo + c * params.scale).astype(np.float32)


def sq8_topk(
    queries: Any, codes: Any, params: SQ8Params, k: int, metric: Metric = "l2"
) -> tuple[I64, F32]:
    """Top-k of float32 queries against SQ8 codes without decoding them to memory.

    The asymmetric distance uses the exact query and the dequantized candidate;
    results match ``topk(queries, sq8_decode(codes, params), k, metric)`` up to
    float32 rounding, while reading a quarter of the bytes.
    """
    code = v.metric_code(metric)
    kk = v.check_k(k)
    c = v.codes_matrix("codes", codes)
    _check_params(params, c.shape[1], "codes")
    q, one = _queries(queries, c.shape[1])
    cand = _Candidates(
        c,
        _SQ8,
        np.ascontiguousarray(params.lo, np.float32),
        np.ascontiguousarray(params.scale, np.float32),
    )
    res = _scan_vectors(q, cand, code, kk)
    assert isinstance(res, tuple)
    return _shape_result(res, one)


# -- binary --------------------------------------------------------------------


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
        ext.convert(3, f, target, f.shape[0], f.shape[1], None, None)
    if out is not None:
        return out
    return target[0] if one else target


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
        ext.scan(
            1, 0, 0, a, b, nq, nx, 0, nbytes, None, None, 0, 0, -1 if k is None else kk, dist, idx
        )
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
