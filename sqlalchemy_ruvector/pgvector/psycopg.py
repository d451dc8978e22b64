"""``pgvector.psycopg.register_vector`` for ruvector, as pgvector-python's README uses
it for arrays of vectors on a plain ``postgresql+psycopg`` engine::

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection, connection_record):
        register_vector(dbapi_connection)

(Our ``postgresql+ruvector`` dialect and the ``ruvector`` plugin do this by themselves.)
"""

from __future__ import annotations

from typing import Any

from ..adapters import register_ruvector

__all__ = ["register_vector"]


def register_vector(conn: Any, globally: bool = False, arrays: bool = True) -> None:
    """Probe the server and register ruvector's psycopg adapters on ``conn`` (arrays
    included); ``globally`` and ``arrays`` are accepted for pgvector-python's signature."""
    del globally, arrays  # adapters are per connection; arrays are always registered
    register_ruvector(conn)
