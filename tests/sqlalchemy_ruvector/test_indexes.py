"""VectorIndex: DDL per server, parameter validation, create_all, reflection."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import CompileError
from sqlalchemy.schema import CreateIndex

from sqlalchemy_ruvector import HalfVec, PgVector, RuVector, SparseVec, VectorIndex
from sqlalchemy_ruvector import functions as F
from sqlalchemy_ruvector.capabilities import Capabilities
from tests.helpers import plan, statements_sent


def make_table(metadata: sa.MetaData, *indexes: VectorIndex, halfvec: bool = True) -> sa.Table:
    columns = [sa.Column("h", HalfVec(4))] if halfvec else []
    return sa.Table(
        "idx_items",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("e", RuVector(4)),
        *columns,
        *indexes,
    )


def ddl(index: VectorIndex, dialect: sa.engine.Dialect | None = None) -> str:
    return str(CreateIndex(index).compile(dialect=dialect or postgresql.dialect()))


def test_offline_ddl_uses_documented_names() -> None:
    index = VectorIndex("i_cos", "e", method="hnsw", metric="cosine", m=16, ef_construction=64)
    make_table(sa.MetaData(), index)
    assert ddl(index) == (
        "CREATE INDEX i_cos ON idx_items USING ruhnsw (e ruvector_cosine_ops) "
        "WITH (m = 16, ef_construction = 64)"
    )
    ivf = VectorIndex("i_ivf", "e", method="ivfflat", metric="ip", lists=100, concurrently=True)
    make_table(sa.MetaData(), ivf)
    assert ddl(ivf) == (
        "CREATE INDEX CONCURRENTLY i_ivf ON idx_items USING ruivfflat (e ruvector_ip_ops) "
        "WITH (lists = 100)"
    )


def test_pgvector_types_use_pgvector_methods() -> None:
    index = VectorIndex("i_h", "h", method="hnsw", metric="l2")
    make_table(sa.MetaData(), index)
    assert ddl(index) == "CREATE INDEX i_h ON idx_items USING hnsw (h halfvec_l2_ops)"


def test_published_access_method_name() -> None:
    index = VectorIndex("i_l2", "e", metric="l2", m=8)
    make_table(sa.MetaData(), index)
    dialect = postgresql.dialect()
    dialect.ruvector_capabilities = Capabilities(
        probed=True,
        extension_version="0.3.0",  # type: ignore[attr-defined]
        hnsw_am="hnsw",
        accepts_unknown_reloptions=True,
    )
    assert (
        ddl(index, dialect)
        == "CREATE INDEX i_l2 ON idx_items USING hnsw (e ruvector_l2_ops) WITH (m = 8)"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"method": "diskann"}, ValueError, "method must be one of hnsw, ivfflat"),
        ({"metric": "hamming"}, ValueError, "metric must be one of"),
        ({"m": 1}, ValueError, "m must be between 2 and 100"),
        ({"m": 101}, ValueError, "m must be between 2 and 100"),
        ({"ef_construction": 3}, ValueError, "ef_construction must be between 4 and 1000"),
        ({"m": 32, "ef_construction": 40}, ValueError, "at least 2 * m"),
        ({"m": "16; DROP TABLE x"}, TypeError, "m must be an int"),
        ({"m": True}, TypeError, "m must be an int"),
        ({"lists": 10}, ValueError, "unknown hnsw parameter 'lists'"),
        ({"method": "ivfflat", "lists": 0}, ValueError, "lists must be between 1 and 100000"),
        ({"quantization": "int4"}, ValueError, "quantization must be one of sq8, pq16, binary"),
    ],
)
def test_parameter_validation(
    kwargs: dict[str, object], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words.replace("*", r"\*")):
        VectorIndex("bad", "e", **kwargs)  # type: ignore[arg-type]


def test_non_vector_column_is_refused() -> None:
    index = VectorIndex("i_id", "id")
    make_table(sa.MetaData(), index)
    with pytest.raises(CompileError, match="not a vector column"):
        ddl(index)


def test_create_all_and_reflection(caps: Capabilities, engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    make_table(
        metadata,
        VectorIndex("idx_cos", "e", method="hnsw", metric="cosine", m=12, ef_construction=48),
        VectorIndex("idx_ivf", "e", method="ivfflat", metric="l2", lists=3),
        halfvec=False,
    )
    metadata.create_all(engine)
    try:
        indexes = {ix["name"]: ix for ix in sa.inspect(engine).get_indexes("idx_items")}
    finally:
        metadata.drop_all(engine)
    cos = indexes["idx_cos"]["dialect_options"]
    assert cos["postgresql_using"] == caps.hnsw_am
    assert cos["postgresql_ops"] == {"e": "ruvector_cosine_ops"}
    assert cos["postgresql_with"] == {"m": "12", "ef_construction": "48"}
    ivf = indexes["idx_ivf"]["dialect_options"]
    assert ivf["postgresql_using"] == "ruivfflat"
    assert ivf["postgresql_with"] == {"lists": "3"}


def test_options_the_server_cannot_take(caps: Capabilities, engine: sa.Engine) -> None:
    """quantization is documented; the published 2.0.5 stores and ignores it, while
    the compatibility layer (pgvector's AMs) cannot take it: a clear error, not SQL."""
    index = VectorIndex("idx_q", "e", method="hnsw", quantization="sq8")
    make_table(sa.MetaData(), index)
    if caps.accepts_unknown_reloptions:
        with pytest.warns(UserWarning, match="ignores quantization"):
            ddl(index, engine.dialect)
    else:
        with pytest.raises(CompileError, match="does not accept quantization"):
            ddl(index, engine.dialect)


def test_missing_type_is_refused_before_sql(caps: Capabilities, engine: sa.Engine) -> None:
    """halfvec exists only where pgvector is installed (never in ruvector 2.0.5)."""
    assert "halfvec" not in caps.types
    metadata = sa.MetaData()
    make_table(metadata)
    with pytest.raises(CompileError, match="type halfvec does not exist on this server"):
        metadata.create_all(engine)
    assert not sa.inspect(engine).has_table("idx_items")


# -- indexes on expressions (issue 7, item 10) -------------------------------------------


def expression_table(metadata: sa.MetaData, column_type: sa.types.TypeEngine[object]) -> sa.Table:
    return sa.Table(
        "expr_items",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("e", column_type, nullable=False),
    )


def test_expression_ddl_keeps_the_expression_and_its_opclass() -> None:
    table = expression_table(sa.MetaData(), RuVector(3))
    half = VectorIndex("i_half", sa.cast(table.c.e, HalfVec(3)), metric="cosine")
    norm = VectorIndex("i_norm", F.ruvector_normalize(table.c.e), metric="ip", m=8)
    scaled = VectorIndex("i_scaled", sa.func.ruvector_mul_scalar(table.c.e, 2))
    assert ddl(half) == (
        "CREATE INDEX i_half ON expr_items USING hnsw ((CAST(e AS halfvec(3))) halfvec_cosine_ops)"
    )
    # the server reads dimensions from the index column's type: a function result has
    # none, so the expression is cast to its (dimension-keeping) type
    assert ddl(norm) == (
        "CREATE INDEX i_norm ON expr_items USING ruhnsw "
        "((CAST(ruvector_normalize(e) AS ruvector(3))) ruvector_ip_ops) WITH (m = 8)"
    )
    assert "ruvector_mul_scalar(e, CAST(2.0 AS REAL))" in ddl(scaled)
    with pytest.raises(CompileError, match="'i_norm' is on an expression"):
        _ = norm.vector_column


def test_expression_that_is_not_a_vector_is_refused() -> None:
    table = expression_table(sa.MetaData(), RuVector(3))
    index = VectorIndex("i_dims", F.ruvector_dims(table.c.e))
    with pytest.raises(CompileError, match="'i_dims': the indexed expression is not a vector"):
        ddl(index)


def test_expression_index_on_the_server(engine: sa.Engine) -> None:
    """Built and used on both profiles: the index holds the normalized vectors and an
    ORDER BY on the same (cast) expression scans it."""
    metadata = sa.MetaData()
    table = expression_table(metadata, RuVector(4))
    normalized = F.ruvector_normalize(table.c.e)
    VectorIndex("expr_norm", normalized, metric="cosine")
    metadata.create_all(engine)
    try:
        rows = np.random.default_rng(3).standard_normal((200, 4)).astype(np.float32)
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"id": i, "e": v} for i, v in enumerate(rows)])
        with engine.connect() as conn:
            indexdef = conn.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'expr_norm'")
            ).scalar_one()
            conn.exec_driver_sql("SET enable_seqscan = off")
            nearest = sa.cast(normalized, RuVector(4)).cosine_distance(rows[7])
            stmt = sa.select(table.c.id).order_by(nearest).limit(1)
            text = plan(conn, stmt)
            first = conn.execute(stmt).scalar_one()
    finally:
        metadata.drop_all(engine)
    assert "ruvector_normalize(e)" in indexdef and "ruvector_cosine_ops" in indexdef
    assert "Index Scan using expr_norm" in text
    assert first == 7


