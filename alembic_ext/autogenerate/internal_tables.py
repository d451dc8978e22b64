"""Tables ruvector's own functions create, kept out of autogenerate.

ruvector's graph and RDF functions create ordinary tables in the caller's schema on
first use (``_ruvector_graphs``, ``_ruvector_nodes``, ``_ruvector_edges``,
``_ruvector_rdf_stores``, ``_ruvector_triples``). They are not extension members, so
Alembic would offer to drop them. The comparator drops those operations by default;
:func:`include_object` is the same rule for an ``env.py`` that filters itself.
"""

from __future__ import annotations

from typing import Any, Final

from alembic.autogenerate.api import AutogenContext
from alembic.operations import MigrateOperation, ops

__all__ = [
    "INTERNAL_TABLE_PREFIX",
    "drop_internal_table_ops",
    "include_object",
    "is_internal_table",
]

INTERNAL_TABLE_PREFIX: Final = "_ruvector_"


def is_internal_table(name: str | None) -> bool:
    """Whether ``name`` is a table ruvector's functions create."""
    return bool(name) and str(name).startswith(INTERNAL_TABLE_PREFIX)


def include_object(
    object_: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """``context.configure(include_object=alembic_ext.include_object)``: leave out
    ruvector's internal tables (and their indexes, constraints and columns) when
    they exist only in the database."""
    if not reflected or compare_to is not None:
        return True
    table = object_ if type_ == "table" else getattr(object_, "table", None)
    table_name = name if type_ == "table" else getattr(table, "name", None)
    return not is_internal_table(table_name)


def _modelled(autogen_context: AutogenContext, schema: str | None, name: str) -> bool:
    key = f"{schema}.{name}" if schema else name
    return key in autogen_context.table_key_to_table


def drop_internal_table_ops(autogen_context: AutogenContext, upgrade_ops: ops.UpgradeOps) -> None:
    """Remove operations on ``_ruvector_*`` tables that the model does not declare."""
    if autogen_context.metadata is None:
        return

    def keep(op: MigrateOperation) -> bool:
        name = getattr(op, "table_name", None)
        if not isinstance(op, (ops.ModifyTableOps, ops.DropTableOp)) or not is_internal_table(name):
            return True
        return _modelled(autogen_context, getattr(op, "schema", None), str(name))

    upgrade_ops.ops[:] = [op for op in upgrade_ops.ops if keep(op)]
