"""hybrid_search against a pure-Python reference fusion, plans, round trips, async.

Exactness: the corpus table (>= 2,000 standard-library docstrings) has a GIN index
but no vector index, so the vector candidates are the exact nearest rows; the
reference ranks distances and text scores fetched by separate plain queries, in
Python, and fuses them with the documented formulas. On the 50k-row table, with an
HNSW index, the reference's vector candidates are what the same index returns for a
plain ``ORDER BY distance, id LIMIT prefetch_k`` under the same ``ef_search`` (an
HNSW search is deterministic for one graph and query), so the fusion is checked
there too, beside the plans.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import RuVector, VectorIndex, hybrid_search, search_settings
from sqlalchemy_ruvector.capabilities import Capabilities
from tests.helpers import plan, statements_sent

from . import corpus

DIM = 32
BIG_ROWS = 50_000


class Base(DeclarativeBase):
    pass


class Doc(Base):
    __tablename__ = "hybrid_docs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    body: Mapped[str]
    tsv = mapped_column(TSVECTOR, sa.Computed("to_tsvector('english', body)", persisted=True))
    embedding = mapped_column(RuVector(DIM))

    __table_args__ = (sa.Index("hybrid_docs_tsv", "tsv", postgresql_using="gin"),)


class Big(Base):
    __tablename__ = "hybrid_big"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str]
    tsv = mapped_column(TSVECTOR, sa.Computed("to_tsvector('english', body)", persisted=True))
    embedding = mapped_column(RuVector(DIM))


def big_indexes() -> list[sa.Index]:
    """The 50k table's indexes, on a copy of its Table so that ``create_all`` does not
    build them before the rows are loaded."""
    table = Big.__table__.to_metadata(sa.MetaData())
    return [
        VectorIndex("hybrid_big_embedding", table.c.embedding, metric="cosine"),
        sa.Index("hybrid_big_tsv", table.c.tsv, postgresql_using="gin"),
    ]


#: The expression index a ``text_column`` search needs (matching ``to_tsvector(config, col)``).
BODY_GIN = "CREATE INDEX hybrid_big_body_gin ON hybrid_big USING gin (to_tsvector('english', body))"


def _vector_text(v: np.ndarray) -> str:
    return "[" + ",".join(repr(float(x)) for x in v) + "]"


def _copy(db: Any, table: str, rows: Iterator[tuple[Any, ...]], columns: str) -> None:
    with db.connect() as conn, conn.cursor() as cur:
        with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(f"ANALYZE {table}")


@pytest.fixture(scope="module")
def docs(engine: sa.Engine, ruvector_db: Any) -> list[tuple[int, str, str]]:
    Base.metadata.create_all(engine, tables=[Doc.__table__])
    rows = [(i, name, body) for i, (name, body) in enumerate(corpus.documents())]
    assert len(rows) >= 2000
    _copy(
        ruvector_db,
        "hybrid_docs",
        ((i, n, b, _vector_text(corpus.embed(b, DIM))) for i, n, b in rows),
        "id, name, body, embedding",
    )
    return rows


@pytest.fixture(scope="module")
def big(engine: sa.Engine, ruvector_db: Any) -> None:
    Base.metadata.create_all(engine, tables=[Big.__table__])
    texts = [b for _, b in corpus.documents()]
    n = len(texts)

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(BIG_ROWS):
            body = texts[i % n] + " " + texts[(i * 7919 + 13) % n]
            yield i, body, _vector_text(corpus.embed(body, DIM))

    _copy(ruvector_db, "hybrid_big", rows(), "id, body, embedding")
    with engine.begin() as conn:
        for index in big_indexes():
            index.create(conn)
        conn.exec_driver_sql(BODY_GIN)
        conn.exec_driver_sql("ANALYZE hybrid_big")


def queries() -> list[str]:
    """24 queries from the corpus: a few words of spread-out docstrings, OR-ed so
    that websearch_to_tsquery matches many documents."""
    texts = [b for _, b in corpus.documents()]
    out = []
    for i in range(24):
        words = [w for w in corpus.TOKEN.findall(texts[(i * 131 + 7) % len(texts)].lower())]
        words = [w for w in words if len(w) > 3][:3] or ["file"]
        out.append(" or ".join(words))
    return out


# --- the reference -----------------------------------------------------------------


def similarity(metric: str, d: float) -> float:
    if metric == "cosine":
        return 1.0 - d / 2.0
    if metric == "l2":
        return 1.0 / (1.0 + d)
    return -d


def reference(
    vector_rows: list[tuple[int, float]],
    text_rows: list[tuple[int, float]],
    *,
    fusion: str,
    k: int,
    prefetch_k: int,
    rrf_k: int = 60,
    alpha: float = 0.5,
    metric: str = "cosine",
) -> list[tuple[int, float, int | None, int | None]]:
    """(id, hybrid_score, vector_rank, text_rank) per the documented semantics."""
    vec = sorted(vector_rows, key=lambda r: (r[1], r[0]))[:prefetch_k]
    txt = sorted(text_rows, key=lambda r: (-r[1], r[0]))[:prefetch_k]
    vrank = {i: n + 1 for n, (i, _) in enumerate(vec)}
    trank = {i: n + 1 for n, (i, _) in enumerate(txt)}
    dist = dict(vec)
    tscore = dict(txt)
    if txt:
        lo, hi = min(tscore.values()), max(tscore.values())
    scored = []
    for i in set(vrank) | set(trank):
        vr, tr = vrank.get(i), trank.get(i)
        if fusion == "rrf":
            v = 1.0 / float(rrf_k + vr) if vr else 0.0
            t = 1.0 / float(rrf_k + tr) if tr else 0.0
            score = v + t
        else:
            sim = similarity(metric, dist[i]) if vr else 0.0
            norm = ((tscore[i] - lo) / (hi - lo) if hi > lo else 1.0) if tr else 0.0
            score = alpha * sim + (1.0 - alpha) * norm
        scored.append((i, score, vr, tr))
    scored.sort(key=lambda r: (-r[1], r[2] or math.inf, r[3] or math.inf, r[0]))
    return scored[:k]


OPS = {"cosine": "<=>", "l2": "<->"}


# Scores come back as float8 (ts_rank_cd returns real; so do the real server's
# distances): a real sent as text would reach Python as its shortest decimal, not
# the exact value the server computes with.
def fetch_vector(conn: Any, table: str, q: np.ndarray, metric: str, limit: int | None) -> Any:
    tail = f" ORDER BY 2, 1 LIMIT {limit}" if limit else ""
    rows = conn.execute(
        sa.text(
            f"SELECT id, CAST(embedding {OPS[metric]} CAST(:q AS ruvector) AS float8)"
            f" FROM {table}{tail}"
        ),
        {"q": _vector_text(q)},
    ).all()
    return [(int(i), float(d)) for i, d in rows]


def fetch_text(conn: Any, table: str, text: str, tsv: str = "tsv") -> Any:
    rows = conn.execute(
        sa.text(
            f"SELECT id, CAST(ts_rank_cd({tsv}, websearch_to_tsquery('english', :t)) AS float8)"
            f" FROM {table}"
            f" WHERE {tsv} @@ websearch_to_tsquery('english', :t)"
        ),
        {"t": text},
    ).all()
    return [(int(i), float(s)) for i, s in rows]


def check(got: list[Any], want: list[tuple[int, float, int | None, int | None]]) -> None:
    assert [r[0] for r in got] == [w[0] for w in want]
    assert [(r[2], r[3]) for r in got] == [(w[2], w[3]) for w in want]
    for r, w in zip(got, want, strict=True):
        assert abs(r[1] - w[1]) <= 1e-9, (r, w)


def run(session: Session, **kwargs: Any) -> list[tuple[int, float, Any, Any]]:
    stmt = hybrid_search(Doc, vector_column=Doc.embedding, tsvector_column=Doc.tsv, **kwargs)
    return [(d.id, s, vr, tr) for d, s, vr, tr in session.execute(stmt)]


# --- exact equality with the reference -------------------------------------------------

CASES = [
    {"fusion": "rrf", "k": 20, "prefetch_k": 60},
    {"fusion": "rrf", "k": 10, "prefetch_k": 100, "rrf_k": 5},
    {"fusion": "linear", "k": 20, "prefetch_k": 60, "alpha": 0.3},
    {"fusion": "linear", "k": 15, "prefetch_k": 40, "alpha": 0.8, "metric": "l2"},
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c.values())))
def test_equals_reference_fusion(engine: sa.Engine, docs: list[Any], case: dict[str, Any]) -> None:
    qs = queries()
    assert len(qs) >= 20
    metric = case.get("metric", "cosine")
    with Session(engine) as session:
        matched = 0
        for text in qs:
            q = corpus.embed(text, DIM)
            got = run(session, query_vector=q, query_text=text, **case)
            vec = fetch_vector(session, "hybrid_docs", q, metric, None)
            txt = fetch_text(session, "hybrid_docs", text)
            matched += bool(txt)
            check(got, reference(vec, txt, **case))
        assert matched >= 20  # the text side really takes part


def test_text_column_expression_equals_stored_tsvector(engine: sa.Engine, docs: Any) -> None:
    with Session(engine) as session:
        for text in queries()[:5]:
            q = corpus.embed(text, DIM)
            common = {"vector_column": Doc.embedding, "query_vector": q, "query_text": text}
            a = session.execute(hybrid_search(Doc, tsvector_column=Doc.tsv, **common)).all()
            b = session.execute(hybrid_search(Doc, text_column=Doc.body, **common)).all()
            assert [(r[0].id, *r[1:]) for r in a] == [(r[0].id, *r[1:]) for r in b]


def test_where_prefilters_and_further_where_postfilters(engine: sa.Engine, docs: Any) -> None:
    text = queries()[3]
    q = corpus.embed(text, DIM)
    with Session(engine) as session:
        stmt = hybrid_search(
            Doc,
            vector_column=Doc.embedding,
            tsvector_column=Doc.tsv,
            query_vector=q,
            query_text=text,
            k=15,
            prefetch_k=50,
            where=Doc.id % 2 == 0,
        )
        got = [(d.id, s, vr, tr) for d, s, vr, tr in session.execute(stmt)]
        vec = [r for r in fetch_vector(session, "hybrid_docs", q, "cosine", None) if r[0] % 2 == 0]
        txt = [r for r in fetch_text(session, "hybrid_docs", text) if r[0] % 2 == 0]
        check(got, reference(vec, txt, fusion="rrf", k=15, prefetch_k=50))

        # A further .where() filters the fused candidates before LIMIT k.
        post = [(d.id, s, vr, tr) for d, s, vr, tr in session.execute(stmt.where(Doc.id > 1000))]
        want = [w for w in reference(vec, txt, fusion="rrf", k=10**6, prefetch_k=50) if w[0] > 1000]
        check(post, want[:15])


def test_select_of_columns_carries_them_and_filters_candidates(
    engine: sa.Engine, docs: Any
) -> None:
    text = queries()[3]
    common: dict[str, Any] = {
        "vector_column": Doc.embedding,
        "tsvector_column": Doc.tsv,
        "query_vector": corpus.embed(text, DIM),
        "query_text": text,
        "k": 15,
        "prefetch_k": 50,
    }
    with Session(engine) as session:
        want = [
            (d.id, d.name, s, vr, tr)
            for d, s, vr, tr in session.execute(hybrid_search(Doc, where=Doc.id % 2 == 0, **common))
        ]
        chosen = sa.select(Doc.id, Doc.name).where(Doc.id % 2 == 0).order_by(Doc.name).limit(3)
        got = [tuple(r) for r in session.execute(hybrid_search(chosen, **common))]
        core = sa.select(Doc.__table__.c.id, Doc.__table__.c.name).where(
            Doc.__table__.c.id % 2 == 0
        )
        got_core = [tuple(r) for r in session.execute(hybrid_search(core, **common))]
    assert got == want and got_core == want
    assert len(want) == 15
    with pytest.raises(ValueError, match="must read one table or entity, it reads 2"):
        hybrid_search(sa.select(Doc.id, Big.id), **common)


def test_table_and_entity_agree_and_columns_are_labelled(engine: sa.Engine, docs: Any) -> None:
    text = queries()[0]
    q = corpus.embed(text, DIM)
    table = Doc.__table__
    with Session(engine) as session:
        core = session.execute(
            hybrid_search(
                table,
                vector_column=table.c.embedding,
                tsvector_column=table.c.tsv,
                query_vector=q,
                query_text=text,
            )
        ).all()
        orm = run(session, query_vector=q, query_text=text)
    assert [(r.id, r.hybrid_score, r.vector_rank, r.text_rank) for r in core] == orm


def test_aliased_entity_and_composite_primary_key(engine: sa.Engine, docs: Any) -> None:
    """An aliased class gives the same rows; a two-column primary key joins and breaks
    ties on both columns (here (id // 1000, id % 1000), which orders like id)."""
    composite = sa.Table(
        "hybrid_composite",
        sa.MetaData(),
        sa.Column("a", sa.Integer, primary_key=True),
        sa.Column("b", sa.Integer, primary_key=True),
        sa.Column("tsv", TSVECTOR),
        sa.Column("embedding", RuVector(DIM)),
    )
    with engine.begin() as conn:
        composite.create(conn)
        conn.exec_driver_sql(
            "INSERT INTO hybrid_composite SELECT id / 1000, mod(id, 1000), tsv, embedding "
            "FROM hybrid_docs"
        )
    text = queries()[5]
    q = corpus.embed(text, DIM)
    common: dict[str, Any] = {"query_vector": q, "query_text": text, "k": 25, "prefetch_k": 40}
    with Session(engine) as session:
        want = run(session, **common)
        alias = sa.orm.aliased(Doc)
        got_alias = [
            (d.id, s, vr, tr)
            for d, s, vr, tr in session.execute(
                hybrid_search(
                    alias, vector_column=alias.embedding, tsvector_column=alias.tsv, **common
                )
            )
        ]
        got_composite = [
            (r.a * 1000 + r.b, r.hybrid_score, r.vector_rank, r.text_rank)
            for r in session.execute(
                hybrid_search(
                    composite,
                    vector_column=composite.c.embedding,
                    tsvector_column=composite.c.tsv,
                    **common,
                )
            )
        ]
    assert got_alias == want
    assert got_composite == want


def test_one_round_trip(engine: sa.Engine, docs: Any) -> None:
    text = queries()[1]
    with Session(engine) as session:
        session.connection()  # open the transaction first: only the statement counts
        with statements_sent(engine) as sent:
            rows = run(session, query_vector=corpus.embed(text, DIM), query_text=text)
        assert rows
        assert len(sent) == 1 and sent[0].lstrip().startswith("WITH vector_candidates AS")


def test_async_session(ruvector_db: Any, engine: sa.Engine, docs: Any) -> None:
    text = queries()[2]
    q = corpus.embed(text, DIM)
    stmt = hybrid_search(
        Doc, vector_column=Doc.embedding, tsvector_column=Doc.tsv, query_vector=q, query_text=text
    )

    async def go() -> list[Any]:
        aengine = create_async_engine(ruvector_db.url.replace("+psycopg", "+ruvector_async", 1))
        try:
            async with AsyncSession(aengine) as session:
                return [(d.id, s, vr, tr) for d, s, vr, tr in await session.execute(stmt)]
        finally:
            await aengine.dispose()

    got = asyncio.run(go())
    with Session(engine) as session:
        assert got == [(d.id, s, vr, tr) for d, s, vr, tr in session.execute(stmt)]
    assert got


# --- the 50k table: plans, and the fusion of what the index returns -----------------


def test_plan_uses_vector_and_gin_indexes(engine: sa.Engine, big: None) -> None:
    text = "read file or directory"
    q = corpus.embed(text, DIM)
    for kwargs, gin in (
        ({"tsvector_column": Big.tsv}, "hybrid_big_tsv"),
        ({"text_column": Big.body}, "hybrid_big_body_gin"),
    ):
        stmt = hybrid_search(
            Big, vector_column=Big.embedding, query_vector=q, query_text=text, **kwargs
        )
        with engine.connect() as conn:
            explained = plan(conn, stmt)
        assert "Index Scan using hybrid_big_embedding" in explained, explained
        assert f"Bitmap Index Scan on {gin}" in explained, explained
        assert "Seq Scan" not in explained, explained


@pytest.mark.parametrize("fusion", ["rrf", "linear"])
def test_index_backed_equals_reference_on_index_results(
    engine: sa.Engine, big: None, fusion: str
) -> None:
    prefetch_k = 80
    with Session(engine) as session, search_settings(session, ef_search=prefetch_k):
        for text in queries()[:8]:
            q = corpus.embed(text, DIM)
            stmt = hybrid_search(
                Big,
                vector_column=Big.embedding,
                tsvector_column=Big.tsv,
                query_vector=q,
                query_text=text,
                k=20,
                prefetch_k=prefetch_k,
                fusion=fusion,  # type: ignore[arg-type]
            )
            got = [(b.id, s, vr, tr) for b, s, vr, tr in session.execute(stmt)]
            vec = fetch_vector(session, "hybrid_big", q, "cosine", prefetch_k)
            assert len(vec) == prefetch_k
            txt = fetch_text(session, "hybrid_big", text)
            check(got, reference(vec, txt, fusion=fusion, k=20, prefetch_k=prefetch_k))


def test_search_settings_reach_the_index_scan(
    engine: sa.Engine, caps: Capabilities, big: None
) -> None:
    """A low ef_search cuts the HNSW candidates below prefetch_k, a high one does not:
    the same count the plain index query returns under the same setting, whether set
    for a block or through the statement's execution option. (ruvector 2.0.5 reads no
    ef_search setting: there only the equality holds.)"""
    text = queries()[4]
    q = corpus.embed(text, DIM)
    stmt = hybrid_search(
        Big,
        vector_column=Big.embedding,
        tsvector_column=Big.tsv,
        query_vector=q,
        query_text=text,
        k=1000,
        prefetch_k=150,
    )

    def vector_ranked(rows: Any) -> int:
        return sum(1 for row in rows if row.vector_rank is not None)

    counts = {}
    with Session(engine) as session:
        for ef in (10, 200):
            with search_settings(session, ef_search=ef):
                plain = len(fetch_vector(session, "hybrid_big", q, "cosine", 150))
                counts[ef] = (plain, vector_ranked(session.execute(stmt)))
            option = stmt.execution_options(ruvector_search={"ef_search": ef})
            assert vector_ranked(session.execute(option)) == counts[ef][1]
    assert counts[10][0] == counts[10][1]
    assert counts[200][0] == counts[200][1]
    if caps.is_compat:  # pgvector's HNSW underneath: hnsw.ef_search takes effect
        assert counts[10][1] < 150 and counts[200][1] == 150


# --- bad input fails before SQL ------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"query_vector": np.ones(DIM - 1)}, ValueError, "expected 32 dimensions, got 31"),
        ({"query_vector": [math.nan] * DIM}, ValueError, "NaN"),
        ({"language": "english'; DROP TABLE x; --"}, ValueError, "language must be"),
        ({"fusion": "max"}, ValueError, "fusion must be 'rrf' or 'linear'"),
        ({"alpha": 1.5}, ValueError, "alpha must be a number in"),
        ({"k": 0}, ValueError, "k must be an int >= 1"),
        ({"prefetch_k": "10"}, ValueError, "prefetch_k must be an int"),
        ({"metric": "l1"}, ValueError, "metric must be one of"),
        ({"text_column": Doc.body}, ValueError, "exactly one of text_column and tsvector_column"),
        ({"query_text": b"bytes"}, TypeError, "query_text must be a str"),
    ],
)
def test_bad_input(kwargs: dict[str, Any], error: type[Exception], words: str) -> None:
    args: dict[str, Any] = {
        "vector_column": Doc.embedding,
        "tsvector_column": Doc.tsv,
        "query_vector": np.ones(DIM),
        "query_text": "x",
    }
    args.update(kwargs)
    with pytest.raises(error, match=words):
        hybrid_search(Doc, **args)


def test_bad_source_and_column() -> None:
    with pytest.raises(TypeError, match="expected a mapped class"):
        hybrid_search(
            "docs",
            vector_column=Doc.embedding,
            tsvector_column=Doc.tsv,
            query_vector=np.ones(DIM),
            query_text="x",
        )
    with pytest.raises(TypeError, match="vector_column must be a vector column"):
        hybrid_search(
            Doc,
            vector_column=Doc.body,
            tsvector_column=Doc.tsv,
            query_vector=np.ones(DIM),
            query_text="x",
        )
