"""The online strategy's plan for one column, frozen into the state row.

Built once from part 1's :class:`~alembic_ext.plan.Plan` (same type and index
mapping, same refusals) plus what the online move needs on top: the keyset key, the
names of the shadow column, trigger, function and temporary indexes, and the
``CREATE INDEX CONCURRENTLY`` statements on the shadow column. A resumed run reads
it back from the state table, so it finishes exactly what the first run planned.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Any

from .._db import Db
from .._sql import ident, qualified
from ..errors import Refusal
from ..plan import ColumnChange, Plan

__all__ = [
    "IndexBuild",
    "OnlinePlan",
    "freeze",
    "on_shadow",
    "online_refusals",
    "short_name",
    "tag",
]


@dataclass(frozen=True)
class IndexBuild:
    name: str
    tmp: str
    create: str  # CREATE INDEX CONCURRENTLY <tmp> ON ... (<shadow> ...)
    comment: str | None


@dataclass(frozen=True)
class OnlinePlan:
    schema: str
    table: str
    column: str
    shadow: str
    source_type: str
    target_type: str
    function: str
    trigger: str
    key: tuple[tuple[str, str], ...]  # (column, SQL type), keyset order
    metrics: tuple[str, ...]  # what validation's exact top-k ranks by
    indexes: tuple[IndexBuild, ...]
    default: str | None
    not_null: bool
    comment: str | None
    # shadow="table" only: ``shadow`` is then the new table's name.
    kind: str = "column"
    create: tuple[str, ...] = ()  # the new table, its constraints and other indexes
    copy_columns: tuple[str, ...] = ()  # every stored column, in order
    renames: tuple[tuple[str, str], ...] = ()  # new table's index: temporary -> final name
    sequences: tuple[tuple[str, str], ...] = ()  # (sequence, column) OWNED BY the table

    @property
    def qualified_shadow_table(self) -> str:
        return qualified(self.schema, self.shadow)

    @property
    def not_null_check(self) -> str:
        """shadow="column": the CHECK that lets the swap's SET NOT NULL skip its scan."""
        return short_name(self.shadow, "_nn")

    @property
    def qualified_table(self) -> str:
        return qualified(self.schema, self.table)

    @property
    def qualified_function(self) -> str:
        return qualified(self.schema, self.function)

    def convert(self, prefix: str = "") -> str:
        """The conversion part 1 uses (``col::text::target``), on ``prefix.col``."""
        return f"{prefix}{ident(self.column)}::text::{self.target_type}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OnlinePlan:
        fields = dict(data)
        fields["key"] = tuple(tuple(k) for k in data["key"])
        fields["indexes"] = tuple(IndexBuild(**i) for i in data["indexes"])
        fields["metrics"] = tuple(data["metrics"])
        for name in ("create", "copy_columns"):
            fields[name] = tuple(data.get(name, ()))
        for name in ("renames", "sequences"):
            fields[name] = tuple(tuple(x) for x in data.get(name, ()))
        return cls(**fields)


def short_name(base: str, suffix: str) -> str:
    """``base`` + ``suffix`` within PostgreSQL's 63-byte identifier limit."""
    room = 63 - len(suffix.encode())
    cut = base.encode()[:room].decode(errors="ignore")
    return cut + suffix


def tag(schema: str, table: str, column: str) -> str:
    return hashlib.md5(f"{schema}.{table}.{column}".encode()).hexdigest()[:8]


def on_shadow(create: str, name: str, tmp: str, table: str, column: str, shadow: str) -> str:
    head = f"CREATE INDEX {ident(name)} ON {table} "
    if not create.startswith(head):
        raise AssertionError(f"unexpected index DDL from the planner: {create}")
    rest = create[len(head) :]
    quoted = re.escape(ident(column))
    rest = re.sub(rf'(?<![\w"]){quoted}(?![\w"])', lambda _: ident(shadow), rest)
    return f"CREATE INDEX CONCURRENTLY {ident(tmp)} ON {table} {rest}"


def online_refusals(plan: Plan) -> list[Refusal]:
    """What the online strategy cannot do on top of part 1's refusals."""
    where = plan.table.qualified_name
    found = []
    if not plan.table.key_columns:
        found.append(
            Refusal(
                where,
                "has no primary key or unique NOT NULL key: the online backfill walks the "
                "table by key in batches; add a primary key, or use strategy='in_place'",
            )
        )
    moved = {c.column for c in plan.columns}
    mapped = {i.name for i in plan.indexes}
    for index in plan.table.indexes:
        if index.columns & moved and index.name not in mapped and not index.primary:
            found.append(
                Refusal(
                    f"index {plan.table.schema}.{index.name}",
                    "mentions the column outside a vector key (INCLUDE, predicate or a "
                    "multi-column key); the online swap drops the old column and cannot "
                    "carry it over: use strategy='in_place'",
                )
            )
    for change in plan.columns:
        if change.column in plan.table.key_columns:
            found.append(Refusal(f"{where}.{change.column}", "is part of the table's key"))
    return found


def freeze(db: Db, plan: Plan, change: ColumnChange) -> OnlinePlan:
    facts = plan.table
    t = tag(facts.schema, facts.name, change.column)
    shadow = short_name(change.column, f"__aex_{t}")
    table = plan.qualified_table
    key_types: dict[str, str] = {
        str(r[0]): str(r[1])
        for r in db.rows(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
            " WHERE a.attrelid = %(t)s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
            {"t": table},
        )
    }
    builds = []
    for n, index in enumerate(i for i in plan.indexes if i.column == change.column):
        tmp = short_name(index.name, f"__aex{n}_{t}")
        builds.append(
            IndexBuild(
                index.name,
                tmp,
                on_shadow(index.create, index.name, tmp, table, change.column, shadow),
                index.comment,
            )
        )
    col = facts.column(change.column)
    assert col is not None
    return OnlinePlan(
        schema=facts.schema,
        table=facts.name,
        column=change.column,
        shadow=shadow,
        source_type=change.source_type,
        target_type=change.target_type,
        function=f"alembic_ext_sync_{t}",
        trigger=f"alembic_ext_sync_{t}",
        key=tuple((k, str(key_types[k])) for k in facts.key_columns),
        indexes=tuple(builds),
        metrics=plan.metrics(change.column),
        default=change.new_default,
        not_null=col.not_null,
        comment=col.comment,
    )
