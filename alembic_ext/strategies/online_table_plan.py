"""``shadow="table"``: the online plan when the copy goes to a new table.

The new table is made ``LIKE`` the old one (defaults, CHECK and NOT NULL constraints,
storage, compression, comments, generated columns) with the moved column retyped
while it is empty; its key and unique constraints, foreign keys and other indexes
are created at once (cheap on an empty table, kept up by the copy), and the moved
column's vector indexes are built CONCURRENTLY after the copy. At the swap the old
table is dropped and the new one takes its name, its indexes' names, its grants and
its sequences.

A table swap changes the table's OID, so what refers to the table by OID and cannot
be moved exactly is refused before anything starts (:func:`table_refusals`), each
with the way out: ``shadow="column"``, which keeps the table.
"""

from __future__ import annotations

from typing import Final

from .._db import Db
from .._sql import ident, literal, qualified
from ..errors import Refusal
from ..plan import ColumnChange, Plan
from .online_plan import IndexBuild, OnlinePlan, short_name, tag

__all__ = ["freeze_table", "table_refusals"]

_USE_COLUMN: Final = "; use shadow='column' (it keeps the table and its OID)"

#: (what, query returning the offending objects' names for table %(t)s)
_BLOCKERS: Final = (
    (
        "is used by view(s) or rule(s) {}: they would keep pointing at the old table",
        "SELECT DISTINCT r.ev_class::regclass::text FROM pg_depend d"
        " JOIN pg_rewrite r ON r.oid = d.objid WHERE d.classid = 'pg_rewrite'::regclass"
        " AND d.refclassid = 'pg_class'::regclass AND d.refobjid = %(t)s::regclass"
        " AND r.ev_class <> %(t)s::regclass",
    ),
    (
        "is referenced by foreign key(s) {}",
        "SELECT conname || ' on ' || conrelid::regclass::text FROM pg_constraint"
        " WHERE contype = 'f' AND confrelid = %(t)s::regclass",
    ),
    (
        "has trigger(s) {} of its own",
        "SELECT tgname FROM pg_trigger WHERE tgrelid = %(t)s::regclass AND NOT tgisinternal",
    ),
    (
        "has row-level security or policies ({})",
        "SELECT 'row security' FROM pg_class WHERE oid = %(t)s::regclass AND relrowsecurity"
        " UNION ALL SELECT polname FROM pg_policy WHERE polrelid = %(t)s::regclass",
    ),
    (
        "is in publication(s) {}",
        "SELECT p.pubname FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid"
        " WHERE r.prrelid = %(t)s::regclass",
    ),
    (
        "has identity column(s) {}",
        "SELECT attname FROM pg_attribute WHERE attrelid = %(t)s::regclass AND attnum > 0"
        " AND NOT attisdropped AND attidentity <> ''",
    ),
    (
        "has column-level privileges on {}",
        "SELECT attname FROM pg_attribute WHERE attrelid = %(t)s::regclass AND attnum > 0"
        " AND NOT attisdropped AND attacl IS NOT NULL",
    ),
    (
        "has extended statistics {}",
        "SELECT stxname FROM pg_statistic_ext WHERE stxrelid = %(t)s::regclass",
    ),
    (
        "is {}",
        "SELECT CASE WHEN relpersistence <> 'p' THEN 'unlogged or temporary'"
        " WHEN relreplident NOT IN ('d', 'n') THEN 'replicated with REPLICA IDENTITY ' ||"
        " CASE relreplident WHEN 'f' THEN 'FULL' ELSE 'USING INDEX' END"
        " WHEN reloftype <> 0 THEN 'a typed table' END FROM pg_class"
        " WHERE oid = %(t)s::regclass AND (relpersistence <> 'p' OR relreplident NOT IN"
        " ('d', 'n') OR reloftype <> 0)",
    ),
    (
        "has its row type used by {}",
        "SELECT DISTINCT pg_describe_object(d.classid, d.objid, d.objsubid) FROM pg_depend d"
        " JOIN pg_class c ON c.reltype = d.refobjid WHERE c.oid = %(t)s::regclass"
        " AND d.refclassid = 'pg_type'::regclass AND d.deptype = 'n'",
    ),
)


def table_refusals(db: Db, plan: Plan) -> list[Refusal]:
    """What a table swap cannot carry over exactly, from the catalogs."""
    where, table = plan.table.qualified_name, plan.qualified_table
    found = []
    for what, query in _BLOCKERS:
        names = sorted(str(r[0]) for r in db.rows(query, {"t": table}))
        if names:
            found.append(Refusal(where, what.format(", ".join(names)) + _USE_COLUMN))
    return found


_CONSTRAINTS: Final = """
SELECT con.conname, pg_get_constraintdef(con.oid), con.contype,
       obj_description(con.conindid, 'pg_class')
  FROM pg_constraint con
 WHERE con.conrelid = %(t)s::regclass AND con.contype IN ('p', 'u', 'x', 'f')
 ORDER BY con.contype = 'f', con.conname
"""
_OTHER_INDEXES: Final = """
SELECT ic.relname, pg_get_indexdef(i.indexrelid), quote_ident(ic.relname),
       quote_ident(n.nspname) || '.' || quote_ident(t.relname),
       obj_description(ic.oid, 'pg_class')
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE i.indrelid = %(t)s::regclass
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                   AND c.conrelid = i.indrelid)
 ORDER BY ic.relname
"""
_SEQUENCES: Final = """
SELECT d.objid::regclass::text, a.attname FROM pg_depend d
  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
   AND d.refobjid = %(t)s::regclass AND d.deptype = 'a'
 ORDER BY 1
"""


