"""Bad input is rejected with the row index, and nothing is written (or, with
commit_every, exactly the committed prefix, from where the load resumes)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest
import sqlalchemy as sa

from sqlalchemy_ruvector import RuVector
from sqlalchemy_ruvector.bulk import BulkLoadError, BulkValidationError, copy_into

DIM = 8


@pytest.fixture
def items(engine: sa.Engine) -> Any:
    md = sa.MetaData()
    t = sa.Table(
        "bulk_checked",
        md,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("embedding", RuVector(DIM), nullable=False),
        sa.Column("note", sa.Text),
    )
    md.drop_all(engine)
    md.create_all(engine)
    yield t
    md.drop_all(engine)


def count(engine: sa.Engine, t: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0)


def data(n: int) -> dict[str, Any]:
    return {
        "id": np.arange(n, dtype=np.int64),
        "embedding": np.random.default_rng(0).standard_normal((n, DIM)).astype(np.float32),
    }


def test_wrong_dimensions_rejected_before_any_sql(engine: sa.Engine, items: Any) -> None:
    d = data(10)
    d["embedding"] = d["embedding"][:, :7]
    expected = "expected 8 dimensions, got 7"
    with engine.connect() as conn:
        with pytest.raises(BulkValidationError, match=expected) as err:
            copy_into(conn, items, d)
        # the COPY never started: the connection's transaction is still usable
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    assert err.value.row == 0 and err.value.column == "embedding"
    assert count(engine, items) == 0


def test_ragged_row_named(engine: sa.Engine, items: Any) -> None:
    rows = [(i, [0.5] * (DIM if i != 3 else DIM + 1)) for i in range(6)]
    with engine.connect() as conn, pytest.raises(BulkValidationError) as err:
        copy_into(conn, items, rows, columns=["id", "embedding"])
    assert err.value.row == 3
    assert "expected 8 dimensions, got 9" in str(err.value)


@pytest.mark.parametrize("bad", [np.nan, np.inf, 1e39])
def test_bad_row_mid_stream_rejected_nothing_written(
    engine: sa.Engine, items: Any, bad: float
) -> None:
    n = 50_000
    d = data(n)
    emb = d["embedding"].astype(np.float64)
    emb[31_337, 5] = bad
    d["embedding"] = emb
    with engine.connect() as conn, pytest.raises(BulkValidationError) as err:
        copy_into(conn, items, d, batch_rows=1000)
    assert err.value.row == 31_337
    assert "element 5" in str(err.value)
    assert err.value.committed_rows == 0
    assert count(engine, items) == 0


def test_bad_row_in_arrow_stream(engine: sa.Engine, items: Any) -> None:
    n, dim = 20_000, DIM
    flat = np.ones(n * dim, dtype=np.float32)
    flat[12_345 * dim + 2] = np.nan
    emb = pa.FixedSizeListArray.from_arrays(pa.array(flat), dim)
    reader = pa.RecordBatchReader.from_batches(
        pa.schema([("id", pa.int64()), ("embedding", emb.type)]),
        pa.table({"id": np.arange(n), "embedding": emb}).to_batches(max_chunksize=3000),
    )
    with engine.connect() as conn, pytest.raises(BulkValidationError, match="is nan") as err:
        copy_into(conn, items, reader)
    assert err.value.row == 12_345
    assert count(engine, items) == 0


def test_null_in_not_null_column(engine: sa.Engine, items: Any) -> None:
    rows = [(i, None if i == 4 else [1.0] * DIM) for i in range(8)]
    with engine.connect() as conn, pytest.raises(BulkValidationError, match="NOT NULL") as err:
        copy_into(conn, items, rows, columns=["id", "embedding"])
    assert err.value.row == 4


def test_wrong_type_in_other_column(engine: sa.Engine, items: Any) -> None:
    d = data(5)
    d["note"] = ["a", "b", 3, "d", "e"]
    with engine.connect() as conn, pytest.raises(BulkValidationError) as err:
        copy_into(conn, items, d)
    assert (err.value.row, err.value.column) == (2, "note")


def test_earliest_bad_row_wins_across_columns(engine: sa.Engine, items: Any) -> None:
    d = data(10)
    d["embedding"][7, 0] = np.nan
    d["id"] = d["id"].astype(object)
    d["id"][5] = "x"
    with engine.connect() as conn, pytest.raises(BulkValidationError) as err:
        copy_into(conn, items, d)
    assert (err.value.row, err.value.column) == (5, "id")


def test_unknown_and_missing_columns(engine: sa.Engine, items: Any) -> None:
    with engine.connect() as conn:
        with pytest.raises(BulkValidationError, match="not a column"):
            copy_into(conn, items, {**data(2), "nope": [1, 2]})
        with pytest.raises(BulkValidationError, match="NOT NULL without a default"):
            copy_into(conn, items, {"id": np.arange(2)})


def test_server_error_rolls_back_everything(engine: sa.Engine, items: Any) -> None:
    d = data(5000)
    d["id"][4000] = 10  # duplicate key: only the server can tell
    with engine.connect() as conn, pytest.raises(BulkLoadError) as err:
        copy_into(conn, items, d, batch_rows=500)
    assert err.value.committed_rows == 0
    assert count(engine, items) == 0


def test_savepoint_keeps_callers_transaction(engine: sa.Engine, items: Any) -> None:
    bad = data(3)
    bad["embedding"][2, 0] = np.nan
    with engine.connect() as conn:
        conn.execute(items.insert(), {"id": 100, "embedding": [0.0] * DIM})
        with pytest.raises(BulkValidationError):
            copy_into(conn, items, bad)
        copy_into(conn, items, data(3))
        assert conn.in_transaction()
        conn.commit()
    assert count(engine, items) == 4


def test_commit_every_resume(engine: sa.Engine, items: Any) -> None:
    n = 10_000
    d = data(n)
    d["embedding"][7_654, 1] = np.nan
    seen: list[tuple[int, int | None]] = []
    with engine.connect() as conn, pytest.raises(BulkValidationError) as err:
        copy_into(
            conn,
            items,
            d,
            batch_rows=800,
            commit_every=3000,
            progress=lambda done, total: seen.append((done, total)),
        )
    assert err.value.row == 7_654
    assert err.value.committed_rows == 6000
    assert count(engine, items) == 6000
    assert seen[-1][1] == n and seen == sorted(seen)
    d["embedding"][7_654, 1] = 0.0
    with engine.connect() as conn:
        loaded = copy_into(conn, items, d, commit_every=3000, skip_rows=err.value.committed_rows)
    assert loaded == n - 6000
    with engine.connect() as conn:
        ids = conn.scalars(sa.select(items.c.id).order_by(items.c.id)).all()
    assert ids == list(range(n))


def test_commit_every_refuses_an_open_transaction(engine: sa.Engine, items: Any) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
        with pytest.raises(ValueError, match="no transaction in progress"):
            copy_into(conn, items, data(2), commit_every=1)


def test_session_savepoint_and_commit_every(engine: sa.Engine, items: Any) -> None:
    from sqlalchemy.orm import Session

    bad = data(5)
    bad["embedding"][4, 0] = np.inf
    with Session(engine) as session:
        session.execute(items.insert(), {"id": 100, "embedding": [0.0] * DIM})
        with pytest.raises(BulkValidationError):
            copy_into(session, items, bad)
        assert copy_into(session, items, data(5)) == 5
        session.commit()
    assert count(engine, items) == 6
    with Session(engine) as session:
        more = data(7)
        more["id"] = more["id"] + 1000
        assert copy_into(session, items, more, commit_every=3) == 7
    assert count(engine, items) == 13


def test_progress_bar(engine: sa.Engine, items: Any, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    with engine.connect() as conn:
        copy_into(conn, items, data(2500), batch_rows=1000, progress=True)
    assert "2.50k/2.50k" in capsys.readouterr().err


def test_row_error_attributes(engine: sa.Engine, items: Any) -> None:
    """A bulk row error carries row, column and the dimensions as attributes, for the
    vectorised (array) and the row-by-row (tuples) paths alike."""
    d = data(10)
    d["embedding"] = d["embedding"][:, :7]
    rows = [(i, [0.5] * (DIM if i != 3 else DIM + 1)) for i in range(6)]
    with engine.connect() as conn:
        with pytest.raises(ValueError) as arrays:
            copy_into(conn, items, d)
        with pytest.raises(ValueError) as tuples:
            copy_into(conn, items, rows, columns=["id", "embedding"])
    assert isinstance(arrays.value, BulkValidationError)
    assert isinstance(tuples.value, BulkValidationError)
    got = [(e.row, e.column, e.dimension, e.expected) for e in (arrays.value, tuples.value)]
    assert got == [(0, "embedding", 7, DIM), (3, "embedding", DIM + 1, DIM)]
    assert count(engine, items) == 0
