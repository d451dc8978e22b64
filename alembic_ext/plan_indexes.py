"""How one index on a migrating column is rebuilt on the target type, or why not
(part of the pure planner, :mod:`alembic_ext.plan`)."""

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
from .errors import Refusal
from .facts import ColumnFacts, IndexFacts, TableFacts

__all__ = ["IndexChange", "Target", "index_change"]

Target = Literal["ruvector", "pgvector"]

#: Reloptions pgvector's access methods accept (ruvector's documented extras are not).
_PGVECTOR_RELOPTIONS: Final = {"hnsw": {"m", "ef_construction"}, "ivfflat": {"lists"}}


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


def _cast_pattern(column: str) -> re.Pattern[str]:
    """``(col)::vector(1536)`` / ``col::vector(1536)``, optionally in parentheses, as
    ``pg_get_indexdef`` prints the cast pgvector's docs recommend for unbounded columns."""
    name = re.escape(ident(column))
    return re.compile(rf"^\(*\(?{name}\)?::(?P<type>\w+)\((?P<dims>\d+)\)\)*$")


def index_change(
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
