"""Reflect a table's vector columns, the indexes on them (access method, opclass,
reloptions, predicate, INCLUDE, expressions) and the objects that depend on them.

All of it from the system catalogs in a few parameterised queries; nothing here
decides anything (that is :mod:`alembic_ext.plan`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy_ruvector.vector_types import vector_type

from ._db import Db
from .errors import MigrationRefused, Refusal
from .facts import ColumnFacts, DependentFacts, IndexFacts, IndexKey, TableFacts

__all__ = ["current_schema", "dims_expression", "reflect_table", "stored_dims", "vector_tables"]

_TABLE: Final = """
SELECT c.oid, c.relkind, n.nspname,
       EXISTS (SELECT FROM pg_inherits WHERE inhrelid = c.oid OR inhparent = c.oid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = %(schema)s AND c.relname = %(table)s
"""

_COLUMNS: Final = """
SELECT a.attnum, a.attname, t.typname, e.extname,
       CASE WHEN a.atttypmod > 0 AND e.extname IS NOT NULL THEN a.atttypmod END,
       a.attnotnull, pg_get_expr(d.adbin, d.adrelid), col_description(a.attrelid, a.attnum),
       a.attgenerated <> ''
  FROM pg_attribute a
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_depend x ON x.classid = 'pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e'
  LEFT JOIN pg_extension e ON e.oid = x.refobjid
 WHERE a.attrelid = %(oid)s AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum
"""

_INDEXES: Final = """
SELECT ic.relname, am.amname, i.indisunique, i.indisprimary, i.indisvalid, i.indnkeyatts,
       i.indkey::int2[],
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
               FROM generate_series(1, i.indnatts) k ORDER BY k),
       ARRAY(SELECT o.opcname::text FROM unnest(i.indclass::oid[]) WITH ORDINALITY u(oid, k)
               JOIN pg_opclass o ON o.oid = u.oid ORDER BY u.k),
       pg_get_expr(i.indpred, i.indrelid, true),
       coalesce(ic.reloptions, '{}'),
       obj_description(i.indexrelid, 'pg_class'),
       ts.spcname,
       ARRAY(SELECT a.attname::text FROM pg_depend d
               JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                AND d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid
                AND d.refobjsubid > 0),
       pg_get_indexdef(i.indexrelid)
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
 WHERE i.indrelid = %(oid)s
 ORDER BY ic.relname
"""

# Objects depending on a column of the table, other than its own indexes and the
# column's own default; each named for a human.
_DEPENDENTS: Final = """
SELECT a.attname,
       CASE WHEN d.classid = 'pg_rewrite'::regclass THEN
                CASE (SELECT c.relkind FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
                       WHERE r.oid = d.objid)
                     WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'rule' END
            WHEN d.classid = 'pg_attrdef'::regclass THEN
                CASE WHEN (SELECT b.attgenerated <> '' FROM pg_attrdef ad
                             JOIN pg_attribute b ON b.attrelid = ad.adrelid AND b.attnum = ad.adnum
                            WHERE ad.oid = d.objid)
                     THEN 'generated column' ELSE 'column default' END
            ELSE (pg_identify_object(d.classid, d.objid, d.objsubid)).type END,
       CASE WHEN d.classid = 'pg_rewrite'::regclass THEN
                (SELECT r.ev_class::regclass::text FROM pg_rewrite r WHERE r.oid = d.objid)
            ELSE (pg_identify_object(d.classid, d.objid, d.objsubid)).identity END
  FROM pg_depend d
  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
 WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = %(oid)s AND d.refobjsubid > 0
   AND d.deptype IN ('n', 'a')
   AND NOT (d.classid = 'pg_class'::regclass
            AND d.objid IN (SELECT indexrelid FROM pg_index WHERE indrelid = %(oid)s))
   AND NOT (d.classid = 'pg_attrdef'::regclass
            AND d.objid IN (SELECT oid FROM pg_attrdef
                             WHERE adrelid = %(oid)s AND adnum = d.refobjsubid))
   AND NOT (d.classid = 'pg_constraint'::regclass
            AND d.objid IN (SELECT oid FROM pg_constraint
                             WHERE conrelid = %(oid)s AND contype IN ('p', 'u', 'n')))
 ORDER BY 1, 2, 3
"""

_KEY: Final = """
SELECT ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(n, k)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n ORDER BY u.k)
  FROM pg_index i
 WHERE i.indrelid = %(oid)s AND i.indisunique AND i.indisvalid AND i.indpred IS NULL
   AND i.indexprs IS NULL
   AND NOT EXISTS (SELECT FROM unnest(i.indkey::int2[]) u(n)
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n
                    WHERE NOT a.attnotnull)
 ORDER BY i.indisprimary DESC, i.indnatts, i.indexrelid
 LIMIT 1
