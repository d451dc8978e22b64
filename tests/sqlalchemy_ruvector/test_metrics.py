"""The metric vocabulary and the pgvector <-> ruvector opclass mapping."""

from __future__ import annotations

from typing import Any

import pytest

from sqlalchemy_ruvector.capabilities import DOCUMENTED, Capabilities
from sqlalchemy_ruvector.errors import UnknownOpclassError, UnmappableIndexError
from sqlalchemy_ruvector.metrics import (
    COMPARATORS,
    DISTANCES,
    METRICS,
    OPCLASS_METRICS,
    Opclass,
    accel_metric,
    access_method,
    comparator,
    comparator_of_metric,
    default_opclass,
    method_of_access_method,
    metric,
    metric_names,
    opclass_name,
    parse_opclass,
    translate_opclass,
)

_CATALOG = """
SELECT t.typname, a.amname, c.opcname, c.opcdefault
  FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod JOIN pg_type t ON t.oid = c.opcintype
 WHERE a.amname IN ('hnsw', 'ruhnsw', 'ivfflat', 'ruivfflat')
"""


def _catalog(conn: Any) -> dict[tuple[str, str], tuple[set[str], set[str]]]:
    """(type, abstract method) -> (metrics with an opclass, default opclasses)."""
    found: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for typname, amname, opcname, is_default in conn.execute(_CATALOG).fetchall():
        method = method_of_access_method(amname)
        assert method is not None, amname
        metrics, defaults = found.setdefault((typname, method), (set(), set()))
        metrics.add(parse_opclass(opcname).metric)
        if is_default:
            defaults.add(opcname)
    return found


def test_opclass_table_matches_pgvector_and_ruvector_catalogs(pgvector_db: Any) -> None:
    with pgvector_db.connect() as conn:
        found = _catalog(conn)
    assert set(found) == set(OPCLASS_METRICS)
    for key, (metrics, defaults) in found.items():
        assert metrics == set(OPCLASS_METRICS[key]), key
        expected_default = default_opclass(*key)
        assert defaults == ({expected_default} if expected_default else set()), key


def test_ruvector_opclasses_on_every_profile(ruvector_db: Any) -> None:
    with ruvector_db.connect() as conn:
        found = _catalog(conn)
    ours = {key: value for key, value in found.items() if key[0] == "ruvector"}
    assert {key: value[0] for key, value in ours.items()} == {
        key: set(value) for key, value in OPCLASS_METRICS.items() if key[0] == "ruvector"
    }


def test_names_round_trip() -> None:
    for (sql_type, _method), metrics in OPCLASS_METRICS.items():
        for name in metrics:
            assert parse_opclass(opclass_name(sql_type, name)) == Opclass(sql_type, name)
    assert Opclass("ruvector", "ip").name == "ruvector_ip_ops"


@pytest.mark.parametrize(
    ("source", "method", "expected"),
    [
        ("vector_l2_ops", "hnsw", "ruvector_l2_ops"),
        ("vector_cosine_ops", "hnsw", "ruvector_cosine_ops"),
        ("vector_ip_ops", "ivfflat", "ruvector_ip_ops"),
        (None, "ivfflat", "ruvector_l2_ops"),
    ],
)
def test_translate_to_ruvector_and_back(source: str | None, method: str, expected: str) -> None:
    there = translate_opclass(source, source_type="vector", target_type="ruvector", method=method)
    assert there == expected
    back = translate_opclass(there, source_type="ruvector", target_type="vector", method=method)
    assert back == (source or "vector_l2_ops")


@pytest.mark.parametrize(
    ("source", "source_type", "method", "reason"),
    [
        ("vector_l1_ops", "vector", "hnsw", "no ruvector hnsw counterpart"),
        ("bit_hamming_ops", "bit", "hnsw", "no ruvector hnsw counterpart"),
        (None, "vector", "hnsw", "without an operator class"),
        ("halfvec_l2_ops", "vector", "hnsw", "indexes halfvec, not vector"),
        (None, "bit", "hnsw", "without an operator class"),
    ],
)
def test_unmappable_opclasses_are_refused_with_the_reason(
    source: str | None, source_type: str, method: str, reason: str
) -> None:
    with pytest.raises(UnmappableIndexError, match=reason) as info:
        translate_opclass(source, source_type=source_type, target_type="ruvector", method=method)
    assert isinstance(info.value, ValueError)
    assert info.value.opclass == source


