"""Crash injection: a real separate process runs the online migration and is killed
with SIGKILL at each step; running the upgrade again (or ``abort``) must end exactly
like an uninterrupted run (or like nothing happened)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from alembic_ext.__main__ import main as cli
from tests.conftest import REAL_URL, Database

from .conftest import migration, run_sql
from .helpers import catalog, checksum
from .online_helpers import NOTHING, leftovers, make_items

ROOT = Path(__file__).resolve().parents[2]
ROWS = 5_000
POINTS = ("shadow", "trigger", "batch", "index", "swap")
SHADOWS = ("table", "column")


@pytest.fixture(scope="module")
def crash_db(make_source_db: Callable[..., Database]) -> tuple[Database, dict[str, Any], Any]:
    """One database; schema ``ref`` migrated without interruption (by either variant:
    they must end alike), for comparison."""
    db = make_source_db("real" if REAL_URL else "documented", ("vector", "ruvector"))
    for shadow in SHADOWS:
        make_items(db, f"ref_{shadow}", ROWS, 8)
        with migration(db) as op:
            op.migrate_to_ruvector(
                "items", "embedding", schema=f"ref_{shadow}", strategy="online",
                batch_size=500, progress=False, shadow=shadow,
            )  # fmt: skip
    reference = catalog(db, "ref_table.items")
    assert _as(catalog(db, "ref_column.items"), "ref_table", "ref_column") == reference
    assert checksum(db, "ref_column.items") == checksum(db, "ref_table.items")
    return db, reference, checksum(db, "ref_table.items")


def _as(dump: dict[str, Any], schema: str, src: str = "ref_table") -> dict[str, Any]:
    return json.loads(json.dumps(dump).replace(f"{src}.", f"{schema}."))


def _kill_at(db: Database, schema: str, point: str, shadow: str) -> None:
    runner = "tests.alembic_ext.online_crash_runner"
    proc = subprocess.Popen(
        [sys.executable, "-m", runner, db.url, schema, point, shadow],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == f"AT {point}", line
    snapshot = None
    if point == "index":
        # An open snapshot makes CREATE INDEX CONCURRENTLY wait, after it has created
        # its (still INVALID) index, for this transaction: kill it there, mid-build.
        snapshot = db.connect()
        snapshot.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        snapshot.execute("SELECT 1")
        deadline = time.monotonic() + 60
        # Waiting with its INVALID index made (it may first wait for its own lock,
        # e.g. behind autovacuum, before making anything).
        while not run_sql(
            db,
            "SELECT 1 FROM pg_stat_activity WHERE application_name = 'aex-crash'"
            " AND query LIKE 'CREATE INDEX CONCURRENTLY%%' AND wait_event_type = 'Lock'"
            " AND EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE c.relname LIKE '%%__aex%%' AND NOT i.indisvalid)",
        ):
            assert time.monotonic() < deadline, "the index build never started"
            time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # A killed client's backend may run on (a CREATE INDEX has no client to notice): end
    # it, as a server restart or the TCP keepalive would.
    run_sql(
        db,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = 'aex-crash'",
    )
    deadline = time.monotonic() + 10
    while run_sql(db, "SELECT 1 FROM pg_stat_activity WHERE application_name = 'aex-crash'"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    if snapshot is not None:  # only now: released earlier, the build would finish
        snapshot.close()


@pytest.mark.volume
@pytest.mark.parametrize("shadow", SHADOWS)
@pytest.mark.parametrize("point", POINTS)
def test_killed_then_upgraded_again_ends_like_an_uninterrupted_run(
    crash_db: tuple[Database, dict[str, Any], Any], point: str, shadow: str
) -> None:
    db, reference, data = crash_db
    schema = f"up_{point}_{shadow}"
    make_items(db, schema, ROWS, 8)
    _kill_at(db, schema, point, shadow)
    if point != "shadow":
        assert leftovers(db) != NOTHING
    if point == "index":  # the interrupted build left an INVALID index, rebuilt below
        assert run_sql(
            db,
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid ="
            " i.indexrelid WHERE c.relname LIKE '%%__aex%%' AND NOT i.indisvalid",
        ) == [(1,)]
    with migration(db) as op:
        op.migrate_to_ruvector(
            "items", "embedding", schema=schema, strategy="online", batch_size=500,
            progress=False, shadow=shadow,
        )  # fmt: skip
    assert catalog(db, f"{schema}.items") == _as(reference, schema)
    assert checksum(db, f"{schema}.items") == data
    assert leftovers(db) == NOTHING


@pytest.mark.volume
@pytest.mark.parametrize("shadow", SHADOWS)
@pytest.mark.parametrize("point", POINTS)
def test_killed_then_aborted_is_as_before(
    crash_db: tuple[Database, dict[str, Any], Any], point: str, shadow: str
) -> None:
    db, _, _ = crash_db
    schema = f"ab_{point}_{shadow}"
    table = make_items(db, schema, ROWS, 8)
    before, data = catalog(db, table), checksum(db, table)
    _kill_at(db, schema, point, shadow)
    out = io.StringIO()
    status = io.StringIO()
    assert cli(["status", "--url", db.url], status) == 0
    assert f"{schema}.items.embedding -> ruvector" in status.getvalue()
    assert (
        cli(
            [
                "abort",
                "--url",
                db.url,
                "--table",
                "items",
                "--column",
                "embedding",
                "--schema",
                schema,
            ],
            out,
        )
        == 0
    ), out.getvalue()
    assert "aborted" in out.getvalue()
    assert catalog(db, table) == before
    assert checksum(db, table) == data
    assert leftovers(db) == NOTHING
