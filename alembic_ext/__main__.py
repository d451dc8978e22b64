"""``python -m alembic_ext plan --url URL [--schema S] [--write DIR]``.

Lists every pgvector column and index of a live database, the operations that would
move them to ruvector, the ones that would be refused and why, row counts and the
size the in-place rewrite writes; ``--write DIR`` writes a runnable revision. The
database is only read: everything runs in one transaction that is rolled back.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO, cast

import sqlalchemy as sa

from . import extension
from ._db import Db
from .catalog import current_schema, vector_tables
from .errors import ExtensionConflict
from .ops import (
    CreateRuVectorExtensionOp,
    MigrateToRuVectorOp,
    VectorOperation,
)
from .plan import Plan
from .revision import find_head, render_call, write_revision
from .strategies import MigrationRequest
from .strategies.in_place import InPlace


def _engine_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _describe(db: Db, plan: Plan, out: TextIO) -> None:
    table = plan.qualified_table
    rows, size = db.rows(
        f"SELECT count(*), pg_total_relation_size(%(t)s::regclass) FROM {table}", {"t": table}
    )[0]
    out.write(
        f"table {plan.table.qualified_name}: {rows:,} rows; the in-place rewrite writes about "
        f"{size / 1048576:,.1f} MB (table and all its indexes) under an ACCESS EXCLUSIVE lock\n"
    )
    for change in plan.columns:
        out.write(f"  column {change.column}: {change.source_type} -> {change.target_type}\n")
    for index in plan.indexes:
        source = index.source
        options = f" WITH ({', '.join(source.reloptions)})" if source.reloptions else ""
        where = f" WHERE {source.predicate}" if source.predicate else ""
        out.write(
            f"  index {index.name}: {source.access_method} {source.keys[0].opclass}{options}"
            f"{where} -> {index.access_method} {index.opclass}\n"
        )
    for refusal in plan.refusals:
        out.write(f"  REFUSED {refusal}\n")
    for note in plan.notes:
        out.write(f"  note: {note}\n")


def plan_command(
    url: str, schema: str | None, write: Path | None, down: str | None, out: TextIO
) -> int:
    engine = sa.create_engine(_engine_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            db = Db(connection)
            try:
                return _plan(db, schema, write, down, out)
            finally:
                connection.rollback()
    finally:
        engine.dispose()


def _plan(db: Db, schema: str | None, write: Path | None, down: str | None, out: TextIO) -> int:
    schema = schema or current_schema(db)
    needs_extension = extension.installed(db) is None
    try:
        caps = extension.capabilities_once_installed(db)
    except ExtensionConflict as conflict:
        out.write(f"{conflict}\n")
        return 2
    out.write(
        f"schema {schema}: ruvector {'(to be installed) ' if needs_extension else ''}"
        f"HNSW access method {caps.hnsw_am!r}, IVFFlat {caps.ivfflat_am!r}\n"
    )
    db.execute("SAVEPOINT alembic_ext_plan")
    if needs_extension:
        extension.create_extension(db)
    strategy = InPlace()
    upgrade: list[VectorOperation] = []
    refused = 0
    for table in vector_tables(db, schema, "vector"):
        request = MigrationRequest(table, None, "ruvector", schema)
        plan = strategy.plan(db, caps, request, with_dims=True)
        _describe(db, plan, out)
        refused += len(plan.refusals)
        for change in plan.columns:
            upgrade.append(
                MigrateToRuVectorOp(table, change.column, schema=_schema_arg(db, schema))
            )
    db.execute("ROLLBACK TO SAVEPOINT alembic_ext_plan")
    if needs_extension:
        upgrade.insert(0, CreateRuVectorExtensionOp())
    if not upgrade:
        out.write("no pgvector columns: nothing to migrate\n")
        return 0
    out.write("operations:\n" + "".join(f"  {render_call(op)}\n" for op in upgrade))
    if refused:
        out.write(f"{refused} refusal(s): fix them first; no revision written\n" if write else "")
        return 2
    if write is not None:
        downgrade = [cast(VectorOperation, op.reverse()) for op in reversed(upgrade)]
        path = write_revision(
            write,
            upgrade,
            downgrade,
            message="move pgvector columns to ruvector",
            down_revision=down if down is not None else find_head(write),
        )
        out.write(f"wrote {path}\n")
    return 0


def _schema_arg(db: Db, schema: str) -> str | None:
    return None if schema == current_schema(db) else schema


def status_command(url: str, out: TextIO) -> int:
    """Every online migration in progress (``python -m alembic_ext status``)."""
    from .strategies.state import all_states

    engine = sa.create_engine(_engine_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            states = all_states(Db(connection))
            connection.rollback()
    finally:
        engine.dispose()
    if not states:
        out.write("no online migration in progress\n")
        return 0
    for s in states:
        total = "?" if s.rows_total is None else f"{s.rows_total:,}"
        out.write(
            f"{s.qualified_column} -> {s.target}: step {s.step}, backfill {s.rows_done:,}/{total}"
            f" rows, last run by backend pid {s.pid}, updated {s.updated_at}\n"
        )
    return 0


def abort_command(
    url: str, table: str, column: str, schema: str | None, state_schema: str | None,
    lock_timeout: str, out: TextIO,
) -> int:  # fmt: skip
    """Roll one online migration back (``python -m alembic_ext abort``)."""
    from .catalog import current_schema as current
    from .strategies.online import abort_migration

    engine = sa.create_engine(
        _engine_url(url), poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as connection:
            db = Db(connection)
            try:
                state = abort_migration(
                    db, schema or current(db), table, column,
                    state_schema=state_schema, lock_timeout=lock_timeout,
                )  # fmt: skip
            except LookupError as exc:
                out.write(f"{exc}\n")
                return 1
    finally:
        engine.dispose()
    out.write(f"aborted {state.qualified_column} -> {state.target} (was at step {state.step})\n")
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m alembic_ext")
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="what migrating pgvector columns to ruvector would do")
    plan.add_argument("--url", required=True, help="database URL (libpq or SQLAlchemy)")
    plan.add_argument("--schema", help="schema to plan (default: the current schema)")
    plan.add_argument("--write", type=Path, metavar="DIR", help="write an Alembic revision here")
    plan.add_argument(
        "--down-revision", help="down_revision of the written file (default: head of DIR)"
    )
    status = commands.add_parser("status", help="online migrations in progress")
    status.add_argument("--url", required=True, help="database URL (libpq or SQLAlchemy)")
    abort = commands.add_parser("abort", help="roll an online migration back")
    abort.add_argument("--url", required=True, help="database URL (libpq or SQLAlchemy)")
    abort.add_argument("--table", required=True)
    abort.add_argument("--column", required=True)
    abort.add_argument("--schema", help="the table's schema (default: the current schema)")
    abort.add_argument("--state-schema", help="schema of the state table (default: current)")
    abort.add_argument("--lock-timeout", default="5s")
    args = parser.parse_args(argv)
    if args.command == "status":
        return status_command(args.url, out)
    if args.command == "abort":
        return abort_command(
            args.url, args.table, args.column, args.schema, args.state_schema,
            args.lock_timeout, out,
        )  # fmt: skip
    if args.write is not None and not args.write.is_dir():
        parser.error(f"--write: {args.write} is not a directory")
    return plan_command(args.url, args.schema, args.write, args.down_revision, out)


if __name__ == "__main__":
    raise SystemExit(main())
