"""Autogenerate on the embedded server, in the style of alembic-postgresql-enum: the
exact upgrade and downgrade text, then executed (model -> revision -> upgrade ->
``alembic check`` clean -> downgrade -> clean again), on both compat profiles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sqlalchemy_ruvector import HalfVec, PgVector, RuVector, SparseVec, VectorIndex
from tests.alembic_ext.autogen_harness import Project, round_trip
from tests.conftest import PROFILES_UNDER_TEST, Database


def _ruvector_url(db: Database) -> str:
    return db.url.replace("+psycopg", "+ruvector", 1)


@pytest.fixture(params=PROFILES_UNDER_TEST)
def project(
    request: pytest.FixtureRequest, tmp_path: Path, make_database: Callable[..., Database]
) -> Project:
    """An Alembic project on a fresh ruvector database (one per profile)."""
    return Project(tmp_path / "migrations", _ruvector_url(make_database(request.param)))


def hnsw_am(project: Project) -> str:
    """The server's name for ruvector's HNSW access method (ruhnsw or hnsw)."""
    engine = sa.create_engine(project.url)
    try:
        with engine.connect():
            pass
        return str(engine.dialect.ruvector_capabilities.hnsw_am)  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def items(metadata: sa.MetaData, *extra: Any, dim: int = 3, type_: Any = None) -> sa.Table:
    return sa.Table(
        "items",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("embedding", type_ if type_ is not None else RuVector(dim)),
        *extra,
    )


def test_new_table_renders_types_with_imports_and_vector_index(project: Project) -> None:
    old, new = sa.MetaData(), sa.MetaData()
    items(
        new,
        VectorIndex("items_embedding_idx", "embedding", metric="cosine", m=16, ef_construction=64),
    )
    revision = round_trip(
        project,
        old,
        new,
        upgrade="""
        op.create_table('items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('embedding', sqlalchemy_ruvector.types.dense.RuVector(dim=3), nullable=True),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_vector_index('items_embedding_idx', 'items', 'embedding', metric='cosine', m=16, ef_construction=64)
        """,  # noqa: E501
        downgrade="""
        op.drop_vector_index('items_embedding_idx', 'items', 'embedding', metric='cosine', m=16, ef_construction=64)
        op.drop_table('items')
        """,  # noqa: E501
    )
    assert {"import sqlalchemy_ruvector.types.dense", "import alembic_ext"} <= revision.imports


def test_matching_model_gives_empty_diff_whatever_the_server_calls_hnsw(project: Project) -> None:
    """VectorIndex(method="hnsw") against ruhnsw (documented) or hnsw (2.0.5), and a
    plain Index naming the server's access method and opclass: no operation."""
    model = sa.MetaData()
    items(
        model,
        sa.Column("other", RuVector(3)),
        VectorIndex("items_embedding_idx", "embedding", method="hnsw", metric="l2"),
        sa.Index(
            "items_other_idx",
            "other",
            postgresql_using=hnsw_am(project),
            postgresql_ops={"other": "ruvector_ip_ops"},
            postgresql_with={"m": 12},
        ),
        VectorIndex("items_ivf_idx", "embedding", method="ivfflat", metric="cosine", lists=10),
    )
    project.step(model, "create")
    project.check(model)
    revision = project.revision(model, "nothing")
    assert revision.upgrade == "pass"
    assert revision.downgrade == "pass"


def test_changed_params_drop_and_create_that_index_only(project: Project) -> None:
    old, new = sa.MetaData(), sa.MetaData()
    items(
        old,
        VectorIndex("items_a_idx", "embedding", metric="cosine", m=16, ef_construction=64),
        VectorIndex("items_b_idx", "embedding", metric="l2", m=16),
    )
    items(
        new,
        VectorIndex("items_a_idx", "embedding", metric="cosine", m=24, ef_construction=100),
        VectorIndex("items_b_idx", "embedding", metric="l2", m=16),
    )
    project.step(old, "old")
    round_trip(
        project,
        old,
        new,
        upgrade="""
        op.drop_vector_index('items_a_idx', 'items', 'embedding', metric='cosine', ef_construction=64, m=16)
        op.create_vector_index('items_a_idx', 'items', 'embedding', metric='cosine', m=24, ef_construction=100)
        """,  # noqa: E501
        downgrade="""
        op.drop_vector_index('items_a_idx', 'items', 'embedding', metric='cosine', m=24, ef_construction=100)
        op.create_vector_index('items_a_idx', 'items', 'embedding', metric='cosine', ef_construction=64, m=16)
        """,  # noqa: E501
    )


def test_changed_opclass_and_method_on_vector_index(project: Project) -> None:
    old, new = sa.MetaData(), sa.MetaData()
    items(old, VectorIndex("items_idx", "embedding", metric="l2"))
    items(new, VectorIndex("items_idx", "embedding", method="ivfflat", metric="ip", lists=5))
    project.step(old, "old")
    round_trip(
        project,
        old,
        new,
        upgrade="""
        op.drop_vector_index('items_idx', 'items', 'embedding')
        op.create_vector_index('items_idx', 'items', 'embedding', method='ivfflat', metric='ip', lists=5)
        """,  # noqa: E501
        downgrade="""
        op.drop_vector_index('items_idx', 'items', 'embedding', method='ivfflat', metric='ip', lists=5)
        op.create_vector_index('items_idx', 'items', 'embedding')
        """,  # noqa: E501
    )


def test_changed_opclass_on_plain_index(project: Project) -> None:
    am = hnsw_am(project)

    def index(opclass: str) -> sa.Index:
        return sa.Index(
            "items_idx",
            "embedding",
            postgresql_using=am,
            postgresql_ops={"embedding": opclass},
        )

    old, new = sa.MetaData(), sa.MetaData()
    items(old, index("ruvector_l2_ops"))
    items(new, index("ruvector_cosine_ops"))
    project.step(old, "old")
    round_trip(
        project,
        old,
        new,
        upgrade=f"""
        op.drop_vector_index('items_idx', 'items', 'embedding')
        op.create_index('items_idx', 'items', ['embedding'], unique=False, postgresql_using='{am}', postgresql_ops={{'embedding': 'ruvector_cosine_ops'}})
        """,  # noqa: E501
        downgrade=f"""
        op.drop_index('items_idx', table_name='items', postgresql_using='{am}', postgresql_ops={{'embedding': 'ruvector_cosine_ops'}})
        op.create_vector_index('items_idx', 'items', 'embedding')
        """,  # noqa: E501
    )


def test_dimension_change_is_an_explicit_op(project: Project) -> None:
    old, new = sa.MetaData(), sa.MetaData()
    items(old, VectorIndex("items_idx", "embedding", metric="cosine"), dim=3)
    items(new, VectorIndex("items_idx", "embedding", metric="cosine"), dim=4)
    project.step(old, "old")
    revision = round_trip(
        project,
        old,
        new,
        upgrade="op.alter_vector_dimension('items', 'embedding', 3, 4)",
        downgrade="op.alter_vector_dimension('items', 'embedding', 4, 3)",
    )
    assert "import alembic_ext" in revision.imports


def test_ruvector_internal_tables_are_left_out(project: Project) -> None:
    model = sa.MetaData()
    items(model)
    project.step(model, "create")
    engine = sa.create_engine(project.url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE _ruvector_graphs (name text PRIMARY KEY)"))
        conn.execute(sa.text("CREATE TABLE _ruvector_nodes (graph_name text, id bigint)"))
        conn.execute(sa.text("CREATE INDEX ON _ruvector_nodes (graph_name)"))
        conn.execute(sa.text("CREATE TABLE _other (id int)"))
    engine.dispose()
    revision = project.revision(model, "internal")
    assert revision.upgrade == "op.drop_table('_other')"


@pytest.fixture
def pgvector_project(tmp_path: Path, make_database: Callable[..., Database]) -> Project:
    """pgvector and ruvector in one database (documented profile: the published
    2.0.5's HNSW method is named hnsw, like pgvector's, so they cannot share one)."""
    profile = "real" if PROFILES_UNDER_TEST == ("real",) else "documented"
    return Project(tmp_path / "migrations", _ruvector_url(make_database(profile, pgvector=True)))


def _pgvector_items(metadata: sa.MetaData, *extra: Any) -> sa.Table:
    return items(metadata, *extra, type_=PgVector(3))


def test_pgvector_to_ruvector_is_migrate_to_ruvector(pgvector_project: Project) -> None:
    """The model moves from pgvector's type and index to RuVector and VectorIndex: one
    migrate_to_ruvector, which carries the index over (no index operation)."""
    old, new = sa.MetaData(), sa.MetaData()
    _pgvector_items(
        old,
        sa.Index(
            "items_embedding_idx",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
            postgresql_with={"m": 16},
        ),
    )
    items(new, VectorIndex("items_embedding_idx", "embedding", metric="cosine", m=16))
    pgvector_project.step(old, "pgvector")
    engine = sa.create_engine(pgvector_project.url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO items (id, embedding) VALUES (1, '[1,2,3]'), (2, NULL)"))
    revision = round_trip(
        pgvector_project,
        old,
        new,
        upgrade="op.migrate_to_ruvector('items', 'embedding')",
        downgrade="op.migrate_to_pgvector('items', 'embedding')",
    )
    assert "import alembic_ext" in revision.imports
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, embedding::text FROM items ORDER BY id")).all()
        typ = conn.execute(
            sa.text(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'items'::regclass AND attname = 'embedding'"
            )
        ).scalar_one()
    engine.dispose()
    assert rows == [(1, "[1,2,3]"), (2, None)]
    assert typ == "vector(3)"  # downgraded


def test_pgvector_to_ruvector_with_a_changed_index(pgvector_project: Project) -> None:
    """Type and index both change: the old index is dropped before the move (in
    pgvector's vocabulary), the new one created after it."""
    old, new = sa.MetaData(), sa.MetaData()
    _pgvector_items(
        old,
        sa.Index(
            "items_embedding_idx",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_l2_ops"},
        ),
    )
    items(new, VectorIndex("items_embedding_idx", "embedding", metric="cosine"))
    pgvector_project.step(old, "pgvector")
    round_trip(
        pgvector_project,
        old,
        new,
        upgrade="""
        op.drop_vector_index('items_embedding_idx', 'items', 'embedding')
        op.migrate_to_ruvector('items', 'embedding')
        op.create_vector_index('items_embedding_idx', 'items', 'embedding', metric='cosine')
        """,
        downgrade="""
        op.drop_vector_index('items_embedding_idx', 'items', 'embedding', metric='cosine')
        op.migrate_to_pgvector('items', 'embedding')
        op.create_vector_index('items_embedding_idx', 'items', 'embedding')
        """,
    )


def test_added_and_removed_vector_indexes(project: Project) -> None:
    """A removed index is read back from the catalog, so the downgrade recreates it
    with its parameters; a new VectorIndex on an existing table is created in
    VectorIndex's vocabulary (Alembic's create_index would build a btree)."""
    old, new = sa.MetaData(), sa.MetaData()
    items(old, VectorIndex("items_a_idx", "embedding", metric="cosine", m=12))
    items(new, VectorIndex("items_b_idx", "embedding", method="ivfflat", lists=7))
    project.step(old, "old")
    round_trip(
        project,
        old,
        new,
        upgrade="""
        op.drop_vector_index('items_a_idx', 'items', 'embedding', metric='cosine', m=12)
        op.create_vector_index('items_b_idx', 'items', 'embedding', method='ivfflat', lists=7)
        """,
        downgrade="""
        op.drop_vector_index('items_b_idx', 'items', 'embedding', method='ivfflat', lists=7)
        op.create_vector_index('items_a_idx', 'items', 'embedding', metric='cosine', m=12)
        """,
    )


def test_removed_pgvector_l1_index(pgvector_project: Project) -> None:
    """pgvector's L1 HNSW index is in VectorIndex's vocabulary (metrics.OPCLASS_METRICS has
    vector_l1_ops): a drop_vector_index read back from the catalog, so the downgrade is exact."""
    old, new = sa.MetaData(), sa.MetaData()
    l1 = sa.Index(
        "items_l1_idx",
        "embedding",
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_l1_ops"},
        postgresql_with={"m": 8},
    )
    _pgvector_items(old, l1)
    _pgvector_items(new)
    pgvector_project.step(old, "old")
    round_trip(
        pgvector_project,
        old,
        new,
        upgrade="""
        op.drop_vector_index('items_l1_idx', 'items', 'embedding', metric='l1', m=8)
        """,
        downgrade="""
        op.create_vector_index('items_l1_idx', 'items', 'embedding', metric='l1', m=8)
        """,
    )


def test_pgvector_to_ruvector_with_a_new_dimension(pgvector_project: Project) -> None:
    """vector(3) -> ruvector(4): the move, then the explicit dimension change."""
    old, new = sa.MetaData(), sa.MetaData()
    _pgvector_items(old)
    items(new, dim=4)
    pgvector_project.step(old, "old")
    round_trip(
        pgvector_project,
        old,
        new,
        upgrade="""
        op.migrate_to_ruvector('items', 'embedding')
        op.alter_vector_dimension('items', 'embedding', 3, 4)
        """,
        downgrade="""
        op.alter_vector_dimension('items', 'embedding', 4, 3)
        op.migrate_to_pgvector('items', 'embedding')
        """,
    )


def test_quoted_identifiers_and_a_named_schema(project: Project) -> None:
    """Upper case, spaces and a quote in table, column, index and schema names: the
    catalog is read with bound values and every operation quotes."""
    engine = sa.create_engine(project.url)
    with engine.begin() as conn:
        conn.execute(sa.text('CREATE SCHEMA "Vec Store"'))
    engine.dispose()
    project.configure["include_schemas"] = True
    project.configure["include_name"] = lambda name, type_, parent: (
        type_ != "schema" or name == "Vec Store"
    )

    def model(m: int) -> sa.MetaData:
        metadata = sa.MetaData()
        sa.Table(
            'My "Items"',
            metadata,
            sa.Column("Id", sa.Integer, primary_key=True),
            sa.Column("Embedding Col", RuVector(3)),
            VectorIndex('Items "Idx"', "Embedding Col", metric="cosine", m=m),
            schema="Vec Store",
        )
        return metadata

    old, new = model(16), model(20)
    project.step(old, "old")
    project.check(old)
    round_trip(
        project,
        old,
        new,
        upgrade="""
        op.drop_vector_index('Items "Idx"', 'My "Items"', 'Embedding Col', metric='cosine', schema='Vec Store', m=16)
        op.create_vector_index('Items "Idx"', 'My "Items"', 'Embedding Col', metric='cosine', schema='Vec Store', m=20)
        """,  # noqa: E501
        downgrade="""
        op.drop_vector_index('Items "Idx"', 'My "Items"', 'Embedding Col', metric='cosine', schema='Vec Store', m=20)
        op.create_vector_index('Items "Idx"', 'My "Items"', 'Embedding Col', metric='cosine', schema='Vec Store', m=16)
        """,  # noqa: E501
    )


def test_halfvec_and_sparsevec_columns_render_and_run(pgvector_project: Project) -> None:
    """pgvector's halfvec and sparsevec (documented by ruvector under the same names):
    the revision imports their modules and runs; the reflected types compare equal."""
    old, new = sa.MetaData(), sa.MetaData()
    sa.Table(
        "docs",
        new,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("half", HalfVec(4)),
        sa.Column("sparse", SparseVec(5)),
        sa.Column("dense", PgVector(6)),
    )
    revision = round_trip(
        pgvector_project,
        old,
        new,
        upgrade="""
        op.create_table('docs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('half', sqlalchemy_ruvector.types.halfvec.HalfVec(dim=4), nullable=True),
        sa.Column('sparse', sqlalchemy_ruvector.types.sparsevec.SparseVec(dim=5), nullable=True),
        sa.Column('dense', sqlalchemy_ruvector.types.dense.PgVector(dim=6), nullable=True),
        sa.PrimaryKeyConstraint('id')
        )
        """,
        downgrade="op.drop_table('docs')",
    )
    assert {
        "import sqlalchemy_ruvector.types.halfvec",
        "import sqlalchemy_ruvector.types.sparsevec",
        "import sqlalchemy_ruvector.types.dense",
    } <= revision.imports


def test_dimension_and_nullable_change_together(project: Project) -> None:
    """The type change becomes our operation; the nullable change stays an
    alter_column, which names the type the column has when it runs."""
    old, new = sa.MetaData(), sa.MetaData()
    sa.Table(
        "items",
        old,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("embedding", RuVector(3), nullable=False),
    )
    items(new, dim=4)
    project.step(old, "old")
    round_trip(
        project,
        old,
        new,
        upgrade="""
        op.alter_vector_dimension('items', 'embedding', 3, 4)
        op.alter_column('items', 'embedding',
                   existing_type=sqlalchemy_ruvector.types.dense.RuVector(dim=4),
                   nullable=True)
        """,
        downgrade="""
        op.alter_column('items', 'embedding',
                   existing_type=sqlalchemy_ruvector.types.dense.RuVector(dim=4),
                   nullable=False)
        op.alter_vector_dimension('items', 'embedding', 4, 3)
        """,
    )


def test_partial_vector_index_round_trips_without_phantom_diffs(project: Project) -> None:
    """A partial HNSW index (per-collection, as langchain-postgres users write them):
    created as written, then ``alembic check`` is clean."""
    am = hnsw_am(project)
    model = sa.MetaData()
    items(
        model,
        sa.Column("collection", sa.Text),
        sa.Index(
            "items_part_idx",
            "embedding",
            postgresql_using=am,
            postgresql_ops={"embedding": "ruvector_cosine_ops"},
            postgresql_where=sa.text("collection = 'a'"),
        ),
    )
    revision = project.step(model, "create")
    assert (
        "op.create_index('items_part_idx', 'items', ['embedding'], unique=False, "
        f"postgresql_using='{am}', postgresql_ops={{'embedding': 'ruvector_cosine_ops'}}, "
        "postgresql_where=sa.text(\"collection = 'a'\"))"
    ) in revision.upgrade
    project.check(model)
