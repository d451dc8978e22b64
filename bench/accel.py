"""Benchmark accel against numpy (BLAS), simsimd and faiss, single-threaded.

Run: python bench/accel.py [--quick] [--json PATH]

Every figure is the median of repeated runs.  Top-k uses k=10 and the l2 metric
unless stated.  GB/s is candidate bytes read per second; GFLOP/s counts 2*q*n*d.
Two machine figures are measured in the same run, so the ratios are relative to
this box, today: BW, the single-thread read bandwidth of a C loop of 64-byte
loads over 1 GiB (best of several passes; numpy sum and BLAS sdot are shown for
comparison), and PEAK, the single-core FMA throughput of a register-only loop
(12 independent FMA chains, best of several runs).
"""

from __future__ import annotations

import os
import sys

# Single thread everywhere, set before numpy loads its BLAS.  OPENBLAS_CORETYPE /
# OPENBLAS_L2_SIZE may be set on this workplace for old OpenBLAS builds; they slow
# a current numpy, so this process (only) drops them.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[var] = "1"
for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(var, None)

import argparse  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import accel  # noqa: E402

try:
    import simsimd
except ImportError:  # pragma: no cover - optional
    simsimd = None
try:
    import faiss

    faiss.omp_set_num_threads(1)
except ImportError:  # pragma: no cover - optional
    faiss = None

try:
    from threadpoolctl import threadpool_limits

    # BLAS pinned to one thread for single-thread comparisons (the env vars above
    # cover builds that read them; threadpoolctl covers the rest).
    _BLAS_LIMIT = threadpool_limits(1)
except ImportError:  # pragma: no cover - optional
    _BLAS_LIMIT = None

K = 10
RESULTS: list[dict[str, Any]] = []
"""Every measured cell, written by --json."""


def record(section: str, **fields: Any) -> None:
    RESULTS.append({"section": section, **fields})


def median_time(fn: Callable[..., Any], *args: Any, budget: float = 0.6) -> float:
    """Median seconds of fn(*args) after one warm-up: 3 to 15 runs within the budget."""
    min_reps, max_reps = 3, 15
    fn(*args)
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < min_reps or (
        len(times) < max_reps and time.perf_counter() - started < budget
    ):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    parts = [
        f"{i.get('internal_api')} {i.get('version')} kernel={i.get('architecture')} "
        f"threads={i.get('num_threads')}"
        for i in threadpool_info()
    ]
    return "; ".join(parts) or "no BLAS found"


