"""Move the embeddings from pgvector to ruvector, in place, with proof.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_ruvector_extension()
    # vector(n) -> ruvector(n); hnsw -> the server's ruvector HNSW, ivfflat -> ruivfflat,
    # vector_*_ops -> ruvector_*_ops, same WITH / WHERE; checksum and exact top-k checked.
    op.migrate_to_ruvector("documents", "embedding")


def downgrade() -> None:
    op.migrate_to_pgvector("documents", "embedding")
    op.drop_ruvector_extension()
