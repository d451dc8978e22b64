"""SIMD distance, top-k and quantization kernels for reranking vectors.

Stable API (the SQLAlchemy rerank integration builds on :func:`distances` and
:func:`topk`); quantizers: :class:`SQ8Params` (``sq8_*``), float16 (``to_f16``),
sign bits (``binary_quantize``, ``hamming*``), :class:`ProductQuantizer` and
:class:`RaBitQ` (rotated 1-bit codes with an estimator top-k and exact rerank).

* Metrics follow pgvector: ``l2`` (``<->``), ``sqeuclidean``, ``cosine``
  (``<=>``, ``1 - cos``), ``ip`` (``<#>``: the *negative* dot product, so smaller
  is closer for every metric) and ``l1`` (``<+>``).
* Cosine with a zero vector on either side is defined as 1.0 (orthogonal);
  pgvector returns NaN there, which cannot be ranked.  "Zero" means a norm below
  ``COSINE_MIN_NORM`` (2**-60, about 8.7e-19): below it float32 cannot hold the
  squared norm, so such vectors (e.g. components of 1e-25) have no direction.
* Inputs are float32 (float16/float64 are converted; non-contiguous arrays are
  copied).  Results are float32 computed with float32 accumulation, so expect a
  relative error of roughly ``1e-6 * sqrt(d)`` against a float64 reference.
* NaN or inf anywhere in the inputs raises ValueError naming nan/inf: the
  queries are checked up front with ``np.isfinite``; candidates are checked for
  free inside the scan, by rejecting any non-finite distance (which a NaN/inf
  candidate always produces).  Finite values so large that a float32
  intermediate overflows are rejected the same way: the squared distance for
  ``l2``/``sqeuclidean``, the dot product for ``ip``, the sum for ``l1``, the
  squared norms for ``cosine``.
* Edge rules are the same on every back end (the float64 numpy back end applies
  the float32 thresholds above): empty query or candidate sets give empty
  results for every metric, and the float16 conversions keep the input's shape,
  0-d included.

The back end is picked at import: the best SIMD level of ``accel._kernels`` or,
without it or with ``ACCEL_SIMD=numpy``, a numpy implementation with the same
results (computed in float64, so ties at the float32 rounding level may order
differently).  See :mod:`accel._backend` for ``ACCEL_SIMD``.  The C boundary
speaks names: :class:`Metric` and :class:`Encoding` are the IntEnums the
extension generates from ``accel/src/accel.h``.
"""

from __future__ import annotations

from . import _backend
from ._enums import COSINE_MIN_NORM, Encoding, Metric
from .pq import ProductQuantizer
from .quant import (
    SQ8Params,
    binary_quantize,
    from_f16,
    sq8_decode,
    sq8_encode,
    sq8_train,
    to_f16,
)
from .rabitq import RaBitQ, RaBitQCodes
from .search import MetricName, distances, hamming, hamming_topk, sq8_topk, topk

__all__ = [
    "COSINE_MIN_NORM",
    "Encoding",
    "Metric",
    "MetricName",
    "ProductQuantizer",
    "RaBitQ",
    "RaBitQCodes",
    "SQ8Params",
    "available_levels",
    "best_level",
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


def simd_level() -> str:
    """What runs: ``avx512``, ``avx2``, ``neon``, ``scalar`` or ``numpy``."""
    return _backend.level()


def available_levels() -> list[str]:
    """Every back end this machine can run: C levels best last, then ``numpy``."""
    return _backend.levels()


def best_level() -> str:
    """The best back end this machine can run (``numpy`` without the extension)."""
    levels = _backend.levels()
    return levels[-2] if len(levels) > 1 else levels[-1]


def _set_level(name: str) -> None:
    """Test hook: force a back end (ValueError if this CPU or build lacks it)."""
    _backend.set_level(name)
