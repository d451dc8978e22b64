"""pgvector-python's SQLAlchemy behaviour, with only the import changed.

Written from pgvector-python 0.5's README (SQLAlchemy section) and its own SQLAlchemy
tests: the same models, calls and expected results, on each profile and each of the
three engine set-ups. Where the published 2.0.5 lacks a type (halfvec, sparsevec),
the test asserts the clear error instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy import ARRAY, Column, Index, Integer, MetaData, Table, insert, inspect, select, text
from sqlalchemy.exc import CompileError, ProgrammingError, StatementError
from sqlalchemy.ext.automap import automap_base
from sqlalchemy.orm import Session, declarative_base, mapped_column
from sqlalchemy.sql import func

from sqlalchemy_ruvector.errors import UnsupportedByServerError
from sqlalchemy_ruvector.pgvector.sqlalchemy import (
    BIT,
    HALFVEC,
    SPARSEVEC,
    VECTOR,
    SparseVector,
    Vector,
    avg,
    sum,
)
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


@pytest.fixture(scope="module", autouse=True)
def tables(dropin_db: Database) -> Iterator[None]:
    engine = make_engine(dropin_db, "dialect")
    Base.metadata.create_all(engine)
    if has_halfvec(dropin_db):
        HalfBase.metadata.create_all(engine)
    engine.dispose()
    yield


@pytest.fixture(autouse=True)
def detach_indexes() -> Iterator[None]:
    """``Index(name, Item.embedding, ...)`` attaches itself to the table; forget the
    test's indexes so the next database's ``create_all`` does not create them."""
    before = set(Item.__table__.indexes)
    yield
    for index in set(Item.__table__.indexes) - before:
        Item.__table__.indexes.discard(index)


@pytest.fixture
def engine(dropin_engine: sa.Engine, dropin_db: Database) -> sa.Engine:
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


DENSE_ORDERS = {
    "l2_distance": [1, 3, 2],
    "max_inner_product": [2, 3, 1],
    "cosine_distance": [1, 2, 3],
    "l1_distance": [1, 3, 2],
}


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
    bits = select(Item.id).where(Item.binary_embedding == "101").order_by(
        Item.binary_embedding.hamming_distance("111")
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


# -- bit, binary quantization ---------------------------------------------------------------


def test_bit(engine: sa.Engine) -> None:
    with Session(engine) as session:
        session.add(Item(id=1, binary_embedding="101"))
        session.commit()
        item = session.get(Item, 1)
        assert item is not None and item.binary_embedding == "101"


@pytest.mark.parametrize("method", ["hamming_distance", "jaccard_distance"])
def test_bit_distances(engine: sa.Engine, method: str) -> None:
    create_items(engine)
    with Session(engine) as session:
        order = getattr(Item.binary_embedding, method)("101")
        assert [v.id for v in session.query(Item).order_by(order).all()] == [2, 3, 1]
        assert [v.id for v in session.scalars(select(Item).order_by(order))] == [2, 3, 1]
        values = session.scalars(select(order).order_by(Item.id)).all()
    expected = [2.0, 0.0, 1.0] if method == "hamming_distance" else [1.0, 0.0, 1 - 2 / 3]
    assert values == pytest.approx(expected)


def _bq_items(engine: sa.Engine) -> None:
    with Session(engine) as session:
        session.add(Item(id=1, embedding=[-1, -2, -3]))
        session.add(Item(id=2, embedding=[1, -2, 3]))
        session.add(Item(id=3, embedding=[1, 2, 3]))
        session.commit()


def test_binary_quantize(engine: sa.Engine) -> None:
    _bq_items(engine)
    with Session(engine) as session:
        distance = func.cast(func.binary_quantize(Item.embedding), BIT(3)).hamming_distance(
            func.binary_quantize(func.cast([3, -1, 2], VECTOR(3)))
        )
        items = session.query(Item).order_by(distance).all()
        assert [v.id for v in items] == [2, 3, 1]
        assert session.scalars(
            select(func.binary_quantize(Item.embedding)).order_by(Item.id)
        ).all() == [
            "000",
            "101",
            "111",
        ]


def test_binary_quantization_rerank(engine: sa.Engine, dropin_db: Database) -> None:
    """pgvector's README: index the quantized expression, then rerank exactly."""
    _bq_items(engine)
    index = Index(
        "bq_index",
        func.cast(func.binary_quantize(Item.embedding), BIT(3)).label("embedding"),
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "bit_hamming_ops"},
    )
    if not probed(engine):
        with pytest.raises(UnsupportedByServerError, match="probed the server"):
            index.create(engine)
    elif has_halfvec(dropin_db):
        index.create(engine)
    else:
        with pytest.raises(UnsupportedByServerError, match=r"bit_hamming_ops.*no pgvector"):
            index.create(engine)
    query = [1, -2, 3]
    order = func.cast(func.binary_quantize(Item.embedding), BIT(3)).hamming_distance(
        func.binary_quantize(func.cast(query, VECTOR(3)))
    )
    with Session(engine) as session:
        subquery = select(Item).order_by(order, Item.id).limit(2).subquery()
        rows = session.execute(
            select(subquery.c.id).order_by(subquery.c.embedding.cosine_distance(query)).limit(5)
        ).all()
        assert [r.id for r in rows] == [2, 3]
    if probed(engine) and has_halfvec(dropin_db):
        index.drop(engine)


# -- half precision and sparse: documented surface; published 2.0.5 refuses clearly ---------


