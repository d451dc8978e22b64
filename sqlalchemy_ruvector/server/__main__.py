"""``python -m sqlalchemy_ruvector.server``: run the embedded server until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from . import PG_VERSIONS, PROFILES, ServerNotInstalledError, start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sqlalchemy_ruvector.server",
        description="Embedded PostgreSQL with the ruvector compatibility layer "
        "(pgvector underneath; for development, demos and CI).",
    )
    parser.add_argument("--path", help="data directory to keep and reuse (default: temporary)")
    parser.add_argument("--profile", choices=PROFILES, default="documented")
    parser.add_argument("--pg-version", type=int, choices=PG_VERSIONS, default=18)
    args = parser.parse_args(argv)
    try:
        server = start(args.path, profile=args.profile, pg_version=args.pg_version)
    except ServerNotInstalledError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        print(f"url: {server.url}")
        print(f"psycopg url: {server.psycopg_url}")
        print(f"profile: {server.profile}  postgres: {server.pg_version}  data: {server.path}")
        print("connect:")
        print(f"  psql '{server.psycopg_url}'")
        print(f"  sqlalchemy.create_engine('{server.url}')")
        print("then: CREATE EXTENSION ruvector;   (Ctrl-C stops the server)", flush=True)
        stop.wait()
    finally:
        server.stop()
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
