"""``postgresql+ruvector`` and ``postgresql+ruvector_async``: psycopg 3 dialects
that probe the server, register binary adapters and reflect vector columns.

They are SQLAlchemy's psycopg dialects plus: vector types in ``ischema_names``
(ruvector, and pgvector's vector/halfvec/sparsevec, so Alembic sees them), and the
per-engine set-up of :mod:`sqlalchemy_ruvector.engine_setup`.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.postgresql.psycopg import (
    PGDialect_psycopg,
    PGDialectAsync_psycopg,
    PGExecutionContext_psycopg,
)
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.engine.url import URL

from ._sa_internals import result_column_types
from .capabilities import DOCUMENTED, Capabilities
from .engine_setup import install_engine
from .types import VectorType
from .vector_types import column_classes

__all__ = ["VECTOR_ISCHEMA_NAMES", "RuVectorDialect_psycopg", "RuVectorDialect_psycopg_async"]

#: Reflection names of the vector types (those of vector_types.VECTOR_TYPES reflected).
VECTOR_ISCHEMA_NAMES: Final[dict[str, Any]] = column_classes()


#: Result types whose psycopg binary loaders give exactly what the text ones give.
#: Strings are absent on purpose: a String-mapped enum or citext column would come
#: back as bytes in binary mode; dates and times differ in their tzinfo objects.
_BINARY_SAFE_RESULTS: Final = (
    VectorType,
    sqltypes.Integer,
    sqltypes.Numeric,
    sqltypes.Boolean,
    sqltypes.LargeBinary,
    sqltypes.Uuid,
)


class RuVectorExecutionContext(PGExecutionContext_psycopg):
    """Fetches vector results over the binary protocol when every result column is
    of a type whose binary loading matches text loading (the common ``id, embedding``
    shape, ORM or Core); any other statement keeps psycopg's text results. Turn it
    off with the execution option ``ruvector_binary_results=False``."""

    def create_default_cursor(self) -> DBAPICursor:
        if self._binary_results():
            cursor: DBAPICursor = self.root_connection.connection.cursor(binary=True)
            return cursor
        return super().create_default_cursor()

    def _binary_results(self) -> bool:
        if not self.execution_options.get("ruvector_binary_results", True):
            return False
        types = result_column_types(self.compiled)
        if not types:
            return False
        return any(isinstance(t, VectorType) for t in types) and all(
            isinstance(t, _BINARY_SAFE_RESULTS) for t in types
        )


class _RuVectorDialectMixin:
    ruvector_capabilities: Capabilities = DOCUMENTED
    ischema_names = {**PGDialect.ischema_names, **VECTOR_ISCHEMA_NAMES}

    @classmethod
    def engine_created(cls, engine: Engine) -> None:
        install_engine(engine)

    @classmethod
    def get_async_dialect_cls(cls, url: URL) -> type[Dialect]:
        """``create_async_engine`` with either spelling, ``postgresql+ruvector`` or
        ``postgresql+ruvector_async``, gets our async dialect (the psycopg parents
        would hand back SQLAlchemy's plain one)."""
        return RuVectorDialect_psycopg_async


class RuVectorDialect_psycopg(_RuVectorDialectMixin, PGDialect_psycopg):
    """``postgresql+ruvector://``: psycopg 3, synchronous."""

    supports_statement_cache = True
    execution_ctx_cls = RuVectorExecutionContext


class RuVectorDialect_psycopg_async(_RuVectorDialectMixin, PGDialectAsync_psycopg):
    """``postgresql+ruvector_async://``: psycopg 3, asyncio."""

    supports_statement_cache = True
