"""Paths taken only with many queries or large outputs, at every back end.

From 4 queries on, compressed candidate blocks are decoded once and l2 top-k is
ranked by |q|^2 + |x|^2 - 2 q.x, then re-ranked by the exact distance; encoders
switch to non-temporal stores once the output passes 4 MiB.
"""

from __future__ import annotations

import numpy as np
import pytest

import accel

from .reference import reference
from .test_distances import METRICS, check_topk, make


@pytest.mark.parametrize("encoding", ["f32", "f16", "sq8"])
@pytest.mark.parametrize("offset", [0.0, 30.0])
def test_many_queries_every_metric(level: str, encoding: str, offset: float) -> None:
    """Offset data makes the l2 expansion cancel badly; the exact re-rank must hold."""
    q, x = make(7, 9, 700, 37)
    q, x = q + offset, x + offset
    x[5] = x[3]  # an exact tie across the expansion
    xmag = None
    if encoding == "f16":
        x = x.astype(np.float16)
    for metric in METRICS:
        if encoding == "sq8":
            params = accel.sq8_train(x)
            codes = accel.sq8_encode(x, params)
            idx, dist = accel.sq8_topk(q, codes, params, 12, metric)
            cand = accel.sq8_decode(codes, params)
            xmag = np.abs(params.lo).astype(np.float64) + np.abs(
                codes * params.scale.astype(np.float64)
            )
            check_topk(q, cand, 12, metric, idx, dist, xmag)
            one_by_one = [accel.sq8_topk(row, codes, params, 12, metric) for row in q]
        else:
            idx, dist = accel.topk(q, x, 12, metric)
            check_topk(q, x, 12, metric, idx, dist)
            one_by_one = [accel.topk(row, x, 12, metric) for row in q]
        # The single-query (direct) path returns the same neighbours and distances.
        for i, (ri, rd) in enumerate(one_by_one):
            np.testing.assert_allclose(dist[i], rd, rtol=1e-5, atol=1e-5)
            assert set(idx[i]) == set(ri) or np.allclose(dist[i], rd, rtol=1e-5)


def test_expansion_overflow_falls_back_to_the_exact_form(level: str) -> None:
    """|x|^2 overflows float32 although |q - x| does not: no error, exact answer."""
    x = np.full((6, 8), 1e20, np.float32)
    x[2] += np.float32(1e15)
    q = np.repeat(x[:1], 5, axis=0)
    idx, dist = accel.topk(q, x, 3, "l2")
    assert (idx[:, 0] == 0).all() and (dist[:, 0] == 0).all()


def test_k_larger_than_overfetch(level: str) -> None:
    q, x = make(8, 6, 300, 16)
    idx, dist = accel.topk(q, x, 290, "sqeuclidean")
    check_topk(q, x, 290, "sqeuclidean", idx, dist)


@pytest.mark.parametrize("rows", [3, 1500, 5600])  # 5600 x 768: past the 4 MiB streaming threshold
def test_encoders_write_into_out(level: str, rows: int) -> None:
    rng = np.random.default_rng(rows)
    x = rng.standard_normal((rows, 768), dtype=np.float32)
    params = accel.sq8_train(x)
    codes = np.empty((rows, 768), np.uint8)
    assert accel.sq8_encode(x, params, out=codes) is codes
    np.testing.assert_array_equal(codes, accel.sq8_encode(x, params))
    lo, inv = params.lo, params.inv_scale
    np.testing.assert_array_equal(codes, np.rint(np.clip((x - lo) * inv, 0, 255)).astype(np.uint8))
    flat = x.ravel()[1:]  # odd start: the f16 stream needs an aligned head first
    buf = np.empty(flat.size + 1, np.float16)
    half = buf[1:]
    assert accel.to_f16(flat, out=half) is half
    np.testing.assert_array_equal(half.view(np.uint16), flat.astype(np.float16).view(np.uint16))
    bits = np.empty((rows, 96), np.uint8)
    assert accel.binary_quantize(x, out=bits) is bits
    np.testing.assert_array_equal(bits, np.packbits(x > 0, axis=-1))
    one = np.empty(96, np.uint8)
    assert accel.binary_quantize(x[0], out=one) is one
    np.testing.assert_array_equal(one, np.packbits(x[0] > 0))


@pytest.mark.parametrize(
    "call",
    [
        lambda x, p: accel.sq8_encode(x, p, out=np.empty((4, 8), np.uint8)),
        lambda x, p: accel.sq8_encode(x, p, out=np.empty((4, 16), np.int8)),
        lambda x, p: accel.to_f16(x, out=np.empty((4, 16), np.float32)),
        lambda x, p: accel.binary_quantize(x, out=np.empty((4, 3), np.uint8)),
    ],
)
def test_encoder_out_is_checked(level: str, call) -> None:  # type: ignore[no-untyped-def]
    x = np.ones((4, 16), np.float32)
    with pytest.raises(ValueError, match="out"):
        call(x, accel.sq8_train(x))


