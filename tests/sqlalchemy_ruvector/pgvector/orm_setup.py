"""Models, fixtures and helpers shared by the drop-in SQLAlchemy tests: the models of
pgvector-python's own SQLAlchemy tests, with only the import changed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import ARRAY, Index, Integer
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session, declarative_base, mapped_column

from sqlalchemy_ruvector.pgvector.sqlalchemy import BIT, HALFVEC, SPARSEVEC, VECTOR, SparseVector
from tests.conftest import Database

from .conftest import has_halfvec, make_engine

Base = declarative_base()


class Item(Base):  # type: ignore[misc, valid-type]
    __tablename__ = "sqlalchemy_orm_item"

    id = mapped_column(Integer, primary_key=True)
    embedding = mapped_column(VECTOR(3))
    binary_embedding = mapped_column(BIT(3))
    embeddings = mapped_column(ARRAY(VECTOR(3)))


HalfBase = declarative_base()


class HalfItem(HalfBase):  # type: ignore[misc, valid-type]
    __tablename__ = "sqlalchemy_orm_half_item"

    id = mapped_column(Integer, primary_key=True)
    half_embedding = mapped_column(HALFVEC(3))
    sparse_embedding = mapped_column(SPARSEVEC(3))
    half_embeddings = mapped_column(ARRAY(HALFVEC(3)))


@pytest.fixture(scope="module")
def tables(dropin_db: Database) -> Iterator[None]:
    engine = make_engine(dropin_db, "dialect")
    Base.metadata.create_all(engine)
    if has_halfvec(dropin_db):
        HalfBase.metadata.create_all(engine)
    engine.dispose()
    yield


@pytest.fixture
def detach_indexes() -> Iterator[None]:
    """``Index(name, Item.embedding, ...)`` attaches itself to the table; forget the
    test's indexes so the next database's ``create_all`` does not create them."""
    before = set(Item.__table__.indexes)
    yield
    for index in set(Item.__table__.indexes) - before:
        Item.__table__.indexes.discard(index)


@pytest.fixture
def engine(
    dropin_engine: sa.Engine, dropin_db: Database, tables: None, detach_indexes: None
) -> sa.Engine:
    with Session(dropin_engine) as session:
        session.query(Item).delete()
        if has_halfvec(dropin_db):
            session.query(HalfItem).delete()
        session.commit()
    return dropin_engine


def probed(engine: sa.Engine) -> bool:
    """Our dialect and the plugin probe the server; a plain psycopg engine does not."""
    return getattr(engine.dialect, "ruvector_capabilities", None) is not None


def create_hnsw_index(engine: sa.Engine, dropin_db: Database, index: Index) -> bool:
    """Create a pgvector-style HNSW index; False where it is refused as documented: a
    plain engine renders the documented AM name (``ruhnsw``), which 2.0.5 calls hnsw."""
    if probed(engine) or dropin_db.profile == "documented":
        index.create(engine)
        return True
    with pytest.raises(ProgrammingError, match='access method "ruhnsw" does not exist'):
        index.create(engine)
    return False


def create_items(engine: sa.Engine) -> None:
    with Session(engine) as session:
        session.add(Item(id=1, embedding=[1, 1, 1], binary_embedding="000"))
        session.add(Item(id=2, embedding=[2, 2, 2], binary_embedding="101"))
        session.add(Item(id=3, embedding=[1, 1, 2], binary_embedding="111"))
        session.commit()


def create_half_items(engine: sa.Engine) -> None:
    with Session(engine) as session:
        for id_, v in ((1, [1, 1, 1]), (2, [2, 2, 2]), (3, [1, 1, 2])):
            session.add(HalfItem(id=id_, half_embedding=v, sparse_embedding=SparseVector(v)))
        session.commit()


@pytest.fixture
def array_engine(engine: sa.Engine, dropin_db: Database, setup: str) -> Iterator[sa.Engine]:
    """pgvector's README, Arrays: register the types with the driver (needed on a plain
    psycopg engine only; our dialect and the plugin do it themselves)."""
    if probed(engine):
        yield engine
        return
    array_engine = make_engine(dropin_db, setup)

    @sa.event.listens_for(array_engine, "connect")
    def connect(dbapi_connection: object, connection_record: object) -> None:
        from sqlalchemy_ruvector.pgvector.psycopg import register_vector

        register_vector(dbapi_connection)

    yield array_engine
    array_engine.dispose()


DENSE_ORDERS = {
    "l2_distance": [1, 3, 2],
    "max_inner_product": [2, 3, 1],
    "cosine_distance": [1, 2, 3],
    "l1_distance": [1, 3, 2],
}
