"""Decoded column chunks -> pyarrow arrays without copying the decoded buffers."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .columns import ColumnSpec, Kind
from .decode import Column

__all__ = ["arrow_batch", "arrow_schema"]

_SCALAR_TYPES = {
    "int2": "int16",
    "int4": "int32",
    "int8": "int64",
    "float4": "float32",
    "float8": "float64",
    "bool": "bool_",
}


def arrow_type(spec: ColumnSpec) -> Any:
    import pyarrow as pa

    if spec.kind in (Kind.DENSE, Kind.HALF):
        if spec.dim is None:
            return pa.list_(pa.float32())
        return pa.list_(pa.float32(), spec.dim)
    if spec.kind is Kind.SPARSE:
        return pa.struct(
            [
                ("dim", pa.int32()),
                ("indices", pa.list_(pa.int32())),
                ("values", pa.list_(pa.float32())),
            ]
        )
    if spec.kind is Kind.FIXED:
        return getattr(pa, _SCALAR_TYPES[spec.type_name])()
    return None  # inferred from the values


def arrow_schema(specs: list[ColumnSpec]) -> Any:
    import pyarrow as pa

    fields = []
    for spec in specs:
        t = arrow_type(spec)
        fields.append(pa.field(spec.name, pa.null() if t is None else t))
    return pa.schema(fields)


def _validity(null: npt.NDArray[np.bool_]) -> Any:
    import pyarrow as pa

    if not null.any():
        return None
    return pa.py_buffer(np.packbits(~null, bitorder="little"))


def _to_arrow(spec: ColumnSpec, col: Column) -> Any:
    import pyarrow as pa

    n = col.null.shape[0]
    valid = _validity(col.null)
    nulls = int(col.null.sum())
    if col.kind == "matrix":
        values = pa.array(np.ascontiguousarray(col.values).reshape(-1))
        return pa.Array.from_buffers(
            arrow_type(spec), n, [valid], null_count=nulls, children=[values]
        )
    if col.kind == "ragged":
        assert col.offsets is not None
        offsets = pa.py_buffer(col.offsets.astype(np.int32))
        return pa.Array.from_buffers(
            pa.list_(pa.float32()),
            n,
            [valid, offsets],
            null_count=nulls,
            children=[pa.array(col.values)],
        )
    if col.kind == "sparse":
        assert col.offsets is not None
        offsets = pa.py_buffer(col.offsets.astype(np.int32))
        indices = pa.Array.from_buffers(
            pa.list_(pa.int32()), n, [None, offsets], children=[pa.array(col.indices)]
        )
        values = pa.Array.from_buffers(
            pa.list_(pa.float32()), n, [None, offsets], children=[pa.array(col.values)]
        )
        return pa.Array.from_buffers(
            arrow_type(spec),
            n,
            [valid],
            null_count=nulls,
            children=[pa.array(col.dims), indices, values],
        )
    if col.kind == "scalar":
        return pa.array(col.values, mask=col.null if nulls else None)
    return pa.array(col.values)


def arrow_batch(schema: Any, specs: list[ColumnSpec], cols: list[Column]) -> Any:
    import pyarrow as pa

    arrays = [_to_arrow(s, c) for s, c in zip(specs, cols, strict=True)]
    fields = [
        f if f.type != pa.null() else pa.field(f.name, a.type)
        for f, a in zip(schema, arrays, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
