"""The operations one by one on the server: extension lifecycle, vector indexes
(including CONCURRENTLY over an INVALID leftover), snapshot/validate, whole schemas,
unbounded columns; plus reverse() and to_diff_tuple()."""

from __future__ import annotations

import pytest

from alembic_ext import MigrationRefused, ValidationMismatch
from alembic_ext import ops as o
from tests.conftest import Database

from .conftest import migration, operations, run_sql
from .helpers import catalog, checksum


def test_reverse_and_diff_tuples() -> None:
    m = o.MigrateToRuVectorOp("t", "c", schema="s", lock_timeout="1s")
    assert m.reverse() == o.MigrateToPgVectorOp("t", "c", schema="s", lock_timeout="1s")
    assert m.reverse().reverse() == m
    assert m.to_diff_tuple() == ("migrate_to_ruvector", "s", "t", "c")
    i = o.CreateVectorIndexOp("i", "t", "c", metric="cosine", m=24)
    assert i.reverse().reverse() == i
    assert i.to_diff_tuple() == ("create_vector_index", None, "t", "i")
    assert o.CreateRuVectorExtensionOp().reverse() == o.DropRuVectorExtensionOp()
    assert isinstance(o.SnapshotVectorColumnOp("t", "c").reverse(), o.ValidateVectorMigrationOp)
    assert o.MigrateSchemaToRuVectorOp("s").reverse() == o.MigrateSchemaToPgVectorOp("s")
    with pytest.raises(ValueError, match="without table_name and column"):
        o.DropVectorIndexOp("i").reverse()


def test_extension_lifecycle_refuses_drop_while_used(ruvector_db: Database) -> None:
    with operations(ruvector_db) as op:
        op.create_ruvector_extension()  # IF NOT EXISTS: already there
    run_sql(ruvector_db, "CREATE TABLE used (e ruvector(3))")
    with (
        pytest.raises(MigrationRefused, match=r"public\.used\.e \(ruvector\(3\)\)"),
        operations(ruvector_db) as op,
    ):
        op.drop_ruvector_extension()
    assert run_sql(ruvector_db, "SELECT count(*) FROM pg_extension WHERE extname = 'ruvector'") == [
        (1,)
    ]
    run_sql(ruvector_db, "DROP TABLE used")
    with operations(ruvector_db) as op:
        op.drop_ruvector_extension()
    assert run_sql(ruvector_db, "SELECT count(*) FROM pg_extension WHERE extname = 'ruvector'") == [
        (0,)
    ]
    with operations(ruvector_db) as op:
        op.create_ruvector_extension()
    assert run_sql(ruvector_db, "SELECT count(*) FROM pg_extension WHERE extname = 'ruvector'") == [
        (1,)
    ]


def _am(db: Database) -> str:
    return str(
        run_sql(db, "SELECT amname FROM pg_am WHERE amhandler = 'hnsw_handler'::regproc")[0][0]
    )


def test_create_and_drop_vector_index(ruvector_db: Database) -> None:
    run_sql(ruvector_db, "CREATE TABLE vi (id int PRIMARY KEY, e ruvector(3))")
    run_sql(
        ruvector_db,
        "INSERT INTO vi SELECT i, ('[' || i || ',1,2]')::ruvector FROM generate_series(1, 50) i",
    )
    with operations(ruvector_db) as op:
        op.create_vector_index("vi_e", "vi", "e", metric="cosine", m=8, ef_construction=32)
        op.create_vector_index("vi_ivf", "vi", "e", method="ivfflat", metric="ip", lists=2)
    indexes = {i[0]: i[1:4] for i in catalog(ruvector_db, "vi")["indexes"]}
    assert indexes["vi_e"] == [
        _am(ruvector_db),
        ["ruvector_cosine_ops"],
        ["m=8", "ef_construction=32"],
    ]
    assert indexes["vi_ivf"] == ["ruivfflat", ["ruvector_ip_ops"], ["lists=2"]]
    with operations(ruvector_db) as op:
        op.drop_vector_index("vi_e", "vi", "e")
        op.drop_vector_index("vi_ivf", if_exists=True)
        op.drop_vector_index("vi_ivf", if_exists=True)
    assert [i[0] for i in catalog(ruvector_db, "vi")["indexes"]] == ["vi_pkey"]
    with pytest.raises(MigrationRefused, match="not a vector type"), operations(ruvector_db) as op:
        op.create_vector_index("bad", "vi", "id")
    with (
        pytest.raises(ValueError, match="m must be between 2 and 100"),
        operations(ruvector_db) as op,
    ):
        op.create_vector_index("bad", "vi", "e", m=1000)


