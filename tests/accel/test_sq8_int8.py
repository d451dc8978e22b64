"""SQ8 top-k with 4+ queries: int8 query x uint8 code ranking (VNNI), exact re-rank.

The int8 ranking keeps k + max(k, 32) candidates per query, so these tests use
many more candidates than that: a ranking error would leave a closer candidate
out, which check_topk catches against the float64 reference of the decoded
vectors.  Dimensions cover every d % 4 tail of the 4-byte dot-product groups;
query counts the 16- and 32-query tiles and the 64-query chunk.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import accel

from .test_distances import PROPERTY, check_topk, make

RANKED = ["l2", "sqeuclidean", "cosine", "ip"]


def sq8_case(q: np.ndarray, x: np.ndarray, k: int, metric: str) -> None:
    params = accel.sq8_train(x)
    codes = accel.sq8_encode(x, params)
    idx, dist = accel.sq8_topk(q, codes, params, k, metric)
    xmag = np.abs(params.lo).astype(np.float64) + np.abs(codes * params.scale.astype(np.float64))
    check_topk(q, accel.sq8_decode(codes, params), k, metric, idx, dist, xmag)
    # every returned distance is the exact one the single-query path computes
    for i in (0, q.shape[0] - 1):
        ri, rd = accel.sq8_topk(q[i], codes, params, k, metric)
        np.testing.assert_allclose(dist[i], rd, rtol=1e-5, atol=1e-6)
        # near-ties (cosine ~1e-7 between almost parallel vectors) may swap neighbours
        assert set(idx[i]) == set(ri) or np.allclose(dist[i], rd, rtol=1e-5, atol=1e-6)


@PROPERTY
@given(
    seed=st.integers(0, 2**32 - 1),
    nq=st.sampled_from([4, 5, 15, 16, 17, 32, 33, 65]),
    n=st.integers(120, 700),
    d=st.sampled_from([1, 2, 3, 4, 5, 7, 17, 64, 101]),
    k=st.integers(1, 12),
    metric=st.sampled_from(RANKED),
    offset=st.sampled_from([0.0, 25.0]),
)
def test_int8_ranking_matches_reference(
    level: str, seed: int, nq: int, n: int, d: int, k: int, metric: str, offset: float
) -> None:
    q, x = make(seed, nq, n, d)
    sq8_case(q + offset, x + offset, k, metric)


@pytest.mark.parametrize("metric", RANKED)
@pytest.mark.parametrize("d", [384, 767, 769])
def test_int8_ranking_embedding_sizes(level: str, metric: str, d: int) -> None:
    q, x = make(d, 17, 1000, d)  # 1000 >> k + 32 kept; the float64 reference stays small
    sq8_case(q, x, 10, metric)


@pytest.mark.parametrize("metric", RANKED)
def test_int8_ranking_edges(level: str, metric: str) -> None:
    """Constant dimensions (scale 0), a zero query, a query with one huge component
    (every other one rounds to int8 zero), duplicates and the zero candidate."""
    q, x = make(11, 9, 400, 24)
    x[:, 5] = 3.0  # constant: scale 0, the code carries nothing
    q[0] = 0.0
    q[1, :] = 1e-3
    q[1, 7] = 1e3
    q[2] = x[17]  # a candidate itself: distance 0 (l2), first
    sq8_case(q, x, 7, metric)


@pytest.mark.parametrize("metric", ["l2", "sqeuclidean"])
def test_int8_ranking_non_finite_key_falls_back(level: str, metric: str) -> None:
    """Far from the origin: |x|^2 overflows float32, so the expanded key is inf,
    while |q - x| does not; the exact form ranks those candidates."""
    x = np.zeros((200, 8), np.float32)
    x[:, 0] = np.float32(2e19) + np.linspace(-1e16, 1e16, 200, dtype=np.float32)
    x[:, 1:] = np.linspace(-1.0, 1.0, 7, dtype=np.float32)
    q = np.repeat(x[150:151], 6, axis=0)
    params = accel.sq8_train(x)
    codes = accel.sq8_encode(x, params)
    idx, dist = accel.sq8_topk(q, codes, params, 3, metric)
    assert (idx[:, 0] == 150).all()
    assert (dist[:, 0] <= (1e14 if metric == "l2" else 1e28)).all()


def test_int8_ranking_beyond_the_int32_dimension_limit(level: str) -> None:
    """d > 65536 keeps the f32 path (int32 sums of 255 * 127 products could overflow)."""
    q, x = make(3, 4, 40, 65_537)
    sq8_case(q, x, 5, "ip")