def test_halfvec_expression_index_with_pgvector(pgvector_engine: sa.Engine) -> None:
    """pgvector's half-precision index on a full-precision column (documented profile:
    halfvec exists only where pgvector is installed)."""
    metadata = sa.MetaData()
    table = expression_table(metadata, PgVector(4))
    half = sa.cast(table.c.e, HalfVec(4))
    VectorIndex("expr_half", half, metric="l2")
    metadata.create_all(pgvector_engine)
    try:
        rows = np.random.default_rng(4).standard_normal((200, 4)).astype(np.float32)
        with pgvector_engine.begin() as conn:
            conn.execute(table.insert(), [{"id": i, "e": v} for i, v in enumerate(rows)])
        with pgvector_engine.connect() as conn:
            indexdef = conn.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'expr_half'")
            ).scalar_one()
            conn.exec_driver_sql("SET enable_seqscan = off")
            stmt = sa.select(table.c.id).order_by(half.l2_distance(rows[11])).limit(1)
            text = plan(conn, stmt)
            first = conn.execute(stmt).scalar_one()
    finally:
        metadata.drop_all(pgvector_engine)
    assert "halfvec(4)" in indexdef and "halfvec_l2_ops" in indexdef
    assert "Index Scan using expr_half" in text
    assert first == 11


