"""Other libraries' column types under our dialect and plugin: pgvector-python's
``Vector``/``HALFVEC``/``SPARSEVEC`` must behave exactly as on plain psycopg (an app
mid-migration keeps them while adding ``plugins=["ruvector"]``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Session

from sqlalchemy_ruvector import PgVector
from tests.conftest import Database

pgvector_sqlalchemy = pytest.importorskip("pgvector.sqlalchemy")
SparseVector = pytest.importorskip("pgvector").SparseVector

ENGINES = ("plain", "plugin", "dialect")

table = sa.Table(
    "pgvector_python_items",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("v", pgvector_sqlalchemy.Vector(3)),
    sa.Column("h", pgvector_sqlalchemy.HALFVEC(3)),
    sa.Column("s", pgvector_sqlalchemy.SPARSEVEC(5)),
    sa.Column("ours", PgVector(3)),  # our type for pgvector's vector, side by side
)

ROWS: list[dict[str, Any]] = [
    {
        "id": i,
        "v": [float(i), 1.0, -0.5],
        "h": [0.5, float(i), 2.0],
        "s": SparseVector({0: float(i), 4: 1.5}, 5),
        "ours": [float(i), 1.0, -0.5],
    }
    for i in range(1, 6)
]


class Base(DeclarativeBase):
    pass


class Item(Base):
    """The ORM view of the same table, as an app mid-migration maps it."""

    __table__ = table


@pytest.fixture(scope="module")
def engines(pgvector_db: Database, pgvector_engine: sa.Engine) -> Iterator[dict[str, sa.Engine]]:
    made = {
        "plain": sa.create_engine(pgvector_db.url),
        "plugin": sa.create_engine(pgvector_db.url, plugins=["ruvector"]),
    }
    table.create(made["plain"])
    yield {**made, "dialect": pgvector_engine}
    table.drop(made["plain"])
    for engine in made.values():
        engine.dispose()


def described(value: Any) -> tuple[str, Any]:
    """A value's type and contents, comparable across engines."""
    if isinstance(value, np.ndarray):
        return (f"ndarray[{value.dtype}]", value.tolist())
    if isinstance(value, SparseVector):
        return ("SparseVector", (value.dimensions(), value.indices(), value.values()))
    return (type(value).__name__, value)


def round_trip(engine: sa.Engine) -> dict[str, Any]:
    """Write through ``engine``, then read rows, orders and a column alone."""
    q = [1.0, 1.0, 0.0]
    with engine.connect() as conn:
        conn.execute(table.delete())
        conn.execute(table.insert(), ROWS)
        rows = conn.execute(sa.select(table).order_by(table.c.id)).all()
        orders = {
            name: conn.execute(
                sa.select(table.c.id).order_by(getattr(table.c.v, name)(q), table.c.id)
            )
            .scalars()
            .all()
            for name in ("l2_distance", "max_inner_product", "cosine_distance", "l1_distance")
        }
        alone = conn.execute(sa.select(table.c.v).where(table.c.id == 2)).scalar_one()
        text_v = conn.execute(sa.text("SELECT v FROM pgvector_python_items WHERE id = 2")).scalar()
        with Session(conn, join_transaction_mode="create_savepoint") as session:
            item = session.get(Item, 4)
            assert item is not None
            entity = [described(item.v), described(item.h), described(item.s)]
            item.v = [9.0, 9.0, 9.0]
            session.flush()
            session.expire(item)
            entity.append(described(item.v))
        conn.rollback()
    return {
        "rows": [[described(x) for x in row[:4]] for row in rows],
        "orders": orders,
        "alone": described(alone),
        "text": described(text_v),
        "entity": entity,
    }


@pytest.mark.parametrize("name", ENGINES[1:])
def test_pgvector_python_types_as_on_plain_psycopg(
    engines: dict[str, sa.Engine], name: str
) -> None:
    expected = round_trip(engines["plain"])
    assert expected["alone"] == ("list", [2.0, 1.0, -0.5])  # pgvector-python's own form
    assert round_trip(engines[name]) == expected


@pytest.mark.parametrize("name", ENGINES[1:])
def test_our_type_beside_theirs(engines: dict[str, sa.Engine], name: str) -> None:
    with engines[name].connect() as conn:
        conn.execute(table.delete())
        conn.execute(table.insert(), ROWS)
        row = conn.execute(sa.select(table.c.v, table.c.ours).where(table.c.id == 3)).one()
        conn.rollback()
    assert row.v == [3.0, 1.0, -0.5]
    assert isinstance(row.ours, np.ndarray) and row.ours.dtype == np.float32
    assert row.ours.tolist() == [3.0, 1.0, -0.5]
