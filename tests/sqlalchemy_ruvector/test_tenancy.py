"""Tenancy through the ORM, as a non-superuser that owns the table, with RLS forced.

The application role owns the table, so only FORCE ROW LEVEL SECURITY subjects it to
the policy: the tests would fail without it (as they would for a superuser or a
BYPASSRLS role, which no policy filters).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import RuVector
from sqlalchemy_ruvector.tenancy import (
    TENANT_INFO_KEY,
    TenantIsolation,
    TenantRequiredError,
    current_tenant,
    refuse_without_tenant,
    set_tenant,
    tenant_context,
)
from tests.helpers import statements_sent

HOSTILE = "x'); DELETE FROM tenant_notes; SELECT ('"


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "tenant_notes"
    __table_args__ = {"info": {TENANT_INFO_KEY: "tenant_id"}}

    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(sa.Text, server_default=sa.FetchedValue())
    body: Mapped[str]
    embedding = mapped_column(RuVector(4))


def vec(i: int) -> np.ndarray:
    return np.array([i, 1, 0, 0], dtype=np.float32)


@pytest.fixture(scope="module")
def app_url(engine: sa.Engine, ruvector_db: Any) -> Iterator[str]:
    """A login role that is neither superuser nor BYPASSRLS, owning the tenant table."""
    role = f"app_{ruvector_db.name}"
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
        conn.exec_driver_sql(f"ALTER TABLE tenant_notes OWNER TO {role}")
        for statement in TenantIsolation("tenant_notes").enable_statements():
            conn.exec_driver_sql(statement)
    url = sa.make_url(ruvector_db.url.replace("+psycopg", "+ruvector", 1)).set(username=role)
    yield url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP OWNED BY {role}")
        conn.exec_driver_sql(f"DROP ROLE {role}")


@pytest.fixture(scope="module")
def app(app_url: str) -> Iterator[sa.Engine]:
    """The application's engine: one pooled connection, so reuse is certain."""
    eng = sa.create_engine(app_url, pool_size=1, max_overflow=0)
    with eng.connect() as conn:
        assert not conn.execute(
            sa.text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def seeded(app: sa.Engine, engine: sa.Engine) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {}
    for tenant, n in (("a", 3), ("b", 2), (HOSTILE, 1)):
        with Session(app) as session, tenant_context(session, tenant):
            notes = [Note(body=f"{tenant} {i}", embedding=vec(i)) for i in range(n)]
            session.add_all(notes)
            session.commit()  # the tenant stays set for the session's next transaction
            assert {note.tenant_id for note in notes} == {tenant}
            ids[tenant] = [note.id for note in notes]
    return ids


def all_rows(engine: sa.Engine) -> list[tuple[int, str, str]]:
    """What is really in the table (the superuser is not filtered)."""
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(  # type: ignore[misc]
                    "SELECT id, tenant_id, body FROM tenant_notes ORDER BY id"
                )
            ).all()
        ]


def test_isolation_is_forced_for_the_owner(engine: sa.Engine, app: sa.Engine, seeded: Any) -> None:
    with engine.connect() as conn:
        forced = conn.execute(
            sa.text(
                "SELECT relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) "
                "FROM pg_class WHERE oid = 'tenant_notes'::regclass"
            )
        ).one()
    assert forced[:2] == (True, True)
    assert forced[2] == app.url.username


def test_tenant_reads_only_its_rows(app: sa.Engine, seeded: dict[str, list[int]]) -> None:
    with Session(app) as session, tenant_context(session, "a"):
        notes = session.scalars(sa.select(Note).order_by(Note.id)).all()
        assert [n.id for n in notes] == seeded["a"]
        nearest = session.scalars(
            sa.select(Note).order_by(Note.embedding.l2_distance(vec(0))).limit(10)
        ).all()
        assert {n.tenant_id for n in nearest} == {"a"}
        assert session.scalar(sa.select(sa.func.count()).select_from(Note)) == 3
        for other in seeded["b"]:
            assert session.get(Note, other) is None


def test_tenant_cannot_update_or_delete_another_tenants_rows(
    app: sa.Engine, engine: sa.Engine, seeded: dict[str, list[int]]
) -> None:
    before = all_rows(engine)
    victim = seeded["b"][0]
    with Session(app) as session, tenant_context(session, "a"):
        updated = session.execute(sa.update(Note).where(Note.id == victim).values(body="taken"))
        deleted = session.execute(sa.delete(Note).where(Note.id == victim))
        everything = session.execute(sa.update(Note).values(body=Note.body))
        assert (updated.rowcount, deleted.rowcount, everything.rowcount) == (0, 0, 3)
        session.commit()
    assert all_rows(engine) == before


