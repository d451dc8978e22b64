"""Registration without monkey-patching: ``import alembic_ext`` alone, or the
``alembic_ext`` plugin (entry point ``alembic.plugins``, Alembic >= 1.18) alone,
enables the comparators; both together still emit each operation once."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import alembic
import pytest
import sqlalchemy as sa
from alembic.autogenerate.api import AutogenContext
from alembic.autogenerate.render import _repr_type
from alembic.migration import MigrationContext

import alembic_ext
from alembic_ext.autogenerate.render import with_imports
from sqlalchemy_ruvector import HalfVec, PgVector, RuVector, SparseVec
from tests.conftest import PROFILES_UNDER_TEST, Database

ALEMBIC_VERSION = tuple(int(p) for p in alembic.__version__.split(".")[:2])
needs_plugins = pytest.mark.skipif(
    ALEMBIC_VERSION < (1, 18), reason="Alembic plugins arrived in 1.18"
)

_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import sqlalchemy as sa
    from alembic.autogenerate import produce_migrations
    from alembic.migration import MigrationContext

    mode, url = sys.argv[1], sys.argv[2]
    if "import" in mode:
        import alembic_ext  # noqa: F401
    imported_before = "alembic_ext" in sys.modules
    from sqlalchemy_ruvector import RuVector, VectorIndex

    metadata = sa.MetaData()
    sa.Table("items", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("embedding", RuVector(3)),
             VectorIndex("items_idx", "embedding", metric="cosine"))
    opts = {"target_metadata": metadata}
    if "plugin" in mode:
        opts["autogenerate_plugins"] = ["alembic.autogenerate.*", "alembic_ext"]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn, opts=opts), metadata)
    engine.dispose()

    def walk(container):
        for op in container.ops:
            if hasattr(op, "ops"):
                yield from walk(op)
            else:
                yield type(op).__name__
    print(json.dumps({"imported_before": imported_before, "ops": list(walk(script.upgrade_ops))}))
    """
)


@pytest.fixture(scope="module")
def url(make_database: Callable[..., Database]) -> str:
    return make_database(PROFILES_UNDER_TEST[0]).url.replace("+psycopg", "+ruvector", 1)


def _run(mode: str, url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, mode, url], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_entry_point_names_an_import_light_module() -> None:
    points = importlib.metadata.entry_points(group="alembic.plugins")
    (point,) = [p for p in points if p.name == "alembic_ext"]
    assert point.value == "alembic_ext_plugin"
    # Alembic loads it while importing itself: it must not pull in alembic_ext.
    code = "import alembic.autogenerate, sys; print('alembic_ext' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_entry_point_loads_as_alembic_1_18_and_1_20_1_expect() -> None:
    """1.18.0-1.20.0 iterate the loaded object (a collection of modules); 1.20.1 takes
    a module. One module that iterates over itself serves both."""
    import types

    (point,) = [
        p
        for p in importlib.metadata.entry_points(group="alembic.plugins")
        if p.name == "alembic_ext"
    ]
    loaded = point.load()
    assert isinstance(loaded, types.ModuleType)
    assert list(loaded) == [loaded]
    assert callable(loaded.setup)


def test_without_registration_alembic_writes_a_plain_create_index(url: str) -> None:
    result = _run("none", url)
    assert result["ops"] == ["CreateTableOp", "CreateIndexOp"]


def test_import_alone_registers(url: str) -> None:
    result = _run("import", url)
    assert result["ops"] == ["CreateTableOp", "CreateVectorIndexOp"]


@needs_plugins
def test_plugin_alone_registers(url: str) -> None:
    result = _run("plugin", url)
    assert result["imported_before"] is False
    assert result["ops"] == ["CreateTableOp", "CreateVectorIndexOp"]


@needs_plugins
def test_import_and_plugin_emit_each_op_once(url: str) -> None:
    result = _run("import+plugin", url)
    assert result["ops"] == ["CreateTableOp", "CreateVectorIndexOp"]


@needs_plugins
def test_setup_registers_on_a_plugin_by_hand() -> None:
    from alembic.runtime.plugins import Plugin

    import alembic_ext.plugin

    Plugin.setup_plugin_from_module(alembic_ext.plugin, "tests.vectors_by_hand")
    try:
        from alembic.runtime.plugins import _all_plugins

        registry = _all_plugins["tests.vectors_by_hand"].autogenerate_comparators._registry
        targets = sorted({key[0] for key, fns in registry.items() if fns})
        assert targets == ["schema", "table"]
    finally:
        _all_plugins["tests.vectors_by_hand"].remove()


def _autogen(**opts: Any) -> AutogenContext:
    defaults = {
        "alembic_module_prefix": "op.",
        "sqlalchemy_module_prefix": "sa.",
        "user_module_prefix": None,
    }
    context = MigrationContext.configure(dialect_name="postgresql", opts={**defaults, **opts})
    return AutogenContext(context)


@pytest.mark.parametrize("type_", [RuVector(3), HalfVec(4), SparseVec(5), PgVector(6)])
def test_render_item_spells_the_public_name(type_: Any) -> None:
    autogen = _autogen(render_item=alembic_ext.render_item)
    rendered = _repr_type(type_, autogen)
    assert rendered == f"sqlalchemy_ruvector.{type(type_).__name__}(dim={type_.dim})"
    assert autogen.imports == {"import sqlalchemy_ruvector"}
    namespace: dict[str, Any] = {}
    exec("\n".join([*autogen.imports, f"value = {rendered}"]), namespace)
    assert repr(namespace["value"]) == repr(type_)


def test_default_rendering_adds_the_module_import() -> None:
    from alembic.autogenerate.render import render_op_text
    from alembic.operations import ops

    column = sa.Column("embedding", HalfVec(4))
    op = with_imports(ops.AddColumnOp("items", column))
    assert isinstance(op, ops.AddColumnOp)
    assert op.to_diff_tuple() == ops.AddColumnOp("items", column).to_diff_tuple()
    autogen = _autogen()
    text = render_op_text(autogen, op)
    assert text == (
        "op.add_column('items', sa.Column('embedding', "
        "sqlalchemy_ruvector.types.halfvec.HalfVec(dim=4), nullable=True))"
    )
    # the reverse (drop) keeps the column for its own reverse, which imports again
    again = _autogen()
    render_op_text(again, op.reverse().reverse())
    assert again.imports == {"import sqlalchemy_ruvector.types.halfvec"}
    assert autogen.imports == {"import sqlalchemy_ruvector.types.halfvec"}
    namespace: dict[str, Any] = {}
    exec("\n".join([*autogen.imports, "value = " + text.split(", ")[2]]), namespace)
    assert repr(namespace["value"]) == "HalfVec(dim=4)"


def test_include_object_leaves_out_internal_tables_only_when_reflected() -> None:
    table = sa.Table("_ruvector_nodes", sa.MetaData(), sa.Column("id", sa.Integer))
    index = sa.Index("ix", table.c.id)
    assert not alembic_ext.include_object(table, "_ruvector_nodes", "table", True, None)
    assert not alembic_ext.include_object(index, "ix", "index", True, None)
    assert alembic_ext.include_object(table, "_ruvector_nodes", "table", False, None)
    assert alembic_ext.include_object(table, "_ruvector_nodes", "table", True, table)
    other = sa.Table("ruvector_nodes", sa.MetaData())
    assert alembic_ext.include_object(other, "ruvector_nodes", "table", True, None)