"""


def current_schema(db: Db) -> str:
    schema: str = db.scalar("SELECT current_schema()")
    return schema


def reflect_table(db: Db, table: str, schema: str | None = None) -> TableFacts:
    """Everything :func:`alembic_ext.plan.plan_migration` needs about ``table``.

    An unknown table raises :class:`MigrationRefused` naming it."""
    schema = schema or current_schema(db)
    row = db.rows(_TABLE, {"schema": schema, "table": table})
    if not row:
        raise MigrationRefused(
            f"table {schema}.{table}",
            [Refusal(f"{schema}.{table}", f"no table {table!r} in schema {schema!r}")],
        )
    oid, relkind, nspname, inherited = row[0]
    params: Mapping[str, Any] = {"oid": oid}
    columns = tuple(
        ColumnFacts(
            name=r[1],
            attnum=int(r[0]),
            type_name=r[2],
            extension=r[3],
            dims=None if r[4] is None else int(r[4]),
            not_null=bool(r[5]),
            default=r[6],
            comment=r[7],
            generated=bool(r[8]),
        )
        for r in db.rows(_COLUMNS, params)
    )
    by_num = {c.attnum: c.name for c in columns}
    indexes = tuple(_index(r, by_num) for r in db.rows(_INDEXES, params))
    dependents = tuple(
        DependentFacts(kind=r[1], name=r[2], column=r[0]) for r in db.rows(_DEPENDENTS, params)
    )
    key = db.rows(_KEY, params)
    return TableFacts(
        schema=nspname,
        name=table,
        relkind=relkind,
        columns=columns,
        indexes=indexes,
        dependents=dependents,
        key_columns=tuple(key[0][0]) if key else (),
        inherited=bool(inherited),
    )


def _index(r: Any, by_num: Mapping[int, str]) -> IndexFacts:
    (
        name,
        am,
        unique,
        primary,
        valid,
        nkeys,
        indkey,
        defs,
        opclasses,
        predicate,
        reloptions,
        comment,
        tablespace,
        referenced,
        definition,
    ) = r
    keys = []
    for k in range(int(nkeys)):
        attnum = int(indkey[k])
        keys.append(
            IndexKey(
                column=by_num.get(attnum) if attnum else None,
                expression=None if attnum else defs[k],
                opclass=opclasses[k] if k < len(opclasses) else None,
            )
        )
    include = tuple(by_num.get(int(n), "?") for n in list(indkey)[int(nkeys) :])
    return IndexFacts(
        name=name,
        access_method=am,
        keys=tuple(keys),
        include=include,
        predicate=predicate,
        reloptions=tuple(reloptions),
        unique=bool(unique),
        primary=bool(primary),
        valid=bool(valid),
        comment=comment,
        tablespace=tablespace,
        columns=frozenset(referenced),
        definition=definition,
    )


def dims_expression(type_name: str, expr: str) -> str | None:
    """SQL giving the dimension of the value ``expr`` (already quoted) of vector type
    ``type_name``: the type's dims function from the registry (``vector_dims`` covers
    vector and halfvec, ``ruvector_dims`` ruvector); sparse types have none in pgvector
    0.8, so their dimension is read from the text form ``{i:v,...}/dims``. None for a
    type that is not a vector type."""
    spec = vector_type(type_name)
    if spec is None:
        return None
    function = spec.functions.get("dims")
    if function is not None:
        return f"{function}({expr})"
    if spec.storage == "sparse":
        return f"split_part({expr}::text, '/', 2)::int"
    return None


def stored_dims(db: Db, facts: TableFacts, column: str) -> dict[int, int]:
    """Dimensions actually stored in ``column`` -> row count (for unbounded columns);
    empty for a column that is not of a vector type with a dimension."""
    from ._sql import ident, qualified

    col = facts.column(column)
    if col is None or col.family is None:
        return {}
    dims = dims_expression(col.type_name, ident(column))
    if dims is None:
        return {}
    rows = db.rows(
        f"SELECT {dims}, count(*) FROM {qualified(facts.schema, facts.name)}"
        f" WHERE {ident(column)} IS NOT NULL GROUP BY 1 ORDER BY 1"
    )
    return {int(d): int(n) for d, n in rows}


_VECTOR_TABLES: Final = """
SELECT DISTINCT c.relname
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  JOIN pg_depend x ON x.classid = 'pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e'
  JOIN pg_extension e ON e.oid = x.refobjid
 WHERE n.nspname = %(schema)s AND a.attnum > 0 AND NOT a.attisdropped
   AND e.extname = %(extension)s
 ORDER BY 1
"""


def vector_tables(db: Db, schema: str, extension: str) -> list[str]:
    """Tables of ``schema`` with a column of a type owned by ``extension``."""
    return [r[0] for r in db.rows(_VECTOR_TABLES, {"schema": schema, "extension": extension})]
