"""The vector types, one row each: everything the package needs to know about a SQL type.

Reflection names (``ischema_names``), the psycopg adapters, the comparators' function
names, the capability probe's type query, opclass resolution, COPY and Alembic's
planning are all derived from :data:`VECTOR_TYPES`; adding a type is adding a row.

The table is plain data, importable from the lowest layers (``capabilities``,
``metrics``) without cycles: classes and codecs are named as ``"module:attribute"``
references inside this package and imported on first use, as SQLAlchemy's dialect
registry names its dialects.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from .binary_layout import BinaryLayout

if TYPE_CHECKING:
    from .capabilities import Capabilities

__all__ = [
    "VECTOR_TYPES",
    "Layout",
    "Reflection",
    "VectorTypeSpec",
    "column_classes",
    "default_opclass_keys",
    "extension_types",
    "family_types",
    "is_ruvector",
    "opclass_metrics",
    "probed_type_names",
    "storage_types",
    "vector_type",
]


class Layout(enum.Enum):
    """Which binary layout a type's send/recv functions use."""

    PROBED = "probed"  # ruvector: the probe tells (2.0.5 drops pgvector's 2 unused bytes)
    PGVECTOR = "pgvector"  # pgvector's vector layout; the codecs take it as an argument
    OWN = "own"  # one fixed layout (halfvec, sparsevec); the codecs know it


class Reflection(enum.Enum):
    """Where a reflected column of this type gets the row's column class."""

    EVERYWHERE = "everywhere"  # our dialects, and plain ``postgresql`` engines (overriding)
    SHARED = "shared"  # our dialects; plain engines unless another library registered it
    DIALECT = "dialect"  # our dialects only (pgvector-python owns it on plain engines)
    NONE = "none"  # PostgreSQL's own reflection stays


@dataclass(frozen=True)
class VectorTypeSpec:
    """One SQL type. References (``column``, ``param``, codecs) are ``"module:name"``
    relative to this package, resolved by the methods below. The server has a type
    of an extension when the capability probe found it (``Capabilities.types``, from
    :func:`probed_type_names`); core types always; see :meth:`available`."""

    sql_name: str
    #: Extension that creates the type (None: PostgreSQL core); the probe lists these.
    extension: str | None
    #: Whose operators and functions apply: ``"ruvector"`` (probed per server) or ``"pgvector"``.
    family: str
    #: Element storage: float32, float16, sparse or bit (what COPY and accel handle).
    storage: str
    column: str
    reflection: Reflection
    #: The class our adapters dump as this type, and the function validating plain values.
    param: str | None = None
    coerce: str | None = None
    #: text out (value -> str) and in (str -> value).
    text_out: str | None = None
    text_in: str | None = None
    #: binary out/in: functions, or factories taking the layout (see :class:`Layout`).
    binary_out: str | None = None
    binary_in: str | None = None
    layout: Layout = Layout.OWN
    #: SQL function names for the comparators' ``dims()``, ``norm()``, ``normalize()``.
    functions: Mapping[str, str] = field(default_factory=dict)
    #: index method -> metrics with an operator class, first = the default one.
    index_metrics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: methods whose first opclass above is declared DEFAULT (else the opclass must be named).
    default_opclass: tuple[str, ...] = ()
    #: Opclass names are ``<prefix>_<metric suffix>``; None: the SQL name.
    opclass_prefix: str | None = None
    #: The type a column of this type migrates to between pgvector and ruvector.
    counterpart: str | None = None
    #: The pgvector-python drop-in's column class (``sqlalchemy_ruvector.pgvector``).
    dropin_column: str | None = None

    # -- derived facts ---------------------------------------------------------------------
    @property
    def is_ruvector(self) -> bool:
        """Whether ruvector creates it: its access methods, layout and operators are
        probed per server instead of being pgvector's fixed ones."""
        return self.layout is Layout.PROBED

    @property
    def prefix(self) -> str:
        return self.opclass_prefix or self.sql_name

    def available(self, caps: Capabilities) -> bool:
        """Whether the server has the type (core types always; unprobed: assumed)."""
        return self.extension is None or caps.has_type(self.sql_name)

    def binary_layout(self, caps: Capabilities) -> BinaryLayout:
        """The binary layout of this type's values on the server described by ``caps``."""
        return caps.binary_layout if self.layout is Layout.PROBED else BinaryLayout.PGVECTOR

    # -- references ------------------------------------------------------------------------
    def _ref(self, ref: str | None, what: str) -> Any:
        if ref is None:
            raise LookupError(f"vector type {self.sql_name} has no {what}")
        return _resolve(ref)

    def column_class(self) -> type[Any]:
        cls: type[Any] = self._ref(self.column, "column")
        return cls

    def dropin_class(self) -> type[Any]:
        cls: type[Any] = self._ref(self.dropin_column, "dropin_column")
        return cls

    def param_class(self) -> type[Any]:
        cls: type[Any] = self._ref(self.param, "param")
        return cls

    def coerce_function(self) -> Callable[[Any], Any]:
        coerce: Callable[[Any], Any] = self._ref(self.coerce, "coerce")
        return coerce

    def text_codec(self) -> tuple[Callable[[Any], str], Callable[[Any], Any]]:
        """(encode, decode) of the text form."""
        return self._ref(self.text_out, "text_out"), self._ref(self.text_in, "text_in")

    def binary_codec(
        self, layout: BinaryLayout
    ) -> tuple[Callable[[Any], bytes], Callable[[Any], Any]]:
        """(encode, decode) of the binary form in ``layout`` (ignored by OWN-layout types)."""
        encode = self._ref(self.binary_out, "binary_out")
        decode = self._ref(self.binary_in, "binary_in")
        if self.layout is Layout.OWN:
            return encode, decode
        return encode(layout), decode(layout)


