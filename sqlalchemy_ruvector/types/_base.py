"""Machinery shared by the vector column types: DDL, binds, results, literals.

A bind value is validated and coerced (``values``) before any SQL is sent. On an
engine that ran our dialect or plugin, it then travels as a small param object that
the psycopg adapters (``adapters``) dump in binary, in the layout the server was
probed to use; on any other engine, as text with a rendered ``::type(n)`` cast.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
from sqlalchemy import types as sqltypes
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.schema import Column

from .._sa_internals import InternalTraversal, SchemaEventTarget
from ..capabilities import Capabilities, capabilities_of
from ..errors import InvalidVectorError, InvalidVectorTypeError
from ..vector_types import vector_type

__all__ = ["BinaryResult", "VectorType", "capabilities_of"]


def _binary_results(dialect: Dialect, sql_name: str) -> Capabilities | None:
    """Capabilities when results of ``sql_name`` should travel through its send
    function (our engines, type present on the server), else None."""
    caps = capabilities_of(dialect)
    if caps is None or not caps.probed or sql_name not in caps.types:
        return None
    return caps


class BinaryResult(ColumnElement[Any]):
    """A vector in a SELECT list, fetched as ``<type>_send(col)``: the binary form
    as bytea, which psycopg decodes in C; several times faster than parsing the
    text form, and the SQL stays text-protocol (other columns are unaffected)."""

    __visit_name__ = "ruvector_binary_result"
    inherit_cache = True
    _traverse_internals = [("element", InternalTraversal.dp_clauseelement)]

    def __init__(self, element: ColumnElement[Any]) -> None:
        self.element = element
        self.type = element.type


@compiles(BinaryResult)
def _compile_binary_result(element: BinaryResult, compiler: SQLCompiler, **kw: Any) -> str:
    inner = compiler.process(element.element, **kw)
    sql_name: str = getattr(element.type, "sql_name", "")
    if _binary_results(compiler.dialect, sql_name) is None:
        return inner
    return f"{sql_name}_send({inner})"


class VectorType(sqltypes.UserDefinedType[Any], SchemaEventTarget):
    """Base of ``RuVector``, ``HalfVec``, ``SparseVec`` and ``PgVector``.

    Subclasses name their SQL type and supply coercion and codecs. ``family`` says
    whose operators apply: ``"ruvector"`` (probed per server) or ``"pgvector"``; it
    comes from the type's row in :data:`~sqlalchemy_ruvector.vector_types.VECTOR_TYPES`.
    """

    cache_ok = True
    render_bind_cast = True
    sql_name: ClassVar[str]
    family: ClassVar[str]
    max_dim: ClassVar[int] = 16000

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        spec = vector_type(cls.__dict__.get("sql_name"))
        if spec is not None:
            cls.family = spec.family

    def __init__(self, dim: int | None = None, as_list: bool = False) -> None:
        if dim is not None:
            given: Any = dim  # annotated int, but callers pass numpy integers and worse
            if isinstance(given, (bool, np.bool_)) or not isinstance(given, numbers.Integral):
                raise InvalidVectorTypeError(
                    f"{type(self).__name__}: dim must be an int, got {dim!r}", argument="dim"
                )
            dim = int(given)  # numpy integers too; DDL and cache keys hold a plain int
            if not 1 <= dim <= self.max_dim:
                raise InvalidVectorError(
                    f"{type(self).__name__}: dim must be between 1 and {self.max_dim}, got {dim}",
                    argument="dim",
                    dimension=dim,
                )
        self.dim = dim
        self.as_list = as_list
        self._columns: list[Column[Any]] = []

    # -- naming the column in error messages ------------------------------------------
    def _set_parent(self, parent: Any, **kw: Any) -> None:
        """Remember the column this type belongs to, so errors can name it (a type
        instance shared by several columns names none)."""
        if isinstance(parent, Column) and all(c is not parent for c in self._columns):
            self._columns.append(parent)

    def adapt(self, cls: Any, **kw: Any) -> Any:
        new = super().adapt(cls, **kw)
        if isinstance(new, VectorType):
            new._columns = self._columns  # the dialect's copy serves the same column
        return new

    def copy(self, **kw: Any) -> Any:
        new = super().copy(**kw)
        new._columns = []
        return new

    @property
    def column_name(self) -> str | None:
        """Name of the one column using this type instance (read late: declarative
        names columns after creating them)."""
        if len(self._columns) != 1:
            return None
        column = self._columns[0]
        if column.table is not None and column.name:
            return f"{column.table.name}.{column.name}"
        return column.name

    # -- DDL -----------------------------------------------------------------------------
    def get_col_spec(self, **kw: Any) -> str:
        return self.sql_name if self.dim is None else f"{self.sql_name}({self.dim})"

    @property
    def python_type(self) -> type[Any]:
        return list if self.as_list else np.ndarray

    # -- values --------------------------------------------------------------------------
    def coerce(self, value: Any) -> Any:
        """Validate ``value`` for this column and return its canonical Python form."""
        raise NotImplementedError

    def to_text(self, value: Any) -> str:
        """Text form of a canonical value, as the server's input function reads it."""
        raise NotImplementedError

    def from_text(self, text: str) -> Any:
        raise NotImplementedError

    def wrap(self, value: Any) -> Any:
        """The object our psycopg adapters dump for a canonical value."""
        raise NotImplementedError

    def present(self, value: Any) -> Any:
        """Result value as the user asked for it (array or list)."""
        if self.as_list and isinstance(value, np.ndarray):
            return value.tolist()
        return value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any]:
        coerce = self.coerce
        if capabilities_of(dialect) is None:
            to_text = self.to_text

            def process_text(value: Any) -> Any:
                return None if value is None else to_text(coerce(value))

            return process_text
        wrap = self.wrap

        def process(value: Any) -> Any:
            return None if value is None else wrap(coerce(value))

        return process

    def literal_processor(self, dialect: Dialect) -> Callable[[Any], str]:
        coerce, to_text = self.coerce, self.to_text

        def process(value: Any) -> str:
            text = to_text(coerce(value)).replace("'", "''")
            return f"'{text}'"

        return process

    def from_binary(self, data: bytes, caps: Capabilities) -> Any:
        raise NotImplementedError

    def column_expression(self, colexpr: ColumnElement[Any]) -> ColumnElement[Any]:
        return BinaryResult(colexpr)

    def binary_decoder(self, caps: Capabilities) -> Callable[[bytes], Any]:
        """Decoder of this type's binary results under ``caps`` (built once per caps)."""
        from_binary = self.from_binary
        return lambda data: from_binary(data, caps)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any]:
        from_text, present, binary_decoder = self.from_text, self.present, self.binary_decoder
        # present() is the identity unless as_list or a subclass says otherwise
        plain = not self.as_list and type(self).present is VectorType.present
        # decoder of the dialect's current capabilities (they can be refreshed)
        state: tuple[Capabilities | None, Callable[[bytes], Any] | None] = (None, None)

        def process(value: Any) -> Any:
            nonlocal state
            if value is None:
                return None
            if isinstance(value, bytes):
                caps, decode = state
                current = getattr(dialect, "ruvector_capabilities", None)  # capabilities_of
                if decode is None or caps is not current:
                    decode = binary_decoder(current)  # type: ignore[arg-type]
                    state = (current, decode)
                value = decode(value)
            elif isinstance(value, str):
                value = from_text(value)
            return value if plain else present(value)

        return process

    def coerce_compared_value(self, op: Any, value: Any) -> sqltypes.TypeEngine[Any]:
        return self

    def __repr__(self) -> str:
        args = [] if self.dim is None else [f"dim={self.dim}"]
        if self.as_list:
            args.append("as_list=True")
        return f"{type(self).__name__}({', '.join(args)})"


@compiles(VectorType, "postgresql")
def _compile_vector_type(type_: VectorType, compiler: Any, **kw: Any) -> str:
    """Refuse, before any SQL is sent, a vector type the server does not have
    (ruvector 2.0.5 creates only ``ruvector``; halfvec/sparsevec come from pgvector)."""
    caps = capabilities_of(compiler.dialect)
    spec = vector_type(type_.sql_name)
    if caps is not None and spec is not None and not spec.available(caps):
        hint = (
            f"run CREATE EXTENSION {spec.extension} (then refresh_capabilities)"
            if spec.is_ruvector
            else "install pgvector in this database, or use RuVector"
        )
        raise CompileError(f"type {type_.sql_name} does not exist on this server: {hint}")
    return str(compiler.visit_user_defined(type_, **kw))