def best_time(fn: Callable[..., Any], *args: Any, reps: int = 5) -> float:
    """Fastest of reps runs: machine probes want the uncontended figure."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times)


class Probes:
    """bench/probe.c (bandwidth and FMA loops), compiled for this machine and loaded via ctypes.

    The probes are measurement code, so they are not in the accel extension.
    """

    def __init__(self) -> None:
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe.c")
        cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or "cc"
        self._dir = tempfile.mkdtemp(prefix="accel-probe-")
        lib = os.path.join(self._dir, "probe.so")
        subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", lib, src], check=True)
        self.lib = ctypes.CDLL(lib)
        self.lib.probe_read_sum.restype = ctypes.c_float
        self.lib.probe_read_sum.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        self.lib.probe_fma_loop.restype = ctypes.c_float
        self.lib.probe_fma_loop.argtypes = [ctypes.c_size_t, ctypes.POINTER(ctypes.c_int)]
        self.chains = int(self.lib.probe_fma_chains())

    def read_sum(self, a: np.ndarray) -> float:
        return float(self.lib.probe_read_sum(a.ctypes.data, a.nbytes))

    def fma_loop(self, iters: int) -> tuple[float, float]:
        lanes = ctypes.c_int(1)
        s = self.lib.probe_fma_loop(iters, ctypes.byref(lanes))
        return 2.0 * lanes.value * self.chains * iters, float(s)

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)


def read_bandwidth(probes: Probes, gib: float) -> tuple[float, float, float]:
    """Single-thread read GB/s: C wide-load loop, numpy sum, BLAS sdot."""
    a = np.ones(int(gib * (1 << 30)) // 4, np.float32)
    t_c = best_time(probes.read_sum, a)
    t_sum = median_time(a.sum, budget=1.0)
    t_dot = median_time(np.dot, a, a, budget=1.0)
    return a.nbytes / t_c / 1e9, a.nbytes / t_sum / 1e9, a.nbytes / t_dot / 1e9


def fma_peak(probes: Probes) -> float:
    """Single-core GFLOP/s of a register-only FMA loop (~0.2 s per run)."""
    iters = 10_000_000
    flops, _ = probes.fma_loop(iters)
    return flops / best_time(probes.fma_loop, iters, reps=7) / 1e9


def topk_rows(d2: np.ndarray, k: int) -> np.ndarray:
    part = np.argpartition(d2, k - 1, axis=1)[:, :k]
    return np.take_along_axis(part, np.argsort(np.take_along_axis(d2, part, 1), axis=1), 1)


def numpy_l2_topk(q: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    """The usual numpy rerank: |q|^2 + |x|^2 - 2 q.x with BLAS, then argpartition."""
    xn = np.einsum("ij,ij->i", x, x)
    d2 = xn[None, :] - 2.0 * (q @ x.T)
    d2 += np.einsum("ij,ij->i", q, q)[:, None]
    return topk_rows(d2, k)


def simsimd_cdist_topk(q: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    """simsimd's squared-l2 matrix in the inputs' own type (f16, i8), then argpartition."""
    return topk_rows(np.asarray(simsimd.cdist(q, x, "sqeuclidean", threads=1)), k)


def simsimd_topk(q: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    return topk_rows(np.asarray(simsimd.cdist(q, x, "sqeuclidean", threads=1)), k)


def numpy_topk(q: np.ndarray, x: np.ndarray, k: int, metric: str) -> np.ndarray:
    if metric == "l2":
        return numpy_l2_topk(q, x, k)
    if metric == "ip":
        return topk_rows(-(q @ x.T), k)
    return topk_rows(-(q @ x.T) / np.linalg.norm(x, axis=1)[None, :], k)  # cosine ranking


def bench_search(
    dims: list[int], ns: list[int], bw: float, peak: float, rng: np.random.Generator
) -> None:
    print("\n== l2 top-10 (ms, median) ==")
    head = (
        f"{'d':>5} {'n':>7} {'q':>3} | {'accel':>8} {'dist':>8} {'numpy':>8} {'simsimd':>8} "
        f"{'faiss':>8} | {'x best':>6} {'topk+':>6} {'GB/s':>6} {'of BW':>6} {'GFLOP/s':>7} "
        f"{'of PEAK':>7}"
    )
    print(head)
    for d in dims:
        x_all = rng.standard_normal((max(ns), d), dtype=np.float32)
        for n in ns:
            x = x_all[:n]
            index = None
            if faiss is not None:
                index = faiss.IndexFlatL2(d)
                index.add(x)
            for nq in (1, 32):
                q = rng.standard_normal((nq, d), dtype=np.float32)
                t_acc = median_time(accel.topk, q, x, K, "l2")
                t_dist = median_time(accel.distances, q, x, "l2")
                t_np = median_time(numpy_l2_topk, q, x, K)
                others = [t_np]
                t_ss = float("nan")
                if simsimd is not None:
                    t_ss = median_time(simsimd_topk, q, x, K)
                    others.append(t_ss)
                t_fa = float("nan")
                if index is not None:
                    t_fa = median_time(index.search, q, K)
                    others.append(t_fa)
                gbs = n * d * 4 / t_acc / 1e9
                record(
                    "l2_topk",
                    d=d,
                    n=n,
                    q=nq,
                    accel_ms=t_acc * 1e3,
                    distances_ms=t_dist * 1e3,
                    numpy_ms=t_np * 1e3,
                    simsimd_ms=t_ss * 1e3,
                    faiss_ms=t_fa * 1e3,
                    x_best_other=min(others) / t_acc,
                    topk_overhead=t_acc / t_dist - 1,
                    of_bw=gbs / bw,
                    of_peak=2 * nq * n * d / t_acc / 1e9 / peak,
                )
                print(
                    f"{d:>5} {n:>7} {nq:>3} | {t_acc * 1e3:8.2f} {t_dist * 1e3:8.2f} "
                    f"{t_np * 1e3:8.2f} "
                    f"{t_ss * 1e3:8.2f} {t_fa * 1e3:8.2f} | {min(others) / t_acc:6.2f} "
                    f"{t_acc / t_dist - 1:+6.0%} {gbs:6.1f} {gbs / bw:6.0%} "
                    f"{2 * nq * n * d / t_acc / 1e9:7.1f} "
                    f"{2 * nq * n * d / t_acc / 1e9 / peak:7.0%}"
                )
            del index
    print(
        "x best = fastest of numpy/simsimd/faiss over accel (>1: accel faster); "
        "topk+ = top-k time over the bare distance pass."
    )


def bench_metrics(d: int, n: int, peak: float, rng: np.random.Generator) -> None:
    print(f"\n== per metric, d={d} n={n}: accel top-10 vs numpy BLAS (ms) ==")
    x = rng.standard_normal((n, d), dtype=np.float32)
    for nq in (1, 32):
        q = rng.standard_normal((nq, d), dtype=np.float32)
        for metric in ("l2", "cosine", "ip", "l1"):
            t_acc = median_time(accel.topk, q, x, K, metric)
            t_np = float("nan") if metric == "l1" else median_time(numpy_topk, q, x, K, metric)
            record(
                "per_metric_topk",
                d=d,
                n=n,
                q=nq,
                metric=metric,
                accel_ms=t_acc * 1e3,
                numpy_ms=t_np * 1e3,
                x_numpy=t_np / t_acc,
                of_peak=2 * nq * n * d / t_acc / 1e9 / peak,
            )
            print(
                f"  q={nq:>2} {metric:>7}: accel {t_acc * 1e3:8.2f}  numpy {t_np * 1e3:8.2f}  "
                f"x{t_np / t_acc:5.2f}  {2 * nq * n * d / t_acc / 1e9:6.1f} GFLOP/s "
                f"({2 * nq * n * d / t_acc / 1e9 / peak:4.0%} of PEAK)"
            )


def bench_encodings(d: int, n: int, bw: float, rng: np.random.Generator) -> None:
    print(f"\n== encodings, n={n} d={d} (GB/s of float32 input read) ==")
    x = rng.standard_normal((n, d), dtype=np.float32)
    params = accel.sq8_train(x)
    dst = np.empty_like(x)
    codes_out = np.empty(x.shape, np.uint8)
    half_out = np.empty(x.shape, np.float16)
    bits_out = np.empty((n, (d + 7) // 8), np.uint8)
    for buf in (dst, codes_out, half_out, bits_out):
        buf.fill(0)  # resident pages on both sides: page faults are not the kernel's cost
    t_copy = median_time(lambda: np.copyto(dst, x))
    t_alloc = median_time(x.copy)
    print(f"  into preallocated out= (memcpy: np.copyto {t_copy * 1e3:.2f} ms)")
    rows = [
        ("memcpy (np.copyto)", t_copy, t_copy),
        (
            "sq8_encode(out=)",
            median_time(lambda: accel.sq8_encode(x, params, out=codes_out)),
            t_copy,
        ),
        ("to_f16(out=)", median_time(lambda: accel.to_f16(x, out=half_out)), t_copy),
        (
            "binary_quantize(out=)",
            median_time(lambda: accel.binary_quantize(x, out=bits_out)),
            t_copy,
        ),
        (
            "numpy astype(float16)",
            median_time(lambda: np.copyto(half_out, x, casting="unsafe")),
            t_copy,
        ),
    ]
    for name, t, base in rows:
        record("encode_into_out", name=name, ms=t * 1e3, x_memcpy=base / t)
        print(
            f"  {name:<24} {t * 1e3:8.2f} ms {x.nbytes / t / 1e9:6.1f} GB/s  "
            f"x{base / t:5.2f} memcpy"
        )
    print(f"  allocating the result (memcpy: x.copy() {t_alloc * 1e3:.2f} ms)")
    rows = [
        ("memcpy (x.copy())", t_alloc, t_alloc),
        ("sq8_encode", median_time(accel.sq8_encode, x, params), t_alloc),
        ("to_f16", median_time(accel.to_f16, x), t_alloc),
        ("binary_quantize", median_time(accel.binary_quantize, x), t_alloc),
        ("numpy astype(float16)", median_time(x.astype, np.float16), t_alloc),
        ("numpy packbits(x>0)", median_time(lambda: np.packbits(x > 0, axis=-1)), t_alloc),
    ]
    for name, t, base in rows:
        record("encode_allocating", name=name, ms=t * 1e3, x_memcpy=base / t)
        print(
            f"  {name:<24} {t * 1e3:8.2f} ms {x.nbytes / t / 1e9:6.1f} GB/s  "
            f"x{base / t:5.2f} memcpy"
        )

    print(f"\n== compressed candidates, n={n} d={d}: top-10 (ms) ==")
    codes = accel.sq8_encode(x, params)
    half = accel.to_f16(x)
    bits = accel.binary_quantize(x)
    for nq in (1, 32):
        q = rng.standard_normal((nq, d), dtype=np.float32)
        t32 = median_time(accel.topk, q, x, K, "l2")
        t16 = median_time(accel.topk, q, half, K, "l2")
        t8 = median_time(accel.sq8_topk, q, codes, params, K, "l2")
        tb = median_time(accel.hamming_topk, accel.binary_quantize(q), bits, K)
        exact = accel.topk(q, x, K, "l2")[0]
        got8 = accel.sq8_topk(q, codes, params, K, "l2")[0]
        recall8 = float(
            np.mean([len(set(a) & set(b)) / K for a, b in zip(exact, got8, strict=True)])
        )
        t_ss16 = t_ss8 = float("nan")
        if simsimd is not None:  # int8 / f16 baselines: simsimd cdist + argpartition
            x8 = np.clip(np.rint(x * 32), -127, 127).astype(np.int8)
            q8 = np.clip(np.rint(q * 32), -127, 127).astype(np.int8)
            t_ss16 = median_time(simsimd_cdist_topk, q.astype(np.float16), half, K)
            t_ss8 = median_time(simsimd_cdist_topk, q8, x8, K)
        record(
            "compressed_topk",
            d=d,
            n=n,
            q=nq,
            f32_ms=t32 * 1e3,
            f16_ms=t16 * 1e3,
            sq8_ms=t8 * 1e3,
            binary_ms=tb * 1e3,
            simsimd_f16_ms=t_ss16 * 1e3,
            simsimd_i8_ms=t_ss8 * 1e3,
            sq8_recall_at_10=recall8,
        )
        print(
            f"  q={nq:>2}: f32 {t32 * 1e3:7.2f}  f16 {t16 * 1e3:7.2f} (x{t32 / t16:4.2f})  "
            f"sq8 {t8 * 1e3:7.2f} (x{t32 / t8:4.2f}, recall@10 {recall8:.3f})  "
            f"binary {tb * 1e3:7.2f} (x{t32 / tb:4.2f})  | simsimd f16 {t_ss16 * 1e3:7.2f} "
            f"i8 {t_ss8 * 1e3:7.2f}"
        )


def clustered(rng: np.random.Generator, n: int, d: int, clusters: int = 100) -> np.ndarray:
    """Embedding-like data: Gaussian clusters around random centres."""
    centres = rng.standard_normal((clusters, d)).astype(np.float32)
    labels = rng.integers(0, clusters, n)
    return (centres[labels] + 0.7 * rng.standard_normal((n, d), dtype=np.float32)).astype(
        np.float32
    )


def bench_rabitq(n: int, d: int, nq: int, rng: np.random.Generator) -> None:
    print(f"\n== RaBitQ 1-bit codes + exact rerank, clustered n={n} d={d}, top-10, rf=20 ==")
    data = clustered(rng, n + nq, d)
    x, q = np.ascontiguousarray(data[:n]), data[n:]
    exact = accel.topk(q, x, K)[0]

    def recall(got: list[np.ndarray]) -> float:
        return float(np.mean([len(set(a) & set(b)) / K for a, b in zip(exact, got, strict=True)]))

    def per_query(search: Callable[[int], Any]) -> float:
        times = []
        for i in range(nq):
            t0 = time.perf_counter()
            search(i)
            times.append(time.perf_counter() - t0)
        return float(np.median(times))

    t0 = time.perf_counter()
    rq = accel.RaBitQ(seed=0).fit(x)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    codes = rq.encode(x)
    t_enc = time.perf_counter() - t0
    t_acc = per_query(lambda i: rq.search(q[i], codes, x, K, 20))
    r_acc = recall([rq.search(q[i], codes, x, K, 20)[0] for i in range(nq)])
    t0 = time.perf_counter()
    rq.search(q, codes, x, K, 20)  # every query in one call: the codes are read once per block
    t_batch = (time.perf_counter() - t0) / nq
    assert rq.centroids is not None
    bits = accel.binary_quantize(x)

    def sign_bits(i: int) -> np.ndarray:
        cand = accel.hamming_topk(accel.binary_quantize(q[i]), bits, K * 20)[0]
        return cand[accel.topk(q[i], x[cand], K)[0]]

    t_sign = per_query(sign_bits)
    r_sign = recall([sign_bits(i) for i in range(nq)])
    print(
        f"  accel RaBitQ ({len(rq.centroids)} clusters): fit {t_fit:6.2f} s, "
        f"encode {n / t_enc:9.0f} vectors/s, search {t_acc * 1e3:7.3f} ms/query "
        f"({t_batch * 1e3:.3f} ms/query batched), recall@10 {r_acc:.3f}"
    )
    print(
        f"  accel sign bits + rerank: search {t_sign * 1e3:7.3f} ms/query, recall@10 {r_sign:.3f}"
    )
    row: dict[str, Any] = {
        "n": n,
        "d": d,
        "accel_fit_s": t_fit,
        "accel_encode_per_s": n / t_enc,
        "accel_clusters": len(rq.centroids),
        "accel_ms_per_query": t_acc * 1e3,
        "accel_batched_ms_per_query": t_batch * 1e3,
        "accel_recall": r_acc,
        "sign_bits_ms_per_query": t_sign * 1e3,
        "sign_bits_recall": r_sign,
    }
    try:
        from ruvector import RabitqIndex
    except ImportError:
        print("  ruvector: not installed (pip install ruvector==0.1.4), skipped")
        record("rabitq", **row)
        return
    t0 = time.perf_counter()
    index = RabitqIndex.build(x, rerank_factor=20)
    t_build = time.perf_counter() - t0
    t_rv = per_query(lambda i: index.search(q[i], K))
    r_rv = recall([np.array([j for j, _ in index.search(q[i], K)]) for i in range(nq)])
    print(
        f"  ruvector 0.1.4 RabitqIndex: build {n / t_build:9.0f} vectors/s, "
        f"search {t_rv * 1e3:7.3f} ms/query, recall@10 {r_rv:.3f}"
    )
    print(
        f"  accel vs ruvector: search x{t_rv / t_acc:.2f}, "
        f"encode (fit+encode vs build) x{t_build / (t_fit + t_enc):.2f}"
    )
    row.update(
        ruvector_build_per_s=n / t_build,
        ruvector_ms_per_query=t_rv * 1e3,
        ruvector_recall=r_rv,
        x_ruvector_search=t_rv / t_acc,
    )
    record("rabitq", **row)


def bench_pq(n: int, d: int, m: int, iters: int, rng: np.random.Generator) -> None:
    print(
        f"\n== PQ fit ({iters} iterations, 65536 training rows max) + encode: "
        f"n={n} d={d} m={m} nbits=8 =="
    )
    x = rng.standard_normal((n, d), dtype=np.float32)
    t0 = time.perf_counter()
    pq = accel.ProductQuantizer(m).fit(x, iters=iters, seed=0)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    codes = pq.encode(x)
    t_enc = time.perf_counter() - t0
    err = float(((pq.decode(codes) - x) ** 2).sum(axis=1).mean())
    print(
        f"  accel: fit {t_fit:6.2f} s  encode {t_enc:6.2f} s  "
        f"total {t_fit + t_enc:6.2f} s  mse/row {err:.2f}"
    )
    if faiss is None:
        print("  faiss: not installed, skipped")
        return
    fpq = faiss.ProductQuantizer(d, m, 8)
    fpq.cp.niter = iters
    t0 = time.perf_counter()
    fpq.train(x)
    t_ffit = time.perf_counter() - t0
    t0 = time.perf_counter()
    fcodes = fpq.compute_codes(x)
    t_fenc = time.perf_counter() - t0
    ferr = float(((fpq.decode(fcodes) - x) ** 2).sum(axis=1).mean())
    print(
        f"  faiss: fit {t_ffit:6.2f} s  encode {t_fenc:6.2f} s  "
        f"total {t_ffit + t_fenc:6.2f} s  mse/row {ferr:.2f}"
    )
    print(f"  accel vs faiss (fit+encode): x{(t_ffit + t_fenc) / (t_fit + t_enc):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, about a minute")
    parser.add_argument(
        "--json", metavar="PATH", help="also write every cell as JSON ('-': stdout)"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"accel level: {accel.simd_level()} (available: {', '.join(accel.available_levels())})")
    print(f"numpy {np.__version__}; BLAS: {blas_info()}")
    print(
        f"simsimd: {simsimd.__version__ if simsimd else 'not installed, skipped'}; "
        f"faiss: {faiss.__version__ if faiss else 'not installed, skipped'}"
    )
    probes = Probes()
    bw_c, bw_sum, bw_dot = read_bandwidth(probes, 0.25 if args.quick else 1.0)
    bw = bw_c if bw_c == bw_c else max(bw_sum, bw_dot)
    print(
        f"single-thread read bandwidth over {'256 MiB' if args.quick else '1 GiB'}: "
        f"C 64-byte loads {bw_c:.1f} GB/s (numpy sum {bw_sum:.1f}, BLAS sdot {bw_dot:.1f})"
        f" -> BW = {bw:.1f} GB/s"
    )
    peak = fma_peak(probes)
    probes.close()
    record("machine", bw_gbs=bw, peak_gflops=peak, level=accel.simd_level(), blas=blas_info())
    print(f"single-core FMA peak (register-only loop): PEAK = {peak:.1f} GFLOP/s")
    if args.quick:
        bench_search([384, 768], [1_000, 10_000], bw, peak, rng)
        bench_metrics(768, 10_000, peak, rng)
        bench_encodings(768, 20_000, bw, rng)
        bench_pq(20_000, 768, 96, 10, rng)
        bench_rabitq(20_000, 768, 50, rng)
    else:
        bench_search([384, 768, 1536], [1_000, 10_000, 100_000], bw, peak, rng)
        bench_metrics(768, 100_000, peak, rng)
        bench_encodings(768, 100_000, bw, rng)
        bench_pq(100_000, 768, 96, 20, rng)
        bench_rabitq(100_000, 768, 100, rng)
    if args.json:
        text = json.dumps(RESULTS, indent=1, default=float)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w") as fh:
                fh.write(text)


if __name__ == "__main__":
    main()
