"""index_info / vector_indexes against independent catalog queries, INVALID indexes
left by interrupted CREATE INDEX CONCURRENTLY, and ruvector's health functions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import CompileError

from sqlalchemy_ruvector import VectorIndex
from sqlalchemy_ruvector.capabilities import Capabilities
from sqlalchemy_ruvector.health import (
    available_health_functions,
    health_status,
    hnsw_debug,
    index_info,
    is_healthy,
    memory_stats,
    system_metrics,
    vector_indexes,
)
from sqlalchemy_ruvector.types import RuVector

ROWS = 3000
md = sa.MetaData()
items = sa.Table(
    "health_items",
    md,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("category", sa.Text),
    sa.Column("embedding", RuVector(16)),
)
VectorIndex("health_items_embedding", items.c.embedding, metric="cosine", m=16, ef_construction=64)
sa.Index("health_items_category", items.c.category)
empty = sa.Table(
    "health_empty", md, sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("embedding", RuVector(16)),
)  # fmt: skip
VectorIndex("health_empty_embedding", empty.c.embedding)


@pytest.fixture(scope="module")
def table(engine: sa.Engine, ruvector_db: Any) -> None:
    md.create_all(engine)
    rng = np.random.default_rng(7)
    with ruvector_db.connect() as conn, conn.cursor() as cur:
        with cur.copy("COPY health_items (id, category, embedding) FROM STDIN") as copy:
            for i in range(ROWS):
                v = rng.standard_normal(16).astype(np.float32)
                copy.write_row((i, f"c{i % 7}", "[" + ",".join(map(repr, map(float, v))) + "]"))
        cur.execute("VACUUM ANALYZE health_items")


CATALOG = sa.text(
    """
SELECT pi.indexdef, pg_relation_size(c.oid), c.reltuples::float8, am.amname,
       x.indisvalid, s.idx_scan, array_to_string(c.reloptions, ',')
  FROM pg_indexes pi
  JOIN pg_class c ON c.relname = pi.indexname
  JOIN pg_index x ON x.indexrelid = c.oid
  JOIN pg_am am ON am.oid = c.relam
  LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = c.oid
 WHERE pi.indexname = :name
