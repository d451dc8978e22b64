"""The base every alembic_ext operation shares: its ``op.<name>`` and its arguments."""

from __future__ import annotations

from typing import Any

from alembic.operations import MigrateOperation

__all__ = ["Arguments", "VectorOperation", "non_defaults"]

Arguments = tuple[list[Any], dict[str, Any]]


class VectorOperation(MigrateOperation):
    """Common surface: ``op_name`` (the ``op.<name>`` it is called by) and the call's
    arguments as written, with defaults left out."""

    op_name: str

    def arguments(self) -> Arguments:
        raise NotImplementedError

    def __repr__(self) -> str:
        args, kwargs = self.arguments()
        shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
        return f"{type(self).__name__}({', '.join(shown)})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, VectorOperation)
            and type(other) is type(self)
            and (other.arguments() == self.arguments())
        )

    def __hash__(self) -> int:
        return hash((type(self), repr(self)))


def non_defaults(**values: Any) -> dict[str, Any]:
    """Keyword arguments that differ from their defaults (given as (value, default))."""
    return {k: v for k, (v, default) in values.items() if v != default}
