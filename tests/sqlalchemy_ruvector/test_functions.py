"""Catalog-built SQL functions: registration, return types, argument binding, arity,
server awareness, docstrings, table-valued use, the stub's freshness, and round trips
on the server (the core functions everywhere; the rest on a real ruvector)."""

from __future__ import annotations

import re
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION, JSONB
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import CompileError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import Capabilities, PgVector, RuVector
from sqlalchemy_ruvector import functions as F
from sqlalchemy_ruvector.capabilities import TypeOids
from sqlalchemy_ruvector.functions._stubs import STUB_FILE, render_stubs
from tests.helpers import statements_sent

PSYCOPG = PGDialect_psycopg()
CATALOG_TSV = Path(F.__file__).with_name("catalog.tsv")
#: What the compatibility layer installs of the catalog (the core functions).
COMPAT_CORE = (
    "ruvector_dims",
    "ruvector_norm",
    "ruvector_normalize",
    "ruvector_l2_distance",
    "ruvector_cosine_distance",
    "ruvector_inner_product",
    "ruvector_l1_distance",
    "ruvector_version",
    "ruvector_simd_info",
    "ruvector_memory_stats",
)
Q = np.array([0.1, -2.0, 3.5], dtype=np.float64)


def sql(expr: Any, dialect: Dialect = PSYCOPG) -> str:
    """The SELECT of ``expr`` compiled for ``dialect``, on one line."""
    stmt = expr if isinstance(expr, sa.Select) else sa.select(expr)
    return re.sub(r"\s+", " ", str(stmt.compile(dialect=dialect))).strip()


def probed(
    functions: tuple[str, ...] = COMPAT_CORE,
    *,
    profile: str | None = "documented",
    extension: bool = True,
) -> Dialect:
    """A psycopg dialect carrying probed capabilities (no connection needed)."""
    dialect = PGDialect_psycopg()
    caps = Capabilities(
        probed=True,
        extension_version="0.3.0" if extension else None,
        server_version="2.0.5" if profile is None else f"2.0.5-compat (profile {profile})",
        compat_profile=profile,
        types={"ruvector": TypeOids(16400, 16401)} if extension else {},
        functions=frozenset(functions if extension else ()),
    )
    dialect.ruvector_capabilities = caps  # type: ignore[attr-defined]
    return dialect


def nulls(name: str) -> list[Any]:
    """Required arguments of ``name`` as NULL expressions (for shape-only tests)."""
    return [sa.null()] * F.FUNCTIONS[name].spec.required


def processed(expr: Any, key: str) -> Any:
    """The value of bind ``key`` as it reaches the driver (after bind processing)."""
    compiled = sa.select(expr).compile(dialect=PSYCOPG)
    bind = compiled.binds[key]
    process = bind.type.dialect_impl(PSYCOPG).bind_processor(PSYCOPG)
    return bind.value if process is None else process(bind.value)


# -- the catalog -------------------------------------------------------------------------


def test_catalog_is_the_shared_table() -> None:
    text = CATALOG_TSV.read_text("utf-8")
    assert text.startswith("# Every CREATE FUNCTION in ruvector-postgres")
    rows = [ln for ln in text.splitlines() if ln and not ln.startswith("#")][1:]
    assert len(F.CATALOG) == len(rows) == 190
    assert sum(s.optional for s in F.CATALOG) == 42  # six optional families


def test_client_callable_selection() -> None:
    internal = {"ruvector_in", "ruvector_out", "ruvector_recv", "ruvector_send"}
    internal |= {"ruvector_typmod_in", "ruvector_typmod_out", "hnsw_handler", "ruivfflat_handler"}
    assert set(F.FUNCTIONS) == {s.name for s in F.CATALOG} - internal
    assert not any(hasattr(F, name) for name in internal)
    assert "ruvector_hnsw_debug" in F.FUNCTIONS  # am_handler family, but text -> jsonb


@pytest.mark.parametrize("name", sorted(F.FUNCTIONS))
def test_every_function_is_registered_and_compiles_offline(name: str) -> None:
    cls = F.FUNCTIONS[name]
    assert getattr(F, name) is cls and cls.__name__ == name
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no caching or registration warnings
        via_func = getattr(sa.func, name)(*nulls(name))
        assert type(via_func) is cls
        rendered = sql(via_func, postgresql.dialect())
    assert rendered.startswith(f"SELECT {name}(")


# -- return types ------------------------------------------------------------------------