@pytest.mark.parametrize("nq", [8, 12, 17, 24, 40, 56])
def test_packed_query_groups_of_eight(level: str, nq: int) -> None:
    """Query counts around the packed kernels' 16- and 32-query groups (padded to 16)."""
    q, x = make(nq, nq, 61, 19)
    for metric in ["ip", "cosine", "l2"]:
        idx, dist = accel.topk(q, x, 7, metric)
        check_topk(q, x, 7, metric, idx, dist)


@pytest.mark.parametrize("metric", ["l2", "sqeuclidean"])
def test_rerank_stops_only_past_the_key_error(level: str, metric: str) -> None:
    """A cluster of near-duplicates whose expanded keys are noise (their spread is far
    below the key's rounding at this norm): the re-rank must still visit every one whose
    exact distance can beat the k-th, so the answer is the exact ranking of the
    distance matrix, value for value, index for index."""
    rng = np.random.default_rng(23)
    d, n, k = 32, 400, 10
    base = (rng.standard_normal(d) + 10.0).astype(np.float32)
    x = (rng.standard_normal((n, d)) + 10.0).astype(np.float32)
    x[::25] = base + (rng.standard_normal((n // 25, d)) * 1e-3).astype(np.float32)  # 16 near base
    q = base + (rng.standard_normal((12, d)) * 1e-2).astype(np.float32)
    idx, dist = accel.topk(q, x, k, metric)
    full = accel.distances(q, x, metric)
    ref = np.lexsort((np.broadcast_to(np.arange(n), full.shape), full), axis=1)[:, :k]
    np.testing.assert_array_equal(idx, ref)
    np.testing.assert_array_equal(dist, np.take_along_axis(full, ref, 1))


@pytest.mark.parametrize("d", [1, 7, 15, 16, 17, 33])
@pytest.mark.parametrize("n", [1, 5, 6, 7, 12, 13, 61])
def test_packed_tile_tails(level: str, d: int, n: int) -> None:
    """Candidate counts around the packed tile (6 rows, prefetching the next 6) and
    dimensions around its 16-element prefetch step, with a query count not a
    multiple of 16."""
    q, x = make(d * 100 + n, 19, n, d)
    for metric in ["ip", "cosine"]:
        ref, tol = reference(q.astype(np.float64), x.astype(np.float64), metric)
        np.testing.assert_array_less(np.abs(accel.distances(q, x, metric) - ref), tol + 1e-30)
    for metric in ["ip", "cosine", "l2"]:
        check_topk(q, x, 4, metric, *accel.topk(q, x, 4, metric))


@pytest.mark.parametrize(("nq", "d"), [(20, 2100), (70, 1100)])
def test_packed_queries_larger_than_half_of_l2(level: str, nq: int, d: int) -> None:
    """Packed queries past 256 KiB (d x 32 or d x 64 floats): the AVX2 kernel runs
    query group by query group over the block instead of tile by tile."""
    q, x = make(nq + d, nq, 13, d)
    for metric in ["ip", "cosine"]:
        ref, tol = reference(q.astype(np.float64), x.astype(np.float64), metric)
        np.testing.assert_array_less(np.abs(accel.distances(q, x, metric) - ref), tol + 1e-30)
    for metric in ["ip", "l2"]:
        check_topk(q, x, 5, metric, *accel.topk(q, x, 5, metric))


@pytest.mark.parametrize("metric", ["l2", "sqeuclidean"])
def test_expanded_ranking_far_from_the_origin_is_exact(level: str, metric: str) -> None:
    """At |x| ~ 8000 the expanded key |q|^2 + |x|^2 - 2 q.x carries an error of several
    units while the neighbours are ~10 apart: the overfetched candidates may miss a true
    neighbour, and the query must then be answered by the exact scan."""
    rng = np.random.default_rng(10)
    d, n = 62, 574
    x = (rng.standard_normal((n, d)) + 1000.0).astype(np.float32)
    x[rng.integers(0, n, n // 4)] = x[rng.integers(0, n, n // 4)]
    q = x[rng.integers(0, n, 16)] + rng.standard_normal((16, d)).astype(np.float32)
    full = accel.distances(q, x, metric)
    ref = np.lexsort((np.broadcast_to(np.arange(n), full.shape), full), axis=1)
    for k in (4, 10):
        idx, dist = accel.topk(q, x, k, metric)
        np.testing.assert_array_equal(idx, ref[:, :k])
        np.testing.assert_array_equal(dist, np.take_along_axis(full, ref[:, :k], 1))
