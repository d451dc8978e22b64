"""The vector-type registry: every row is what the package derives its maps from,
adding a type is one row, and each row's names exist in the live catalogs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from psycopg.adapt import AdaptersMap, PyFormat
from psycopg.pq import Format
from sqlalchemy import column

import sqlalchemy_ruvector
from sqlalchemy_ruvector import adapters, capabilities, dialect, metrics
from sqlalchemy_ruvector.capabilities import Capabilities, TypeOids
from sqlalchemy_ruvector.codecs import BinaryLayout
from sqlalchemy_ruvector.types import VectorType
from sqlalchemy_ruvector.vector_types import (
    VECTOR_TYPES,
    Layout,
    Reflection,
    VectorTypeSpec,
    column_classes,
    opclass_metrics,
    vector_type,
)

_ROWS = pytest.mark.parametrize("spec", VECTOR_TYPES, ids=lambda s: s.sql_name)


@_ROWS
def test_row_names_its_own_classes(spec: VectorTypeSpec) -> None:
    cls = spec.column_class()
    assert vector_type(spec.sql_name) is spec
    if issubclass(cls, VectorType):
        assert cls.sql_name == spec.sql_name
        assert cls.family == spec.family
    if spec.dropin_column is not None:
        assert spec.dropin_class()().sql_name == spec.sql_name


@_ROWS
def test_row_is_in_every_derived_map(spec: VectorTypeSpec) -> None:
    name = spec.sql_name
    reflected = spec.reflection is not Reflection.NONE
    # the drop-in module, once imported, puts its own classes under its names
    classes = {spec.column_class()} | ({spec.dropin_class()} if spec.dropin_column else set())
    for names in (dialect.RuVectorDialect_psycopg.ischema_names, dialect.VECTOR_ISCHEMA_NAMES):
        assert (names.get(name) in classes) == reflected
    assert (f"'{name}'" in capabilities._CATALOG_QUERY) == (spec.extension is not None)
    assert (name in adapters._ADAPTED) == (spec.param is not None)
    for method, wanted in spec.index_metrics.items():
        assert metrics.OPCLASS_METRICS[(spec.prefix, method)] == wanted
        for metric in wanted:
            opclass = metrics.opclass_name(name, metric)
            assert metrics.parse_opclass(opclass) == metrics.Opclass(name, metric)
        assert (metrics.default_opclass(name, method) is not None) == (
            method in spec.default_opclass
        )


def _plain(value: Any) -> list[float]:
    to_list = getattr(value, "to_list", None)
    return list(to_list()) if callable(to_list) else np.asarray(value, dtype=np.float32).tolist()


@pytest.mark.parametrize("spec", [s for s in VECTOR_TYPES if s.param], ids=lambda s: s.sql_name)
def test_adapters_round_trip_every_row(spec: VectorTypeSpec) -> None:
    """Text and binary dumpers/loaders of each row, on a probed server's OIDs."""
    caps = Capabilities(probed=True, types={spec.sql_name: TypeOids(90001, 90002)})
    amap = AdaptersMap()
    adapters.register_adapters(amap, caps)
    value = spec.coerce_function()([1.0, 0.0, 2.5])
    param = spec.param_class()
    wrapped = param(value) if hasattr(param, "array") else value
    for dump_format, load_format in (
        (PyFormat.TEXT, Format.TEXT),
        (PyFormat.BINARY, Format.BINARY),
    ):
        data = amap.get_dumper(param, dump_format)(param).dump(wrapped)
        loaded = amap.get_loader(90001, load_format)(90001, None).load(bytes(data))
        assert _plain(loaded) == [1.0, 0.0, 2.5]


def test_binary_layout_rule() -> None:
    caps = Capabilities(probed=True, binary_layout=BinaryLayout.RUVECTOR)
    assert {
        s.sql_name: s.binary_layout(caps) for s in VECTOR_TYPES if s.layout is not Layout.OWN
    } == {
        "ruvector": BinaryLayout.RUVECTOR,
        "vector": BinaryLayout.PGVECTOR,
    }


def test_comparator_functions_come_from_the_row() -> None:
    for spec in VECTOR_TYPES:
        if not issubclass(spec.column_class(), VectorType):
            continue
        expr = column("v", spec.column_class()(3))
        for key, function in spec.functions.items():
            assert str(getattr(expr, key)()).startswith(f"{function}(")
        if "dims" not in spec.functions:
            with pytest.raises(NotImplementedError, match="no dims"):
                expr.dims()


def test_derivations_take_any_rows() -> None:
    extra = VectorTypeSpec(
        "float8vec",
        extension="vector",
        family="pgvector",
        storage="float32",
        column="types:PgVector",
        reflection=Reflection.DIALECT,
        index_metrics={"hnsw": ("l2",)},
    )
    rows = (*VECTOR_TYPES, extra)
    assert column_classes(rows)["float8vec"] is sqlalchemy_ruvector.PgVector
    assert opclass_metrics(rows)[("float8vec", "hnsw")] == ("l2",)


_NEW_ROW = """
    VectorTypeSpec(
        "bf16vec",
        extension="vector",
        family="pgvector",
        storage="float16",
        column="types:HalfVec",
        reflection=Reflection.SHARED,
        param="types:HalfVecParam",
        coerce="values:to_float16",
        text_out="codecs:halfvec_to_text",
        text_in="codecs:halfvec_from_text",
        binary_out="codecs:halfvec_to_binary",
        binary_in="codecs:halfvec_from_binary",
        functions={"dims": "bf16vec_dims"},
        index_metrics={"hnsw": ("l2", "cosine")},
    ),
"""

