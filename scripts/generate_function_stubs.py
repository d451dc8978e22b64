"""Write ``sqlalchemy_ruvector/functions/__init__.pyi`` from ``catalog.tsv``.

The function classes are built at import time, so type checkers need this stub; run
the script after editing the catalog (``--check`` only reports whether it is stale).

    python scripts/generate_function_stubs.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy_ruvector.functions._stubs import STUB_FILE, render_stubs

STUB_PATH = Path(__file__).resolve().parents[1] / "sqlalchemy_ruvector" / "functions" / STUB_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the stub is stale")
    args = parser.parse_args(argv)
    fresh = render_stubs()
    current = STUB_PATH.read_text("utf-8") if STUB_PATH.exists() else None
    if args.check:
        if current != fresh:
            print(f"{STUB_PATH} is stale: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    if current != fresh:
        STUB_PATH.write_text(fresh, "utf-8")
        print(f"wrote {STUB_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
