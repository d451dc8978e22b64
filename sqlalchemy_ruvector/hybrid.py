"""Hybrid search: vector and full-text candidates fused in one SELECT.

ruvector's own ``ruvector_hybrid_search`` returns demonstration rows in 2.0.5 (it
never reads the table), so the fusion is built here from plain SQL that any server
runs: two candidate CTEs, each served by its own index, and a fusion CTE joined back
to the table. The result is an ordinary ``Select``: filter it further, execute it
on a ``Session``/``Connection``/``AsyncSession``; it is one round trip.

Semantics (the pure-Python reference in the tests follows exactly these):

* vector candidates: the ``prefetch_k`` rows nearest ``query_vector`` by ``metric``
  (``ORDER BY distance, <primary key>``: the ANN index serves it, so
  ``search_settings`` / ``ef_search`` apply); ``vector_rank`` = 1, 2, ...
* text candidates: rows whose tsvector matches ``websearch_to_tsquery(language,
  query_text)``, the ``prefetch_k`` best by ``ts_rank_cd`` (ties: primary key
  ascending); ``text_rank`` = 1, 2, ...
* ``fusion="rrf"``: ``hybrid_score = 1/(rrf_k + vector_rank) + 1/(rrf_k + text_rank)``,
  a side where the row is not a candidate adds 0.
* ``fusion="linear"``: ``alpha * vector_similarity + (1 - alpha) * text_norm`` where
  ``text_norm`` is the min-max normalised ``ts_rank_cd`` over the text candidates
  (1.0 when they all score the same) and ``vector_similarity`` is ``1 - d/2`` for
  cosine (ruvector's ``ruvector_hybrid_score`` mapping), ``1/(1 + d)`` for L2 and the
  dot product for ``ip``; a missing side contributes 0.
* order: ``hybrid_score`` descending, then the better ``vector_rank``, then the
  better ``text_rank`` (missing ranks last), then the primary key ascending; the
  first ``k`` rows. Ranks are NULL where the row was not a candidate on that side.

``where=`` filters both candidate sets before ranking (a pre-filter: use it for
tenant or category filters); ``.where()`` on the result filters the fused
candidates before the final ``LIMIT k``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Mapper
from sqlalchemy.sql.elements import ColumnElement

from .errors import InvalidArgumentError, InvalidArgumentTypeError
from .metrics import METRICS, comparator_of_metric
from .types._base import VectorType

__all__ = ["FUSIONS", "HYBRID_METRICS", "hybrid_search"]

FUSIONS: Final = ("rrf", "linear")
#: Index metrics (``VectorIndex(metric=...)``) hybrid search fuses, and the comparator
#: method ordering by each: ascending distance, most similar first.
HYBRID_METRICS: Final = {
    m.name: comparator_of_metric(m.name).method for m in METRICS.values() if m.similarity
}
_LANGUAGE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?\Z")
_PK: Final = "pk_{}"


def _positive_int(name: str, value: Any, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidArgumentError(
            f"hybrid_search: {name} must be an int >= {low}, got {value!r}",
            argument=name,
            value=value,
        )
    return value


def _primary_key(entity: Any) -> list[ColumnElement[Any]]:
    """Primary-key expressions of a mapped class, an aliased class or a Table (alias)."""
    if isinstance(entity, sa.FromClause):
        pk: list[ColumnElement[Any]] = list(entity.primary_key)
        name = getattr(entity, "name", None) or repr(entity)
    else:
        mapper = getattr(sa.inspect(entity, raiseerr=False), "mapper", None)
        if not isinstance(mapper, Mapper):
            raise InvalidArgumentTypeError(
                "hybrid_search: expected a mapped class, an aliased class, a Table or a "
                f"select() of one of them, got {entity!r}",
                argument="entity_or_selectable",
                value=entity,
            )
        pk = [getattr(entity, mapper.get_property_by_column(c).key) for c in mapper.primary_key]
        name = mapper.class_.__name__
    if not pk:
        raise InvalidArgumentError(
            f"hybrid_search: {name} has no primary key to join candidates on",
            argument="entity_or_selectable",
            value=entity,
        )
    return pk


def _source(source: Any) -> tuple[Any, list[ColumnElement[Any]], sa.Select[Any], Any]:
    """(the entity or table searched, its primary key, the SELECT to extend, a filter
    the source imposes). A ``select()`` brings its own columns and WHERE clause."""
    if not isinstance(source, sa.Select):
        return source, _primary_key(source), sa.select(source), None
    froms = source.get_final_froms()
    if len(froms) != 1:
        raise InvalidArgumentError(
            f"hybrid_search: the select() must read one table or entity, it reads {len(froms)}",
            argument="entity_or_selectable",
            value=source,
        )
    entity = source.column_descriptions[0].get("entity") or froms[0]
    return entity, _primary_key(entity), source, source.whereclause


def _regconfig(language: str) -> ColumnElement[Any]:
    """The text-search configuration as a constant (``'english'::regconfig``), rendered
    at execution time so that ``to_tsvector(<config>, col)`` matches an expression
    index; the name is validated and quoted as a literal, never spliced."""
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        raise InvalidArgumentError(
            f"hybrid_search: language must be a text search configuration name, got {language!r}",
            argument="language",
            value=language,
        )
    name = sa.bindparam(
        "ruvector_hybrid_language", language, unique=True, literal_execute=True, type_=sa.String()
    )
    return sa.cast(name, REGCONFIG)


def _float(value: float) -> ColumnElement[float]:
    """A bound float8 value."""
    return sa.literal(float(value), sa.Double())


def _vector_similarity(metric: str, distance: ColumnElement[Any]) -> ColumnElement[float]:
    similarity = METRICS[metric].similarity
    assert similarity is not None  # HYBRID_METRICS holds the metrics that have one
    return similarity(sa.cast(distance, sa.Double()))


def hybrid_search(
    entity_or_selectable: Any,
    *,
    vector_column: Any,
    query_vector: Any,
    query_text: str,
    text_column: Any = None,
    tsvector_column: Any = None,
    k: int = 10,
    fusion: Literal["rrf", "linear"] = "rrf",
    alpha: float = 0.5,
    rrf_k: int = 60,
    prefetch_k: int = 100,
    language: str = "english",
    metric: str = "cosine",
    where: Any = None,
) -> sa.Select[Any]:
    """One ``SELECT`` returning the ``k`` best rows by fused vector and text relevance.

    ``entity_or_selectable`` is a mapped class, an aliased class, a Table, or a
    ``select()`` of one of them: then its columns are what each row carries and its
    WHERE clause filters the candidates (its ORDER BY and LIMIT are replaced). Rows are
    ``(entity or selected columns..., hybrid_score, vector_rank, text_rank)``.
    Give either ``tsvector_column`` (a stored ``tsvector``) or ``text_column`` (then
    ``to_tsvector(language, text_column)`` is searched: index that exact expression
    with GIN). ``metric`` must match the vector index's opclass for the index to
    serve the vector side. With HNSW, the index returns at most ``ef_search`` rows: run the
    statement inside ``search_settings(session, ef_search=prefetch_k)`` or add
    ``.execution_options(ruvector_search={"ef_search": prefetch_k})``.
    """
    entity, pk, base, implied = _source(entity_or_selectable)
    if implied is not None:
        where = implied if where is None else sa.and_(implied, where)
    if fusion not in FUSIONS:
        raise InvalidArgumentError(
            f"hybrid_search: fusion must be 'rrf' or 'linear', got {fusion!r}",
            argument="fusion",
            value=fusion,
        )
    if metric not in HYBRID_METRICS:
        raise InvalidArgumentError(
            f"hybrid_search: metric must be one of {', '.join(HYBRID_METRICS)}, got {metric!r}",
            argument="metric",
            value=metric,
        )
    k = _positive_int("k", k)
    prefetch_k = _positive_int("prefetch_k", prefetch_k)
    rrf_k = _positive_int("rrf_k", rrf_k, 0)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= 1:
        raise InvalidArgumentError(
            f"hybrid_search: alpha must be a number in [0, 1], got {alpha!r}",
            argument="alpha",
            value=alpha,
        )
    if not isinstance(query_text, str):
        raise InvalidArgumentTypeError(
            f"hybrid_search: query_text must be a str, got {type(query_text).__name__}",
            argument="query_text",
            value=query_text,
        )
    if (text_column is None) == (tsvector_column is None):
        raise InvalidArgumentError(
            "hybrid_search: pass exactly one of text_column and tsvector_column",
            argument="text_column",
        )
    vector_type = getattr(vector_column, "type", None)
    if not isinstance(vector_type, VectorType):
        raise InvalidArgumentTypeError(
            f"hybrid_search: vector_column must be a vector column, got {vector_column!r}",
            argument="vector_column",
            value=vector_column,
        )
    query = vector_type.coerce(query_vector)  # dimension, NaN, dtype: checked before SQL
    config = _regconfig(language)

    labels = [_PK.format(i) for i in range(len(pk))]
    distance = getattr(vector_column, HYBRID_METRICS[metric])(query)
    vector_cte = _vector_candidates(pk, labels, distance, prefetch_k, where)
    tsvector = (
        tsvector_column if tsvector_column is not None else sa.func.to_tsvector(config, text_column)
    )
    tsquery = sa.func.websearch_to_tsquery(config, sa.bindparam(None, query_text, sa.String()))
    text_cte = _text_candidates(pk, labels, tsvector, tsquery, prefetch_k, where, fusion)

    fused = _fuse(vector_cte, text_cte, labels, fusion, metric, alpha, rrf_k)
    fused_pk = [fused.c[lbl] for lbl in labels]
    on = sa.and_(*[col == f for col, f in zip(pk, fused_pk, strict=True)])
    return (
        base.add_columns(fused.c.hybrid_score, fused.c.vector_rank, fused.c.text_rank)
        .join_from(entity, fused, on)
        .order_by(None)
        .order_by(
            fused.c.hybrid_score.desc(),
            fused.c.vector_rank.asc().nulls_last(),
            fused.c.text_rank.asc().nulls_last(),
            *fused_pk,
        )
        .limit(k)
    )


def _labelled(pk: Sequence[ColumnElement[Any]], labels: Sequence[str]) -> list[Any]:
    return [col.label(lbl) for col, lbl in zip(pk, labels, strict=True)]


def _vector_candidates(
    pk: Sequence[ColumnElement[Any]],
    labels: Sequence[str],
    distance: ColumnElement[Any],
    prefetch_k: int,
    where: Any,
) -> Any:
    """The nearest ``prefetch_k`` rows: an index-ordered LIMIT inside, ranks outside it
    (a window over the index scan would make the planner sort the whole table)."""
    nearest = (
        sa.select(*_labelled(pk, labels), distance.label("distance"))
        .order_by(distance, *pk)
        .limit(prefetch_k)
    )
    if where is not None:
        nearest = nearest.where(where)
    near = nearest.subquery("vector_nearest")
    near_pk = [near.c[lbl] for lbl in labels]
    rank = sa.func.row_number().over(order_by=[near.c.distance, *near_pk])
    return sa.select(*near_pk, near.c.distance, rank.label("vector_rank")).cte("vector_candidates")


def _text_candidates(
    pk: Sequence[ColumnElement[Any]],
    labels: Sequence[str],
    tsvector: ColumnElement[Any],
    tsquery: ColumnElement[Any],
    prefetch_k: int,
    where: Any,
    fusion: str,
) -> Any:
    """The ``prefetch_k`` best GIN-filtered matches by ``ts_rank_cd``, ranked, with the
    min-max normalised score for linear fusion."""
    # ts_rank_cd returns real: widen it first, so normalisation is float8 arithmetic.
    score: ColumnElement[float] = sa.cast(sa.func.ts_rank_cd(tsvector, tsquery), sa.Double())
    matching = (
        sa.select(*_labelled(pk, labels), score.label("text_score"))
        .where(tsvector.bool_op("@@")(tsquery))
        .order_by(score.desc(), *pk)
        .limit(prefetch_k)
    )
    if where is not None:
        matching = matching.where(where)
    match = matching.subquery("text_matching")
    match_pk = [match.c[lbl] for lbl in labels]
    rank = sa.func.row_number().over(order_by=[match.c.text_score.desc(), *match_pk])
    columns: list[ColumnElement[Any]] = [*match_pk, match.c.text_score, rank.label("text_rank")]
    if fusion == "linear":
        lo = sa.func.min(match.c.text_score).over()
        hi = sa.func.max(match.c.text_score).over()
        normalised = sa.case((hi > lo, (match.c.text_score - lo) / (hi - lo)), else_=_float(1.0))
        columns.append(normalised.label("text_norm"))
    return sa.select(*columns).cte("text_candidates")


def _fuse(
    vector_cte: Any,
    text_cte: Any,
    pk_labels: Sequence[str],
    fusion: str,
    metric: str,
    alpha: float,
    rrf_k: int,
) -> Any:
    """The full outer join of both candidate sets with their fused score."""
    v, t = vector_cte.c, text_cte.c
    zero = _float(0.0)
    if fusion == "rrf":
        one = _float(1.0)
        k = sa.literal(rrf_k, sa.Integer())

        def rrf(rank: ColumnElement[Any]) -> ColumnElement[float]:
            return sa.func.coalesce(one / sa.cast(k + rank, sa.Double()), zero)

        score = rrf(v.vector_rank) + rrf(t.text_rank)
    else:
        a, b = _float(alpha), _float(1.0 - float(alpha))
        similarity = _vector_similarity(metric, v.distance)
        score = a * sa.func.coalesce(similarity, zero) + b * sa.func.coalesce(t.text_norm, zero)
    join = vector_cte.join(text_cte, sa.and_(*[v[lbl] == t[lbl] for lbl in pk_labels]), full=True)
    return (
        sa.select(
            *[sa.func.coalesce(v[lbl], t[lbl]).label(lbl) for lbl in pk_labels],
            v.vector_rank,
            t.text_rank,
            score.label("hybrid_score"),
        )
        .select_from(join)
        .cte("hybrid_fused")
    )