_CHECK_NEW_ROW = """
import psycopg.adapt
from sqlalchemy.dialects.postgresql import base as pg_base
import sqlalchemy_ruvector as sr
from sqlalchemy_ruvector import adapters, capabilities, dialect, index_translation, metrics, rerank
from sqlalchemy_ruvector.bulk import columns
from sqlalchemy_ruvector.capabilities import Capabilities, TypeOids
from sqlalchemy_ruvector.vector_types import vector_type
from alembic_ext import facts

assert sr.__file__.startswith({root!r}), sr.__file__
assert dialect.RuVectorDialect_psycopg.ischema_names["bf16vec"] is sr.HalfVec
assert pg_base.ischema_names["bf16vec"] is sr.HalfVec
assert "'bf16vec'" in capabilities._CATALOG_QUERY
caps = Capabilities(probed=True, types={{"bf16vec": TypeOids(90001, 90002)}})
amap = psycopg.adapt.AdaptersMap()
adapters.register_adapters(amap, caps)
assert amap.get_loader(90001, psycopg.pq.Format.BINARY) is not None
assert metrics.OPCLASS_METRICS[("bf16vec", "hnsw")] == ("l2", "cosine")
assert metrics.parse_opclass("bf16vec_cosine_ops").metric == "cosine"
assert metrics.translate_opclass(
    "halfvec_l2_ops", source_type="halfvec", target_type="bf16vec", method="hnsw"
) == "bf16vec_l2_ops"
assert vector_type("bf16vec").functions["dims"] == "bf16vec_dims"
assert "bf16vec" in facts.PGVECTOR_TYPES
assert columns._VECTOR_KINDS["bf16vec"] is columns.Kind.HALF
assert "bf16vec" in rerank.DENSE_TYPES
assert "bf16vec" in index_translation._PGVECTOR_TYPES
print("ok")
"""


def test_adding_a_type_is_one_row(tmp_path: Path) -> None:
    """Insert one row into a copy of the package's table, change nothing else, and
    every derived map (reflection, probe, adapters, opclasses, COPY, Alembic) has it."""
    package = Path(sqlalchemy_ruvector.__file__).parent
    copy = tmp_path / "sqlalchemy_ruvector"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    source = (copy / "vector_types.py").read_text()
    anchor = "VECTOR_TYPES: Final[tuple[VectorTypeSpec, ...]] = (\n"
    assert source.count(anchor) == 1
    (copy / "vector_types.py").write_text(
        source.replace(anchor, anchor + textwrap.dedent(_NEW_ROW).replace("\n", "\n    "))
    )
    code = _CHECK_NEW_ROW.format(root=str(copy))
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# -- the live catalogs ---------------------------------------------------------------------

_TYPES = "SELECT typname FROM pg_type WHERE typname = ANY(%s)"
_FUNCTIONS = "SELECT DISTINCT proname FROM pg_proc WHERE proname = ANY(%s)"
_OPCLASSES = """
SELECT c.opcname FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
 WHERE a.amname IN ('hnsw', 'ruhnsw', 'ivfflat', 'ruivfflat')
"""
_OPERATORS = """
SELECT DISTINCT o.oprname FROM pg_operator o JOIN pg_type t ON t.oid = o.oprleft
 WHERE t.typname = %s
"""


def _check_rows_in_catalog(conn: Any, rows: list[VectorTypeSpec], caps: Capabilities) -> None:
    names = [s.sql_name for s in rows]
    assert {r[0] for r in conn.execute(_TYPES, [names])} == set(names)
    wanted = {f for s in rows for f in s.functions.values()}
    wanted |= {f"{s.sql_name}_send" for s in rows if s.extension is not None}
    assert {r[0] for r in conn.execute(_FUNCTIONS, [list(wanted)])} == wanted
    opclasses = {r[0] for r in conn.execute(_OPCLASSES)}
    for spec in rows:
        for method_metrics in spec.index_metrics.values():
            for metric in method_metrics:
                assert metrics.opclass_name(spec.sql_name, metric) in opclasses
        operators = {r[0] for r in conn.execute(_OPERATORS, [spec.sql_name])}
        for metric in {m for ms in spec.index_metrics.values() for m in ms}:
            has_operator = spec.family != "ruvector" or metrics.METRICS[metric].probe != "presence"
            assert (metrics.METRICS[metric].operator in operators) == (
                has_operator or caps.has_l1_operator
            ), (spec.sql_name, metric)


def _caps(db: Any) -> Capabilities:
    with db.connect() as conn:
        return capabilities.probe(lambda q: conn.execute(q).fetchall())


def test_ruvector_rows_in_the_live_catalog(ruvector_db: Any) -> None:
    """ruvector's rows (types, functions, send functions, opclasses, operators) exist
    on every profile, and so do the metrics' function forms."""
    caps = _caps(ruvector_db)
    rows = [s for s in VECTOR_TYPES if s.is_ruvector]
    assert set(caps.types) == {s.sql_name for s in rows}
    with ruvector_db.connect() as conn:
        _check_rows_in_catalog(conn, rows, caps)
        forms = [m.ruvector_function for m in metrics.METRICS.values() if m.ruvector_function]
        assert {r[0] for r in conn.execute(_FUNCTIONS, [forms])} == set(forms)


def test_pgvector_rows_in_the_live_catalog(pgvector_db: Any) -> None:
    """pgvector's rows, and core ``bit`` with pgvector's opclasses and operators."""
    caps = _caps(pgvector_db)
    assert set(caps.types) == {s.sql_name for s in VECTOR_TYPES if s.extension is not None}
    rows = [s for s in VECTOR_TYPES if not s.is_ruvector]
    with pgvector_db.connect() as conn:
        _check_rows_in_catalog(conn, rows, caps)
