"""Hybrid search latency: one fused statement against two queries + fusion in Python.

Run: python bench/hybrid.py [--rows 50000] [--queries 30] [--repeat 5] [--k 10]
                            [--prefetch-k 100] [--profile documented|published-2.0.5]

Both sides run on the same table (stdlib docstrings combined into ``--rows`` documents,
deterministic embeddings, a stored ``tsvector`` with GIN, an HNSW cosine index), in
one transaction with ``ef_search = prefetch_k``, through the ORM:

* ours       ``session.execute(hybrid_search(Doc, ...))``: the ANN candidates, the
             full-text candidates and RRF fusion in one SELECT (one round trip),
             returning the ``k`` entities;
* two trips  what langchain-postgres does for hybrid search: a vector query and a
             full-text query (``prefetch_k`` entities each), then reciprocal rank
             fusion in Python, keeping ``k``.

Each figure is the median per-query latency over ``--queries`` x ``--repeat`` runs,
the two sides interleaved query by query so machine noise hits both alike. The
script also checks that both return the same ids in the same order.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import RuVector, VectorIndex, hybrid_search, search_settings
from sqlalchemy_ruvector.server import start
from tests.sqlalchemy_ruvector import corpus

DIM = 32


class Base(DeclarativeBase):
    pass


class Doc(Base):
    __tablename__ = "bench_docs"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str]
    tsv = mapped_column(TSVECTOR, sa.Computed("to_tsvector('english', body)", persisted=True))
    embedding = mapped_column(RuVector(DIM))


def load(url: str, psycopg_url: str, rows: int) -> None:
    import psycopg

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.schema.CreateTable(Doc.__table__))
    texts = [b for _, b in corpus.documents()]
    n = len(texts)
    with (
        psycopg.connect(psycopg_url, autocommit=True) as conn,
        conn.cursor() as cur,
        cur.copy("COPY bench_docs (id, body, embedding) FROM STDIN") as copy,
    ):
        for i in range(rows):
            body = texts[i % n] + " " + texts[(i * 7919 + 13) % n]
            vec = corpus.embed(body, DIM)
            copy.write_row((i, body, "[" + ",".join(repr(float(x)) for x in vec) + "]"))
    with engine.begin() as conn:
        VectorIndex("bench_docs_embedding", Doc.__table__.c.embedding, metric="cosine").create(conn)
        sa.Index("bench_docs_tsv", Doc.__table__.c.tsv, postgresql_using="gin").create(conn)
    with psycopg.connect(psycopg_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE bench_docs")
    engine.dispose()


def ours(session: Session, q: np.ndarray, text: str, k: int, prefetch_k: int) -> list[int]:
    stmt = hybrid_search(
        Doc,
        vector_column=Doc.embedding,
        tsvector_column=Doc.tsv,
        query_vector=q,
        query_text=text,
        k=k,
        prefetch_k=prefetch_k,
    )
    return [doc.id for doc, *_ in session.execute(stmt)]


def two_trips(session: Session, q: np.ndarray, text: str, k: int, prefetch_k: int) -> list[int]:
    distance = Doc.embedding.cosine_distance(q)
    dense = session.scalars(sa.select(Doc).order_by(distance, Doc.id).limit(prefetch_k)).all()
    tsquery = sa.func.websearch_to_tsquery("english", text)
    rank = sa.func.ts_rank_cd(Doc.tsv, tsquery)
    sparse = session.scalars(
        sa.select(Doc)
        .where(Doc.tsv.bool_op("@@")(tsquery))
        .order_by(rank.desc(), Doc.id)
        .limit(prefetch_k)
    ).all()
    scores: dict[int, float] = {}
    vrank: dict[int, int] = {}
    trank: dict[int, int] = {}
    for ranks, docs in ((vrank, dense), (trank, sparse)):
        for r, doc in enumerate(docs, 1):
            ranks[doc.id] = r
            scores[doc.id] = scores.get(doc.id, 0.0) + 1.0 / (60 + r)
    inf = float("inf")
    order = sorted(scores, key=lambda i: (-scores[i], vrank.get(i, inf), trank.get(i, inf), i))
    return order[:k]


def queries(count: int) -> list[str]:
    texts = [b for _, b in corpus.documents()]
    out = []
    for i in range(count):
        words = [w for w in corpus.TOKEN.findall(texts[(i * 131 + 7) % len(texts)].lower())]
        out.append(" or ".join([w for w in words if len(w) > 3][:3] or ["file"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--prefetch-k", type=int, default=100)
    parser.add_argument("--profile", default="documented")
    args = parser.parse_args()

    with start(profile=args.profile) as server:
        url = server.create_database("bench_hybrid").replace("+psycopg", "+ruvector", 1)
        t0 = time.perf_counter()
        load(url, server.url_for("bench_hybrid", driver=None), args.rows)
        print(f"loaded and indexed {args.rows} rows in {time.perf_counter() - t0:.1f}s")
        engine = sa.create_engine(url)
        qs = [(corpus.embed(t, DIM), t) for t in queries(args.queries)]
        sides: dict[str, Callable[..., list[int]]] = {"ours": ours, "two trips": two_trips}
        times: dict[str, list[float]] = {name: [] for name in sides}
        agree = 0
        with Session(engine) as session, search_settings(session, ef_search=args.prefetch_k):
            for q, text in qs:  # warm-up, and the agreement check
                results = [fn(session, q, text, args.k, args.prefetch_k) for fn in sides.values()]
                agree += results[0] == results[1]
            for _ in range(args.repeat):
                for q, text in qs:
                    for name, fn in sides.items():
                        start_t = time.perf_counter()
                        fn(session, q, text, args.k, args.prefetch_k)
                        times[name].append(time.perf_counter() - start_t)
                        session.expunge_all()
        engine.dispose()

    med = {name: statistics.median(ts) * 1000 for name, ts in times.items()}
    p90 = {name: statistics.quantiles(ts, n=10)[-1] * 1000 for name, ts in times.items()}
    print(
        f"profile {args.profile}, {args.rows} rows, k={args.k}, prefetch_k={args.prefetch_k}, "
        f"{args.queries} queries x {args.repeat}"
    )
    print(f"same ids in the same order: {agree}/{len(qs)} queries")
    for name in sides:
        print(f"  {name:<10} median {med[name]:7.2f} ms   p90 {p90[name]:7.2f} ms")
    print(f"  two trips / ours (median): {med['two trips'] / med['ours']:.2f}x")


if __name__ == "__main__":
    main()
