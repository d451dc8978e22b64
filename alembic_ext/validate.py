"""Proof that a vector column holds the same data after a migration as before.

A :class:`ColumnSnapshot` records, for one column: row count, NULL count, rows per
dimension, an order-independent digest of every row's key and exact float32 bytes
(taken from the type's binary send function, so it does not depend on how either
extension prints floats), and the exact top-k of a few sample queries per metric,
computed with index scans disabled. :func:`validate_vector_migration` takes the
same snapshot again and compares: any difference raises
:class:`~alembic_ext.errors.ValidationMismatch`. Two approximate searches are never
compared.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from sqlalchemy_ruvector.capabilities import Capabilities
from sqlalchemy_ruvector.errors import InvalidArgumentError
from sqlalchemy_ruvector.metrics import metric as metric_named

from ._db import Db
from ._sql import ident, qualified
from .catalog import reflect_table
from .errors import MigrationRefused, Refusal, ValidationMismatch

__all__ = ["ColumnSnapshot", "Query", "snapshot", "validate_vector_migration"]

#: Planner switches turned off so top-k queries are exact sequential scans.
_EXACT_SCAN: Final = ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan")


@dataclass(frozen=True)
class Query:
    """A sample query: the vector (text form, valid for both types) and its metric."""

    metric: str
    vector: str
    dims: int


@dataclass(frozen=True)
class ColumnSnapshot:
    schema: str
    table: str
    column: str
    sql_type: str
    rows: int
    nulls: int
    dims: tuple[tuple[int, int], ...]
    digest: int
    queries: tuple[Query, ...]
    #: Per query: row keys (or float32 distances when the table has no key) in
    #: exact-distance order, ties broken by key.
    top_k: tuple[tuple[str, ...], ...]
    k: int

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}.{self.column}"


@dataclass(frozen=True)
class _Column:
    schema: str
    table: str
    column: str
    family: str
    sql_type: str
    key: tuple[str, ...]


def _resolve(db: Db, table: str, column: str, schema: str | None) -> _Column:
    facts = reflect_table(db, table, schema)
    col = facts.column(column)
    if col is None or col.family is None:
        reason = "no such column" if col is None else f"is {col.sql_type}, not a vector type"
        raise MigrationRefused(
            f"validate {facts.qualified_name}.{column}",
            [Refusal(f"{facts.qualified_name}.{column}", reason)],
        )
    return _Column(facts.schema, facts.name, column, col.family, col.sql_type, facts.key_columns)


def _send_bytes(c: _Column, caps: Capabilities) -> str:
    """SQL for the column's float32 values as big-endian bytes, header stripped: the
    header is 4 bytes in pgvector's layout and 2 in the published ruvector's."""
    if c.family == "pgvector":
        return f"substring(vector_send({ident(c.column)}) from 5)"
    start = caps.binary_layout.header_size + 1
    return f"substring(ruvector_send({ident(c.column)}) from {start})"


def _key_text(c: _Column) -> str:
    if not c.key:
        return "''"
    return "ROW(" + ", ".join(ident(k) for k in c.key) + ")::text"


def _dims_fn(c: _Column) -> str:
    return "vector_dims" if c.family == "pgvector" else "ruvector_dims"


def _distance(c: _Column, metric: str) -> str:
    """The metric's distance as pgvector defines it, on either type: pgvector's
    operator, or ruvector's function times its sign (portable across ruvector builds)."""
    m = metric_named(metric)
    col = ident(c.column)
    if c.family == "pgvector":
        return f"({col} {m.operator} %(q)s::vector)"
    if m.ruvector_function is None:
        raise InvalidArgumentError(
            f"metric {metric!r} has no ruvector function", argument="metric", value=metric
        )
    return f"({m.function_sign} * {m.ruvector_function}({col}, %(q)s::ruvector))"


@contextmanager
def _exact_scans(db: Db) -> Iterator[None]:
    saved = {name: db.scalar("SELECT current_setting(%(n)s)", {"n": name}) for name in _EXACT_SCAN}
    for name in _EXACT_SCAN:
        db.execute("SELECT set_config(%(n)s, 'off', true)", {"n": name})
    try:
        yield
    finally:
        for name, value in saved.items():
            db.execute("SELECT set_config(%(n)s, %(v)s, true)", {"n": name, "v": value})


