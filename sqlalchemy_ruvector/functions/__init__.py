"""ruvector's SQL functions as typed SQLAlchemy functions, built from ``catalog.tsv``.

Importing this module defines one ``GenericFunction`` per function a client calls, so
``sqlalchemy_ruvector.functions.ruvector_hybrid_search(...)`` and
``sa.func.ruvector_hybrid_search(...)`` build the same typed expression. Arguments bind
with their declared SQL types and are checked before any SQL is sent; on a probed
engine, a function the server lacks fails to compile with the reason. Types for
checkers are in the generated ``__init__.pyi`` (``scripts/generate_function_stubs.py``).
"""

from __future__ import annotations

from typing import Any

from ._base import NamedArgument, RuVectorFunction
from ._build import build_functions
from ._catalog import Argument, FunctionSpec, load_catalog

#: Every row of ``catalog.tsv``, including the functions only the server calls.
CATALOG: tuple[FunctionSpec, ...] = load_catalog()
#: The function classes by SQL name.
FUNCTIONS: dict[str, type[RuVectorFunction[Any]]] = build_functions(CATALOG)

globals().update(FUNCTIONS)

__all__ = [  # the function names come from the catalog
    "CATALOG",
    "FUNCTIONS",
    "Argument",
    "FunctionSpec",
    "NamedArgument",
    "RuVectorFunction",
    *FUNCTIONS,
]
