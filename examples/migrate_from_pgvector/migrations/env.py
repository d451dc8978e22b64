"""Alembic environment: ``import alembic_ext`` registers op.migrate_to_ruvector & co."""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context
from models import Base

import alembic_ext  # noqa: F401  (registers the operations)

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    from logging.config import fileConfig

    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set DATABASE_URL (postgresql+ruvector://...)")
    return url


def _configure(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # pytest-alembic (or a caller) may hand over an Engine or a Connection.
    given = config.attributes.get("connection")
    if isinstance(given, sa.Connection):
        _configure(given)
        return
    engine = given or sa.create_engine(_url(), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        _configure(connection)
    if given is None:
        engine.dispose()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
