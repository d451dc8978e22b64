"""SQL type names of the catalog -> SQLAlchemy types and Python annotations.

One table, read three ways: the type an argument is bound with, the type a result is
read with, and the annotations the stub generator writes. A catalog type missing
here fails at import, naming the function, rather than silently binding untyped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import REAL, BigInteger, Boolean, Integer, LargeBinary, Text
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION, JSONB
from sqlalchemy.types import TypeEngine

from ..types import RuVector
from ._arrays import Json, ListArray, RealArray, RealMatrix
from ._scalars import Bigint, Bool, Int, Real, String

__all__ = ["SQL_TYPES", "SqlType", "canonical", "sql_type"]

TypeFactory = Callable[[], TypeEngine[Any]]


@dataclass(frozen=True)
class SqlType:
    """How one SQL type travels: bound as ``argument``, read as ``result``; ``accepts`` and
    ``python`` are the stub annotations of argument values and of results."""

    argument: TypeFactory
    result: TypeFactory
    accepts: str
    python: str


def _array(item: TypeFactory, dimensions: int | None = None) -> TypeFactory:
    return lambda: ARRAY(item(), dimensions=dimensions)


def _list_array(item: TypeFactory) -> TypeFactory:
    return lambda: ListArray(item())


SQL_TYPES: Final[Mapping[str, SqlType]] = {
    "ruvector": SqlType(RuVector, RuVector, "_Vector", "_Float32Array"),
    "real": SqlType(Real, REAL, "float", "float"),
    "double precision": SqlType(DOUBLE_PRECISION, DOUBLE_PRECISION, "float", "float"),
    "integer": SqlType(Int, Integer, "int", "int"),
    "bigint": SqlType(Bigint, BigInteger, "int", "int"),
    "boolean": SqlType(Bool, Boolean, "bool", "bool"),
    "text": SqlType(String, Text, "str", "str"),
    "jsonb": SqlType(Json, JSONB, "_Json", "Any"),
    "bytea": SqlType(LargeBinary, LargeBinary, "bytes", "bytes"),
    "real[]": SqlType(RealArray, _array(REAL), "_Vector", "list[float]"),
    "real[][]": SqlType(RealMatrix, _array(REAL, 2), "_Matrix", "list[list[float]]"),
    "text[]": SqlType(_list_array(Text), _array(Text), "Sequence[str]", "list[str]"),
    "integer[]": SqlType(_list_array(Integer), _array(Integer), "_Ints", "list[int]"),
    "bigint[]": SqlType(_list_array(BigInteger), _array(BigInteger), "_Ints", "list[int]"),
}

_ALIASES: Final = {
    "int": "integer",
    "int4": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "bool": "boolean",
}


def canonical(name: str) -> str:
    """``int[]`` -> ``integer[]``, ``float8`` -> ``double precision``, ..."""
    base, brackets = name, ""
    while base.endswith("[]"):
        base, brackets = base[:-2], brackets + "[]"
    return _ALIASES.get(base, base) + brackets


def sql_type(name: str, where: str) -> SqlType:
    """The mapping of SQL type ``name``; ``where`` names the function for the error."""
    try:
        return SQL_TYPES[canonical(name)]
    except KeyError:
        raise LookupError(f"{where}: SQL type {name!r} has no SQLAlchemy mapping") from None
