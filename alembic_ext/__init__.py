"""Alembic operations and autogenerate hooks that move pgvector columns and indexes
to ruvector (in place, or online through a shadow column), validate, and roll back.

The operations arrive with their own issue; this package currently ships only its
name and typing marker, so that the distribution's layout is stable.
"""

from . import tenancy

__all__ = ["tenancy"]
