"""``pgvector.sqlalchemy``'s names on ruvector: change the import, keep the code.

``Vector`` / ``VECTOR``, ``HALFVEC``, ``SPARSEVEC``, ``BIT``, ``avg`` and ``sum`` behave as
pgvector-python 0.5's: ``Vector(3)`` creates a ``ruvector(3)`` column and returns
``list[float]``; ``HALFVEC`` returns ``list[float]``; ``SPARSEVEC`` returns this
package's ``SparseVector``; ``BIT`` returns ``'0101'`` strings. Bad values raise
``ValueError`` with pgvector-python's wording (``expected 3 dimensions, not 2``,
``expected ndim to be 1``, ``could not convert string to float``), which SQLAlchemy
wraps in ``StatementError`` at execution, as it does for pgvector-python, but before
any SQL is sent.

Importing this module registers, as pgvector-python's import does, the reflection
names (``ruvector``, ``halfvec``, ``sparsevec`` -> these types) and
``func.binary_quantize``; nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy.dialects.postgresql import base as pg_base
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.ext.compiler import compiles

from ..aggregates import avg, sum
from ..comparator import DenseComparator, SparseComparator
from ..errors import InvalidVectorError
from ..sparse_vector import SparseVector as _CoreSparseVector
from ..types import HalfVec, RuVector, SparseVec
from ..types.bit import BIT, compile_binary_quantize
from ..types.bit import binary_quantize as _binary_quantize
from ..vector_types import VECTOR_TYPES
from .values import SparseVector

__all__ = ["BIT", "HALFVEC", "SPARSEVEC", "VECTOR", "SparseVector", "Vector", "avg", "sum"]


def _where(column: str | None) -> str:
    return f"column {column!r}: " if column else ""


def _unwrap_dense(value: Any) -> Any:
    """pgvector's own value objects (``pgvector.Vector``/``HalfVector``, or ours) as arrays."""
    if type(value).__name__ in ("Vector", "HalfVector") and callable(
        getattr(value, "to_numpy", None)
    ):
        return value.to_numpy()
    return value


def _check_like_pgvector(value: Any, dim: int | None, column: str | None) -> None:
    """The shape checks pgvector-python (and its server) make, with their wording."""
    where = _where(column)
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise InvalidVectorError(f"{where}expected ndim to be 1, got {value.ndim}", column=column)
    if dim is not None and hasattr(value, "__len__"):
        n = len(value)
        if n != dim:
            raise InvalidVectorError(
                f"{where}expected {dim} dimensions, not {n}",
                column=column,
                dimension=n,
                expected=dim,
            )


def _reraise_like_pgvector(value: Any, column: str | None) -> None:
    """After our coercion refused ``value``: pgvector-python's wording for strings
    (``could not convert string to float: 'one'``), if that is what it was."""
    elements = value.tolist() if isinstance(value, np.ndarray) else value
    if not isinstance(elements, list):
        return
    for element in elements:
        if isinstance(element, (str, bytes)):
            try:
                float(element)
            except ValueError as exc:
                raise InvalidVectorError(f"{_where(column)}{exc}", column=column) from None


def _coerce_like_pgvector(coerce: Callable[[Any], Any], value: Any, type_: Any) -> Any:
    """``coerce`` (our validation) with pgvector-python's value objects unwrapped and
    its error wording; the common valid case pays only for two cheap checks."""
    value = _unwrap_dense(value)
    column = type_.column_name
    _check_like_pgvector(value, type_.dim, column)
    try:
        return coerce(value)
    except (TypeError, ValueError):
        _reraise_like_pgvector(value, column)
        raise


def _pgvector_text(floats: list[float]) -> str:
    """pgvector-python's text form: ``[1.0,2.0,3.0]``."""
    return "[" + ",".join(str(float(v)) for v in floats) + "]"


def _dense_literal(type_: RuVector | HalfVec) -> Callable[[Any], str]:
    coerce = type_.coerce

    def process(value: Any) -> str:
        checked = coerce(value)
        source = value if isinstance(value, list) else checked.tolist()
        return "'" + _pgvector_text(source) + "'"

    return process


