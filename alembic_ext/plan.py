"""Pure planning: reflected catalog facts + the server's capabilities -> the DDL that
moves vector columns between pgvector and ruvector, or the reasons it must not run.

Nothing here touches a connection. Every index is carried over by the explicit
mapping in :mod:`sqlalchemy_ruvector.metrics` (access method and opclass), with its
WITH parameters, predicate, INCLUDE columns, tablespace and comment; anything that
cannot be mapped exactly is a :class:`~alembic_ext.errors.Refusal`, never a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from sqlalchemy_ruvector.capabilities import Capabilities
from sqlalchemy_ruvector.errors import RuVectorError
from sqlalchemy_ruvector.metrics import (
    access_method,
    method_of_access_method,
    parse_opclass,
    translate_opclass,
)

from ._sql import ident, literal, qualified
from .errors import MigrationRefused, Refusal
from .facts import ColumnFacts, IndexFacts, TableFacts

__all__ = ["ColumnChange", "IndexChange", "Plan", "Target", "plan_migration"]

Target = Literal["ruvector", "pgvector"]

#: target -> (source family, {source SQL type -> target SQL type})
_TYPE_MAP: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "ruvector": ("pgvector", {"vector": "ruvector"}),
    "pgvector": ("ruvector", {"ruvector": "vector"}),
}
#: Reloptions pgvector's access methods accept (ruvector's documented extras are not).
_PGVECTOR_RELOPTIONS: Final = {"hnsw": {"m", "ef_construction"}, "ivfflat": {"lists"}}
_DEFAULT: Final = re.compile(r"^'(\[[^']*\])'::(?:vector|ruvector)(?:\((\d+)\))?$")


@dataclass(frozen=True)
class ColumnChange:
    """One column's new type and the expression that converts every value."""

    column: str
    source_type: str
    target_type: str
    using: str
    old_default: str | None = None
    new_default: str | None = None
    stored_dims: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class IndexChange:
    """A vector index dropped and built again on the new type."""

    name: str
    column: str
    source: IndexFacts
    access_method: str
    opclass: str
    metric: str
    create: str
    comment: str | None = None


