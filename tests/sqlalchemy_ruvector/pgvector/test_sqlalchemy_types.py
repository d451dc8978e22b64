"""pgvector-python's SQLAlchemy behaviour, with only the import changed: bit, binary
quantization, half precision and sparse vectors. Where the published 2.0.5 lacks a
type (halfvec, sparsevec), the test asserts the clear error instead.
"""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa
from scipy.sparse import coo_array
from sqlalchemy import Index, select
from sqlalchemy.exc import CompileError, ProgrammingError
from sqlalchemy.orm import Session
from sqlalchemy.sql import func

from sqlalchemy_ruvector.errors import UnsupportedByServerError
from sqlalchemy_ruvector.pgvector.sqlalchemy import (
    BIT,
    HALFVEC,
    VECTOR,
    SparseVector,
)
from tests.conftest import Database

from .conftest import has_halfvec
from .orm_setup import (
    DENSE_ORDERS,
    HalfBase,
    HalfItem,
    Item,
    array_engine,
    create_half_items,
    create_items,
    detach_indexes,
    engine,
    probed,
    tables,
)

__all__ = ["array_engine", "detach_indexes", "engine", "tables"]  # fixtures used here

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
        session.add(HalfItem(id=3, sparse_embedding=coo_array(np.array([[0.0, 4.0, 0.0]]))))
        session.commit()
        third = session.get(HalfItem, 3)
        assert third is not None and third.sparse_embedding.to_coo().toarray().tolist() == [
            [0.0, 4.0, 0.0]
        ]
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
