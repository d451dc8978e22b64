"""Alembic >= 1.18 plugin interface: ``setup(plugin)`` registers the comparators.

Published under the entry point group ``alembic.plugins`` as ``alembic_ext`` (through
the import-light module :mod:`alembic_ext_plugin`), so ``context.configure(
autogenerate_plugins=["alembic.autogenerate.*", "alembic_ext"])`` enables it; or set
it up by hand::

    from alembic.runtime.plugins import Plugin
    import alembic_ext.plugin
    Plugin.setup_plugin_from_module(alembic_ext.plugin, "myproject.vectors")
"""

from __future__ import annotations

from alembic_ext_plugin import PLUGIN_NAME, setup

__all__ = ["PLUGIN_NAME", "setup"]