RETURN_TYPES: list[tuple[str, type[sa.types.TypeEngine[Any]], Any]] = [
    ("ruvector_version", sa.Text, None),  # info
    ("ruvector_memory_stats", JSONB, None),
    ("ruvector_dims", sa.Integer, None),  # core
    ("ruvector_norm", sa.REAL, None),
    ("ruvector_normalize", RuVector, None),
    ("l2_distance_arr", sa.REAL, None),  # array_distance
    ("vector_normalize", ARRAY, sa.REAL),  # array_utils
    ("binary_quantize_arr", sa.LargeBinary, None),  # quantization
    ("vector_avg_final", ARRAY, sa.REAL),  # aggregate_support
    ("temporal_drift", sa.REAL, None),  # temporal
    ("attention_single", JSONB, None),  # attention
    ("graph_is_connected", sa.Boolean, None),  # graph_math
    ("ruvector_mobius_add", ARRAY, sa.REAL),  # hyperbolic
    ("ruvector_message_pass", sa.Text, None),  # gnn
    ("ruvector_register_agent", sa.Boolean, None),  # routing
    ("ruvector_extract_patterns", sa.Text, None),  # learning
    ("ruvector_add_node", sa.BigInteger, None),  # graph
    ("ruvector_cypher", JSONB, None),  # SETOF jsonb
    ("ruvector_list_graphs", ARRAY, sa.Text),
    ("ruvector_load_ntriples", sa.BigInteger, None),  # sparql
    ("ruvector_is_healthy", sa.Boolean, None),  # healing
    ("ruvector_tenant_set", sa.Text, None),  # tenancy
    ("ruvector_hybrid_search", JSONB, None),  # hybrid
    ("ruvector_hybrid_score", sa.REAL, None),
    ("ruvector_hnsw_debug", JSONB, None),  # am_handler
    ("ruvector_effective_resistance", sa.REAL, None),  # solver (optional)
    ("ruvector_spectral_cluster", ARRAY, sa.Integer),  # math (optional)
    ("ruvector_betti_numbers", ARRAY, sa.Integer),  # tda (optional)
    ("ruvector_cross_attention", ARRAY, sa.REAL),  # attention_extended (optional)
    ("ruvector_sona_stats", JSONB, None),  # sona (optional)
    ("ruvector_domain_transfer", JSONB, None),  # domain_expansion (optional)
]


@pytest.mark.parametrize(("name", "expected", "item"), RETURN_TYPES)
def test_return_types(name: str, expected: type[Any], item: Any) -> None:
    for fn in (getattr(F, name)(*nulls(name)), getattr(sa.func, name)(*nulls(name))):
        assert isinstance(fn.type, expected), (name, fn.type)
        if item is not None:
            assert isinstance(fn.type.item_type, item)
    families = {F.FUNCTIONS[n].spec.family for n, _, _ in RETURN_TYPES}
    assert families == {s.family for s in F.CATALOG} - {"type_io"}


def test_ruvector_result_is_fetched_through_send_on_our_engines() -> None:
    assert sql(F.ruvector_normalize([1, 2]), probed()) == (
        "SELECT ruvector_send(ruvector_normalize(%(v_1)s::ruvector)) AS ruvector_normalize_1"
    )


def test_ruvector_results_keep_the_argument_dimension() -> None:
    """The rule VectorIndex relies on to index ``ruvector_normalize(col)``: every
    ruvector-returning function the catalog holds keeps its arguments' dimension."""
    returning = {s.name for s in F.CATALOG if s.client_callable and s.returns == "ruvector"}
    assert returning == {
        "ruvector_normalize",
        "ruvector_add",
        "ruvector_sub",
        "ruvector_mul_scalar",
    }
    column = sa.column("e", RuVector(5))
    assert F.ruvector_normalize(column).type.dim == 5
    assert F.ruvector_add(column, column).type.dim == 5
    assert F.ruvector_mul_scalar(column, 2).type.dim == 5
    assert F.ruvector_normalize([1.0, 2.0]).type.dim is None  # a bound value has no declared n
    assert F.ruvector_add(column, sa.column("f", RuVector(6))).type.dim is None
    assert F.ruvector_normalize(column, type_=RuVector()).type.dim is None


def test_explicit_type_overrides_the_catalog() -> None:
    assert isinstance(sa.func.ruvector_dims(sa.null(), type_=sa.BigInteger).type, sa.BigInteger)


