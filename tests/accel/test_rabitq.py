"""RaBitQ-style rotated binary codes: estimator, search and recall, at every back end."""

from __future__ import annotations

import numpy as np
import pytest

import accel


def clustered(seed: int, n: int, d: int, clusters: int = 20) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, d))
    labels = rng.integers(0, clusters, n)
    return (centres[labels] + 0.6 * rng.standard_normal((n, d))).astype(np.float32)


def test_rotation_is_orthogonal_and_seeded() -> None:
    x = clustered(0, 50, 40)
    a, b = accel.RaBitQ(seed=3).fit(x), accel.RaBitQ(seed=3).fit(x)
    assert a.rotation is not None and b.rotation is not None
    assert a.rotation.shape == (64, 40)  # padded to whole 64-bit words
    np.testing.assert_array_equal(a.rotation, b.rotation)
    np.testing.assert_allclose(a.rotation.T @ a.rotation, np.eye(40), atol=1e-5)


def test_estimator_tracks_the_true_distance(level: str) -> None:
    x = clustered(1, 400, 96)
    q = clustered(2, 5, 96)
    rq = accel.RaBitQ().fit(x)
    codes = rq.encode(x)
    assert codes.bits.shape == (
        400,
        16,
    )  # 96 dims padded to 128 bits and codes.norm.shape == (400,)
    est = rq.estimate(q, codes).astype(np.float64)
    true = ((q[:, None, :].astype(np.float64) - x[None]) ** 2).sum(axis=2)
    rel = np.abs(est - true) / true
    assert np.median(rel) < 0.1
    # the ranking it gives is far better than chance: its best 10% hold most true top-10s
    for i in range(5):
        best = set(np.argsort(est[i])[:40])
        assert len(best & set(np.argsort(true[i])[:10])) >= 7


def test_search_recall_at_rerank_factor_20(level: str) -> None:
    data = clustered(4, 3020, 128)
    x, q = data[:3000], data[3000:]
    rq = accel.RaBitQ(seed=1).fit(x)
    codes = rq.encode(x)
    idx, dist = rq.search(q, codes, x, 10, rerank_factor=20)
    exact_idx, _exact_dist = accel.topk(q, x, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(idx, exact_idx, strict=True)])
    assert recall >= 0.99
    for i in range(len(q)):  # returned distances are the exact l2 of the returned rows
        np.testing.assert_allclose(dist[i], np.linalg.norm(x[idx[i]] - q[i], axis=1), rtol=1e-5)
    one_idx, _one_dist = rq.search(q[0], codes, x, 10)
    np.testing.assert_array_equal(one_idx, idx[0])
    assert one_idx.shape == (10,)


def test_search_edges(level: str) -> None:
    x = clustered(5, 30, 16)
    rq = accel.RaBitQ().fit(x)
    codes = rq.encode(x)
    idx, dist = rq.search(x[:2], codes, x, 50, rerank_factor=1)
    assert idx.shape == (2, 30)
    assert (idx[:, 0] == [0, 1]).all() and (dist[:, 0] == 0).all()
    assert rq.search(x[:2], codes, x, 0)[0].shape == (2, 0)
    centre = rq.encode(rq.centre[None])  # a vector at the centre: align defined, finite
    assert np.isfinite(centre.scale).all()


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda rq, c, x: accel.RaBitQ().encode(x), RuntimeError, "fit"),
        (lambda rq, c, x: rq.encode(x[:, :8]), ValueError, "dimension"),
        (lambda rq, c, x: rq.search(x[0], c, x, 3, rerank_factor=0), ValueError, "rerank"),
        (lambda rq, c, x: rq.search(x[0], c, x[:5], 3), ValueError, "vectors"),
        (lambda rq, c, x: rq.search(x[0], c, x, -1), ValueError, "k"),
        (lambda rq, c, x: accel.RaBitQ(seed=1.5), TypeError, "seed"),  # type: ignore[arg-type]
        (lambda rq, c, x: rq.fit(np.full((3, 16), np.nan)), ValueError, "nan"),
        (lambda rq, c, x: accel.RaBitQ(clusters=8), ValueError, "clusters"),
        (lambda rq, c, x: accel.RaBitQ(clusters=True), ValueError, "clusters"),  # type: ignore[arg-type]
        (lambda rq, c, x: accel.RaBitQ(clusters=16).fit(x[:10]), ValueError, "16 clusters"),
        (
            lambda rq, c, x: rq.estimate(x, accel.RaBitQ(clusters=16).fit(x).encode(x)),
            ValueError,
            "cluster",
        ),
    ],
)
def test_bad_arguments(call, error, words) -> None:  # type: ignore[no-untyped-def]
    x = clustered(6, 20, 16)
    rq = accel.RaBitQ().fit(x)
    with pytest.raises(error, match=words):
        call(rq, rq.encode(x), x)


def test_clusters_are_picked_by_size_and_shrink_the_error(level: str) -> None:
    """On clustered data, codes relative to k-means centroids estimate the near
    neighbours (the ones a search must rank) far better than codes relative to the
    global mean: that is what clusters are for."""
    data = clustered(9, 3005, 128, clusters=20)
    x, q = data[:3000], data[3000:]
    auto = accel.RaBitQ(seed=2).fit(x)
    assert auto.centroids is not None and auto.centroids.shape == (64, 128)  # 3000 // 39 -> 64
    small = accel.RaBitQ(seed=2).fit(x[:600])
    assert small.centroids is not None and small.centroids.shape == (1, 128)
    true = ((q[:, None, :].astype(np.float64) - x[None]) ** 2).sum(axis=2)
    near = np.argsort(true, axis=1)[:, :100]
    errors = {}
    for count in (1, 64):
        rq = accel.RaBitQ(seed=2, clusters=count).fit(x)
        est = np.take_along_axis(rq.estimate(q, rq.encode(x)), near, axis=1)
        exact = np.take_along_axis(true, near, axis=1)
        errors[count] = np.median(np.abs(est - exact) / exact)
    assert errors[64] < 0.5 * errors[1]


def test_a_vector_at_its_centroid_is_estimated_exactly(level: str) -> None:
    x = clustered(10, 800, 64)
    rq = accel.RaBitQ(seed=3, clusters=16).fit(x)
    assert rq.centroids is not None
    codes = rq.encode(rq.centroids)
    np.testing.assert_array_equal(codes.cluster, np.arange(16))
    assert (codes.norm < 1e-3).all()
    q = clustered(11, 3, 64)
    true = ((q[:, None, :].astype(np.float64) - rq.centroids[None]) ** 2).sum(axis=2)
    np.testing.assert_allclose(rq.estimate(q, codes), true, rtol=1e-4)
