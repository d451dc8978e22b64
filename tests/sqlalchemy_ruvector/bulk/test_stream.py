"""A 1M-row stream from a RecordBatchReader loads and reads back in bounded memory.

Memory is measured with tracemalloc (allocations by Python and numpy/pyarrow buffers
that report to it), not time: the assertions hold on any machine."""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from sqlalchemy_ruvector import RuVector
from sqlalchemy_ruvector.bulk import copy_into, fetch_batches

#: 1M rows take about a minute per profile on 2 busy cores (psycopg reads COPY TO one
#: row per call): run with RUVECTOR_BULK_ROWS=1000000 by hand; the suite streams 200k.
ROWS = int(os.environ.get("RUVECTOR_BULK_ROWS", "200000"))
DIM = 16
CHUNK = 10_000
ROW_BYTES = 8 + 4 * DIM  # id + float32 vector
#: Small enough that even the quarter-size stream runs many batches: the peak of a
#: stream is reached once a chunk is read while the previous one decodes and the one
#: before is with the consumer, so both streams compared must get that far.
BATCH = 8_192


def generated_reader(rows: int = ROWS) -> pa.RecordBatchReader:
    """Batches made on demand: the whole input never exists in memory at once."""
    schema = pa.schema([("id", pa.int64()), ("embedding", pa.list_(pa.float32(), DIM))])

    def batches() -> Iterator[pa.RecordBatch]:
        for start in range(0, rows, CHUNK):
            ids = np.arange(start, start + CHUNK, dtype=np.int64)
            m = (ids % 97).astype(np.float32)[:, None] + np.arange(DIM, dtype=np.float32)
            emb = pa.FixedSizeListArray.from_arrays(pa.array(m.reshape(-1)), DIM)
            yield pa.record_batch([pa.array(ids), emb], schema=schema)

    return pa.RecordBatchReader.from_batches(schema, batches())


def stream(engine: sa.Engine, t: Any, rows: int) -> tuple[int, int]:
    """Load ``rows`` generated rows and read them back; (load, read) peak traced bytes."""
    with engine.connect() as conn:
        conn.execute(t.delete())
        conn.commit()
    tracemalloc.start()
    try:
        with engine.connect() as conn:
            assert copy_into(conn, t, generated_reader(rows), batch_rows=BATCH) == rows
        _, load_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        seen = 0
        checksum = 0.0
        with engine.connect() as conn:
            for batch in fetch_batches(conn, sa.select(t.c.id, t.c.embedding), batch_rows=BATCH):
                seen += batch.num_rows
                checksum += float(np.asarray(batch.column(1).values, dtype=np.float64).sum())
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == rows
    ids = np.arange(rows, dtype=np.float64)
    assert checksum == float(((ids % 97) * DIM).sum() + rows * DIM * (DIM - 1) / 2)
    return load_peak, read_peak


def test_stream_from_reader_in_bounded_memory(engine: sa.Engine) -> None:
    md = sa.MetaData()
    t: Any = sa.Table(
        "bulk_stream",
        md,
        sa.Column("id", sa.BigInteger),
        sa.Column("embedding", RuVector(DIM), nullable=False),
    )
    md.drop_all(engine)
    md.create_all(engine)
    try:
        stream(engine, t, CHUNK)  # warm up: imports and caches are not the stream's memory
        small = stream(engine, t, ROWS // 4)
        large = stream(engine, t, ROWS)
    finally:
        md.drop_all(engine)
    # 4x the rows, the same peak: memory is bounded by the batch sizes, not the stream
    slack = 2 << 20
    assert large[0] < small[0] * 1.25 + slack, (small, large)
    assert large[1] < small[1] * 1.25 + slack, (small, large)
    if ROWS >= 1_000_000:  # by hand: a fraction of the stream's bytes
        assert max(large) < ROWS * ROW_BYTES / 2, large
