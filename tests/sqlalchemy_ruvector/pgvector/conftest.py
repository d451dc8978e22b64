"""Fixtures of the pgvector-python drop-in tests: one database per profile, and the
three engine set-ups a pgvector-python user may have after changing the import.

The documented profile is ruvector's documented surface, whose ``halfvec``,
``sparsevec`` and bit operators the compatibility layer takes from pgvector (so that
database has pgvector too); the published 2.0.5 has only ``ruvector``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.conftest import PROFILES_UNDER_TEST, Database, ServerUnderTest

#: our dialect, plain psycopg with the plugin, plain psycopg after ``import sqlalchemy_ruvector``
SETUPS = ("dialect", "plugin", "plain")


@pytest.fixture(scope="module", params=PROFILES_UNDER_TEST)
def dropin_db(request: pytest.FixtureRequest, server: ServerUnderTest) -> Iterator[Database]:
    profile = request.param
    db = server.create(profile, pgvector=profile == "documented")
    yield db
    server.drop(db)


def has_halfvec(db: Database) -> bool:
    """Whether the server has halfvec/sparsevec (the documented surface does)."""
    return db.profile == "documented"


def engine_url(db: Database, setup: str, *, asynchronous: bool = False) -> str:
    driver = {"dialect": "ruvector", "plugin": "psycopg", "plain": "psycopg"}[setup]
    if asynchronous:
        driver += "_async"
    return db.url.replace("+psycopg", f"+{driver}", 1)


def make_engine(db: Database, setup: str) -> sa.Engine:
    kwargs: dict[str, Any] = {"plugins": ["ruvector"]} if setup == "plugin" else {}
    return sa.create_engine(engine_url(db, setup), **kwargs)


def make_async_engine(db: Database, setup: str) -> AsyncEngine:
    kwargs: dict[str, Any] = {"plugins": ["ruvector"]} if setup == "plugin" else {}
    return create_async_engine(engine_url(db, setup, asynchronous=True), **kwargs)


@pytest.fixture(scope="module", params=SETUPS)
def setup(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def dropin_engine(dropin_db: Database, setup: str) -> Iterator[sa.Engine]:
    engine = make_engine(dropin_db, setup)
    yield engine
    engine.dispose()
