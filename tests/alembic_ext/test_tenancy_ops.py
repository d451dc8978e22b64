"""op.enable_tenant_isolation / op.disable_tenant_isolation: catalog effects, offline
SQL, reverse(), and autogenerate end to end (compare -> render with imports -> run)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import alembic
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import Operations

import alembic_ext  # noqa: F401 - registers the operations
from alembic_ext.tenancy import DisableTenantIsolationOp, EnableTenantIsolationOp
from sqlalchemy_ruvector.tenancy import TENANT_INFO_KEY

STATE = sa.text(
    """
SELECT c.relrowsecurity, c.relforcerowsecurity,
       (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
          JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
         WHERE d.adrelid = c.oid AND a.attname = :column),
       (SELECT array_agg(i.relname::text ORDER BY i.relname) FROM pg_index x
          JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid),
       (SELECT array_agg(ARRAY[p.polname::text, p.polcmd::text,
                               pg_get_expr(p.polqual, p.polrelid),
                               pg_get_expr(p.polwithcheck, p.polrelid)])
          FROM pg_policy p WHERE p.polrelid = c.oid)
  FROM pg_class c WHERE c.oid = to_regclass(:table)
"""
)


def state(conn: sa.Connection, table: str, column: str = "tenant_id") -> dict[str, Any]:
    rls, force, default, indexes, policies = conn.execute(
        STATE, {"table": table, "column": column}
    ).one()
    return {
        "rls": rls,
        "force": force,
        "default": default,
        "indexes": indexes or [],
        "policies": policies or [],
    }


def make_table(conn: sa.Connection, name: str, tenant_type: str = "text") -> None:
    conn.exec_driver_sql(
        f"CREATE TABLE {name} (id bigint PRIMARY KEY, tenant_id {tenant_type} NOT NULL, body text)"
    )


def test_enable_then_reverse(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        make_table(conn, "iso_docs")
        op = Operations(MigrationContext.configure(conn))
        op.enable_tenant_isolation("iso_docs")  # type: ignore[attr-defined]
        on = state(conn, "iso_docs")
        assert on["rls"] and on["force"]
        assert "current_setting('ruvector.tenant_id'::text, true)" in on["default"]
        assert on["indexes"] == ["idx_iso_docs_tenant_id", "iso_docs_pkey"]
        [[name, cmd, using, check]] = on["policies"]
        assert (name, cmd) == ("ruvector_tenant_isolation", "*")  # FOR ALL
        assert using == check
        assert using.startswith("(tenant_id = ( SELECT")
        assert "current_setting('ruvector.tenant_id'::text, true)" in using

        op.invoke(EnableTenantIsolationOp("iso_docs").reverse())
        off = state(conn, "iso_docs")
        assert off == {
            "rls": False,
            "force": False,
            "default": None,
            "indexes": ["iso_docs_pkey"],
            "policies": [],
        }


def test_typed_tenant_column_and_custom_names(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql('CREATE SCHEMA IF NOT EXISTS "Odd Schema"')
        conn.exec_driver_sql(
            'CREATE TABLE "Odd Schema"."Notes ""x""" (id bigint PRIMARY KEY, '
            '"Org:Id" uuid NOT NULL)'
        )
        op = Operations(MigrationContext.configure(conn))
        kwargs = {
            "schema": "Odd Schema",
            "tenant_type": "uuid",
            "policy_name": "org isolation",
            "index_name": "notes_org",
        }
        op.enable_tenant_isolation('Notes "x"', "Org:Id", **kwargs)  # type: ignore[attr-defined]
        on = state(conn, '"Odd Schema"."Notes ""x"""', "Org:Id")
        assert on["rls"] and on["force"] and "::uuid" in on["default"]
        assert "notes_org" in on["indexes"]
        assert on["policies"][0][0] == "org isolation"
        # A uuid tenant: the setting is cast, so an index on the column applies.
        conn.execute(
            sa.text("SELECT set_config('ruvector.tenant_id', :t, true)"),
            {"t": "7f1b0c9e-1111-4222-8333-944445555666"},
        )
        conn.exec_driver_sql('SELECT * FROM "Odd Schema"."Notes ""x"""').all()
        op.disable_tenant_isolation('Notes "x"', "Org:Id", **kwargs)  # type: ignore[attr-defined]
        off = state(conn, '"Odd Schema"."Notes ""x"""', "Org:Id")
        assert off["policies"] == [] and off["default"] is None and not off["force"]


