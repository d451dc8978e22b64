"""The base class of ruvector's SQL functions: typed arguments, arity, server awareness.

Each catalog function is a :class:`~sqlalchemy.sql.functions.GenericFunction` subclass
of :class:`RuVectorFunction`, so ``sa.func.<name>(...)`` and the class itself build the
same expression. Calling one binds every Python value with its declared SQL type
(numpy -> ``real[]`` or ``ruvector``), validates it, and checks the arity against the
SQL signature, all before any SQL exists. Compiling one on an engine whose server was
probed refuses a function that server does not have, saying why.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from sqlalchemy import bindparam
from sqlalchemy import column as sql_column
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement, ColumnElement
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.sql.selectable import TableValuedAlias
from sqlalchemy.types import TypeEngine

from .._sa_internals import InternalTraversal, OperandExpression
from ..capabilities import capabilities_of
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, VectorInputError
from ..types._base import VectorType
from ..vector_types import is_ruvector
from ._catalog import Argument, FunctionSpec
from ._notes import missing_reason

__all__ = ["NamedArgument", "RuVectorFunction"]

_T = TypeVar("_T")


class NamedArgument(OperandExpression[Any]):
    """``name => value``: PostgreSQL's named notation, used for arguments that follow
    one left to its DEFAULT (the tables and ORM attributes are the value's)."""

    __visit_name__ = "ruvector_named_argument"
    inherit_cache = True
    _operands = ("value",)
    _traverse_internals = [
        ("arg_name", InternalTraversal.dp_string),
        ("value", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, arg_name: str, value: Any) -> None:
        self.arg_name = arg_name
        self.value: ColumnElement[Any] = coercions.expect(roles.ExpressionElementRole, value)
        self.type = self.value.type
        self._adopt_operands()


@compiles(NamedArgument)
def _compile_named(element: NamedArgument, compiler: SQLCompiler, **kw: Any) -> str:
    name = compiler.preparer.quote(element.arg_name)
    return f"{name} => {compiler.process(element.value, **kw)}"


def _is_expression(value: Any) -> bool:
    return isinstance(value, ClauseElement) or hasattr(value, "__clause_element__")


class RuVectorFunction(GenericFunction[_T]):
    """A ruvector SQL function; subclasses are built from ``catalog.tsv``.

    ``spec`` is the catalog row; ``argument_types`` bind the Python arguments;
    ``result_columns`` are the typed columns of a ``RETURNS TABLE`` function.
    """

    _register = False  # the base class is not a SQL function
    inherit_cache = True

    spec: ClassVar[FunctionSpec]
    argument_types: ClassVar[tuple[TypeEngine[Any], ...]] = ()
    result_columns: ClassVar[tuple[tuple[str, TypeEngine[Any]], ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "_parsed_args" in kwargs:  # SQLAlchemy rebuilding an already-bound call
            super().__init__(*args, **kwargs)
            return
        type_ = kwargs.pop("type_", None)  # GenericFunction's own override of the result type
        super().__init__(*self._bind(args, kwargs), type_=type_)
        if type_ is None:
            self._keep_dimension()

    def _keep_dimension(self) -> None:
        """A function returning ``ruvector`` keeps its ``ruvector`` arguments' dimension
        (true of every one ruvector installs: normalize, add, sub, mul_scalar; a test
        holds the catalog to it), so ``ruvector_normalize(col)`` is typed
        ``RuVector(n)`` like ``col``, and can be indexed or cast without restating n."""
        result = self.type
        if not isinstance(result, VectorType) or result.dim is not None:
            return
        dims = {
            c.type.dim
            for c in self.clauses
            if isinstance(c.type, VectorType) and c.type.sql_name == result.sql_name
        }
        if len(dims) == 1 and None not in dims:
            self.type = type(result)(dims.pop())

    # -- arguments -------------------------------------------------------------------------
    @classmethod
    def _arity_error(cls, problem: str) -> TypeError:
        return InvalidArgumentTypeError(f"{cls.spec.signature}: {problem}")

    @classmethod
    def _bind(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[ColumnElement[Any]]:
        """SQL arguments for a call: positional while there is no gap, then named."""
        params = cls.spec.arguments
        if len(args) > len(params):
            lo, hi = cls.spec.required, len(params)
            takes = f"{lo} to {hi} arguments" if lo != hi else f"{hi} argument" + "s" * (hi != 1)
            raise cls._arity_error(f"takes {takes}, got {len(args)}")
        values: dict[int, Any] = dict(enumerate(args))
        index = {p.python_name: i for i, p in enumerate(params)}
        for key, value in kwargs.items():
            if key not in index:
                raise cls._arity_error(f"got an unexpected keyword argument {key!r}")
            if index[key] in values:
                raise cls._arity_error(f"got multiple values for argument {key!r}")
            values[index[key]] = value
        missing = [
            p.python_name for i, p in enumerate(params) if p.default is None and i not in values
        ]
        if missing:
            raise cls._arity_error(f"missing required argument(s) {', '.join(missing)}")
        out: list[ColumnElement[Any]] = []
        gap = False
        for i, param in enumerate(params):
            if i not in values:
                gap = True
                continue
            bound = cls._bind_one(param, cls.argument_types[i], values[i])
            out.append(NamedArgument(param.name, bound) if gap else bound)
        return out

    @classmethod
    def _bind_one(cls, param: Argument, type_: TypeEngine[Any], value: Any) -> Any:
        """``value`` as a bind of the declared type, validated now (expressions pass)."""
        if _is_expression(value):
            return value
        coerce = getattr(type_, "coerce", None)
        if coerce is not None and value is not None:
            try:
                value = coerce(value)
            except (TypeError, ValueError) as exc:
                where = f"{cls.spec.name}() argument {param.name!r}: "
                if isinstance(exc, VectorInputError):
                    raise exc.relocated(where, argument=param.name) from None
                error = (
                    InvalidArgumentTypeError if isinstance(exc, TypeError) else InvalidArgumentError
                )
                raise error(f"{where}{exc}", argument=param.name, value=value) from None
        return bindparam(param.name or None, value, type_=type_, unique=True)

    # -- server awareness ------------------------------------------------------------------
    def _resolves_elsewhere(self) -> bool:
        """True when an argument is another extension's vector type (pgvector's
        ``vector_dims(vector)`` shares a name with ruvector's ``vector_dims(real[])``):
        the server picks that overload, so ruvector's presence is beside the point."""
        return any(
            isinstance(c.type, VectorType) and not is_ruvector(c.type.sql_name)
            for c in self.clauses
        )

    # -- set-returning functions -----------------------------------------------------------
    def table_valued(self, *expr: Any, **kw: Any) -> TableValuedAlias:
        """As SQLAlchemy's, but column names of a ``RETURNS TABLE`` function get their
        declared types, and no names at all means every declared column."""
        known = dict(self.result_columns)
        names = expr or tuple(known)
        columns = [
            sql_column(e, known[e]) if isinstance(e, str) and e in known else e for e in names
        ]
        return super().table_valued(*columns, **kw)

    def table(self, name: str | None = None) -> TableValuedAlias:
        """This ``RETURNS TABLE`` function as a FROM item with its typed columns."""
        if not self.result_columns:
            raise InvalidArgumentTypeError(
                f"{self.spec.name}() returns {self.spec.returns}, not a table; "
                "use column_valued() or table_valued(...)"
            )
        return self.table_valued(name=name)


@compiles(RuVectorFunction)
def _compile_function(element: RuVectorFunction[Any], compiler: SQLCompiler, **kw: Any) -> str:
    caps = capabilities_of(compiler.dialect)
    if (
        caps is not None
        and caps.probed
        and element.spec.name not in caps.functions
        and not element._resolves_elsewhere()
    ):
        raise CompileError(missing_reason(element.spec, caps))
    return compiler.visit_function(element, **kw)
