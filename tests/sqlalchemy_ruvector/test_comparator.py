"""Comparators: SQL per server profile, results against a numpy float64 reference,
index use, and composition with ordinary SQLAlchemy expressions."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Session, with_loader_criteria

from sqlalchemy_ruvector import RuVector, VectorIndex
from sqlalchemy_ruvector.capabilities import Capabilities
from sqlalchemy_ruvector.comparator import render_distance
from tests.helpers import plan

DIM = 16
ROWS = 2_000

metadata = sa.MetaData()
items = sa.Table(
    "cmp_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("e", RuVector(DIM), nullable=False),
    VectorIndex("cmp_l2", "e", method="hnsw", metric="l2"),
    VectorIndex("cmp_cos", "e", method="hnsw", metric="cosine"),
)


def _cosine(a: np.ndarray, q: np.ndarray) -> np.ndarray:
    return 1 - (a @ q) / (np.linalg.norm(a, axis=1) * np.linalg.norm(q))


# Reference distances in float64, and what ascending order must mean.
REFERENCE: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "l2_distance": lambda a, q: np.linalg.norm(a - q, axis=1),
    "cosine_distance": _cosine,
    "max_inner_product": lambda a, q: -(a @ q),
    "inner_product": lambda a, q: a @ q,
    "l1_distance": lambda a, q: np.abs(a - q).sum(axis=1),
}


@pytest.fixture(scope="module")
def data(engine: sa.Engine) -> np.ndarray:
    vectors = np.random.default_rng(11).standard_normal((ROWS, DIM)).astype(np.float32)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(items.insert(), [{"id": i, "e": v} for i, v in enumerate(vectors)])
        conn.exec_driver_sql("ANALYZE cmp_items")
    return vectors


@pytest.mark.parametrize("method", list(REFERENCE))
def test_distance_values_and_order(engine: sa.Engine, data: np.ndarray, method: str) -> None:
    q = data[7] * 0.5 + 0.1
    distance = getattr(items.c.e, method)(q)
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_indexscan = off")  # exact order, every profile
        rows = conn.execute(
            sa.select(items.c.id, distance.label("d")).order_by(distance, items.c.id)
        ).all()
    expected = REFERENCE[method](data.astype(np.float64), q.astype(np.float64))
    got_ids = np.array([r.id for r in rows])
    got = np.array([r.d for r in rows])
    np.testing.assert_allclose(got, expected[got_ids], rtol=1e-5, atol=1e-5)
    assert np.all(np.diff(got) >= 0)
    # "ascending = most similar first" on every server profile
    assert got_ids[0] == int(np.argmin(expected))


@pytest.mark.parametrize("method", ["l2_distance", "cosine_distance"])
def test_order_by_uses_the_index(engine: sa.Engine, data: np.ndarray, method: str) -> None:
    q = data[3]
    distance = getattr(items.c.e, method)(q)
    stmt = sa.select(items.c.id).order_by(distance).limit(5)
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # usable, not only chosen at 2k rows
        text = plan(conn, stmt)
        ids = conn.execute(stmt).scalars().all()
    index = "cmp_l2" if method == "l2_distance" else "cmp_cos"
    assert f"Index Scan using {index}" in text
    assert ids[0] == 3


def test_functions(engine: sa.Engine, data: np.ndarray) -> None:
    with engine.connect() as conn:
        dims, norm, normalized = conn.execute(
            sa.select(items.c.e.dims(), items.c.e.norm(), items.c.e.normalize()).where(
                items.c.id == 5
            )
        ).one()
    assert dims == DIM
    assert norm == pytest.approx(float(np.linalg.norm(data[5].astype(np.float64))), rel=1e-6)
    np.testing.assert_allclose(normalized, data[5] / np.linalg.norm(data[5]), rtol=1e-6)
    assert normalized.dtype == np.float32


def test_expressions_compose(engine: sa.Engine, data: np.ndarray) -> None:
    q = data[0]
    distance = items.c.e.l2_distance(q)
    stmt = (
        sa.select(items.c.id, (distance * 2 + 1).label("scaled"))
        .where(distance < 4.0)
        .where(items.c.e.cosine_distance(q) <= 1.0)
        .order_by(distance)
        .limit(3)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    assert rows[0].id == 0 and rows[0].scaled == pytest.approx(1.0)
    assert all(isinstance(r.scaled, float) for r in rows)


def test_column_operand(engine: sa.Engine, data: np.ndarray) -> None:
    other = items.alias("other")
    stmt = (
        sa.select(items.c.e.l2_distance(other.c.e))
        .select_from(items.join(other, other.c.id == 1))
        .where(items.c.id == 0)
    )
    with engine.connect() as conn:
        value = conn.execute(stmt).scalar_one()
    assert value == pytest.approx(
        float(np.linalg.norm(data[0].astype(np.float64) - data[1])), rel=1e-6
    )


# -- a distance brings its own FROM (issue 7, item 9) -----------------------------------


class _Base(DeclarativeBase):
    pass


class Item(_Base):
    """The ORM face of ``cmp_items``."""

    __table__ = items


probes = sa.Table(
    "cmp_probes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("p", RuVector(DIM), nullable=False),
)


def _l2(data: np.ndarray, q: np.ndarray) -> np.ndarray:
    return np.linalg.norm(data.astype(np.float64) - q.astype(np.float64), axis=1)


def test_distance_alone_brings_its_from(engine: sa.Engine, data: np.ndarray) -> None:
    """``select(Item.embedding.l2_distance(q))`` names no table: the FROM comes from
    the distance, as it would for ``select(Item.id + 1)``."""
    q = data[9]
    distance = Item.e.l2_distance(q)
    with Session(engine) as session:
        session.execute(sa.text("SET LOCAL enable_indexscan = off"))
        got = session.scalars(sa.select(distance).order_by(distance).limit(5)).all()
    np.testing.assert_allclose(got, np.sort(_l2(data, q))[:5], rtol=1e-5, atol=1e-5)


def test_distance_in_where_and_aggregates(engine: sa.Engine, data: np.ndarray) -> None:
    q = data[4]
    distance = items.c.e.l2_distance(q)
    reference = _l2(data, q)
    ordered = np.sort(reference)
    radius = float(ordered[39] + ordered[40]) / 2  # 40 rows inside, far from float32 rounding
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_indexscan = off")
        count = conn.execute(sa.select(sa.func.count()).where(distance < radius)).scalar_one()
        smallest, largest = conn.execute(
            sa.select(sa.func.min(distance), sa.func.max(distance))
        ).one()
        labelled = conn.execute(
            sa.select(distance.label("d")).order_by(sa.desc("d")).limit(1)
        ).scalar_one()
        between = conn.execute(
            sa.select(sa.func.count()).where(distance.between(0.0, radius))
        ).scalar_one()
    assert count == between == 40
    assert smallest == pytest.approx(0.0, abs=1e-6)
    assert largest == pytest.approx(reference.max(), rel=1e-5)
    assert labelled == pytest.approx(reference.max(), rel=1e-5)


def test_distance_between_two_tables(engine: sa.Engine, data: np.ndarray) -> None:
    """The closest pair across two tables: both FROMs come from the distance alone."""
    with engine.begin() as conn:
        conn.execute(probes.insert(), [{"id": i, "p": data[i] * 2} for i in range(3)])
    closest = sa.select(sa.func.min(items.c.e.l2_distance(probes.c.p)))
    with engine.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "SELECT statement has a cartesian product")
        got = conn.execute(closest).scalar_one()
    pairs = data.astype(np.float64)[:, None, :] - 2 * data[:3].astype(np.float64)[None, :, :]
    assert got == pytest.approx(np.linalg.norm(pairs, axis=2).min(), rel=1e-5)


def test_distance_only_statement_is_an_orm_statement(engine: sa.Engine, data: np.ndarray) -> None:
    """ORM criteria apply to a statement whose only mention of ``Item`` is a distance."""
    stmt = sa.select(Item.e.l2_distance(data[0])).options(with_loader_criteria(Item, Item.id < 10))
    with Session(engine) as session:
        assert len(session.scalars(stmt).all()) == 10


def test_sql_follows_probed_capabilities(
    caps: Capabilities, engine: sa.Engine, data: np.ndarray
) -> None:
    sql = str(sa.select(items.c.e.max_inner_product([0] * DIM)).compile(engine))
    if caps.ip_operator_sign < 0:
        assert "(cmp_items.e <#> " in sql and "-(" not in sql
    else:
        assert "(-(cmp_items.e <#> " in sql
    sql = str(sa.select(items.c.e.l1_distance([0] * DIM)).compile(engine))
    assert ("<+>" in sql) == caps.has_l1_operator
    assert ("ruvector_l1_distance(" in sql) == (not caps.has_l1_operator)


def test_offline_compile_uses_portable_functions() -> None:
    """Unprobed: function forms, correct on every ruvector build (issue 7 item 6)."""
    sql = str(
        sa.select(items.c.e.max_inner_product([0] * DIM)).compile(dialect=postgresql.dialect())
    )
    assert "(-ruvector_inner_product(cmp_items.e, %(param_1)s" in sql
    assert "<#>" not in sql


@pytest.mark.parametrize(
    ("metric", "sign", "l1", "expected"),
    [
        ("max_inner_product", -1, True, "(a <#> b)"),
        ("max_inner_product", 1, False, "(-(a <#> b))"),
        ("inner_product", 1, False, "ruvector_inner_product(a, b)"),
        ("l1", -1, True, "(a <+> b)"),
        ("l1", 1, False, "ruvector_l1_distance(a, b)"),
        ("l2", 1, False, "(a <-> b)"),
        ("cosine", 1, False, "(a <=> b)"),
    ],
)
def test_render_distance_table(metric: str, sign: int, l1: bool, expected: str) -> None:
    caps = Capabilities(probed=True, ip_operator_sign=sign, has_l1_operator=l1)
    assert render_distance(metric, "ruvector", "a", "b", caps) == expected


def test_pgvector_family_ignores_ruvector_quirks() -> None:
    caps = Capabilities(probed=True, ip_operator_sign=1, has_l1_operator=False)
    assert render_distance("max_inner_product", "pgvector", "a", "b", caps) == "(a <#> b)"
    assert render_distance("l1", "pgvector", "a", "b", caps) == "(a <+> b)"


def test_unknown_metric() -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        items.c.e.distance([0] * DIM, "hamming")
