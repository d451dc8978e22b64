"""Quickstart: an embedded ruvector-speaking PostgreSQL, an ORM model, a k-NN query.

    pip install ".[server]" && python examples/quickstart.py

The server is PostgreSQL with the project's ruvector *compatibility layer* on
pgvector (see README); point ``DATABASE_URL`` at a real ruvector-postgres instead
(``postgresql+ruvector://user@host/db``) to run the same code there.
"""

from __future__ import annotations

import os
import time

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import RuVector, VectorIndex, search_settings

DIM = 64
ROWS = 5_000


class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    embedding: Mapped[np.ndarray] = mapped_column(RuVector(DIM))

    __table_args__ = (
        VectorIndex(
            "documents_embedding_idx",
            "embedding",
            method="hnsw",
            metric="cosine",
            m=16,
            ef_construction=64,
        ),
    )


def run(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the engine re-probes after this by itself
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS ruvector"))

    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    caps = engine.dialect.ruvector_capabilities  # type: ignore[attr-defined]
    print(f"server: {caps.server_version}")
    print(f"HNSW access method: {caps.hnsw_am}, binary layout: {caps.binary_layout.value}")

    rng = np.random.default_rng(42)
    vectors = rng.standard_normal((ROWS, DIM)).astype(np.float32)
    with Session(engine) as session:
        started = time.perf_counter()
        session.execute(
            sa.insert(Document),
            [{"title": f"doc {i}", "embedding": v} for i, v in enumerate(vectors)],
        )
        session.commit()
        print(f"inserted {ROWS} rows in {time.perf_counter() - started:.2f}s")

        query = vectors[123] + 0.05 * rng.standard_normal(DIM).astype(np.float32)
        distance = Document.embedding.cosine_distance(query)
        stmt = (
            sa.select(Document.id, Document.title, distance.label("distance"))
            .order_by(distance)
            .limit(5)
        )
        with search_settings(session, ef_search=64):
            plan = (
                session.execute(
                    sa.text(
                        "EXPLAIN "
                        + str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
                    )
                )
                .scalars()
                .all()
            )
            rows = session.execute(stmt).all()
        print("plan:", next(line.strip() for line in plan if "Index" in line or "Scan" in line))
        print(f"{'id':>6}  {'title':<10}  cosine distance")
        for row in rows:
            print(f"{row.id:>6}  {row.title:<10}  {row.distance:.6f}")


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    if url:
        run(url)
        return
    from sqlalchemy_ruvector.server import start

    with start() as server:
        run(server.url_for(driver="ruvector"))


if __name__ == "__main__":
    main()