@dataclass(frozen=True)
class Plan:
    table: TableFacts
    target: Target
    columns: tuple[ColumnChange, ...]
    indexes: tuple[IndexChange, ...]
    refusals: tuple[Refusal, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.refusals

    @property
    def qualified_table(self) -> str:
        return qualified(self.table.schema, self.table.name)

    def raise_if_refused(self) -> None:
        if self.refusals:
            raise MigrationRefused(
                f"migrate_to_{self.target} on {self.table.qualified_name}", self.refusals
            )

    @property
    def statements(self) -> tuple[str, ...]:
        """The DDL, in order: drop the vector indexes, retype the columns in one
        table rewrite, restore defaults, rebuild the indexes and their comments."""
        table = self.qualified_table
        out = [f"DROP INDEX {qualified(self.table.schema, i.name)}" for i in self.indexes]
        out += [
            f"ALTER TABLE {table} ALTER COLUMN {ident(c.column)} DROP DEFAULT"
            for c in self.columns
            if c.old_default is not None
        ]
        if self.columns:
            out.append(
                f"ALTER TABLE {table} "
                + ", ".join(
                    f"ALTER COLUMN {ident(c.column)} TYPE {c.target_type} USING {c.using}"
                    for c in self.columns
                )
            )
        out += [
            f"ALTER TABLE {table} ALTER COLUMN {ident(c.column)} SET DEFAULT {c.new_default}"
            for c in self.columns
            if c.new_default is not None
        ]
        for index in self.indexes:
            out.append(index.create)
            if index.comment is not None:
                out.append(
                    f"COMMENT ON INDEX {qualified(self.table.schema, index.name)} "
                    f"IS {literal(index.comment)}"
                )
        return tuple(out)

    def metrics(self, column: str) -> tuple[str, ...]:
        """Metrics the column is searched by (its indexes'), l2 when it has none."""
        found = sorted({i.metric for i in self.indexes if i.column == column})
        return tuple(found) or ("l2",)


def plan_migration(
    table: TableFacts,
    column: str | None,
    target: Target,
    caps: Capabilities,
    *,
    stored_dims: Mapping[str, Mapping[int, int]] | None = None,
) -> Plan:
    """Plan moving ``column`` of ``table`` (every source-family column when None) to
    ``target``. ``stored_dims`` (column -> {dims: rows}) reports what unbounded
    columns actually hold."""
    source_family, type_map = _TYPE_MAP[target]
    refusals: list[Refusal] = []
    notes: list[str] = []
    where = table.qualified_name

    if table.relkind != "r":
        kind = {"p": "a partitioned table", "v": "a view", "m": "a materialized view"}
        refusals.append(
            Refusal(
                where,
                f"is {kind.get(table.relkind, 'not an ordinary table')}; "
                "the in_place strategy migrates ordinary tables",
            )
        )
    if table.inherited:
        refusals.append(
            Refusal(
                where, "takes part in table inheritance; migrate parent and children explicitly"
            )
        )
    if target == "ruvector" and not caps.has_extension:
        refusals.append(
            Refusal(
                where,
                "ruvector is not installed in this database: run "
                "op.create_ruvector_extension() before op.migrate_to_ruvector()",
            )
        )
    if target == "pgvector" and caps.probed and caps.pgvector_version is None:
        refusals.append(
            Refusal(
                where,
                "pgvector (extension vector) is not installed in this database: "
                "run op.execute('CREATE EXTENSION vector') before op.migrate_to_pgvector()",
            )
        )

    selected = _select_columns(table, column, source_family, refusals)
    changes = [
        _column_change(table, c, type_map, (stored_dims or {}).get(c.name), refusals, notes)
        for c in selected
    ]
    names = {c.name for c in selected}
    for dep in table.dependents:
        if dep.column in names:
            refusals.append(
                Refusal(
                    f"{dep.kind} {dep.name}",
                    f"depends on column {where}.{dep.column}; ALTER ... TYPE cannot carry it "
                    "over: drop it before this migration and recreate it after",
                )
            )
    index_changes: list[IndexChange] = []
    for index in table.indexes:
        touched = sorted(index.columns & names)
        if not touched:
            continue
        change = _index_change(
            table, index, touched[0], selected, type_map, target, caps, refusals, notes
        )
        if change is not None:
            index_changes.append(change)
    return Plan(
        table=table,
        target=target,
        columns=tuple(c for c in changes if c is not None),
        indexes=tuple(index_changes),
        refusals=tuple(refusals),
        notes=tuple(notes),
    )


def _select_columns(
    table: TableFacts, column: str | None, family: str, refusals: list[Refusal]
) -> list[ColumnFacts]:
    label = "a pgvector type (vector, halfvec, sparsevec)" if family == "pgvector" else "ruvector"
    if column is not None:
        found = table.column(column)
        if found is None:
            refusals.append(
                Refusal(
                    f"{table.qualified_name}.{column}",
                    f"no column {column!r} in table {table.qualified_name}",
                )
            )
            return []
        if found.family != family:
            refusals.append(
                Refusal(f"{table.qualified_name}.{column}", f"is {found.sql_type}, not {label}")
            )
            return []
        return [found]
    chosen = [c for c in table.columns if c.family == family]
    if not chosen:
        refusals.append(Refusal(table.qualified_name, f"has no column of {label}"))
    return chosen


def _column_change(
    table: TableFacts,
    col: ColumnFacts,
    type_map: Mapping[str, str],
    dims_found: Mapping[int, int] | None,
    refusals: list[Refusal],
    notes: list[str],
) -> ColumnChange | None:
    where = f"{table.qualified_name}.{col.name}"
    target_name = type_map.get(col.type_name)
    if target_name is None:
        refusals.append(
            Refusal(
                where,
                f"is {col.sql_type}: this server's ruvector has no {col.type_name} "
                "type (it has ruvector(n) only); keep the column on pgvector or convert "
                "it to vector(n) first",
            )
        )
        return None
    if col.generated:
        refusals.append(Refusal(where, "is a generated column"))
        return None
    target_type = target_name if col.dims is None else f"{target_name}({col.dims})"
    found = tuple(sorted((dims_found or {}).items()))
    if col.dims is None and len(found) > 1:
        shown = ", ".join(f"{n} rows of {d} dims" for d, n in found)
        notes.append(
            f"{where} is unbounded and holds mixed dimensions: {shown}; "
            f"it stays unbounded ({target_name})"
        )
    new_default = None
    if col.default is not None:
        match = _DEFAULT.match(col.default)
        if match is None:
            refusals.append(
                Refusal(where, f"default {col.default} cannot be carried over; drop it first")
            )
            return None
        new_default = f"{literal(match.group(1))}::{target_type}"
    return ColumnChange(
        column=col.name,
        source_type=col.sql_type,
        target_type=target_type,
        using=f"{ident(col.name)}::text::{target_type}",
        old_default=col.default,
        new_default=new_default,
        stored_dims=found,
    )


def _cast_pattern(column: str) -> re.Pattern[str]:
    """``(col)::vector(1536)`` / ``col::vector(1536)``, optionally in parentheses, as
    ``pg_get_indexdef`` prints the cast pgvector's docs recommend for unbounded columns."""
    name = re.escape(ident(column))
    return re.compile(rf"^\(*\(?{name}\)?::(?P<type>\w+)\((?P<dims>\d+)\)\)*$")


def _index_change(
    table: TableFacts,
    index: IndexFacts,
    column: str,
    selected: Sequence[ColumnFacts],
    type_map: Mapping[str, str],
    target: Target,
    caps: Capabilities,
    refusals: list[Refusal],
    notes: list[str],
) -> IndexChange | None:
    subject = f"index {table.schema}.{index.name}"
    col = next(c for c in selected if c.name == column)
    method = method_of_access_method(index.access_method)
    in_keys = any(k.column == column for k in index.keys) or any(
        k.expression is not None for k in index.keys
    )
    if method is None:
        if in_keys:
            refusals.append(
                Refusal(
                    subject,
                    f"is a {index.access_method} index on {column}; "
                    f"{target} has no {index.access_method} operator class to map it to",
                )
            )
        # Otherwise (INCLUDE / predicate only) ALTER ... TYPE rebuilds it by itself.
        return None
    if not index.valid:
        refusals.append(
            Refusal(
                subject,
                "is INVALID (left by a failed CREATE INDEX CONCURRENTLY); drop or REINDEX it first",
            )
        )
        return None
    if index.unique or len(index.keys) != 1:
        refusals.append(Refusal(subject, "is not a single-key, non-unique vector index"))
        return None
    key = index.keys[0]
    source_type = col.type_name
    target_type = type_map.get(source_type, "")
    if key.column == column:
        key_sql = ident(column)
    elif key.expression is not None:
        match = _cast_pattern(column).match(key.expression)
        if match is None or match.group("type") not in type_map:
            refusals.append(
                Refusal(
                    subject,
                    f"has the expression {key.expression}, which has no exact "
                    f"{target} counterpart (only casts of {column} to "
                    f"{'/'.join(type_map)}(n) are mapped)",
                )
            )
            return None
        source_type = match.group("type")
        target_type = type_map[source_type]
        key_sql = f"({ident(column)}::{target_type}({match.group('dims')}))"
    else:
        refusals.append(Refusal(subject, f"has {column} only outside its keys"))
        return None
    try:
        opclass = translate_opclass(
            key.opclass, source_type=source_type, target_type=target_type, method=method
        )
        am = access_method(target_type, method, caps)
        metric = parse_opclass(opclass).metric
    except (RuVectorError, ValueError) as exc:
        refusals.append(Refusal(subject, str(exc)))
        return None
    options = []
    for option in index.reloptions:
        name, _, value = option.partition("=")
        if target == "pgvector" and name not in _PGVECTOR_RELOPTIONS[method]:
            refusals.append(
                Refusal(subject, f"has WITH ({option}), which pgvector's {method} does not accept")
            )
            return None
        options.append(f"{ident(name)} = {literal(value)}")
    if index.predicate is not None and _mentions(index.predicate, column):
        refusals.append(
            Refusal(
                subject,
                f"its predicate WHERE {index.predicate} uses {column} in an "
                "expression that may not exist for the new type",
            )
        )
        return None
    if method == "ivfflat" and metric != "l2" and target == "ruvector" and not caps.is_compat:
        notes.append(
            f"{subject}: ruvector 2.0.5's ruivfflat builds with L2 whatever the "
            f"operator class; {opclass} may rank by L2 on this server"
        )
    sql = (
        f"CREATE INDEX {ident(index.name)} ON {qualified(table.schema, table.name)} "
        f"USING {ident(am)} ({key_sql} {ident(opclass)})"
    )
    if index.include:
        sql += " INCLUDE (" + ", ".join(ident(c) for c in index.include) + ")"
    if options:
        sql += " WITH (" + ", ".join(options) + ")"
    if index.tablespace is not None:
        sql += f" TABLESPACE {ident(index.tablespace)}"
    if index.predicate is not None:
        sql += f" WHERE {index.predicate}"
    return IndexChange(
        name=index.name,
        column=column,
        source=index,
        access_method=am,
        opclass=opclass,
        metric=metric,
        create=sql,
        comment=index.comment,
    )


def _mentions(predicate: str, column: str) -> bool:
    """Whether ``predicate`` uses ``column`` other than in ``IS [NOT] NULL`` tests."""
    name = re.escape(ident(column))
    bare = re.sub(rf"\(?{name}\)?\s+IS\s+(NOT\s+)?NULL", "", predicate, flags=re.IGNORECASE)
    return re.search(rf'(?<![\w"]){name}(?![\w"])', bare) is not None
