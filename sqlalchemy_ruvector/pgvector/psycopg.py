"""``pgvector.psycopg.register_vector`` for ruvector, as pgvector-python's README uses
it for arrays of vectors on a plain ``postgresql+psycopg`` engine::

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection, connection_record):
        register_vector(dbapi_connection)

and ``register_vector_async`` on a plain ``postgresql+psycopg_async`` engine::

    @event.listens_for(engine.sync_engine, "connect")
    def connect(dbapi_connection, connection_record):
        dbapi_connection.run_async(register_vector_async)

(Our ``postgresql+ruvector`` dialect and the ``ruvector`` plugin do this by themselves.)
"""

from __future__ import annotations

from typing import Any

from ..adapters import register_ruvector, register_ruvector_async

__all__ = ["register_vector", "register_vector_async"]


def register_vector(conn: Any, globally: bool = False, arrays: bool = True) -> None:
    """Probe the server and register ruvector's psycopg adapters on ``conn`` (arrays
    included); ``globally`` and ``arrays`` are accepted for pgvector-python's signature."""
    del globally, arrays  # adapters are per connection; arrays are always registered
    register_ruvector(conn)


async def register_vector_async(conn: Any, globally: bool = False, arrays: bool = True) -> None:
    """:func:`register_vector` for a psycopg ``AsyncConnection``."""
    del globally, arrays
    await register_ruvector_async(conn)