"""
)


def test_index_info_agrees_with_catalog(engine: sa.Engine, caps: Capabilities, table: None) -> None:
    with engine.connect() as conn:
        info = index_info(conn, "health_items_embedding")
        definition, size, tuples, am, valid, scans, reloptions = conn.execute(
            CATALOG, {"name": "health_items_embedding"}
        ).one()
        vacuumed = conn.execute(
            sa.text("SELECT last_vacuum, last_analyze FROM pg_stat_user_tables "
                    "WHERE relname = 'health_items'")
        ).one()  # fmt: skip
    assert info.definition == definition
    assert (info.size_bytes, info.tuples, info.access_method) == (size, tuples, am)
    assert info.access_method == caps.hnsw_am
    assert info.opclass == "ruvector_cosine_ops"
    assert info.params == {"m": "16", "ef_construction": "64"}
    assert ",".join(f"{k}={v}" for k, v in info.params.items()) == reloptions
    assert info.size_bytes > 0 and info.tuples == ROWS
    assert (info.schema, info.table, info.column) == ("public", "health_items", "embedding")
    assert info.is_valid is valid is True and info.is_ready
    assert info.scans == scans
    assert (info.last_vacuum, info.last_analyze) == tuple(vacuumed)
    assert info.last_vacuum is not None
    assert info.is_vector_index and info.planner_uses is True and info.healthy


def test_btree_index_info(engine: sa.Engine, table: None) -> None:
    with engine.connect() as conn:
        info = index_info(conn, "health_items_category", schema="public")
    assert (info.access_method, info.opclass, info.column) == ("btree", "text_ops", "category")
    assert not info.is_vector_index and info.planner_uses is None and info.healthy


def test_vector_indexes(engine: sa.Engine, table: None) -> None:
    with engine.connect() as conn:
        found = {i.name: i for i in vector_indexes(conn)}
        checked = {i.name: i.planner_uses for i in vector_indexes(conn, check_planner=True)}
    assert set(found) == {"health_items_embedding", "health_empty_embedding"}
    assert all(i.planner_uses is None for i in found.values())
    assert checked == {"health_items_embedding": True, "health_empty_embedding": None}


def test_unknown_and_bad_names(engine: sa.Engine, table: None) -> None:
    with engine.connect() as conn:
        with pytest.raises(LookupError, match="no index named 'nope' on the search path"):
            index_info(conn, "nope")
        with pytest.raises(LookupError, match="in schema 'other'"):
            index_info(conn, "health_items_embedding", schema="other")
        with pytest.raises(ValueError, match="index_name must be a non-empty str"):
            index_info(conn, "")


@pytest.fixture
def autocommit(ruvector_db: Any) -> Iterator[psycopg.Connection[Any]]:
    with ruvector_db.connect() as conn:
        yield conn


def test_failed_concurrent_unique_build_is_invalid(
    engine: sa.Engine, table: None, autocommit: psycopg.Connection[Any]
) -> None:
    with pytest.raises(psycopg.errors.UniqueViolation):
        autocommit.execute(
            "CREATE UNIQUE INDEX CONCURRENTLY health_items_category_uq ON health_items (category)"
        )
    try:
        with engine.connect() as conn:
            info = index_info(conn, "health_items_category_uq")
        assert info.is_valid is False and info.healthy is False
        assert info.definition.startswith("CREATE UNIQUE INDEX")
    finally:
        autocommit.execute("DROP INDEX health_items_category_uq")


def test_interrupted_concurrent_vector_build_is_invalid(
    engine: sa.Engine, caps: Capabilities, ruvector_db: Any, table: None,
    autocommit: psycopg.Connection[Any],
) -> None:  # fmt: skip
    """A writer's open transaction makes CREATE INDEX CONCURRENTLY wait after it has
    committed the catalog entry; the statement timeout cancels it there."""
    writer = ruvector_db.connect(autocommit=False)
    writer.execute("UPDATE health_items SET category = category WHERE id = 0")
    try:
        autocommit.execute("SET statement_timeout = '1s'")
        with pytest.raises(psycopg.errors.QueryCanceled):
            autocommit.execute(
                f"CREATE INDEX CONCURRENTLY health_items_embedding_cc ON health_items "
                f"USING {caps.hnsw_am} (embedding ruvector_l2_ops)"
            )
    finally:
        writer.rollback()
        writer.close()
        autocommit.execute("RESET statement_timeout")
    try:
        with engine.connect() as conn:
            info = index_info(conn, "health_items_embedding_cc")
            listed = {i.name: i.is_valid for i in vector_indexes(conn)}
        assert info.is_vector_index and info.is_valid is False and not info.healthy
        assert listed["health_items_embedding_cc"] is False
        assert listed["health_items_embedding"] is True
    finally:
        autocommit.execute("DROP INDEX IF EXISTS health_items_embedding_cc")


def test_health_functions_where_the_server_has_them(
    engine: sa.Engine, caps: Capabilities, table: None
) -> None:
    with engine.connect() as conn:
        have = available_health_functions(conn)
        assert have == {f for f in have if f in caps.functions}
        assert "ruvector_memory_stats" in have
        stats = memory_stats(conn)
        assert stats["index_memory_mb"] >= 0 and "total_extension_mb" in stats
        if "ruvector_health_status" not in have:  # the compatibility layer
            with pytest.raises(CompileError, match="ruvector_health_status"):
                health_status(conn)
            with pytest.raises(CompileError, match="ruvector_hnsw_debug"):
                hnsw_debug(conn, "health_items_embedding")


@pytest.mark.real_ruvector
def test_real_server_health_functions(engine: sa.Engine, table: None) -> None:
    with engine.connect() as conn:
        assert isinstance(health_status(conn), dict)
        assert isinstance(is_healthy(conn), bool)
        assert isinstance(system_metrics(conn), dict)
        if "ruvector_hnsw_debug" in available_health_functions(conn):
            assert isinstance(hnsw_debug(conn, "health_items_embedding"), dict)