@cache
def _resolve(ref: str) -> Any:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


_RUVECTOR_FUNCTIONS: Final = {
    "dims": "ruvector_dims",
    "norm": "ruvector_norm",
    "normalize": "ruvector_normalize",
}

#: Every vector type: ruvector's own, pgvector's (also the drop-in's), and core ``bit``.
#: Opclass metrics are pgvector 0.8.x's and ruvector's documented surface.
VECTOR_TYPES: Final[tuple[VectorTypeSpec, ...]] = (
    VectorTypeSpec(
        "ruvector",
        extension="ruvector",
        family="ruvector",
        storage="float32",
        column="types:RuVector",
        reflection=Reflection.EVERYWHERE,
        param="types:RuVectorParam",
        coerce="values:to_float32",
        text_out="codecs:vector_to_text",
        text_in="codecs:vector_from_text",
        binary_out="codecs:vector_binary_encoder",
        binary_in="codecs:vector_binary_decoder",
        layout=Layout.PROBED,
        functions=_RUVECTOR_FUNCTIONS,
        index_metrics={"hnsw": ("l2", "cosine", "ip"), "ivfflat": ("l2", "cosine", "ip")},
        default_opclass=("hnsw", "ivfflat"),
        counterpart="vector",
        dropin_column="pgvector.sqlalchemy:VECTOR",
    ),
    VectorTypeSpec(
        "vector",
        extension="vector",
        family="pgvector",
        storage="float32",
        column="types:PgVector",
        reflection=Reflection.DIALECT,
        param="types:PgVectorParam",
        coerce="values:to_float32",
        text_out="codecs:vector_to_text",
        text_in="codecs:vector_from_text",
        binary_out="codecs:vector_binary_encoder",
        binary_in="codecs:vector_binary_decoder",
        layout=Layout.PGVECTOR,
        functions={"dims": "vector_dims", "norm": "vector_norm", "normalize": "l2_normalize"},
        index_metrics={"hnsw": ("l2", "ip", "cosine", "l1"), "ivfflat": ("l2", "ip", "cosine")},
        default_opclass=("ivfflat",),
        counterpart="ruvector",
    ),
    VectorTypeSpec(
        "halfvec",
        extension="vector",
        family="pgvector",
        storage="float16",
        column="types:HalfVec",
        reflection=Reflection.SHARED,
        param="types:HalfVecParam",
        coerce="values:to_float16",
        text_out="codecs:halfvec_to_text",
        text_in="codecs:halfvec_from_text",
        binary_out="codecs:halfvec_to_binary",
        binary_in="codecs:halfvec_from_binary",
        functions={"dims": "vector_dims", "norm": "l2_norm", "normalize": "l2_normalize"},
        index_metrics={"hnsw": ("l2", "ip", "cosine", "l1"), "ivfflat": ("l2", "ip", "cosine")},
        dropin_column="pgvector.sqlalchemy:HALFVEC",
    ),
    VectorTypeSpec(
        "sparsevec",
        extension="vector",
        family="pgvector",
        storage="sparse",
        column="types:SparseVec",
        reflection=Reflection.SHARED,
        param="sparse_vector:SparseVector",
        coerce="sparse_vector:to_sparse",
        text_out="codecs:sparsevec_to_text",
        text_in="codecs:sparsevec_from_text",
        binary_out="codecs:sparsevec_to_binary",
        binary_in="codecs:sparsevec_from_binary",
        functions={"norm": "l2_norm", "normalize": "l2_normalize"},
        index_metrics={"hnsw": ("l2", "ip", "cosine", "l1")},
        dropin_column="pgvector.sqlalchemy:SPARSEVEC",
    ),
    VectorTypeSpec(
        "bit",
        extension=None,
        family="pgvector",
        storage="bit",
        column="types.bit:BIT",
        reflection=Reflection.NONE,
        index_metrics={"hnsw": ("hamming", "jaccard"), "ivfflat": ("hamming",)},
    ),
)

