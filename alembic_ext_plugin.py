"""The ``alembic.plugins`` entry point of sqlalchemy-ruvector's Alembic extension.

Alembic (>= 1.18) imports every ``alembic.plugins`` entry point while it is itself
still being imported, before its comparator and renderer registries exist; this
module therefore imports nothing at load time and hands Alembic thin wrappers that
import :mod:`alembic_ext` on first use. Use it with::

    context.configure(..., autogenerate_plugins=["alembic.autogenerate.*", "alembic_ext"])

(``import alembic_ext`` in ``env.py`` also registers the same comparators globally;
they run once either way).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

__all__ = ["PLUGIN_NAME", "setup"]

PLUGIN_NAME = "alembic_ext"


def _compare_schema(*args: Any) -> None:
    from alembic_ext.autogenerate import compare_schema

    compare_schema(*args)


def _compare_table(*args: Any) -> None:
    from alembic_ext.autogenerate import compare_table

    compare_table(*args)


def setup(plugin: Any) -> None:
    """Register the comparators on ``plugin`` (an ``alembic.runtime.plugins.Plugin``),
    after Alembic's own, so they rework the operations Alembic produced."""
    from alembic.util import DispatchPriority

    for target, fn in (("schema", _compare_schema), ("table", _compare_table)):
        plugin.add_autogenerate_comparator(fn, target, priority=DispatchPriority.LAST)


class _PluginModule(types.ModuleType):
    """This module, also iterable over itself: Alembic 1.18.0 to 1.20.0 iterate what an
    ``alembic.plugins`` entry point loads (a collection of modules, fixed by Alembic
    #1873 in 1.20.1), later versions take the module itself; both find this ``setup``."""

    def __iter__(self) -> Iterator[types.ModuleType]:
        return iter((self,))


sys.modules[__name__].__class__ = _PluginModule
