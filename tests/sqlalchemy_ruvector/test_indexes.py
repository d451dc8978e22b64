"""VectorIndex: DDL per server, parameter validation, create_all, reflection."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import CompileError
from sqlalchemy.schema import CreateIndex

from sqlalchemy_ruvector import HalfVec, RuVector, VectorIndex
from sqlalchemy_ruvector.capabilities import Capabilities


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
