"""Type stubs for the catalog-built function classes, rendered from the catalog.

The classes exist only at run time, so type checkers read ``functions/__init__.pyi``
instead. It is generated from the same rows and type table as the classes
(``scripts/generate_function_stubs.py`` writes it; a test checks it is current), and
its layout is what ``ruff format`` produces, so formatting never makes it stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ._build import docstring
from ._catalog import FunctionSpec, load_catalog
from ._types import sql_type

__all__ = ["STUB_FILE", "render_stubs"]

STUB_FILE: Final = "__init__.pyi"
_WIDTH: Final = 100

_HEADER: Final = """\
# Generated from catalog.tsv by scripts/generate_function_stubs.py: do not edit.
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.sql._typing import _ColumnExpressionArgument

from ._base import NamedArgument as NamedArgument
from ._base import RuVectorFunction as RuVectorFunction
from ._catalog import Argument as Argument
from ._catalog import FunctionSpec as FunctionSpec

_Expr: TypeAlias = _ColumnExpressionArgument[Any]
_Vector: TypeAlias = Sequence[float] | NDArray[Any]
_Matrix: TypeAlias = Sequence[Sequence[float]] | NDArray[Any]
_Ints: TypeAlias = Sequence[int] | NDArray[Any]
_Json: TypeAlias = Mapping[str, Any] | list[Any] | tuple[Any, ...] | int | float | bool
_Float32Array: TypeAlias = NDArray[np.float32]

CATALOG: tuple[FunctionSpec, ...]
FUNCTIONS: dict[str, type[RuVectorFunction[Any]]]
"""


def _parameter(spec: FunctionSpec, index: int) -> str:
    arg = spec.arguments[index]
    accepts = f"{sql_type(arg.sql_type, spec.name).accepts} | _Expr"
    if arg.default is None:
        return f"{arg.python_name}: {accepts}"
    if arg.default.upper() == "NULL":
        accepts += " | None"
    return f"{arg.python_name}: {accepts} = ..."


def _init(spec: FunctionSpec) -> list[str]:
    """``__init__`` laid out as ruff format would: one line, one indented line, or one
    parameter per line."""
    params = ["self", *(_parameter(spec, i) for i in range(len(spec.arguments)))]
    one_line = f"    def __init__({', '.join(params)}) -> None: ..."
    if len(one_line) <= _WIDTH:
        return [one_line]
    inner = f"        {', '.join(params)}"
    if len(inner) <= _WIDTH:
        return ["    def __init__(", inner, "    ) -> None: ..."]
    return ["    def __init__(", *(f"        {p}," for p in params), "    ) -> None: ..."]


def _result(spec: FunctionSpec) -> str:
    if spec.table_columns:
        return "Any"  # a row; use .table() for typed columns
    return sql_type(spec.scalar_returns, spec.name).python


def _class(spec: FunctionSpec) -> list[str]:
    doc = docstring(spec).replace("\\", "\\\\").splitlines()
    body = ['    """' + doc[0], *(f"    {ln}" if ln else "" for ln in doc[1:]), '    """', ""]
    return [f"class {spec.name}(RuVectorFunction[{_result(spec)}]):", *body, *_init(spec)]


def render_stubs(specs: Iterable[FunctionSpec] | None = None) -> str:
    """The text of ``functions/__init__.pyi`` for ``specs`` (default: the catalog)."""
    rows = tuple(load_catalog() if specs is None else specs)
    parts = [_HEADER, *("\n".join(_class(s)) + "\n" for s in rows if s.client_callable)]
    return "\n".join(parts)
