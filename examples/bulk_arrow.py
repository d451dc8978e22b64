"""Bulk: a Parquet file of embeddings -> a table -> a k-NN search -> Arrow.

    pip install ".[server,arrow]" && python examples/bulk_arrow.py

The file is streamed with a RecordBatchReader (memory stays bounded however large it is),
loaded with binary COPY, searched, and the hits come back as a pyarrow Table.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from sqlalchemy_ruvector import RuVector
from sqlalchemy_ruvector.bulk import copy_into, fetch_arrow

DIM = 32
ROWS = 50_000


def write_parquet(path: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((ROWS, DIM)).astype(np.float32)
    table = pa.table(
        {
            "id": np.arange(ROWS, dtype=np.int64),
            "title": [f"doc {i}" for i in range(ROWS)],
            "embedding": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), DIM),
        }
    )
    pq.write_table(table, path, row_group_size=10_000)
    return vectors


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    server = None
    if url is None:
        from sqlalchemy_ruvector.server import start

        server = start()
        url = server.create_database("bulk_example").replace("+psycopg", "+ruvector")
    engine = sa.create_engine(url)
    md = sa.MetaData()
    docs = sa.Table(
        "docs",
        md,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("embedding", RuVector(DIM), nullable=False),
    )
    md.drop_all(engine)
    md.create_all(engine)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "docs.parquet")
        vectors = write_parquet(path)
        reader = pq.ParquetFile(path).iter_batches(batch_size=8192)
        schema = pq.read_schema(path)
        stream = pa.RecordBatchReader.from_batches(schema, reader)
        with engine.connect() as conn:
            loaded = copy_into(conn, docs, stream)
    print(f"loaded {loaded} rows from Parquet")

    query = vectors[123] + np.float32(0.01)
    distance = docs.c.embedding.l2_distance(query).label("distance")
    stmt = sa.select(docs.c.id, docs.c.title, distance).order_by(distance).limit(5)
    with engine.connect() as conn:
        hits = fetch_arrow(conn, stmt)
        everything = fetch_arrow(conn, sa.select(docs.c.id, docs.c.embedding).order_by(docs.c.id))
    print(hits.schema)
    for row in hits.to_pylist():
        print(f"{row['id']:6d} {row['title']:10s} {row['distance']:.4f}")
    back = np.asarray(everything.column("embedding").combine_chunks().values).reshape(-1, DIM)
    print("round trip bit-exact:", np.array_equal(back.view(np.uint32), vectors.view(np.uint32)))
    engine.dispose()
    if server is not None:
        server.stop()


if __name__ == "__main__":
    main()
