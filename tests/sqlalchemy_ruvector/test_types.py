"""Column types: DDL, binds, results, literals, validation — against the real server."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import HalfVec, PgVector, RuVector, SparseVec, SparseVector
from tests.conftest import Database
from tests.helpers import statements_sent

DIM = 8


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "type_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    embedding: Mapped[np.ndarray] = mapped_column(RuVector(DIM))
    free: Mapped[np.ndarray | None] = mapped_column(RuVector())
    listed: Mapped[list[float] | None] = mapped_column(RuVector(3, as_list=True))


@pytest.fixture(scope="module")
def tables(engine: sa.Engine) -> sa.Engine:
    Base.metadata.create_all(engine)
    return engine


@pytest.fixture()
def session(tables: sa.Engine) -> Any:
    with Session(tables) as session:
        yield session
        session.rollback()
        session.execute(sa.delete(Item))
        session.commit()


def random_vectors(n: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


# -- DDL and compile-only --------------------------------------------------------------


def test_ddl_names() -> None:
    dialect = postgresql.dialect()
    assert RuVector(384).compile(dialect=dialect) == "ruvector(384)"
    assert RuVector().compile(dialect=dialect) == "ruvector"
    assert HalfVec(3).compile(dialect=dialect) == "halfvec(3)"
    assert SparseVec(5).compile(dialect=dialect) == "sparsevec(5)"
    assert PgVector(2).compile(dialect=dialect) == "vector(2)"
    table = Item.__table__
    ddl = str(sa.schema.CreateTable(table).compile(dialect=dialect))  # type: ignore[arg-type]
    assert "embedding ruvector(8) NOT NULL" in ddl


@pytest.mark.parametrize("bad", [0, 16001, -1])
def test_declared_dim_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError, match="dim must be between 1 and 16000"):
        RuVector(bad)


def test_declared_dim_takes_numpy_integers() -> None:
    assert RuVector(np.int64(8)).dim == 8  # type: ignore[arg-type]
    assert type(RuVector(np.int64(8)).dim) is int  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"dim must be an int, got 8\.0"):
        RuVector(8.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dim must be an int"):
        RuVector(np.bool_(True))  # type: ignore[arg-type]


def test_type_attributes() -> None:
    assert RuVector(3).python_type is np.ndarray
    assert RuVector(3, as_list=True).python_type is list
    assert SparseVec(3).python_type is SparseVector
    assert RuVector.cache_ok is True
    assert RuVector(3)._static_cache_key != RuVector(4)._static_cache_key
    assert RuVector(3)._static_cache_key != RuVector(3, as_list=True)._static_cache_key


def test_literal_binds() -> None:
    stmt = sa.select(Item.id).where(Item.embedding.l2_distance(np.arange(DIM)) < 1.5)
    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "(type_items.embedding <-> '[0,1,2,3,4,5,6,7]') < 1.5" in sql
    insert = sa.insert(Item).values(id=1, embedding=[0.5] * DIM)
    sql = str(insert.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "'[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]'" in sql


# -- round trips -----------------------------------------------------------------------


def test_orm_round_trip_is_bit_exact(session: Session) -> None:
    data = random_vectors(50)
    data[0, 0] = np.float32(1e-38)  # subnormal-adjacent and tiny values survive
    data[1, :] = np.float32(3.4028235e38)
    session.add_all(Item(id=i, embedding=row) for i, row in enumerate(data))
    session.commit()
    session.expire_all()
    loaded = session.scalars(sa.select(Item).order_by(Item.id)).all()
    for row, item in zip(data, loaded, strict=True):
        assert isinstance(item.embedding, np.ndarray)
        assert item.embedding.dtype == np.float32
        assert item.embedding.tobytes() == row.tobytes()


def test_text_path_without_our_dialect(ruvector_db: Database, tables: sa.Engine) -> None:
    """On plain postgresql+psycopg, values travel as text with a ::ruvector cast."""
    plain = sa.create_engine(ruvector_db.url)
    data = random_vectors(5, seed=3)
    try:
        with plain.begin() as conn:
            conn.execute(
                sa.insert(Item), [{"id": 100 + i, "embedding": v} for i, v in enumerate(data)]
            )
            got = (
                conn.execute(sa.select(Item.embedding).where(Item.id >= 100).order_by(Item.id))
                .scalars()
                .all()
            )
            conn.execute(sa.delete(Item))
    finally:
        plain.dispose()
    for row, value in zip(data, got, strict=True):
        assert value.tobytes() == row.tobytes()


@pytest.mark.parametrize(
    "value",
    [
        [1, 2, 3, 4, 5, 6, 7, 8],
        (1.5,) * DIM,
        np.arange(DIM, dtype=np.int16),
        np.arange(DIM, dtype=np.float64) / 3,
        np.arange(DIM, dtype=np.float16),
        np.arange(2 * DIM, dtype=np.float32)[::2],  # non-contiguous
        pa.array(np.arange(DIM, dtype=np.float32)),
    ],
    ids=["list", "tuple", "int16", "float64", "float16", "strided", "arrow"],
)
def test_accepted_bind_values(session: Session, value: Any) -> None:
    session.add(Item(id=1, embedding=value))
    session.commit()
    got = session.scalars(sa.select(Item.embedding)).one()
    expected = np.asarray(value, dtype=np.float64).astype(np.float32)
    assert got.tobytes() == expected.tobytes()


def test_as_list_and_unbounded(session: Session) -> None:
    session.add(Item(id=1, embedding=[0] * DIM, free=[1, 2, 3, 4, 5], listed=[1.5, 2, 3]))
    session.commit()
    session.expire_all()
    item = session.get(Item, 1)
    assert item is not None
    assert item.listed == [1.5, 2.0, 3.0]
    assert item.free is not None and item.free.tolist() == [1, 2, 3, 4, 5]


def test_null(session: Session) -> None:
    session.add(Item(id=1, embedding=[0] * DIM, free=None))
    session.commit()
    assert session.scalars(sa.select(Item.free)).one() is None


def test_arrays_of_vectors(engine: sa.Engine) -> None:
    table = sa.Table(
        "vector_arrays",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("vs", postgresql.ARRAY(RuVector(2), dimensions=1)),  # items are vectors
    )
    table.create(engine)
    try:
        with engine.begin() as conn:
            conn.execute(table.insert(), {"id": 1, "vs": [[1, 2], [3.5, -4]]})
            got = conn.execute(sa.select(table.c.vs)).scalar_one()
    finally:
        table.drop(engine)
    assert [v.tolist() for v in got] == [[1.0, 2.0], [3.5, -4.0]]


# -- validation before any SQL ---------------------------------------------------------


BAD_VALUES = [
    ([1.0] * 7, ValueError, "dim"),
    ([1.0] * 7 + [float("nan")], ValueError, "nan"),
    ([1.0] * 7 + [float("inf")], ValueError, "inf"),
    ([1.0] * 7 + [1e39], ValueError, "inf"),
    ([], ValueError, "empty"),
    ([[1.0] * 4, [1.0] * 4], ValueError, "1-D"),
    ([1.0] * 4 + [[1.0]] * 4, ValueError, "nested"),
    (np.ones((2, 4), dtype=np.float32), ValueError, "1-D"),
    (["a"] * DIM, TypeError, "numeric"),
    ([True] * DIM, TypeError, "bool"),
    (np.array(["x"] * DIM), TypeError, "numeric"),
]


@pytest.mark.parametrize(("value", "error", "words"), BAD_VALUES)
def test_bad_values_fail_before_sql(
    session: Session, tables: sa.Engine, value: Any, error: type[Exception], words: str
) -> None:
    session.add(Item(id=1, embedding=value))
    with statements_sent(tables) as sent, pytest.raises(StatementError) as info:
        session.flush()
    assert isinstance(info.value.orig, error)
    message = str(info.value.orig)
    assert words.lower() in message.lower()
    assert "type_items.embedding" in message
    assert not any(s.lstrip().upper().startswith("INSERT") for s in sent)


def test_too_many_dimensions_for_unbounded_column(session: Session) -> None:
    session.add(Item(id=1, embedding=[0] * DIM, free=np.zeros(16001, dtype=np.float32)))
    with pytest.raises(StatementError, match="16000"):
        session.flush()


def test_bad_query_vector_fails_where_written() -> None:
    with pytest.raises(ValueError, match="dim"):
        Item.embedding.l2_distance([1, 2])
    with pytest.raises(ValueError, match="nan"):
        Item.embedding.cosine_distance([float("nan")] * DIM)


def test_core_executemany_validation(tables: sa.Engine) -> None:
    rows = [{"id": i, "embedding": [0.0] * DIM} for i in range(3)]
    rows[2]["embedding"] = [0.0] * 3
    with tables.connect() as conn, statements_sent(tables) as sent:
        with pytest.raises(StatementError, match="expected 8 dimensions"):
            conn.execute(sa.insert(Item), rows)
        conn.rollback()
    assert not any("INSERT" in s for s in sent)
    with tables.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Item)).scalar() == 0


# -- pgvector's halfvec / sparsevec / vector (databases that have pgvector) -------------


def test_pgvector_types_round_trip(pgvector_engine: sa.Engine) -> None:
    table = sa.Table(
        "pg_types",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("h", HalfVec(3)),
        sa.Column("s", SparseVec(6)),
        sa.Column("v", PgVector(3)),
    )
    table.create(pgvector_engine)
    try:
        sparse = SparseVector.from_dict({0: 1.5, 4: -2.0}, 6)
        with pgvector_engine.begin() as conn:
            conn.execute(
                table.insert(), {"id": 1, "h": [0.5, -1.25, 3], "s": sparse, "v": [1, 2, 3]}
            )
            conn.execute(
                table.insert(),
                {"id": 2, "h": np.array([1, 2, 3], np.float16), "s": sparse, "v": (4, 5, 6)},
            )
            row = conn.execute(sa.select(table).where(table.c.id == 1)).one()
            nearest = conn.execute(
                sa.select(table.c.id).order_by(table.c.h.l2_distance([1, 2, 3])).limit(1)
            ).scalar_one()
            ip = conn.execute(
                sa.select(table.c.v.max_inner_product([1, 1, 1])).where(table.c.id == 1)
            ).scalar_one()
    finally:
        table.drop(pgvector_engine)
    assert row.h.dtype == np.float32 and row.h.tolist() == [0.5, -1.25, 3.0]
    assert row.s == sparse
    assert row.v.tolist() == [1.0, 2.0, 3.0]
    assert nearest == 2
    assert ip == pytest.approx(-6.0)


def test_halfvec_range_checked() -> None:
    with pytest.raises(ValueError, match="inf"):
        HalfVec(2).coerce([1.0, 70000.0])
