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

from . import codecs
from .capabilities import Capabilities
from .codecs import BinaryLayout
from .sparse_vector import SparseVector, to_sparse
from .types import HalfVecParam, PgVectorParam, RuVectorParam, VectorParam
from .values import to_float16, to_float32

__all__ = ["OWN_SQL_TYPES", "register_adapters", "register_ruvector"]


def _f32(obj: Any) -> Any:
    """Params were validated by the column type; COPY ``set_types`` and raw psycopg
    pass plain values, which are validated here."""
    return obj.array if isinstance(obj, VectorParam) else to_float32(obj)


def _f16(obj: Any) -> Any:
    return obj.array if isinstance(obj, HalfVecParam) else to_float16(obj)


class _TextDumper(Dumper):
    format = Format.TEXT
    encode: Callable[[Any], str]

    def dump(self, obj: Any) -> Buffer:
        return type(self).encode(obj).encode()


class _BinaryDumper(Dumper):
    format = Format.BINARY
    encode: Callable[[Any], bytes]

    def dump(self, obj: Any) -> Buffer:
        return type(self).encode(obj)


class _TextLoader(Loader):
    format = Format.TEXT
    decode: Callable[[Buffer], Any]

    def load(self, data: Buffer) -> Any:
        return type(self).decode(data)


class _BinaryLoader(Loader):
    format = Format.BINARY
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


def _vector_binary_dumper(name: str, oid: int, layout: BinaryLayout) -> type[Dumper]:
    """Binary dumper of ``vector``/``ruvector``: one call per row, no re-validation of
    params (the column type validated them before any SQL was sent)."""
    encode = codecs.vector_binary_encoder(layout)

    def dump(self: Dumper, obj: Any) -> Buffer:
        if isinstance(obj, VectorParam):
            return encode(obj.array)
        return encode(to_float32(obj))

    return type(name, (Dumper,), {"format": Format.BINARY, "oid": oid, "dump": dump})


def _vector_binary_loader(name: str, oid: int, layout: BinaryLayout) -> type[Loader]:
    decode = codecs.vector_binary_decoder(layout)

    def load(self: Loader, data: Buffer) -> Any:
        return decode(data)

    return type(name, (Loader,), {"format": Format.BINARY, "load": load})


def _codecs_for(name: str) -> dict[str, Callable[..., Any]]:
    """Encode/decode functions of one SQL type: text_out, text_in (and binary_out,
    binary_in for halfvec and sparsevec, whose layout never varies)."""
    if name in ("ruvector", "vector"):  # binary: _vector_binary_dumper / _loader
        return {
            "text_out": lambda o: codecs.vector_to_text(_f32(o)),
            "text_in": codecs.vector_from_text,
        }
    if name == "halfvec":
        return {
            "text_out": lambda o: codecs.halfvec_to_text(_f16(o)),
            "binary_out": lambda o: codecs.halfvec_to_binary(_f16(o)),
            "text_in": codecs.halfvec_from_text,
            "binary_in": codecs.halfvec_from_binary,
        }
    return {
        "text_out": lambda o: codecs.sparsevec_to_text(to_sparse(o)),
        "binary_out": lambda o: codecs.sparsevec_to_binary(to_sparse(o)),
        "text_in": codecs.sparsevec_from_text,
        "binary_in": codecs.sparsevec_from_binary,
    }


#: Which Python param class travels as which SQL type.
_PARAM_CLASSES: dict[str, type[Any]] = {
    "ruvector": RuVectorParam,
    "vector": PgVectorParam,
    "halfvec": HalfVecParam,
    "sparsevec": SparseVector,
}


#: The SQL types this package owns: only their OIDs get our loaders on an engine's
#: connections. pgvector's vector/halfvec/sparsevec values stay as psycopg gives
#: them (str), so other libraries' column types (pgvector-python's) read what they
#: expect; our own column types decode those results themselves. Arrays of them are
#: split into elements (a list of str), which our types' array items decode too.
OWN_SQL_TYPES: Final = frozenset({"ruvector"})


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
    for name, cls in _PARAM_CLASSES.items():
        fns = _codecs_for(name)
        adapters.register_dumper(
            cls, _adapter(_TextDumper, f"{name}_text_dumper", 0, fns["text_out"])
        )
    if caps is None or not caps.probed:
        return
    for name, oids in caps.types.items():
        layout = caps.binary_layout if name == "ruvector" else BinaryLayout.PGVECTOR
        fns = _codecs_for(name)
        text_dumper = _adapter(_TextDumper, f"{name}_text_dumper", oids.oid, fns["text_out"])
        if name in ("ruvector", "vector"):
            binary_dumper = _vector_binary_dumper(f"{name}_binary_dumper", oids.oid, layout)
            binary_loader = _vector_binary_loader(f"{name}_binary_loader", oids.oid, layout)
        else:
            binary_dumper = _adapter(
                _BinaryDumper, f"{name}_binary_dumper", oids.oid, fns["binary_out"]
            )
            binary_loader = _adapter(
                _BinaryLoader, f"{name}_binary_loader", oids.oid, fns["binary_in"]
            )
        # Text first, binary last: the last one registered serves "%s" placeholders.
        adapters.register_dumper(_PARAM_CLASSES[name], text_dumper)
        adapters.register_dumper(_PARAM_CLASSES[name], binary_dumper)
        # Known by name (COPY) and its arrays split into elements, which are loaded
        # by the element loaders below, or left as str / bytes where there are none.
        TypeInfo(name, oids.oid, oids.array_oid).register(context)
        if own_loaders_only and name not in OWN_SQL_TYPES:
            continue
        adapters.register_loader(
            oids.oid, _adapter(_TextLoader, f"{name}_text_loader", oids.oid, fns["text_in"])
        )
        adapters.register_loader(oids.oid, binary_loader)


def register_ruvector(conn: Any) -> Capabilities:
    """Set up a plain psycopg connection: probe the server, register adapters, and
    let numpy arrays bind as ``ruvector`` (as pgvector-python's ``register_vector``).

    Returns the probed capabilities."""
    from psycopg.pq import TransactionStatus

    from .capabilities import probe

    idle = conn.info.transaction_status == TransactionStatus.IDLE

    def run(query: str) -> Any:
        with conn.cursor() as cur:
            cur.execute(query)
            return cur.fetchall()

    caps = probe(run)
    if idle and conn.info.transaction_status == TransactionStatus.INTRANS:
        conn.rollback()  # leave the connection as we found it
    register_adapters(conn, caps)
    ruvector = caps.types.get("ruvector")
    if ruvector is not None:
        conn.adapters.register_dumper(
            np.ndarray,
            _vector_binary_dumper("ndarray_ruvector_dumper", ruvector.oid, caps.binary_layout),
        )
    return caps
