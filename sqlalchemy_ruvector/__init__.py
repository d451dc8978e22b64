"""SQLAlchemy and psycopg 3 support for ruvector-postgres.

Column types (``RuVector``, ``HalfVec``, ``SparseVec``), distance comparators with
pgvector-python's names, ``VectorIndex``, search settings, and the
``postgresql+ruvector`` dialects (registered as entry points) that probe the server
and bind vectors in binary; ``hybrid_search`` (vector + full-text fusion in one
SELECT), ``tenant_context`` (row-level-security tenancy) and ``index_info`` /
``vector_indexes`` (index health). Importing this package registers nothing globally
beyond SQLAlchemy compiler hooks for our own constructs and, as pgvector-python
does for ``vector``, the reflection name ``ruvector`` on the PostgreSQL dialect.
"""

from .capabilities import Capabilities
from .codecs import BinaryLayout
from .comparator import VectorDistance
from .engine_setup import refresh_capabilities
from .health import index_info, vector_indexes
from .hybrid import hybrid_search
from .indexes import VectorIndex
from .reflection import register_reflection_names
from .search import search_settings
from .sparse_vector import SparseVector
from .tenancy import tenant_context
from .types import HalfVec, PgVector, RuVector, SparseVec
from .types.bit import BIT

__version__ = "0.1.0"

__all__ = [
    "BIT",
    "BinaryLayout",
    "Capabilities",
    "HalfVec",
    "PgVector",
    "RuVector",
    "SparseVec",
    "SparseVector",
    "VectorDistance",
    "VectorIndex",
    "hybrid_search",
    "index_info",
    "refresh_capabilities",
    "search_settings",
    "tenant_context",
    "vector_indexes",
]

register_reflection_names()
