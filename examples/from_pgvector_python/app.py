"""A small product search written against pgvector-python 0.5's SQLAlchemy API.

It is a user's existing code: run as is on PostgreSQL + pgvector, or switched to
ruvector by one sed over its imports (see README.md in this folder)::

    DATABASE_URL=postgresql+psycopg://user@host/db python app.py

The database already has the extension (created by your migrations or DBA).
"""

from __future__ import annotations

import os

import numpy as np
from pgvector.sqlalchemy import BIT, Vector, avg
from sqlalchemy import Index, String, create_engine, func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    embedding = mapped_column(Vector(8))
    signature = mapped_column(BIT(8))


def sign_bits(vector: np.ndarray) -> str:
    return "".join("1" if x > 0 else "0" for x in vector)


def main() -> None:
    engine = create_engine(os.environ["DATABASE_URL"])
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    Index(
        "products_embedding_idx",
        Product.embedding,
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    ).create(engine)

    vectors = np.random.default_rng(7).normal(size=(200, 8)).astype(np.float32)
    with Session(engine) as session:
        session.add_all(
            Product(id=i, name=f"product-{i}", embedding=v, signature=sign_bits(v))
            for i, v in enumerate(vectors)
        )
        session.commit()

        query = vectors[42] + 0.01
        for method in ("cosine_distance", "l2_distance", "max_inner_product", "l1_distance"):
            order = getattr(Product.embedding, method)(query)
            nearest = session.scalars(select(Product).order_by(order).limit(3))
            print(f"{method}: {[p.name for p in nearest]}")

        distance = session.scalars(
            select(Product.embedding.l2_distance(query)).where(Product.id == 42)
        ).one()
        print(f"distance to product-42: {distance:.4f}")
        close = session.scalars(
            select(func.count())
            .select_from(Product)
            .filter(Product.embedding.l2_distance(query) < 2)
        ).one()
        print(f"within 2: {close}")

        first = session.get(Product, 0)
        assert first is not None
        print(f"embedding type: {type(first.embedding).__name__}")
        centroid = session.scalars(select(avg(Product.embedding))).first()
        print(f"centroid: {[round(x, 3) for x in centroid]}")

        candidates = (
            select(Product)
            .order_by(Product.signature.hamming_distance(sign_bits(query)), Product.id)
            .limit(20)
            .subquery()
        )
        reranked = session.execute(
            select(candidates.c.name)
            .order_by(candidates.c.embedding.cosine_distance(query))
            .limit(3)
        ).scalars()
        print(f"binary rerank: {list(reranked)}")

    with Session(engine) as session:
        session.add(Product(id=999, name="bad", embedding=[1, 2, 3]))
        try:
            session.commit()
        except StatementError as exc:
            print(f"refused: {'expected 8 dimensions, not 3' in str(exc)}")


if __name__ == "__main__":
    main()
