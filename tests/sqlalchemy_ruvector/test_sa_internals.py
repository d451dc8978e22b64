"""Binary results really arrive in binary, and the SQLAlchemy internals that make it
so are used in one module that fails loudly when one goes missing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler

import sqlalchemy_ruvector
from sqlalchemy_ruvector import RuVector
from sqlalchemy_ruvector._sa_internals import SQLAlchemyInternalsChanged, result_column_types

BINARY, TEXT = 1, 0


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "format_rows"
    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    score: Mapped[float] = mapped_column(sa.Numeric(6, 2))
    note: Mapped[str] = mapped_column(sa.Text)
    e: Mapped[np.ndarray] = mapped_column(RuVector(3))


@pytest.fixture(scope="module")
def rows(engine: sa.Engine) -> Iterator[None]:
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Row(id=1, score=1.5, note="n", e=[1, 2.5, -3]))
        session.commit()
    yield
    Base.metadata.drop_all(engine)


@contextmanager
def result_formats(engine: sa.Engine) -> Iterator[list[list[int]]]:
    """Per statement, the format code of each result column as the server sent it
    (psycopg's ``cursor.pgresult``: 0 text, 1 binary)."""
    formats: list[list[int]] = []

    def record(conn: Any, cursor: Any, *args: Any) -> None:
        result = cursor.pgresult
        if result is not None and result.nfields:
            formats.append([result.fformat(i) for i in range(result.nfields)])

    sa.event.listen(engine, "after_cursor_execute", record)
    try:
        yield formats
    finally:
        sa.event.remove(engine, "after_cursor_execute", record)


def test_vector_results_arrive_in_binary(engine: sa.Engine, rows: None) -> None:
    core = sa.select(Row.id, Row.score, Row.e)
    with result_formats(engine) as formats, Session(engine) as session:
        value = session.execute(core).one()
        entity = session.scalars(sa.select(Row.id, Row.e).where(Row.id == 1)).one()
        off = session.execute(core.execution_options(ruvector_binary_results=False)).one()
        mixed = session.execute(sa.select(Row.e, Row.note)).one()
    assert formats == [[BINARY] * 3, [BINARY] * 2, [TEXT] * 3, [TEXT] * 2]
    assert value.e.tolist() == off.e.tolist() == mixed.e.tolist() == [1, 2.5, -3]
    assert value.score == off.score and entity == 1
    assert value.e.dtype == np.float32


def test_missing_internal_raises_clearly() -> None:
    class RenamedCompiler(SQLCompiler):
        """A SQLAlchemy whose compiler no longer keeps ``_result_columns``."""

        @property
        def _result_columns(self) -> Any:
            raise AttributeError("_result_columns")

    compiler = RenamedCompiler.__new__(RenamedCompiler)
    with pytest.raises(SQLAlchemyInternalsChanged, match=r"_result_columns.*binary results"):
        result_column_types(compiler)


def test_result_column_types_of_real_compilers() -> None:
    table = sa.table("t", sa.column("e", RuVector(2)), sa.column("n", sa.Integer))
    compiled = sa.select(table).compile(dialect=postgresql.dialect())
    types = result_column_types(compiled)
    assert types is not None and [type(t) for t in types] == [RuVector, sa.Integer]
    ddl = sa.schema.CreateTable(sa.Table("d", sa.MetaData(), sa.Column("x", sa.Integer)))
    assert result_column_types(ddl.compile(dialect=postgresql.dialect())) is None


#: What only sqlalchemy_ruvector/_sa_internals.py may touch.
INTERNALS = re.compile(
    r"_result_columns|_dbapi_connection|_from_objects|_propagate_attrs"
    r"|from sqlalchemy\.sql\.(visitors|base) import"
)


def test_internals_are_used_in_one_module() -> None:
    package = Path(sqlalchemy_ruvector.__file__).parent
    offenders = [
        f"{path.relative_to(package)}:{number}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "_sa_internals.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INTERNALS.search(line)
    ]
    assert offenders == []