def snapshot(
    db: Db,
    caps: Capabilities,
    table: str,
    column: str,
    *,
    schema: str | None = None,
    metrics: Sequence[str] = ("l2",),
    samples: int = 5,
    k: int = 10,
    queries: Sequence[Query] | None = None,
) -> ColumnSnapshot:
    """Snapshot ``table.column``. ``queries`` (from an earlier snapshot) are reused so
    the top-k of before and after answer the same questions."""
    if samples < 0 or k < 1:
        raise InvalidArgumentError(
            f"samples must be >= 0 and k >= 1, got samples={samples}, k={k}",
            argument="samples" if samples < 0 else "k",
            value=samples if samples < 0 else k,
        )
    c = _resolve(db, table, column, schema)
    source = qualified(c.schema, c.table)
    col = ident(c.column)
    row_digest = (
        f"md5(convert_to({_key_text(c)}, 'UTF8') || '\\x00'::bytea"
        f" || coalesce({_send_bytes(c, caps)}, '\\xff'::bytea))"
    )
    rows, nulls, digest = db.rows(
        f"SELECT count(*), count(*) FILTER (WHERE {col} IS NULL),"
        f" coalesce(sum(('x' || substr({row_digest}, 1, 15))::bit(60)::bigint::numeric), 0)"
        f" FROM {source}"
    )[0]
    dims = tuple(
        (int(d), int(n))
        for d, n in db.rows(
            f"SELECT {_dims_fn(c)}({col}), count(*) FROM {source}"
            f" WHERE {col} IS NOT NULL GROUP BY 1 ORDER BY 1"
        )
    )
    if queries is None:
        order = f"md5({_key_text(c)})" if c.key else f"md5({col}::text)"
        picked = db.rows(
            f"SELECT {col}::text, {_dims_fn(c)}({col}) FROM {source}"
            f" WHERE {col} IS NOT NULL ORDER BY {order} LIMIT %(n)s",
            {"n": samples},
        )
        queries = [Query(m, str(v), int(d)) for m in metrics for v, d in picked]
    top_k = _top_k(db, c, source, queries, k)
    return ColumnSnapshot(
        schema=c.schema,
        table=c.table,
        column=c.column,
        sql_type=c.sql_type,
        rows=int(rows),
        nulls=int(nulls),
        dims=dims,
        digest=int(digest),
        queries=tuple(queries),
        top_k=top_k,
        k=k,
    )


def _top_k(
    db: Db, c: _Column, source: str, queries: Sequence[Query], k: int
) -> tuple[tuple[str, ...], ...]:
    col = ident(c.column)
    order_key = ", ".join(ident(name) for name in c.key)
    results = []
    with _exact_scans(db):
        for query in queries:
            distance = _distance(c, query.metric)
            rows = db.rows(
                f"SELECT {_key_text(c)}, {distance} AS d FROM {source}"
                f" WHERE {col} IS NOT NULL AND {_dims_fn(c)}({col}) = %(dims)s"
                f" ORDER BY d{', ' + order_key if order_key else ''} LIMIT %(k)s",
                {"q": query.vector, "dims": query.dims, "k": k},
            )
            results.append(_ranked(rows, keyed=bool(c.key)))
    return tuple(results)


def _ranked(rows: Sequence[Sequence[Any]], *, keyed: bool) -> tuple[str, ...]:
    """Row keys in exact order, distances rounded to float32 (ruvector returns real,
    pgvector double) and ties broken by key; the float32 distances when unkeyed."""
    ranked = sorted((float(np.float32(d)), str(key)) for key, d in rows)
    if keyed:
        return tuple(key for _, key in ranked)
    return tuple(repr(d) for d, _ in ranked)


def compare(before: ColumnSnapshot, after: ColumnSnapshot) -> list[str]:
    """What differs between two snapshots of the same column (empty: identical)."""
    problems = []
    if after.rows != before.rows:
        problems.append(f"row count {before.rows} before, {after.rows} after")
    if after.nulls != before.nulls:
        problems.append(f"NULL count {before.nulls} before, {after.nulls} after")
    if after.dims != before.dims:
        problems.append(f"rows per dimension {dict(before.dims)} before, {dict(after.dims)} after")
    if after.digest != before.digest:
        problems.append("the checksum of the rows' float32 values differs: some vectors changed")
    for query, old, new in zip(before.queries, before.top_k, after.top_k, strict=True):
        if old != new:
            problems.append(
                f"exact top-{before.k} by {query.metric} for a sample query differs: "
                f"{list(old)} before, {list(new)} after"
            )
    return problems


def validate_vector_migration(
    db: Db, caps: Capabilities, before: ColumnSnapshot, *, schema: str | None = None
) -> ColumnSnapshot:
    """Snapshot the column again (same sample queries) and raise
    :class:`ValidationMismatch` listing every difference from ``before``."""
    after = snapshot(
        db,
        caps,
        before.table,
        before.column,
        schema=schema or before.schema,
        k=before.k,
        queries=before.queries,
    )
    problems = compare(before, after)
    if problems:
        raise ValidationMismatch(before.name, problems)
    return after
