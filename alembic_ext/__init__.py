"""Alembic operations that move pgvector columns and indexes to ruvector (and back),
validate the result, and manage the extension and vector indexes.

``import alembic_ext`` in ``env.py`` registers the operations (``op.migrate_to_ruvector``,
``op.create_vector_index``, ...) and their implementations, and the tenant-isolation
operations and comparator of :mod:`alembic_ext.tenancy`; importing does nothing else.
"""

from . import impl, ops, tenancy
from .errors import ExtensionConflict, LockBusy, MigrationRefused, Refusal, ValidationMismatch

__all__ = [
    "ExtensionConflict",
    "LockBusy",
    "MigrationRefused",
    "Refusal",
    "ValidationMismatch",
    "impl",
    "ops",
    "tenancy",
]