def _table_ddl(db: Db, plan: Plan, change: ColumnChange, new: str) -> list[str]:
    table = plan.qualified_table
    options = db.scalar("SELECT reloptions FROM pg_class WHERE oid = %(t)s::regclass", {"t": table})
    with_ = f" WITH ({', '.join(options)})" if options else ""
    owner = db.scalar(
        "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %(t)s::regclass"
        " AND relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)",
        {"t": table},
    )
    out = [
        f"CREATE TABLE {new} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
        " INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING GENERATED)" + with_
    ]
    column = f"ALTER TABLE {new} ALTER COLUMN {ident(change.column)}"
    if change.old_default is not None:
        out.append(f"{column} DROP DEFAULT")
    out.append(f"{column} TYPE {change.target_type} USING {change.using}")
    if change.new_default is not None:
        out.append(f"{column} SET DEFAULT {change.new_default}")
    if owner is not None:
        out.append(f"ALTER TABLE {new} OWNER TO {ident(str(owner))}")
    return out


def freeze_table(db: Db, plan: Plan, change: ColumnChange, base: OnlinePlan) -> OnlinePlan:
    """``base`` (the column variant's plan: key, metrics, vector index DDL) turned into
    the table variant's: the new table's DDL, what is renamed and moved at the swap."""
    facts = plan.table
    table = plan.qualified_table
    t = tag(facts.schema, facts.name, change.column)
    shadow = short_name(facts.name, f"__aex_{t}")
    new = qualified(facts.schema, shadow)
    create = _table_ddl(db, plan, change, new)
    renames: list[tuple[str, str]] = []
    for n, (name, definition, kind, comment) in enumerate(db.rows(_CONSTRAINTS, {"t": table})):
        if kind == "f":  # per-table names: no clash, nothing to rename
            create.append(f"ALTER TABLE {new} ADD CONSTRAINT {ident(name)} {definition}")
            continue
        tmp = short_name(str(name), f"__aexk{n}_{t}")
        create.append(f"ALTER TABLE {new} ADD CONSTRAINT {ident(tmp)} {definition}")
        if comment is not None:
            create.append(f"COMMENT ON INDEX {qualified(facts.schema, tmp)} IS {literal(comment)}")
        renames.append((tmp, str(name)))
    moved = {i.name for i in plan.indexes if i.column == change.column}
    for n, (name, definition, quoted, on, comment) in enumerate(
        db.rows(_OTHER_INDEXES, {"t": table})
    ):
        if name in moved:
            continue
        tmp = short_name(str(name), f"__aexi{n}_{t}")
        create.append(_retarget(str(definition), str(quoted), str(on), tmp, new))
        if comment is not None:
            create.append(f"COMMENT ON INDEX {qualified(facts.schema, tmp)} IS {literal(comment)}")
        renames.append((tmp, str(name)))
    builds = tuple(
        IndexBuild(b.name, b.tmp, _retarget_moved(b.create, base, new), b.comment)
        for b in base.indexes
    )
    copy_columns = tuple(
        str(r[0])
        for r in db.rows(
            "SELECT attname FROM pg_attribute WHERE attrelid = %(t)s::regclass AND attnum > 0"
            " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
            {"t": table},
        )
    )
    return OnlinePlan(
        **{
            **base.to_json(),
            "shadow": shadow,
            "indexes": builds,
            "kind": "table",
            "create": tuple(create),
            "copy_columns": copy_columns,
            "renames": tuple(renames),
            "sequences": tuple((str(s), str(c)) for s, c in db.rows(_SEQUENCES, {"t": table})),
        }
    )


def _retarget(definition: str, quoted: str, on: str, tmp: str, new: str) -> str:
    """``pg_get_indexdef``'s ``CREATE [UNIQUE] INDEX name ON [ONLY] s.t USING ...`` as
    the same index, named ``tmp``, on the new table."""
    for unique in ("", "UNIQUE "):
        for only in ("", "ONLY "):
            head = f"CREATE {unique}INDEX {quoted} ON {only}{on} "
            if definition.startswith(head):
                return f"CREATE {unique}INDEX {ident(tmp)} ON {new} {definition[len(head) :]}"
    raise AssertionError(f"unexpected index definition from the server: {definition}")


def _retarget_moved(create: str, base: OnlinePlan, new: str) -> str:
    """The column variant's ``CREATE INDEX CONCURRENTLY tmp ON table (shadow ...)`` on
    the new table's column instead."""
    head = "CREATE INDEX CONCURRENTLY "
    if not create.startswith(head):
        raise AssertionError(f"unexpected index DDL: {create}")
    name, rest = create[len(head) :].split(f" ON {base.qualified_table} ", 1)
    rest = rest.replace(ident(base.shadow), ident(base.column))
    return f"{head}{name} ON {new} {rest}"
