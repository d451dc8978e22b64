"""``avg`` and ``sum`` of vector columns on every server, typed as the column.

pgvector defines the aggregates ``avg(vector)`` and ``sum(vector)``; ruvector's
documented surface has them for ``ruvector`` too, but the published 2.0.5 only has
``vector_sum(real[])`` (and ``vector_mul_scalar(real[], real)``), with no cast between
``ruvector`` and ``real[]``. So on a server whose ruvector lacks the native aggregate,
the sum goes through the text form to ``real[]`` and back, and the average is the sum
scaled by ``1 / count``. A server with neither fails before any SQL is sent. An
engine that never probed the server (plain psycopg) gets a form that needs nothing
but the text form (see ``_universal``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import FunctionFilter
from sqlalchemy.sql.functions import ReturnTypeFromArgs

from .capabilities import capabilities_of
from .errors import InvalidArgumentTypeError, UnsupportedByServerError
from .vector_types import is_ruvector

__all__ = ["avg", "render_aggregate", "sum"]


class avg(ReturnTypeFromArgs[Any]):
    """Element-wise mean of a vector column; NULL over no rows."""

    inherit_cache = True
    package = "ruvector"


class sum(ReturnTypeFromArgs[Any]):
    """Element-wise sum of a vector column; NULL over no rows."""

    inherit_cache = True
    package = "ruvector"


def _as_array(operand: str) -> str:
    return f"CAST(translate(CAST({operand} AS TEXT), '[]', '{{}}') AS REAL[])"


def _as_ruvector(array_sql: str) -> str:
    return f"CAST(translate(CAST({array_sql} AS TEXT), '{{}}', '[]') AS ruvector)"


def _universal(name: str, operand: str, where: str) -> str:
    """Needs nothing but the text form: ``array_agg`` of an outer column inside a scalar
    subquery is an aggregate of the outer query, and the subquery sums per position.
    For engines that never probed the server (plain psycopg), where nothing is known."""
    return (
        "(SELECT CAST('[' || string_agg(CAST(q.v AS TEXT), ',' ORDER BY q.i) || ']' AS ruvector) "
        f"FROM (SELECT u.i, {name}(CAST(u.e AS DOUBLE PRECISION)) AS v "
        f"FROM unnest(array_agg(CAST({operand} AS TEXT)){where}) AS r(t), "
        "unnest(CAST(translate(r.t, '[]', '{}') AS REAL[])) WITH ORDINALITY AS u(e, i) "
        "GROUP BY u.i) AS q)"
    )


def render_aggregate(
    name: str, operand: str, sql_name: str | None, functions: Any, criterion: str | None = None
) -> str:
    """SQL of ``avg``/``sum`` over ``operand`` of SQL type ``sql_name``; ``functions`` is
    the probed set of ruvector's functions, or None when the server is not known;
    ``criterion`` the compiled condition of ``.filter()``, applied to every aggregate."""
    where = f" FILTER (WHERE {criterion})" if criterion is not None else ""
    if not is_ruvector(sql_name) or (functions is not None and name in functions):
        return f"{name}({operand}){where}"
    if functions is None:
        return _universal(name, operand, where)
    if "vector_sum" not in functions or (name == "avg" and "vector_mul_scalar" not in functions):
        raise UnsupportedByServerError(
            f"{name}() of ruvector: this server has neither the aggregate {name}(ruvector) "
            "nor vector_sum(real[])",
            feature=f"{name}(ruvector)",
        )
    summed = f"vector_sum({_as_array(operand)}){where}"
    if name == "sum":
        return _as_ruvector(summed)
    scale = f"CAST(1.0 / nullif(count({operand}){where}, 0) AS REAL)"
    return _as_ruvector(f"vector_mul_scalar({summed}, {scale})")


def _render(element: avg | sum, compiler: SQLCompiler, criterion: str | None, **kw: Any) -> str:
    clauses = list(element.clauses)
    if len(clauses) != 1:
        raise InvalidArgumentTypeError(
            f"{element.name} takes one vector argument, got {len(clauses)}"
        )
    (argument,) = clauses
    caps = capabilities_of(compiler.dialect)
    functions = caps.functions if caps is not None and caps.probed and caps.has_extension else None
    return render_aggregate(
        element.name,
        compiler.process(argument, **kw),
        getattr(argument.type, "sql_name", None),
        functions,
        criterion,
    )


def _compile(element: avg | sum, compiler: SQLCompiler, **kw: Any) -> str:
    return _render(element, compiler, None, **kw)


@compiles(FunctionFilter)
def _compile_filter(element: FunctionFilter[Any], compiler: SQLCompiler, **kw: Any) -> str:
    """``avg(col).filter(cond)``: the condition goes on each aggregate of the rendering."""
    if not isinstance(element.func, (avg, sum)) or element.criterion is None:
        return str(compiler.visit_funcfilter(element, **kw))  # type: ignore[no-untyped-call]
    criterion = compiler.process(element.criterion, **kw)
    return _render(element.func, compiler, criterion, **kw)


compiles(avg)(_compile)
compiles(sum)(_compile)
