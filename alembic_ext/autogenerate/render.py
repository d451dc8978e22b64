"""Rendering: vector column types with their imports, and our operations as ``op.<name>``.

Alembic writes a type it does not know as ``<its module>.<repr>`` and imports nothing,
so a revision with ``sqlalchemy_ruvector.types.dense.RuVector(dim=384)`` fails with
NameError (pgvector-python's most reported Alembic problem). Two remedies, both through
public hooks:

* By default (``import alembic_ext`` only): operations that carry a vector type
  (``add_column``, ``create_table``, ``alter_column``, and the drops whose reverse
  carries one) are swapped, after comparison, for subclasses whose renderer is
  Alembic's own plus the import of the type's module. They are still instances of
  Alembic's classes: ``isinstance`` checks, diffs and rewriters see no difference.
* ``context.configure(render_item=alembic_ext.render_item)`` writes the shorter
  public spelling ``sqlalchemy_ruvector.RuVector(dim=384)`` with ``import
  sqlalchemy_ruvector``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from alembic.autogenerate import renderers
from alembic.autogenerate.api import AutogenContext
from alembic.operations import MigrateOperation, ops
from sqlalchemy import types as sqltypes
from sqlalchemy.schema import Column

import sqlalchemy_ruvector
from sqlalchemy_ruvector.types import VectorType

from ..dimension import AlterVectorDimensionOp

__all__ = ["add_imports", "ensure_renderers", "render_item", "vector_types", "with_imports"]

_IMPORT = "import alembic_ext"


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """A ``render_item`` hook: vector types as ``sqlalchemy_ruvector.<Type>(...)``
    with ``import sqlalchemy_ruvector``; False (Alembic's default) for anything else."""
    if type_ != "type" or not isinstance(obj, VectorType):
        return False
    name = type(obj).__name__
    if getattr(sqlalchemy_ruvector, name, None) is not type(obj):
        return False
    autogen_context.imports.add("import sqlalchemy_ruvector")
    return f"sqlalchemy_ruvector.{obj!r}"


def _types_in(type_: Any) -> Iterator[VectorType]:
    if isinstance(type_, VectorType):
        yield type_
    elif isinstance(type_, sqltypes.ARRAY):
        yield from _types_in(type_.item_type)
    for variant in getattr(type_, "_variant_mapping", {}).values():
        yield from _types_in(variant)


def vector_types(op: MigrateOperation) -> list[VectorType]:
    """The vector types ``op`` renders, or its reverse would render."""
    found: list[Any] = []
    if isinstance(op, ops.AddColumnOp):
        found.append(op.column.type)
    elif isinstance(op, ops.CreateTableOp):
        found += [c.type for c in op.columns if isinstance(c, Column)]
    elif isinstance(op, ops.AlterColumnOp):
        found += [op.modify_type, op.existing_type]
    reverse = getattr(op, "_reverse", None)  # DropColumnOp / DropTableOp
    if isinstance(reverse, MigrateOperation) and reverse is not op:
        return vector_types(reverse)
    return [t for type_ in found for t in _types_in(type_)]


_IMPORTING: dict[type[MigrateOperation], type[MigrateOperation]] = {}


def _render_with_imports(
    base: type[MigrateOperation],
) -> Callable[[AutogenContext, MigrateOperation], Any]:
    def render(autogen_context: AutogenContext, op: MigrateOperation) -> Any:
        if autogen_context.opts.get("user_module_prefix") is None:
            for type_ in vector_types(op):
                autogen_context.imports.add(f"import {type(type_).__module__}")
        return renderers.dispatch(base)(autogen_context, op)

    return render


def _importing_class(base: type[MigrateOperation]) -> type[MigrateOperation]:
    cls = _IMPORTING.get(base)
    if cls is None:

        def reverse(self: MigrateOperation) -> MigrateOperation:
            return with_imports(base.reverse(self))

        cls = type(
            base.__name__,
            (base,),
            {
                "__module__": __name__,
                "__doc__": f"{base.__name__} rendered with the imports of its vector types.",
                "reverse": reverse,
            },
        )
        renderers.dispatch_for(cls)(_render_with_imports(base))
        _IMPORTING[base] = cls
    return cls


def with_imports(op: MigrateOperation) -> MigrateOperation:
    """``op`` itself, or a copy of it whose renderer also imports its vector types."""
    if type(op) in _IMPORTING.values() or not vector_types(op):
        return op
    if not isinstance(
        op,
        (ops.AddColumnOp, ops.DropColumnOp, ops.CreateTableOp, ops.DropTableOp, ops.AlterColumnOp),
    ):
        return op
    swapped: MigrateOperation = copy.copy(op)
    swapped.__class__ = _importing_class(type(op))
    return swapped


def add_imports(container: ops.OpContainer) -> None:
    """Swap, in place and recursively, every operation that renders a vector type."""
    container.ops[:] = [
        op if isinstance(op, ops.OpContainer) else with_imports(op) for op in container.ops
    ]
    for op in container.ops:
        if isinstance(op, ops.OpContainer):
            add_imports(op)


def _call(name: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"op.{name}({', '.join(shown)})"


@renderers.dispatch_for(AlterVectorDimensionOp)
def _render_alter_vector_dimension(
    autogen_context: AutogenContext, op: AlterVectorDimensionOp
) -> str:
    autogen_context.imports.add(_IMPORT)
    kwargs: dict[str, Any] = {}
    if op.using is not None:
        kwargs["using"] = op.using
    if op.truncate:
        kwargs["truncate"] = True
    if op.schema is not None:
        kwargs["schema"] = op.schema
    args = [op.table_name, op.column_name, op.from_dim, op.to_dim]
    return _call("alter_vector_dimension", args, kwargs)


def _render_vector_operation(autogen_context: AutogenContext, op: Any) -> str:
    autogen_context.imports.add(_IMPORT)
    args, kwargs = op.arguments()
    return str(_call(op.op_name, args, kwargs))


def _subclasses(cls: type[Any]) -> Iterator[type[Any]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def ensure_renderers() -> None:
    """Give each operation class of :mod:`alembic_ext.ops` that has no renderer one
    (``op.<op_name>(<arguments()>)`` plus ``import alembic_ext``). Called when
    autogenerate runs, after every module that could register its own has loaded."""
    from ..ops import VectorOperation

    for cls in _subclasses(VectorOperation):
        if "op_name" not in vars(cls):
            continue
        try:
            renderers.dispatch(cls)
        except ValueError:
            renderers.dispatch_for(cls)(_render_vector_operation)