def test_concurrently_rebuilds_an_invalid_leftover(ruvector_db: Database) -> None:
    run_sql(ruvector_db, "CREATE TABLE ci (id int PRIMARY KEY, e ruvector(3))")
    run_sql(
        ruvector_db,
        "INSERT INTO ci SELECT i, ('[' || i || ',1,2]')::ruvector FROM generate_series(1, 50) i",
    )
    run_sql(ruvector_db, f"CREATE INDEX ci_e ON ci USING {_am(ruvector_db)} (e ruvector_l2_ops)")
    # What a cancelled CREATE INDEX CONCURRENTLY leaves behind:
    run_sql(
        ruvector_db, "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ci_e'::regclass"
    )
    with migration(ruvector_db) as op:
        op.create_vector_index("ci_e", "ci", "e", concurrently=True, if_not_exists=True)
    assert run_sql(
        ruvector_db, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ci_e'::regclass"
    ) == [(True,)]
    with migration(ruvector_db) as op:
        op.drop_vector_index("ci_e", concurrently=True)
    assert run_sql(ruvector_db, "SELECT to_regclass('ci_e')") == [(None,)]


def test_snapshot_then_validate_catches_a_changed_row(source_db: Database) -> None:
    run_sql(source_db, "CREATE TABLE sv (id int PRIMARY KEY, e vector(3))")
    run_sql(
        source_db,
        "INSERT INTO sv SELECT i, ('[' || i || ',1,2]')::vector FROM generate_series(1, 100) i",
    )
    with operations(source_db) as op:  # an unchanged column validates
        op.snapshot_vector_column("sv", "e")
        op.alter_column("sv", "e", postgresql_using="e::text::ruvector(3)", type_=_ruvector(3))
        op.validate_vector_migration("sv", "e")
    before = checksum(source_db, "sv")
    with pytest.raises(ValidationMismatch) as info, operations(source_db) as op:
        op.snapshot_vector_column("sv", "e")
        op.execute("UPDATE sv SET e = '[1,1,2.0000002]' WHERE id = 1")
        op.validate_vector_migration("sv", "e")
    assert "float32 values differs" in str(info.value)
    assert checksum(source_db, "sv") == before  # rolled back
    with pytest.raises(MigrationRefused, match="no snapshot"), operations(source_db) as op:
        op.validate_vector_migration("sv", "e")


def _ruvector(dim: int) -> object:
    from sqlalchemy_ruvector import RuVector

    return RuVector(dim)


def test_migrate_schema_with_summary(source_db: Database, caplog: pytest.LogCaptureFixture) -> None:
    run_sql(source_db, "CREATE SCHEMA s2")
    for name in ("a", "b"):
        run_sql(source_db, f"CREATE TABLE s2.{name} (id int PRIMARY KEY, e vector(2), f vector(3))")
        run_sql(source_db, f"INSERT INTO s2.{name} VALUES (1, '[1,2]', '[1,2,3]'), (2, NULL, NULL)")
    run_sql(source_db, "CREATE TABLE s2.plain (id int)")
    caplog.set_level("INFO", logger="alembic.runtime.ruvector")
    with operations(source_db) as op:
        op.migrate_schema_to_ruvector("s2")
    types = run_sql(
        source_db,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid IN"
        " ('s2.a'::regclass, 's2.b'::regclass) AND attnum > 1 ORDER BY attrelid, attnum",
    )
    assert types == [("ruvector(2)",), ("ruvector(3)",)] * 2
    assert "schema s2: 2 table(s), 4 column(s), 0 index(es) migrated: a, b" in caplog.text
    with operations(source_db) as op:
        op.migrate_schema_to_pgvector("s2")
    assert run_sql(source_db, "SELECT e::text, f::text FROM s2.a ORDER BY id") == [
        ("[1,2]", "[1,2,3]"),
        (None, None),
    ]


def test_unbounded_column_with_per_collection_cast_indexes(source_db: Database) -> None:
    """langchain-postgres' schema: an unbounded vector column, one partial expression
    index per collection with the cast pgvector's docs recommend."""
    run_sql(source_db, "CREATE TABLE lc (id int PRIMARY KEY, collection text NOT NULL, e vector)")
    run_sql(
        source_db,
        "INSERT INTO lc SELECT i, CASE WHEN i % 2 = 0 THEN 'three' ELSE 'four' END,"
        " CASE WHEN i % 2 = 0 THEN ('[' || i || ',1,2]')::vector"
        " ELSE ('[' || i || ',1,2,3]')::vector END FROM generate_series(1, 200) i",
    )
    run_sql(source_db, "CREATE INDEX lc_three ON lc USING hnsw ((e::vector(3)) vector_cosine_ops)"
                       " WHERE collection = 'three'")  # fmt: skip
    run_sql(source_db, "CREATE INDEX lc_four ON lc USING hnsw ((e::vector(4)) vector_l2_ops)"
                       " WHERE collection = 'four'")  # fmt: skip
    before = checksum(source_db, "lc")
    with operations(source_db) as op:
        op.migrate_to_ruvector("lc")
    dump = catalog(source_db, "lc")
    assert dump["columns"][2][1] == "ruvector"
    defs = sorted(i[7] for i in dump["indexes"] if i[0] != "lc_pkey")
    assert defs == [
        "CREATE INDEX lc_four ON public.lc USING ruhnsw (((e)::ruvector(4)))"
        " WHERE (collection = 'four'::text)",
        "CREATE INDEX lc_three ON public.lc USING ruhnsw (((e)::ruvector(3)) ruvector_cosine_ops)"
        " WHERE (collection = 'three'::text)",
    ]
    assert checksum(source_db, "lc") == before


