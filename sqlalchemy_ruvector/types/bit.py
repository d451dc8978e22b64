"""``bit(n)`` columns with pgvector's bit distances, and ``binary_quantize``.

PostgreSQL's ``bit`` is a core type, so ``BIT`` columns work on every server; only
the distances differ: pgvector's ``<~>`` (Hamming) and ``<%>`` (Jaccard) where
pgvector is installed, else the same values computed with core functions
(``bit_count`` of ``#``, ``&``, ``|``; PostgreSQL 14+). ``binary_quantize`` turns a
vector into its sign bits (``x > 0``) with whatever the server has: pgvector's
``binary_quantize``, ruvector 2.0.5's ``binary_quantize_arr(real[]) -> bytea`` (bit
``i % 8`` of byte ``i / 8``, least significant first), or a portable expression on the
vector's text form.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.dialects.postgresql import BIT as PGBit
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import TypeDecorator

from ..capabilities import Capabilities, capabilities_of
from ..comparator import MetricDistance
from ..errors import InvalidArgumentTypeError, InvalidVectorError
from ..metrics import METRICS, metric_names
from ..vector_types import is_ruvector

__all__ = ["BIT", "BitDistance", "binary_quantize", "bit_text", "compile_binary_quantize"]

BIT_METRICS = metric_names("bit")


def bit_text(value: Any, *, length: int | None = None, column: str | None = None) -> str:
    """The ``'0101'`` text of a bit value: a string of 0/1, bytes (8 bits each), a
    sequence of bools, a bool/uint8 ndarray, or an object with ``to_text()``
    (pgvector's ``Bit``). Raises :class:`InvalidVectorError` naming the problem."""
    where = f"column {column!r}: " if column else ""
    to_text = getattr(value, "to_text", None)
    if callable(to_text) and type(value).__name__ == "Bit":
        text = str(to_text())
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (bytes, bytearray)):
        text = "".join(format(b, "08b") for b in value)
    elif isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise InvalidVectorError(
                f"{where}expected ndim to be 1, got {value.ndim}", column=column
            )
        if value.dtype != np.bool_ and (value.dtype != np.uint8 or bool(np.any(value > 1))):
            raise InvalidVectorError(f"{where}expected elements to be boolean", column=column)
        text = "".join("1" if v else "0" for v in value.tolist())
    elif isinstance(value, (list, tuple)):
        if not all(isinstance(v, (bool, np.bool_, int)) and v in (0, 1) for v in value):
            raise InvalidVectorError(f"{where}expected a list of bools", column=column)
        text = "".join("1" if v else "0" for v in value)
    else:
        raise InvalidVectorError(
            f"{where}expected a bit string, bytes, a list of bools or an ndarray, "
            f"got {type(value).__name__}",
            column=column,
        )
    if not text or set(text) - {"0", "1"}:
        raise InvalidVectorError(f"{where}expected a non-empty string of 0 and 1", column=column)
    if length is not None and len(text) != length:
        raise InvalidVectorError(f"{where}expected {length} bits, got {len(text)}", column=column)
    return text


class BitDistance(MetricDistance):
    """Hamming or Jaccard distance between two bit strings, as a float expression that
    brings its operands' FROMs and ORM attributes, like ``VectorDistance``."""

    __visit_name__ = "ruvector_bit_distance"
    inherit_cache = True
    metrics = BIT_METRICS
    metric_kind = "bit metric"


def _has_pgvector(dialect: Dialect) -> bool:
    """Whether pgvector's bit operators and functions exist: known only on probed engines."""
    caps = capabilities_of(dialect)
    return caps is not None and caps.probed and caps.pgvector_version is not None


@compiles(BitDistance)
def _compile_bit_distance(element: BitDistance, compiler: SQLCompiler, **kw: Any) -> str:
    left = compiler.process(element.left, **kw)
    right = compiler.process(element.right, **kw)
    metric = METRICS[element.metric]
    if _has_pgvector(compiler.dialect):
        operator = metric.operator
        if compiler.dialect.paramstyle in ("format", "pyformat"):
            operator = operator.replace("%", "%%")
        return f"({left} {operator} {right})"
    assert metric.portable is not None  # every bit metric has its core-function form
    return metric.portable.format(left=left, right=right)


