"""Online vs in-place migration from pgvector to ruvector, with and without writers.

Run: python bench/migrate.py --online [--rows 100000] [--dim 384] [--repeat 1] [--writers 4]
     [--shadow table|column|both]   (or python bench/migrate_online.py, same options)

Each run starts from a fresh copy of the pgvector table with its HNSW cosine index
(set-up, untimed) and times, end to end:

* in_place              ``migrate_column(..., strategy="in_place", validate=False)``
* online <shadow>       ``strategy="online"`` (validate=False), nobody writing, for the
                        chosen shadow ("both": the table and the column variant)
* online + N writers    the same while N threads update/insert rows, one short
                        transaction each, as fast as they can (``--writers 0``: skipped)

It prints rows/s (median of ``--repeat``), online / in_place (goal >= 0.5), how long
the swap held ACCESS EXCLUSIVE, each run's time per step (shadow, trigger, backfill,
index_build, validate, swap), and the writers' p50/p99 latency before the migration
(the same writers for ``--baseline`` seconds) and during it.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import threading
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psycopg
import sqlalchemy as sa

from alembic_ext._db import Db
from alembic_ext.impl import migrate_column
from alembic_ext.strategies import MigrationRequest
from sqlalchemy_ruvector.server import start

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrate import fresh, setup


class Writers:
    """N threads writing to ``items`` and recording each transaction's latency."""

    def __init__(self, url: str, n: int, dim: int, start_id: int) -> None:
        self.url, self.n, self.dim = url, n, dim
        self.next_id = start_id
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                v = "[" + ",".join(f"{rng.random():.4f}" for _ in range(self.dim)) + "]"
                t0 = time.perf_counter()
                try:
                    if rng.random() < 0.5:
                        with self.lock:
                            self.next_id += 1
                            key = self.next_id
                        conn.execute("INSERT INTO items (id, embedding) VALUES (%s, %s)", (key, v))
                    else:
                        conn.execute(
                            "UPDATE items SET embedding = %s WHERE id = %s",
                            (v, rng.randint(1, self.next_id)),
                        )
                except psycopg.Error as exc:
                    self.errors.append(exc)
                self.latencies.append(time.perf_counter() - t0)

    def __enter__(self) -> Writers:
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(self.n)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()


def run(url: str, strategy: str, shadow: str = "table") -> dict[str, float]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    options: dict[str, Any] = {"progress": False, "shadow": shadow} if strategy == "online" else {}
    kwargs = {"isolation_level": "AUTOCOMMIT"} if strategy == "online" else {}
    t0 = time.perf_counter()
    with engine.connect().execution_options(**kwargs) as conn:
        result = migrate_column(
            Db(conn),
            MigrationRequest("items", "embedding", "ruvector", validate=False, options=options),
            strategy,
        )
        if strategy != "online":
            conn.commit()
    total = time.perf_counter() - t0
    engine.dispose()
    lock = result.timings.get("swap_lock_held")
    if lock is None and result.locked_at is not None:
        lock = time.perf_counter() - result.locked_at
    steps = {k: v for k, v in result.timings.items() if k in STEPS}
    return {"total": total, "lock": lock or 0.0, **steps}


STEPS = ("shadow", "trigger", "backfill", "index_build", "validate", "swap")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--baseline", type=float, default=5.0)
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef", type=int, default=64)
    parser.add_argument(
        "--shadow", choices=("table", "column", "both"), default="table",
        help="the online variant(s) to run (both: each, without writers)",
    )  # fmt: skip
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = start()
    try:
        url = server.create_database("bench_online", extensions=("vector", "ruvector"))
        with server.connect() as conn:
            conn.execute("ALTER DATABASE bench_online SET maintenance_work_mem = '512MB'")
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        setup(engine, args.rows, args.dim)
        libpq = url.replace("postgresql+psycopg://", "postgresql://", 1)
        print(f"{args.rows} rows x {args.dim} dims, HNSW cosine m={args.m} ef={args.ef}")
        results: dict[str, list[dict[str, float]]] = {}
        before: list[float] = []
        during: list[float] = []
        errors: list[BaseException] = []
        for i in range(args.repeat):
            shadows = ("table", "column") if args.shadow == "both" else (args.shadow,)
            names = ["in_place", *(f"online {s}" for s in shadows)]
            if args.writers and args.shadow != "both":
                names.append(f"online {args.shadow} + {args.writers} writers")
            for name in names:
                fresh(engine, args.m, args.ef)
                if name == "in_place":
                    r = run(url, name)
                elif "writers" in name:
                    with Writers(libpq, args.writers, args.dim, args.rows) as w:
                        time.sleep(args.baseline)
                        before += w.latencies
                        w.latencies = []
                        r = run(url, "online", args.shadow)
                        during += w.latencies
                        errors += w.errors
                else:
                    r = run(url, "online", name.split()[1])
                results.setdefault(name, []).append(r)
                lock_ms = r["lock"] * 1000
                steps = ", ".join(f"{k} {r[k]:.2f}s" for k in STEPS if k in r)
                print(
                    f"  run {i + 1} {name:28s} {r['total']:7.2f}s (lock {lock_ms:.1f} ms)"
                    + (f" [{steps}]" if steps else ""),
                    flush=True,
                )
        print(f"\n{'variant':28s} {'rows/s':>9s} {'total s':>8s} {'excl. lock ms':>14s}")
        med = {n: statistics.median(x["total"] for x in rs) for n, rs in results.items()}
        for name, rs in results.items():
            lock = statistics.median(x["lock"] for x in rs) * 1000
            print(f"{name:28s} {args.rows / med[name]:9.0f} {med[name]:8.2f} {lock:14.1f}")
        base = med["in_place"]
        for name in results:
            if name != "in_place":
                print(f"{name} / in_place (rows/s): {base / med[name]:.3f}  (goal >= 0.5)")
        if not before:
            return
        print(
            f"writers' latency before: p50 {pct(before, 0.5):.1f} ms, p99 {pct(before, 0.99):.1f}"
            f" ms ({len(before)} tx); during: p50 {pct(during, 0.5):.1f} ms, p99"
            f" {pct(during, 0.99):.1f} ms, max {pct(during, 1.0):.0f} ms ({len(during)} tx);"
            f" writer errors: {len(errors)}"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
