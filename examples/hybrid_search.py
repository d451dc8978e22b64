"""Hybrid search: full text and vectors fused in one SELECT, over Python's own docs.

    pip install ".[server]" && python examples/hybrid_search.py

The corpus is the first paragraph of every public docstring in a few standard-library
modules; the embeddings are a deterministic bag of hashed words (a stand-in for a
real embedding model: texts that share words are close), so the output is the same
on every run. One ``hybrid_search`` statement gets the nearest rows from the HNSW
index and the best ``ts_rank_cd`` matches from the GIN index, and fuses them (RRF or
a linear blend) on the server, in one round trip.
"""

from __future__ import annotations

import importlib
import inspect
import re
import zlib

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import RuVector, VectorIndex, hybrid_search, search_settings
from sqlalchemy_ruvector.server import start

DIM = 64
MODULES = (
    "builtins", "os", "os.path", "json", "csv", "re", "pathlib", "shutil", "zipfile",
    "tarfile", "gzip", "sqlite3", "datetime", "time", "calendar", "math", "statistics",
    "random", "itertools", "functools", "collections", "heapq", "bisect", "string",
    "textwrap", "difflib", "socket", "ssl", "urllib.parse", "http.client", "email.message",
    "asyncio", "threading", "subprocess", "logging", "argparse", "hashlib", "base64",
    "struct", "io", "pickle", "copy", "tempfile", "glob", "uuid", "decimal", "fractions",
)  # fmt: skip
WORD = re.compile(r"[a-z][a-z0-9_]{2,}")


def corpus() -> list[tuple[str, str]]:
    """(qualified name, first docstring paragraph), deduplicated, in a stable order."""
    seen: set[str] = set()
    docs = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in sorted(a for a in dir(module) if not a.startswith("_")):
            obj = getattr(module, attr, None)
            members = [(f"{name}.{attr}", obj)]
            if inspect.isclass(obj):
                members += [
                    (f"{name}.{attr}.{m}", getattr(obj, m, None))
                    for m in sorted(vars(obj))
                    if not m.startswith("_")
                ]
            for qualified, member in members:
                text = (inspect.getdoc(member) or "").split("\n\n", 1)[0].strip()
                if len(text) >= 20 and text not in seen:
                    seen.add(text)
                    docs.append((qualified, text))
    return docs


def embed(text: str) -> np.ndarray:
    """Sum of one fixed random direction per word (seeded by crc32), normalised."""
    total = np.zeros(DIM)
    for word in WORD.findall(text.lower()) or ["<empty>"]:
        total += np.random.default_rng(zlib.crc32(word.encode())).standard_normal(DIM)
    return (total / np.linalg.norm(total)).astype(np.float32)


class Base(DeclarativeBase):
    pass


class Doc(Base):
    __tablename__ = "docs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    body: Mapped[str]
    # A stored tsvector, kept up to date by PostgreSQL, with a GIN index.
    tsv = mapped_column(TSVECTOR, sa.Computed("to_tsvector('english', body)", persisted=True))
    embedding = mapped_column(RuVector(DIM))

    __table_args__ = (
        VectorIndex("docs_embedding_idx", "embedding", metric="cosine"),
        sa.Index("docs_tsv_idx", "tsv", postgresql_using="gin"),
    )


def main() -> None:
    docs = corpus()
    with start() as server:
        engine = sa.create_engine(
            server.create_database("hybrid").replace("+psycopg", "+ruvector", 1)
        )
        # Load first, index after: building HNSW over the rows is much faster than
        # growing it one insert at a time.
        with engine.begin() as conn:
            conn.execute(sa.schema.CreateTable(Doc.__table__))
        with Session(engine) as session:
            session.add_all(
                Doc(id=i, name=name, body=body, embedding=embed(body))
                for i, (name, body) in enumerate(docs)
            )
            session.commit()
        with engine.begin() as conn:
            for index in Doc.__table__.indexes:
                index.create(conn)
            conn.execute(sa.text("ANALYZE docs"))
        print(f"{len(docs)} docstrings indexed")

        with Session(engine) as session:
            for text, fusion in (
                ("decode json or parse", "rrf"),
                ("compress or archive", "rrf"),
                ("compress or archive", "linear"),
            ):
                stmt = hybrid_search(
                    Doc,
                    vector_column=Doc.embedding,
                    tsvector_column=Doc.tsv,
                    query_vector=embed(text),
                    query_text=text,
                    k=5,
                    prefetch_k=50,
                    fusion=fusion,  # type: ignore[arg-type]
                    alpha=0.5,
                )
                # HNSW returns at most ef_search rows: let it return all 50 candidates.
                with search_settings(session, ef_search=50):
                    rows = session.execute(stmt).all()
                print(f"\n{fusion}: {text!r}")
                for doc, score, vector_rank, text_rank in rows:
                    print(f"  {score:.4f}  v={vector_rank!s:>4} t={text_rank!s:>4}  {doc.name}")

            # The same statement, filtered further: only the json module.
            stmt = hybrid_search(
                Doc,
                vector_column=Doc.embedding,
                tsvector_column=Doc.tsv,
                query_vector=embed("decode json or parse"),
                query_text="decode json or parse",
                k=3,
            ).where(Doc.name.startswith("json."))
            print("\nonly json.*:", [doc.name for doc, *_ in session.execute(stmt)])

            # How the two candidate sets are read. (On a table this small the planner
            # may scan the stored tsvectors instead of the GIN index; at 50k rows it
            # uses both indexes: see tests/sqlalchemy_ruvector/test_hybrid.py.)
            compiled = stmt.compile(session.connection(), compile_kwargs={"literal_binds": True})
            plan = session.execute(sa.text(f"EXPLAIN {compiled}")).scalars().all()
            print("\nplan:")
            for line in plan:
                if "Scan" in line and "Subquery" not in line and "CTE" not in line:
                    print("  " + line.strip().removeprefix("->  ").split("  (")[0])


if __name__ == "__main__":
    main()
