"""Pure planning: reflected catalog facts + the server's capabilities -> the DDL that
moves vector columns between pgvector and ruvector, or the reasons it must not run.

Nothing here touches a connection. Every index is carried over by the explicit
mapping in :mod:`sqlalchemy_ruvector.metrics` (access method and opclass), with its
WITH parameters, predicate, INCLUDE columns, tablespace and comment; anything that
cannot be mapped exactly is a :class:`~alembic_ext.errors.Refusal`, never a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from sqlalchemy_ruvector.capabilities import Capabilities
from sqlalchemy_ruvector.vector_types import VECTOR_TYPES, extension_types

from ._sql import ident, literal, qualified
from .errors import MigrationRefused, Refusal
from .facts import ColumnFacts, TableFacts
from .plan_indexes import IndexChange, Target, index_change

__all__ = ["ColumnChange", "IndexChange", "Plan", "Target", "plan_migration"]

#: target -> (source family, {source SQL type -> target SQL type})
_TYPE_MAP: Final[dict[str, tuple[str, dict[str, str]]]] = {
    target: (
        source,
        {
            s.sql_name: s.counterpart
            for s in VECTOR_TYPES
            if s.family == source and s.counterpart is not None
        },
    )
    for target, source in (("ruvector", "pgvector"), ("pgvector", "ruvector"))
}
#: Reloptions pgvector's access methods accept (ruvector's documented extras are not).
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
        change = index_change(
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
    types = ", ".join(extension_types("vector" if family == "pgvector" else family))
    label = f"a pgvector type ({types})" if family == "pgvector" else types
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
