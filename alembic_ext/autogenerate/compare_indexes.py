"""Vector indexes in autogenerate: compared by method, opclass and WITH parameters,
written in ``VectorIndex``'s vocabulary.

After Alembic's own comparison (which cannot see USING/WITH/opclass changes), each
table's index operations are reworked:

* a ``VectorIndex`` to create becomes ``op.create_vector_index(...)`` (Alembic's
  ``create_index`` would build a btree on the vector column); a vector index to drop
  becomes ``op.drop_vector_index(...)`` read back from the catalogs, so the downgrade
  recreates it exactly;
* an index present on both sides whose shape differs (``ef_construction`` 64 -> 100,
  cosine -> l2, ivfflat -> hnsw) becomes a drop + create of that index only;
* on a column that ``migrate_to_ruvector``/``_pgvector`` moves, the database's index
  is compared as the migration will carry it over, so an unchanged model index yields
  no operation and a changed one is dropped before the move and created after it.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate.api import AutogenContext
from alembic.operations import MigrateOperation, ops
from sqlalchemy import Index
from sqlalchemy.schema import Table

from sqlalchemy_ruvector import VectorIndex
from sqlalchemy_ruvector.errors import UnmappableIndexError
from sqlalchemy_ruvector.indexes import METRICS as VECTOR_INDEX_METRICS

from ..ops import CreateVectorIndexOp, DropVectorIndexOp
from .index_shapes import IndexShape, database_shapes, model_shape

__all__ = ["rewrite_index_ops"]


def _drop(shape: IndexShape, table: str, schema: str | None) -> MigrateOperation:
    metric = shape.metric
    if metric in VECTOR_INDEX_METRICS:
        return DropVectorIndexOp(
            shape.name,
            table,
            shape.column,
            method=shape.method,
            metric=metric,
            schema=schema,
            **shape.typed_params,
        )
    # Outside VectorIndex's vocabulary (an l1 or bit opclass): Alembic's own drop,
    # carrying what its reverse needs to recreate the index as the catalog has it.
    options: dict[str, Any] = {
        "postgresql_using": shape.access_method,
        "postgresql_ops": {shape.column: shape.opclass},
    }
    if shape.params:
        options["postgresql_with"] = shape.typed_params
    create = ops.CreateIndexOp(shape.name, table, [shape.column], schema=schema, **options)
    return ops.DropIndexOp(shape.name, table, schema=schema, _reverse=create, **options)


def _create(index: Index, shape: IndexShape, table: str, schema: str | None) -> MigrateOperation:
    if isinstance(index, VectorIndex):
        return CreateVectorIndexOp(
            shape.name,
            table,
            shape.column,
            method=index.vector_method,
            metric=index.vector_metric,
            schema=schema,
            concurrently=bool(index.dialect_options["postgresql"]["concurrently"]),
            **index.vector_params,
        )
    return ops.CreateIndexOp.from_index(index)


def _as_migrated(shape: IndexShape, migrated: dict[str, str]) -> IndexShape | None:
    """The database index as it will be once its column has moved; None if the
    migration could not carry it (it must then be dropped before the move)."""
    target = migrated.get(shape.column)
    if target is None:
        return shape
    try:
        return shape.mapped_to(target)
    except UnmappableIndexError:
        return None


def rewrite_index_ops(
    autogen_context: AutogenContext,
    modify_table_ops: ops.ModifyTableOps,
    schema: str | None,
    table: str,
    conn_table: Table | None,
    metadata_table: Table | None,
    migrated: dict[str, str],
) -> None:
    """Rework ``modify_table_ops`` in place: vector index drops first, then the
    other operations in Alembic's order, then vector index creates."""
    model: dict[str, tuple[Index, IndexShape]] = {}
    if metadata_table is not None:
        for index in metadata_table.indexes:
            shape = model_shape(index)
            if shape is not None:
                model[shape.name] = (index, shape)
    database: dict[str, IndexShape] = {}
    connection: Any = autogen_context.connection
    if conn_table is not None and connection is not None:
        database = database_shapes(connection, schema, table)
    if not model and not database:
        return

    drops: list[MigrateOperation] = []
    creates: list[MigrateOperation] = []
    rest: list[MigrateOperation] = []
    handled: set[str] = set()
    for op in modify_table_ops.ops:
        name = str(getattr(op, "index_name", ""))
        if isinstance(op, ops.CreateIndexOp) and name in model:
            index, shape = model[name]
            creates.append(_create(index, shape, table, schema))
            handled.add(name)
        elif isinstance(op, ops.DropIndexOp) and name in database:
            drops.append(_drop(database[name], table, schema))
            handled.add(name)
        else:
            rest.append(op)

    for name in sorted(model.keys() & database.keys() - handled):
        index, wanted = model[name]
        if not autogen_context.run_object_filters(index, name, "index", False, None):
            continue
        current = _as_migrated(database[name], migrated)
        if current is not None and wanted.same_as(current):
            continue
        drops.append(_drop(database[name], table, schema))
        creates.append(_create(index, wanted, table, schema))

    modify_table_ops.ops[:] = drops + rest + creates