# -- rendered SQL and argument binding ---------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (
            lambda: F.ruvector_l2_distance(Q, [1, 2, 3]),
            "ruvector_l2_distance(%(a_1)s::ruvector, %(b_1)s::ruvector)",
        ),
        (
            lambda: F.cosine_distance_arr(Q, Q),
            "cosine_distance_arr(%(a_1)s::REAL[], %(b_1)s::REAL[])",
        ),
        (
            lambda: F.ruvector_mul_scalar(Q, 2),
            "ruvector_mul_scalar(%(v_1)s::ruvector, CAST(%(s_1)s AS REAL))",
        ),
        (  # a DEFAULT argument left out
            lambda: F.ruvector_poincare_distance(Q, Q),
            "ruvector_poincare_distance(%(a_1)s::REAL[], %(b_1)s::REAL[])",
        ),
        (  # after a gap, PostgreSQL's named notation
            lambda: sa.func.ruvector_route(Q, constraints={"max_cost": 1}),
            "ruvector_route(%(embedding_1)s::REAL[], constraints => %(constraints_1)s::JSONB)",
        ),
        (
            lambda: F.ruvector_hybrid_search("docs", "fox", Q, 5, alpha=0.7),
            "ruvector_hybrid_search(%(collection_1)s::VARCHAR, %(query_text_1)s::VARCHAR, "
            "%(query_vector_1)s::REAL[], %(k_1)s::INTEGER, alpha => CAST(%(alpha_1)s AS REAL))",
        ),
        (
            lambda: F.ruvector_add_edge("g", 1, 2, "KNOWS", {}),
            "ruvector_add_edge(%(graph_name_1)s::VARCHAR, %(source_id_1)s::BIGINT, "
            "%(target_id_1)s::BIGINT, %(edge_type_1)s::VARCHAR, %(properties_1)s::JSONB)",
        ),
        (
            lambda: F.ruvector_record_feedback("t", Q, [1, 2], np.array([3])),
            "ruvector_record_feedback(%(table_name_1)s::VARCHAR, %(query_vector_1)s::REAL[], "
            "%(relevant_ids_1)s::BIGINT[], %(irrelevant_ids_1)s::BIGINT[])",
        ),
        (
            lambda: F.ruvector_auto_tune("t", sample_queries=[[1, 2], [3, 4]]),
            "ruvector_auto_tune(%(table_name_1)s::VARCHAR, "
            "sample_queries => %(sample_queries_1)s::REAL[][])",
        ),
        (lambda: F.ruvector_tenant_set("acme"), "ruvector_tenant_set(%(tenant_id_1)s::VARCHAR)"),
        (lambda: F.ruvector_list_graphs(), "ruvector_list_graphs()"),
        (  # keywords in any order render positionally when there is no gap
            lambda: F.ruvector_healing_execute(problem_type="p", strategy_name="s"),
            "ruvector_healing_execute(%(strategy_name_1)s::VARCHAR, %(problem_type_1)s::VARCHAR)",
        ),
    ],
)
def test_rendered_sql(expr: Any, expected: str) -> None:
    assert sql(expr()) == f"SELECT {expected} AS {expected.split('(')[0]}_1"


def test_numpy_binds_a_float32_real_array() -> None:
    fn = F.ruvector_route(Q)
    bind = fn.clauses.clauses[0]
    assert bind.value.dtype == np.float32  # validated and converted when written
    sent = processed(fn, "embedding_1")
    assert type(sent) is list and all(type(x) is float for x in sent)
    assert sent == Q.astype(np.float32).tolist()


def test_ruvector_argument_binds_through_ruvector() -> None:
    bind = F.ruvector_dims([1, 2, 3]).clauses.clauses[0]
    assert isinstance(bind.type, RuVector)
    np.testing.assert_array_equal(bind.value, np.array([1, 2, 3], dtype=np.float32))


def test_expressions_pass_unchanged() -> None:
    items = sa.table("items", sa.column("e", RuVector(3)))
    assert sql(F.ruvector_l2_distance(items.c.e, Q)) == (
        "SELECT ruvector_l2_distance(items.e, %(b_1)s::ruvector) AS ruvector_l2_distance_1 "
        "FROM items"
    )


class _Base(DeclarativeBase):
    pass


class Doc(_Base):
    __tablename__ = "fn_docs"
    id: Mapped[int] = mapped_column(primary_key=True)
    embedding: Mapped[np.ndarray] = mapped_column(RuVector(3))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB)


