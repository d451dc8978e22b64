"""Write a runnable Alembic revision file from operations (``plan --write``)."""

from __future__ import annotations

import ast
import contextlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy_ruvector.errors import InvalidArgumentError

from .ops import VectorOperation

__all__ = ["find_head", "render_call", "write_revision"]


def render_call(op: VectorOperation) -> str:
    """``op.migrate_to_ruvector('documents', 'embedding')`` from the op's arguments."""
    args, kwargs = op.arguments()
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"op.{op.op_name}({', '.join(shown)})"


def find_head(directory: Path) -> str | None:
    """The single head among the revision files in ``directory`` (None when empty);
    several heads raise ValueError asking for an explicit down revision."""
    revisions: dict[str, tuple[str, ...]] = {}
    for path in directory.glob("*.py"):
        values: dict[str, object] = {}
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    with contextlib.suppress(ValueError):
                        values[target.id] = ast.literal_eval(node.value)
        if isinstance(values.get("revision"), str):
            down = values.get("down_revision")
            parents = (down,) if isinstance(down, str) else tuple(down or ())  # type: ignore[arg-type]
            revisions[str(values["revision"])] = tuple(map(str, parents))
    referenced = {p for parents in revisions.values() for p in parents}
    heads = sorted(set(revisions) - referenced)
    if len(heads) > 1:
        raise InvalidArgumentError(
            f"{directory} has several heads ({', '.join(heads)}): pass --down-revision",
            argument="down_revision",
        )
    return heads[0] if heads else None


def write_revision(
    directory: Path,
    upgrade: Sequence[VectorOperation],
    downgrade: Sequence[VectorOperation],
    *,
    message: str,
    down_revision: str | None,
) -> Path:
    revision = uuid.uuid4().hex[:12]
    slug = "_".join(message.lower().split())[:40]
    path = directory / f"{revision}_{slug}.py"
    body_up = "\n".join(f"    {render_call(op)}" for op in upgrade) or "    pass"
    body_down = "\n".join(f"    {render_call(op)}" for op in downgrade) or "    pass"
    created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    path.write_text(
        f'''"""{message}

Written by ``python -m alembic_ext plan --write``.

Revision ID: {revision}
Revises: {down_revision or ""}
Create Date: {created}
"""

from __future__ import annotations

from alembic import op

import alembic_ext  # noqa: F401  (registers the operations)

revision = {revision!r}
down_revision = {down_revision!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
{body_up}


def downgrade() -> None:
{body_down}
'''
    )
    return path
