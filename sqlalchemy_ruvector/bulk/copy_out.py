"""``fetch_batches`` / ``fetch_arrow`` / ``fetch_numpy``: query results through binary
``COPY (query) TO STDOUT``, decoded in whole chunks with numpy.

PostgreSQL sends one CopyData message per row; messages are gathered into chunks of
``batch_rows`` rows (or ``chunk_bytes``), joined once, split into fields with the message
lengths as row boundaries, and decoded column by column. Memory holds one chunk beyond
the result (or beyond one RecordBatch with ``fetch_batches``).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from psycopg import sql
from psycopg.adapt import Transformer

from ..codecs.pgcopy import FieldSplit, scan_rows, split_rows, strip_header
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ..sparse_vector import SparseVector
from ..types import VectorType
from .columns import ColumnSpec, Kind, spec_for
from .connection import Target, open_target
from .decode import Column, decode_column, loader
from .to_arrow import arrow_batch, arrow_schema

__all__ = ["NumpyResult", "fetch_arrow", "fetch_batches", "fetch_numpy"]

_TRAILER: Final = b"\xff\xff"
_CHUNK_BYTES: Final = 32 << 20


def _compile(target: Target, stmt: Any) -> tuple[str, list[Any] | None, list[Any]]:
    """SQL text for COPY (which takes no bind parameters: values are rendered as
    literals by the dialect), psycopg params (None for plain SQL strings), and the
    SQLAlchemy types of the selected columns when known."""
    if isinstance(stmt, str):
        return stmt, None, []
    if not isinstance(stmt, sa.sql.ClauseElement):
        raise InvalidArgumentTypeError(
            f"stmt must be a SQLAlchemy statement or a SQL string, got {stmt!r}",
            argument="stmt",
            value=stmt,
        )
    compiled = stmt.compile(
        dialect=target.connection.dialect, compile_kwargs={"literal_binds": True}
    )
    types = [c.type for c in getattr(stmt, "selected_columns", [])]
    return str(compiled), [], types  # []: psycopg turns the dialect's %% back into %


def _describe(
    target: Target, query: str, params: list[Any] | None, sa_types: list[Any]
) -> list[ColumnSpec]:
    caps = target.capabilities()
    names_by_oid = {t.oid: name for name, t in caps.types.items()}
    with target.driver.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT * FROM ({}) AS ruvector_bulk_q LIMIT 0").format(sql.SQL(query)),
            params,
        )
        description = cur.description or []
        result = cur.pgresult
        specs = []
        for i, col in enumerate(description):
            oid = int(col.type_code)
            typmod = int(result.fmod(i)) if result is not None else -1
            declared = sa_types[i] if i < len(sa_types) else None
            if isinstance(declared, VectorType) and declared.sql_name in caps.types:
                type_name = declared.sql_name
                oid_for_kind = caps.types[type_name].oid
                if oid != oid_for_kind:  # sent as <type>_send(col): bytea, same bytes
                    typmod = declared.dim or -1
                spec = spec_for(col.name, type_name, oid_for_kind, typmod, caps)
            else:
                info = cur.adapters.types.get(oid)
                type_name = names_by_oid.get(oid) or (info.name if info else str(oid))
                spec = spec_for(col.name, type_name, oid, typmod, caps)
            specs.append(spec)
    return specs


def _chunks(copy: Any, batch_rows: int, chunk_bytes: int) -> Iterator[list[Any]]:
    """Row messages of a COPY TO in lists of at most ``batch_rows`` rows (fewer when rows
    are wide, to stay near ``chunk_bytes``); the header and trailer are removed.

    Rows are taken with ``islice`` so the per-row work is psycopg's alone."""
    rows = iter(copy)
    head = next(rows, None)
    if head is None:
        return
    head = strip_header(head)  # the header travels with the first row
    limit = max(1, min(batch_rows, chunk_bytes // max(len(head), 1)))
    msgs = ([head] if head else []) + list(islice(rows, limit - 1 if head else limit))
    while msgs:
        if len(msgs[-1]) == 2 and msgs[-1] == _TRAILER:
            msgs.pop()
        if msgs:
            yield msgs
        msgs = list(islice(rows, limit))


def _split(msgs: list[Any], nfields: int) -> FieldSplit:
    joined = b"".join(msgs)
    buf = np.frombuffer(joined, dtype=np.uint8)
    lengths = np.fromiter(map(len, msgs), dtype=np.int64, count=len(msgs))
    starts = np.cumsum(lengths) - lengths
    try:
        return split_rows(buf, starts, nfields)
    except ValueError:
        return scan_rows(buf, nfields)  # message boundaries were not row boundaries


def _stream(
    conn_or_session: Any, stmt: Any, batch_rows: int, chunk_bytes: int
) -> Iterator[tuple[list[ColumnSpec], list[Column] | None]]:
    """(specs, None) first, then (specs, decoded columns) per chunk."""
    if batch_rows < 1:
        raise InvalidArgumentError(
            f"batch_rows must be >= 1, got {batch_rows}", argument="batch_rows", value=batch_rows
        )
    with open_target(conn_or_session) as target:
        query, params, sa_types = _compile(target, stmt)
        specs = _describe(target, query, params, sa_types)
        yield specs, None
        dbapi = target.driver
        tx = Transformer(dbapi)
        loads = [loader(s, tx) if s.kind is Kind.OTHER else None for s in specs]
        copy_sql = sql.SQL("COPY ({}) TO STDOUT (FORMAT BINARY)").format(sql.SQL(query))

        def decode(msgs: list[Any]) -> list[Column]:
            split = _split(msgs, len(specs))
            msgs.clear()
            return [decode_column(split, j, s, loads[j]) for j, s in enumerate(specs)]

        # chunk k is decoded in a worker thread while chunk k+1 is read (numpy releases
        # the GIL, psycopg waits on the socket): at most two chunks in flight
        with (
            ThreadPoolExecutor(1, thread_name_prefix="ruvector-copy-decode") as pool,
            dbapi.cursor() as cur,
            cur.copy(copy_sql, params) as copy,
        ):
            pending: Future[list[Column]] | None = None
            for msgs in _chunks(copy, batch_rows, chunk_bytes):
                future = pool.submit(decode, msgs)
                del msgs
                if pending is not None:
                    yield specs, pending.result()
                pending = future
            if pending is not None:
                yield specs, pending.result()


def fetch_batches(
    conn_or_session: Any, stmt: Any, *, batch_rows: int = 65536, chunk_bytes: int = _CHUNK_BYTES
) -> Iterator[Any]:
    """Yield the result of ``stmt`` as pyarrow RecordBatches of at most ``batch_rows`` rows
    (and about ``chunk_bytes``), for results larger than memory. Column types are as in
    :func:`fetch_arrow`."""
    stream = _stream(conn_or_session, stmt, batch_rows, chunk_bytes)
    specs, _ = next(stream)
    schema = arrow_schema(specs)
    for _, cols in stream:
        assert cols is not None
        yield arrow_batch(schema, specs, cols)


def fetch_arrow(
    conn_or_session: Any, stmt: Any, *, batch_rows: int = 65536, chunk_bytes: int = _CHUNK_BYTES
) -> Any:
    """The result of ``stmt`` (a SQLAlchemy select or SQL text) as a pyarrow Table.

    Dense vector columns are ``FixedSizeList<float32>`` (``List<float32>`` for an unbounded
    ``ruvector``), halfvec widened to float32, sparsevec a struct of ``dim``, ``indices``
    (0-based) and ``values``; NULLs are Arrow nulls."""
    import pyarrow as pa

    stream = _stream(conn_or_session, stmt, batch_rows, chunk_bytes)
    specs, _ = next(stream)
    schema = arrow_schema(specs)
    batches = [arrow_batch(schema, specs, cols) for _, cols in stream if cols is not None]
    if not batches:
        return schema.empty_table()
    if all(b.schema == batches[0].schema for b in batches):
        return pa.Table.from_batches(batches)
    # columns typed by inference (psycopg-loaded values) may differ between chunks
    tables = [pa.Table.from_batches([b]) for b in batches]
    return pa.concat_tables(tables, promote_options="permissive")


class NumpyResult(dict[str, Any]):
    """Column name -> numpy array; ``null[name]`` is a bool mask of NULL rows for every
    column (vector columns hold zeros there)."""

    def __init__(self) -> None:
        super().__init__()
        self.null: dict[str, npt.NDArray[np.bool_]] = {}


class _Growing:
    """An array filled chunk by chunk and grown in place (``realloc``, which moves no data
    for large blocks) by 1/8 at a time: the result never exists twice, so peak memory is
    about 1.125x the result plus the chunks in flight."""

    def __init__(self, dtype: Any, tail: tuple[int, ...]) -> None:
        self.dtype = dtype
        self.tail = tail
        self.array: Any = None
        self.size = 0

    def append(self, block: Any) -> None:
        n = block.shape[0]
        if self.array is None:
            self.array = np.empty((max(n, 1), *self.tail), dtype=self.dtype)
        elif self.size + n > self.array.shape[0]:
            grown = max(self.size + n, self.array.shape[0] + self.array.shape[0] // 8)
            self.array.resize((grown, *self.tail), refcheck=False)  # no views exist yet
        self.array[self.size : self.size + n] = block
        self.size += n

    def result(self) -> Any:
        if self.array is None:
            return np.empty((0, *self.tail), dtype=self.dtype)
        self.array.resize((self.size, *self.tail), refcheck=False)
        return self.array


def fetch_numpy(
    conn_or_session: Any, stmt: Any, *, batch_rows: int = 65536, chunk_bytes: int = _CHUNK_BYTES
) -> NumpyResult:
    """The result of ``stmt`` as a dict of numpy arrays: dense vector columns as (n, dim)
    float32, unbounded ruvector / sparse / non-numeric columns as object arrays (1-D
    float32 arrays, SparseVector, Python values), numeric columns in their dtype. NULLs are
    reported in :attr:`NumpyResult.null`."""
    stream = _stream(conn_or_session, stmt, batch_rows, chunk_bytes)
    specs, _ = next(stream)
    values: list[_Growing | list[Any]] = []
    for spec in specs:
        if spec.kind in (Kind.DENSE, Kind.HALF) and spec.dim is not None:
            values.append(_Growing(np.float32, (spec.dim,)))
        elif spec.kind is Kind.FIXED:
            values.append(_Growing(spec.wire_dtype.newbyteorder("="), ()))
        else:
            values.append([])
    nulls = [_Growing(bool, ()) for _ in specs]
    for _, cols in stream:
        assert cols is not None
        for j, col in enumerate(cols):
            target = values[j]
            if isinstance(target, _Growing):
                target.append(col.values)
            else:
                target.extend(_numpy_part(col))
            nulls[j].append(col.null)
            col.values = None  # release the chunk now
    result = NumpyResult()
    for j, spec in enumerate(specs):
        target = values[j]
        if isinstance(target, _Growing):
            result[spec.name] = target.result()
        else:
            column = np.empty(len(target), dtype=object)
            column[:] = target
            result[spec.name] = column
        result.null[spec.name] = nulls[j].result()
    return result


def _numpy_part(col: Column) -> Any:
    if col.kind in ("matrix", "scalar"):
        return col.values
    n = col.null.shape[0]
    out = np.empty(n, dtype=object)
    if col.kind == "objects":
        out[:] = col.values
        return out
    assert col.offsets is not None
    bounds = col.offsets.tolist()
    for i in np.flatnonzero(~col.null).tolist():
        a, b = bounds[i], bounds[i + 1]
        if col.kind == "ragged":
            out[i] = col.values[a:b]
        else:
            out[i] = SparseVector._trusted(col.indices[a:b], col.values[a:b], int(col.dims[i]))
    return out
