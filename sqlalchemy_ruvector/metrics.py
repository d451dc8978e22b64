"""One vocabulary for distance metrics, and the pgvector <-> ruvector opclass mapping.

A metric goes by many names: pgvector-python's comparator method
(``max_inner_product``), the index metric (``ip``), the operator (``<#>``), the
opclass (``vector_ip_ops`` / ``ruvector_ip_ops``), a function form for servers that
lack the operator or give it another sign, and accel's metric. They are written
once, in the tables below; the comparators, ``VectorIndex``, rerank and Alembic's
migration planning look them up here instead of spelling them again.

The opclass table is pgvector 0.8's (for ``vector``, ``halfvec``, ``sparsevec``,
``bit``) and ruvector's (``ruvector_l2_ops`` / ``_cosine_ops`` / ``_ip_ops`` on both
of its access methods). Mapping an index between the two is exact or refused with
the reason (:class:`~sqlalchemy_ruvector.errors.UnmappableIndexError`): it never
falls back to a default opclass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Double, literal
from sqlalchemy.sql.elements import ColumnElement

from .errors import InvalidArgumentError, UnknownOpclassError, UnmappableIndexError
from .vector_types import default_opclass_keys, is_ruvector, opclass_metrics

if TYPE_CHECKING:
    from .capabilities import Capabilities

__all__ = [
    "COMPARATORS",
    "DISTANCES",
    "METHODS",
    "METRICS",
    "OPCLASS_METRICS",
    "Comparator",
    "Metric",
    "Opclass",
    "accel_metric",
    "access_method",
    "comparator",
    "comparator_of_metric",
    "default_opclass",
    "method_of_access_method",
    "metric",
    "metric_names",
    "opclass_name",
    "parse_opclass",
    "translate_opclass",
]


@dataclass(frozen=True)
class Metric:
    """One way of measuring closeness; ascending values are "closer" for every row.

    ``operator`` is pgvector's (and ruvector's documented) operator.
    ``ruvector_function`` returns ``function_sign`` times the operator's value on
    every ruvector build; it is the portable form where the operator is missing or
    has another sign (ruvector 2.0.5's ``<#>`` is +dot, its function too).
    ``probe`` names what the capability probe says about ruvector's operator: None
    (the same on every build), ``"sign"`` (``ip_operator_sign``) or ``"presence"``
    (``has_l1_operator``). ``operands`` is ``"float"`` (vector types) or ``"bit"``;
    ``portable`` is the bit distance written with core functions (no pgvector).
    ``accel`` is the metric name of :func:`accel.distances`, None where accel has none.
    ``similarity`` maps the distance (float8) to a higher-is-better score for score
    fusion (``hybrid_search``); None where the metric is not fused.
    """

    name: str
    operator: str
    opclass_suffix: str
    ruvector_function: str | None
    function_sign: int
    accel: str | None
    probe: str | None = None
    operands: str = "float"
    portable: str | None = None
    similarity: Callable[[ColumnElement[float]], ColumnElement[float]] | None = None


def _float(value: float) -> ColumnElement[float]:
    """A bound float8 value."""
    return literal(float(value), Double())


_JACCARD_CORE: Final = (
    "(CASE WHEN bit_count(({left}) | ({right})) = 0 THEN CAST(1 AS DOUBLE PRECISION) ELSE "
    "1 - CAST(bit_count(({left}) & ({right})) AS DOUBLE PRECISION) / "
    "bit_count(({left}) | ({right})) END)"
)

#: Every metric, by its index-metric name.
METRICS: Final[dict[str, Metric]] = {
    m.name: m
    for m in (
        Metric(
            "l2",
            "<->",
            "l2_ops",
            "ruvector_l2_distance",
            1,
            "l2",
            similarity=lambda d: _float(1.0) / (_float(1.0) + d),
        ),
        Metric(
            "cosine",
            "<=>",
            "cosine_ops",
            "ruvector_cosine_distance",
            1,
            "cosine",
            similarity=lambda d: _float(1.0) - d / _float(2.0),
        ),
        Metric(
            "ip",
            "<#>",
            "ip_ops",
            "ruvector_inner_product",
            -1,
            "ip",
            probe="sign",
            similarity=lambda d: -d,  # the distance is max_inner_product's -dot
        ),
        Metric("l1", "<+>", "l1_ops", "ruvector_l1_distance", 1, "l1", probe="presence"),
        Metric(
            "hamming",
            "<~>",
            "hamming_ops",
            None,
            1,
            None,
            operands="bit",
            portable="CAST(bit_count(({left}) # ({right})) AS DOUBLE PRECISION)",
        ),
        # pgvector: 1 - |a & b| / |a | b|, and 1 when no bit is set in either
        Metric(
            "jaccard", "<%>", "jaccard_ops", None, 1, None, operands="bit", portable=_JACCARD_CORE
        ),
    )
}


@dataclass(frozen=True)
class Comparator:
    """A pgvector-python comparator method: which metric, and whether it is the
    metric's negation (``inner_product`` is +dot, ``max_inner_product`` is -dot).
    ``distance`` is its name in ``VectorDistance`` / ``distance(metric=...)``."""

    method: str
    metric: str
    distance: str
    negated: bool = False


#: pgvector-python's comparator methods, by method name.
COMPARATORS: Final[dict[str, Comparator]] = {
    c.method: c
    for c in (
        Comparator("l2_distance", "l2", "l2"),
        Comparator("cosine_distance", "cosine", "cosine"),
        Comparator("max_inner_product", "ip", "max_inner_product"),
        Comparator("inner_product", "ip", "inner_product", negated=True),
        Comparator("l1_distance", "l1", "l1"),
        Comparator("hamming_distance", "hamming", "hamming"),
        Comparator("jaccard_distance", "jaccard", "jaccard"),
    )
}

#: Comparators by their ``VectorDistance`` name.
DISTANCES: Final[dict[str, Comparator]] = {c.distance: c for c in COMPARATORS.values()}

#: Abstract index methods; the server's access-method names come from :func:`access_method`.
METHODS: Final = ("hnsw", "ivfflat")

#: (opclass prefix, method) -> metrics that have an operator class, first = the default
#: one; one entry per row of :data:`~sqlalchemy_ruvector.vector_types.VECTOR_TYPES`.
OPCLASS_METRICS: Final = opclass_metrics()

#: (opclass prefix, method) pairs whose first opclass above is declared DEFAULT: pgvector
#: has a default only for ivfflat on ``vector``; an hnsw index must name its opclass.
_HAS_DEFAULT_OPCLASS: Final = default_opclass_keys()

#: Access-method names seen in catalogs -> abstract method. ``hnsw`` is pgvector's
#: and also ruvector 2.0.5's (the published build never renamed it to ``ruhnsw``).
_ACCESS_METHODS: Final = {
    "hnsw": "hnsw",
    "ruhnsw": "hnsw",
    "ivfflat": "ivfflat",
    "ruivfflat": "ivfflat",
}


@dataclass(frozen=True)
class Opclass:
    """An operator class name taken apart: the SQL type it indexes and its metric."""

    sql_type: str
    metric: str

    @property
    def name(self) -> str:
        return opclass_name(self.sql_type, self.metric)


def metric(name: str) -> Metric:
    """The metric called ``name`` (``l2``, ``cosine``, ``ip``, ``l1``, ``hamming``, ``jaccard``)."""
    try:
        return METRICS[name]
    except KeyError:
        raise InvalidArgumentError(
            f"unknown metric {name!r}; expected one of {', '.join(METRICS)}",
            argument="metric",
            value=name,
        ) from None


def comparator(method: str) -> Comparator:
    """The comparator called ``method`` (pgvector-python's name, e.g. ``l2_distance``)."""
    try:
        return COMPARATORS[method]
    except KeyError:
        raise InvalidArgumentError(
            f"unknown comparator {method!r}; expected one of {', '.join(COMPARATORS)}",
            argument="method",
            value=method,
        ) from None


def opclass_name(sql_type: str, metric_name: str) -> str:
    """``ruvector_cosine_ops``, ``vector_l2_ops``, ``bit_hamming_ops``, ..."""
    return f"{sql_type}_{metric(metric_name).opclass_suffix}"


def parse_opclass(name: str) -> Opclass:
    """Take an opclass name apart; unknown names raise :class:`UnknownOpclassError`."""
    sql_type, _, suffix = name.partition("_")
    for candidate in METRICS.values():
        if suffix == candidate.opclass_suffix and any(
            candidate.name in metrics
            for (type_, _method), metrics in OPCLASS_METRICS.items()
            if type_ == sql_type
        ):
            return Opclass(sql_type, candidate.name)
    raise UnknownOpclassError(
        f"operator class {name!r} is neither pgvector's nor ruvector's", opclass=name
    )


def supports(sql_type: str, method: str, metric_name: str) -> bool:
    """Whether ``method`` indexes ``sql_type`` columns by ``metric_name``."""
    return metric_name in OPCLASS_METRICS.get((sql_type, method), ())


def default_opclass(sql_type: str, method: str) -> str | None:
    """The opclass an index gets when none is named, or None when it must be named."""
    metrics = OPCLASS_METRICS.get((sql_type, method))
    if not metrics or (sql_type, method) not in _HAS_DEFAULT_OPCLASS:
        return None
    return opclass_name(sql_type, metrics[0])


def translate_opclass(
    opclass: str | None, *, source_type: str, target_type: str, method: str
) -> str:
    """The opclass that indexes ``target_type`` exactly as ``opclass`` indexes ``source_type``.

    ``opclass=None`` means the source index used its type's default opclass. Used
    both ways: ``vector_cosine_ops`` -> ``ruvector_cosine_ops`` and back. An opclass
    with no counterpart (``vector_l1_ops``: ruvector has no L1 opclass) raises
    :class:`UnmappableIndexError` saying why; there is no silent default.
    """
    if opclass is None:
        resolved = default_opclass(source_type, method)
        if resolved is None:
            raise UnmappableIndexError(
                f"a {method} index on {source_type} without an operator class has no default "
                "to map from",
                opclass=None,
            )
        opclass = resolved
    parsed = parse_opclass(opclass)
    if parsed.sql_type != source_type:
        raise UnmappableIndexError(
            f"operator class {opclass!r} indexes {parsed.sql_type}, not {source_type}",
            opclass=opclass,
        )
    if (target_type, method) not in OPCLASS_METRICS:
        raise UnmappableIndexError(
            f"{target_type} has no {method} access method to map {opclass!r} to",
            opclass=opclass,
        )
    if not supports(target_type, method, parsed.metric):
        available = ", ".join(
            opclass_name(target_type, m) for m in OPCLASS_METRICS[(target_type, method)]
        )
        raise UnmappableIndexError(
            f"operator class {opclass!r} ({parsed.metric}) has no {target_type} {method} "
            f"counterpart; {target_type} has {available}",
            opclass=opclass,
        )
    return opclass_name(target_type, parsed.metric)


def access_method(sql_type: str, method: str, caps: Capabilities) -> str:
    """The server's access-method name for ``method`` on ``sql_type`` columns: ruvector's
    HNSW is ``ruhnsw`` where its docs hold and ``hnsw`` in the published 2.0.5."""
    if method not in METHODS:
        raise InvalidArgumentError(
            f"unknown index method {method!r}; expected one of {', '.join(METHODS)}",
            argument="method",
            value=method,
        )
    if not is_ruvector(sql_type):
        return method
    return caps.hnsw_am if method == "hnsw" else caps.ivfflat_am


def method_of_access_method(amname: str) -> str | None:
    """``ruhnsw`` / ``hnsw`` -> ``"hnsw"``, ``ruivfflat`` / ``ivfflat`` -> ``"ivfflat"``;
    None for an access method that is not a vector index (btree, gin, ...)."""
    return _ACCESS_METHODS.get(amname)


def metric_names(operands: str = "float") -> tuple[str, ...]:
    """Metric names over ``operands`` (``"float"`` vectors or ``"bit"`` strings)."""
    return tuple(m.name for m in METRICS.values() if m.operands == operands)


def comparator_of_metric(metric_name: str) -> Comparator:
    """The comparator ordering by ``metric_name``, most similar first
    (``ip`` -> ``max_inner_product``)."""
    return next(
        c for c in COMPARATORS.values() if c.metric == metric(metric_name).name and not c.negated
    )


def accel_metric(metric_name: str) -> Any:
    """accel's :class:`accel.Metric` member for ``metric_name`` (ValueError: accel has none)."""
    import accel

    name = metric(metric_name).accel
    if name is None:
        raise InvalidArgumentError(
            f"accel has no {metric_name} metric", argument="metric", value=metric_name
        )
    return accel.Metric[name.upper()]
