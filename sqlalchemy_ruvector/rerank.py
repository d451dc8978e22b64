"""Two-phase search: approximate candidates from the server, exact order on the client.

An ANN index (often over a cheaper column: halfvec, a quantized copy, low
``ef_search``) returns ``k * oversample`` candidates; their full-precision vectors
come back in the same query and ``accel.topk`` reranks them exactly. This is how
users get exact top-k out of approximate indexes, and since ruvector 2.0.5 ignores
its ``quantization`` options, how they get quantization's savings at all.
"""

from __future__ import annotations

import numbers
from typing import Any, Final, NamedTuple

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

import accel

from .errors import InvalidArgumentError, InvalidArgumentTypeError
from .metrics import METRICS as METRICS_TABLE
from .metrics import accel_metric, comparator_of_metric
from .types._base import VectorType
from .vector_types import storage_types

__all__ = ["Reranked", "rerank"]

#: Metrics accel can rerank by: every metric with an accel code (metrics.METRICS).
METRICS: Final = tuple(m.name for m in METRICS_TABLE.values() if m.accel is not None)
#: Column types whose values accel can rerank (sparsevec cannot), and the
#: full-precision ones picked automatically as ``vector_column``.
DENSE_TYPES: Final = storage_types("float32", "float16")
FULL_PRECISION_TYPES: Final = storage_types("float32")
#: The documented range of ``ef_search`` (ruvector.ef_search: 1 to 1000).
EF_SEARCH_MAX: Final = 1000


class Reranked(NamedTuple):
    """One result: the selected row (an ORM entity when ``stmt`` selects one) and its
    exact distance (``ip`` is the negative dot product, as pgvector's ``<#>``)."""

    row: Any
    distance: float


def _vector_column(stmt: sa.Select[Any], candidate: Any) -> ColumnElement[Any]:
    """The one full-precision vector column selected, other than the candidate column."""
    skip = None if candidate is None else _table_column(candidate)
    found = [
        col
        for desc in stmt.column_descriptions
        for col in _columns_of(desc)
        if isinstance(col.type, VectorType)
        and col.type.sql_name in FULL_PRECISION_TYPES
        and col is not skip
    ]
    if len(found) != 1:
        raise InvalidArgumentError(
            "rerank: pass vector_column=...; the statement selects "
            f"{len(found)} full-precision vector columns",
            argument="vector_column",
        )
    return found[0]


def _table_column(obj: Any) -> Any:
    """The Column behind an ORM attribute (or the object itself)."""
    prop = getattr(obj, "property", None)
    columns = getattr(prop, "columns", None)
    return columns[0] if columns else obj


def _columns_of(desc: dict[str, Any]) -> list[ColumnElement[Any]]:
    entity = desc.get("entity")
    if entity is not None and desc.get("expr") is entity:
        return list(sa.inspect(entity).columns)
    expr = _table_column(desc.get("expr"))
    return [expr] if isinstance(expr, ColumnElement) else []


def _count(value: Any, name: str, low: int, high: int | None = None) -> int:
    """An int parameter (numpy integers too) within [low, high], else a clear error."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InvalidArgumentTypeError(
            f"rerank: {name} must be an int, got {type(value).__name__} {value!r}",
            argument=name,
            value=value,
        )
    number = int(value)
    if number < low or (high is not None and number > high):
        bounds = f"at least {low}" if high is None else f"between {low} and {high}"
        raise InvalidArgumentError(
            f"rerank: {name} must be {bounds}, got {number}", argument=name, value=value
        )
    return number


def _dense_type(column: Any, name: str) -> VectorType:
    """The vector type of ``column``; accel reranks dense vectors only."""
    type_ = getattr(column, "type", None)
    if not isinstance(type_, VectorType):
        raise InvalidArgumentTypeError(
            f"rerank: {name} must be a vector column, got {type_!r}", argument=name, value=column
        )
    if name == "vector_column" and type_.sql_name not in DENSE_TYPES:
        raise InvalidArgumentTypeError(
            f"rerank: vector_column is {type_.sql_name}; exact reranking needs a dense "
            f"vector column ({', '.join(DENSE_TYPES)})",
            argument=name,
            value=column,
        )
    return type_


def rerank(
    session: Session | sa.Connection,
    stmt: sa.Select[Any],
    query_vector: Any,
    k: int,
    *,
    oversample: int = 4,
    metric: str = "cosine",
    candidate_column: Any = None,
    vector_column: Any = None,
    candidate_query: Any = None,
    ef_search: int | None = None,
) -> list[Reranked]:
    """Run ``stmt`` for ``k * oversample`` ANN candidates and return the exact top ``k``.

    ``stmt`` selects what the caller wants back (an entity or columns) and may
    filter; its ORDER BY is replaced by ``candidate_column``'s distance to the query
    (the ANN index's column: a halfvec, a truncated or quantized copy; default:
    ``vector_column``). ``vector_column`` holds the full-precision vectors (found
    automatically when the statement selects exactly one ``ruvector``/``vector``
    column; any dense type may be passed: ruvector, vector, halfvec). ``candidate_query``
    is the query for ``candidate_column`` when it differs (a truncated or projected
    vector; default: ``query_vector``). ``ef_search`` (1 to 1000) defaults to the
    number of candidates, so an HNSW scan can return them all.

    Rows whose candidate or full-precision vector is NULL have no distance: they are
    never candidates (the candidate query filters them out). Every argument is
    checked before any SQL is sent.
    """
    if metric not in METRICS:
        raise InvalidArgumentError(
            f"rerank: metric must be one of {', '.join(METRICS)}, got {metric!r}",
            argument="metric",
            value=metric,
        )
    k = _count(k, "k", 0)
    oversample = _count(oversample, "oversample", 1)
    if ef_search is not None:
        ef_search = _count(ef_search, "ef_search", 1, EF_SEARCH_MAX)
    exact = vector_column if vector_column is not None else _vector_column(stmt, candidate_column)
    exact_type = _dense_type(exact, "vector_column")
    query = exact_type.coerce(query_vector)  # validated before any SQL
    ann = candidate_column if candidate_column is not None else exact
    ann_type = _dense_type(ann, "candidate_column")
    ann_query = query if candidate_query is None else ann_type.coerce(candidate_query)
    if k == 0:
        return []
    method, code = comparator_of_metric(metric).method, accel_metric(metric)
    wanted = k * oversample
    width = len(stmt.column_descriptions)  # row elements: an entity counts once
    candidates = (
        stmt.order_by(None)
        .where(ann.is_not(None), exact.is_not(None))
        .order_by(getattr(ann, method)(ann_query))
        .add_columns(exact)
        .limit(wanted)
        .execution_options(ruvector_search={"ef_search": ef_search or min(wanted, EF_SEARCH_MAX)})
    )
    rows = session.execute(candidates).all()
    if not rows:
        return []
    vectors = np.stack([row[width] for row in rows])
    indices, dists = accel.topk(query, vectors, k, code)
    return [
        Reranked(rows[i][0] if width == 1 else tuple(rows[i][:width]), float(d))
        for i, d in zip(indices.tolist(), dists.tolist(), strict=True)
    ]
