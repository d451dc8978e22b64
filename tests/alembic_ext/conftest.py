"""Fixtures for the Alembic operations: databases with pgvector as the migration
source (and ruvector installed or not), and an ``op`` bound to a connection."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from psycopg import sql

import alembic_ext  # noqa: F401  (registers the operations)
from tests.conftest import REAL_URL, Database, ServerUnderTest, _with_database


@pytest.fixture(scope="session")
def make_source_db(server: ServerUnderTest) -> Iterator[Callable[..., Database]]:
    """Factory: a database with the given extensions, in the given compat profile."""
    made: list[Database] = []

    def make(profile: str = "documented", extensions: tuple[str, ...] = ("vector",)) -> Database:
        name = f"a_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(server.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            if profile != "real":
                conn.execute(
                    sql.SQL("ALTER DATABASE {} SET ruvector_compat.profile = {}").format(
                        sql.Identifier(name), sql.Literal(profile)
                    )
                )
        url = _with_database(server.admin_url, name)
        with psycopg.connect(url, autocommit=True) as conn:
            for ext in extensions:
                conn.execute(sql.SQL("CREATE EXTENSION {}").format(sql.Identifier(ext)))
        db = Database(name, url, profile, "vector" in extensions)
        made.append(db)
        return db

    yield make
    for db in made:
        server.drop(db)


@pytest.fixture
def source_db(make_source_db: Callable[..., Database]) -> Database:
    """pgvector + ruvector (documented profile, or the real server): the usual source."""
    profile = "real" if REAL_URL else "documented"
    try:
        return make_source_db(profile, ("vector", "ruvector"))
    except psycopg.Error as exc:
        pytest.skip(f"pgvector and ruvector cannot share a database on this server: {exc}")


@contextmanager
def operations(db: Database, *, dialect: str = "psycopg") -> Iterator[Operations]:
    """``op`` on one connection, in one transaction that commits when the block ends."""
    engine = sa.create_engine(db.url.replace("+psycopg", f"+{dialect}", 1))
    try:
        with engine.begin() as conn:
            yield Operations(MigrationContext.configure(conn))
    finally:
        engine.dispose()


def run_sql(db: Database, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
    with db.connect() as conn:
        cur = conn.execute(statement, params)
        return cur.fetchall() if cur.description else []


@contextmanager
def migration(db: Database, *, dialect: str = "psycopg") -> Iterator[Operations]:
    """``op`` as Alembic runs it: a connection the migration context owns, so
    ``autocommit_block()`` (CREATE INDEX CONCURRENTLY) works."""
    engine = sa.create_engine(db.url.replace("+psycopg", f"+{dialect}", 1))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            with context.begin_transaction():
                yield Operations(context)
    finally:
        engine.dispose()
