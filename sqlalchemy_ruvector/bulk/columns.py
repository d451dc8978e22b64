"""What each column of a COPY is on the server: kind, dimension, nullability, wire layout.

Facts come from the catalog (``pg_attribute``) and the engine's probed capabilities, never
from assumptions: ruvector's typmod is not enforced on input, so the column's declared
dimension is what the client checks; the binary layout of ``ruvector`` is the probed one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import sqlalchemy as sa
from psycopg import sql

from ..capabilities import Capabilities
from ..codecs import BinaryLayout
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ..types import VectorType
from ..vector_types import VECTOR_TYPES, vector_type

__all__ = ["FIXED_DTYPES", "ColumnSpec", "Kind", "resolve_table", "table_columns"]


class Kind(enum.Enum):
    DENSE = "dense"  # ruvector / pgvector vector: float32
    HALF = "halfvec"  # pgvector halfvec: float16
    SPARSE = "sparsevec"
    FIXED = "fixed"  # fixed-width scalar encoded with numpy (ints, floats, bool)
    OTHER = "other"  # everything else: psycopg's binary dumpers/loaders


#: Built-in fixed-width types encoded/decoded with numpy: type name -> big-endian dtype.
FIXED_DTYPES: Final[dict[str, np.dtype[Any]]] = {
    "int2": np.dtype(">i2"),
    "int4": np.dtype(">i4"),
    "int8": np.dtype(">i8"),
    "float4": np.dtype(">f4"),
    "float8": np.dtype(">f8"),
    "bool": np.dtype("?"),
}
#: Element storage (vector_types.VECTOR_TYPES) -> how COPY moves it.
_STORAGE_KINDS: Final = {"float32": Kind.DENSE, "float16": Kind.HALF, "sparse": Kind.SPARSE}
_VECTOR_KINDS: Final = {
    s.sql_name: _STORAGE_KINDS[s.storage] for s in VECTOR_TYPES if s.storage in _STORAGE_KINDS
}


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a COPY: name, SQL type, and how its values travel."""

    name: str
    type_name: str
    oid: int
    kind: Kind
    dim: int | None = None
    not_null: bool = False
    has_default: bool = True
    layout: BinaryLayout = BinaryLayout.PGVECTOR

    @property
    def wire_dtype(self) -> np.dtype[Any]:
        dtype: np.dtype[Any] = FIXED_DTYPES[self.type_name]
        return dtype


def spec_for(
    name: str,
    type_name: str,
    oid: int,
    typmod: int,
    caps: Capabilities,
    *,
    not_null: bool = False,
    has_default: bool = True,
) -> ColumnSpec:
    """Classify one column given its type name, OID and typmod."""
    vector_oids = {name: t.oid for name, t in caps.types.items()}
    kind = _VECTOR_KINDS.get(type_name) if vector_oids.get(type_name) == oid else None
    if kind is None:
        kind = Kind.FIXED if type_name in FIXED_DTYPES else Kind.OTHER
    spec = vector_type(type_name)
    layout = spec.binary_layout(caps) if spec is not None else BinaryLayout.PGVECTOR
    dim = typmod if kind in (Kind.DENSE, Kind.HALF, Kind.SPARSE) and typmod > 0 else None
    return ColumnSpec(name, type_name, oid, kind, dim, not_null, has_default, layout)


def resolve_table(table: Any) -> sa.Table:
    """A Table from a Table or a mapped class."""
    if isinstance(table, sa.Table):
        return table
    try:
        selectable = sa.inspect(table).local_table
    except sa.exc.NoInspectionAvailable:
        raise InvalidArgumentTypeError(
            f"table must be a sqlalchemy Table or a mapped class, got {type(table).__name__}",
            argument="table",
            value=table,
        ) from None
    if not isinstance(selectable, sa.Table):
        raise InvalidArgumentTypeError(
            f"{table!r} is not mapped to a single table", argument="table", value=table
        )
    return selectable


def table_identifier(table: sa.Table) -> sql.Identifier:
    return sql.Identifier(table.schema, table.name) if table.schema else sql.Identifier(table.name)


_COLUMNS_QUERY: Final = """
SELECT a.attname, t.typname, a.atttypid::int8, a.atttypmod, a.attnotnull,
       a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
 WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum
"""


def table_columns(cursor: Any, table: sa.Table, caps: Capabilities) -> dict[str, ColumnSpec]:
    """Every column of ``table`` as the server sees it, in table order."""
    regclass = table_identifier(table).as_string(cursor.connection)
    cursor.execute(_COLUMNS_QUERY, (regclass,))
    rows = cursor.fetchall()
    if not rows:
        raise InvalidArgumentError(
            f"table {table.fullname!r} has no columns on the server",
            argument="table",
            value=table.fullname,
        )
    specs: dict[str, ColumnSpec] = {}
    for name, type_name, oid, typmod, not_null, has_default in rows:
        spec = spec_for(
            name,
            type_name,
            int(oid),
            int(typmod),
            caps,
            not_null=bool(not_null),
            has_default=bool(has_default),
        )
        declared = table.c.get(name)
        if spec.dim is None and declared is not None and isinstance(declared.type, VectorType):
            # an unbounded column on the server, a dimension in the model: check the model's
            spec = ColumnSpec(**{**spec.__dict__, "dim": declared.type.dim})
        specs[name] = spec
    return specs