_BY_NAME: Final = {spec.sql_name: spec for spec in VECTOR_TYPES}


def _rows(rows: Iterable[VectorTypeSpec] | None) -> Iterable[VectorTypeSpec]:
    """``rows``, or the table itself (read at call time, so derived maps follow it)."""
    return VECTOR_TYPES if rows is None else rows


def vector_type(sql_name: str | None) -> VectorTypeSpec | None:
    """The row of SQL type ``sql_name``; None for any other type."""
    return _BY_NAME.get(sql_name) if sql_name is not None else None


def is_ruvector(sql_name: str | None) -> bool:
    """Whether ``sql_name`` is a type whose surface is ruvector's (probed per server)."""
    spec = vector_type(sql_name)
    return spec is not None and spec.is_ruvector


def column_classes(rows: Iterable[VectorTypeSpec] | None = None) -> dict[str, Any]:
    """Our dialects' ``ischema_names`` entries: SQL name -> column class."""
    return {
        r.sql_name: r.column_class() for r in _rows(rows) if r.reflection is not Reflection.NONE
    }


def probed_type_names(rows: Iterable[VectorTypeSpec] | None = None) -> tuple[str, ...]:
    """Types the capability probe looks up (those an extension creates)."""
    return tuple(r.sql_name for r in _rows(rows) if r.extension is not None)


def extension_types(
    extension: str, rows: Iterable[VectorTypeSpec] | None = None
) -> tuple[str, ...]:
    """SQL names of the types ``extension`` (``"vector"``, ``"ruvector"``) creates."""
    return tuple(r.sql_name for r in _rows(rows) if r.extension == extension)


def family_types(family: str, rows: Iterable[VectorTypeSpec] | None = None) -> tuple[str, ...]:
    """SQL names of the types whose operators are ``family``'s."""
    return tuple(r.sql_name for r in _rows(rows) if r.family == family)


def storage_types(*storage: str, rows: Iterable[VectorTypeSpec] | None = None) -> tuple[str, ...]:
    """SQL names of the types storing their elements as one of ``storage``."""
    return tuple(r.sql_name for r in _rows(rows) if r.storage in storage)


def opclass_metrics(
    rows: Iterable[VectorTypeSpec] | None = None,
) -> dict[tuple[str, str], tuple[str, ...]]:
    """(opclass prefix, method) -> metrics with an operator class, first = the default."""
    return {
        (r.prefix, method): metrics
        for r in _rows(rows)
        for method, metrics in r.index_metrics.items()
    }


def default_opclass_keys(
    rows: Iterable[VectorTypeSpec] | None = None,
) -> frozenset[tuple[str, str]]:
    """(opclass prefix, method) pairs whose first opclass is declared DEFAULT."""
    return frozenset((r.prefix, method) for r in _rows(rows) for method in r.default_opclass)
