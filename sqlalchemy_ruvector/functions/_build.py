"""Build one :class:`RuVectorFunction` subclass per client-callable catalog row.

Defining a ``GenericFunction`` subclass registers it with SQLAlchemy, so building the
classes is what makes ``sa.func.<name>(...)`` typed; it happens once, when
:mod:`sqlalchemy_ruvector.functions` is imported.
"""

from __future__ import annotations

import textwrap
from typing import Any

from ._base import RuVectorFunction
from ._catalog import FunctionSpec
from ._notes import notes
from ._types import sql_type

__all__ = ["build_function", "build_functions", "docstring"]

DOC_WIDTH = 88


def docstring(spec: FunctionSpec) -> str:
    """The class docstring: SQL signature, family, then the notes; wrapped, no indent."""
    head = textwrap.wrap(
        spec.signature, DOC_WIDTH, subsequent_indent="    ", break_on_hyphens=False
    )
    about = f"{spec.volatility.capitalize()}, {spec.family} family."
    paragraphs = ["\n".join(head), *(textwrap.fill(p, DOC_WIDTH) for p in [about, *notes(spec)])]
    return "\n\n".join(paragraphs)


def build_function(spec: FunctionSpec) -> type[RuVectorFunction[Any]]:
    """The ``GenericFunction`` subclass for ``spec`` (registered as ``spec.name``)."""
    where = spec.name
    if spec.table_columns:
        result_columns = tuple(
            (c.name, sql_type(c.sql_type, where).result()) for c in spec.table_columns
        )
        returns = None
    else:
        result_columns = ()
        returns = sql_type(spec.scalar_returns, where).result()
    attributes: dict[str, Any] = {
        "__module__": __package__,
        "__qualname__": spec.name,
        "__doc__": docstring(spec),
        "name": spec.name,
        "identifier": spec.name,
        "inherit_cache": True,
        "spec": spec,
        "argument_types": tuple(sql_type(a.sql_type, where).argument() for a in spec.arguments),
        "result_columns": result_columns,
    }
    if returns is not None:
        attributes["type"] = returns
    cls: type[RuVectorFunction[Any]] = type(spec.name, (RuVectorFunction,), attributes)
    return cls


def build_functions(specs: tuple[FunctionSpec, ...]) -> dict[str, type[RuVectorFunction[Any]]]:
    """Classes for the rows a client calls (type I/O and AM handlers are left out)."""
    return {s.name: build_function(s) for s in specs if s.client_callable}
