"""ORM search: a model ported from pgvector-python, filtered k-NN, per-query settings.

    pip install ".[server]" && python examples/orm_search.py

Shows what changes when porting (the import and ``RuVector``), what does not (the
comparator names and their meaning), and the extras: ``VectorIndex`` resolved to the
server's access method, ``search_settings`` / the ``ruvector_search`` execution
option, validation errors raised before any SQL is sent.
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import RuVector, VectorIndex, search_settings
from sqlalchemy_ruvector.server import start

DIM = 32


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(index=True)
    price: Mapped[float]
    embedding: Mapped[np.ndarray] = mapped_column(RuVector(DIM))

    __table_args__ = (
        VectorIndex("products_embedding_l2", "embedding", method="hnsw", metric="l2"),
        VectorIndex("products_embedding_ip", "embedding", method="hnsw", metric="ip"),
    )


def main() -> None:
    rng = np.random.default_rng(0)
    with start() as server:
        engine = sa.create_engine(
            server.create_database("shop").replace("+psycopg", "+ruvector", 1)
        )
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            session.add_all(
                Product(
                    id=i,
                    category=("books", "music", "games")[i % 3],
                    price=float(rng.integers(5, 100)),
                    embedding=rng.standard_normal(DIM).astype(np.float32),
                )
                for i in range(3_000)
            )
            session.commit()

            query = rng.standard_normal(DIM).astype(np.float32)

            # 1. Nearest books under 50, exact L2 distance alongside.
            distance = Product.embedding.l2_distance(query)
            stmt = (
                sa.select(Product, distance.label("distance"))
                .where(Product.category == "books", Product.price < 50)
                .order_by(distance)
                .limit(5)
            )
            with search_settings(session, ef_search=100):
                print("nearest books under 50:")
                for product, d in session.execute(stmt):
                    print(f"  #{product.id:<5} {product.price:>6.2f}  l2={d:.4f}")

            # 2. Maximum inner product: most similar first on every server, whatever
            #    the sign of <#> there.
            best = session.scalars(
                sa.select(Product.id)
                .order_by(Product.embedding.max_inner_product(query))
                .limit(3)
                .execution_options(ruvector_search={"ef_search": 64})
            ).all()
            print("largest dot products:", best)

            # 3. Bad input is refused before any SQL runs, naming the column.
            session.add(Product(id=-1, category="x", price=1.0, embedding=[0.0] * (DIM - 1)))
            try:
                session.flush()
            except StatementError as exc:
                print("refused:", exc.orig)
                session.rollback()


if __name__ == "__main__":
    main()
