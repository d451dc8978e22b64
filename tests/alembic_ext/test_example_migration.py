"""The example project's move from pgvector, on a 50k-row table: ``alembic upgrade
head`` then ``alembic downgrade``, compared by catalog dump and data checksum."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.config import Config

from alembic_ext import ExtensionConflict
from tests.conftest import REAL_URL, Database

from .conftest import run_sql
from .helpers import catalog, checksum, without_types

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "migrate_from_pgvector"
ROWS = 50_000


def alembic_config(db: Database) -> Config:
    config = Config(str(EXAMPLE / "alembic.ini"))
    config.attributes["configure_logger"] = False
    url = db.url.replace("+psycopg", "+ruvector", 1)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def load(db: Database, rows: int) -> None:
    """``rows`` rows: every 20th embedding NULL, a tenth in the 'news' collection,
    the NOT NULL text column left to its default on every 7th row.

    The vector indexes are dropped for the load and built again from their own
    definitions (a bulk build instead of 50k incremental HNSW inserts): the catalog
    ends exactly as revision 0001 left it."""
    with db.connect() as conn:
        definitions = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'documents'"
            " AND indexname <> 'documents_pkey'"
        ).fetchall()
        for name, _ in definitions:
            conn.execute(f"DROP INDEX {name}")
        conn.execute("SELECT setseed(0.42)")
        conn.execute(
            """
            INSERT INTO documents (id, collection, body, embedding)
            SELECT i, CASE WHEN i %% 10 = 3 THEN 'news' ELSE 'blog' END,
                   'document ' || i,
                   CASE WHEN i %% 20 = 0 THEN NULL ELSE
                        (SELECT array_agg(round(random()::numeric, 5)::real)
                           FROM generate_series(1, 32) WHERE i > 0)::vector END
              FROM generate_series(1, %s) i WHERE i %% 7 <> 0
            """,
            (rows,),
        )
        conn.execute(
            "INSERT INTO documents (id, embedding) SELECT i, NULL"
            " FROM generate_series(1, %s) i WHERE i %% 7 = 0",
            (rows,),
        )
        for _, definition in definitions:
            conn.execute(definition)


@pytest.fixture
def no_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)


@pytest.mark.volume
@pytest.mark.usefixtures("no_database_url")
def test_upgrade_and_downgrade_keep_catalog_and_data(
    make_source_db: Callable[..., Database],
) -> None:
    db = make_source_db("real" if REAL_URL else "documented", ())
    # Room for in-memory HNSW builds (m=24 on 45k vectors), as one would set for the job.
    run_sql(db, f"ALTER DATABASE {db.name} SET maintenance_work_mem = '256MB'")
    config = alembic_config(db)
    command.upgrade(config, "0001")
    t0 = time.perf_counter()
    load(db, ROWS)
    print(f"load: {time.perf_counter() - t0:.1f}s")
    before, data = catalog(db, "documents"), checksum(db, "documents")
    assert data[0] == ROWS
    assert run_sql(db, "SELECT count(*) FROM documents WHERE embedding IS NULL")[0][0] > 0

    t0 = time.perf_counter()
    command.upgrade(config, "head")
    print(f"upgrade: {time.perf_counter() - t0:.1f}s")
    after = catalog(db, "documents")
    hnsw = run_sql(db, "SELECT amname FROM pg_am WHERE amhandler = 'hnsw_handler'::regproc")[0][0]
    assert [c[1] for c in after["columns"]] == ["bigint", "text", "text", "ruvector(32)"]
    indexes = {i[0]: (i[1], i[2], i[3], i[4]) for i in after["indexes"]}
    assert indexes == {
        "documents_pkey": ("btree", ["int8_ops"], None, None),
        "documents_embedding_hnsw": (
            hnsw, ["ruvector_cosine_ops"], ["m=24", "ef_construction=100"], None,
        ),
        "documents_embedding_ivfflat": ("ruivfflat", ["ruvector_l2_ops"], ["lists=10"], None),
        "documents_news_embedding_hnsw": (
            hnsw, ["ruvector_ip_ops"], None, "collection = 'news'::text",
        ),
    }  # fmt: skip
    assert without_types(after) == without_types(before)  # names, NOT NULL, defaults, comments
    assert checksum(db, "documents") == data
    assert run_sql(db, "SELECT version_num FROM alembic_version") == [("0002",)]

    t0 = time.perf_counter()
    command.downgrade(config, "0001")
    print(f"downgrade: {time.perf_counter() - t0:.1f}s")
    assert catalog(db, "documents") == before
    assert checksum(db, "documents") == data
    assert run_sql(db, "SELECT extname FROM pg_extension WHERE extname = 'ruvector'") == []

    command.downgrade(config, "base")
    assert run_sql(db, "SELECT to_regclass('documents')") == [(None,)]


@pytest.mark.skipif(
    REAL_URL is not None, reason="the published-2.0.5 profile is the compat layer's"
)
@pytest.mark.usefixtures("no_database_url")
def test_published_profile_says_what_to_do(make_source_db: Callable[..., Database]) -> None:
    """ruvector 2.0.5 names its HNSW method hnsw, like pgvector: it cannot be installed
    next to pgvector. The upgrade stops with the steps to take, and nothing changes."""
    db = make_source_db("published-2.0.5", ())
    config = alembic_config(db)
    command.upgrade(config, "0001")
    load(db, 2_000)
    before, data = catalog(db, "documents"), checksum(db, "documents")

    with pytest.raises(ExtensionConflict) as info:
        command.upgrade(config, "head")
    message = str(info.value)
    assert 'names its HNSW access method "hnsw"' in message
    assert "ruhnsw" in message and "new database" in message
    assert "Nothing was changed." in message
    assert isinstance(info.value.__cause__, psycopg.Error)

    assert catalog(db, "documents") == before
    assert checksum(db, "documents") == data
    assert run_sql(db, "SELECT extname FROM pg_extension ORDER BY 1") == [("plpgsql",), ("vector",)]
    assert run_sql(db, "SELECT version_num FROM alembic_version") == [("0001",)]