class VECTOR(RuVector):
    """``Vector(3)``: a ``ruvector(3)`` column; results are ``list[float]``."""

    cache_ok = True
    comparator_factory = DenseComparator

    def __init__(self, dim: int | None = None) -> None:
        super().__init__(dim, as_list=True)

    @property
    def python_type(self) -> type[Any]:
        return list

    def coerce(self, value: Any) -> Any:
        return _coerce_like_pgvector(super().coerce, value, self)

    def literal_processor(self, dialect: Dialect) -> Callable[[Any], str]:
        return _dense_literal(self)

    def __repr__(self) -> str:
        return "VECTOR()" if self.dim is None else f"VECTOR({self.dim})"


Vector = VECTOR


class HALFVEC(HalfVec):
    """``HALFVEC(3)``: ``halfvec(3)`` (absent from ruvector 2.0.5: DDL fails clearly
    there); results are ``list[float]``, as pgvector-python 0.5 returns them."""

    cache_ok = True
    comparator_factory = DenseComparator

    def __init__(self, dim: int | None = None) -> None:
        super().__init__(dim, as_list=True)

    @property
    def python_type(self) -> type[Any]:
        return list

    def coerce(self, value: Any) -> Any:
        return _coerce_like_pgvector(super().coerce, value, self)

    def literal_processor(self, dialect: Dialect) -> Callable[[Any], str]:
        return _dense_literal(self)

    def __repr__(self) -> str:
        return "HALFVEC()" if self.dim is None else f"HALFVEC({self.dim})"


class SPARSEVEC(SparseVec):
    """``SPARSEVEC(3)``: ``sparsevec(3)`` (absent from ruvector 2.0.5); results are
    :class:`SparseVector` (pgvector-python's shape)."""

    cache_ok = True
    comparator_factory = SparseComparator

    def __init__(self, dim: int | None = None) -> None:
        super().__init__(dim)

    @property
    def python_type(self) -> type[Any]:
        return SparseVector

    def coerce(self, value: Any) -> _CoreSparseVector:
        if isinstance(value, SparseVector):
            value = value._to_core()
        elif type(value).__name__ == "SparseVector" and callable(getattr(value, "indices", None)):
            # pgvector's own SparseVector
            value = _CoreSparseVector(
                np.asarray(value.indices(), dtype=np.int64),
                np.asarray(value.values(), dtype=np.float64),
                value.dimensions(),
            )
        elif isinstance(value, np.ndarray) and value.ndim != 1:
            where = _where(self.column_name)
            raise InvalidVectorError(
                f"{where}expected ndim to be 1, got {value.ndim}", column=self.column_name
            )
        return super().coerce(value)

    def present(self, value: Any) -> Any:
        if isinstance(value, _CoreSparseVector):
            return SparseVector._from_core(value)
        return value

    def literal_processor(self, dialect: Dialect) -> Callable[[Any], str]:
        coerce = self.coerce

        def process(value: Any) -> str:
            return "'" + SparseVector._from_core(coerce(value)).to_text() + "'"

        return process

    def __repr__(self) -> str:
        return "SPARSEVEC()" if self.dim is None else f"SPARSEVEC({self.dim})"


class binary_quantize(_binary_quantize):
    """``func.binary_quantize(col)``, as pgvector-python code writes it, rendered for
    the server (see :mod:`sqlalchemy_ruvector.types.bit`)."""

    inherit_cache = True
    package = "_default"


compiles(binary_quantize)(compile_binary_quantize)


def _register_reflection_names() -> None:
    """What pgvector-python's import does for ``vector``: reflected columns of these
    SQL types get these classes, on plain ``postgresql`` engines and on ours."""
    from .. import dialect

    names = {s.sql_name: s.dropin_class() for s in VECTOR_TYPES if s.dropin_column}
    targets = [
        pg_base.ischema_names,
        dialect.VECTOR_ISCHEMA_NAMES,
        dialect.RuVectorDialect_psycopg.ischema_names,
        dialect.RuVectorDialect_psycopg_async.ischema_names,
    ]
    for target in targets:
        target.update(names)


_register_reflection_names()
