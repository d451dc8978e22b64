"""RaBitQ's C kernels (rabitq.c): the fast scan and the fused estimator top-k.

Checked against plain numpy at every C level, for every nibble-position count the
AVX2 kernel treats differently (odd, over 256 with its uint16 flush, the all-255
worst case), and at the boundary: every argument is checked before a kernel runs
(scripts/asan_accel.sh runs this file under AddressSanitizer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accel
from accel import _backend, _fht
from accel import _rabitq_scan as fastscan

ext = _backend._kernels
needs_ext = pytest.mark.skipif(ext is None, reason="accel._kernels not built")
C_LEVELS = [lv for lv in accel.available_levels() if lv != "numpy"]
U8, F32, I64 = np.uint8, np.float32, np.int64


def reference_sums(luts: np.ndarray, packed: np.ndarray) -> np.ndarray:
    """sum_p luts[i, p, nibble p of code c], from the packed layout, in int64."""
    nib = np.concatenate([packed & 15, packed >> 4], axis=2)  # (blocks, npos, 32)
    npos = packed.shape[1]
    codes = nib.transpose(0, 2, 1).reshape(-1, npos)  # (blocks * 32, npos)
    return np.stack([lut[np.arange(npos), codes].astype(np.int64).sum(axis=1) for lut in luts])


def run_scan(level: str, luts: np.ndarray, packed: np.ndarray) -> np.ndarray:
    assert ext is not None
    accel._set_level(level)
    out = np.full((luts.shape[0], packed.shape[0] * 32), np.nan, F32)
    ext.rabitq_scan(luts=luts, codes=packed, out=out)
    return out


@pytest.fixture(autouse=True)
def _restore_level() -> Any:
    before = accel.simd_level()
    yield
    accel._set_level(before)


@needs_ext
@pytest.mark.parametrize("level", C_LEVELS)
@pytest.mark.parametrize("npos", [1, 2, 3, 16, 192, 255, 256, 257, 514, 1000])
def test_scan_matches_the_reference(level: str, npos: int) -> None:
    rng = np.random.default_rng(npos)
    luts = rng.integers(0, 256, (3, npos, 16), dtype=U8)
    packed = rng.integers(0, 256, (4, npos, 16), dtype=U8)
    np.testing.assert_array_equal(run_scan(level, luts, packed), reference_sums(luts, packed))


@needs_ext
@pytest.mark.parametrize("level", C_LEVELS)
def test_scan_worst_case_does_not_overflow(level: str) -> None:
    """Every entry 255 over 2000 positions: 510,000, beyond uint16 many times over."""
    npos = 2000
    luts = np.full((1, npos, 16), 255, U8)
    packed = np.full((2, npos, 16), 0xA5, U8)
    np.testing.assert_array_equal(run_scan(level, luts, packed), np.full((1, 64), 255 * npos))


@needs_ext
@settings(max_examples=60, deadline=None)
@given(
    npos=st.integers(1, 300),
    blocks=st.integers(0, 3),
    nq=st.integers(0, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_scan_levels_agree(npos: int, blocks: int, nq: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    luts = rng.integers(0, 256, (nq, npos, 16), dtype=U8)
    packed = rng.integers(0, 256, (blocks, npos, 16), dtype=U8)
    want = reference_sums(luts, packed) if nq and blocks else np.zeros((nq, 32 * blocks))
    for level in C_LEVELS:
        np.testing.assert_array_equal(run_scan(level, luts, packed), want)


def test_pack_layout_and_nibbles() -> None:
    """Byte t of block b, position p: code 32b+t in the low nibble, 32b+16+t high."""
    rng = np.random.default_rng(5)
    bits = rng.integers(0, 256, (70, 8), dtype=U8)  # 70 codes of 64 bits: 3 blocks
    packed = fastscan.pack(bits)
    assert packed.shape == (3, 16, 16)
    nib = fastscan.nibbles(bits)
    assert nib[3, 0] == bits[3, 0] >> 4 and nib[3, 1] == bits[3, 0] & 15
    for code in (0, 15, 16, 31, 32, 69):
        b, c = divmod(code, 32)
        got = packed[b, :, c % 16] >> 4 if c >= 16 else packed[b, :, c] & 15
        np.testing.assert_array_equal(got, nib[code])
    assert (packed[2, :, 6:16] & 15 == 0).all() and (packed[2] >> 4 == 0).all()  # padding
    np.testing.assert_array_equal(fastscan.unpack(packed, 70), nib)


def test_query_tables_reconstruct_the_dot_product() -> None:
    """offset + step * S is <bits, q> up to half a step per position."""
    rng = np.random.default_rng(6)
    q = rng.standard_normal((4, 128)).astype(F32)
    bits = rng.integers(0, 256, (50, 16), dtype=U8)
    tables = fastscan.query_tables(q)
    sums = fastscan.scan(tables, fastscan.pack(bits), len(bits)).astype(np.float64)
    exact = np.unpackbits(bits, axis=1).astype(np.float64) @ q.T.astype(np.float64)  # (50, 4)
    approx = tables.offset[None, :] + tables.step[None, :] * sums.T
    assert (np.abs(approx - exact) <= 0.5 * tables.step * 32 + 1e-9).all()
    assert tables.luts.max() == fastscan.LEVELS  # the widest position spans the full range


@needs_ext
@pytest.mark.parametrize("level", C_LEVELS)
@pytest.mark.parametrize(("n", "keep"), [(1000, 77), (1003, 200), (37, 37), (2100, 1), (5000, 3)])
def test_fused_topk_equals_estimate_then_sort(level: str, n: int, keep: int) -> None:
    """The C estimator top-k ranks exactly the estimates rabitq.py computes: every
    8-lane step and tail, chunks of 2048 codes, k from 1 to all."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((n, 96)).astype(F32) + rng.integers(0, 3, (n, 1))
    q = rng.standard_normal((5, 96)).astype(F32)
    accel._set_level(level)
    rq = accel.RaBitQ(seed=2, clusters=16).fit(x)
    codes = rq.encode(x)
    est = rq.estimate(q, codes)
    short = rq._shortlist(q, codes, keep)
    for i in range(5):
        order = np.lexsort((np.arange(est.shape[1]), est[i]))[:keep]
        np.testing.assert_array_equal(short[i], np.sort(order))