class BIT(TypeDecorator[Any]):
    """``bit(n)``: results are ``'0101'`` strings (as pgvector-python returns them);
    binds strings of 0/1, bytes, bool sequences/arrays and ``Bit`` values."""

    impl = PGBit
    cache_ok = True

    class Comparator(TypeDecorator.Comparator[Any]):
        def _operand(self, other: Any) -> ColumnElement[Any]:
            from sqlalchemy import bindparam

            if isinstance(other, ColumnElement):
                return other
            if hasattr(other, "__clause_element__"):
                clause: ColumnElement[Any] = other.__clause_element__()
                return clause
            return bindparam(None, bit_text(other), type_=self.type)

        def hamming_distance(self, other: Any, /) -> BitDistance:
            """Number of differing bits (pgvector's ``<~>``)."""
            return BitDistance(self.expr, self._operand(other), "hamming")

        def jaccard_distance(self, other: Any, /) -> BitDistance:
            """1 - |a AND b| / |a OR b| (pgvector's ``<%>``)."""
            return BitDistance(self.expr, self._operand(other), "jaccard")

    comparator_factory = Comparator

    def __init__(self, length: int | None = None) -> None:
        super().__init__(length)
        self.length = length

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return bit_text(value, length=self.length)

    def process_literal_param(self, value: Any, dialect: Dialect) -> str:
        return f"B'{bit_text(value, length=self.length)}'"  # only 0 and 1: nothing to escape

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return value

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        return self

    def __repr__(self) -> str:
        return "BIT()" if self.length is None else f"BIT({self.length})"


class binary_quantize(GenericFunction[Any]):
    """``binary_quantize(vector)``: a bit per dimension, 1 where the element is > 0.

    Rendered for the server at hand (see the module docstring); its type is ``BIT``,
    so ``.hamming_distance()`` / ``.jaccard_distance()`` apply to it."""

    inherit_cache = True
    name = "binary_quantize"
    package = (
        "ruvector"  # func.ruvector.binary_quantize; the pgvector surface adds func.binary_quantize
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("type_", BIT())
        super().__init__(*args, **kwargs)


def _vector_text_as_array(operand: str) -> str:
    """``real[]`` of a vector's elements, through its text form (ruvector has no cast)."""
    return f"CAST(translate(CAST({operand} AS TEXT), '[]', '{{}}') AS REAL[])"


def render_binary_quantize(operand: str, sql_name: str | None, caps: Capabilities | None) -> str:
    """SQL of ``binary_quantize`` on ``operand`` (a vector of SQL type ``sql_name``)."""
    if not is_ruvector(sql_name):  # pgvector's own types, or unknown: pgvector's function
        return f"binary_quantize({operand})"
    if caps is not None and caps.probed and caps.pgvector_version is not None:
        # pgvector is installed: its function, through the identical text form (the
        # I/O functions are immutable, so this also works in index expressions).
        return f"binary_quantize(CAST(CAST({operand} AS TEXT) AS vector))"
    if caps is not None and caps.probed and "binary_quantize_arr" in caps.functions:
        # ruvector 2.0.5: bytes with dimension i in bit i % 8 (least significant first)
        # of byte i / 8, which is get_bit()'s numbering; cut to the vector's length.
        packed = f"binary_quantize_arr({_vector_text_as_array(operand)})"
        return (
            "(SELECT CAST(string_agg(CAST(get_bit(q.b, g.i) AS TEXT), '' ORDER BY g.i) AS VARBIT) "
            f"FROM (SELECT {packed} AS b) AS q "
            f"CROSS JOIN generate_series(0, ruvector_dims({operand}) - 1) AS g(i))"
        )
    return (
        "CAST(array_to_string(ARRAY(SELECT CASE WHEN q.e > 0 THEN '1' ELSE '0' END "
        f"FROM unnest({_vector_text_as_array(operand)}) WITH ORDINALITY AS q(e, i) "
        "ORDER BY q.i), '') AS VARBIT)"
    )


@compiles(binary_quantize)
def compile_binary_quantize(element: binary_quantize, compiler: SQLCompiler, **kw: Any) -> str:
    """Compile hook, shared with subclasses registered under other names."""
    clauses = list(element.clauses)
    if len(clauses) != 1:
        raise InvalidArgumentTypeError(
            f"binary_quantize takes one vector argument, got {len(clauses)}"
        )
    (argument,) = clauses
    sql_name = getattr(argument.type, "sql_name", None)
    return render_binary_quantize(
        compiler.process(argument, **kw), sql_name, capabilities_of(compiler.dialect)
    )