def test_orm_attributes_are_arguments_in_any_position() -> None:
    assert sql(sa.select(Doc.id).where(F.ruvector_dims(Doc.embedding) == 3)) == (
        "SELECT fn_docs.id FROM fn_docs "
        "WHERE ruvector_dims(fn_docs.embedding) = %(ruvector_dims_1)s::INTEGER"
    )
    assert sql(F.ruvector_route(Q, constraints=Doc.meta)) == (
        "SELECT ruvector_route(%(embedding_1)s::REAL[], constraints => fn_docs.meta) "
        "AS ruvector_route_1 FROM fn_docs"
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: F.ruvector_route([1.0, float("nan")]),
            ValueError,
            "'embedding': element 1 is nan",
        ),
        (lambda: F.l2_distance_arr([np.inf], [1.0]), ValueError, "argument 'a': element 0 is inf"),
        (lambda: F.ruvector_norm([1e39]), ValueError, "'v': element 0 .* would become inf"),
        (lambda: F.vector_dims([[1.0], [2.0]]), ValueError, "'v': expected a flat 1-D vector"),
        (lambda: F.vector_norm([True]), TypeError, "'v': bool values are not numeric"),
        (lambda: F.ruvector_auto_tune("t", "x", [[1], [2, 3]]), ValueError, "row 1"),
        (
            lambda: F.ruvector_add_node("g", "Person", {}),
            TypeError,
            "'labels': expected a sequence",
        ),
        (
            lambda: F.ruvector_gcn_forward("[[1, 2]]", [0], [1]),
            TypeError,
            "'embeddings_json': expected the Python value .* not JSON text",
        ),
        (lambda: F.ruvector_mul_scalar(Q, "2"), TypeError, "'s': expected a real number"),
        # scalar arguments (issue 7, item 13)
        (lambda: F.attention_init(2.5), TypeError, "'dim': expected an integer, got float 2.5"),
        (lambda: F.attention_init(np.float64(4)), TypeError, "'dim': expected an integer"),
        (lambda: F.attention_init(True), TypeError, "'dim': expected an integer, got bool"),
        (lambda: F.attention_init(2**31), ValueError, "'dim': 2147483648 is outside the int4"),
        (lambda: F.attention_init(10**400), ValueError, "'dim': .* is outside the int4 range"),
        (
            lambda: F.ruvector_shortest_path("g", 1, -(2**63) - 1),
            ValueError,
            "'end_id': .* outside the int8 range",
        ),
        (lambda: F.ruvector_mul_scalar(Q, float("nan")), ValueError, "'s': nan is not allowed"),
        (lambda: F.ruvector_mul_scalar(Q, np.float32("nan")), ValueError, "'s': nan is not"),
        (lambda: F.ruvector_mul_scalar(Q, -np.inf), ValueError, "'s': -inf is not allowed"),
        (lambda: F.ruvector_mul_scalar(Q, 1e39), ValueError, "'s': 1e\\+39 is outside the real"),
        (lambda: F.ruvector_mul_scalar(Q, 10**400), ValueError, "'s': .* outside the real"),
        (lambda: F.ruvector_mul_scalar(Q, Decimal("sNaN")), ValueError, "'s': sNaN is not a"),
        (lambda: F.ruvector_mul_scalar(Q, True), TypeError, "'s': expected a real number"),
        (lambda: F.graph_pagerank_base(10, 2j), TypeError, "'damping': expected a real number"),
        (lambda: F.ruvector_set_agent_active("a", 1), TypeError, "'is_active': expected a bool"),
        (lambda: F.ruvector_remove_agent(5), TypeError, "'name': expected a str, got int"),
        (lambda: F.ruvector_remove_agent(b"a"), TypeError, "'name': expected a str, got bytes"),
        (
            lambda: F.ruvector_record_feedback("t", Q, [1, 2.5], []),
            TypeError,
            "'relevant_ids': element 1: expected an integer",
        ),
        (
            lambda: F.ruvector_record_feedback("t", Q, [1], [2**63]),
            ValueError,
            "'irrelevant_ids': element 0: .* outside the int8 range",
        ),
        (
            lambda: F.ruvector_add_node("g", ["A", 1], {}),
            TypeError,
            "'labels': element 1: expected a str",
        ),
    ],
)
def test_bad_values_fail_when_written(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message) as info:
        call()
    assert re.match(r"\w+\(\) argument '\w+': ", str(info.value))


def test_array_binds() -> None:
    assert processed(F.vector_dims([]), "v_1") == []  # real[] may be empty, unlike ruvector
    matrix = F.ruvector_auto_tune("t", "x", np.arange(4).reshape(2, 2))
    assert processed(matrix, "sample_queries_1") == [[0.0, 1.0], [2.0, 3.0]]
    assert processed(F.ruvector_add_node("g", ("A", "B"), {}), "labels_1") == ["A", "B"]
    ids = F.ruvector_record_feedback("t", Q, np.array([1, 2]), [])
    assert processed(ids, "relevant_ids_1") == [1, 2]
    assert processed(F.ruvector_mul_scalar(Q, np.float32(2)), "s_1") == 2.0


