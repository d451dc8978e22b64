"""The application's models at the head revision: the embedding column is ruvector.

Before revision 0002 the same column was pgvector's ``vector(DIM)``
(``sqlalchemy_ruvector.PgVector``); changing the model is all the application does.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sqlalchemy_ruvector import RuVector, VectorIndex

DIM = 32
EMBEDDING_COMMENT = "text-embedding of body, DIM dimensions"


class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    collection: Mapped[str] = mapped_column(sa.Text, server_default="default")
    body: Mapped[str] = mapped_column(sa.Text, server_default="")
    embedding: Mapped[Any] = mapped_column(RuVector(DIM), nullable=True, comment=EMBEDDING_COMMENT)

    __table_args__ = (
        VectorIndex(
            "documents_embedding_hnsw",
            "embedding",
            method="hnsw",
            metric="cosine",
            m=24,
            ef_construction=100,
        ),
        VectorIndex("documents_embedding_ivfflat", "embedding", method="ivfflat", lists=10),
        # A partial HNSW index for one collection (inner product). VectorIndex has no
        # predicate, so it is declared as a plain Index: Alembic compares it by name
        # and column, the migrations create it with its access method and opclass.
        sa.Index(
            "documents_news_embedding_hnsw",
            "embedding",
            postgresql_where=sa.text("collection = 'news'"),
        ),
        {"comment": "documents and their embeddings"},
    )
