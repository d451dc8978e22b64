"""Reflection names on plain ``postgresql`` engines, registered at import.

pgvector-python registers ``vector``/``halfvec``/``sparsevec`` in the PostgreSQL
dialect's ``ischema_names`` when it is imported, so ``inspect()``, ``reflect()`` and
``automap`` see vector columns on a plain ``postgresql+psycopg`` engine. Importing
``sqlalchemy_ruvector`` does the same for ``ruvector`` (and for ``halfvec`` /
``sparsevec`` unless another library registered them first); nothing else is changed.
Our dialects and the plugin carry their own copies of these names.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import base as pg_base

from .vector_types import VECTOR_TYPES, Reflection

__all__ = ["register_reflection_names"]


def register_reflection_names() -> None:
    names = pg_base.ischema_names
    for spec in VECTOR_TYPES:
        if spec.reflection is Reflection.EVERYWHERE:
            names[spec.sql_name] = spec.column_class()
        elif spec.reflection is Reflection.SHARED:
            names.setdefault(spec.sql_name, spec.column_class())
