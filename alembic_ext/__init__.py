"""Alembic operations that move pgvector columns and indexes to ruvector (and back),
validate the result, and manage the extension and vector indexes.

``import alembic_ext`` in ``env.py`` registers everything: the operations
(``op.migrate_to_ruvector``, ``op.create_vector_index``, ``op.alter_vector_dimension``,
...) with their implementations and renderers, and the autogenerate comparators
(vector indexes compared by method, opclass and WITH parameters; vector type changes
as those operations; ruvector's internal ``_ruvector_*`` tables left out). Nothing
else is patched. On Alembic >= 1.18 the package is also the plugin ``alembic_ext``
(:mod:`alembic_ext.plugin`).
"""

from . import dimension, impl, ops, tenancy
from .autogenerate import include_object, register, render_item
from .dimension import AlterVectorDimensionOp, DimensionChangeRefused
from .errors import ExtensionConflict, LockBusy, MigrationRefused, Refusal, ValidationMismatch

register()

__all__ = [
    "AlterVectorDimensionOp",
    "DimensionChangeRefused",
    "ExtensionConflict",
    "LockBusy",
    "MigrationRefused",
    "Refusal",
    "ValidationMismatch",
    "dimension",
    "impl",
    "include_object",
    "ops",
    "render_item",
    "tenancy",
]
