"""Catalog dumps and data checksums, to compare a table before and after (not eyeballed)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Database

CATALOG = """
SELECT json_build_object(
  'table_comment', obj_description(c.oid, 'pg_class'),
  'columns', (SELECT json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod),
                                               a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                                               col_description(c.oid, a.attnum)) ORDER BY a.attnum)
                FROM pg_attribute a
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
  'indexes', (SELECT json_agg(json_build_array(ic.relname, am.amname,
                     ARRAY(SELECT o.opcname FROM unnest(i.indclass::oid[]) u(oid)
                             JOIN pg_opclass o ON o.oid = u.oid),
                     ic.reloptions, pg_get_expr(i.indpred, i.indrelid, true),
                     obj_description(ic.oid, 'pg_class'), i.indisvalid,
                     pg_get_indexdef(i.indexrelid)) ORDER BY ic.relname)
                FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid = c.oid))
  FROM pg_class c WHERE c.oid = %s::regclass
"""


def catalog(db: Database, table: str) -> dict[str, Any]:
    """Columns (type, NOT NULL, default, comment) and indexes (AM, opclasses,
    reloptions, predicate, comment, validity, definition) of ``table``."""
    with db.connect() as conn:
        row = conn.execute(CATALOG, (table,)).fetchone()
    assert row is not None
    result: dict[str, Any] = row[0]
    return result


def checksum(db: Database, table: str, key: str = "id") -> tuple[int, str]:
    """Row count and an md5 of every row's text (vectors print the same on both types
    here: the compat layer's ruvector output is pgvector's)."""
    with db.connect() as conn:
        row = conn.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY {key}), ''))"
            f" FROM {table} t"
        ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


def without_types(dump: dict[str, Any]) -> dict[str, Any]:
    """The dump with index AM/opclass/definition and column types masked, to compare
    what must not change across a migration."""
    columns = [[c[0], None, *c[2:]] for c in dump["columns"]]
    indexes = [[i[0], None, None, i[3], i[4], i[5], i[6], None] for i in dump["indexes"] or []]
    return {"table_comment": dump["table_comment"], "columns": columns, "indexes": indexes}
