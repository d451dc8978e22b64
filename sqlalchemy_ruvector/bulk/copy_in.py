"""``copy_into``: stream rows into a table with binary ``COPY ... FROM STDIN``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from psycopg import sql
from psycopg.adapt import Transformer as new_transformer

from ..codecs.pgcopy import HEADER, TRAILER
from ..errors import InvalidArgumentError
from .columns import ColumnSpec, resolve_table, table_columns, table_identifier
from .connection import Target, open_target
from .encode import Dumpers, encode_batch, frame, make_dumpers
from .errors import BulkLoadError, BulkValidationError
from .sources import Batch, open_source

__all__ = ["copy_into"]

Progress = Callable[[int, "int | None"], None]


def _progress(progress: Progress | bool | None, total: int | None) -> tuple[Progress, Any]:
    """A callback ``(rows_done, total)``; ``True`` means a tqdm bar (needs tqdm)."""
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            raise ImportError("progress=True needs tqdm: pip install tqdm") from None
        bar = tqdm(total=total, unit="rows", unit_scale=True)
        last = [0]

        def update(done: int, _total: int | None) -> None:
            bar.update(done - last[0])
            last[0] = done

        return update, bar
    if progress is None or progress is False:
        return (lambda done, total: None), None
    return progress, None


def _plan(target: Target, table: Any, names: list[str]) -> tuple[sql.Composed, list[ColumnSpec]]:
    tbl = resolve_table(table)
    caps = target.capabilities()
    with target.driver.cursor() as cur:
        specs = table_columns(cur, tbl, caps)
    unknown = [n for n in names if n not in specs]
    if unknown:
        raise BulkValidationError(
            f"is not a column of table {tbl.fullname!r} (columns: {list(specs)})",
            column=unknown[0],
        )
    missing = [
        s.name for s in specs.values() if s.not_null and not s.has_default and s.name not in names
    ]
    if missing:
        raise BulkValidationError(
            "is NOT NULL without a default and missing from the input", column=missing[0]
        )
    chosen = [specs[n] for n in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        table_identifier(tbl), sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    return statement, chosen


def _units(batches: Iterator[Batch], commit_every: int | None) -> Iterator[Iterable[Batch]]:
    """Group batches into commit units of exactly ``commit_every`` rows (one unit if None)."""
    if commit_every is None:
        yield batches  # one lazy unit: batches stay streamed
        return
    unit: list[Batch] = []
    size = 0
    for b in batches:
        while b.rows:
            take = min(b.rows, commit_every - size)
            part = b if take == b.rows else b.slice(0, take)
            unit.append(part)
            size += take
            b = b.slice(take, b.rows) if take < b.rows else Batch(b.offset + b.rows, 0, {})
            if size == commit_every:
                yield unit
                unit, size = [], 0
    if unit:
        yield unit


def copy_into(
    conn_or_session: Any,
    table: Any,
    data: Any,
    *,
    columns: Sequence[str] | None = None,
    batch_rows: int = 8192,
    commit_every: int | None = None,
    skip_rows: int = 0,
    progress: Progress | bool | None = None,
) -> int:
    """Load ``data`` into ``table`` with binary COPY; return the number of rows loaded.

    ``data``: a pyarrow Table, RecordBatch or RecordBatchReader; a dict of arrays (2-D float
    arrays or sequences of vectors for vector columns); a pandas DataFrame; or an iterable
    of row tuples with ``columns``. ``table``: a Table or mapped class. Every batch of
    ``batch_rows`` rows is validated (dimensions, NaN/Inf, NULL in NOT NULL, types) and
    encoded with numpy before it is sent; an error names the input row.

    By default the load is all-or-nothing: it commits when the connection had no transaction
    open, else it runs in a savepoint and the caller commits. ``commit_every=N`` commits every
    N rows (a Session is committed); on failure :class:`BulkLoadError.committed_rows` says
    how many input rows are in, and ``skip_rows=`` that number resumes. ``progress``: a
    callback ``(rows_done, total_or_None)`` or ``True`` for a tqdm bar.
    """
    if batch_rows < 1:
        raise InvalidArgumentError(
            f"batch_rows must be >= 1, got {batch_rows}", argument="batch_rows", value=batch_rows
        )
    if commit_every is not None and commit_every < 1:
        raise InvalidArgumentError(
            f"commit_every must be >= 1, got {commit_every}",
            argument="commit_every",
            value=commit_every,
        )
    if skip_rows < 0:
        raise InvalidArgumentError(
            f"skip_rows must be >= 0, got {skip_rows}", argument="skip_rows", value=skip_rows
        )
    if commit_every is not None:
        batch_rows = min(batch_rows, commit_every)
    source = open_source(data, columns, batch_rows, skip_rows)
    total = None if source.total is None else max(source.total - skip_rows, 0)
    report, bar = _progress(progress, total)
    committed = skip_rows
    done = 0
    try:
        with open_target(conn_or_session) as target:
            owned_now = target.owns_transaction()
            if commit_every is not None and target.session is None and not owned_now:
                raise InvalidArgumentError(
                    "commit_every needs a connection with no transaction in progress "
                    "(it commits every batch)",
                    argument="commit_every",
                    value=commit_every,
                )
            owned = commit_every is not None or owned_now
            statement, specs = _plan(target, table, source.names)
            for unit in _units(source.batches, commit_every):
                loaded = 0
                with target.unit(owned=owned):
                    loaded = _copy_unit(
                        target, statement, specs, unit, committed, lambda n: report(n, total), done
                    )
                done += loaded
                if commit_every is not None:
                    committed += loaded
    finally:
        if bar is not None:
            bar.close()
    return done


def _copy_unit(
    target: Target,
    statement: sql.Composed,
    specs: list[ColumnSpec],
    batches: Iterable[Batch],
    committed: int,
    report: Callable[[int], None],
    done: int,
) -> int:
    """One COPY statement over ``batches``; returns the rows sent.

    The next batch is read and encoded in a worker thread while the current one is sent
    (numpy and libpq both release the GIL), so encoding hides behind the server's work;
    at most two encoded batches exist at a time."""
    dumpers = make_dumpers(specs, new_transformer(target.driver))
    it = iter(batches)

    def step() -> tuple[Batch, Any] | None:
        batch = next(it, None)
        return None if batch is None else (batch, _encode(specs, batch, dumpers, committed))

    # validate the first batch before the COPY starts: bad input runs no SQL at all
    item = step()
    if item is None:
        return 0
    sent = 0
    current = item[0]
    with ThreadPoolExecutor(1, thread_name_prefix="ruvector-copy-encode") as pool:
        try:
            with target.driver.cursor() as cur, cur.copy(statement) as copy:
                copy.write(HEADER)
                ahead = pool.submit(step)
                while item is not None:
                    current, payload = item
                    copy.write(payload)
                    del payload, item
                    sent += current.rows
                    report(done + sent)
                    item = ahead.result()
                    if item is not None:
                        ahead = pool.submit(step)
                copy.write(TRAILER)
        except BulkLoadError:
            raise
        except Exception as exc:
            if not _is_database_error(exc):
                raise
            raise BulkLoadError(
                f"COPY failed in rows {current.offset} to {current.offset + current.rows - 1} "
                f"or before: {exc}",
                committed_rows=committed,
            ) from exc
    return sent


def _is_database_error(exc: Exception) -> bool:
    import psycopg

    return isinstance(exc, psycopg.Error)


def _encode(specs: list[ColumnSpec], batch: Batch, dumpers: Dumpers, committed: int) -> Any:
    try:
        framed = frame(encode_batch(specs, batch.columns, dumpers), batch.rows)
        return framed if isinstance(framed, bytes) else framed.reshape(-1).data
    except BulkValidationError as exc:
        raise exc.at(batch.offset, committed) from None