def test_snapshot_and_validate_on_ruvector_columns(ruvector_db: Database) -> None:
    """The digest reads ruvector's own send layout (both profiles)."""
    run_sql(ruvector_db, "CREATE TABLE rv (id int PRIMARY KEY, e ruvector(3))")
    run_sql(
        ruvector_db,
        "INSERT INTO rv SELECT i, CASE WHEN i % 9 = 0 THEN NULL"
        " ELSE ('[' || i || ',0.5,-2]')::ruvector END FROM generate_series(1, 120) i",
    )
    with operations(ruvector_db) as op:
        op.snapshot_vector_column("rv", "e", samples=3, k=5)
        op.execute("UPDATE rv SET id = id")  # rewrites every row, changes nothing
        op.validate_vector_migration("rv", "e", samples=3, k=5)
    with (
        pytest.raises(ValidationMismatch, match="NULL count 13 before, 14 after"),
        operations(ruvector_db) as op,
    ):
        op.snapshot_vector_column("rv", "e")
        op.execute("UPDATE rv SET e = NULL WHERE id = 1")
        op.validate_vector_migration("rv", "e")


def test_back_to_pgvector_needs_pgvector(ruvector_db: Database) -> None:
    run_sql(ruvector_db, "CREATE TABLE nopg (id int PRIMARY KEY, e ruvector(3))")
    missing = r"pgvector \(extension vector\) is not installed"
    with pytest.raises(MigrationRefused, match=missing), operations(ruvector_db) as op:
        op.migrate_to_pgvector("nopg", "e")
    assert catalog(ruvector_db, "nopg")["columns"][1][1] == "ruvector(3)"


@pytest.mark.parametrize(
    ("type_name", "value"),
    [
        ("halfvec", "CASE WHEN i % 2 = 0 THEN '[1,2,3]' ELSE '[1,2,3,4]' END::halfvec"),
        ("sparsevec", "CASE WHEN i % 2 = 0 THEN '{1:1,3:2}/5' ELSE '{2:1}/7' END::sparsevec"),
    ],
)
def test_whole_table_migration_reads_unbounded_dims_of_every_type(
    source_db: Database, type_name: str, value: str
) -> None:
    """Migrating a whole table measures every unbounded vector-family column with the
    type's own dims function (pgvector has no vector_dims(sparsevec)) before planning;
    a halfvec/sparsevec column has no ruvector counterpart, so the plan refuses it by
    name and nothing changes, instead of the measuring query failing."""
    run_sql(source_db, f"CREATE TABLE u (id int PRIMARY KEY, e vector(2), x {type_name})")
    run_sql(
        source_db,
        f"INSERT INTO u SELECT i, '[1,2]', {value} FROM generate_series(1, 20) i",
    )
    before = checksum(source_db, "u")
    with (
        pytest.raises(MigrationRefused, match=rf"public\.u\.x: is {type_name}"),
        operations(source_db) as op,
    ):
        op.migrate_to_ruvector("u")
    columns = {c[0]: c[1] for c in catalog(source_db, "u")["columns"]}
    assert (columns["e"], columns["x"]) == ("vector(2)", type_name)
    assert checksum(source_db, "u") == before


@pytest.mark.parametrize(
    ("type_name", "value", "expected"),
    [
        ("vector", "'[1,2,3]'", {3: 1}),
        ("halfvec", "'[1,2,3,4]'", {4: 1}),
        ("sparsevec", "'{1:1,3:2}/5'", {5: 1}),
        ("ruvector", "'[1,2]'", {2: 1}),
    ],
)
def test_stored_dims_of_each_vector_type(
    source_db: Database, type_name: str, value: str, expected: dict[int, int]
) -> None:
    from alembic_ext._db import Db
    from alembic_ext.catalog import reflect_table, stored_dims

    run_sql(source_db, f"CREATE TABLE d (x {type_name})")
    run_sql(source_db, f"INSERT INTO d VALUES ({value}::{type_name}), (NULL)")
    with operations(source_db) as op:
        db = Db(op.migration_context.connection)
        facts = reflect_table(db, "d", "public")
        assert stored_dims(db, facts, "x") == expected
