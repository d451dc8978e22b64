"""``VectorIndex``: an HNSW or IVFFlat index on one vector column or expression.

The abstract method and metric (``"hnsw"``, ``"cosine"``) become the server's access
method and opclass at DDL time, from the probed capabilities: ruvector's HNSW is
``ruhnsw`` where the docs hold and ``hnsw`` in the published 2.0.5; pgvector's
types (``vector``, ``halfvec``, ``sparsevec``) use pgvector's methods and opclasses.
On an expression the opclass follows the expression's type (``cast(col, HalfVec(3))``
gets ``halfvec_*_ops``). Parameters are checked against the documented ranges when
the index is declared; what a server would reject for the column's type (no
dimensions, sparsevec on IVFFlat, ruvector-only options on pgvector's methods) is
refused when the DDL is compiled, naming the index, before any SQL is sent.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
from sqlalchemy import Index, cast
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import Column, CreateIndex
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.sql.elements import Cast, ColumnClause, ColumnElement

from .capabilities import Capabilities, effective
from .errors import InvalidArgumentError, InvalidArgumentTypeError
from .index_translation import render_create_index
from .metrics import METHODS, OPCLASS_METRICS, access_method, metric_names, opclass_name, supports
from .types._base import VectorType
from .vector_types import vector_type

__all__ = ["INDEX_PARAMS", "VectorIndex", "opclass_for"]

#: Metrics of vector indexes; which type takes which: metrics.OPCLASS_METRICS.
METRICS: Final = metric_names("float")

#: Documented parameters per method: name -> (low, high) for ints, or allowed strings.
INDEX_PARAMS: Final[dict[str, dict[str, tuple[int, int] | tuple[str, ...]]]] = {
    "hnsw": {
        "m": (2, 100),
        "ef_construction": (4, 1000),
        "quantization": ("sq8", "pq16", "binary"),
    },
    "ivfflat": {"lists": (1, 100000), "quantization": ("none", "sq8", "pq", "binary")},
}
#: Parameters that pgvector's access methods (the compatibility layer) also accept.
_PGVECTOR_PARAMS: Final = {"hnsw": ("m", "ef_construction"), "ivfflat": ("lists",)}


def opclass_for(sql_name: str, metric: str) -> str:
    """Opclass of ``metric`` for a column of SQL type ``sql_name``."""
    return opclass_name(sql_name, metric)


def _check_params(method: str, params: Mapping[str, Any], where: str) -> dict[str, Any]:
    allowed = INDEX_PARAMS[method]
    checked: dict[str, Any] = {}
    for name, value in params.items():
        if name not in allowed:
            raise InvalidArgumentError(
                f"{where}: unknown {method} parameter {name!r}; "
                f"expected one of {', '.join(allowed)}",
                argument=name,
                value=value,
            )
        spec = allowed[name]
        if isinstance(spec[0], str):
            if value not in spec:
                raise InvalidArgumentError(
                    f"{where}: {name} must be one of {', '.join(map(str, spec))}, got {value!r}",
                    argument=name,
                    value=value,
                )
        else:
            low, high = spec
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
                raise InvalidArgumentTypeError(
                    f"{where}: {name} must be an int, got {value!r}", argument=name, value=value
                )
            value = int(value)  # numpy integers too; the DDL renders a plain int
            if not low <= value <= high:
                raise InvalidArgumentError(
                    f"{where}: {name} must be between {low} and {high}, got {value}",
                    argument=name,
                    value=value,
                )
        checked[name] = value
    if (
        "m" in checked
        and "ef_construction" in checked
        and checked["ef_construction"] < 2 * checked["m"]
    ):
        raise InvalidArgumentError(
            f"{where}: ef_construction must be at least 2 * m",
            argument="ef_construction",
            value=checked["ef_construction"],
        )
    return checked


class VectorIndex(Index):
    """``VectorIndex(name, column, method="hnsw", metric="l2", m=16, ef_construction=64)``.

    ``column`` is a column name, a ``Column``, or a vector expression such as
    ``cast(t.c.e, HalfVec(3))`` or ``func.ruvector_normalize(t.c.e)``. Works in
    ``__table_args__``, with ``metadata.create_all`` and in Alembic; add
    ``concurrently=True`` for ``CREATE INDEX CONCURRENTLY`` (outside a transaction).
    """

    def __init__(
        self,
        name: str,
        column: str | Column[Any] | ColumnElement[Any],
        *,
        method: str = "hnsw",
        metric: str = "l2",
        concurrently: bool = False,
        **params: Any,
    ) -> None:
        if method not in METHODS:
            raise InvalidArgumentError(
                f"index {name!r}: method must be one of {', '.join(METHODS)}, got {method!r}",
                argument="method",
                value=method,
            )
        if metric not in METRICS:
            raise InvalidArgumentError(
                f"index {name!r}: metric must be one of {', '.join(METRICS)}, got {metric!r}",
                argument="metric",
                value=metric,
            )
        self.vector_method = method
        self.vector_metric = metric
        self.vector_params = _check_params(method, params, f"index {name!r}")
        super().__init__(name, column, postgresql_concurrently=concurrently)

    @property
    def vector_expression(self) -> ColumnElement[Any]:
        """What is indexed: the column, or the expression as declared."""
        expressions = list(self.expressions)
        if len(expressions) != 1 or not isinstance(expressions[0], ColumnElement):
            raise CompileError(
                f"index {self.name!r} must cover exactly one vector column or expression"
            )
        return expressions[0]

    @property
    def vector_column(self) -> Column[Any]:
        """The indexed column; an index on an expression has none (CompileError)."""
        expression = self.vector_expression
        if not isinstance(expression, Column):
            raise CompileError(
                f"index {self.name!r} is on an expression, not a column; see vector_expression"
            )
        return expression

    def _describe(self) -> str:
        expression = self.vector_expression
        if isinstance(expression, ColumnClause):
            return f"column {expression.name!r}"
        return "the indexed expression"

    def vector_type(self) -> VectorType:
        """The vector type of what is indexed (CompileError when it is not a vector)."""
        type_ = self.vector_expression.type
        if not isinstance(type_, VectorType):
            what = self._describe()
            kind = "column" if what.startswith("column") else "expression"
            raise CompileError(
                f"index {self.name!r}: {what} is not a vector {kind} (its type is {type_!r})"
            )
        return type_

    def resolve(self, caps: Capabilities) -> tuple[str, str, dict[str, Any]]:
        """(access method, opclass, WITH parameters) for a server with ``caps``.

        Raises CompileError, naming the index, for what the server would reject."""
        type_ = self.vector_type()
        sql_name = type_.sql_name
        spec = vector_type(sql_name)
        own = spec is not None and spec.is_ruvector
        where = f"index {self.name!r}"
        if not own and not caps.has_type(sql_name):
            raise CompileError(
                f"{where}: type {sql_name} does not exist on this server "
                "(install pgvector in this database, or index a RuVector column)"
            )
        if type_.dim is None:
            fix = (
                f"declare the column as {type(type_).__name__}(n)"
                if isinstance(self.vector_expression, ColumnClause)
                else f"cast the expression to {type(type_).__name__}(n)"
            )
            raise CompileError(
                f"{where}: {self._describe()} has no dimensions ({sql_name} without n); "
                f"{self.vector_method} needs them: {fix}"
            )
        if not supports(sql_name, self.vector_method, self.vector_metric):
            offered = OPCLASS_METRICS.get((sql_name, self.vector_method), ())
            raise CompileError(
                f"{where}: {self.vector_method} cannot index {sql_name} by "
                f"{self.vector_metric} (no operator class "
                f"{opclass_name(sql_name, self.vector_metric)}); "
                + (
                    f"{self.vector_method} on {sql_name} offers {', '.join(offered)}"
                    if offered
                    else f"{self.vector_method} has no {sql_name} operator classes at all"
                )
            )
        opclass = opclass_for(sql_name, self.vector_metric)
        params = dict(self.vector_params)
        extra = sorted(set(params) - set(_PGVECTOR_PARAMS[self.vector_method]))
        if not own:
            if extra:
                raise CompileError(
                    f"{where}: pgvector's {self.vector_method} (used for {sql_name}) does not "
                    f"accept {', '.join(extra)}; it takes "
                    f"{', '.join(_PGVECTOR_PARAMS[self.vector_method])}"
                )
            return self.vector_method, opclass, params
        method = access_method(sql_name, self.vector_method, caps)
        if extra and not caps.accepts_unknown_reloptions and caps.probed:
            raise CompileError(
                f"{where}: this server ({caps.server_version}) does not accept "
                f"{', '.join(extra)}; ruvector 2.0.5 accepts and ignores them"
            )
        if extra and caps.accepts_unknown_reloptions and caps.probed:
            warnings.warn(
                f"{where}: ruvector 2.0.5 stores but ignores {', '.join(extra)}",
                stacklevel=2,
            )
        return method, opclass, params

    def indexed_sql(self, compiler: DDLCompiler) -> str:
        """The index element: a quoted column name, or ``(CAST(expr AS type(n)))``.

        An expression is cast to its declared type unless it already is a cast: the
        server reads the dimension from the index column's typmod, and a function's
        result has none."""
        expression = self.vector_expression
        if isinstance(expression, ColumnClause):
            return compiler.preparer.quote(expression.name)
        if not isinstance(expression, Cast):
            expression = cast(expression, self.vector_type())
        sql = compiler.sql_compiler.process(expression, include_table=False, literal_binds=True)
        return f"({sql})"


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


@compiles(CreateIndex, "postgresql")
def _compile_create_index(create: CreateIndex, compiler: DDLCompiler, **kw: Any) -> str:
    index = create.element
    if not isinstance(index, VectorIndex):
        translated = render_create_index(create, compiler, **kw)  # pgvector-style, on ruvector
        if translated is not None:
            return translated
        return str(compiler.visit_create_index(create, **kw))  # type: ignore[no-untyped-call]
    method, opclass, params = index.resolve(effective(compiler.dialect))
    preparer = compiler.preparer
    text = "CREATE INDEX "
    if index.dialect_options["postgresql"]["concurrently"]:
        text += "CONCURRENTLY "
    if create.if_not_exists:
        text += "IF NOT EXISTS "
    text += (
        f"{preparer.format_index(index)} "
        f"ON {preparer.format_table(index.table)} "  # type: ignore[arg-type]
        f"USING {preparer.quote(method)} "
        f"({index.indexed_sql(compiler)} {preparer.quote(opclass)})"
    )
    if params:
        text += " WITH (" + ", ".join(f"{k} = {_literal(v)}" for k, v in params.items()) + ")"
    return text