def _assert_halfvec_refused(engine: sa.Engine, action: object) -> None:
    errors: tuple[type[Exception], ...] = (CompileError, ProgrammingError)
    with pytest.raises(errors, match=r'type "?(halfvec|sparsevec)"? does not exist'):
        action()  # type: ignore[operator]


def test_half_precision(engine: sa.Engine, dropin_db: Database) -> None:
    create_items(engine)
    order = func.cast(Item.embedding, HALFVEC(3)).l2_distance([1, 1, 1])
    with Session(engine) as session:
        if not has_halfvec(dropin_db):
            _assert_halfvec_refused(engine, lambda: session.query(Item).order_by(order).all())
            return
        assert [v.id for v in session.query(Item).order_by(order).all()] == [1, 3, 2]


def test_half_precision_index(engine: sa.Engine, dropin_db: Database) -> None:
    index = Index(
        "half_precision_index",
        func.cast(Item.embedding, HALFVEC(3)).label("embedding"),
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "halfvec_l2_ops"},
    )
    if not has_halfvec(dropin_db):
        errors: tuple[type[Exception], ...] = (
            CompileError,
            ProgrammingError,
            UnsupportedByServerError,
        )
        with pytest.raises(errors, match="halfvec"):
            index.create(engine)
        return
    index.create(engine)
    try:
        create_items(engine)
        order = func.cast(Item.embedding, HALFVEC(3)).l2_distance([3, 1, 2])
        with Session(engine) as session:
            assert [i.id for i in session.scalars(select(Item).order_by(order).limit(5))] == [
                2,
                3,
                1,
            ]
    finally:
        index.drop(engine)


def test_halfvec_and_sparsevec_columns_refused_where_missing(
    engine: sa.Engine, dropin_db: Database
) -> None:
    if has_halfvec(dropin_db):
        pytest.skip("the documented surface has halfvec and sparsevec")
    _assert_halfvec_refused(engine, lambda: HalfBase.metadata.create_all(engine))


def test_halfvec(engine: sa.Engine, dropin_db: Database) -> None:
    if not has_halfvec(dropin_db):
        pytest.skip("no halfvec on this server (see the refusal test)")
    with Session(engine) as session:
        session.add(HalfItem(id=1, half_embedding=[1, 2, 3]))
        session.commit()
        item = session.get(HalfItem, 1)
        assert item is not None and item.half_embedding == [1, 2, 3]
        assert type(item.half_embedding) is list


def test_sparsevec(engine: sa.Engine, dropin_db: Database) -> None:
    if not has_halfvec(dropin_db):
        pytest.skip("no sparsevec on this server (see the refusal test)")
    with Session(engine) as session:
        session.add(HalfItem(id=1, sparse_embedding=[1, 2, 3]))
        session.add(HalfItem(id=2, sparse_embedding=SparseVector({0: 1, 2: 2}, 3)))
        session.commit()
        item = session.get(HalfItem, 1)
        assert item is not None and isinstance(item.sparse_embedding, SparseVector)
        assert item.sparse_embedding.to_list() == [1, 2, 3]
        other = session.get(HalfItem, 2)
        assert other is not None
        assert other.sparse_embedding.indices() == [0, 2]
        assert other.sparse_embedding.values() == [1.0, 2.0]
        assert other.sparse_embedding.dimensions() == 3


@pytest.mark.parametrize(("method", "expected"), DENSE_ORDERS.items())
@pytest.mark.parametrize("column", ["half_embedding", "sparse_embedding"])
def test_halfvec_sparsevec_distances(
    engine: sa.Engine, dropin_db: Database, column: str, method: str, expected: list[int]
) -> None:
    if not has_halfvec(dropin_db):
        pytest.skip("no halfvec/sparsevec on this server (see the refusal test)")
    create_half_items(engine)
    with Session(engine) as session:
        order = getattr(getattr(HalfItem, column), method)([1, 1, 1])
        assert [
            v.id for v in session.scalars(select(HalfItem).order_by(order, HalfItem.id))
        ] == expected


def test_pgvector_half_and_sparse_value_objects_bind(
    engine: sa.Engine, dropin_db: Database
) -> None:
    pgvector = pytest.importorskip("pgvector")
    if not has_halfvec(dropin_db):
        pytest.skip("no halfvec/sparsevec on this server (see the refusal test)")
    with Session(engine) as session:
        session.add(
            HalfItem(
                id=1,
                half_embedding=pgvector.HalfVector([1, 2, 3]),
                sparse_embedding=pgvector.SparseVector({1: 2.5}, 3),
            )
        )
        session.commit()
        item = session.get(HalfItem, 1)
        assert item is not None and item.half_embedding == [1, 2, 3]
        assert item.sparse_embedding == SparseVector({1: 2.5}, 3)


def test_halfvec_array(array_engine: sa.Engine, dropin_db: Database) -> None:
    engine = array_engine
    if not has_halfvec(dropin_db):
        pytest.skip("no halfvec on this server (see the refusal test)")
    with Session(engine) as session:
        session.add(HalfItem(id=1, half_embeddings=[np.array([1, 2, 3]), np.array([4, 5, 6])]))
        session.commit()
        item = session.get(HalfItem, 1)
        assert item is not None and item.half_embeddings == [[1, 2, 3], [4, 5, 6]]


def test_vector_is_vector() -> None:
    """``Vector`` and ``VECTOR`` are one type, and ``Vector(3)`` is a ``ruvector(3)`` column."""
    assert Vector is VECTOR
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    ddl = str(CreateTable(Item.__table__).compile(dialect=postgresql.dialect()))
    assert "embedding ruvector(3)" in ddl and "binary_embedding BIT(3)" in ddl
