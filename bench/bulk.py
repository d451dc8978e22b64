"""Bulk in/out: copy_into and fetch_numpy/fetch_arrow against every baseline, one run.

    python bench/bulk.py [--rows 1000000] [--dim 384] [--small-rows 20000] [--repeat 3]

Slow baselines (executemany, ORM, pgvector-python) run on ``--small-rows`` rows and are
compared by rows/s. Prints medians, rows/s, MB/s, ratios against the limits, peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import psutil
import pyarrow as pa
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import RuVector
from sqlalchemy_ruvector.bulk import copy_into, fetch_arrow, fetch_numpy
from sqlalchemy_ruvector.codecs.pgcopy import HEADER, TRAILER, dense_fields, fixed_rows
from sqlalchemy_ruvector.server import start


class PeakRSS:
    """Peak resident memory above the starting point, sampled every 5 ms."""

    def __enter__(self) -> PeakRSS:
        self.proc = psutil.Process()
        self.base = self.proc.memory_info().rss
        self.peak = self.base
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stop:
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.005)

    def __exit__(self, *exc: Any) -> None:
        self.stop = True
        self.thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

    @property
    def used(self) -> int:
        return self.peak - self.base


def timed(fn: Callable[[], Any], repeat: int, reset: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if reset:
            reset()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--small-rows", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n, dim, small = args.rows, args.dim, args.small_rows
    row_bytes = 8 + 4 * dim
    mb = n * row_bytes / 1e6

    srv = start()
    srv.create_database("bench_bulk", profile="documented", extensions=("vector", "ruvector"))
    eng = sa.create_engine(srv.url_for("bench_bulk").replace("+psycopg", "+ruvector"))

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "items"
        id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
        embedding: Mapped[Any] = mapped_column(RuVector(dim))

    t = Item.__table__
    Base.metadata.drop_all(eng)
    Base.metadata.create_all(eng)
    rng = np.random.default_rng(0)
    ids = np.arange(n, dtype=np.int64)
    m = rng.standard_normal((n, dim)).astype(np.float32)
    arrow = pa.table(
        {"id": ids, "embedding": pa.FixedSizeListArray.from_arrays(pa.array(m.reshape(-1)), dim)}
    )
    caps = None
    with eng.connect() as c:
        caps = c.dialect.ruvector_capabilities

    def truncate() -> None:
        with eng.begin() as c:
            c.execute(sa.text("TRUNCATE items"))

    results: dict[str, float] = {}

    def report(name: str, seconds: float, rows: int) -> None:
        rate = rows / seconds
        results[name] = rate
        print(
            f"{name:40s} {seconds:8.3f} s  {rate:12,.0f} rows/s  "
            f"{rows * row_bytes / seconds / 1e6:8.1f} MB/s"
        )

    print(
        f"# {n:,} rows x {dim} dims ({mb:,.0f} MB of vectors+ids); slow baselines on {small:,} rows"
    )
    print("## in")
    # the server's limit: pre-encoded PGCOPY rows, one write per 8192 rows
    payload = [
        memoryview(
            fixed_rows(
                [
                    ids[i : i + 8192, None].astype(">i8").view(np.uint8),
                    dense_fields(m[i : i + 8192], caps.binary_layout),
                ]
            ).reshape(-1)
        )
        for i in range(0, n, 8192)
    ]

    def raw_copy() -> None:
        with eng.begin() as c:
            dbapi = c.connection.driver_connection
            with (
                dbapi.cursor() as cur,
                cur.copy("COPY items (id, embedding) FROM STDIN (FORMAT BINARY)") as cp,
            ):
                cp.write(HEADER)
                for p in payload:
                    cp.write(p)
                cp.write(TRAILER)

    report("raw binary COPY, pre-encoded (limit)", timed(raw_copy, args.repeat, truncate), n)
    report(
        "copy_into from Arrow", timed(lambda: copy_into(eng, Item, arrow), args.repeat, truncate), n
    )
    report(
        "copy_into from numpy",
        timed(lambda: copy_into(eng, t, {"id": ids, "embedding": m}), args.repeat, truncate),
        n,
    )
    rows = [{"id": int(i), "embedding": m[i]} for i in range(small)]

    def core_many() -> None:
        with eng.begin() as c:
            c.execute(t.insert(), rows)

    report("ours Core executemany", timed(core_many, args.repeat, truncate), small)

    def orm_bulk() -> None:
        with Session(eng) as s:
            s.execute(sa.insert(Item), rows)
            s.commit()

    report("ORM bulk insert", timed(orm_bulk, args.repeat, truncate), small)
    try:
        import psycopg
        from pgvector.psycopg import register_vector

        with eng.begin() as c:
            c.execute(
                sa.text(f"CREATE TABLE IF NOT EXISTS pg_items (id int8, embedding vector({dim}))")
            )

        def pgvector_many() -> None:
            with psycopg.connect(srv.url_for("bench_bulk", driver=None)) as pc:
                register_vector(pc)
                pc.execute("TRUNCATE pg_items")
                with pc.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO pg_items VALUES (%s, %s)",
                        [(int(i), m[i]) for i in range(small)],
                    )

        report("pgvector-python executemany", timed(pgvector_many, args.repeat), small)
    except ImportError:
        print("pgvector-python not installed (pip install -e '.[bench]')")
    truncate()
    copy_into(eng, t, {"id": ids, "embedding": m})

    print("## out")

    def raw_read() -> None:
        with eng.connect() as c:
            dbapi = c.connection.driver_connection
            with (
                dbapi.cursor() as cur,
                cur.copy("COPY (SELECT id, embedding FROM items) TO STDOUT (FORMAT BINARY)") as cp,
            ):
                for _ in cp:
                    pass

    report("raw COPY TO read, no decoding (limit)", timed(raw_read, args.repeat), n)
    q = sa.select(t.c.id, t.c.embedding)
    out_mb = n * row_bytes
    for name, fn in (("fetch_numpy", fetch_numpy), ("fetch_arrow", fetch_arrow)):
        with PeakRSS() as mem:

            def run(fn: Any = fn) -> None:
                with eng.connect() as c:
                    res = fn(c, q)
                    del res

            report(name, timed(run, args.repeat), n)
        print(
            f"{'':40s} peak RSS +{mem.used / 1e6:,.0f} MB = {mem.used / out_mb:.2f}x "
            f"the result ({out_mb / 1e6:,.0f} MB)"
        )

    def core_fetch() -> None:
        with eng.connect() as c:
            c.execute(q.limit(small)).all()

    report("ours Core fetch", timed(core_fetch, args.repeat), small)

    def psycopg_binary() -> None:
        with eng.connect() as c:
            dbapi = c.connection.driver_connection
            with dbapi.cursor(binary=True) as cur:
                cur.execute(sql.SQL("SELECT id, embedding FROM items LIMIT {}").format(small))
                cur.fetchall()

    report("raw psycopg binary cursor fetch", timed(psycopg_binary, args.repeat), small)

    print("## ratios (goal)")

    def ratio(a: str, b: str, goal: float) -> None:
        r = results[a] / results[b]
        print(f"{a} / {b}: {r:.2f}x (goal >= {goal}x: {'met' if r >= goal else 'MISSED'})")

    for name in ("copy_into from Arrow", "copy_into from numpy"):
        ratio(name, "raw binary COPY, pre-encoded (limit)", 0.9)
        if "pgvector-python executemany" in results:
            ratio(name, "pgvector-python executemany", 20)
    for name in ("fetch_numpy", "fetch_arrow"):
        ratio(name, "raw COPY TO read, no decoding (limit)", 0.9)
        ratio(name, "raw psycopg binary cursor fetch", 1.5)
    print(f"max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:,.0f} MB")
    srv.stop()


if __name__ == "__main__":
    main()
