"""psycopg 3 dumpers and loaders for ruvector, vector, halfvec and sparsevec.

Text dumpers (type OID left unknown; SQLAlchemy renders a ``::type(n)`` cast) are
registered before anything is known about the server, so binds always work. Once
the server is probed, binary dumpers and loaders bound to the real OIDs take over:
binary for parameters, COPY and arrays of vectors, in the layout the probe found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
from psycopg.abc import AdaptContext, Buffer
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg.types import TypeInfo

from .capabilities import Capabilities
from .codecs import BinaryLayout
from .vector_types import VECTOR_TYPES, VectorTypeSpec, extension_types

__all__ = ["OWN_SQL_TYPES", "register_adapters", "register_ruvector", "register_ruvector_async"]


class _TextDumper(Dumper):
    format = Format.TEXT
    encode: Callable[[Any], str]

    def dump(self, obj: Any) -> Buffer:
        return type(self).encode(obj).encode()


class _TextLoader(Loader):
    format = Format.TEXT
    decode: Callable[[Buffer], Any]

    def load(self, data: Buffer) -> Any:
        return type(self).decode(data)


def _adapter(base: type[Any], name: str, oid: int, fn: Callable[..., Any]) -> type[Any]:
    """A dumper/loader class bound to one OID and codec function."""
    return type(
        name,
        (base,),
        {"oid": oid, "encode" if issubclass(base, Dumper) else "decode": staticmethod(fn)},
    )


def _value_of(spec: VectorTypeSpec) -> Callable[[Any], Any]:
    """The validated value of what a dumper of ``spec`` is given: params were validated
    by the column type (their ``array``); COPY ``set_types``, raw psycopg and numpy
    arrays pass plain values, which are validated here."""
    param, coerce = spec.param_class(), spec.coerce_function()
    if not hasattr(param, "array"):  # the value class itself (SparseVector)
        return coerce
    return lambda obj: obj.array if isinstance(obj, param) else coerce(obj)


def _text_out(spec: VectorTypeSpec) -> Callable[[Any], str]:
    encode, value_of = spec.text_codec()[0], _value_of(spec)
    return lambda obj: encode(value_of(obj))


def _binary_dumper(name: str, oid: int, spec: VectorTypeSpec, layout: BinaryLayout) -> type[Dumper]:
    """Binary dumper of one type and layout: one call per row, no re-validation of
    params (the column type validated them before any SQL was sent)."""
    encode = spec.binary_codec(layout)[0]
    param, coerce = spec.param_class(), spec.coerce_function()
    if hasattr(param, "array"):

        def dump(self: Dumper, obj: Any) -> Buffer:
            return encode(obj.array if isinstance(obj, param) else coerce(obj))

    else:

        def dump(self: Dumper, obj: Any) -> Buffer:
            return encode(coerce(obj))

    return type(name, (Dumper,), {"format": Format.BINARY, "oid": oid, "dump": dump})


def _binary_loader(name: str, oid: int, spec: VectorTypeSpec, layout: BinaryLayout) -> type[Loader]:
    decode = spec.binary_codec(layout)[1]

    def load(self: Loader, data: Buffer) -> Any:
        return decode(data)

    return type(name, (Loader,), {"format": Format.BINARY, "load": load})


#: The types our adapters dump and load: every row with a param class.
_ADAPTED: Final = {s.sql_name: s for s in VECTOR_TYPES if s.param is not None}

#: The SQL types this package owns: only their OIDs get our loaders on an engine's
#: connections. pgvector's vector/halfvec/sparsevec values stay as psycopg gives
#: them (str), so other libraries' column types (pgvector-python's) read what they
#: expect; our own column types decode those results themselves. Arrays of them are
#: split into elements (a list of str), which our types' array items decode too.
OWN_SQL_TYPES: Final = frozenset(extension_types("ruvector"))


def register_adapters(
    context: AdaptContext, caps: Capabilities | None, *, own_loaders_only: bool = False
) -> None:
    """Register our adapters on a psycopg connection, cursor or adapters map.

    Dumpers are registered for our parameter classes only. Without probed
    capabilities only the text dumpers (unknown OID) are registered. With
    ``own_loaders_only`` (engines), loaders are registered for ``OWN_SQL_TYPES``
    only; otherwise (``register_ruvector`` on a raw connection) for every vector type.
    """
    adapters = context.adapters
    for name, spec in _ADAPTED.items():
        adapters.register_dumper(
            spec.param_class(), _adapter(_TextDumper, f"{name}_text_dumper", 0, _text_out(spec))
        )
    if caps is None or not caps.probed:
        return
    for name, oids in caps.types.items():
        spec = _ADAPTED[name]
        layout = spec.binary_layout(caps)
        text_dumper = _adapter(_TextDumper, f"{name}_text_dumper", oids.oid, _text_out(spec))
        binary_dumper = _binary_dumper(f"{name}_binary_dumper", oids.oid, spec, layout)
        binary_loader = _binary_loader(f"{name}_binary_loader", oids.oid, spec, layout)
        # Text first, binary last: the last one registered serves "%s" placeholders.
        adapters.register_dumper(spec.param_class(), text_dumper)
        adapters.register_dumper(spec.param_class(), binary_dumper)
        # Known by name (COPY) and its arrays split into elements, which are loaded
        # by the element loaders below, or left as str / bytes where there are none.
        TypeInfo(name, oids.oid, oids.array_oid).register(context)
        if own_loaders_only and name not in OWN_SQL_TYPES:
            continue
        text_in = spec.text_codec()[1]
        adapters.register_loader(
            oids.oid, _adapter(_TextLoader, f"{name}_text_loader", oids.oid, text_in)
        )
        adapters.register_loader(oids.oid, binary_loader)


def register_ruvector(conn: Any) -> Capabilities:
    """Set up a plain psycopg connection: probe the server, register adapters, and
    let numpy arrays bind as ``ruvector`` (as pgvector-python's ``register_vector``).

    Returns the probed capabilities."""
    from .capabilities import probe

    idle = _idle(conn)

    def run(query: str) -> Any:
        with conn.cursor() as cur:
            cur.execute(query)
            return cur.fetchall()

    caps = probe(run)
    if idle and not _idle(conn):
        conn.rollback()  # leave the connection as we found it
    _register_on_connection(conn, caps)
    return caps


async def register_ruvector_async(conn: Any) -> Capabilities:
    """:func:`register_ruvector` for a psycopg ``AsyncConnection``."""
    from .capabilities import probe_async

    idle = _idle(conn)

    async def run(query: str) -> Any:
        async with conn.cursor() as cur:
            await cur.execute(query)
            return await cur.fetchall()

    caps = await probe_async(run)
    if idle and not _idle(conn):
        await conn.rollback()  # leave the connection as we found it
    _register_on_connection(conn, caps)
    return caps


def _idle(conn: Any) -> bool:
    from psycopg.pq import TransactionStatus

    return bool(conn.info.transaction_status == TransactionStatus.IDLE)


def _register_on_connection(conn: Any, caps: Capabilities) -> None:
    """Every adapter, plus numpy arrays binding as our own SQL types."""
    register_adapters(conn, caps)
    for name in OWN_SQL_TYPES & set(caps.types):
        spec = _ADAPTED[name]
        conn.adapters.register_dumper(
            np.ndarray,
            _binary_dumper(
                f"ndarray_{name}_dumper", caps.types[name].oid, spec, spec.binary_layout(caps)
            ),
        )
