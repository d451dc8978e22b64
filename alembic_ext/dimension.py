"""``op.alter_vector_dimension``: change a vector column's dimension on purpose.

A plain ``ALTER COLUMN ... TYPE ruvector(768)`` on a column holding 384-dimensional
vectors fails at upgrade time (or, on a server that does not enforce the typmod,
silently keeps vectors of the wrong size). The stored vectors belong to another
embedding model, so the migration must say what becomes of them: ``using=`` an SQL
expression that computes the new value from the old (``"ruvector_subvector(embedding,
0, 384)"``, a call to a re-embedding function, ...), or ``truncate=True`` to discard
them (set to NULL, to be re-embedded). Without either, the operation refuses to run on
a column that holds any vector, naming it, before anything changes. Indexes on the
column are rebuilt by PostgreSQL as part of the ALTER.
"""

from __future__ import annotations

import logging
from typing import Any

from alembic.operations import MigrateOperation, Operations
from sqlalchemy import text

from sqlalchemy_ruvector.errors import InvalidArgumentError, InvalidArgumentTypeError

from .errors import MigrationRefused, Refusal

__all__ = ["AlterVectorDimensionOp", "DimensionChangeRefused"]

log = logging.getLogger(__name__)


class DimensionChangeRefused(MigrationRefused):
    """The column holds vectors and the migration did not say what to do with them,
    or the column is not what the operation expects; nothing was changed.
    ``column`` is ``[schema.]table.column``."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__("alter_vector_dimension", [Refusal(column, reason)])
        self.column = column


def _check_dim(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidArgumentTypeError(
            f"alter_vector_dimension: {name} must be a positive int or None, got {value!r}",
            argument=name,
            value=value,
        )


@Operations.register_operation("alter_vector_dimension")
class AlterVectorDimensionOp(MigrateOperation):
    """``table.column`` from ``type(from_dim)`` to ``type(to_dim)``, same vector type."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        from_dim: int | None,
        to_dim: int | None,
        *,
        using: str | None = None,
        truncate: bool = False,
        schema: str | None = None,
    ) -> None:
        _check_dim("from_dim", from_dim)
        _check_dim("to_dim", to_dim)
        if using is not None and truncate:
            raise InvalidArgumentError(
                f"alter_vector_dimension({table_name}.{column_name}): give using= or "
                "truncate=True, not both",
                argument="using",
                value=using,
            )
        self.table_name = table_name
        self.column_name = column_name
        self.from_dim = from_dim
        self.to_dim = to_dim
        self.using = using
        self.truncate = truncate
        self.schema = schema

    @classmethod
    def alter_vector_dimension(
        cls,
        operations: Operations,
        table_name: str,
        column_name: str,
        from_dim: int | None,
        to_dim: int | None,
        *,
        using: str | None = None,
        truncate: bool = False,
        schema: str | None = None,
    ) -> None:
        """Change ``table_name.column_name`` from ``from_dim`` to ``to_dim`` dimensions
        (its vector type stays). On a column holding vectors, say how to convert them:
        ``using="<SQL expression>"`` (the new value, may refer to the column), or
        ``truncate=True`` to discard them (set to NULL; refused on a NOT NULL column).
        Otherwise it refuses, before changing anything."""
        operations.invoke(
            cls(
                table_name,
                column_name,
                from_dim,
                to_dim,
                using=using,
                truncate=truncate,
                schema=schema,
            )
        )

    def reverse(self) -> AlterVectorDimensionOp:
        # A using= expression is one-way; the way back must be told again (or truncate).
        return AlterVectorDimensionOp(
            self.table_name,
            self.column_name,
            self.to_dim,
            self.from_dim,
            truncate=self.truncate,
            schema=self.schema,
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return (
            "alter_vector_dimension",
            self.schema,
            self.table_name,
            self.column_name,
            self.from_dim,
            self.to_dim,
        )

    @property
    def qualified_column(self) -> str:
        table = f"{self.schema}.{self.table_name}" if self.schema else self.table_name
        return f"{table}.{self.column_name}"

    def __repr__(self) -> str:
        return (
            f"AlterVectorDimensionOp({self.qualified_column!r}, {self.from_dim!r} -> "
            f"{self.to_dim!r}, using={self.using!r}, truncate={self.truncate!r})"
        )


_COLUMN_QUERY = text(
    """
SELECT t.typname, a.atttypmod, a.attnotnull
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
 WHERE n.nspname = coalesce(:schema, current_schema())
   AND c.relname = :table AND a.attname = :column
   AND a.attnum > 0 AND NOT a.attisdropped
"""
)


def _type_sql(typname: str, dim: int | None, quote: Any = str) -> str:
    name = quote(typname)
    return name if dim is None else f"{name}({dim})"


@Operations.implementation_for(AlterVectorDimensionOp)
def alter_vector_dimension(operations: Operations, op: AlterVectorDimensionOp) -> None:
    context = operations.get_context()
    dialect = context.dialect
    preparer = dialect.identifier_preparer
    table = preparer.quote(op.table_name)
    if op.schema:
        table = f"{preparer.quote_schema(op.schema)}.{table}"
    column = preparer.quote(op.column_name)
    where = op.qualified_column

    if context.as_sql:
        # Offline: the type name cannot be read; ruvector is the only one we alter
        # offline, and the emptiness check moves into the script itself.
        typname = "ruvector"
        if op.using is None and not op.truncate:
            operations.execute(
                "DO $$ BEGIN IF EXISTS (SELECT FROM "
                f"{table} WHERE {column} IS NOT NULL) THEN RAISE EXCEPTION "
                "'alter_vector_dimension: "
                + where.replace("'", "''")
                + " holds vectors; give using= or truncate=True'; END IF; END $$"
            )
    else:
        bind = operations.get_bind()
        row = bind.execute(
            _COLUMN_QUERY,
            {"schema": op.schema, "table": op.table_name, "column": op.column_name},
        ).first()
        if row is None:
            raise DimensionChangeRefused(where, "no such column")
        typname, typmod, not_null = row
        current = None if typmod is None or typmod < 0 else int(typmod)
        if current != op.from_dim:
            raise DimensionChangeRefused(
                where,
                f"is {_type_sql(typname, current)}, not {_type_sql(typname, op.from_dim)} "
                "as the migration expects",
            )
        if op.truncate and not_null:
            raise DimensionChangeRefused(
                where,
                "is NOT NULL, so truncate=True cannot discard its vectors; give using= an "
                "expression instead",
            )
        if op.using is None and not op.truncate and op.to_dim is not None:
            holds = bind.execute(
                text(f"SELECT EXISTS (SELECT FROM {table} WHERE {column} IS NOT NULL)")
            ).scalar_one()
            if holds:
                dims = "unbounded" if op.from_dim is None else f"{op.from_dim}-dimensional"
                raise DimensionChangeRefused(
                    where,
                    f"holds {dims} vectors, which {_type_sql(typname, op.to_dim)} cannot hold; "
                    "say how to convert them with using='<SQL expression>' or discard them "
                    "with truncate=True",
                )
    new_type = _type_sql(typname, op.to_dim, preparer.quote)
    statement = f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {new_type}"
    if op.truncate:
        statement += f" USING NULL::{new_type}"
    elif op.using is not None:
        statement += f" USING ({op.using})"
    log.info("alter_vector_dimension: %s -> %s", where, new_type)
    operations.execute(statement)
