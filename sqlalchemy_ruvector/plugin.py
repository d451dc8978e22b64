"""Engine plugin: ``create_engine(url, plugins=["ruvector"])`` on ``postgresql+psycopg``.

For users who keep their URL: the same probe, adapters, execution option and
reflection names as the ``postgresql+ruvector`` dialect, set on that engine's own
dialect instance (no global patching).
"""

from __future__ import annotations

from sqlalchemy.engine import CreateEnginePlugin, Engine
from sqlalchemy.engine.url import URL

from .dialect import VECTOR_ISCHEMA_NAMES
from .engine_setup import install_engine
from .errors import InvalidArgumentError

__all__ = ["RuVectorPlugin"]


class RuVectorPlugin(CreateEnginePlugin):
    """Registered under the entry point ``sqlalchemy.plugins: ruvector``."""

    def update_url(self, url: URL) -> URL:
        """Nothing to consume: SQLAlchemy already drops ``plugin=`` from the URL, but
        its base method raises NotImplementedError, so the override must exist."""
        return url

    def engine_created(self, engine: Engine) -> None:
        dialect = engine.dialect
        if dialect.name != "postgresql" or dialect.driver != "psycopg":
            found = f"{dialect.name}+{dialect.driver}"
            raise InvalidArgumentError(
                f"the ruvector plugin needs postgresql+psycopg, not {found}",
                argument="url",
                value=found,
            )
        dialect.ischema_names = {**dialect.ischema_names, **VECTOR_ISCHEMA_NAMES}  # type: ignore[attr-defined]
        install_engine(engine)
