"""The schema as it was on pgvector.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from models import DIM, EMBEDDING_COMMENT

from sqlalchemy_ruvector import PgVector, refresh_capabilities

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    refresh_capabilities(op.get_bind())  # the dialect learns that vector now exists
    op.create_table(
        "documents",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("collection", sa.Text, nullable=False, server_default="default"),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("embedding", PgVector(DIM), nullable=True, comment=EMBEDDING_COMMENT),
        comment="documents and their embeddings",
    )
    op.create_vector_index(
        "documents_embedding_hnsw",
        "documents",
        "embedding",
        method="hnsw",
        metric="cosine",
        m=24,
        ef_construction=100,
    )
    op.create_vector_index(
        "documents_embedding_ivfflat", "documents", "embedding", method="ivfflat", lists=10
    )
    op.create_index(
        "documents_news_embedding_hnsw",
        "documents",
        ["embedding"],
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_ip_ops"},
        postgresql_where=sa.text("collection = 'news'"),
    )


def downgrade() -> None:
    op.drop_table("documents")
    op.execute("DROP EXTENSION IF EXISTS vector")