def test_halfvec_expression_without_pgvector_is_refused(engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    table = expression_table(metadata, RuVector(4))
    VectorIndex("expr_half", sa.cast(table.c.e, HalfVec(4)))
    with pytest.raises(CompileError, match="index 'expr_half': type halfvec does not exist"):
        metadata.create_all(engine)
    assert not sa.inspect(engine).has_table("expr_items")


# -- declarations the server would reject (issue 7, item 11) -----------------------------


@pytest.mark.parametrize(
    ("column_type", "kwargs", "words"),
    [
        (SparseVec(8), {"method": "ivfflat"}, "'bad': ivfflat cannot index sparsevec .* at all"),
        (RuVector(3), {"metric": "l1"}, "'bad': hnsw cannot index ruvector by l1 .* offers l2"),
        (PgVector(3), {"quantization": "sq8"}, "'bad': pgvector's hnsw .* does not accept quant"),
        (HalfVec(3), {"quantization": "binary"}, "'bad': pgvector's hnsw .* does not accept quant"),
        (RuVector(), {}, r"'bad': column 'e' has no dimensions .* declare the column as RuVector"),
        (RuVector(), {"method": "ivfflat"}, "'bad': column 'e' has no dimensions"),
        (SparseVec(), {}, "'bad': column 'e' has no dimensions"),
    ],
)
def test_declarations_the_server_rejects(
    column_type: sa.types.TypeEngine[object], kwargs: dict[str, object], words: str
) -> None:
    table = expression_table(sa.MetaData(), column_type)
    index = VectorIndex("bad", table.c.e, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(CompileError, match=words):
        ddl(index)


def test_cast_without_dimensions_is_refused() -> None:
    table = expression_table(sa.MetaData(), RuVector(3))
    index = VectorIndex("bad", sa.cast(table.c.e, RuVector()))
    with pytest.raises(CompileError, match="'bad': the indexed expression has no dimensions"):
        ddl(index)


def test_no_dimensions_refused_before_sql(engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    table = expression_table(metadata, RuVector())
    VectorIndex("nodims", table.c.e, method="ivfflat")
    with statements_sent(engine) as sent, pytest.raises(CompileError, match="no dimensions"):
        metadata.create_all(engine)
    assert not any("CREATE INDEX" in s for s in sent)
    assert not sa.inspect(engine).has_table("expr_items")


@pytest.mark.parametrize(
    ("column_type", "kwargs"),
    [(SparseVec(8), {"method": "ivfflat"}), (PgVector(3), {"quantization": "sq8"})],
)
def test_pgvector_declarations_refused_before_sql(
    pgvector_engine: sa.Engine, column_type: sa.types.TypeEngine[object], kwargs: dict[str, object]
) -> None:
    metadata = sa.MetaData()
    table = expression_table(metadata, column_type)
    VectorIndex("refused", table.c.e, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(CompileError, match="index 'refused'"):
        metadata.create_all(pgvector_engine)
    assert not sa.inspect(pgvector_engine).has_table("expr_items")


def test_numpy_integers_are_ints() -> None:
    index = VectorIndex("i_np", "e", m=np.int64(8), ef_construction=np.uint16(40))
    make_table(sa.MetaData(), index)
    assert ddl(index).endswith("WITH (m = 8, ef_construction = 40)")
    with pytest.raises(TypeError, match="m must be an int"):
        VectorIndex("i_np", "e", m=np.float64(8))
    with pytest.raises(TypeError, match="m must be an int"):
        VectorIndex("i_np", "e", m=np.bool_(True))
