"""What a vector index *is*, for comparison: method, opclass and WITH parameters.

Alembic's PostgreSQL comparison looks only at columns, uniqueness and expressions, so
an index whose access method, opclass or ``WITH`` parameters changed goes unnoticed.
Here both sides are reduced to an :class:`IndexShape`: the model side from
``VectorIndex`` or a plain ``Index`` with ``postgresql_using``/``_ops``/``_with``,
the database side from ``pg_index``/``pg_am``/``pg_opclass``/``pg_class.reloptions``
(read directly: reflection of opclasses and reloptions varies across SQLAlchemy
versions). The method is compared abstractly (``ruhnsw`` and ``hnsw`` are both HNSW,
as the server names it), the opclass with the type's default filled in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Index, text
from sqlalchemy.engine import Connection

from sqlalchemy_ruvector import VectorIndex
from sqlalchemy_ruvector.errors import RuVectorError
from sqlalchemy_ruvector.metrics import (
    default_opclass,
    method_of_access_method,
    opclass_name,
    parse_opclass,
    translate_opclass,
)

__all__ = ["IndexShape", "database_shapes", "model_shape"]


@dataclass(frozen=True)
class IndexShape:
    """One single-column vector index. ``method`` is abstract (``hnsw``/``ivfflat``),
    ``access_method`` the name as written or stored, ``opclass`` resolved (None when
    it cannot be: no default exists), ``params`` as sorted ``(name, text)`` pairs."""

    name: str
    column: str
    sql_type: str | None
    method: str
    access_method: str
    opclass: str | None
    params: tuple[tuple[str, str], ...]

    def same_as(self, other: IndexShape) -> bool:
        return (
            self.column == other.column
            and self.method == other.method
            and self.opclass == other.opclass
            and self.params == other.params
        )

    @property
    def metric(self) -> str | None:
        """The metric of the opclass, None for an opclass outside our vocabulary."""
        if self.opclass is None:
            return None
        try:
            return parse_opclass(self.opclass).metric
        except RuVectorError:
            return None

    @property
    def typed_params(self) -> dict[str, Any]:
        """Parameters as a call would write them: digits as ints."""
        return {k: int(v) if v.isdigit() else v for k, v in self.params}

    def mapped_to(self, sql_type: str) -> IndexShape:
        """This index as ``migrate_to_ruvector``/``_pgvector`` will carry it over to a
        column of ``sql_type``; raises UnmappableIndexError where it would refuse."""
        if self.sql_type is None or self.sql_type == sql_type:
            return self
        opclass = translate_opclass(
            self.opclass, source_type=self.sql_type, target_type=sql_type, method=self.method
        )
        return IndexShape(
            self.name,
            self.column,
            sql_type,
            self.method,
            self.access_method,
            opclass,
            self.params,
        )


def _params(values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v).lower()) for k, v in values.items()))


def model_shape(index: Index) -> IndexShape | None:
    """The shape of a metadata index, None when it is not a one-column vector index."""
    columns = list(index.columns)
    if len(columns) != 1 or len(index.expressions) != 1 or index.name is None:
        return None
    column = columns[0]
    sql_type: str | None = getattr(column.type, "sql_name", None)
    if isinstance(index, VectorIndex):
        if sql_type is None:
            return None
        return IndexShape(
            str(index.name),
            column.name,
            sql_type,
            index.vector_method,
            index.vector_method,
            opclass_name(sql_type, index.vector_metric),
            _params(index.vector_params),
        )
    options = index.dialect_options["postgresql"]
    if options.get("where") is not None or options.get("include"):
        return None  # partial / covering: compared by Alembic, as the catalog side skips them
    access_method = options.get("using")
    method = method_of_access_method(access_method) if access_method else None
    if method is None:
        return None
    ops: Mapping[str, str] = options.get("ops") or {}
    opclass = ops.get(column.name) or ops.get(column.key)
    if opclass is None and sql_type is not None:
        opclass = default_opclass(sql_type, method)
    return IndexShape(
        str(index.name),
        column.name,
        sql_type,
        method,
        str(access_method),
        opclass,
        _params(options.get("with") or {}),
    )


_INDEX_QUERY = text(
    """
SELECT i.relname, am.amname, x.indexprs IS NOT NULL OR x.indpred IS NOT NULL,
       x.indnatts, coalesce(i.reloptions, '{}'),
       (SELECT array_agg(a.attname::text ORDER BY k.n)
          FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum),
       (SELECT array_agg(t.typname::text ORDER BY k.n)
          FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
          JOIN pg_type t ON t.oid = a.atttypid),
       (SELECT array_agg(o.opcname::text ORDER BY k.n)
          FROM unnest(x.indclass::oid[]) WITH ORDINALITY AS k(oid, n)
          JOIN pg_opclass o ON o.oid = k.oid)
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_am am ON am.oid = i.relam
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname = :table AND n.nspname = coalesce(:schema, current_schema())
"""
)


def _reloptions(options: Sequence[str]) -> tuple[tuple[str, str], ...]:
    pairs = (option.partition("=") for option in options)
    return tuple(sorted((k, v.lower()) for k, _, v in pairs))


def database_shapes(
    connection: Connection, schema: str | None, table: str
) -> dict[str, IndexShape]:
    """Shapes of the table's one-column, non-expression, non-partial vector indexes,
    by name (read from the catalogs; every value bound)."""
    shapes: dict[str, IndexShape] = {}
    rows = connection.execute(_INDEX_QUERY, {"table": table, "schema": schema})
    for name, amname, special, natts, reloptions, columns, types, opclasses in rows:
        method = method_of_access_method(amname)
        if method is None or special or natts != 1 or not columns or not opclasses:
            continue
        shapes[name] = IndexShape(
            name, columns[0], types[0], method, amname, opclasses[0], _reloptions(reloptions)
        )
    return shapes
