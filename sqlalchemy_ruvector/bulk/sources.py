"""Inputs of ``copy_into`` as a stream of column batches of bounded size.

Every accepted input (Arrow Table / RecordBatch / RecordBatchReader, dict of arrays, pandas
DataFrame, iterable of row tuples) becomes an iterator of :class:`Batch`: up to
``batch_rows`` rows as one column object per name (an ndarray, a pyarrow Array or a list),
never more than one batch in memory beyond what the caller already holds. A
RecordBatchReader over a Parquet file therefore loads in bounded memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidArgumentTypeError
from .errors import BulkValidationError

__all__ = ["Batch", "Source", "open_source"]


@dataclass
class Batch:
    """Rows ``offset`` to ``offset + rows`` of the input, column by column."""

    offset: int
    rows: int
    columns: dict[str, Any]

    def slice(self, start: int, stop: int) -> Batch:
        cols = {k: v[start:stop] for k, v in self.columns.items()}
        return Batch(self.offset + start, stop - start, cols)


@dataclass
class Source:
    """Column names the input provides, its row count when known, and its batches."""

    names: list[str]
    total: int | None
    batches: Iterator[Batch]


def _is_arrow(obj: Any) -> bool:
    return type(obj).__module__.partition(".")[0] == "pyarrow"


def _is_pandas(obj: Any) -> bool:
    return type(obj).__module__.partition(".")[0] == "pandas"


def open_source(
    data: Any, columns: Sequence[str] | None, batch_rows: int, skip_rows: int
) -> Source:
    """Recognise ``data`` and return its batches, starting after ``skip_rows`` rows."""
    if _is_arrow(data):
        return _arrow_source(data, columns, batch_rows, skip_rows)
    if _is_pandas(data):
        return _pandas_source(data, columns, batch_rows, skip_rows)
    if isinstance(data, Mapping):
        return _dict_source(data, columns, batch_rows, skip_rows)
    if isinstance(data, (str, bytes)) or not isinstance(data, Iterable):
        raise InvalidArgumentTypeError(
            "data must be a pyarrow Table/RecordBatch/RecordBatchReader, a dict of arrays, a "
            f"pandas DataFrame or an iterable of row tuples, got {type(data).__name__}",
            argument="data",
        )
    if columns is None:
        raise InvalidArgumentTypeError(
            "copy_into: row tuples need columns=[...] to say which column is which",
            argument="columns",
        )
    return _rows_source(data, list(columns), batch_rows, skip_rows)


def _select(available: list[str], columns: Sequence[str] | None) -> list[str]:
    if columns is None:
        return available
    missing = [c for c in columns if c not in available]
    if missing:
        raise BulkValidationError(f"not in the input data (it has {available})", column=missing[0])
    return list(columns)


def _arrow_source(
    data: Any, columns: Sequence[str] | None, batch_rows: int, skip_rows: int
) -> Source:
    import pyarrow as pa

    if isinstance(data, pa.RecordBatchReader):
        names, total, chunks = _select(data.schema.names, columns), None, data
    elif isinstance(data, (pa.Table, pa.RecordBatch)):
        names, total = _select(data.schema.names, columns), data.num_rows
        table = data if isinstance(data, pa.Table) else pa.Table.from_batches([data])
        chunks = table.to_batches(max_chunksize=batch_rows)
    else:
        raise InvalidArgumentTypeError(
            f"unsupported pyarrow input {type(data).__name__}", argument="data"
        )
    return Source(names, total, _rebatch(_arrow_batches(chunks, names, skip_rows), batch_rows))


def _arrow_batches(chunks: Iterable[Any], names: list[str], skip_rows: int) -> Iterator[Batch]:
    offset = 0
    for rb in chunks:
        n = rb.num_rows
        start = min(max(skip_rows - offset, 0), n)
        if start < n:
            cols = {name: rb.column(name).slice(start) for name in names}
            yield Batch(offset + start, n - start, cols)
        offset += n


def _rebatch(batches: Iterator[Batch], batch_rows: int) -> Iterator[Batch]:
    """Cut oversized batches to ``batch_rows`` (small ones pass as they are)."""
    for b in batches:
        for start in range(0, b.rows, batch_rows):
            yield b if b.rows <= batch_rows else b.slice(start, min(start + batch_rows, b.rows))


def _dict_source(
    data: Mapping[str, Any], columns: Sequence[str] | None, batch_rows: int, skip_rows: int
) -> Source:
    names = _select([str(k) for k in data], columns)
    cols = {name: data[name] for name in names}
    lengths = {name: len(col) for name, col in cols.items()}
    if len(set(lengths.values())) > 1:
        raise BulkValidationError(f"columns have different lengths: {lengths}")
    total = next(iter(lengths.values()), 0)

    def batches() -> Iterator[Batch]:
        for start in range(skip_rows, total, batch_rows):
            stop = min(start + batch_rows, total)
            yield Batch(start, stop - start, {k: v[start:stop] for k, v in cols.items()})

    return Source(names, total, batches())


def _pandas_column(series: Any) -> Any:
    """A DataFrame column as an ndarray; nullable extension dtypes become objects + None."""
    if isinstance(series.dtype, np.dtype):
        return series.to_numpy()
    return series.astype(object).where(series.notna(), None).to_numpy()


def _pandas_source(
    data: Any, columns: Sequence[str] | None, batch_rows: int, skip_rows: int
) -> Source:
    names = _select([str(c) for c in data.columns], columns)
    arrays = {name: _pandas_column(data[name]) for name in names}
    return _dict_source(arrays, names, batch_rows, skip_rows)


def _rows_source(data: Iterable[Any], names: list[str], batch_rows: int, skip_rows: int) -> Source:
    total = len(data) if isinstance(data, Sequence) else None
    width = len(names)

    def batches() -> Iterator[Batch]:
        it = iter(data)
        offset = skip_rows
        if skip_rows:
            next(itertools.islice(it, skip_rows, skip_rows), None)
        while True:
            rows = list(itertools.islice(it, batch_rows))
            if not rows:
                return
            lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
            bad = np.flatnonzero(lengths != width)
            if bad.size:
                i = int(bad[0])
                raise BulkValidationError(
                    f"has {int(lengths[i])} values, expected {width} ({names})", row=offset + i
                )
            cols = dict(zip(names, map(list, zip(*rows, strict=True)), strict=True))
            yield Batch(offset, len(rows), cols)
            offset += len(rows)

    return Source(names, total, batches())
