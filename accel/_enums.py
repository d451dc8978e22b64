"""The named constants of the C boundary: :class:`Metric`, :class:`Encoding`, :class:`Level`.

With the extension built these are the IntEnums ``accel._kernels`` generates at
import from the X-macro lists in ``accel/src/accel.h`` (the one place their
numbers are defined).  A numpy-only install declares the same names in the same
order; ``tests/accel/test_boundary.py`` holds the two together.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["COSINE_MIN_NORM", "COSINE_MIN_SQNORM", "Encoding", "Level", "Metric", "metric_name"]

FALLBACK_NAMES: dict[str, tuple[str, ...]] = {
    "Metric": ("L2", "SQEUCLIDEAN", "COSINE", "IP", "L1"),
    "Encoding": ("F32", "F16", "SQ8"),
    "Level": ("SCALAR", "NEON", "AVX2", "AVX512"),
}

try:
    from ._kernels import COSINE_MIN_SQNORM, Encoding, Level, Metric
except ImportError:  # pragma: no cover - numpy-only install
    Metric = IntEnum("Metric", FALLBACK_NAMES["Metric"], start=0)  # type: ignore[misc,no-redef]
    Encoding = IntEnum("Encoding", FALLBACK_NAMES["Encoding"], start=0)  # type: ignore[misc,no-redef]
    Level = IntEnum("Level", FALLBACK_NAMES["Level"], start=0)  # type: ignore[misc,no-redef]
    COSINE_MIN_SQNORM = 2.0**-120

COSINE_MIN_NORM: float = COSINE_MIN_SQNORM**0.5
"""Cosine: a vector with a smaller norm (2**-60) counts as a zero vector: distance 1.0."""


def metric_name(metric: Metric) -> str:
    """The public name of a metric: the lower-case member name (``Metric.L2`` is ``"l2"``)."""
    return metric.name.lower()