def test_scalar_binds_are_plain_python_values() -> None:
    """numpy scalars are accepted where Python's are, and sent as Python values."""
    init = processed(F.attention_init(np.int64(4)), "dim_1")
    assert init == 4 and type(init) is int
    assert processed(F.ruvector_shortest_path("g", np.uint32(1), 2**63 - 1), "end_id_1") == (
        2**63 - 1
    )
    assert processed(F.ruvector_mul_scalar(Q, Decimal("1.5")), "s_1") == 1.5
    assert processed(F.ruvector_mul_scalar(Q, np.int8(3)), "s_1") == 3.0
    assert processed(F.ruvector_set_agent_active("a", np.bool_(True)), "is_active_1") is True
    assert processed(F.ruvector_remove_agent(np.str_("a")), "name_1") == "a"
    feedback = F.ruvector_record_feedback("t", Q, np.array([1, 2], dtype=np.int16), [])
    ids = processed(feedback, "relevant_ids_1")
    assert ids == [1, 2] and all(type(i) is int for i in ids)


def test_null_for_a_default_null_argument() -> None:
    fn = F.ruvector_gcn_forward({}, [0], [1], None, 4)
    assert processed(fn, "weights_1") is None


# -- arity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: F.ruvector_dims([1], [2]),
            r"ruvector_dims\(v ruvector\) RETURNS int: "
            r"takes 1 argument, got 2",
        ),
        (lambda: sa.func.ruvector_version(1), r"takes 0 arguments, got 1"),
        (lambda: sa.func.ruvector_route(Q, "x", None, 4), r"takes 1 to 3 arguments, got 4"),
        (
            lambda: F.ruvector_hybrid_search("c", "q"),
            r"missing required argument\(s\) query_vector, k",
        ),
        (
            lambda: F.ruvector_route(Q, optimise_for="cost"),
            r"unexpected keyword argument 'optimise_for'",
        ),
        (lambda: F.ruvector_route(Q, embedding=Q), r"multiple values for argument 'embedding'"),
    ],
)
def test_arity_errors_name_the_signature(call: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message) as info:
        call()
    assert " RETURNS " in str(info.value)


# -- server awareness --------------------------------------------------------------------


def test_installed_functions_compile_on_a_probed_server() -> None:
    assert (
        sql(F.ruvector_dims(Q), probed())
        == "SELECT ruvector_dims(%(v_1)s::ruvector) AS ruvector_dims_1"
    )


@pytest.mark.parametrize(
    ("expr", "dialect", "message"),
    [
        (
            lambda: F.ruvector_hybrid_search("c", "q", Q, 3),
            probed(),
            r"^ruvector_hybrid_search\(\) \(hybrid family\) is not installed on this server: "
            r"the ruvector compatibility layer \(profile documented\) emulates only",
        ),
        (
            lambda: F.ruvector_pagerank({}),
            probed(profile=None),
            r"ruvector_pagerank\(\) \(solver family\) .*: it is an optional feature",
        ),
        (
            lambda: F.ruvector_tenant_set("acme"),
            probed(profile=None),
            r"\(tenancy family\) .*: a database installed as 2.0.0 and upgraded to 0.3.0 lacks it",
        ),
        (
            lambda: F.ruvector_dims(Q),
            probed(extension=False),
            r"ruvector_dims\(\) .*: the ruvector extension is not installed in this database",
        ),
        (  # in a table-valued FROM item too
            lambda: F.ruvector_list_agents().table(),
            probed(),
            r"ruvector_list_agents\(\) \(routing family\)",
        ),
        (  # the spec's 2.0.5 name with no pgvector-typed argument: ruvector's real[] one
            lambda: F.vector_dims(Q),
            probed(),
            r"vector_dims\(\) \(array_utils family\)",
        ),
    ],
)
def test_missing_functions_fail_to_compile(expr: Any, dialect: Dialect, message: str) -> None:
    with pytest.raises(CompileError, match=message):
        sql(expr(), dialect)


def test_offline_and_unprobed_compile_renders() -> None:
    fn = F.ruvector_hybrid_search("c", "q", Q, 3)
    unprobed = PGDialect_psycopg()
    unprobed.ruvector_capabilities = Capabilities()  # type: ignore[attr-defined]
    for dialect in (PSYCOPG, unprobed, postgresql.dialect()):
        assert sql(fn, dialect).startswith("SELECT ruvector_hybrid_search(")


