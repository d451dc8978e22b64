"""Edge cases of the scan: sizes, ties, zero vectors, input conversions, NaN/Inf."""

from __future__ import annotations

import numpy as np
import pytest

import accel

from .reference import reference
from .test_distances import METRICS, check_topk, make


@pytest.mark.parametrize("d", [1, 16000])
def test_extreme_dimensions(level: str, d: int) -> None:
    q, x = make(1, 3, 9, d)
    for metric in METRICS:
        ref, tol = reference(q.astype(np.float64), x.astype(np.float64), metric)
        np.testing.assert_array_less(np.abs(accel.distances(q, x, metric) - ref), tol + 1e-30)
        check_topk(q, x, 4, metric, *accel.topk(q, x, 4, metric))


def test_many_blocks_and_query_chunks(level: str) -> None:
    """n spans several candidate blocks and q more than one query chunk."""
    q, x = make(2, 70, 5000, 64)
    for metric in ("l2", "ip"):
        idx, dist = accel.topk(q, x, 7, metric)
        check_topk(q, x, 7, metric, idx, dist)
        full = accel.distances(q, x, metric)
        np.testing.assert_array_equal(np.take_along_axis(full, idx, 1), dist)


def test_empty_and_degenerate_k(level: str) -> None:
    q, x = make(3, 2, 5, 8)
    assert accel.distances(q, x[:0]).shape == (2, 0)
    assert accel.distances(q[:0], x).shape == (0, 5)
    for k, expect in ((0, 0), (5, 5), (99, 5)):
        idx, dist = accel.topk(q, x, k)
        assert idx.shape == dist.shape == (2, expect)
    idx, dist = accel.topk(q, x[:0], 3)
    assert idx.shape == (2, 0)


def test_ties_prefer_the_lower_index(level: str) -> None:
    rng = np.random.default_rng(4)
    base = rng.standard_normal((3, 19)).astype(np.float32)
    x = np.repeat(base, 7, axis=0)[rng.permutation(21)]  # every row occurs 7 times
    for metric in METRICS:
        idx, dist = accel.topk(base[:1], x, 10, metric)
        for a, b, da, db in zip(idx[0], idx[0][1:], dist[0], dist[0][1:], strict=False):
            assert da < db or (da == db and a < b)
        ref = accel.distances(base[:1], x, metric)[0]
        order = np.lexsort((np.arange(21), ref))[:10]
        np.testing.assert_array_equal(idx[0], order)


def test_cosine_zero_vector_is_one(level: str) -> None:
    q = np.array([[0, 0, 0], [1, 2, 3]], np.float32)
    x = np.array([[0, 0, 0], [3, 2, 1], [1, 2, 3]], np.float32)
    got = accel.distances(q, x, "cosine")
    np.testing.assert_array_equal(got[0], [1, 1, 1])
    assert got[1, 0] == 1
    assert abs(got[1, 2]) < 1e-6


def test_dtype_and_layout_conversions(level: str) -> None:
    q, x = make(5, 3, 20, 24, np.float64)
    ref = accel.distances(q.astype(np.float32), x.astype(np.float32), "l2")
    np.testing.assert_array_equal(accel.distances(q, x, "l2"), ref)
    wide = np.zeros((20, 48), np.float32)
    wide[:, ::2] = x
    np.testing.assert_array_equal(accel.distances(q, wide[:, ::2], "l2"), ref)
    np.testing.assert_array_equal(accel.distances(q.astype(np.float32).T.copy().T, x, "l2"), ref)
    half = x.astype(np.float16)
    np.testing.assert_allclose(
        accel.distances(q, half, "l2"), accel.distances(q, half.astype(np.float32), "l2"), rtol=1e-6
    )
    one = accel.distances(q[0], x, "l2")
    assert one.shape == (20,)
    idx, dist = accel.topk(q[0], x, 3)
    assert idx.shape == dist.shape == (3,)


def test_out_parameter(level: str) -> None:
    q, x = make(6, 2, 10, 5)
    out = np.full((2, 10), -1, np.float32)
    assert accel.distances(q, x, "ip", out=out) is out
    np.testing.assert_array_equal(out, accel.distances(q, x, "ip"))
    with pytest.raises(ValueError, match="out"):
        accel.distances(q, x, out=np.empty((2, 9), np.float32))
    with pytest.raises(ValueError, match="out"):
        accel.distances(q, x, out=np.empty((2, 10), np.float64))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("side", ["queries", "candidates"])
