"""``op.alter_vector_dimension``: refuses to run on a non-empty column unless told how
(``using=`` or ``truncate=True``), before anything changes; both profiles."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate.api import AutogenContext
from alembic.autogenerate.render import render_op_text
from alembic.migration import MigrationContext
from alembic.operations import Operations

from alembic_ext import AlterVectorDimensionOp, DimensionChangeRefused, MigrationRefused


@pytest.fixture
def conn(engine: Any) -> Iterator[sa.Connection]:
    with engine.connect() as connection:
        yield connection
        connection.rollback()


def _op(conn: sa.Connection) -> Operations:
    return Operations(MigrationContext.configure(conn))


def _table(
    conn: sa.Connection,
    name: str,
    column: str = "embedding",
    *,
    not_null: bool = False,
    rows: tuple[str | None, ...] = (),
) -> sa.Table:
    table = sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(column, sa.types.NullType(), nullable=not not_null),
    )
    quoted = conn.dialect.identifier_preparer
    conn.execute(
        sa.text(
            f"CREATE TABLE {quoted.quote(name)} (id int PRIMARY KEY, {quoted.quote(column)} "
            f"ruvector(3){' NOT NULL' if not_null else ''})"
        )
    )
    for i, value in enumerate(rows):
        conn.execute(
            sa.text(f"INSERT INTO {quoted.quote(name)} VALUES (:i, CAST(:v AS ruvector(3)))"),
            {"i": i, "v": value},
        )
    return table


def _state(conn: sa.Connection, table: str, column: str = "embedding") -> tuple[str, list[Any]]:
    quoted = conn.dialect.identifier_preparer
    typ = conn.execute(
        sa.text(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = to_regclass(:t) AND attname = :c"
        ),
        {"t": quoted.quote(table), "c": column},
    ).scalar_one()
    values = (
        conn.execute(
            sa.text(f"SELECT {quoted.quote(column)}::text FROM {quoted.quote(table)} ORDER BY id")
        )
        .scalars()
        .all()
    )
    return typ, list(values)


def test_empty_column_changes_dimension(conn: sa.Connection) -> None:
    _table(conn, "dim_empty")
    _op(conn).alter_vector_dimension("dim_empty", "embedding", 3, 4)
    assert _state(conn, "dim_empty") == ("ruvector(4)", [])


def test_non_empty_column_is_refused_and_left_untouched(conn: sa.Connection) -> None:
    _table(conn, "dim_full", rows=("[1,2,3]", None))
    with pytest.raises(
        DimensionChangeRefused, match=r"dim_full\.embedding: holds 3-dimensional vectors"
    ) as e:
        _op(conn).alter_vector_dimension("dim_full", "embedding", 3, 4)
    assert e.value.column == "dim_full.embedding"
    assert isinstance(e.value, MigrationRefused) and "nothing was changed" in str(e.value)
    assert "using=" in str(e.value) and "truncate=True" in str(e.value)
    assert _state(conn, "dim_full") == ("ruvector(3)", ["[1,2,3]", None])


def test_truncate_discards_the_vectors(conn: sa.Connection) -> None:
    _table(conn, "dim_trunc", rows=("[1,2,3]", "[4,5,6]"))
    _op(conn).alter_vector_dimension("dim_trunc", "embedding", 3, 4, truncate=True)
    assert _state(conn, "dim_trunc") == ("ruvector(4)", [None, None])


def test_truncate_refused_on_not_null(conn: sa.Connection) -> None:
    _table(conn, "dim_nn", not_null=True, rows=("[1,2,3]",))
    with pytest.raises(DimensionChangeRefused, match="NOT NULL"):
        _op(conn).alter_vector_dimension("dim_nn", "embedding", 3, 4, truncate=True)
    assert _state(conn, "dim_nn") == ("ruvector(3)", ["[1,2,3]"])


def test_using_expression_converts(conn: sa.Connection) -> None:
    _table(conn, "dim_using", rows=("[1,2,3]", None))
    _op(conn).alter_vector_dimension(
        "dim_using",
        "embedding",
        3,
        4,
        using="(rtrim(embedding::text, ']') || ',0]')::ruvector(4)",
    )
    typ, values = _state(conn, "dim_using")
    assert typ == "ruvector(4)"
    assert values[1] is None
    assert [float(x) for x in values[0].strip("[]").split(",")] == [1, 2, 3, 0]


def test_quoted_identifiers(conn: sa.Connection) -> None:
    _table(conn, "Dim Items", "Embedding Col", rows=("[1,2,3]",))
    with pytest.raises(DimensionChangeRefused, match=r"Dim Items\.Embedding Col: holds"):
        _op(conn).alter_vector_dimension("Dim Items", "Embedding Col", 3, 4)
    _op(conn).alter_vector_dimension("Dim Items", "Embedding Col", 3, 4, truncate=True)
    assert _state(conn, "Dim Items", "Embedding Col") == ("ruvector(4)", [None])


def test_wrong_current_dimension_or_unknown_column(conn: sa.Connection) -> None:
    _table(conn, "dim_wrong")
    with pytest.raises(
        DimensionChangeRefused, match=r"dim_wrong\.embedding: is ruvector\(3\), not ruvector\(5\)"
    ):
        _op(conn).alter_vector_dimension("dim_wrong", "embedding", 5, 4)
    with pytest.raises(DimensionChangeRefused, match=r"dim_wrong\.nope: no such column"):
        _op(conn).alter_vector_dimension("dim_wrong", "nope", 3, 4)
    assert _state(conn, "dim_wrong") == ("ruvector(3)", [])


def test_bad_arguments_raise_before_sql() -> None:
    with pytest.raises(ValueError, match="not both"):
        AlterVectorDimensionOp("t", "c", 3, 4, using="x", truncate=True)
    with pytest.raises(TypeError, match="to_dim"):
        AlterVectorDimensionOp("t", "c", 3, 0)


def test_offline_sql_guards_in_the_script() -> None:
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buffer}
    )
    Operations(context).alter_vector_dimension("items", "embedding", 3, 4)
    Operations(context).alter_vector_dimension("items", "embedding", 4, 5, truncate=True)
    script = buffer.getvalue()
    assert "IF EXISTS (SELECT FROM items WHERE embedding IS NOT NULL) THEN RAISE" in script
    assert "ALTER TABLE items ALTER COLUMN embedding TYPE ruvector(4);" in script
    assert (
        "ALTER TABLE items ALTER COLUMN embedding TYPE ruvector(5) USING NULL::ruvector(5)"
        in script
    )


def test_render_and_reverse() -> None:
    autogen = AutogenContext(MigrationContext.configure(dialect_name="postgresql"))
    op = AlterVectorDimensionOp("items", "embedding", 384, 768, using="f(embedding)", schema="s")
    assert render_op_text(autogen, op) == (
        "op.alter_vector_dimension('items', 'embedding', 384, 768, using='f(embedding)', "
        "schema='s')"
    )
    assert render_op_text(autogen, op.reverse()) == (
        "op.alter_vector_dimension('items', 'embedding', 768, 384, schema='s')"
    )
    assert "import alembic_ext" in autogen.imports
    assert op.to_diff_tuple() == ("alter_vector_dimension", "s", "items", "embedding", 384, 768)
