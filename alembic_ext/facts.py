"""What the catalog says about a table's vector columns, as plain immutable data.

:mod:`alembic_ext.catalog` fills these from a live server; :mod:`alembic_ext.plan`
reads them (with :class:`~sqlalchemy_ruvector.capabilities.Capabilities`) and never
touches a connection, so planning is unit-tested without a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy_ruvector.vector_types import extension_types, vector_type

__all__ = [
    "PGVECTOR_TYPES",
    "RUVECTOR_TYPES",
    "ColumnFacts",
    "DependentFacts",
    "IndexFacts",
    "IndexKey",
    "TableFacts",
]

#: Types by the extension that owns them (vector_types.VECTOR_TYPES).
PGVECTOR_TYPES: Final = frozenset(extension_types("vector"))
RUVECTOR_TYPES: Final = frozenset(extension_types("ruvector"))


@dataclass(frozen=True)
class ColumnFacts:
    """One column. ``extension`` owns its type (``vector`` for pgvector, ``ruvector``),
    None for every other type. ``dims`` is the declared dimension (None: unbounded)."""

    name: str
    attnum: int
    type_name: str
    extension: str | None
    dims: int | None
    not_null: bool = False
    default: str | None = None
    comment: str | None = None
    generated: bool = False

    @property
    def family(self) -> str | None:
        """``"pgvector"`` / ``"ruvector"`` for vector columns, else None."""
        spec = vector_type(self.type_name)
        if spec is None or spec.extension is None or spec.extension != self.extension:
            return None  # core types (bit), and names another extension happens to use
        return spec.family

    @property
    def sql_type(self) -> str:
        return self.type_name if self.dims is None else f"{self.type_name}({self.dims})"


@dataclass(frozen=True)
class IndexKey:
    """One key of an index: a plain column, or an expression as the server prints it
    (``pg_get_indexdef(index, n, true)``), with its operator class."""

    column: str | None
    expression: str | None
    opclass: str | None


@dataclass(frozen=True)
class IndexFacts:
    """An index on the table, with everything needed to build it again."""

    name: str
    access_method: str
    keys: tuple[IndexKey, ...]
    include: tuple[str, ...] = ()
    predicate: str | None = None
    reloptions: tuple[str, ...] = ()
    unique: bool = False
    primary: bool = False
    valid: bool = True
    comment: str | None = None
    tablespace: str | None = None
    #: Columns the index refers to anywhere (keys, expressions, INCLUDE, predicate).
    columns: frozenset[str] = frozenset()
    definition: str = ""


@dataclass(frozen=True)
class DependentFacts:
    """An object that depends on a column: a view, materialized view, generated
    column, function, constraint, trigger, policy, ... (``kind`` says which)."""

    kind: str
    name: str
    column: str


@dataclass(frozen=True)
class TableFacts:
    schema: str
    name: str
    relkind: str
    columns: tuple[ColumnFacts, ...]
    indexes: tuple[IndexFacts, ...] = ()
    dependents: tuple[DependentFacts, ...] = ()
    key_columns: tuple[str, ...] = ()  # primary key (or a NOT NULL unique key), for validation
    inherited: bool = False  # has inheritance parents or children

    def column(self, name: str) -> ColumnFacts | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"
