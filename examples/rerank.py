"""Two-phase search: a cheap ANN column on the server, exact rerank on the client.

    pip install ".[server]" && python examples/rerank.py

The HNSW index covers only the first 32 of 256 dimensions (a Matryoshka-style
truncation: a quarter of the index memory). Its top 10 alone misses many true
neighbours; fetching 10 x oversample candidates and reranking them exactly with
``accel`` on the full vectors recovers them. Prints recall@10 for both.
"""

from __future__ import annotations

import time

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import accel
from sqlalchemy_ruvector import RuVector, VectorIndex
from sqlalchemy_ruvector.rerank import rerank
from sqlalchemy_ruvector.server import start

DIM, HEAD, ROWS, QUERIES, K = 256, 32, 20_000, 50, 10


class Base(DeclarativeBase):
    pass


class Passage(Base):
    __tablename__ = "passages"
    id: Mapped[int] = mapped_column(primary_key=True)
    embedding: Mapped[np.ndarray] = mapped_column(RuVector(DIM))
    head: Mapped[np.ndarray] = mapped_column(RuVector(HEAD))
    __table_args__ = (VectorIndex("passages_head_idx", "head", metric="cosine"),)


def main() -> None:
    rng = np.random.default_rng(3)
    scale = np.geomspace(4.0, 0.25, DIM).astype(np.float32)  # leading dims matter most
    data = (rng.standard_normal((ROWS, DIM)) * scale).astype(np.float32)
    queries = (
        data[rng.integers(ROWS, size=QUERIES)] + 0.3 * rng.standard_normal((QUERIES, DIM)) * scale
    )

    with start() as server:
        engine = sa.create_engine(
            server.create_database("rerank").replace("+psycopg", "+ruvector", 1)
        )
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            session.execute(
                sa.insert(Passage),
                [{"id": i, "embedding": v, "head": v[:HEAD]} for i, v in enumerate(data)],
            )
            session.commit()
            print(f"{ROWS} x {DIM} rows; HNSW on the first {HEAD} dims")
            print(f"accel kernels: {accel.simd_level()}")

            truth = [
                set(accel.topk(q.astype(np.float32), data, K, "cosine")[0].tolist())
                for q in queries
            ]
            for oversample in (1, 4, 10):
                hits, started = 0, time.perf_counter()
                for q, true_ids in zip(queries, truth, strict=True):
                    q32 = q.astype(np.float32)
                    results = rerank(
                        session,
                        sa.select(Passage.id),
                        q32,
                        K,
                        oversample=oversample,
                        metric="cosine",
                        candidate_column=Passage.head,
                        candidate_query=q32[:HEAD],
                        vector_column=Passage.embedding,
                    )
                    hits += len(true_ids & {r.row for r in results})
                elapsed = (time.perf_counter() - started) / QUERIES * 1000
                label = (
                    "ANN on head only" if oversample == 1 else f"reranked, oversample {oversample}"
                )
                recall = hits / (K * QUERIES)
                print(f"  {label:<26} recall@{K} = {recall:.3f}   {elapsed:6.1f} ms/query")


if __name__ == "__main__":
    main()
