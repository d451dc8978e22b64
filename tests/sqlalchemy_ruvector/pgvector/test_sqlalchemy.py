"""pgvector-python's SQLAlchemy behaviour, with only the import changed: vectors.

Written from pgvector-python 0.5's README (SQLAlchemy section) and its own SQLAlchemy
tests: the same models, calls and expected results, on each profile and each of the
three engine set-ups. Bits, binary quantization, halfvec and sparsevec are in
test_sqlalchemy_types.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy import ARRAY, Column, Index, Integer, MetaData, Table, insert, inspect, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.automap import automap_base
from sqlalchemy.orm import Session

from sqlalchemy_ruvector.pgvector.sqlalchemy import (
    BIT,
    VECTOR,
    Vector,
    avg,
    sum,
)
from tests.conftest import Database

from .orm_setup import (
    DENSE_ORDERS,
    Item,
    array_engine,
    create_hnsw_index,
    create_items,
    detach_indexes,
    engine,
    tables,
)

__all__ = ["array_engine", "detach_indexes", "engine", "tables"]  # fixtures used here

# -- README, SQLAlchemy section -----------------------------------------------------------


def test_readme_sqlalchemy_section(engine: sa.Engine) -> None:
    item = Item(id=1, embedding=[1, 2, 3])
    with Session(engine) as session:
        session.add(item)
        session.commit()
        session.add(Item(id=2, embedding=[3, 1, 2]))
        session.commit()

        nearest = session.scalars(
            select(Item).order_by(Item.embedding.l2_distance([3, 1, 2])).limit(5)
        )
        assert [i.id for i in nearest] == [2, 1]
        distances = session.scalars(select(Item.embedding.l2_distance([3, 1, 2]))).all()
        assert sorted(distances) == pytest.approx([0.0, 6**0.5])
        within = session.scalars(select(Item).filter(Item.embedding.l2_distance([3, 1, 2]) < 5))
        assert {i.id for i in within} == {1, 2}
        assert session.scalars(select(avg(Item.embedding))).first() == [2.0, 1.5, 2.5]
        assert session.scalars(select(sum(Item.embedding))).first() == [4.0, 3.0, 5.0]


@pytest.mark.parametrize(
    ("using", "with_"), [("hnsw", {"m": 16, "ef_construction": 64}), ("ivfflat", {"lists": 1})]
)
@pytest.mark.parametrize("opclass", ["vector_l2_ops", "vector_ip_ops", "vector_cosine_ops"])
def test_readme_approximate_index(
    engine: sa.Engine, dropin_db: Database, using: str, with_: dict[str, int], opclass: str
) -> None:
    create_items(engine)
    index = Index(
        "my_index",
        Item.embedding,
        postgresql_using=using,
        postgresql_with=with_,
        postgresql_ops={"embedding": opclass},
    )
    if using == "hnsw" and not create_hnsw_index(engine, dropin_db, index):
        return
    if using == "ivfflat":
        index.create(engine)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT a.amname, o.opcname FROM pg_index i"
                    " JOIN pg_class c ON c.oid = i.indexrelid"
                    " JOIN pg_am a ON a.oid = c.relam JOIN pg_opclass o ON o.oid = i.indclass[0]"
                    " WHERE c.relname = 'my_index'"
                )
            ).one()
        assert row.opcname == "ruvector_" + opclass.removeprefix("vector_")
        assert row.amname in ({"hnsw", "ruhnsw"} if using == "hnsw" else {"ruivfflat"})
        with Session(engine) as session:
            items = session.scalars(select(Item).order_by(Item.embedding.l2_distance([1, 1, 1])))
            assert [i.id for i in items] == [1, 3, 2]
    finally:
        index.drop(engine)


def test_core(engine: sa.Engine, dropin_db: Database) -> None:
    metadata = MetaData()
    item_table = Table(
        "sqlalchemy_core_item",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("embedding", VECTOR(3)),
        Column("binary_embedding", BIT(3)),
        Column("embeddings", ARRAY(VECTOR(3))),
    )
    metadata.drop_all(engine)
    metadata.create_all(engine)
    Index(
        "sqlalchemy_core_ivfflat_index",
        item_table.c.embedding,
        postgresql_using="ivfflat",
        postgresql_with={"lists": 1},
        postgresql_ops={"embedding": "vector_l2_ops"},
    ).create(engine)
    hnsw_index = Index(
        "sqlalchemy_core_hnsw_index",
        item_table.c.embedding,
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_l2_ops"},
    )
    create_hnsw_index(engine, dropin_db, hnsw_index)
    with engine.begin() as conn:
        conn.execute(insert(item_table), [{"id": 1, "embedding": [1, 2, 3]}])
        assert conn.execute(select(item_table.c.embedding)).scalar_one() == [1.0, 2.0, 3.0]
    metadata.drop_all(engine)


# -- values, ORM -------------------------------------------------------------------------


def test_orm(engine: sa.Engine) -> None:
    with Session(engine) as session:
        session.add(Item(id=1, embedding=np.array([1.5, 2, 3])))
        session.add(Item(id=2, embedding=[4, 5, 6]))
        session.add(Item(id=3))
        session.commit()
    with Session(engine) as session:
        items = [v[0] for v in session.execute(select(Item).order_by(Item.id)).all()]
        assert items[0].embedding == [1.5, 2.0, 3.0]
        assert type(items[0].embedding) is list
        assert items[1].embedding == [4.0, 5.0, 6.0]
        assert items[2].embedding is None


def test_vector(engine: sa.Engine) -> None:
    with Session(engine) as session:
        session.add(Item(id=1, embedding=[1, 2, 3]))
        session.commit()
        item = session.get(Item, 1)
        assert item is not None and item.embedding == [1, 2, 3]


@pytest.mark.parametrize(("method", "expected"), DENSE_ORDERS.items())
def test_vector_distances(engine: sa.Engine, method: str, expected: list[int]) -> None:
    create_items(engine)
    with Session(engine) as session:
        order = getattr(Item.embedding, method)([1, 1, 1])
        assert [v.id for v in session.query(Item).order_by(order, Item.id).all()] == expected
        assert [v.id for v in session.scalars(select(Item).order_by(order, Item.id))] == expected


def test_filter(engine: sa.Engine) -> None:
    create_items(engine)
    with Session(engine) as session:
        items = session.query(Item).filter(Item.embedding.l2_distance([1, 1, 1]) < 1).all()
        assert [v.id for v in items] == [1]
        items = list(
            session.scalars(select(Item).filter(Item.embedding.l2_distance([1, 1, 1]) < 1))
        )
        assert [v.id for v in items] == [1]


def test_select_distance(engine: sa.Engine) -> None:
    with Session(engine) as session:
        session.add(Item(id=9, embedding=[2, 3, 3]))
        first = session.query(Item.embedding.l2_distance([1, 1, 1])).first()
        assert first is not None and first[0] == 3
        assert session.scalars(select(Item.embedding.l2_distance([1, 1, 1]))).all() == [3]


@pytest.mark.parametrize("aggregate", [avg, sum])
def test_avg_sum(engine: sa.Engine, aggregate: type) -> None:
    expected = [2.5, 3.5, 4.5] if aggregate is avg else [5.0, 7.0, 9.0]
    with Session(engine) as session:
        first = session.query(aggregate(Item.embedding)).first()
        assert first is not None and first[0] is None
        assert session.scalars(select(aggregate(Item.embedding))).first() is None
        session.add(Item(id=1, embedding=[1, 2, 3]))
        session.add(Item(id=2, embedding=[4, 5, 6]))
        first = session.query(aggregate(Item.embedding)).first()
        assert first is not None and first[0] == expected
        assert session.scalars(select(aggregate(Item.embedding))).first() == expected


def test_avg_grouped(engine: sa.Engine) -> None:
    """The aggregate is an aggregate in every rendering: per group, with GROUP BY."""
    with Session(engine) as session:
        session.add(Item(id=1, embedding=[1, 1, 1], binary_embedding="101"))
        session.add(Item(id=2, embedding=[2, 2, 4], binary_embedding="101"))
        session.add(Item(id=3, embedding=[1, 1, 2], binary_embedding="000"))
        session.commit()
        rows = session.execute(
            select(Item.binary_embedding, avg(Item.embedding), sum(Item.embedding))
            .group_by(Item.binary_embedding)
            .order_by(Item.binary_embedding)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("000", [1.0, 1.0, 2.0], [1.0, 1.0, 2.0]),
        ("101", [1.5, 1.5, 2.5], [3.0, 3.0, 5.0]),
    ]


def test_avg_sum_filtered(engine: sa.Engine) -> None:
    """``.filter()`` applies to every aggregate of the rendering, native or portable."""
    create_items(engine)
    with Session(engine) as session:
        row = session.execute(
            select(
                avg(Item.embedding).filter(Item.id > 1),
                sum(Item.embedding).filter(Item.id > 1),
                avg(Item.embedding).filter(Item.id > 5),
            )
        ).one()
    assert tuple(row) == ([1.5, 1.5, 2.0], [3.0, 3.0, 4.0], None)


# -- bad input: StatementError as with pgvector-python, before any SQL ---------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1, 2], "expected 3 dimensions, not 2"),
        (np.array([[1, 2, 3]]), "expected ndim to be 1"),
        (np.array(["one", "two", "three"]), "could not convert string to float"),
    ],
)
def test_bad_input(engine: sa.Engine, value: object, message: str) -> None:
    with Session(engine) as session:
        session.add(Item(id=1, embedding=value))
        with pytest.raises(StatementError, match=message) as info:
            session.commit()
        assert isinstance(info.value.orig, ValueError)
        assert "sqlalchemy_orm_item.embedding" in str(info.value)
    with Session(engine) as session:
        assert session.query(Item).count() == 0


# -- reflection, literal binds, inserts, automap --------------------------------------------


def test_inspect(engine: sa.Engine) -> None:
    columns = inspect(engine).get_columns("sqlalchemy_orm_item")
    assert isinstance(columns[1]["type"], VECTOR)
    assert columns[1]["type"].dim == 3


def test_literal_binds(engine: sa.Engine) -> None:
    sql = (
        select(Item)
        .order_by(Item.embedding.l2_distance([1, 2, 3]))
        .compile(engine, compile_kwargs={"literal_binds": True})
    )
    assert "embedding <-> '[1.0,2.0,3.0]'" in str(sql)
    with engine.connect() as conn:
        assert conn.execute(text(str(sql))).all() == []
    bits = (
        select(Item.id)
        .where(Item.binary_embedding == "101")
        .order_by(Item.binary_embedding.hamming_distance("111"))
    )
    sql = bits.compile(engine, compile_kwargs={"literal_binds": True})
    assert "binary_embedding = B'101'" in str(sql)
    with engine.connect() as conn:
        assert conn.execute(text(str(sql))).all() == []


def test_insert(engine: sa.Engine) -> None:
    with Session(engine) as session:
        session.execute(insert(Item).values(id=1, embedding=np.array([1, 2, 3])))
        session.execute(insert(Item), [{"id": 2, "embedding": np.array([1, 2, 3])}])
        assert session.scalars(select(Item.embedding)).all() == [[1, 2, 3], [1, 2, 3]]


def test_automap(engine: sa.Engine) -> None:
    metadata = MetaData()
    metadata.reflect(engine, only=["sqlalchemy_orm_item"])
    auto_base = automap_base(metadata=metadata)
    auto_base.prepare()
    auto_item = auto_base.classes.sqlalchemy_orm_item
    with Session(engine) as session:
        session.execute(insert(auto_item), [{"id": 1, "embedding": np.array([1, 2, 3])}])
        item = session.query(auto_item).first()
        assert item.embedding == [1, 2, 3]


def test_vector_array(array_engine: sa.Engine) -> None:
    engine = array_engine
    with Session(engine) as session:
        session.add(Item(id=1, embeddings=[np.array([1, 2, 3]), np.array([4, 5, 6])]))
        session.commit()
        item = session.get(Item, 1)
        assert item is not None
        assert item.embeddings == [[1, 2, 3], [4, 5, 6]]


def test_pgvector_value_objects_bind(engine: sa.Engine) -> None:
    pgvector = pytest.importorskip("pgvector")
    with Session(engine) as session:
        session.add(Item(id=1, embedding=pgvector.Vector([1, 2, 3])))
        session.commit()
        assert session.scalars(select(Item.embedding)).one() == [1, 2, 3]
        order = Item.embedding.l2_distance(pgvector.Vector([1, 2, 3]))
        assert session.scalars(select(order)).one() == 0


def test_vector_is_vector() -> None:
    """``Vector`` and ``VECTOR`` are one type, and ``Vector(3)`` is a ``ruvector(3)`` column."""
    assert Vector is VECTOR
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    ddl = str(CreateTable(Item.__table__).compile(dialect=postgresql.dialect()))
    assert "embedding ruvector(3)" in ddl and "binary_embedding BIT(3)" in ddl