def test_pgvector_overload_is_not_ruvectors_business() -> None:
    """pgvector's vector_dims(vector) shares the name: a pgvector column picks that one."""
    items = sa.table("items", sa.column("e", PgVector(3)))
    assert sql(sa.func.vector_dims(items.c.e), probed()) == (
        "SELECT vector_dims(items.e) AS vector_dims_1 FROM items"
    )
    assert sql(items.c.e.dims(), probed()).startswith("SELECT vector_dims(items.e)")


# -- docstrings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("ruvector_hybrid_search", "synthetic demonstration results"),
        ("ruvector_hybrid_search", "per-backend memory"),
        ("ruvector_hybrid_update_stats", "Computes nothing"),
        ("ruvector_tenant_set", "SET [LOCAL] ruvector.tenant_id yourself"),
        ("ruvector_generate_rls_sql", "does not execute it"),
        ("ruvector_route", "per-backend memory"),
        ("ruvector_inner_product", "+dot"),
        ("neg_inner_product_arr", "-dot"),
        ("ruvector_version", "not the extension version"),
        ("ruvector_create_graph", "_ruvector_graphs"),
        ("ruvector_sparql", "_ruvector_triples"),
        ("ruvector_wasserstein_distance", "Optional: the math family"),
        ("l2_distance_arr", "NaN/Inf refused"),
        ("ruvector_list_agents", ".table()"),
        ("ruvector_cypher", ".column_valued()"),
    ],
)
def test_docstrings_carry_the_semantics(name: str, phrase: str) -> None:
    doc = F.FUNCTIONS[name].__doc__ or ""
    assert doc.startswith(F.FUNCTIONS[name].spec.signature.split("(")[0] + "(")
    assert phrase in " ".join(doc.split())


# -- set-returning functions -------------------------------------------------------------


def test_table_functions_have_typed_columns() -> None:
    agents = F.ruvector_list_agents().table()
    assert list(agents.c.keys()) == [
        "name", "agent_type", "capabilities", "cost_per_request", "avg_latency_ms",
        "quality_score", "success_rate", "total_requests", "is_active",
    ]  # fmt: skip
    assert isinstance(agents.c.total_requests.type, sa.BigInteger)
    assert isinstance(agents.c.capabilities.type, ARRAY)
    ranks = F.ruvector_graph_pagerank("g").table("pr")
    assert isinstance(ranks.c.rank.type, DOUBLE_PRECISION)
    assert sql(sa.select(ranks.c.node_id).order_by(ranks.c.rank.desc())) == (
        "SELECT pr.node_id FROM ruvector_graph_pagerank(%(graph_name_1)s::VARCHAR) AS pr "
        "ORDER BY pr.rank DESC"
    )
    some = sa.func.ruvector_find_agents_by_capability("code").table_valued("name", "extra")
    assert isinstance(some.c.name.type, sa.Text)
    assert isinstance(some.c.extra.type, sa.types.NullType)


def test_setof_and_scalar_functions() -> None:
    rows = F.ruvector_cypher("g", "MATCH (n) RETURN n").column_valued("row")
    assert isinstance(rows.type, JSONB)
    with pytest.raises(TypeError, match="not a table; use column_valued"):
        F.ruvector_cypher("g", "MATCH (n) RETURN n").table()


# -- caching and stubs -------------------------------------------------------------------


def test_cache_key_ignores_values_not_shape() -> None:
    def key(fn: Any) -> Any:
        return sa.select(fn)._generate_cache_key().key

    assert key(F.ruvector_route(Q)) == key(F.ruvector_route([1, 2]))
    assert key(F.ruvector_route(Q)) != key(F.ruvector_route(Q, constraints={}))
    assert key(F.ruvector_norm(Q)) != key(F.vector_norm(Q))


def test_stub_is_fresh() -> None:
    stub = Path(F.__file__).with_name(STUB_FILE)
    assert stub.read_text("utf-8") == render_stubs(), (
        "run: python scripts/generate_function_stubs.py"
    )


# -- on the server: the core functions (every profile) -----------------------------------

A = np.array([1.0, -2.0, 3.0], dtype=np.float32)
B = np.array([0.5, 4.0, -1.0], dtype=np.float32)


