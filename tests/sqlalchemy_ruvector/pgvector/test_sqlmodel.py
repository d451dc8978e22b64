"""pgvector-python's README, SQLModel section, with only the import changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, Index

from sqlalchemy_ruvector.pgvector.sqlalchemy import BIT, HALFVEC, SPARSEVEC, Vector, avg, sum
from tests.conftest import Database

from .conftest import has_halfvec, make_engine

sqlmodel = pytest.importorskip("sqlmodel")
Field, Session, SQLModel, select = (
    sqlmodel.Field,
    sqlmodel.Session,
    sqlmodel.SQLModel,
    sqlmodel.select,
)


class Item(SQLModel, table=True):  # type: ignore[misc, call-arg]
    __tablename__ = "sqlmodel_item"

    id: int | None = Field(default=None, primary_key=True)
    embedding: Any = Field(sa_column=Column(Vector(3)))
    binary_embedding: Any = Field(sa_column=Column(BIT(3)))


class HalfItem(SQLModel, table=True):  # type: ignore[misc, call-arg]
    __tablename__ = "sqlmodel_half_item"

    id: int | None = Field(default=None, primary_key=True)
    half_embedding: Any = Field(sa_column=Column(HALFVEC(3)))
    sparse_embedding: Any = Field(sa_column=Column(SPARSEVEC(3)))


@pytest.fixture(scope="module", autouse=True)
def tables(dropin_db: Database) -> Iterator[None]:
    engine = make_engine(dropin_db, "dialect")
    Item.__table__.create(engine)  # type: ignore[attr-defined]
    if has_halfvec(dropin_db):
        HalfItem.__table__.create(engine)  # type: ignore[attr-defined]
    engine.dispose()
    yield


@pytest.fixture
def engine(dropin_engine: sa.Engine, dropin_db: Database) -> sa.Engine:
    with Session(dropin_engine) as session:
        session.exec(sa.delete(Item))  # type: ignore[call-overload]
        if has_halfvec(dropin_db):
            session.exec(sa.delete(HalfItem))  # type: ignore[call-overload]
        session.commit()
    return dropin_engine


def test_readme_sqlmodel_section(engine: sa.Engine, dropin_db: Database) -> None:
    with Session(engine) as session:
        item = Item(embedding=[1, 2, 3])
        session.add(item)
        session.commit()
        session.add(Item(embedding=[3, 1, 2], binary_embedding="101"))
        session.commit()

        nearest = session.exec(
            select(Item).order_by(Item.embedding.l2_distance([3, 1, 2])).limit(5)
        )
        assert [i.embedding for i in nearest] == [[3, 1, 2], [1, 2, 3]]
        for method in ("max_inner_product", "cosine_distance", "l1_distance"):
            order = getattr(Item.embedding, method)([3, 1, 2])
            assert session.exec(select(Item).order_by(order).limit(1)).one().embedding == [3, 1, 2]
        distances = session.exec(select(Item.embedding.l2_distance([3, 1, 2]))).all()
        assert sorted(distances) == pytest.approx([0.0, 6**0.5])
        within = session.exec(select(Item).filter(Item.embedding.l2_distance([3, 1, 2]) < 5)).all()
        assert len(within) == 2
        assert session.exec(select(avg(Item.embedding))).first() == [2.0, 1.5, 2.5]
        assert session.exec(select(sum(Item.embedding))).first() == [4.0, 3.0, 5.0]
        hamming = Item.binary_embedding.hamming_distance("101")
        jaccard = Item.binary_embedding.jaccard_distance("101")
        assert session.exec(select(hamming).where(Item.binary_embedding.is_not(None))).one() == 0
        assert session.exec(select(jaccard).where(Item.binary_embedding.is_not(None))).one() == 0

    index = Index(
        "sqlmodel_index",
        Item.embedding,
        postgresql_using="ivfflat",
        postgresql_with={"lists": 1},
        postgresql_ops={"embedding": "vector_l2_ops"},
    )
    index.create(engine)
    index.drop(engine)
    Item.__table__.indexes.discard(index)  # type: ignore[attr-defined]


def test_halfvec_sparsevec(engine: sa.Engine, dropin_db: Database) -> None:
    if not has_halfvec(dropin_db):
        pytest.skip("no halfvec/sparsevec on the published 2.0.5 (refusals: test_sqlalchemy)")
    with Session(engine) as session:
        session.add(HalfItem(half_embedding=[1, 2, 3], sparse_embedding=[1, 0, 2]))
        session.commit()
        item = session.exec(select(HalfItem)).one()
        assert item.half_embedding == [1, 2, 3]
        assert item.sparse_embedding.to_list() == [1, 0, 2]
        order = HalfItem.half_embedding.l2_distance([1, 2, 3])
        assert session.exec(select(order)).one() == 0
