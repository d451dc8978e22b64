"""Every SQLAlchemy internal this package relies on, in one place.

SQLAlchemy does not promise these names across releases. Each one is checked here,
at import or at first use, and a missing one raises :class:`SQLAlchemyInternalsChanged`
naming it and the feature that needs it, instead of that feature silently switching
off (binary results would quietly fall back to text; cache keys of our expressions
would collide). ``tests/sqlalchemy_ruvector/test_sa_internals.py`` checks that no
other module of the package touches them.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final, TypeVar

import sqlalchemy
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BinaryExpression, ColumnElement
from sqlalchemy.sql.selectable import FromClause
from sqlalchemy.types import TypeEngine

from .errors import RuVectorError

__all__ = [
    "InternalTraversal",
    "OperandExpression",
    "SQLAlchemyInternalsChanged",
    "SchemaEventTarget",
    "index_include_clause",
    "prepared_index_name",
    "result_column_types",
]


class SQLAlchemyInternalsChanged(RuVectorError, RuntimeError):
    """This SQLAlchemy release lacks an internal that sqlalchemy_ruvector uses."""

    def __init__(self, name: str, purpose: str) -> None:
        super().__init__(
            f"SQLAlchemy {sqlalchemy.__version__} has no {name}, which sqlalchemy_ruvector "
            f"uses for {purpose}; install a SQLAlchemy release this sqlalchemy_ruvector "
            "supports (see its pyproject), or upgrade sqlalchemy_ruvector"
        )
        self.name = name


def _require(owner: Any, name: str, purpose: str) -> Any:
    try:
        return getattr(owner, name)
    except AttributeError:
        cls = owner if isinstance(owner, type) else type(owner)
        raise SQLAlchemyInternalsChanged(f"{cls.__name__}.{name}", purpose) from None


try:  # cache keys of our SQL constructs (VectorDistance, BinaryResult, named arguments)
    from sqlalchemy.sql.visitors import InternalTraversal
except ImportError:  # pragma: no cover - depends on the SQLAlchemy release
    raise SQLAlchemyInternalsChanged(
        "sqlalchemy.sql.visitors.InternalTraversal", "cache keys of vector expressions"
    ) from None
for _name in ("dp_clauseelement", "dp_string"):
    _require(InternalTraversal, _name, "cache keys of vector expressions")
# SQLAlchemy's own elements still declare their cache key fields this way.
_require(BinaryExpression, "_traverse_internals", "cache keys of vector expressions")

try:  # vector types learn which column they belong to, to name it in errors
    from sqlalchemy.sql.base import SchemaEventTarget
except ImportError:  # pragma: no cover - depends on the SQLAlchemy release
    raise SQLAlchemyInternalsChanged(
        "sqlalchemy.sql.base.SchemaEventTarget", "naming columns in error messages"
    ) from None
_require(SchemaEventTarget, "_set_parent", "naming columns in error messages")

_T = TypeVar("_T")
_OPERANDS: Final = "the FROM clause and ORM attributes of vector expressions"
# SQLAlchemy's own expressions over operands report them through these two names.
_require(BinaryExpression, "_from_objects", _OPERANDS)
_require(ColumnElement, "_propagate_attrs", _OPERANDS)


class OperandExpression(ColumnElement[_T]):
    """Base of our column expressions over other expressions (``VectorDistance``,
    named function arguments).

    Like SQLAlchemy's ``BinaryExpression`` it reports the tables of its operands, so
    an expression alone in a SELECT, WHERE or aggregate brings its FROM, and it takes
    the operands' ORM attributes, so a statement built only from ORM-attribute
    expressions is an ORM statement. ``_operands`` names the attributes holding them;
    subclasses call :meth:`_adopt_operands` once they are set."""

    inherit_cache = True
    _operands: ClassVar[tuple[str, ...]] = ()

    def _adopt_operands(self) -> None:
        for name in self._operands:
            attrs = getattr(self, name)._propagate_attrs
            if attrs:
                self._propagate_attrs = attrs
                return

    @property
    def _from_objects(self) -> list[FromClause]:
        return [f for name in self._operands for f in getattr(self, name)._from_objects]


_BINARY_RESULTS: Final = "choosing binary results (execution option ruvector_binary_results)"


def result_column_types(compiled: object) -> list[TypeEngine[Any]] | None:
    """Types of a compiled statement's result columns, as SQLAlchemy's own result
    handling reads them (``SQLCompiler._result_columns``); None when ``compiled``
    is not a SQL statement compiler (DDL, no statement)."""
    if not isinstance(compiled, SQLCompiler):
        return None
    entries = _require(compiled, "_result_columns", _BINARY_RESULTS)
    if entries is None:
        raise SQLAlchemyInternalsChanged("SQLCompiler._result_columns", _BINARY_RESULTS)
    try:
        return [entry.type for entry in entries]
    except AttributeError:
        raise SQLAlchemyInternalsChanged(
            "SQLCompiler._result_columns entries with .type", _BINARY_RESULTS
        ) from None


_INDEX_DDL: Final = "CREATE INDEX of pgvector-style indexes on ruvector columns"


def prepared_index_name(compiler: object, index: object) -> str:
    """The index name as PostgreSQL's DDL compiler writes it (quoted, truncated)."""
    name: str = _require(compiler, "_prepared_index_name", _INDEX_DDL)(index, include_schema=False)
    return name


def index_include_clause(compiler: object, index: object) -> str:
    """`` INCLUDE (...)`` of a PostgreSQL index (``postgresql_include``), or ``""``."""
    clause: str = _require(compiler, "_define_include", _INDEX_DDL)(index)
    return clause