def test_core_functions_round_trip(engine: sa.Engine) -> None:
    a, b = A.astype(np.float64), B.astype(np.float64)
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                F.ruvector_dims(A).label("dims"),
                F.ruvector_norm(A).label("norm"),
                F.ruvector_normalize(A).label("unit"),
                F.ruvector_l2_distance(A, B).label("l2"),
                F.ruvector_cosine_distance(A, B).label("cosine"),
                sa.func.ruvector_inner_product(A, B).label("ip"),
                sa.func.ruvector_l1_distance(A, B).label("l1"),
            )
        ).one()
    assert row.dims == 3
    assert row.norm == pytest.approx(np.linalg.norm(a), rel=1e-6)
    assert isinstance(row.unit, np.ndarray) and row.unit.dtype == np.float32
    np.testing.assert_allclose(row.unit, a / np.linalg.norm(a), rtol=1e-6)
    assert row.l2 == pytest.approx(np.linalg.norm(a - b), rel=1e-6)
    assert row.cosine == pytest.approx(1 - a @ b / np.linalg.norm(a) / np.linalg.norm(b), rel=1e-6)
    assert row.ip == pytest.approx(a @ b, rel=1e-6)  # +dot on every server
    assert row.l1 == pytest.approx(np.abs(a - b).sum(), rel=1e-6)


@pytest.mark.real_ruvector  # the compatibility layer has no ruvector_mul_scalar
def test_numpy_scalars_reach_the_server(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        scaled = conn.execute(sa.select(F.ruvector_mul_scalar(A, np.int64(3)))).scalar_one()
    np.testing.assert_allclose(scaled, A * 3, rtol=1e-6)


def test_core_functions_on_a_column(engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    items = sa.Table(
        "fn_items", metadata, sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("e", RuVector(3)),
    )  # fmt: skip
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(items.insert(), [{"id": 1, "e": A}, {"id": 2, "e": B}])
        ids = conn.scalars(
            sa.select(items.c.id).order_by(F.ruvector_l2_distance(items.c.e, B * 0.9))
        ).all()
    assert ids == [2, 1]


def test_orm_query(engine: sa.Engine) -> None:
    _Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Doc(id=1, embedding=A, meta={}), Doc(id=2, embedding=B, meta={})])
        session.flush()
        distance = F.ruvector_cosine_distance(Doc.embedding, A)
        rows = session.execute(sa.select(Doc.id, distance).order_by(distance)).all()
    assert [r.id for r in rows] == [1, 2] and rows[0][1] == pytest.approx(0, abs=1e-6)


def test_info_functions(engine: sa.Engine, caps: Capabilities) -> None:
    with engine.connect() as conn:
        version, simd, memory = conn.execute(
            sa.select(F.ruvector_version(), F.ruvector_simd_info(), F.ruvector_memory_stats())
        ).one()
    assert version == caps.server_version
    assert isinstance(simd, str) and simd
    assert isinstance(memory, dict) and "total_extension_mb" in memory


def test_probed_functions_cover_the_core(caps: Capabilities) -> None:
    assert set(COMPAT_CORE) <= caps.functions


def test_compat_layer_refuses_the_rest_before_sql(engine: sa.Engine, caps: Capabilities) -> None:
    if not caps.is_compat:
        pytest.skip("the real server has these functions")
    calls = [
        F.ruvector_hybrid_search("docs", "fox", A, 3),
        F.ruvector_tenant_set("acme"),
        F.ruvector_create_graph("g"),
        F.ruvector_mul_scalar(A, 2),
        F.l2_distance_arr(A, B),
    ]
    with engine.connect() as conn, statements_sent(engine) as sent:
        for fn in calls:
            with pytest.raises(CompileError, match=rf"^{fn.name}\(\) \(\w+ family\)"):
                conn.execute(sa.select(fn))
        with pytest.raises(CompileError, match="ruvector_list_agents"):
            conn.execute(sa.select(F.ruvector_list_agents().table()))
    assert sent == []


# -- on a real ruvector: what the compatibility layer does not install ------------------


