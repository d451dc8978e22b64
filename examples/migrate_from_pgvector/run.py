"""Moving from pgvector, end to end, on the embedded server:

    pip install ".[server]" && python examples/migrate_from_pgvector/run.py

1. ``alembic upgrade 0001``: the application's pgvector schema (vector(32), an HNSW
   cosine index with m=24/ef_construction=100, an IVFFlat L2 index, a partial HNSW
   index for one collection, comments, a NOT NULL text column with a default);
2. rows are loaded (some without an embedding);
3. ``alembic upgrade head``: revision 0002 installs ruvector and runs
   ``op.migrate_to_ruvector("documents", "embedding")``, which converts the column in
   place, carries the three indexes over and proves every row unchanged;
4. a k-NN search through the ruvector HNSW index;
5. ``alembic downgrade 0001`` moves back to pgvector, and the data is checked again.

Set DATABASE_URL (``postgresql+ruvector://...``, a database with pgvector available)
to run it against your own server instead of the embedded one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from models import DIM, Document  # noqa: E402

from sqlalchemy_ruvector import search_settings  # noqa: E402

ROWS = 3_000
DATABASE = "moving_from_pgvector"


def load(url: str) -> None:
    """Rows with random unit embeddings; every 20th has none, a tenth are 'news'."""
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((ROWS, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    engine = sa.create_engine(url.replace("+ruvector", "+psycopg", 1))
    with engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor().copy(  # type: ignore[union-attr]
            "COPY documents (id, collection, body, embedding) FROM STDIN"
        ) as copy:
            for i, v in enumerate(vectors):
                text = None if i % 20 == 0 else "[" + ",".join(map(repr, v.tolist())) + "]"
                copy.write_row((i, "news" if i % 10 == 3 else "blog", f"document {i}", text))
    engine.dispose()


def checksum(url: str) -> str:
    engine = sa.create_engine(url.replace("+ruvector", "+psycopg", 1))
    with engine.connect() as conn:
        value = conn.scalar(
            sa.text(
                "SELECT md5(string_agg(id || ':' || collection || ':' || body || ':' ||"
                " coalesce(embedding::text, 'NULL'), ',' ORDER BY id)) FROM documents"
            )
        )
    engine.dispose()
    return str(value)


def describe(url: str) -> None:
    engine = sa.create_engine(url.replace("+ruvector", "+psycopg", 1))
    with engine.connect() as conn:
        column = conn.scalar(
            sa.text(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = 'documents'::regclass AND attname = 'embedding'"
            )
        )
        print(f"  documents.embedding: {column}")
        for (definition,) in conn.execute(
            sa.text(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'documents'"
                " AND indexname <> 'documents_pkey' ORDER BY indexname"
            )
        ):
            print(f"  {definition}")
    engine.dispose()


def search(url: str) -> None:
    engine = sa.create_engine(url)
    with sa.orm.Session(engine) as session:
        probe = session.scalar(sa.select(Document.embedding).where(Document.id == 42))
        query = (
            sa.select(Document.id, Document.embedding.cosine_distance(probe).label("d"))
            .where(Document.embedding.is_not(None))
            .order_by(Document.embedding.cosine_distance(probe))
            .limit(3)
        )
        with search_settings(session, ef_search=64):
            rows = session.execute(query).all()
        print("  nearest to document 42:", ", ".join(f"{i} ({d:.3f})" for i, d in rows))
    engine.dispose()


def run(url: str) -> None:
    config = Config(str(HERE / "alembic.ini"))
    os.environ["DATABASE_URL"] = url
    print("== upgrade 0001 (the pgvector schema)")
    command.upgrade(config, "0001")
    load(url)
    before = checksum(url)
    describe(url)
    print(f"  {ROWS} rows loaded, checksum {before}")
    print("== upgrade head (0002: move to ruvector)")
    command.upgrade(config, "head")
    describe(url)
    after = checksum(url)
    print(f"  checksum {after}: {'unchanged' if after == before else 'CHANGED'}")
    print("== search")
    search(url)
    print("== downgrade 0001 (back to pgvector)")
    command.downgrade(config, "0001")
    describe(url)
    back = checksum(url)
    print(f"  checksum {back}: {'unchanged' if back == before else 'CHANGED'}")
    if not before == after == back:
        raise SystemExit("data changed")


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    if url:
        run(url)
        return
    from sqlalchemy_ruvector.server import start

    with start() as server:
        server.create_database(DATABASE, extensions=())
        run(server.url_for(DATABASE, driver="ruvector"))


if __name__ == "__main__":
    main()
