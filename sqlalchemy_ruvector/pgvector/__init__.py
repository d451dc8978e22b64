"""pgvector-python's import surface on ruvector: replace ``pgvector`` by
``sqlalchemy_ruvector.pgvector`` in the imports, keep the code.

``from sqlalchemy_ruvector.pgvector import Vector, HalfVector, SparseVector, Bit``
gives pgvector-python's value classes; ``sqlalchemy_ruvector.pgvector.sqlalchemy``
its SQLAlchemy types (``Vector(3)`` is a ``ruvector(3)`` column). What differs from
pgvector-python is listed in the README, "Coming from pgvector-python".
"""

from .values import Bit, HalfVector, SparseVector, Vector

__all__ = ["Bit", "HalfVector", "SparseVector", "Vector"]
