"""``postgresql+ruvector`` and ``postgresql+ruvector_async``: psycopg 3 dialects
that probe the server, register binary adapters and reflect vector columns.

They are SQLAlchemy's psycopg dialects plus: vector types in ``ischema_names``
(ruvector, and pgvector's vector/halfvec/sparsevec, so Alembic sees them), and the
per-engine set-up of :mod:`sqlalchemy_ruvector.engine_setup`.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg, PGDialectAsync_psycopg
from sqlalchemy.engine import Engine

from .capabilities import UNPROBED, Capabilities
from .engine_setup import install_engine
from .types import HalfVec, PgVector, RuVector, SparseVec

__all__ = ["VECTOR_ISCHEMA_NAMES", "RuVectorDialect_psycopg", "RuVectorDialect_psycopg_async"]

#: Reflection names of the vector types.
VECTOR_ISCHEMA_NAMES: Final[dict[str, Any]] = {
    "ruvector": RuVector,
    "vector": PgVector,
    "halfvec": HalfVec,
    "sparsevec": SparseVec,
}


class _RuVectorDialectMixin:
    ruvector_capabilities: Capabilities = UNPROBED
    ischema_names = {**PGDialect.ischema_names, **VECTOR_ISCHEMA_NAMES}

    @classmethod
    def engine_created(cls, engine: Engine) -> None:
        install_engine(engine)


class RuVectorDialect_psycopg(_RuVectorDialectMixin, PGDialect_psycopg):
    """``postgresql+ruvector://``: psycopg 3, synchronous."""

    supports_statement_cache = True


class RuVectorDialect_psycopg_async(_RuVectorDialectMixin, PGDialectAsync_psycopg):
    """``postgresql+ruvector_async://``: psycopg 3, asyncio."""

    supports_statement_cache = True