def test_tenant_cannot_move_or_insert_rows_into_another_tenant(
    app: sa.Engine, engine: sa.Engine, seeded: dict[str, list[int]]
) -> None:
    before = all_rows(engine)
    with Session(app) as session, tenant_context(session, "a"):
        note = session.get(Note, seeded["a"][0])
        assert note is not None
        note.tenant_id = "b"
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            session.flush()
        session.rollback()
        session.add(Note(tenant_id="b", body="forged", embedding=vec(9)))
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            session.flush()
    assert all_rows(engine) == before


def test_no_tenant_sees_nothing_and_cannot_insert(
    app: sa.Engine, engine: sa.Engine, seeded: Any
) -> None:
    before = all_rows(engine)
    with Session(app) as session:
        assert session.scalars(sa.select(Note)).all() == []
        assert current_tenant(session) is None
        session.add(Note(body="orphan", embedding=vec(1)))
        with pytest.raises(sa.exc.DBAPIError):
            session.flush()
    assert all_rows(engine) == before


def test_pooled_connection_reused_for_another_tenant(
    app: sa.Engine, seeded: dict[str, list[int]]
) -> None:
    pids = []
    seen = {}
    for tenant in ("a", "b", None, "a"):
        with Session(app) as session:
            pids.append(session.scalar(sa.text("SELECT pg_backend_pid()")))
            if tenant is not None:
                set_tenant(session, tenant)
            seen[tenant] = sorted(session.scalars(sa.select(Note.id)).all())
            session.commit()
    assert len(set(pids)) == 1  # one pooled backend served every tenant in turn
    assert seen == {"a": seeded["a"], "b": seeded["b"], None: []}


def test_hostile_tenant_id_is_just_a_value(
    app: sa.Engine, engine: sa.Engine, seeded: dict[str, list[int]]
) -> None:
    with Session(app) as session, tenant_context(session, HOSTILE):
        assert current_tenant(session) == HOSTILE
        notes = session.scalars(sa.select(Note)).all()
        assert [(n.id, n.tenant_id) for n in notes] == [(seeded[HOSTILE][0], HOSTILE)]
    assert len(all_rows(engine)) == 6


def test_async_session_behaves_the_same(
    app_url: str, engine: sa.Engine, seeded: dict[str, list[int]]
) -> None:
    before = all_rows(engine)

    async def go() -> dict[str, Any]:
        aengine = create_async_engine(
            app_url.replace("+ruvector", "+ruvector_async", 1), pool_size=1, max_overflow=0
        )
        out: dict[str, Any] = {}
        try:
            async with AsyncSession(aengine) as session:
                async with tenant_context(session, "b"):
                    out["b"] = sorted((await session.scalars(sa.select(Note.id))).all())
                    result = await session.execute(sa.delete(Note).where(Note.id.in_(seeded["a"])))
                    out["deleted"] = result.rowcount
                    await session.commit()
                    # still tenant b in the session's next transaction
                    out["after_commit"] = sorted((await session.scalars(sa.select(Note.id))).all())
                await session.rollback()
            async with AsyncSession(aengine) as session:
                out["none"] = (await session.scalars(sa.select(Note))).all()
                session.add(Note(body="orphan", embedding=vec(2)))
                try:
                    await session.flush()
                    out["insert"] = "accepted"
                except sa.exc.DBAPIError:
                    out["insert"] = "refused"
        finally:
            await aengine.dispose()
        return out

    out = asyncio.run(go())
    assert out == {
        "b": seeded["b"],
        "deleted": 0,
        "after_commit": seeded["b"],
        "none": [],
        "insert": "refused",
    }
    assert all_rows(engine) == before


