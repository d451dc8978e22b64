"""The online move from pgvector, with the application writing the whole time:

    pip install ".[server]" && python examples/migrate_from_pgvector/online.py

1. ``alembic upgrade 0001`` (the pgvector schema) and rows loaded, as in run.py;
2. four writer threads insert rows and change embeddings and bodies, each change also
   applied to a plain copy of the table (``documents_twin``) in the same transaction;
3. while they run: ``op.migrate_to_ruvector("documents", "embedding",
   strategy="online")``: a shadow table with the column as ruvector, kept in sync by a
   trigger on documents, filled in batches, its indexes built CONCURRENTLY, checked
   exactly, then swapped for documents in a few ms (``shadow="column"`` does the same
   with a shadow column, for tables a table swap cannot carry: see the README);
4. the writers stop: documents and its twin hold the same rows (nothing lost), and the
   column is ruvector with its three indexes.

Set DATABASE_URL (``postgresql+ruvector://...``) to run it against your own server.
"""

from __future__ import annotations

import logging
import os
import random
import sys
import threading
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import Operations

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from models import DIM  # noqa: E402
from run import DATABASE, describe, load  # noqa: E402

import alembic_ext  # noqa: E402, F401  (registers op.migrate_to_ruvector)


def writer(url: str, seed: int, stop: threading.Event, done: list[int], errors: list[str]) -> None:
    rng = random.Random(seed)
    with psycopg.connect(url) as conn:
        while not stop.is_set():
            key = rng.randint(0, 2_999)
            vector = "[" + ",".join(f"{rng.uniform(-1, 1):.4f}" for _ in range(DIM)) + "]"
            try:
                with conn.transaction():
                    for table in ("documents", "documents_twin"):
                        if seed % 2:
                            conn.execute(
                                f"UPDATE {table} SET embedding = %s WHERE id = %s", (vector, key)
                            )
                        else:
                            conn.execute(
                                f"UPDATE {table} SET body = body || '.' WHERE id = %s", (key,)
                            )
                done.append(1)
            except psycopg.Error as exc:
                errors.append(str(exc))


def run(url: str) -> None:
    config = Config(str(HERE / "alembic.ini"))
    os.environ["DATABASE_URL"] = url
    libpq = url.replace("postgresql+ruvector://", "postgresql://", 1)
    command.upgrade(config, "0001")
    load(url)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS ruvector")
        conn.execute("CREATE TABLE documents_twin AS TABLE documents")
    stop, done, errors = threading.Event(), [], []
    threads = [
        threading.Thread(target=writer, args=(libpq, i, stop, done, errors)) for i in range(4)
    ]
    for t in threads:
        t.start()
    print("== online move, 4 writers running")
    t0 = time.perf_counter()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        with context.begin_transaction():
            Operations(context).migrate_to_ruvector(
                "documents", "embedding", strategy="online", batch_size=500, progress=False
            )
    engine.dispose()
    elapsed = time.perf_counter() - t0
    time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join()
    print(f"  moved in {elapsed:.1f}s; writers committed {len(done)} transactions, "
          f"{len(errors)} errors")  # fmt: skip
    describe(url)
    with psycopg.connect(libpq) as conn:
        diff = conn.execute(
            "SELECT count(*) FROM ((SELECT id, body, embedding::text FROM documents EXCEPT"
            " SELECT id, body, embedding::text FROM documents_twin) UNION ALL"
            " (SELECT id, body, embedding::text FROM documents_twin EXCEPT"
            " SELECT id, body, embedding::text FROM documents)) d"
        ).fetchone()
    print(f"  rows differing from the twin: {diff[0] if diff else '?'}")
    if errors or not diff or diff[0]:
        raise SystemExit("writes were lost or failed")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="  %(message)s")
    url = os.environ.get("DATABASE_URL")
    if url:
        run(url)
        return
    from sqlalchemy_ruvector.server import start

    with start() as server:
        server.create_database(DATABASE + "_online", extensions=())
        run(server.url_for(DATABASE + "_online", driver="ruvector"))


if __name__ == "__main__":
    main()
