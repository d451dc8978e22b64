"""SQL rendered per server for the drop-in: index translation, aggregates and
binary_quantize where the server differs from the compatibility layer."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, Index, Integer, MetaData, Table, func, select
from sqlalchemy.schema import CreateIndex

from sqlalchemy_ruvector.capabilities import DOCUMENTED, Capabilities
from sqlalchemy_ruvector.dialect import RuVectorDialect_psycopg
from sqlalchemy_ruvector.errors import UnmappableIndexError, UnsupportedByServerError
from sqlalchemy_ruvector.pgvector.sqlalchemy import BIT, HALFVEC, VECTOR, avg, sum
from tests.conftest import Database

PUBLISHED = replace(
    DOCUMENTED,
    probed=True,
    extension_version="0.3.0",
    server_version="2.0.5",
    hnsw_am="hnsw",
    ip_operator_sign=1,
    has_l1_operator=False,
    functions=frozenset(
        {
            "ruvector_l2_distance",
            "vector_sum",
            "vector_mul_scalar",
            "binary_quantize_arr",
            "ruvector_dims",
        }
    ),
)
RUHNSW = replace(PUBLISHED, hnsw_am="ruhnsw", functions=frozenset({"avg", "sum"}))

metadata = MetaData()
items = Table(
    "items", metadata, Column("id", Integer), Column("embedding", VECTOR(3)), Column("b", BIT(3))
)


def dialect(caps: Capabilities) -> RuVectorDialect_psycopg:
    d = RuVectorDialect_psycopg()
    d.ruvector_capabilities = caps
    return d


def ddl(index: Index, caps: Capabilities) -> str:
    return str(CreateIndex(index).compile(dialect=dialect(caps)))


@pytest.mark.parametrize(
    ("caps", "using", "opclass", "expected"),
    [
        (PUBLISHED, "hnsw", "vector_cosine_ops", "USING hnsw (embedding ruvector_cosine_ops)"),
        (RUHNSW, "hnsw", "vector_ip_ops", "USING ruhnsw (embedding ruvector_ip_ops)"),
        (PUBLISHED, "ivfflat", "vector_l2_ops", "USING ruivfflat (embedding ruvector_l2_ops)"),
        (RUHNSW, "hnsw", "ruvector_l2_ops", "USING ruhnsw (embedding ruvector_l2_ops)"),
    ],
)
def test_pgvector_style_index_is_translated(
    caps: Capabilities, using: str, opclass: str, expected: str, caplog: pytest.LogCaptureFixture
) -> None:
    index = Index(
        "idx",
        items.c.embedding,
        postgresql_using=using,
        postgresql_with={"m": 16} if using == "hnsw" else {"lists": 10},
        postgresql_ops={"embedding": opclass},
        postgresql_where=items.c.id > 5,
        _table=None,
    )
    with caplog.at_level(logging.DEBUG, logger="sqlalchemy_ruvector.index_translation"):
        text = ddl(index, caps)
    items.indexes.discard(index)
    assert text.startswith(f"CREATE INDEX idx ON items {expected} WITH (")
    assert text.endswith("WHERE id > 5")
    if opclass.startswith("vector_") or caps.hnsw_am != using:
        assert any("idx" in r.getMessage() and "->" in r.getMessage() for r in caplog.records)


def test_unmappable_opclass_is_refused() -> None:
    index = Index(
        "idx",
        items.c.embedding,
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_l1_ops"},
    )
    items.indexes.discard(index)
    with pytest.raises(UnmappableIndexError, match="vector_l1_ops"):
        ddl(index, PUBLISHED)


def test_other_indexes_keep_sqlalchemy_rendering() -> None:
    plain = Index("by_id", items.c.id, postgresql_using="btree")
    items.indexes.discard(plain)
    assert ddl(plain, PUBLISHED) == "CREATE INDEX by_id ON items USING btree (id)"


def test_pgvector_opclass_without_pgvector_is_refused() -> None:
    index = Index(
        "half",
        func.cast(items.c.embedding, HALFVEC(3)).label("embedding"),
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "halfvec_l2_ops"},
    )
    items.indexes.discard(index)
    with pytest.raises(UnsupportedByServerError, match=r"halfvec_l2_ops.*no pgvector"):
        ddl(index, PUBLISHED)


def compile_select(stmt: sa.Select[tuple[object, ...]], caps: Capabilities | None) -> str:
    d = dialect(caps) if caps is not None else sa.dialects.postgresql.psycopg.dialect()
    return str(stmt.compile(dialect=d))


@pytest.mark.parametrize("aggregate", [avg, sum])
def test_aggregate_rendering(aggregate: type) -> None:
    name = aggregate.__name__
    native = compile_select(select(aggregate(items.c.embedding)), RUHNSW)
    assert f"{name}(items.embedding)" in native
    portable = compile_select(select(aggregate(items.c.embedding)), PUBLISHED)
    assert "vector_sum(CAST(translate(CAST(items.embedding AS TEXT)" in portable
    assert ("vector_mul_scalar" in portable) == (name == "avg")
    unprobed = compile_select(select(aggregate(items.c.embedding)), None)
    assert "unnest(array_agg(CAST(items.embedding AS TEXT)))" in unprobed
    with pytest.raises(UnsupportedByServerError, match=f"{name}\\(ruvector\\)"):
        compile_select(
            select(aggregate(items.c.embedding)), replace(PUBLISHED, functions=frozenset())
        )


def test_binary_quantize_on_published_uses_binary_quantize_arr() -> None:
    text = compile_select(select(func.binary_quantize(items.c.embedding)), PUBLISHED)
    assert "binary_quantize_arr(CAST(translate(CAST(items.embedding AS TEXT)" in text
    assert "get_bit(q.b, g.i)" in text
    assert "generate_series(0, ruvector_dims(items.embedding) - 1)" in text


def test_bit_distances_use_pgvector_operators_where_installed() -> None:
    with_pgvector = replace(RUHNSW, pgvector_version="0.8.5")
    text = compile_select(select(items.c.b.hamming_distance("101")), with_pgvector)
    # SQLAlchemy 2.1 renders the bind cast, 2.0 leaves the parameter untyped (the
    # server infers bit from the operator): the operator is what is under test
    assert re.search(r"\(items\.b <~> %\(param_1\)s(::BIT\(3\))?\)", text), text
    assert "<%%>" in compile_select(select(items.c.b.jaccard_distance("101")), with_pgvector)
    assert "bit_count" in compile_select(select(items.c.b.hamming_distance("101")), PUBLISHED)


@pytest.mark.real_ruvector
def test_binary_quantize_arr_on_real_server(ruvector_db: Database) -> None:
    """On the published build: binary_quantize(col) via binary_quantize_arr gives sign bits."""
    engine = sa.create_engine(ruvector_db.url.replace("+psycopg", "+ruvector", 1))
    table = Table("bq_real", MetaData(), Column("id", Integer), Column("embedding", VECTOR(3)))
    table.create(engine)
    try:
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"id": 1, "embedding": [1, -2, 3]}])
            bits = conn.execute(select(func.binary_quantize(table.c.embedding))).scalar_one()
        assert bits == "101"
    finally:
        table.drop(engine)
        engine.dispose()