def test_ivfflat_sparsevec_has_no_opclass() -> None:
    with pytest.raises(UnmappableIndexError, match="no ivfflat access method"):
        translate_opclass(
            "ruvector_l2_ops", source_type="ruvector", target_type="sparsevec", method="ivfflat"
        )


@pytest.mark.parametrize("name", ["vector_l3_ops", "foo_l2_ops", "ruvector_l1_ops", "gist_ops"])
def test_unknown_opclass(name: str) -> None:
    with pytest.raises(UnknownOpclassError, match=repr(name)) as info:
        parse_opclass(name)
    assert isinstance(info.value, LookupError)
    assert info.value.opclass == name


def test_access_methods_follow_the_probe() -> None:
    published = Capabilities(probed=True, hnsw_am="hnsw", extension_version="2.0.5")
    assert access_method("ruvector", "hnsw", DOCUMENTED) == "ruhnsw"
    assert access_method("ruvector", "hnsw", published) == "hnsw"
    assert access_method("ruvector", "ivfflat", published) == "ruivfflat"
    assert access_method("vector", "hnsw", DOCUMENTED) == "hnsw"
    assert method_of_access_method("ruhnsw") == "hnsw"
    assert method_of_access_method("btree") is None
    with pytest.raises(ValueError, match="unknown index method 'diskann'"):
        access_method("ruvector", "diskann", DOCUMENTED)


def test_comparators_and_metrics() -> None:
    assert comparator("inner_product").negated
    assert comparator("max_inner_product").metric == "ip"
    assert {c.metric for c in COMPARATORS.values()} == set(METRICS)
    assert metric("ip").function_sign == -1
    with pytest.raises(ValueError, match="unknown metric 'dot'"):
        metric("dot")
    with pytest.raises(ValueError, match="unknown comparator 'dot'"):
        comparator("dot")


def test_accel_knows_every_metric_named_for_it() -> None:
    import accel

    q = [[1.0, 0.0]]
    for m in METRICS.values():
        if m.accel is not None:
            assert accel.distances(q, q, m.accel).shape == (1, 1)


def test_accel_metric_codes_come_from_the_table() -> None:
    import accel

    for m in METRICS.values():
        if m.accel is None:
            with pytest.raises(ValueError, match=f"accel has no {m.name} metric"):
                accel_metric(m.name)
        else:
            code = accel_metric(m.name)
            assert isinstance(code, accel.Metric)
            assert code.name.lower() == m.accel


def test_every_metric_vocabulary_is_read_from_the_table() -> None:
    """The comparator, BitDistance, rerank, VectorIndex and hybrid keep no list of
    their own: each one is the table filtered by what it handles."""
    from sqlalchemy_ruvector import comparator as comparator_module
    from sqlalchemy_ruvector import hybrid, indexes, rerank
    from sqlalchemy_ruvector.comparator import DenseComparator
    from sqlalchemy_ruvector.types.bit import BIT, BIT_METRICS

    float_metrics = metric_names("float")
    assert set(float_metrics) | set(BIT_METRICS) == set(METRICS)
    assert float_metrics == indexes.METRICS
    assert tuple(m.name for m in METRICS.values() if m.accel) == rerank.METRICS
    assert set(hybrid.HYBRID_METRICS) == {m.name for m in METRICS.values() if m.similarity}
    assert set(comparator_module.METRICS) == {
        c.distance for c in COMPARATORS.values() if c.metric in float_metrics
    }
    for c in COMPARATORS.values():
        owner = DenseComparator if c.metric in float_metrics else BIT.Comparator
        assert callable(getattr(owner, c.method)), c.method
        assert DISTANCES[c.distance] is c
    for name in set(hybrid.HYBRID_METRICS) | set(rerank.METRICS):
        assert comparator_of_metric(name).metric == name
        assert not comparator_of_metric(name).negated
