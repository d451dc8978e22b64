"""Autogenerate support: vector types rendered with imports, vector indexes compared
by method/opclass/params, type changes as migration operations, internal tables left
out. :func:`register` adds the comparators to Alembic's global registry (done by
``import alembic_ext``); :func:`alembic_ext.plugin.setup` adds them to a Plugin.
"""

from __future__ import annotations

from typing import Any, Final

from .comparators import compare_schema, compare_table
from .internal_tables import INTERNAL_TABLE_PREFIX, include_object, is_internal_table
from .render import render_item

__all__ = [
    "COMPARATORS",
    "INTERNAL_TABLE_PREFIX",
    "compare_schema",
    "compare_table",
    "include_object",
    "is_internal_table",
    "register",
    "render_item",
]

#: (compare target, function): what both registrations add.
COMPARATORS: Final = (("schema", compare_schema), ("table", compare_table))

_registered = False


def register() -> None:
    """Add the comparators to ``alembic.autogenerate.comparators`` (once), which
    every autogenerate run copies: after the built-ins, so they see Alembic's ops."""
    global _registered
    if _registered:
        return
    from alembic.autogenerate import comparators

    try:
        from alembic.util import DispatchPriority  # Alembic >= 1.18
    except ImportError:
        for target, fn in COMPARATORS:
            comparators.dispatch_for(target)(fn)
    else:
        options: dict[str, Any] = {"priority": DispatchPriority.LAST}
        for target, fn in COMPARATORS:
            comparators.dispatch_for(target, **options)(fn)
    _registered = True
