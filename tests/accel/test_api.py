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
    assert proc.stdout.strip() == accel.best_level()


def test_best_level_without_the_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    """A numpy-only install lists just numpy, and that is the best level."""
    monkeypatch.setattr(accel._backend, "_kernels", None)
    assert accel.available_levels() == ["numpy"]
    assert accel.best_level() == "numpy"


def test_kernels_release_the_gil(level: str) -> None:
    """A short scan in the main thread completes while a long one runs in another.

    The switch interval is raised so a thread holding the GIL keeps it until it
    blocks: the main thread can then only run Python (and read ``state``) while
    the other thread is inside a kernel that released the GIL, between the two
    assignments around it.  No speed is assumed: the long thread repeats its scan
    until the main thread has seen the overlap (or gives up after many rounds,
    which only happens if the GIL is never released).
    """
    if level == "numpy":
        pytest.skip("the numpy back end releases the GIL inside BLAS, not ours to test")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20_000, 64)).astype(np.float32)
    q = x[:8].copy()
    state = {"in_long": 0, "calls": 0}
    seen = threading.Event()
    started = threading.Event()

    def long_scans() -> None:
        started.set()
        for _ in range(2_000):
            if seen.is_set():
                return
            state["calls"] += 1
            state["in_long"] = state["calls"]
            accel.topk(q, x, 5, "l1")
            state["in_long"] = 0

    overlap = False
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    thread = threading.Thread(target=long_scans)
    try:
        thread.start()
        started.wait()
        while thread.is_alive() and not overlap:
            before = state["in_long"]
            accel.topk(q[:1], x[:10], 1, "l1")  # a short scan of its own
            overlap = before != 0 and state["in_long"] == before
            if not overlap:
                time.sleep(0)  # nothing to observe yet: let the long thread run
        seen.set()
    finally:
        sys.setswitchinterval(old)
        thread.join()
    assert overlap, "no short scan completed inside a long one: the GIL was held"
