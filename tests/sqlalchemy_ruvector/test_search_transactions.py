"""Search settings against real connections and transactions: fresh pooled
backends, streamed results, errors and commits inside a block, many threads."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import NullPool

from sqlalchemy_ruvector import RuVector, VectorIndex, search_settings
from sqlalchemy_ruvector.capabilities import Capabilities
from sqlalchemy_ruvector.rerank import rerank
from tests.conftest import Database

ROWS = 40
QUERY = [0.0, 0.0]


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "search_tx_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    e: Mapped[np.ndarray] = mapped_column(RuVector(2))
    __table_args__ = (VectorIndex("search_tx_items_hnsw", "e", metric="l2"),)


NEAREST = sa.select(Item.id).order_by(Item.e.l2_distance(QUERY)).limit(10)


@pytest.fixture(scope="module")
def items(engine: sa.Engine) -> Iterator[list[int]]:
    """ROWS points on a line, nearest first; returns the ids in distance order."""
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(Item(id=i, e=np.array([i, i], np.float32)) for i in range(1, ROWS + 1))
        session.commit()
    yield list(range(1, ROWS + 1))
    Base.metadata.drop_all(engine)


def fresh_engine(db: Database, **kwargs: Any) -> sa.Engine:
    """A new engine: its connections are new backends that have loaded no library."""
    return sa.create_engine(db.url.replace("+psycopg", "+ruvector", 1), **kwargs)


def settings_of(conn: sa.Connection | Session, names: tuple[str, ...]) -> dict[str, Any]:
    """Current values; an unset placeholder reads as None (undefined) or '' (set and
    reset in this session), which mean the same."""
    get = sa.text("SELECT current_setting(:n, true)")
    return {n: conn.execute(get, {"n": n}).scalar() or None for n in names}


def all_names(caps: Capabilities) -> tuple[str, ...]:
    return caps.search_settings("ef_search") + caps.search_settings("probes")


def untouched_settings(db: Database, names: tuple[str, ...]) -> dict[str, Any]:
    """The settings of a backend that ran the same search without any settings."""
    engine = fresh_engine(db)
    try:
        with engine.connect() as conn:
            conn.execute(NEAREST).all()
            return settings_of(conn, names)
    finally:
        engine.dispose()


# -- item 1: the first vector statement on a connection that did not probe ------------


def test_block_on_a_second_pooled_connection(
    ruvector_db: Database, caps: Capabilities, items: list[int]
) -> None:
    engine = fresh_engine(ruvector_db)
    try:
        with engine.connect() as first, engine.connect() as second:
            assert first.connection.dbapi_connection is not second.connection.dbapi_connection
            with search_settings(second, ef_search=40, probes=3):
                ids = second.execute(NEAREST).scalars().all()
            after = settings_of(second, all_names(caps))
            second.commit()
    finally:
        engine.dispose()
    assert ids == items[:10]
    assert after == untouched_settings(ruvector_db, all_names(caps))


def test_execution_option_on_a_second_pooled_connection(
    ruvector_db: Database, caps: Capabilities, items: list[int]
) -> None:
    engine = fresh_engine(ruvector_db)
    try:
        with engine.connect() as first, engine.connect() as second:
            first.execute(sa.text("SELECT 1"))
            stmt = NEAREST.execution_options(ruvector_search={"ef_search": 40})
            ids = second.execute(stmt).scalars().all()
            after = settings_of(second, all_names(caps))  # the transaction is still usable
    finally:
        engine.dispose()
    assert ids == items[:10]
    assert after == untouched_settings(ruvector_db, all_names(caps))


def test_rerank_on_a_second_pooled_connection(ruvector_db: Database, items: list[int]) -> None:
    engine = fresh_engine(ruvector_db)
    try:
        with Session(engine) as first, Session(engine) as second:
            first.execute(sa.text("SELECT 1"))
            results = rerank(second, sa.select(Item), QUERY, 3, metric="l2")
    finally:
        engine.dispose()
    assert [r.row.id for r in results] == items[:3]


def _search_worker(engine: sa.Engine, worker: int, deadline: float | None, rounds: int) -> int:
    """One thread's ORM searches, cycling through the three ways to set ef_search."""
    done = 0
    while (time.monotonic() < deadline) if deadline is not None else (done < rounds):
        with Session(engine) as session:
            way = (worker + done) % 3
            if way == 0:
                with search_settings(session, ef_search=20 + done % 50):
                    ids = session.scalars(NEAREST).all()
            elif way == 1:
                option = NEAREST.execution_options(ruvector_search={"ef_search": 20})
                ids = session.scalars(option).all()
            else:
                ids = [r.row.id for r in rerank(session, sa.select(Item), QUERY, 10, metric="l2")]
            session.commit()
        assert ids == list(range(1, 11)), ids
        done += 1
    return done


