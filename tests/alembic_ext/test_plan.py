"""The planner, without a server: catalog facts + capabilities -> DDL or refusals."""

from __future__ import annotations

import dataclasses

import pytest

from alembic_ext.errors import MigrationRefused
from alembic_ext.facts import ColumnFacts, DependentFacts, IndexFacts, IndexKey, TableFacts
from alembic_ext.plan import plan_migration
from sqlalchemy_ruvector.capabilities import Capabilities

DOCUMENTED = Capabilities(probed=True, extension_version="2.0.5", pgvector_version="0.8.1")
PUBLISHED = dataclasses.replace(DOCUMENTED, hnsw_am="hnsw", pgvector_version=None)

ID = ColumnFacts("id", 1, "int8", None, None, not_null=True)
EMB = ColumnFacts("embedding", 2, "vector", "vector", 3, comment="e")


def hnsw(name: str, opclass: str = "vector_cosine_ops", **kw: object) -> IndexFacts:
    fields: dict[str, object] = {
        "keys": (IndexKey("embedding", None, opclass),),
        "columns": frozenset({"embedding"}),
        "reloptions": ("m=24", "ef_construction=100"),
    }
    fields.update(kw)
    return IndexFacts(name, str(fields.pop("am", "hnsw")), **fields)  # type: ignore[arg-type]


def table(
    *indexes: IndexFacts, columns: tuple[ColumnFacts, ...] = (ID, EMB), **kw: object
) -> TableFacts:
    return TableFacts("public", "items", "r", columns, indexes, key_columns=("id",), **kw)  # type: ignore[arg-type]


def test_hnsw_and_ivfflat_map_with_params_predicate_and_comment() -> None:
    facts = table(
        hnsw("items_hnsw", comment="cosine search"),
        hnsw("items_ivf", "vector_l2_ops", am="ivfflat", reloptions=("lists=10",)),
        hnsw("items_news", "vector_ip_ops", reloptions=(), predicate="collection = 'news'::text",
             columns=frozenset({"embedding", "collection"})),
    )  # fmt: skip
    plan = plan_migration(facts, "embedding", "ruvector", DOCUMENTED)
    assert plan.ok, plan.refusals
    assert plan.statements == (
        "DROP INDEX public.items_hnsw",
        "DROP INDEX public.items_ivf",
        "DROP INDEX public.items_news",
        "ALTER TABLE public.items ALTER COLUMN embedding TYPE ruvector(3)"
        " USING embedding::text::ruvector(3)",
        "CREATE INDEX items_hnsw ON public.items USING ruhnsw (embedding ruvector_cosine_ops)"
        " WITH (m = '24', ef_construction = '100')",
        "COMMENT ON INDEX public.items_hnsw IS 'cosine search'",
        "CREATE INDEX items_ivf ON public.items USING ruivfflat (embedding ruvector_l2_ops)"
        " WITH (lists = '10')",
        "CREATE INDEX items_news ON public.items USING ruhnsw (embedding ruvector_ip_ops)"
        " WHERE collection = 'news'::text",
    )
    assert plan.metrics("embedding") == ("cosine", "ip", "l2")


def test_published_hnsw_name_is_probed() -> None:
    plan = plan_migration(table(hnsw("i")), None, "ruvector", PUBLISHED)
    assert "USING hnsw (embedding ruvector_cosine_ops)" in plan.indexes[0].create


def test_back_to_pgvector() -> None:
    col = ColumnFacts("embedding", 2, "ruvector", "ruvector", 3)
    facts = table(hnsw("i", "ruvector_cosine_ops", am="ruhnsw"), columns=(ID, col))
    plan = plan_migration(facts, "embedding", "pgvector", DOCUMENTED)
    assert plan.columns[0].target_type == "vector(3)"
    assert plan.indexes[0].create == (
        "CREATE INDEX i ON public.items USING hnsw (embedding vector_cosine_ops)"
        " WITH (m = '24', ef_construction = '100')"
    )