def test_non_finite_input_is_rejected(level: str, bad: float, side: str) -> None:
    q, x = make(7, 2, 30, 20)
    (q if side == "queries" else x)[1, 13] = bad
    for metric in METRICS:
        with pytest.raises(ValueError, match=r"nan|inf"):
            accel.distances(q, x, metric)
        with pytest.raises(ValueError, match=r"nan|inf"):
            accel.topk(q, x, 3, metric)
    if side == "candidates":  # also when the query is a zero vector (cosine short-cut)
        with pytest.raises(ValueError, match=r"nan|inf"):
            accel.topk(np.zeros((1, 20), np.float32), x, 3, "cosine")


# -- one rule on every back end (accel's docstring) ------------------------------


@pytest.mark.parametrize("scale", [1e-25, 1e-19])
def test_cosine_of_vectors_below_the_minimum_norm_is_one(level: str, scale: float) -> None:
    """|v| < COSINE_MIN_NORM (2**-60) counts as a zero vector on every back end."""
    base = np.array([[1.0, 2.0, 3.0, 4.0]], np.float32)
    tiny = (base * scale).astype(np.float32)
    assert np.linalg.norm(tiny.astype(np.float64)) < accel.COSINE_MIN_NORM
    for q, x in ((tiny, base), (base, tiny), (tiny, tiny)):
        np.testing.assert_array_equal(accel.distances(q, x, "cosine"), [[1.0]])
        assert accel.topk(np.repeat(q, 5, 0), x, 1, "cosine")[1].tolist() == [[1.0]] * 5


@pytest.mark.parametrize("scale", [1e-18, 1e-10, 1e15])
def test_cosine_of_small_and_large_vectors_above_the_minimum(level: str, scale: float) -> None:
    base = np.array([[1.0, 2.0, 3.0, 4.0], [4.0, -3.0, 2.0, 1.0]], np.float32)
    v = (base * scale).astype(np.float32)
    expect = np.array([[0.0, 1.0 - 8.0 / 30.0], [1.0 - 8.0 / 30.0, 0.0]])  # |b|^2 = 30
    for q in (v, base):
        np.testing.assert_allclose(accel.distances(q, v, "cosine"), expect, atol=2e-6)
        np.testing.assert_allclose(accel.distances(v, q, "cosine"), expect, atol=2e-6)


@pytest.mark.parametrize("metric", ["l2", "sqeuclidean", "cosine", "ip"])
def test_float32_overflow_of_an_intermediate_is_rejected(level: str, metric: str) -> None:
    """The float64 numpy back end applies the float32 kernels' overflow rule too."""
    q = np.full((1, 4), 3e19, np.float32)  # |q|^2 = 3.6e39 > float32 max
    x = -q if metric in ("l2", "sqeuclidean") else q.copy()
    with pytest.raises(ValueError, match="non-finite"):
        accel.distances(q, x, metric)


@pytest.mark.parametrize("metric", METRICS)
def test_empty_sides_give_empty_results_for_every_metric(level: str, metric: str) -> None:
    q, x = make(9, 3, 4, 6)
    assert accel.distances(q[:0], x, metric).shape == (0, 4)
    assert accel.distances(q, x[:0], metric).shape == (3, 0)
    idx, dist = accel.topk(q[:0], x, 2, metric)
    assert idx.shape == dist.shape == (0, 2)


@pytest.mark.parametrize("shape", [(), (1,), (3,), (2, 3), (2, 1, 3), (0, 4)])
def test_f16_conversions_keep_the_shape(level: str, shape: tuple[int, ...]) -> None:
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) + np.float32(0.5)
    h = accel.to_f16(x)
    assert h.shape == shape and h.dtype == np.float16
    np.testing.assert_array_equal(h, x.astype(np.float16))
    back = accel.from_f16(h)
    assert back.shape == shape and back.dtype == np.float32
    assert accel.to_f16(np.float64(2.5)).shape == ()
