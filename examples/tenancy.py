"""Multi-tenancy with row-level security: one table, many tenants, no leaks.

    pip install ".[server]" && python examples/tenancy.py

The migration (``op.enable_tenant_isolation``) gives the tenant column a default and
an index, enables and FORCEs row-level security and adds one policy comparing the
column with the transaction's ``ruvector.tenant_id``. The application connects as
an ordinary role (here the table's owner, which FORCE subjects to the policy too)
and names the tenant per transaction with ``tenant_context``; everything else is
plain SQLAlchemy. ruvector 2.0.5's ``ruvector_tenant_set`` sets nothing, so this is
done with PostgreSQL alone and works on any server.
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import alembic_ext  # noqa: F401 - registers op.enable_tenant_isolation
from sqlalchemy_ruvector import RuVector, tenant_context
from sqlalchemy_ruvector.server import start
from sqlalchemy_ruvector.tenancy import (
    TENANT_INFO_KEY,
    TenantRequiredError,
    refuse_without_tenant,
)


class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "documents"
    # Marks the table for autogenerate (op.enable_tenant_isolation) and the guard.
    __table_args__ = {"info": {TENANT_INFO_KEY: "tenant_id"}}

    id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
    # Filled by the column default from the current tenant.
    tenant_id: Mapped[str] = mapped_column(sa.Text, server_default=sa.FetchedValue())
    title: Mapped[str]
    embedding = mapped_column(RuVector(3))


def main() -> None:
    with start() as server:
        admin_url = server.create_database("tenancy").replace("+psycopg", "+ruvector", 1)
        admin = sa.create_engine(admin_url)

        # The migration, run by the schema owner's deploy step.
        with admin.begin() as conn:
            Base.metadata.create_all(conn)
            conn.exec_driver_sql("CREATE ROLE app LOGIN NOSUPERUSER NOBYPASSRLS")
            conn.exec_driver_sql("ALTER TABLE documents OWNER TO app")
            op = Operations(MigrationContext.configure(conn))
            op.enable_tenant_isolation("documents", tenant_column="tenant_id")  # type: ignore[attr-defined]

        # The application: an ordinary role, one pooled connection shared by tenants.
        app = sa.create_engine(
            sa.make_url(admin_url).set(username="app"), pool_size=1, max_overflow=0
        )
        for tenant, titles in {
            "acme": ["acme plan", "acme roadmap"],
            "globex": ["globex memo"],
            "o'reilly'; DROP TABLE documents; --": ["just a tenant with an odd name"],
        }.items():
            with Session(app) as session, tenant_context(session, tenant):
                session.add_all(
                    Document(title=t, embedding=np.random.default_rng(len(t)).random(3))
                    for t in titles
                )
                session.commit()

        with Session(app) as session, tenant_context(session, "acme"):
            print("acme sees:", session.scalars(sa.select(Document.title)).all())
            nearest = session.scalars(
                sa.select(Document.title)
                .order_by(Document.embedding.cosine_distance([1, 0, 0]))
                .limit(5)
            ).all()
            print("acme nearest:", nearest)
            stolen = session.execute(sa.delete(Document).where(Document.title == "globex memo"))
            print("acme deletes globex's memo:", stolen.rowcount, "rows")
            session.add(Document(tenant_id="globex", title="forged", embedding=[1, 1, 1]))
            try:
                session.flush()
            except sa.exc.ProgrammingError as exc:
                print("acme writes as globex: refused,", str(exc.orig).splitlines()[0])
                session.rollback()

        with Session(app) as session, tenant_context(session, "globex"):
            print("globex sees:", session.scalars(sa.select(Document.title)).all())

        with Session(app) as session:
            print("no tenant sees:", session.scalars(sa.select(Document.title)).all())

        # Opt-in guard: "no tenant" becomes an error before any SQL is sent.
        remove = refuse_without_tenant(app)
        with Session(app) as session:
            try:
                session.scalars(sa.select(Document)).all()
            except TenantRequiredError as exc:
                print("guard:", exc)
        remove()

        with admin.connect() as conn:
            total = conn.execute(sa.text("SELECT count(*) FROM documents")).scalar_one()
            print("rows in the table (as superuser):", total)
        app.dispose()
        admin.dispose()


if __name__ == "__main__":
    main()
