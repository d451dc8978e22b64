"""Two-phase search against the real server: candidates from a cheap column,
exact rerank with accel, compared with a numpy float64 reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import RuVector, SparseVec, SparseVector, VectorIndex
from sqlalchemy_ruvector.rerank import rerank
from tests.helpers import statements_sent

DIM, COARSE, ROWS, K = 64, 16, 3_000, 10


class Base(DeclarativeBase):
    pass


class Doc(Base):
    __tablename__ = "rerank_docs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[int]
    embedding: Mapped[np.ndarray] = mapped_column(RuVector(DIM))
    # A cheap candidate column: the first dims of a Matryoshka-style embedding.
    coarse: Mapped[np.ndarray] = mapped_column(RuVector(COARSE))
    __table_args__ = (VectorIndex("rerank_coarse", "coarse", metric="cosine"),)


@pytest.fixture(scope="module")
def data(engine: sa.Engine) -> np.ndarray:
    rng = np.random.default_rng(21)
    # Leading dims carry more variance, as in Matryoshka embeddings.
    scale = np.geomspace(4.0, 0.25, DIM).astype(np.float32)
    vectors = (rng.standard_normal((ROWS, DIM)) * scale).astype(np.float32)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.execute(
            sa.insert(Doc),
            [
                {"id": i, "kind": i % 2, "embedding": v, "coarse": v[:COARSE]}
                for i, v in enumerate(vectors)
            ],
        )
        session.commit()
    return vectors


def exact_top(data: np.ndarray, q: np.ndarray, k: int, ids: np.ndarray | None = None) -> list[int]:
    pool = np.arange(len(data)) if ids is None else ids
    a = data[pool].astype(np.float64)
    d = 1 - a @ q / (np.linalg.norm(a, axis=1) * np.linalg.norm(q))
    return pool[np.argsort(d, kind="stable")[:k]].tolist()


def test_rerank_recovers_recall(engine: sa.Engine, data: np.ndarray) -> None:
    rng = np.random.default_rng(5)
    coarse_recall, reranked_recall = [], []
    with Session(engine) as session:
        for _ in range(10):
            q = data[rng.integers(ROWS)] + rng.standard_normal(DIM).astype(np.float32) * 0.3
            truth = set(exact_top(data, q.astype(np.float64), K))
            coarse_ids = session.scalars(
                sa.select(Doc.id).order_by(Doc.coarse.cosine_distance(q[:COARSE])).limit(K)
            ).all()
            results = rerank(
                session,
                sa.select(Doc),
                q,
                K,
                oversample=10,
                metric="cosine",
                candidate_column=Doc.coarse,
                candidate_query=q[:COARSE],
            )
            assert len(results) == K
            assert all(isinstance(r.row, Doc) for r in results)
            dists = [r.distance for r in results]
            assert dists == sorted(dists)
            for r in results:
                v = r.row.embedding.astype(np.float64)
                ref = 1 - v @ q / (np.linalg.norm(v) * np.linalg.norm(q))
                assert r.distance == pytest.approx(ref, abs=1e-5)
            coarse_recall.append(len(truth & set(coarse_ids)) / K)
            reranked_recall.append(len(truth & {r.row.id for r in results}) / K)
    assert np.mean(reranked_recall) > np.mean(coarse_recall) + 0.2
    assert np.mean(reranked_recall) >= 0.9


def test_rerank_same_column_with_filter_and_columns(engine: sa.Engine, data: np.ndarray) -> None:
    q = data[17]
    with Session(engine) as session:
        results = rerank(
            session, sa.select(Doc.id, Doc.embedding).where(Doc.kind == 1), q, 5, metric="l2"
        )
    ids = [r.row[0] for r in results]
    assert all(i % 2 == 1 for i in ids)
    odd = np.arange(1, ROWS, 2)
    dist = np.linalg.norm(data[odd].astype(np.float64) - q, axis=1)
    expected = odd[np.argsort(dist, kind="stable")[:5]].tolist()
    assert ids == expected or len(set(ids) & set(expected)) >= 4  # HNSW candidates


def test_rerank_validates_before_sql(engine: sa.Engine, data: np.ndarray) -> None:
    with Session(engine) as session, statements_sent(engine) as sent:
        with pytest.raises(ValueError, match="dim"):
            rerank(session, sa.select(Doc), [1.0, 2.0], 5, vector_column=Doc.embedding)
        with pytest.raises(ValueError, match="metric"):
            rerank(session, sa.select(Doc), data[0], 5, metric="hamming", vector_column=Doc.coarse)
        with pytest.raises(ValueError, match="oversample"):
            rerank(session, sa.select(Doc), data[0], 5, oversample=0, vector_column=Doc.coarse)
        assert rerank(session, sa.select(Doc), data[0], 0, vector_column=Doc.embedding) == []
    assert sent == []


def test_rerank_needs_one_vector_column(engine: sa.Engine) -> None:
    with Session(engine) as session:
        with pytest.raises(ValueError, match="selects 0 full-precision vector columns"):
            rerank(session, sa.select(Doc.id), [0.0] * DIM, 3)
        with pytest.raises(ValueError, match="selects 2 full-precision vector columns"):
            rerank(session, sa.select(Doc), [0.0] * DIM, 3)


# -- NULLs, unsupported columns and values (issue 7, item 14) ----------------------------


class _Uncreated(DeclarativeBase):
    pass


class Sparse(_Uncreated):
    """Never created: refusals happen before any SQL."""

    __tablename__ = "rerank_sparse"
    id: Mapped[int] = mapped_column(primary_key=True)
    s: Mapped[SparseVector] = mapped_column(SparseVec(8))


def test_rerank_skips_null_vectors(engine: sa.Engine) -> None:
    """Rows without a vector have no distance: they are never candidates, so they
    neither fail the rerank nor take a candidate's place."""
    metadata = sa.MetaData()
    table = sa.Table(
        "rerank_nulls",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("full", RuVector(4), nullable=True),
        sa.Column("coarse", RuVector(2), nullable=True),
    )
    rng = np.random.default_rng(8)
    vectors = rng.standard_normal((30, 4)).astype(np.float32)
    metadata.create_all(engine)
    try:
        with engine.begin() as conn:
            conn.execute(
                table.insert(),
                [
                    {
                        "id": i,
                        "full": None if i % 3 == 0 else v,
                        "coarse": None if i % 5 == 0 else v[:2],
                    }
                    for i, v in enumerate(vectors)
                ],
            )
        q = vectors[4]
        with engine.connect() as conn:
            results = rerank(conn, sa.select(table.c.id, table.c.full), q, 5, metric="l2")
            everything = rerank(
                conn,
                sa.select(table.c.id),
                q,
                30,
                metric="l2",
                oversample=2,
                candidate_column=table.c.coarse,
                candidate_query=q[:2],
                vector_column=table.c.full,
            )
    finally:
        metadata.drop_all(engine)
    has_full = [i for i in range(30) if i % 3]
    dist = np.linalg.norm(vectors[has_full].astype(np.float64) - q, axis=1)
    assert [r.row[0] for r in results] == [has_full[j] for j in np.argsort(dist)[:5]]
    both = {i for i in has_full if i % 5}
    assert {r.row for r in everything} == both  # every row with both vectors, no other
    assert [r.distance for r in everything] == sorted(r.distance for r in everything)