@pytest.mark.parametrize(
    ("index", "reason"),
    [
        (hnsw("l1", "vector_l1_ops"), "'vector_l1_ops' (l1) has no ruvector hnsw counterpart"),
        (hnsw("b", am="btree", keys=(IndexKey("embedding", None, "vector_ops"),)), "btree"),
        (hnsw("x", keys=(IndexKey(None, "(embedding::halfvec(3))", "halfvec_l2_ops"),)),
         "no exact ruvector counterpart"),
        (hnsw("y", keys=(IndexKey(None, "(l2_normalize(embedding))", "vector_l2_ops"),)),
         "no exact ruvector counterpart"),
        (hnsw("bad", valid=False), "INVALID"),
        (hnsw("p", predicate="vector_dims(embedding) = 3"), "predicate"),
    ],
)  # fmt: skip
def test_unmappable_index_is_refused_by_name(index: IndexFacts, reason: str) -> None:
    plan = plan_migration(table(hnsw("fine"), index), "embedding", "ruvector", DOCUMENTED)
    assert not plan.ok
    [refusal] = plan.refusals
    assert refusal.subject == f"index public.{index.name}"
    assert reason in refusal.reason
    with pytest.raises(MigrationRefused, match=index.name):
        plan.raise_if_refused()


def test_dependents_are_refused_by_name() -> None:
    deps = (
        DependentFacts("view", "public.v_items", "embedding"),
        DependentFacts("materialized view", "public.mv", "embedding"),
        DependentFacts("generated column", "items.norm", "embedding"),
        DependentFacts("function", "public.f(integer)", "embedding"),
        DependentFacts("view", "public.v_ids", "id"),
    )
    plan = plan_migration(table(dependents=deps), "embedding", "ruvector", DOCUMENTED)
    assert [r.subject for r in plan.refusals] == [
        "view public.v_items", "materialized view public.mv",
        "generated column items.norm", "function public.f(integer)",
    ]  # fmt: skip


def _reason(facts: TableFacts, column: str | None, caps: Capabilities = DOCUMENTED) -> str:
    return plan_migration(facts, column, "ruvector", caps).refusals[0].reason


def test_column_errors() -> None:
    assert "no column 'nope'" in _reason(table(), "nope")
    assert "is int8, not a pgvector type" in _reason(table(), "id")
    half = ColumnFacts("h", 3, "halfvec", "vector", 3)
    assert "no halfvec type" in _reason(table(columns=(ID, half)), None)
    missing = dataclasses.replace(DOCUMENTED, extension_version=None)
    assert "op.create_ruvector_extension()" in _reason(table(), None, missing)
    assert "partitioned" in _reason(dataclasses.replace(table(), relkind="p"), None)


def test_identifiers_are_quoted() -> None:
    col = ColumnFacts("My Embedding", 2, "vector", "vector", 3, default="'[1,2,3]'::vector(3)")
    idx = hnsw("Idx \"q\"", keys=(IndexKey("My Embedding", None, "vector_l2_ops"),),
               columns=frozenset({"My Embedding"}), reloptions=())  # fmt: skip
    facts = TableFacts("Sch ema", "Tab-le", "r", (ID, col), (idx,))
    plan = plan_migration(facts, None, "ruvector", DOCUMENTED)
    assert plan.statements == (
        'DROP INDEX "Sch ema"."Idx ""q"""',
        'ALTER TABLE "Sch ema"."Tab-le" ALTER COLUMN "My Embedding" DROP DEFAULT',
        'ALTER TABLE "Sch ema"."Tab-le" ALTER COLUMN "My Embedding" TYPE ruvector(3)'
        ' USING "My Embedding"::text::ruvector(3)',
        'ALTER TABLE "Sch ema"."Tab-le" ALTER COLUMN "My Embedding" SET DEFAULT'
        " '[1,2,3]'::ruvector(3)",
        'CREATE INDEX "Idx ""q""" ON "Sch ema"."Tab-le"'
        ' USING ruhnsw ("My Embedding" ruvector_l2_ops)',
    )


def test_unbounded_column_with_cast_indexes_per_collection() -> None:
    col = ColumnFacts("embedding", 2, "vector", "vector", None)
    idx = hnsw("c1", keys=(IndexKey(None, "(embedding::vector(1536))", "vector_cosine_ops"),),
               predicate="collection_id = 'a'::uuid", reloptions=(),
               columns=frozenset({"embedding", "collection_id"}))  # fmt: skip
    plan = plan_migration(
        table(idx, columns=(ID, col)), None, "ruvector", DOCUMENTED,
        stored_dims={"embedding": {1536: 10, 384: 2}},
    )  # fmt: skip
    assert plan.ok
    assert plan.columns[0].target_type == "ruvector"
    assert plan.columns[0].using == "embedding::text::ruvector"
    assert plan.indexes[0].create == (
        "CREATE INDEX c1 ON public.items USING ruhnsw ((embedding::ruvector(1536))"
        " ruvector_cosine_ops) WHERE collection_id = 'a'::uuid"
    )
    assert "2 rows of 384 dims, 10 rows of 1536 dims" in plan.notes[0]
