"""distances() and topk() against the float64 reference, at every back end."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

import accel

from .reference import reference

# The `level` fixture is meant to span all examples of one back end.
PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
METRICS = ["l2", "sqeuclidean", "cosine", "ip", "l1"]
DIMS = [1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100]


def make(seed: int, nq: int, n: int, d: int, dtype: type = np.float32) -> tuple[NDArray, NDArray]:
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((nq, d)).astype(dtype)
    x = rng.standard_normal((n, d)).astype(dtype)
    if n >= 3:  # exact duplicates and a zero vector exercise ties and cosine's zero rule
        x[n // 2] = x[0]
        x[-1] = 0
    return q, x


def check_topk(
    q: NDArray,
    x: NDArray,
    k: int,
    metric: str,
    idx: NDArray,
    dist: NDArray,
    xmag: NDArray | None = None,
) -> None:
    n = x.shape[0]
    kk = min(k, n)
    assert idx.shape == dist.shape == (q.shape[0], kk)
    assert idx.dtype == np.int64 and dist.dtype == np.float32
    if kk == 0:
        return
    ref, tol = reference(q.astype(np.float64), x.astype(np.float64), metric, xmag)
    for i in range(q.shape[0]):
        row = idx[i]
        assert len(set(row.tolist())) == kk and row.min() >= 0 and row.max() < n
        np.testing.assert_array_less(np.abs(dist[i] - ref[i, row]), tol[i, row] + 1e-30)
        # Sorted by (distance, index).
        assert all((dist[i, j], row[j]) < (dist[i, j + 1], row[j + 1]) for j in range(kk - 1))
        # Nothing left out is closer than the farthest kept, beyond rounding.
        rest = np.setdiff1d(np.arange(n), row)
        far = np.argmax(ref[i, row])
        slack = tol[i, rest] + tol[i, row[far]]
        assert (ref[i, rest] >= ref[i, row[far]] - slack).all()


@PROPERTY
@given(
    seed=st.integers(0, 2**32 - 1),
    nq=st.integers(1, 6),
    n=st.integers(0, 40),
    d=st.sampled_from(DIMS),
    metric=st.sampled_from(METRICS),
)
def test_distances_match_reference(
    level: str, seed: int, nq: int, n: int, d: int, metric: str
) -> None:
    q, x = make(seed, nq, n, d)
    got = accel.distances(q, x, metric)
    assert got.shape == (nq, n) and got.dtype == np.float32
    ref, tol = reference(q.astype(np.float64), x.astype(np.float64), metric)
    np.testing.assert_array_less(np.abs(got - ref), tol + 1e-30)


@PROPERTY
@given(
    seed=st.integers(0, 2**32 - 1),
    nq=st.integers(1, 5),
    n=st.integers(0, 60),
    d=st.sampled_from(DIMS),
    k=st.integers(0, 70),
    metric=st.sampled_from(METRICS),
    f16=st.booleans(),
)
def test_topk_matches_reference(
    level: str, seed: int, nq: int, n: int, d: int, k: int, metric: str, f16: bool
) -> None:
    q, x = make(seed, nq, n, d)
    if f16:
        x = x.astype(np.float16)
    idx, dist = accel.topk(q, x, k, metric)
    check_topk(q, x, k, metric, idx, dist)


@PROPERTY
@given(
    seed=st.integers(0, 2**32 - 1),
    nq=st.sampled_from([8, 9, 15, 16, 17, 31, 32, 33, 48, 64, 65, 80]),
    n=st.integers(0, 60),
    d=st.sampled_from(DIMS),
    k=st.integers(0, 30),
    metric=st.sampled_from(METRICS),
    encoding=st.sampled_from(["f32", "f16", "sq8"]),
)
def test_many_queries_match_reference(
    level: str, seed: int, nq: int, n: int, d: int, k: int, metric: str, encoding: str
) -> None:
    """From 8 queries on, ip/cosine/expanded-l2 run the packed (register-blocked) kernel.

    Query counts straddle the kernels' 16- and 32-query groups and the 64-query chunk;
    n straddles the candidate tiles (4, 6, 12, 24).
    """
    q, x = make(seed, nq, n, d)
    xmag = None
    if encoding == "f16":
        x = x.astype(np.float16)
    if encoding == "sq8" and n:
        params = accel.sq8_train(x)
        codes = accel.sq8_encode(x, params)
        idx, dist = accel.sq8_topk(q, codes, params, k, metric)
        x = accel.sq8_decode(codes, params)
        xmag = np.abs(params.lo).astype(np.float64) + np.abs(
            codes * params.scale.astype(np.float64)
        )
    else:
        idx, dist = accel.topk(q, x, k, metric)
        got = accel.distances(q, x, metric)
        ref, tol = reference(q.astype(np.float64), x.astype(np.float64), metric)
        np.testing.assert_array_less(np.abs(got - ref), tol + 1e-30)
    check_topk(q, x, k, metric, idx, dist, xmag)
