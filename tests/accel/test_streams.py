"""Encoders past the 4 MiB streaming threshold and the one-query scan, at every back end.

Large SQ8 calls walk the n x d matrix as one flat stream (parameters wrap around d
inside a vector, a regular head up to the first 64-byte line of the output, then
non-temporal stores, then a regular tail); small calls take the regular stores
only.  Both must give the codes of the numpy formula, whatever d and the output's
alignment.  A single query scans candidates with its own kernel, which must give
every pair the value the batch kernels give.
"""

from __future__ import annotations

import numpy as np
import pytest

import accel

from .test_distances import METRICS, make

STREAM_ELEMENTS = (1 << 22) + 5  # 4 MiB of codes: the SQ8 encoder streams


def sq8_reference(x: np.ndarray, params: accel.SQ8Params) -> np.ndarray:
    return np.rint(np.clip((x - params.lo) * params.inv_scale, 0, 255)).astype(np.uint8)


def unaligned(shape: tuple[int, int], dtype: type, offset: int) -> np.ndarray:
    """A C-contiguous array starting `offset` elements past a 64-byte boundary."""
    size = shape[0] * shape[1]
    buf = np.empty(size + 64, dtype)
    start = (-buf.ctypes.data % 64) // buf.itemsize + offset
    return buf[start : start + size].reshape(shape)


@pytest.mark.parametrize("d", [3, 13, 100, 769])
@pytest.mark.parametrize("offset", [0, 1, 16])
def test_sq8_streamed_encode_any_dimension_and_alignment(level: str, d: int, offset: int) -> None:
    n = STREAM_ELEMENTS // d + 1
    rng = np.random.default_rng(d + offset)
    x = rng.standard_normal((n, d), dtype=np.float32)
    params = accel.sq8_train(x[:500] * 0.8)  # the rest of x clamps at both ends
    codes = unaligned((n, d), np.uint8, offset)
    assert accel.sq8_encode(x, params, out=codes) is codes
    np.testing.assert_array_equal(codes, sq8_reference(x, params))
    x[n - 1, d - 1] = np.nan  # the last element of the stream is still checked
    with pytest.raises(ValueError, match="nan"):
        accel.sq8_encode(x, params, out=codes)


@pytest.mark.parametrize("d", [3, 13, 769])
def test_sq8_streamed_decode_matches_small_calls(level: str, d: int) -> None:
    """Decoding past the threshold gives exactly what row blocks below it give."""
    n = STREAM_ELEMENTS // d + 1
    rng = np.random.default_rng(d)
    codes = rng.integers(0, 256, (n, d), dtype=np.uint8)
    params = accel.SQ8Params(rng.standard_normal(d), rng.random(d) * 0.1)
    whole = accel.sq8_decode(codes, params)
    rows = (1 << 18) // d  # 1 MiB of output per call: regular stores
    parts = [accel.sq8_decode(codes[i : i + rows], params) for i in range(0, n, rows)]
    np.testing.assert_array_equal(whole, np.concatenate(parts))
    np.testing.assert_allclose(
        whole[[0, n // 2, n - 1]],
        params.lo + codes[[0, n // 2, n - 1]] * params.scale.astype(np.float64),
        rtol=1e-6,
        atol=1e-7,
    )


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("d", [1, 7, 8, 31, 32, 33, 63, 64, 65, 100])
def test_small_encoders_every_tail(level: str, n: int, d: int) -> None:
    rng = np.random.default_rng(n * 1000 + d)
    x = rng.standard_normal((n, d), dtype=np.float32)
    params = accel.sq8_train(x * 0.8)
    np.testing.assert_array_equal(accel.sq8_encode(x, params), sq8_reference(x, params))
    codes = unaligned((n, d), np.uint8, 3)
    accel.sq8_encode(x, params, out=codes)
    np.testing.assert_array_equal(codes, sq8_reference(x, params))
    np.testing.assert_array_equal(accel.binary_quantize(x), np.packbits(x > 0, axis=-1))
    half = accel.to_f16(x)
    np.testing.assert_array_equal(half.view(np.uint16), x.astype(np.float16).view(np.uint16))
    np.testing.assert_array_equal(accel.from_f16(half), half.astype(np.float32))


@pytest.mark.parametrize("offset", [0, 1, 7])
def test_float16_streams_both_ways(level: str, offset: int) -> None:
    """Past 4 MiB either way, from any element offset: exact against numpy."""
    x = np.random.default_rng(offset).standard_normal((1 << 21) + 37).astype(np.float32)
    x[::1001] = np.float32(70000.0)  # beyond float16: inf
    half = unaligned((1, x.size), np.float16, offset)[0]
    accel.to_f16(x, out=half)
    with np.errstate(over="ignore"):
        expect = x.astype(np.float16)
    np.testing.assert_array_equal(half.view(np.uint16), expect.view(np.uint16))
    src = unaligned((1, x.size), np.float16, offset)[0]
    src[...] = half
    np.testing.assert_array_equal(accel.from_f16(src), half.astype(np.float32))


@pytest.mark.parametrize("encoding", ["f32", "f16", "sq8"])
@pytest.mark.parametrize("d", [5, 37, 384])
def test_one_query_scan_gives_the_batch_values(level: str, encoding: str, d: int) -> None:
    """q=1 (the streaming kernel, 4 candidates at a time plus single ones) and a
    two-query batch compute every pair in the same order: equal values, bit for bit."""
    q, x = make(d, 2, 4 * 700 + 3, d)  # several candidate blocks, n % 4 == 3
    xs = x.astype(np.float16) if encoding == "f16" else x
    params = accel.sq8_train(x)
    codes = accel.sq8_encode(x, params)
    for metric in METRICS:
        if encoding == "sq8":
            batch = accel.sq8_topk(q, codes, params, codes.shape[0], metric)[1]
            idx, one = accel.sq8_topk(q[1], codes, params, 9, metric)
            np.testing.assert_array_equal(one, batch[1, :9])
            continue
        full = accel.distances(q, xs, metric)
        np.testing.assert_array_equal(accel.distances(q[1], xs, metric), full[1])
        idx, one = accel.topk(q[0], xs, 9, metric)
        np.testing.assert_array_equal(one, full[0, idx])
