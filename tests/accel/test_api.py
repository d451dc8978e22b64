"""Argument validation, back-end selection and the GIL."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import accel


def test_levels_listed_best_last() -> None:
    levels = accel.available_levels()
    assert levels[-1] == "numpy" and levels[0] in ("scalar", "numpy")
    with pytest.raises(ValueError, match="level"):
        accel._set_level("sse9")


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: accel.distances(np.ones((2, 3), np.int64), np.ones((4, 3))), TypeError, "queries"),
        (lambda: accel.distances(np.ones((2, 3)), np.ones(3)), ValueError, "candidates.*shape"),
        (lambda: accel.distances(np.ones((2, 3)), np.ones((4, 5))), ValueError, "dimension 5"),
        (lambda: accel.distances(np.ones((2, 0)), np.ones((4, 0))), ValueError, "at least 1"),
        (lambda: accel.distances(np.ones((2, 3)), np.ones((4, 3)), "dot"), ValueError, "metric"),
        (lambda: accel.topk(np.ones((2, 3)), np.ones((4, 3)), -1), ValueError, "k"),
        (lambda: accel.topk(np.ones((2, 3)), np.ones((4, 3)), 1.5), TypeError, "k"),
        (lambda: accel.hamming(np.ones((2, 3)), np.ones((4, 3), np.uint8)), TypeError, "a_codes"),
        (
            lambda: accel.hamming(np.ones((2, 3), np.uint8), np.ones((4, 2), np.uint8)),
            ValueError,
            "bytes",
        ),
        (lambda: accel.from_f16(np.ones(3, np.float32)), TypeError, "float16"),
        (lambda: accel.ProductQuantizer(3, nbits=9), ValueError, "nbits"),
        (lambda: accel.ProductQuantizer(5).fit(np.ones((300, 12))), ValueError, "multiple of m"),
        (lambda: accel.ProductQuantizer(4).encode(np.ones((3, 8))), RuntimeError, "fit"),
        (
            lambda: accel.sq8_encode(np.ones((2, 3)), accel.sq8_train(np.ones((2, 4)))),
            ValueError,
            "dimension",
        ),
    ],
)
def test_bad_arguments_name_the_problem(level: str, call, error: type, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=words):
        call()


def _run(env_level: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACCEL_SIMD": env_level}
    code = "import warnings, accel; warnings.simplefilter('always'); print(accel.simd_level())"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )


def test_environment_selects_level() -> None:
    for name in accel.available_levels():
        assert _run(name).stdout.strip() == name


def test_environment_level_the_cpu_lacks_warns_and_falls_back() -> None:
    missing = [n for n in ("avx512", "avx2", "neon") if n not in accel.available_levels()]
    proc = _run(missing[0] if missing else "no-such-level")
    assert "RuntimeWarning" in proc.stderr
    assert proc.stdout.strip() == accel.available_levels()[-2]  # the best C level


def test_kernels_release_the_gil() -> None:
    ext = accel._backend.kernels()
    if ext is None:
        pytest.skip("numpy back end")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200_000, 128)).astype(np.float32)
    q = x[:8].copy()
    idx, dist = np.empty((8, 5), np.int64), np.empty((8, 5), np.float32)
    in_call = threading.Event()
    stop = threading.Event()
    ticks = 0

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            if in_call.is_set():
                ticks += 1
            time.sleep(0)

    thread = threading.Thread(target=count)
    thread.start()
    try:
        in_call.set()
        ext.scan(0, 0, 4, q, x, 8, 200_000, 128, 512, None, None, 0, 0, 5, dist, idx)
        in_call.clear()
    finally:
        stop.set()
        thread.join()
    # Holding the GIL for the scan would leave the counter thread no time inside it.
    assert ticks > 100