@pytest.mark.real_ruvector
def test_real_array_functions(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        l2, unit, dims = conn.execute(
            sa.select(F.l2_distance_arr(A, B), F.vector_normalize(A), F.vector_dims(A))
        ).one()
    assert l2 == pytest.approx(float(np.linalg.norm(A - B)), rel=1e-6)
    np.testing.assert_allclose(unit, A / np.linalg.norm(A), rtol=1e-6)
    assert dims == 3


@pytest.mark.real_ruvector
def test_real_hybrid_round_trip(engine: sa.Engine) -> None:
    with engine.connect() as conn:  # the registry is per backend: one connection
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS docs (id bigint PRIMARY KEY, embedding ruvector(3), "
            "fts tsvector, body text)"
        )
        conn.execute(sa.select(F.ruvector_register_hybrid("docs", "embedding", "fts", "body")))
        result = conn.scalar(sa.select(F.ruvector_hybrid_search("docs", "fox", A, 3)))
        score = conn.scalar(sa.select(F.ruvector_hybrid_score(0.4, 0.5)))
    assert isinstance(result, dict) and result["success"] is True
    assert len(result["results"]) <= 3
    assert score == pytest.approx(0.5 * (1 - 0.2) + 0.5 * 0.5, rel=1e-6)


@pytest.mark.real_ruvector
def test_real_tenancy_round_trip(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        created = conn.scalar(sa.select(F.ruvector_tenant_create("acme")))
        message = conn.scalar(sa.select(F.ruvector_tenant_set("acme")))
        rls = conn.scalar(sa.select(F.ruvector_generate_rls_sql("docs")))
    assert isinstance(created, str) and isinstance(message, str)
    assert "ruvector_tenant_isolation" in rls  # SQL text, not executed


@pytest.mark.real_ruvector
def test_real_graph_and_routing_round_trip(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        assert conn.scalar(sa.select(F.ruvector_create_graph("fn_graph"))) is True
        node = conn.scalar(sa.select(F.ruvector_add_node("fn_graph", ["Person"], {"n": "a"})))
        rows = conn.scalars(
            sa.select(F.ruvector_cypher("fn_graph", "MATCH (n) RETURN n").column_valued())
        ).all()
        conn.scalar(sa.select(F.ruvector_delete_graph("fn_graph")))
        conn.scalar(sa.select(F.ruvector_register_agent("a1", "llm", ["code"], 0.1, 50, 0.9)))
        agents = F.ruvector_list_agents().table()
        listed = conn.execute(sa.select(agents.c.name, agents.c.is_active)).all()
        conn.scalar(sa.select(F.ruvector_clear_agents()))
    assert isinstance(node, int)
    assert all(isinstance(r, (dict, list)) for r in rows)
    assert "a1" in [name for name, _ in listed]
    assert all(isinstance(active, bool) for _, active in listed)


# -- every signature resolves on PostgreSQL with the types we bind -----------------------

SAMPLES: dict[str, Any] = {
    "ruvector": A,
    "real[]": A,
    "real[][]": [[1.0, 2.0], [3.0, 4.0]],
    "real": 0.5,
    "int": 2,
    "integer": 2,
    "bigint": 3,
    "boolean": True,
    "text": "x",
    "jsonb": {"k": [1, 2]},
    "text[]": ("a", "b"),
    "integer[]": np.array([1, 2]),
    "bigint[]": [1, 2],
}


@pytest.fixture(scope="module")
def standin_engine(ruvector_db: Any, caps: Capabilities) -> Any:
    """A plain psycopg engine whose search path starts with stand-ins of every catalog
    function (same signature, trivial body): PostgreSQL must resolve our calls."""
    if not caps.is_compat:
        pytest.skip("stand-ins shadow the real functions; the compat layer is enough")
    ddl = ["CREATE SCHEMA fn_standins"]
    for cls in F.FUNCTIONS.values():
        spec = cls.spec
        args = ", ".join(a.sql for a in spec.arguments)
        if spec.set_returning:
            body = "LANGUAGE plpgsql AS $$ BEGIN RETURN; END $$"
        else:
            body = f"LANGUAGE sql AS $$ SELECT NULL::{spec.returns} $$"
        ddl.append(f"CREATE FUNCTION fn_standins.{spec.name}({args}) RETURNS {spec.returns} {body}")
    with ruvector_db.connect() as conn:
        for statement in ddl:
            conn.execute(statement)
    eng = sa.create_engine(
        ruvector_db.url, connect_args={"options": "-c search_path=fn_standins,public"}
    )
    yield eng
    eng.dispose()


@pytest.mark.parametrize("name", sorted(F.FUNCTIONS))
def test_signature_resolves_with_bound_types(standin_engine: sa.Engine, name: str) -> None:
    spec = F.FUNCTIONS[name].spec
    values = [SAMPLES[a.sql_type] for a in spec.arguments]
    calls = [getattr(F, name)(*values)]  # every argument, positionally
    if spec.required < len(spec.arguments):  # defaults left out, the last one by name
        last = spec.arguments[-1]
        calls.append(getattr(F, name)(*values[: spec.required], **{last.python_name: values[-1]}))
    with standin_engine.connect() as conn:
        for fn in calls:
            if spec.table_columns:
                assert conn.execute(sa.select(fn.table())).all() == []
            elif spec.set_returning:
                assert conn.execute(sa.select(fn.column_valued())).all() == []
            else:
                assert conn.scalar(sa.select(fn)) is None
