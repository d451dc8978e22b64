"""SQ8, float16, binary codes and product quantization at every back end."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import accel

from .reference import reference
from .test_distances import DIMS, METRICS, PROPERTY, check_topk, make


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 50), d=st.sampled_from(DIMS))
def test_sq8_roundtrip(level: str, seed: int, n: int, d: int) -> None:
    _, x = make(seed, 1, n, d)
    params = accel.sq8_train(x)
    codes = accel.sq8_encode(x, params)
    assert codes.shape == x.shape and codes.dtype == np.uint8
    back = accel.sq8_decode(codes, params)
    assert (np.abs(back - x) <= params.scale * 0.5 * (1 + 1e-5) + 1e-6 * np.abs(x)).all()
    lo, inv = params.lo, params.inv_scale  # exact spec: clamp(rint((x - lo) * inv))
    np.testing.assert_array_equal(codes, np.rint(np.clip((x - lo) * inv, 0, 255)).astype(np.uint8))


@PROPERTY
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 50),
    d=st.sampled_from(DIMS),
    k=st.integers(0, 60),
    metric=st.sampled_from(METRICS),
)
def test_sq8_topk_equals_topk_on_decoded(
    level: str, seed: int, n: int, d: int, k: int, metric: str
) -> None:
    q, x = make(seed, 3, max(n, 1), d)
    params = accel.sq8_train(x)
    codes = accel.sq8_encode(x[:n], params)
    decoded = accel.sq8_decode(codes, params)
    idx, dist = accel.sq8_topk(q, codes, params, k, metric)
    xmag = np.abs(params.lo).astype(np.float64) + np.abs(codes * params.scale.astype(np.float64))
    check_topk(q, decoded, k, metric, idx, dist, xmag)


def test_sq8_constant_dimension(level: str) -> None:
    x = np.ones((4, 3), np.float32)
    x[:, 1] = np.arange(4)
    params = accel.sq8_train(x)
    codes = accel.sq8_encode(x, params)
    assert (codes[:, 0] == 0).all()
    np.testing.assert_allclose(accel.sq8_decode(codes, params), x, atol=1e-6)


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 300))
def test_f16_conversion_matches_numpy(level: str, seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(n) * 10.0 ** rng.integers(-9, 6, n)).astype(np.float32)
    special = [np.inf, -np.inf, 65504.0, 65520.0, 65519.99, 1e-8, -0.0, 6e-8, 2.98e-8, 3e38]
    x[: min(n, len(special))] = special[:n]
    h = accel.to_f16(x)
    assert h.dtype == np.float16
    with np.errstate(over="ignore"):
        expect = x.astype(np.float16)
    np.testing.assert_array_equal(h.view(np.uint16), expect.view(np.uint16))
    np.testing.assert_array_equal(accel.from_f16(h), h.astype(np.float32))
    np.testing.assert_array_equal(accel.to_f16(x.reshape(1, -1)[:, ::-1]), h[::-1][None])


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 20), d=st.sampled_from([*DIMS, 513]))
def test_binary_quantize_matches_packbits(level: str, seed: int, n: int, d: int) -> None:
    _, x = make(seed, 1, n, d)
    if n:
        x[0, : d // 2] = 0.0  # zero is not positive
    expect = np.packbits(x > 0, axis=-1)
    np.testing.assert_array_equal(accel.binary_quantize(x), expect)
    if n:
        np.testing.assert_array_equal(accel.binary_quantize(x[0]), expect[0])


@PROPERTY
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 60),
    nbytes=st.sampled_from([1, 3, 8, 9, 63, 64, 65, 130]),
    k=st.integers(0, 70),
)
def test_hamming_against_unpackbits(level: str, seed: int, n: int, nbytes: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, (3, nbytes), dtype=np.uint8)
    b = rng.integers(0, 256, (n, nbytes), dtype=np.uint8)
    if n > 2:
        b[1] = a[0]
    ref = np.unpackbits(a[:, None, :] ^ b[None, :, :], axis=2).sum(axis=2)
    got = accel.hamming(a, b)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, ref)
    idx, dist = accel.hamming_topk(a, b, k)
    kk = min(k, n)
    order = np.lexsort((np.broadcast_to(np.arange(n), ref.shape), ref), axis=1)[:, :kk]
    np.testing.assert_array_equal(idx, order)
    np.testing.assert_array_equal(dist, np.take_along_axis(ref, order, 1))


def test_pq_fit_encode_decode(level: str) -> None:
    rng = np.random.default_rng(8)
    centers = rng.standard_normal((10, 32)).astype(np.float32) * 4
    x = (centers[rng.integers(0, 10, 3000)] + rng.standard_normal((3000, 32)) * 0.1).astype(
        np.float32
    )
    pq = accel.ProductQuantizer(8, nbits=6).fit(x, iters=8, seed=1)
    codes = pq.encode(x)
    assert codes.shape == (3000, 8) and codes.max() < 64
    # Each code is the nearest centroid of its subspace (up to float32 rounding).
    c = pq.centroids
    assert c is not None
    sub = x.reshape(3000, 8, 1, 4)
    d2 = ((sub - c[None]) ** 2).sum(axis=3)  # (n, m, ksub)
    chosen = np.take_along_axis(d2, codes[:, :, None].astype(np.int64), 2)[:, :, 0]
    assert (chosen <= d2.min(axis=2) + 1e-4 * (1 + d2.min(axis=2))).all()
    err = ((pq.decode(codes) - x) ** 2).sum(axis=1).mean()
    assert err < 0.1 * ((x - x.mean(0)) ** 2).sum(axis=1).mean()


@pytest.mark.parametrize("metric", ["l2", "sqeuclidean", "ip"])
def test_pq_adc_topk_matches_decoded(level: str, metric: str) -> None:
    rng = np.random.default_rng(9)
    x = rng.standard_normal((600, 24)).astype(np.float32)
    q = rng.standard_normal((4, 24)).astype(np.float32)
    pq = accel.ProductQuantizer(6, nbits=4).fit(x, iters=4)
    codes = pq.encode(x)
    idx, dist = pq.adc_topk(q, codes, 10, metric)
    check_topk(q, pq.decode(codes), 10, metric, idx, dist)
    idx1, _ = pq.adc_topk(q[0], codes, 700, metric)
    assert idx1.shape == (600,)


def test_reference_agrees_with_itself() -> None:
    """The reference's own sanity: zero distance to itself, tolerance positive."""
    q, _ = make(10, 2, 1, 5)
    ref, tol = reference(q.astype(np.float64), q.astype(np.float64), "l2")
    assert np.allclose(np.diag(ref), 0) and (tol > 0).all()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_encoders_reject_non_finite(level: str, bad: float) -> None:
    _, x = make(11, 1, 5, 37)
    params = accel.sq8_train(x)
    x[3, 36] = bad
    with pytest.raises(ValueError, match=r"nan|inf"):
        accel.sq8_encode(x, params)
    with pytest.raises(ValueError, match=r"nan|inf"):
        accel.binary_quantize(x)
    with pytest.raises(ValueError, match=r"nan|inf"):
        accel.sq8_train(x)


