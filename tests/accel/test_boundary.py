"""The C boundary: named constants from C, keyword entry points, every argument checked.

These call ``accel._kernels`` directly, as a user bypassing the package could:
a wrong dtype, shape, layout or index must raise before any memory is touched
(scripts/asan_accel.sh runs this file under AddressSanitizer, so an access out
of bounds would abort the run rather than pass silently).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import accel
from accel import _backend, _enums

ext = _backend._kernels
needs_ext = pytest.mark.skipif(ext is None, reason="accel._kernels not built")

F32, F16, U8, I64, F64 = np.float32, np.float16, np.uint8, np.int64, np.float64


def z(shape: tuple[int, ...], dtype: Any = F32) -> np.ndarray:
    return np.zeros(shape, dtype)


@needs_ext
def test_enums_come_from_c_and_match_the_fallback_names() -> None:
    assert ext is not None
    assert accel.Metric is ext.Metric and accel.Encoding is ext.Encoding
    for name, members in _enums.FALLBACK_NAMES.items():
        enum = getattr(ext, name)
        assert tuple(m.name for m in enum) == members
        assert [m.value for m in enum] == list(range(len(members)))
        assert getattr(ext, f"{name}_NAMES") == {m.value: m.name.lower() for m in enum}
    assert accel.COSINE_MIN_NORM == 2.0**-60
    assert set(ext.supported_levels()) <= set(ext.Level_NAMES.values())


def test_no_hand_copied_metric_numbers() -> None:
    """The old pointer to a missing accel/_metrics.py is gone; numbers live in accel.h only."""
    from pathlib import Path

    root = Path(accel.__file__).parent
    assert "_metrics.py" not in (root / "src" / "accel.h").read_text()
    for py in root.glob("*.py"):
        text = py.read_text()
        assert '"l2": 0' not in text and "_F32, _F16, _SQ8 = 0, 1, 2" not in text, py.name


def test_probes_are_not_in_the_production_extension() -> None:
    if ext is not None:
        assert not hasattr(ext, "read_sum") and not hasattr(ext, "fma_loop")
    from pathlib import Path

    root = Path(accel.__file__).parent
    assert not (root / "tests_c").exists() and not (root / "src" / "probe.c").exists()


def _scan(**kw: Any) -> None:
    assert ext is not None
    ext.scan_vectors(**kw)


VEC = {"queries": z((2, 4)), "candidates": z((5, 4)), "metric": 0, "out": z((2, 5))}
TOPK = {**VEC, "k": 3, "out": z((2, 3)), "out_indices": z((2, 3), I64)}
SQ8 = {**VEC, "candidates": z((5, 4), U8), "lo": z(4), "scale": z(4)}

BAD_CALLS: list[tuple[str, Callable[[], None], type, str]] = [
    ("positional", lambda: ext.scan_vectors(z((2, 4))), TypeError, "positional|argument"),
    ("queries f64", lambda: _scan(**{**VEC, "queries": z((2, 4), F64)}), TypeError, "queries"),
    ("queries 1-D", lambda: _scan(**{**VEC, "queries": z(8)}), ValueError, "queries"),
    (
        "queries strided",
        lambda: _scan(**{**VEC, "queries": z((2, 8))[:, ::2]}),
        ValueError,
        "queries.*contiguous",
    ),
    (
        "candidates i32",
        lambda: _scan(**{**VEC, "candidates": z((5, 4), np.int32)}),
        TypeError,
        "candidates",
    ),
    ("dim mismatch", lambda: _scan(**{**VEC, "candidates": z((5, 3))}), ValueError, "dimension"),
    ("metric range", lambda: _scan(**{**VEC, "metric": 5}), ValueError, "metric"),
    ("metric negative", lambda: _scan(**{**VEC, "metric": -1}), ValueError, "metric"),
    ("out short", lambda: _scan(**{**VEC, "out": z((2, 4))}), ValueError, "out"),
    ("out f64", lambda: _scan(**{**VEC, "out": z((2, 5), F64)}), TypeError, "out"),
    (
        "out read-only",
        lambda: _scan(**{**VEC, "out": np.frombuffer(bytes(40), F32).reshape(2, 5)}),
        ValueError,
        "out",
    ),
    ("k negative", lambda: _scan(**{**TOPK, "k": -1}), ValueError, "k"),
    (
        "k without indices",
        lambda: _scan(**{**TOPK, "out_indices": None}),
        TypeError,
        "out_indices|buffer",
    ),
    (
        "indices i32",
        lambda: _scan(**{**TOPK, "out_indices": z((2, 3), np.int32)}),
        TypeError,
        "out_indices",
    ),
    (
        "indices short",
        lambda: _scan(**{**TOPK, "out_indices": z((2, 2), I64)}),
        ValueError,
        "out_indices",
    ),
    (
        "indices without k",
        lambda: _scan(**{**VEC, "out_indices": z((2, 5), I64)}),
        ValueError,
        "out_indices",
    ),
    ("sq8 without params", lambda: _scan(**{**SQ8, "lo": None}), ValueError, "lo"),
    ("sq8 f64 params", lambda: _scan(**{**SQ8, "lo": z(4, F64)}), TypeError, "lo"),
    ("sq8 short params", lambda: _scan(**{**SQ8, "scale": z(3)}), ValueError, "scale"),
    ("params on f32", lambda: _scan(**{**VEC, "lo": z(4), "scale": z(4)}), ValueError, "lo"),
    (
        "hamming width",
        lambda: ext.scan_hamming(queries=z((2, 4), U8), codes=z((3, 5), U8), out=z((2, 3))),
        ValueError,
        "codes",
    ),
    (
        "hamming dtype",
        lambda: ext.scan_hamming(queries=z((2, 4)), codes=z((3, 4), U8), out=z((2, 3))),
        TypeError,
        "queries",
    ),
    (
        "pq code >= ksub",
        lambda: ext.scan_pq(luts=z((1, 2, 16)), codes=np.full((3, 2), 16, U8), out=z((1, 3))),
        ValueError,
        "code 16",
    ),
    (
        "pq code 255 of 16",
        lambda: ext.scan_pq(
            luts=z((1, 2, 16)),
            codes=np.full((3, 2), 255, U8),
            k=2,
            out=z((1, 2)),
            out_indices=z((1, 2), I64),
        ),
        ValueError,
        "code 255",
    ),
    (
        "pq luts 2-D",
        lambda: ext.scan_pq(luts=z((2, 16)), codes=z((3, 2), U8), out=z((1, 3))),
        ValueError,
        "luts",
    ),
    (
        "pq m mismatch",
        lambda: ext.scan_pq(luts=z((1, 3, 16)), codes=z((3, 2), U8), out=z((1, 3))),
        ValueError,
        "codes",
    ),
    (
        "pq ksub > 256",
        lambda: ext.scan_pq(luts=z((1, 2, 300)), codes=z((3, 2), U8), out=z((1, 3))),
        ValueError,
        "luts",
    ),
    (
        "accumulate code >= ksub",
        lambda: ext.pq_accumulate(
            x=z((3, 4)),
            codes=np.full((3, 2), 16, U8),
            sums=z((2, 16, 2), F64),
            counts=z((2, 16), I64),
        ),
        ValueError,
        "code 16",
    ),
    (
        "accumulate sums f32",
        lambda: ext.pq_accumulate(
            x=z((3, 4)), codes=z((3, 2), U8), sums=z((2, 16, 2)), counts=z((2, 16), I64)
        ),
        TypeError,
        "sums",
    ),
    (
        "accumulate counts short",
        lambda: ext.pq_accumulate(
            x=z((3, 4)), codes=z((3, 2), U8), sums=z((2, 16, 2), F64), counts=z((2, 15), I64)
        ),
        ValueError,
        "counts",
    ),
    (
        "accumulate d",
        lambda: ext.pq_accumulate(
            x=z((3, 5)), codes=z((3, 2), U8), sums=z((2, 16, 2), F64), counts=z((2, 16), I64)
        ),
        ValueError,
        "sums",
    ),
    (
        "encode centroids f64",
        lambda: ext.pq_encode(
            x=z((3, 4)), centroids_t=z((2, 2, 16), F64), norms=z((2, 16)), out=z((3, 2), U8)
        ),
        TypeError,
        "centroids_t",
    ),
    (
        "encode ksub 20",
        lambda: ext.pq_encode(
            x=z((3, 4)), centroids_t=z((2, 2, 20)), norms=z((2, 20)), out=z((3, 2), U8)
        ),
        ValueError,
        "centroids",
    ),
    (
        "encode norms",
        lambda: ext.pq_encode(
            x=z((3, 4)), centroids_t=z((2, 2, 16)), norms=z((2, 8)), out=z((3, 2), U8)
        ),
        ValueError,
        "norms",
    ),
    (
        "encode out",
        lambda: ext.pq_encode(
            x=z((3, 4)), centroids_t=z((2, 2, 16)), norms=z((2, 16)), out=z((3, 1), U8)
        ),
        ValueError,
        "out",
    ),
    (
        "sq8 encode lo f64",
        lambda: ext.sq8_encode(x=z((3, 4)), lo=z(4, F64), inv_scale=z(4), out=z((3, 4), U8)),
        TypeError,
        "lo",
    ),
    (
        "sq8 encode out",
        lambda: ext.sq8_encode(x=z((3, 4)), lo=z(4), inv_scale=z(4), out=z((3, 3), U8)),
        ValueError,
        "out",
    ),
    (
        "sq8 decode scale",
        lambda: ext.sq8_decode(codes=z((3, 4), U8), lo=z(4), scale=z(5), out=z((3, 4))),
        ValueError,
        "scale",
    ),
    ("binary out", lambda: ext.binary_quantize(x=z((3, 9)), out=z((3, 1), U8)), ValueError, "out"),
    ("to_f16 out shape", lambda: ext.to_f16(x=z((3, 4)), out=z((4, 3), F16)), ValueError, "out"),
    ("to_f16 out dtype", lambda: ext.to_f16(x=z(4), out=z(4, np.uint16)), TypeError, "out"),
    ("from_f16 dtype", lambda: ext.from_f16(x=z(4), out=z(4)), TypeError, "x"),
]


@needs_ext
@pytest.mark.parametrize(
    ("call", "error", "words"), [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS]
)
def test_every_argument_is_checked_at_the_boundary(
    level: str, call: Callable[[], None], error: type, words: str
) -> None:
    with pytest.raises(error, match=words):
        call()


@needs_ext
def test_keyword_entry_points_compute(level: str) -> None:
    """The raw entry points agree with the package functions they serve."""
    assert ext is not None
    if level == "numpy":
        pytest.skip("C entry points")
    rng = np.random.default_rng(1)
    q, x = rng.standard_normal((3, 16), F32), rng.standard_normal((40, 16), F32)
    out = z((3, 40))
    ext.scan_vectors(queries=q, candidates=x, metric=accel.Metric.IP, out=out)
    np.testing.assert_allclose(out, -(q @ x.T), rtol=1e-5, atol=1e-5)
    idx, dist = z((3, 4), I64), z((3, 4))
    ext.scan_vectors(
        queries=q, candidates=x, metric=accel.Metric.IP, k=4, out=dist, out_indices=idx
    )
    np.testing.assert_array_equal(idx, np.argsort(-(q @ x.T), axis=1)[:, :4])
    luts = rng.random((2, 4, 16), F32)
    codes = rng.integers(0, 16, (30, 4), U8)
    got = z((2, 30))
    ext.scan_pq(luts=luts, codes=codes, out=got)
    want = luts[:, np.arange(4)[None, :], codes].sum(axis=2)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_pq_private_kernels_reject_out_of_range_codes(level: str) -> None:
    """ProductQuantizer refuses codes >= 2**nbits before any kernel sees them."""
    rng = np.random.default_rng(2)
    pq = accel.ProductQuantizer(2, nbits=4).fit(rng.standard_normal((64, 8)), iters=2)
    bad = np.full((3, 2), 16, U8)
    with pytest.raises(ValueError, match="< 16"):
        pq.adc_topk(rng.standard_normal(8), bad, 2)
    with pytest.raises(ValueError, match="< 16"):
        pq.decode(bad)


def test_metric_members_are_accepted_like_names(level: str) -> None:
    rng = np.random.default_rng(3)
    q, x = rng.standard_normal((2, 8), F32), rng.standard_normal((5, 8), F32)
    for member in accel.Metric:
        np.testing.assert_array_equal(
            accel.distances(q, x, member), accel.distances(q, x, member.name.lower())
        )