def test_context_restores_and_is_transaction_local(app: sa.Engine, seeded: Any) -> None:
    with Session(app) as session:
        with tenant_context(session, "a"):
            with tenant_context(session, "b"):
                assert current_tenant(session) == "b"
            assert current_tenant(session) == "a"
        assert current_tenant(session) is None
    with Session(app) as session:
        set_tenant(session, "b")
        with tenant_context(session, "a"):
            session.commit()  # the block's tenant carries on; "b" ended with its transaction
            assert current_tenant(session) == "a"
        assert current_tenant(session) is None
    with app.connect() as conn:
        with tenant_context(conn, "a"):
            assert current_tenant(conn) == "a"
            conn.commit()
            assert current_tenant(conn) is None  # a Connection's tenant ends with its transaction
        conn.rollback()
    autocommit = app.connect().execution_options(isolation_level="AUTOCOMMIT")
    with autocommit, pytest.raises(ValueError, match="AUTOCOMMIT"), tenant_context(autocommit, "a"):
        pass


@pytest.mark.parametrize(
    ("tenant", "error", "words"),
    [
        (None, TypeError, "tenant_id must be a str, int or UUID"),
        (True, TypeError, "tenant_id must be"),
        ("", ValueError, "must not be empty"),
        ("a\x00b", ValueError, "NUL byte"),
    ],
)
def test_bad_tenant_ids(app: sa.Engine, tenant: Any, error: type[Exception], words: str) -> None:
    with Session(app) as session, statements_sent(app) as sent:
        with pytest.raises(error, match=words):
            tenant_context(session, tenant)
        with pytest.raises(error, match=words):
            set_tenant(session, tenant)
    assert sent == []


def test_guard_refuses_before_sql(app: sa.Engine, seeded: Any) -> None:
    remove = refuse_without_tenant(app)
    try:
        with Session(app) as session:
            session.execute(sa.select(sa.literal(1)))  # not a tenant table
            with (
                statements_sent(app) as sent,
                pytest.raises(TenantRequiredError, match="tenant table 'tenant_notes'"),
            ):
                session.scalars(sa.select(Note)).all()
            assert sent == []
            with tenant_context(session, "a"):
                assert len(session.scalars(sa.select(Note)).all()) == 3
                session.commit()
                assert len(session.scalars(sa.select(Note)).all()) == 3
            with pytest.raises(TenantRequiredError):
                session.execute(sa.update(Note).values(body="x"))
    finally:
        remove()
    with Session(app) as session:
        assert session.scalars(sa.select(Note)).all() == []  # guard removed: RLS answers


def test_guard_with_explicit_tables(app: sa.Engine, seeded: Any) -> None:
    remove = refuse_without_tenant(app, tables=["public.other"])
    try:
        with Session(app) as session:
            assert session.scalars(sa.select(Note)).all() == []
    finally:
        remove()
    remove = refuse_without_tenant(app, tables=[Note])
    try:
        with Session(app) as session, pytest.raises(TenantRequiredError):
            session.scalars(sa.select(Note)).all()
    finally:
        remove()


def test_session_guard_covers_that_session_only(app: sa.Engine, seeded: Any) -> None:
    guarded = Session(app)
    remove = refuse_without_tenant(guarded)
    try:
        with statements_sent(app) as sent:
            with pytest.raises(TenantRequiredError, match="tenant table 'tenant_notes'"):
                guarded.scalars(sa.select(Note)).all()
            guarded.rollback()
            guarded.add(Note(body="orphan", embedding=vec(3)))
            with pytest.raises(TenantRequiredError):
                guarded.flush()  # refused before the INSERT is sent
            guarded.rollback()
        assert not [s for s in sent if "tenant_notes" in s]
        with tenant_context(guarded, "a"):
            assert len(guarded.scalars(sa.select(Note)).all()) == 3
        guarded.rollback()  # give the one pooled connection back
        with Session(app) as other:  # another session on the same engine: RLS answers
            assert other.scalars(sa.select(Note)).all() == []
    finally:
        remove()
        guarded.close()


def test_sessionmaker_and_async_session_guard(app: sa.Engine, app_url: str, seeded: Any) -> None:
    factory = sa.orm.sessionmaker(app)
    remove = refuse_without_tenant(factory)
    try:
        with factory() as session, pytest.raises(TenantRequiredError):
            session.scalars(sa.select(Note)).all()
    finally:
        remove()

    async def go() -> str:
        aengine = create_async_engine(app_url.replace("+ruvector", "+ruvector_async", 1))
        try:
            async with AsyncSession(aengine) as session:
                remove = refuse_without_tenant(session)
                try:
                    await session.scalars(sa.select(Note))
                except TenantRequiredError:
                    return "refused"
                finally:
                    remove()
                return "ran"
        finally:
            await aengine.dispose()

    assert asyncio.run(go()) == "refused"