def test_rerank_refuses_before_sql(engine: sa.Engine, data: np.ndarray) -> None:
    q = data[0]
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"vector_column": Sparse.s}, TypeError, "vector_column is sparsevec; exact rerank"),
        ({"candidate_column": Doc.kind}, TypeError, "candidate_column must be a vector column"),
        ({"vector_column": Doc.id}, TypeError, "vector_column must be a vector column"),
        ({"ef_search": 0}, ValueError, "ef_search must be between 1 and 1000, got 0"),
        ({"ef_search": 1001}, ValueError, "ef_search must be between 1 and 1000"),
        ({"ef_search": 2.5}, TypeError, "ef_search must be an int, got float"),
        ({"oversample": np.float32(2)}, TypeError, "oversample must be an int"),
        ({"k": -1}, ValueError, "k must be at least 0"),
        ({"k": True}, TypeError, "k must be an int, got bool"),
        (
            {"candidate_column": Doc.coarse, "candidate_query": [1.0]},
            ValueError,
            f"expected {COARSE} dimensions",
        ),
    ]
    with Session(engine) as session, statements_sent(engine) as sent:
        for kwargs, error, words in cases:
            call: dict[str, Any] = {"k": 3, "vector_column": Doc.embedding, **kwargs}
            with pytest.raises(error, match=words):
                rerank(session, sa.select(Doc.id), q, **call)
    assert sent == []


def test_rerank_takes_numpy_integers(engine: sa.Engine, data: np.ndarray) -> None:
    with Session(engine) as session:
        results = rerank(
            session,
            sa.select(Doc.id, Doc.embedding),
            data[3],
            np.int64(3),
            oversample=np.int32(2),
            ef_search=np.uint16(50),
            metric="l2",
        )
    assert len(results) == 3 and results[0].row[0] == 3
