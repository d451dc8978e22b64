"""Capabilities that follow the server: extensions created, rolled back, dropped and
re-created through the engine or elsewhere, with no refresh_capabilities() call."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.exc import CompileError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import RuVector
from sqlalchemy_ruvector.capabilities import Capabilities
from tests.conftest import Database


class Base(DeclarativeBase):
    pass


class Doc(Base):
    __tablename__ = "late_docs"
    id: Mapped[int] = mapped_column(primary_key=True)
    embedding: Mapped[np.ndarray] = mapped_column(RuVector(3))


VECTORS = {1: [1.0, 0.0, 0.0], 2: [0.0, 1.0, 0.0], 3: [0.9, 0.1, 0.0]}


@pytest.fixture
def bare_db(ruvector_db: Database, make_database: Callable[..., Database]) -> Database:
    """A database of the module's profile where ruvector is not installed yet."""
    db = make_database(ruvector_db.profile)
    with db.connect() as conn:
        conn.execute("DROP EXTENSION ruvector")
    return db


@pytest.fixture
def engine_of(bare_db: Database) -> Iterator[Callable[..., sa.Engine]]:
    made: list[sa.Engine] = []

    def make(db: Database = bare_db, **kwargs: Any) -> sa.Engine:
        made.append(sa.create_engine(db.url.replace("+psycopg", "+ruvector", 1), **kwargs))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()


def caps_of(engine: sa.Engine) -> Capabilities:
    caps: Capabilities = engine.dialect.ruvector_capabilities  # type: ignore[attr-defined]
    return caps


def use_docs(bind: sa.Engine | sa.Connection) -> list[int]:
    """Write and read vectors through ``bind``: binds, results and a distance; the
    writes are undone (in a savepoint when ``bind`` is a connection)."""
    with Session(bind, join_transaction_mode="create_savepoint") as session:
        session.add_all(Doc(id=i, embedding=v) for i, v in VECTORS.items())
        session.flush()
        ids = session.scalars(
            sa.select(Doc.id).order_by(Doc.embedding.cosine_distance([1, 0, 0]))
        ).all()
        stored = session.get(Doc, 3)
        assert stored is not None and stored.embedding.tolist() == pytest.approx(VECTORS[3])
        session.rollback()
    return list(ids)


# -- item 4: the extension created after the engine connected ----------------------------


def test_pgvector_readme_order(engine_of: Callable[..., sa.Engine]) -> None:
    """pgvector-python's README: engine, CREATE EXTENSION through it, create_all."""
    engine = engine_of()
    with engine.connect() as conn:
        assert not caps_of(engine).has_extension
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS ruvector"))
        conn.commit()
    Base.metadata.create_all(engine)
    assert caps_of(engine).has_extension
    assert use_docs(engine) == [1, 3, 2]


def test_extension_created_elsewhere_is_seen_at_checkout(
    bare_db: Database, engine_of: Callable[..., sa.Engine]
) -> None:
    engine = engine_of()
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    with bare_db.connect() as other:  # psql, another service, a migration tool
        other.execute("CREATE EXTENSION ruvector")
    Base.metadata.create_all(engine)  # the pooled connection re-probes at checkout
    assert use_docs(engine) == [1, 3, 2]


def test_alembic_migration_creates_extension_then_table(
    engine_of: Callable[..., sa.Engine],
) -> None:
    engine = engine_of()
    with engine.begin() as conn:
        op = Operations(MigrationContext.configure(conn))
        op.execute("CREATE EXTENSION ruvector")
        op.create_table(
            "late_docs",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("embedding", RuVector(3)),
        )
        assert use_docs(conn) == [1, 3, 2]
    assert use_docs(engine) == [1, 3, 2]


def test_rolled_back_extension_is_forgotten(engine_of: Callable[..., sa.Engine]) -> None:
    engine = engine_of()
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION ruvector"))
        assert caps_of(engine).has_extension  # seen inside its transaction
        conn.rollback()
    with (
        engine.connect() as conn,
        pytest.raises(CompileError, match="type ruvector does not exist on this server"),
    ):
        Base.metadata.create_all(conn)
    assert not caps_of(engine).has_extension