def test_offline_sql() -> None:
    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buf}
    )
    Operations(ctx).enable_tenant_isolation("docs", "tenant_id")  # type: ignore[attr-defined]
    sql = [s.strip() for s in buf.getvalue().split(";") if s.strip()]
    tenant = "NULLIF(current_setting('ruvector.tenant_id', true), '')::text"
    assert sql == [
        f"ALTER TABLE docs ALTER COLUMN tenant_id SET DEFAULT {tenant}",
        "CREATE INDEX idx_docs_tenant_id ON docs (tenant_id)",
        "ALTER TABLE docs ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE docs FORCE ROW LEVEL SECURITY",
        "CREATE POLICY ruvector_tenant_isolation ON docs AS PERMISSIVE FOR ALL "
        f"USING (tenant_id = (SELECT {tenant})) WITH CHECK (tenant_id = (SELECT {tenant}))",
    ]


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        (("docs",), {"tenant_type": "text; DROP TABLE docs"}, "tenant_type must be a plain"),
        (("",), {}, "table name must be a non-empty str"),
        (("docs", "a\x00b"), {}, "tenant_column 'a\\\\x00b' contains a NUL byte"),
        (("d" * 64,), {}, "longer than 63 bytes"),
    ],
)
def test_bad_names_fail_before_sql(args: Any, kwargs: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        EnableTenantIsolationOp(*args, **kwargs)
    with pytest.raises(ValueError, match=words):
        DisableTenantIsolationOp(*args, **kwargs)


def test_reverse_round_trips() -> None:
    op = EnableTenantIsolationOp("docs", "org", schema="s", tenant_type="bigint", index_name="i")
    back = op.reverse().reverse()
    assert isinstance(op.reverse(), DisableTenantIsolationOp)
    assert back.isolation == op.isolation
    assert op.to_diff_tuple() == ("enable_tenant_isolation", "s", "docs")


# --- autogenerate, end to end --------------------------------------------------------

ENV = """
from alembic import context
import alembic_ext

config = context.config
context.configure(
    connection=config.attributes["connection"],
    target_metadata=config.attributes["metadata"],
)
with context.begin_transaction():
    context.run_migrations()
"""


@pytest.fixture
def alembic_cfg(tmp_path: Path) -> Iterator[Config]:
    scripts = tmp_path / "migrations"
    (scripts / "versions").mkdir(parents=True)
    template = Path(alembic.__file__).parent / "templates" / "generic" / "script.py.mako"
    shutil.copy(template, scripts / "script.py.mako")
    (scripts / "env.py").write_text(ENV)
    cfg = Config()
    cfg.set_main_option("script_location", str(scripts))
    yield cfg


def models(marked: bool) -> sa.MetaData:
    md = sa.MetaData()
    info = {TENANT_INFO_KEY: "tenant_id"} if marked else {}
    for name in ("ag_existing", "ag_new"):
        sa.Table(
            name,
            md,
            sa.Column("id", sa.BigInteger, primary_key=True),
            sa.Column("tenant_id", sa.Text, nullable=False),
            sa.Column("body", sa.Text),
            info=info,
        )
    return md


def revise(
    cfg: Config, engine: sa.Engine, metadata: sa.MetaData, message: str, *, keep: bool = True
) -> str:
    with engine.connect() as conn:
        cfg.attributes.update(connection=conn, metadata=metadata)
        script = command.revision(cfg, message=message, autogenerate=True)
    assert script is not None and not isinstance(script, list)
    path = Path(script.path)
    code = path.read_text()
    if not keep:
        path.unlink()
    return code


def migrate(cfg: Config, engine: sa.Engine, metadata: sa.MetaData, target: str) -> None:
    with engine.connect() as conn:
        cfg.attributes.update(connection=conn, metadata=metadata)
        if target == "base":
            command.downgrade(cfg, target)
        else:
            command.upgrade(cfg, target)
        conn.commit()


def test_autogenerate_renders_runs_and_reverses(alembic_cfg: Config, engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS ag_existing, ag_new, alembic_version")
        conn.exec_driver_sql(
            "CREATE TABLE ag_existing (id bigint PRIMARY KEY, tenant_id text NOT NULL, body text)"
        )
    marked = models(True)
    first = revise(alembic_cfg, engine, marked, "tenancy")
    assert "import alembic_ext" in first
    upgrade, downgrade = first.split("def downgrade")
    assert "op.enable_tenant_isolation('ag_existing')" in upgrade
    assert upgrade.index("op.create_table('ag_new'") < upgrade.index(
        "op.enable_tenant_isolation('ag_new')"
    )
    assert "op.disable_tenant_isolation('ag_existing')" in downgrade

    migrate(alembic_cfg, engine, marked, "head")
    with engine.connect() as conn:
        for table in ("ag_existing", "ag_new"):
            now = state(conn, table)
            assert now["rls"] and now["force"] and len(now["policies"]) == 1

    # In sync now: nothing to do.
    second = revise(alembic_cfg, engine, marked, "noop", keep=False)
    assert "tenant_isolation" not in second

    # The marker removed from the model: autogenerate disables, reading the column
    # back from the policy.
    third = revise(alembic_cfg, engine, models(False), "off", keep=False)
    assert "op.disable_tenant_isolation('ag_existing')" in third.split("def downgrade")[0]

    migrate(alembic_cfg, engine, marked, "base")
    with engine.connect() as conn:
        assert sa.inspect(conn).has_table("ag_new") is False
        assert state(conn, "ag_existing")["policies"] == []
