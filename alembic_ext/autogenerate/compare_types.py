"""Vector column type changes as explicit operations instead of a bare ``alter_column``.

Alembic sees ``vector(384)`` -> ``ruvector(384)`` or ``ruvector(384)`` ->
``ruvector(768)`` as a type change and writes ``op.alter_column(type_=...)``: an ALTER
with no ``USING``, no index mapping, which fails at upgrade time (or loses the HNSW
index's opclass). Here those ``AlterColumnOp`` type changes become
``op.migrate_to_ruvector`` / ``op.migrate_to_pgvector`` (which carry the indexes over)
and ``op.alter_vector_dimension`` (which refuses to drop data silently). Any other
change on the same column (nullable, comment, ...) stays in the ``alter_column``.
"""

from __future__ import annotations

from alembic.operations import MigrateOperation, ops

from sqlalchemy_ruvector.types import VectorType

from ..dimension import AlterVectorDimensionOp
from ..ops import MigrateToPgVectorOp, MigrateToRuVectorOp

__all__ = ["rewrite_type_changes"]

#: (from SQL type, to SQL type) -> operation class moving a column between them.
_MIGRATIONS: dict[tuple[str, str], type[MigrateToRuVectorOp] | type[MigrateToPgVectorOp]] = {
    ("vector", "ruvector"): MigrateToRuVectorOp,
    ("ruvector", "vector"): MigrateToPgVectorOp,
}


def _replacement(op: ops.AlterColumnOp) -> tuple[list[MigrateOperation], str] | None:
    """Our operations for ``op``'s type change (a move to the other extension's type,
    then a dimension change, either or both) and the column's SQL type afterwards."""
    old, new = op.existing_type, op.modify_type
    if not (isinstance(old, VectorType) and isinstance(new, VectorType)):
        return None
    table, column, schema = op.table_name, op.column_name, op.schema
    replacement: list[MigrateOperation] = []
    if old.sql_name != new.sql_name:
        migration = _MIGRATIONS.get((old.sql_name, new.sql_name))
        if migration is None:
            return None  # e.g. vector -> halfvec: left to alter_column, as Alembic wrote it
        replacement.append(migration(table, column, schema=schema))
    if old.dim != new.dim:
        replacement.append(AlterVectorDimensionOp(table, column, old.dim, new.dim, schema=schema))
    return (replacement, new.sql_name) if replacement else None


def rewrite_type_changes(modify_table_ops: ops.ModifyTableOps) -> dict[str, str]:
    """Replace vector type changes in ``modify_table_ops`` in place; returns the
    columns moved to another vector type, with their new SQL type."""
    migrated: dict[str, str] = {}
    rewritten: list[MigrateOperation] = []
    for op in modify_table_ops.ops:
        found = _replacement(op) if isinstance(op, ops.AlterColumnOp) else None
        if found is None:
            rewritten.append(op)
            continue
        assert isinstance(op, ops.AlterColumnOp)
        replacement, new_type = found
        rewritten += replacement
        if not all(isinstance(r, AlterVectorDimensionOp) for r in replacement):
            migrated[op.column_name] = new_type
        # Other changes on the column stay in the alter_column, which runs after our
        # operations on upgrade and before them on downgrade: the new type is "existing".
        op.existing_type, op.modify_type = op.modify_type, None
        if op.has_changes():  # nullable / comment / default changed too
            rewritten.append(op)
    modify_table_ops.ops[:] = rewritten
    return migrated
