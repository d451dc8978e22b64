"""Distances on an engine that knows nothing about the server (plain
``postgresql+psycopg``, no plugin): the SQL must mean the same on every ruvector
build, so the order is checked against numpy on each profile."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest
import sqlalchemy as sa

from sqlalchemy_ruvector import RuVector
from tests.conftest import Database

DIM, ROWS = 8, 60

table = sa.Table(
    "unprobed_items",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("e", RuVector(DIM)),
)

#: comparator method -> numpy distance of rows ``a`` to query ``q`` (ascending = nearest)
REFERENCE: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "l2_distance": lambda a, q: np.linalg.norm(a - q, axis=1),
    "cosine_distance": lambda a, q: 1 - a @ q / (np.linalg.norm(a, axis=1) * np.linalg.norm(q)),
    "max_inner_product": lambda a, q: -(a @ q),
    "inner_product": lambda a, q: a @ q,
    "l1_distance": lambda a, q: np.abs(a - q).sum(axis=1),
}


@pytest.fixture(scope="module")
def data(ruvector_db: Database) -> np.ndarray:
    return np.random.default_rng(7).standard_normal((ROWS, DIM)).astype(np.float32)


@pytest.fixture(scope="module")
def plain_engine(ruvector_db: Database, data: np.ndarray) -> Iterator[sa.Engine]:
    engine = sa.create_engine(ruvector_db.url)  # postgresql+psycopg, no plugin
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"id": i, "e": v} for i, v in enumerate(data)])
    yield engine
    table.drop(engine)
    engine.dispose()


@pytest.mark.parametrize("method", list(REFERENCE))
def test_plain_psycopg_orders_as_numpy(
    plain_engine: sa.Engine, data: np.ndarray, method: str
) -> None:
    q = np.random.default_rng(11).standard_normal(DIM).astype(np.float32)
    distance = getattr(table.c.e, method)(q)
    with plain_engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.id, distance).order_by(distance, table.c.id)).all()
    expected = REFERENCE[method](data.astype(np.float64), q.astype(np.float64))
    assert [r[0] for r in rows] == np.argsort(expected, kind="stable").tolist()
    got = np.array([r[1] for r in rows])
    assert got == pytest.approx(np.sort(expected), rel=1e-5, abs=1e-5)


def test_plain_psycopg_agrees_with_the_dialect(
    plain_engine: sa.Engine, engine: sa.Engine, data: np.ndarray
) -> None:
    q = data[3] + 0.1
    for method in REFERENCE:
        stmt = sa.select(table.c.id).order_by(getattr(table.c.e, method)(q)).limit(10)
        with plain_engine.connect() as plain, engine.connect() as ours:
            assert plain.execute(stmt).scalars().all() == ours.execute(stmt).scalars().all()