# -- item 5: DROP EXTENSION ... CASCADE, then CREATE EXTENSION ---------------------------


def recreate_extension(bind: sa.Connection) -> None:
    bind.execute(sa.text("DROP EXTENSION ruvector CASCADE"))
    bind.execute(sa.text("CREATE EXTENSION ruvector"))
    bind.commit()


def test_recreated_through_the_engine(
    bare_db: Database, engine_of: Callable[..., sa.Engine]
) -> None:
    with bare_db.connect() as conn:
        conn.execute("CREATE EXTENSION ruvector")
    engine = engine_of(pool_size=3, max_overflow=0)
    Base.metadata.create_all(engine)
    assert use_docs(engine) == [1, 3, 2]
    old = caps_of(engine).types["ruvector"].oid
    with engine.connect() as existing, engine.connect() as ddl:
        use_docs(existing)  # its adapters carry the old OIDs
        recreate_extension(ddl)  # the CASCADE drops late_docs.embedding too
        Base.metadata.drop_all(ddl)
        Base.metadata.create_all(ddl)
        ddl.commit()
        assert use_docs(ddl) == [1, 3, 2]
        assert use_docs(existing) == [1, 3, 2]  # held across the DDL
        with engine.connect() as third:  # a new connection (the pool had 2 out)
            assert use_docs(third) == [1, 3, 2]
    assert caps_of(engine).types["ruvector"].oid != old
    assert use_docs(engine) == [1, 3, 2]  # pooled connections after checkin


def test_recreated_elsewhere(bare_db: Database, engine_of: Callable[..., sa.Engine]) -> None:
    """DDL the engine did not run: new connections find the new OIDs themselves; a
    connection that was already open recovers after its first failure."""
    with bare_db.connect() as conn:
        conn.execute("CREATE EXTENSION ruvector")
    engine = engine_of()
    Base.metadata.create_all(engine)
    with engine.connect() as existing:
        use_docs(existing)
        with bare_db.connect() as other:
            other.execute("DROP EXTENSION ruvector CASCADE")
            other.execute("CREATE EXTENSION ruvector")
        with engine.connect() as new:  # a new backend: checks the OIDs at connect
            Base.metadata.drop_all(new)
            Base.metadata.create_all(new)
            new.commit()
            assert use_docs(new) == [1, 3, 2]
        assert use_docs(existing) == [1, 3, 2]  # re-registered before its next statement


def test_stale_oid_error_triggers_a_probe(
    bare_db: Database, engine_of: Callable[..., sa.Engine]
) -> None:
    with bare_db.connect() as conn:
        conn.execute("CREATE EXTENSION ruvector")
    engine = engine_of(pool_size=1, max_overflow=0)
    Base.metadata.create_all(engine)
    assert use_docs(engine) == [1, 3, 2]
    with bare_db.connect() as other:  # behind the engine's back, no new connection
        other.execute("DROP EXTENSION ruvector CASCADE")
        other.execute("CREATE EXTENSION ruvector")
        other.execute("ALTER TABLE late_docs ADD COLUMN embedding ruvector(3)")
    with pytest.raises(sa.exc.DBAPIError, match="cache lookup failed for type"):
        use_docs(engine)
    assert use_docs(engine) == [1, 3, 2]


def test_no_probe_per_statement_while_missing(engine_of: Callable[..., sa.Engine]) -> None:
    """Without the extension, re-probing is a checkout's job, not every statement's."""
    engine = engine_of()
    with engine.connect() as conn:
        probed = caps_of(engine)
        for _ in range(3):
            conn.execute(sa.text("SELECT 1"))
            conn.exec_driver_sql("SELECT 1")
        assert caps_of(engine) is probed
    with engine.connect():
        assert caps_of(engine) is not probed  # checkout looked again
