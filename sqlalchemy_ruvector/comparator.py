"""Distance operators and vector functions as SQL expressions.

Method names and meanings are pgvector-python's, so ported code keeps working:
ascending order is "most similar first" for every distance, on every server. The
SQL is chosen at compile time from the dialect's probed capabilities, because the
published ruvector 2.0.5 differs from its docs: ``<#>`` returns +dot there (so
``max_inner_product`` negates it) and ``<+>`` is missing (so ``l1_distance`` calls
``ruvector_l1_distance``). ``l2_distance`` and ``cosine_distance`` always render the
bare operator, which is what keeps ``ORDER BY`` index-usable. Where nothing was
probed (a plain ``postgresql+psycopg`` engine, an offline compile), the other two
render as functions, correct on every build but not index-usable: use the
``postgresql+ruvector`` dialect or the ``ruvector`` plugin to get the operators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Final

from sqlalchemy import Float, Integer, bindparam, func
from sqlalchemy import types as sqltypes
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

from ._sa_internals import InternalTraversal, OperandExpression
from .capabilities import Capabilities, effective
from .errors import InvalidArgumentError
from .metrics import DISTANCES
from .metrics import metric as metric_of
from .vector_types import vector_type

if TYPE_CHECKING:
    from .types._base import VectorType

__all__ = ["METRICS", "DenseComparator", "MetricDistance", "SparseComparator", "VectorDistance"]

#: Distance names accepted by ``VectorDistance`` (and ``distance(metric=...)``).
METRICS: Final = tuple(
    c.distance for c in DISTANCES.values() if metric_of(c.metric).operands == "float"
)


class MetricDistance(OperandExpression[float]):
    """A distance between two operands under one named metric, as a float expression
    carrying its operands' FROMs and ORM attributes. Subclasses name their metrics
    (``metrics``) and compile themselves (``__visit_name__``)."""

    inherit_cache = True
    _operands = ("left", "right")
    _traverse_internals = [
        ("left", InternalTraversal.dp_clauseelement),
        ("right", InternalTraversal.dp_clauseelement),
        ("metric", InternalTraversal.dp_string),
    ]
    metrics: ClassVar[tuple[str, ...]] = ()
    #: What an error message calls one of ``metrics``.
    metric_kind: ClassVar[str] = "metric"

    def __init__(self, left: ColumnElement[Any], right: ColumnElement[Any], metric: str) -> None:
        if metric not in self.metrics:
            raise InvalidArgumentError(
                f"unknown {self.metric_kind} {metric!r}; expected one of {', '.join(self.metrics)}",
                argument="metric",
                value=metric,
            )
        self.left = left
        self.right = right
        self.metric = metric
        self.type = Float()
        self._adopt_operands()


class VectorDistance(MetricDistance):
    """``left <op> right`` for one metric; a float expression that labels, compares
    and orders like any other column expression. It brings its operands' FROMs
    (``select(Item.embedding.l2_distance(q))`` needs no other mention of ``Item``)
    and their ORM attributes (:class:`OperandExpression`)."""

    __visit_name__ = "vector_distance"
    inherit_cache = True
    metrics = METRICS

    @property
    def family(self) -> str:
        return getattr(self.left.type, "family", "ruvector")


def _operator_sign(probe: str | None, caps: Capabilities) -> int | None:
    """Sign of ruvector's operator relative to pgvector's; None: missing or not known."""
    if probe is None:
        return 1
    if not caps.probed:
        return None
    if probe == "sign":
        return 1 if caps.ip_operator_sign < 0 else -1
    return 1 if caps.has_l1_operator else None


def render_distance(name: str, family: str, left: str, right: str, caps: Capabilities) -> str:
    """SQL text of the distance ``name`` (a :data:`METRICS` name), for the given
    operand texts and server. The bare operator wherever it means the distance
    (index-usable); else the ruvector function, or either negated."""
    comparator = DISTANCES[name]
    metric = metric_of(comparator.metric)
    wanted = -1 if comparator.negated else 1
    operator = f"({left} {metric.operator} {right})"
    sign = 1 if family != "ruvector" else _operator_sign(metric.probe, caps)
    function = f"{metric.ruvector_function}({left}, {right})"
    if family == "ruvector" and comparator.negated and metric.function_sign == wanted:
        return function  # no operator form can serve an index anyway
    if sign is not None:
        return operator if sign == wanted else f"(-{operator})"
    # Nothing known about the server (plain psycopg, offline, no extension yet), or no
    # operator: the function form, which means the same on every ruvector build.
    return function if metric.function_sign == wanted else f"(-{function})"


@compiles(VectorDistance)
def _compile_distance(element: VectorDistance, compiler: SQLCompiler, **kw: Any) -> str:
    return render_distance(
        element.metric,
        element.family,
        compiler.process(element.left, **kw),
        compiler.process(element.right, **kw),
        effective(compiler.dialect),
    )


class DenseComparator(sqltypes.UserDefinedType.Comparator[Any]):
    """Distances and functions on vector columns (``Item.embedding.l2_distance(q)``)."""

    type: VectorType

    def _operand(self, other: Any) -> ColumnElement[Any]:
        if isinstance(other, ColumnElement):
            return other
        if hasattr(other, "__clause_element__"):
            clause: ColumnElement[Any] = other.__clause_element__()
            return clause
        # Validate now, so a bad query vector fails where it is written.
        return bindparam(None, self.type.coerce(other), type_=self.type)

    def distance(self, other: Any, metric: str) -> VectorDistance:
        return VectorDistance(self.expr, self._operand(other), metric)

    def l2_distance(self, other: Any) -> VectorDistance:
        """Euclidean distance (``<->``)."""
        return self.distance(other, "l2")

    def cosine_distance(self, other: Any) -> VectorDistance:
        """1 - cosine similarity (``<=>``)."""
        return self.distance(other, "cosine")

    def max_inner_product(self, other: Any) -> VectorDistance:
        """Negative dot product: ascending order puts the largest dot product first."""
        return self.distance(other, "max_inner_product")

    def inner_product(self, other: Any) -> VectorDistance:
        """The dot product itself (+dot)."""
        return self.distance(other, "inner_product")

    def l1_distance(self, other: Any) -> VectorDistance:
        """Manhattan distance."""
        return self.distance(other, "l1")

    def _function(self, key: str, type_: sqltypes.TypeEngine[Any]) -> ColumnElement[Any]:
        spec = vector_type(self.type.sql_name)
        names = spec.functions if spec is not None else {}
        if key not in names:
            raise NotImplementedError(f"{self.type.sql_name} has no {key}() function")
        expression: ColumnElement[Any] = getattr(func, names[key])(self.expr, type_=type_)
        return expression

    def dims(self) -> ColumnElement[int]:
        """Number of dimensions of the stored value."""
        return self._function("dims", Integer())

    def norm(self) -> ColumnElement[float]:
        """Euclidean norm."""
        return self._function("norm", Float())

    def normalize(self) -> ColumnElement[Any]:
        """The value scaled to unit length (a vector of the same type)."""
        return self._function("normalize", self.type)


class SparseComparator(DenseComparator):
    """Sparse vectors: the same distances; no ``dims()`` in SQL."""