def test_back_ends_agree_on_estimates_and_results() -> None:
    """Same codes, every back end: estimates to float32 rounding (the queries' rotation
    is float32 in C, float64 in numpy), and the same neighbours."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((700, 64)).astype(F32)
    q = rng.standard_normal((3, 64)).astype(F32)
    rq = accel.RaBitQ(seed=1, clusters=16).fit(x)
    codes = rq.encode(x)
    results = {}
    for level in accel.available_levels():
        accel._set_level(level)
        results[level] = (rq.estimate(q, codes), rq.search(q, codes, x, 5)[0])
    want_est, want_idx = results[accel.available_levels()[0]]
    for est, idx in results.values():
        np.testing.assert_allclose(est, want_est, rtol=1e-4)
        np.testing.assert_array_equal(idx, want_idx)


@pytest.mark.parametrize(("d", "d_pad"), [(1, 64), (40, 64), (130, 192), (700, 768), (768, 768)])
def test_fast_rotation_is_orthogonal_and_identical_on_every_back_end(d: int, d_pad: int) -> None:
    """Sign flips + Hadamard windows: an isometry onto D dims, the same float32
    operations in C and numpy (so bit-identical), and the window overlap mixes
    every input coordinate into (almost) every output coordinate."""
    signs = _fht.draw_signs(np.random.default_rng(d), d_pad)
    x = np.random.default_rng(d + 1).standard_normal((9, d)).astype(F32)
    results = []
    for level in accel.available_levels():
        accel._set_level(level)
        results.append(_fht.rotate(x, signs))
        matrix = _fht.rotate(np.eye(d, dtype=F32), signs)  # (d, D): rows P e_i
        np.testing.assert_allclose(matrix @ matrix.T, np.eye(d), atol=1e-5)
        assert (np.abs(matrix) > 1e-9).mean() > 0.9
    for got in results:
        np.testing.assert_array_equal(got, results[0])
    np.testing.assert_allclose(
        np.linalg.norm(results[0], axis=1), np.linalg.norm(x, axis=1), rtol=1e-5
    )


def z(shape: tuple[int, ...], dtype: Any = U8) -> np.ndarray:
    return np.zeros(shape, dtype)


SCAN = {"luts": z((2, 4, 16)), "codes": z((3, 4, 16)), "out": z((2, 96), F32)}
TOPK = {
    "luts": z((2, 4, 16)),
    "codes": z((3, 4, 16)),
    "factors": z((2, 70), F32),
    "cluster": z(70),
    "queries": z((2, 4), F32),
    "k": 5,
    "out": z((2, 5), F32),
    "out_indices": z((2, 5), I64),
}


def _call(name: str, **kw: Any) -> None:
    assert ext is not None
    getattr(ext, name)(**kw)


ROT = {"x": z((3, 5), F32), "signs": z((4, 64), F32), "out": z((3, 64), F32)}

BAD_CALLS: list[tuple[str, Callable[[], None], type, str]] = [
    (
        "rotate signs short",
        lambda: _call("fht_rotate", **{**ROT, "signs": z((4, 4), F32)}),
        ValueError,
        "signs",
    ),
    (
        "rotate out",
        lambda: _call("fht_rotate", **{**ROT, "out": z((3, 63), F32)}),
        ValueError,
        "out",
    ),
    (
        "rotate x f64",
        lambda: _call("fht_rotate", **{**ROT, "x": z((3, 5), np.float64)}),
        TypeError,
        "x",
    ),
    (
        "scan luts f32",
        lambda: _call("rabitq_scan", **{**SCAN, "luts": z((2, 4, 16), F32)}),
        TypeError,
        "luts",
    ),
    (
        "scan luts 15",
        lambda: _call("rabitq_scan", **{**SCAN, "luts": z((2, 4, 15))}),
        ValueError,
        "luts",
    ),
    (
        "scan no positions",
        lambda: _call("rabitq_scan", **{**SCAN, "luts": z((2, 0, 16))}),
        ValueError,
        "luts",
    ),
    (
        "scan codes npos",
        lambda: _call("rabitq_scan", **{**SCAN, "codes": z((3, 5, 16))}),
        ValueError,
        "codes",
    ),
    (
        "scan out short",
        lambda: _call("rabitq_scan", **{**SCAN, "out": z((2, 95), F32)}),
        ValueError,
        "out",
    ),
    (
        "scan out read-only",
        lambda: _call(
            "rabitq_scan", **{**SCAN, "out": np.frombuffer(bytes(768), F32).reshape(2, 96)}
        ),
        ValueError,
        "out",
    ),
    ("topk k > n", lambda: _call("rabitq_topk", **{**TOPK, "k": 71}), ValueError, "k"),
    ("topk k missing", lambda: _call("rabitq_topk", **{**TOPK, "k": None}), TypeError, "k"),
    (
        "topk codes blocks",
        lambda: _call("rabitq_topk", **{**TOPK, "codes": z((2, 4, 16))}),
        ValueError,
        "codes",
    ),
    (
        "topk factors",
        lambda: _call("rabitq_topk", **{**TOPK, "factors": z((70, 2), F32)}),
        ValueError,
        "factors",
    ),
    (
        "topk cluster range",
        lambda: _call("rabitq_topk", **{**TOPK, "cluster": np.full(70, 2, U8)}),
        ValueError,
        "cluster",
    ),
    (
        "topk no cluster column",
        lambda: _call("rabitq_topk", **{**TOPK, "queries": z((2, 2), F32)}),
        ValueError,
        "queries",
    ),
    (
        "topk queries rows",
        lambda: _call("rabitq_topk", **{**TOPK, "queries": z((3, 4), F32)}),
        ValueError,
        "queries",
    ),
    (
        "topk indices i32",
        lambda: _call("rabitq_topk", **{**TOPK, "out_indices": z((2, 5), np.int32)}),
        TypeError,
        "out_indices",
    ),
]


@needs_ext
@pytest.mark.parametrize(
    ("call", "error", "words"), [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS]
)
def test_every_argument_is_checked(call: Callable[[], None], error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()


@needs_ext
def test_fused_topk_rejects_a_nan_factor() -> None:
    assert ext is not None
    factors = z((2, 70), F32)
    factors[1, 40] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        _call("rabitq_topk", **{**TOPK, "factors": factors})
