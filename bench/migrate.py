"""In-place migration from pgvector to ruvector: ``op.migrate_to_ruvector`` against the
same change written by hand in SQL, in the same process and database.

Run: python bench/migrate.py [--rows 100000] [--dim 384] [--repeat 3] [--m 16] [--ef 64]
     python bench/migrate.py --online [...]   (online vs in_place, with and without
     concurrent writers: bench/migrate_online.py)

Each run starts from a fresh copy of a pgvector table ``(id int primary key, embedding
vector(dim))`` with an HNSW cosine index (built during set-up, not timed), then times,
end to end including COMMIT:

* hand-written  ``BEGIN; DROP INDEX; ALTER TABLE ... ALTER COLUMN embedding TYPE
  ruvector(dim) USING embedding::text::ruvector(dim); CREATE INDEX ... USING <hnsw am>
  (embedding ruvector_cosine_ops) WITH (...); COMMIT``
* ours          ``migrate_column(...)`` (what ``op.migrate_to_ruvector`` runs: catalog
  reflection, planning, lock with lock_timeout, the same DDL) with ``validate=True``;
  its validation time (snapshot before and after: counts, digest of every row, exact
  top-k with index scans off) is measured inside and reported apart.

It prints rows/s (median of ``--repeat`` runs, interleaved round-robin so that machine
noise hits both alike), the ratio ours (without validation) / hand-written (goal >= 0.9),
and how long the table's ACCESS EXCLUSIVE lock was held (from the grant to the end of
COMMIT; ours holds it through validation too). ``--no-validate`` runs ours without it.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa

from alembic_ext._db import Db
from alembic_ext.impl import migrate_column
from alembic_ext.strategies import MigrationRequest
from sqlalchemy_ruvector.server import start


def setup(engine: sa.Engine, rows: int, dim: int) -> None:
    """The source table, once; every run copies it (set-up, untimed)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS source")
        conn.exec_driver_sql(f"CREATE TABLE source (id int PRIMARY KEY, embedding vector({dim}))")
        conn.exec_driver_sql("SELECT setseed(0.5)")
        conn.exec_driver_sql(
            f"INSERT INTO source SELECT i, (SELECT array_agg(random()::real)"
            f" FROM generate_series(1, {dim}) WHERE i > 0)::vector"
            f" FROM generate_series(1, {rows}) i"
        )


def fresh(engine: sa.Engine, m: int, ef: int) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS items")
        conn.exec_driver_sql("CREATE TABLE items (LIKE source INCLUDING ALL)")
        conn.exec_driver_sql("INSERT INTO items SELECT * FROM source")
        conn.exec_driver_sql(
            "CREATE INDEX items_embedding_hnsw ON items USING hnsw (embedding vector_cosine_ops)"
            f" WITH (m = {m}, ef_construction = {ef})"
        )


def hand_written(engine: sa.Engine, dim: int, m: int, ef: int, hnsw_am: str) -> dict[str, float]:
    start_t = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX items_embedding_hnsw")
        locked = time.perf_counter()
        conn.exec_driver_sql(
            f"ALTER TABLE items ALTER COLUMN embedding TYPE ruvector({dim})"
            f" USING embedding::text::ruvector({dim})"
        )
        conn.exec_driver_sql(
            f"CREATE INDEX items_embedding_hnsw ON items USING {hnsw_am}"
            f" (embedding ruvector_cosine_ops) WITH (m = {m}, ef_construction = {ef})"
        )
    end = time.perf_counter()
    return {"total": end - start_t, "lock": end - locked, "validate": 0.0}


def ours(engine: sa.Engine, validate: bool) -> dict[str, float]:
    start_t = time.perf_counter()
    with engine.begin() as conn:
        result = migrate_column(
            Db(conn), MigrationRequest("items", "embedding", "ruvector", validate=validate)
        )
    end = time.perf_counter()
    assert result.locked_at is not None
    return {
        "total": end - start_t,
        "lock": end - result.locked_at,
        "validate": result.timings.get("validate", 0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef", type=int, default=64)
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--mwm", default="512MB", help="maintenance_work_mem of the database")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on kill
    server = start()
    try:
        url = server.create_database("bench_migrate", extensions=("vector", "ruvector"))
        with server.connect() as conn:
            # Big enough for an in-memory HNSW build of both variants (pgvector falls back
            # to a much slower on-disk build when the graph outgrows it).
            conn.execute(f"ALTER DATABASE bench_migrate SET maintenance_work_mem = '{args.mwm}'")
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            hnsw_am = conn.exec_driver_sql(
                "SELECT amname FROM pg_am WHERE amhandler = 'hnsw_handler'::regproc"
            ).scalar_one()
        t = time.perf_counter()
        setup(engine, args.rows, args.dim)
        print(
            f"{args.rows} rows x {args.dim} dims, HNSW cosine m={args.m} "
            f"ef_construction={args.ef}; source loaded in {time.perf_counter() - t:.1f}s"
        )
        variants = {
            "hand-written SQL": lambda: hand_written(engine, args.dim, args.m, args.ef, hnsw_am),
            "ours": lambda: ours(engine, validate=not args.no_validate),
        }
        results: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        for i in range(args.repeat):
            for name, run in variants.items():
                fresh(engine, args.m, args.ef)
                results[name].append(run())
                r = results[name][-1]
                print(
                    f"  run {i + 1} {name:17s} {r['total']:7.2f}s (lock {r['lock']:.2f}s,"
                    f" validate {r['validate']:.2f}s)",
                    flush=True,
                )

        def median(name: str, key: str) -> float:
            return statistics.median(r[key] for r in results[name])

        print()
        print(
            f"{'variant':17s} {'rows/s':>10s} {'total s':>8s} {'lock held s':>12s} "
            f"{'validate s':>11s}"
        )
        for name in variants:
            total = median(name, "total")
            print(
                f"{name:17s} {args.rows / total:10.0f} {total:8.2f} "
                f"{median(name, 'lock'):12.2f} {median(name, 'validate'):11.2f}"
            )
        hand = median("hand-written SQL", "total")
        ours_total, validation = median("ours", "total"), median("ours", "validate")
        print(
            f"\nours without validation: {args.rows / (ours_total - validation):.0f} rows/s;"
            f" validation alone: {validation:.2f}s"
        )
        print(
            f"ours / hand-written (rows/s, validation excluded): "
            f"{hand / (ours_total - validation):.3f}  (goal >= 0.9)"
        )
        print(f"ours / hand-written (rows/s, validation included): {hand / ours_total:.3f}")
        engine.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    if "--online" in sys.argv[1:]:
        from migrate_online import main as online_main

        online_main([a for a in sys.argv[1:] if a != "--online"])
    else:
        main()