def test_threads_searching_with_settings(ruvector_db: Database, items: list[int]) -> None:
    """8 threads of ORM searches with settings, half on always-new backends: no errors.

    Bounded by a number of rounds (RUVECTOR_STRESS_SECONDS runs it by time instead)."""
    seconds = float(os.environ.get("RUVECTOR_STRESS_SECONDS", "0"))
    deadline = time.monotonic() + seconds if seconds > 0 else None
    pooled = fresh_engine(ruvector_db, pool_size=4, max_overflow=0)
    unpooled = fresh_engine(ruvector_db, poolclass=NullPool)
    errors: list[BaseException] = []
    counts: list[int] = []

    def run(worker: int) -> None:
        try:
            counts.append(
                _search_worker(pooled if worker % 2 else unpooled, worker, deadline, rounds=12)
            )
        except BaseException as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        pooled.dispose()
        unpooled.dispose()
    assert errors == []
    assert len(counts) == 8 and all(c > 0 for c in counts)
    if seconds > 0:
        print(f"\n{sum(counts)} searches in {seconds:g} s by 8 threads, 0 errors")


# -- item 2: streamed results ---------------------------------------------------------


def test_execution_option_refuses_stream_results(engine: sa.Engine, items: list[int]) -> None:
    stmt = NEAREST.execution_options(ruvector_search={"ef_search": 1})
    with engine.connect() as conn:
        with pytest.raises(ValueError, match="cannot be combined with stream_results"):
            conn.execution_options(stream_results=True).execute(stmt)
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1  # nothing was sent


def test_execution_option_refuses_yield_per(engine: sa.Engine, items: list[int]) -> None:
    stmt = sa.select(Item).execution_options(ruvector_search={"ef_search": 1}, yield_per=5)
    with Session(engine) as session:
        with pytest.raises(ValueError, match=r"cannot be combined with (yield_per|stream_results)"):
            session.scalars(stmt).all()
        assert session.execute(sa.text("SELECT 1")).scalar() == 1


def test_block_covers_streamed_fetches(
    engine: sa.Engine, caps: Capabilities, items: list[int]
) -> None:
    """ef_search=1 inside a block: streamed (server-side cursor, ORM yield_per)
    results are the ones a buffered fetch gives under the same settings."""
    with Session(engine) as session:
        session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        with search_settings(session, ef_search=1):
            buffered = session.scalars(NEAREST).all()
            streamed = list(session.scalars(NEAREST.execution_options(yield_per=2)))
            conn = session.connection().execution_options(stream_results=True)
            server_side = list(conn.execute(NEAREST).scalars())
        without = session.scalars(NEAREST).all()
    assert streamed == buffered and server_side == buffered
    assert without == items[:10]
    if caps.is_compat:  # ef_search takes effect there (pgvector's HNSW): 1 candidate
        assert buffered == items[:1]


# -- item 3: errors and commits inside a block ----------------------------------------


def test_server_error_inside_block_propagates_unchanged(
    engine: sa.Engine, items: list[int]
) -> None:
    with engine.connect() as conn:
        with pytest.raises(sa.exc.DBAPIError) as caught, search_settings(conn, ef_search=10):
            conn.execute(sa.text("SELECT 1 / 0"))
        assert isinstance(caught.value.orig, psycopg.errors.DivisionByZero)
        conn.rollback()
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1


def test_server_error_inside_session_block_propagates_unchanged(
    engine: sa.Engine, items: list[int]
) -> None:
    with Session(engine) as session:
        with pytest.raises(sa.exc.DBAPIError) as caught, search_settings(session, ef_search=10):
            session.execute(sa.text("SELECT 1 / 0"))
        assert isinstance(caught.value.orig, psycopg.errors.DivisionByZero)
        session.rollback()
        assert session.scalars(NEAREST).all() == items[:10]


def test_python_error_inside_block_restores(
    engine: sa.Engine, caps: Capabilities, items: list[int]
) -> None:
    names = all_names(caps)
    with engine.connect() as conn:
        conn.execute(NEAREST).all()
        before = settings_of(conn, names)
        with pytest.raises(LookupError, match="mine"), search_settings(conn, ef_search=10):
            raise LookupError("mine")
        assert settings_of(conn, names) == before


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_commit_inside_block_keeps_settings_on_connection(
    engine: sa.Engine, caps: Capabilities, end: str
) -> None:
    names = caps.search_settings("ef_search")
    with engine.connect() as conn:
        conn.execute(NEAREST).all()
        before = settings_of(conn, names)
        with search_settings(conn, ef_search=33):
            getattr(conn, end)()
            inside = settings_of(conn, names)
            getattr(conn, end)()  # a second time, with nothing run in between
            again = settings_of(conn, names)
        after = settings_of(conn, names)
    assert inside == again == dict.fromkeys(names, "33")
    assert after == before


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_commit_inside_block_keeps_settings_in_session(
    engine: sa.Engine, caps: Capabilities, items: list[int], end: str
) -> None:
    names = caps.search_settings("ef_search")
    with Session(engine) as session:
        session.scalars(NEAREST).all()
        before = settings_of(session, names)
        with search_settings(session, ef_search=44):
            getattr(session, end)()
            inside = settings_of(session, names)
            ids = session.scalars(NEAREST).all()
        after = settings_of(session, names)
    assert inside == dict.fromkeys(names, "44")
    assert ids == items[:10]
    assert after == before


def test_block_refuses_an_engine(engine: sa.Engine) -> None:
    with (
        pytest.raises(TypeError, match=r"needs a Session or Connection.*got Engine"),
        search_settings(engine, ef_search=10),  # type: ignore[arg-type]
    ):
        pass
