"""copy_into -> fetch_arrow / fetch_numpy round trips, bit-exact, on the embedded server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
import sqlalchemy as sa

from sqlalchemy_ruvector import HalfVec, PgVector, RuVector, SparseVec, SparseVector
from sqlalchemy_ruvector.bulk import copy_into, fetch_arrow, fetch_batches, fetch_numpy

N = 3000
DIM = 24


def hard_floats(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    """Random float32 bit patterns (every finite value is fair game) plus edge values."""
    bits = rng.integers(0, 2**32, size=(n, dim), dtype=np.uint64).astype(np.uint32)
    m = bits.view(np.float32)
    m[~np.isfinite(m)] = 1.5
    m[0, :4] = [np.finfo(np.float32).max, np.finfo(np.float32).tiny, -0.0, 1e-45]
    return m


def arrow_vectors(m: np.ndarray, null: np.ndarray) -> pa.Array:
    values = pa.array(m.reshape(-1))
    mask = pa.py_buffer(np.packbits(~null, bitorder="little"))
    return pa.Array.from_buffers(
        pa.list_(pa.float32(), m.shape[1]), len(m), [mask], int(null.sum()), children=[values]
    )


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype == np.float32 and np.array_equal(a.view(np.uint32), b.view(np.uint32))


@pytest.fixture
def items(engine: sa.Engine) -> Any:
    md = sa.MetaData()
    t = sa.Table(
        "bulk_items",
        md,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("embedding", RuVector(DIM)),
        sa.Column("label", sa.Text),
        sa.Column("score", sa.Float),
    )
    md.drop_all(engine)
    md.create_all(engine)
    yield t
    md.drop_all(engine)


def test_ruvector_round_trip_is_bit_exact_with_nulls(engine: sa.Engine, items: Any) -> None:
    rng = np.random.default_rng(1)
    m = hard_floats(rng, N, DIM)
    null = rng.random(N) < 0.1
    table = pa.table(
        {
            "id": pa.array(np.arange(N, dtype=np.int64)),
            "embedding": arrow_vectors(m, null),
            "label": pa.array([None if i % 7 == 0 else f"l{i}" for i in range(N)]),
            "score": pa.array(rng.random(N)),
        }
    )
    with engine.connect() as conn:
        assert copy_into(conn, items, table, batch_rows=700) == N
    with engine.connect() as conn:
        got = fetch_arrow(conn, sa.select(items).order_by(items.c.id), batch_rows=1000)
        assert got.schema.field("embedding").type == pa.list_(pa.float32(), DIM)
        assert got.column("embedding").null_count == int(null.sum())
        assert got.column("label").to_pylist() == table.column("label").to_pylist()
        back = np.asarray(got.column("embedding").combine_chunks().values).reshape(N, DIM)
        assert same_bits(back[~null], m[~null])
        res = fetch_numpy(conn, sa.select(items.c.id, items.c.embedding).order_by(items.c.id))
    assert np.array_equal(res.null["embedding"], null)
    assert same_bits(res["embedding"][~null], m[~null])
    assert not res["embedding"][null].any()
    assert np.array_equal(res["id"], np.arange(N))


def test_every_source_loads_the_same_rows(engine: sa.Engine, items: Any) -> None:
    import pandas as pd  # in the test extra: every source is tested, DataFrames included

    m = np.random.default_rng(2).standard_normal((40, DIM)).astype(np.float32)
    ids = np.arange(40)
    sources: list[tuple[Any, dict[str, Any]]] = [
        ({"id": ids[:10], "embedding": m[:10]}, {}),
        (pd.DataFrame({"id": ids[10:20], "embedding": list(m[10:20])}), {}),
        ([(int(i), m[i].tolist()) for i in ids[20:30]], {"columns": ["id", "embedding"]}),
        (
            pa.RecordBatchReader.from_batches(
                pa.schema([("id", pa.int64()), ("embedding", pa.list_(pa.float32()))]),
                [
                    pa.record_batch(
                        [pa.array(ids[30:]), pa.array(list(m[30:]))], names=["id", "embedding"]
                    )
                ],
            ),
            {},
        ),
    ]
    with engine.connect() as conn:
        for data, kw in sources:
            copy_into(conn, items, data, **kw)
        got = fetch_numpy(conn, sa.select(items.c.id, items.c.embedding).order_by(items.c.id))
    assert same_bits(got["embedding"], m)


def test_other_column_types_travel_through_psycopg(engine: sa.Engine) -> None:
    md = sa.MetaData()
    t = sa.Table(
        "bulk_misc",
        md,
        sa.Column("id", sa.Integer),
        sa.Column("at", sa.DateTime(timezone=True)),
        sa.Column("ok", sa.Boolean),
        sa.Column("v", RuVector()),  # unbounded: rows of several dimensions
    )
    md.drop_all(engine)
    md.create_all(engine)
    at = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.timezone.utc)
    rows = [(1, at, True, [1.0, 2.0]), (2, None, None, [3.0]), (3, at, False, None)]
    with engine.connect() as conn:
        copy_into(conn, t, rows, columns=["id", "at", "ok", "v"])
        got = fetch_arrow(conn, sa.select(t).order_by(t.c.id))
    assert got.schema.field("v").type == pa.list_(pa.float32())
    assert got.column("v").to_pylist() == [[1.0, 2.0], [3.0], None]
    assert got.column("ok").to_pylist() == [True, None, False]
    assert got.column("at").to_pylist()[1] is None
    md.drop_all(engine)


def test_pgvector_types_round_trip(pgvector_engine: sa.Engine) -> None:
    md = sa.MetaData()
    t = sa.Table(
        "bulk_pg",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("v", PgVector(5)),
        sa.Column("h", HalfVec(5)),
        sa.Column("s", SparseVec(50)),
    )
    md.drop_all(pgvector_engine)
    md.create_all(pgvector_engine)
    rng = np.random.default_rng(3)
    n = 500
    v = hard_floats(rng, n, 5)
    h = rng.standard_normal((n, 5)).astype(np.float16)
    sparse = [
        None if i % 5 == 0 else SparseVector(rng.choice(50, 3, replace=False), rng.random(3), 50)
        for i in range(n)
    ]
    null = np.arange(n) % 4 == 1
    with pgvector_engine.connect() as conn:
        copy_into(
            conn,
            t,
            {
                "id": np.arange(n, dtype=np.int32),
                "v": [None if null[i] else v[i] for i in range(n)],
                "h": h,
                "s": sparse,
            },
            batch_rows=128,
        )
        got = fetch_numpy(conn, sa.select(t).order_by(t.c.id))
        arrow = fetch_arrow(conn, sa.select(t.c.s).order_by(t.c.id))
    assert same_bits(got["v"][~null], v[~null])
    assert np.array_equal(got.null["v"], null)
    assert np.array_equal(got["h"], h.astype(np.float32))
    for want, have in zip(sparse, got["s"], strict=True):
        assert want == have
    first = arrow.column("s").to_pylist()[1]
    assert first["dim"] == 50 and first["indices"] == sparse[1].indices.tolist()
    md.drop_all(pgvector_engine)


def test_fetch_batches_and_sql_text(engine: sa.Engine, items: Any) -> None:
    m = np.ones((1000, DIM), dtype=np.float32)
    with engine.connect() as conn:
        copy_into(conn, items, {"id": np.arange(1000), "embedding": m, "label": ["a%b"] * 1000})
        batches = list(fetch_batches(conn, sa.select(items.c.id, items.c.label), batch_rows=300))
        text = fetch_arrow(conn, "SELECT id FROM bulk_items WHERE label LIKE 'a%'")
        like = fetch_arrow(conn, sa.select(items.c.id).where(items.c.label.like("a%b")))
    assert [b.num_rows for b in batches] == [300, 300, 300, 100]
    assert text.num_rows == like.num_rows == 1000


def test_empty_result(engine: sa.Engine, items: Any) -> None:
    with engine.connect() as conn:
        arrow = fetch_arrow(conn, sa.select(items.c.id, items.c.embedding))
        arrays = fetch_numpy(conn, sa.select(items.c.id, items.c.embedding))
        batches = list(fetch_batches(conn, sa.select(items.c.id)))
    assert arrow.num_rows == 0
    assert arrow.schema.field("embedding").type == pa.list_(pa.float32(), DIM)
    assert arrays["embedding"].shape == (0, DIM) and arrays["id"].shape == (0,)
    assert batches == []
