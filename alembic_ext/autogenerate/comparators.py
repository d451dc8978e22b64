"""The two comparator functions this package adds to autogenerate.

Both run after Alembic's own comparators (priority LAST on Alembic >= 1.18; appended
after the built-ins on older versions) and rework the operations Alembic produced.
They may be registered twice, globally by ``import alembic_ext`` and through the
``alembic_ext`` plugin; a mark in each container's ``info`` makes the second call a
no-op, so nothing is emitted twice.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate.api import AutogenContext
from alembic.operations import MigrateOperation, ops
from sqlalchemy.schema import Table

from .compare_indexes import rewrite_index_ops
from .compare_types import rewrite_type_changes
from .internal_tables import drop_internal_table_ops
from .render import add_imports, ensure_renderers

__all__ = ["compare_schema", "compare_table"]

_DONE = "alembic_ext.compared"


def _first_time(container: MigrateOperation) -> bool:
    info: dict[str, Any] = container.info
    if info.get(_DONE):
        return False
    info[_DONE] = True
    return True


def compare_table(
    autogen_context: AutogenContext,
    modify_table_ops: ops.ModifyTableOps,
    schema: str | None,
    tname: str,
    conn_table: Table | None,
    metadata_table: Table | None,
) -> None:
    """Vector type changes -> our operations; vector indexes compared in full."""
    if not _first_time(modify_table_ops):
        return
    migrated = rewrite_type_changes(modify_table_ops)
    rewrite_index_ops(
        autogen_context, modify_table_ops, schema, tname, conn_table, metadata_table, migrated
    )


def compare_schema(
    autogen_context: AutogenContext, upgrade_ops: ops.UpgradeOps, schemas: Any
) -> None:
    """Leave out ruvector's internal tables; give vector-typed operations their imports."""
    if not _first_time(upgrade_ops):
        return
    drop_internal_table_ops(autogen_context, upgrade_ops)
    add_imports(upgrade_ops)
    ensure_renderers()
