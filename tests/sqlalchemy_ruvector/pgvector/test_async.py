"""The drop-in on asyncio engines: ``postgresql+ruvector_async``,
``postgresql+psycopg_async`` with the plugin, and plain ``postgresql+psycopg_async``
after the import; as pgvector-python's async SQLAlchemy tests use them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy import ARRAY, Integer, select
from sqlalchemy.exc import CompileError, ProgrammingError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import declarative_base, mapped_column

from sqlalchemy_ruvector.pgvector.sqlalchemy import (
    BIT,
    HALFVEC,
    SPARSEVEC,
    VECTOR,
    SparseVector,
    avg,
    sum,
)
from tests.conftest import Database

from .conftest import has_halfvec, make_async_engine, make_engine

Base = declarative_base()


class Item(Base):  # type: ignore[misc, valid-type]
    __tablename__ = "sqlalchemy_async_item"

    id = mapped_column(Integer, primary_key=True)
    embedding = mapped_column(VECTOR(3))
    binary_embedding = mapped_column(BIT(3))
    embeddings = mapped_column(ARRAY(VECTOR(3)))


HalfBase = declarative_base()


class HalfItem(HalfBase):  # type: ignore[misc, valid-type]
    __tablename__ = "sqlalchemy_async_half_item"

    id = mapped_column(Integer, primary_key=True)
    half_embedding = mapped_column(HALFVEC(3))
    sparse_embedding = mapped_column(SPARSEVEC(3))


@pytest.fixture(scope="module", autouse=True)
def tables(dropin_db: Database) -> Iterator[None]:
    engine = make_engine(dropin_db, "dialect")
    Base.metadata.create_all(engine)
    if has_halfvec(dropin_db):
        HalfBase.metadata.create_all(engine)
    engine.dispose()
    yield


def run(dropin_db: Database, setup: str, body: Callable[[AsyncEngine], Awaitable[None]]) -> None:
    """Run ``body`` on a fresh async engine of ``setup``, on empty tables."""

    async def main() -> None:
        engine = make_async_engine(dropin_db, setup)
        try:
            async with engine.begin() as conn:
                await conn.execute(sa.delete(Item))
                if has_halfvec(dropin_db):
                    await conn.execute(sa.delete(HalfItem))
            await body(engine)
        finally:
            await engine.dispose()

    asyncio.run(main())


def test_vector(dropin_db: Database, setup: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        async_session = async_sessionmaker(engine, expire_on_commit=False)
        async with async_session() as session, session.begin():
            session.add(Item(id=1, embedding=np.array([1, 2, 3])))
            session.add(Item(id=2, embedding=[4, 5, 6]))
            item = await session.get(Item, 1)
            assert item is not None and item.embedding == [1, 2, 3]
            nearest = await session.scalars(
                select(Item).order_by(Item.embedding.max_inner_product([1, 1, 1])).limit(5)
            )
            assert [i.id for i in nearest] == [2, 1]
            nearest = await session.scalars(
                select(Item).order_by(Item.embedding.l1_distance([4, 5, 7])).limit(5)
            )
            assert [i.id for i in nearest] == [2, 1]

    run(dropin_db, setup, body)


def test_avg_sum(dropin_db: Database, setup: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with AsyncSession(engine) as session, session.begin():
            assert (await session.scalars(select(avg(Item.embedding)))).first() is None
            session.add(Item(id=1, embedding=[1, 2, 3]))
            session.add(Item(id=2, embedding=[4, 5, 6]))
            assert (await session.scalars(select(avg(Item.embedding)))).first() == [2.5, 3.5, 4.5]
            assert (await session.scalars(select(sum(Item.embedding)))).first() == [5, 7, 9]

    run(dropin_db, setup, body)


def test_bad_dimensions(dropin_db: Database, setup: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with AsyncSession(engine) as session:
            session.add(Item(id=1, embedding=[1, 2]))
            with pytest.raises(StatementError, match="expected 3 dimensions, not 2"):
                await session.commit()

    run(dropin_db, setup, body)


def test_bit(dropin_db: Database, setup: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with AsyncSession(engine) as session, session.begin():
            session.add(Item(id=1, binary_embedding="101"))
            session.add(Item(id=2, binary_embedding="000"))
            item = await session.get(Item, 1)
            assert item is not None and item.binary_embedding == "101"
            order = Item.binary_embedding.hamming_distance("100")
            assert [i.id for i in await session.scalars(select(Item).order_by(order))] == [1, 2]

    run(dropin_db, setup, body)


def test_vector_array(dropin_db: Database, setup: str) -> None:
    """Arrays of vectors need the driver to know the type: our async dialect and the
    plugin register it; on a plain engine pgvector's README registers it by hand."""

    async def body(engine: AsyncEngine) -> None:
        if setup == "plain":

            @sa.event.listens_for(engine.sync_engine, "connect")
            def connect(dbapi_connection: Any, connection_record: object) -> None:
                from sqlalchemy_ruvector.pgvector.psycopg import register_vector_async

                dbapi_connection.run_async(register_vector_async)

            await engine.dispose()  # the pooled connection predates the listener

        async with AsyncSession(engine) as session, session.begin():
            session.add(Item(id=1, embeddings=[np.array([1, 2, 3]), np.array([4, 5, 6])]))
            item = await session.get(Item, 1)
            assert item is not None and item.embeddings == [[1, 2, 3], [4, 5, 6]]

    run(dropin_db, setup, body)


def test_halfvec_sparsevec(dropin_db: Database, setup: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with AsyncSession(engine) as session:
            if not has_halfvec(dropin_db):
                cast = sa.func.cast(Item.embedding, HALFVEC(3))
                with pytest.raises(
                    (CompileError, ProgrammingError), match=r'type "?halfvec"? does not exist'
                ):
                    await session.scalars(select(cast.l2_distance([1, 2, 3])))
                return
            async with session.begin():
                session.add(HalfItem(id=1, half_embedding=[1, 2, 3], sparse_embedding=[1, 0, 3]))
                item = await session.get(HalfItem, 1)
                assert item is not None and item.half_embedding == [1, 2, 3]
                assert item.sparse_embedding == SparseVector({0: 1, 2: 3}, 3)

    run(dropin_db, setup, body)
