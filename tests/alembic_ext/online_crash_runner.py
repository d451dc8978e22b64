"""Run an online migration in this process and stop dead at a checkpoint.

``python -m tests.alembic_ext.online_crash_runner URL SCHEMA POINT SHADOW``: prints
``AT <POINT>`` when the run reaches the point (the second time for ``batch``) and
sleeps there until the test SIGKILLs it.
"""

from __future__ import annotations

import sys
import time

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

import alembic_ext  # noqa: F401
from alembic_ext.strategies import online_steps


def main(url: str, schema: str, point: str, shadow: str) -> None:
    seen: list[str] = []

    def hook(name: str) -> None:
        seen.append(name)
        if name == point and (point != "batch" or seen.count("batch") == 2):
            print(f"AT {point}", flush=True)
            # At "index" the build itself runs on, and waits (after creating the INVALID
            # index) for the snapshot the test opens meanwhile: the kill lands mid-build.
            time.sleep(0.5 if point == "index" else 600)

    online_steps.CHECKPOINTS.append(hook)
    engine = sa.create_engine(url, connect_args={"application_name": "aex-crash"})
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        with context.begin_transaction():
            Operations(context).migrate_to_ruvector(
                "items",
                "embedding",
                schema=schema,
                strategy="online",
                batch_size=500,
                progress=False,
                shadow=shadow,
            )
    print("DONE", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:5])