def test_float64_and_list_params_are_converted_not_reinterpreted(level: str) -> None:
    """SQ8 params held as float64 (or lists) give exactly the float32 params' codes."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((50, 24)).astype(np.float32)
    p32 = accel.sq8_train(x)
    p64 = accel.SQ8Params(p32.lo.astype(np.float64), p32.scale.astype(np.float64))
    plist = accel.SQ8Params(p32.lo.tolist(), p32.scale.tolist())  # type: ignore[arg-type]
    codes = accel.sq8_encode(x, p32)
    for p in (p64, plist):
        assert p.lo.dtype == np.float32 and p.lo.flags.c_contiguous
        np.testing.assert_array_equal(accel.sq8_encode(x, p), codes)
        np.testing.assert_array_equal(accel.sq8_decode(codes, p), accel.sq8_decode(codes, p32))
        for a, b in zip(
            accel.sq8_topk(x[:3], codes, p, 4), accel.sq8_topk(x[:3], codes, p32, 4), strict=False
        ):
            np.testing.assert_array_equal(a, b)
    err = np.abs(accel.sq8_decode(codes, p64) - x).max()
    assert err <= p32.scale.max()  # was 4.1 when float64 bytes were read as float32


@pytest.mark.parametrize(
    ("lo", "scale", "error", "words"),
    [
        (np.zeros(3), np.ones(4), ValueError, "scale.*shape"),
        (np.zeros((2, 3)), np.ones((2, 3)), ValueError, "lo"),
        (np.array(["a"]), np.ones(1), TypeError, "lo"),
        (np.zeros(3), -np.ones(3), ValueError, "scale"),
        (np.array([0.0, np.nan]), np.ones(2), ValueError, "lo.*nan"),
    ],
)
def test_bad_sq8_params_name_the_problem(lo, scale, error, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=words):
        accel.SQ8Params(lo, scale)


def test_float64_pq_centroids_are_converted(level: str) -> None:
    rng = np.random.default_rng(12)
    x = rng.standard_normal((300, 16)).astype(np.float32)
    pq = accel.ProductQuantizer(4, nbits=4).fit(x, iters=3)
    assert pq.centroids is not None
    codes = pq.encode(x)
    other = accel.ProductQuantizer(4, nbits=4)
    other.centroids = pq.centroids.astype(np.float64)
    assert other.centroids is not None and other.centroids.dtype == np.float32
    np.testing.assert_array_equal(other.encode(x), codes)
    for a, b in zip(other.adc_topk(x[:2], codes, 3), pq.adc_topk(x[:2], codes, 3), strict=False):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="centroids"):
        other.centroids = np.zeros((4, 8, 4))
