"""pgvector ``sparsevec``: 1-based text form and binary."""

from __future__ import annotations

import re
from typing import Any, Final

import numpy as np

from ..errors import InvalidVectorTypeError, MalformedVectorError
from ..numeric import SPARSE_MAX_NNZ
from ..sparse_vector import SparseVector, check_sparse_dim
from ._common import (
    _F32_BE,
    _HEAD_SPARSE,
    _I32_BE,
    Buffer,
    TextInput,
    _as_text,
    _join_format,
    _parse_floats,
    _preview,
)

# --------------------------------------------------------------------------------------------
# sparsevec (pgvector)
# --------------------------------------------------------------------------------------------

#: Everything but the separators, removed to check their order in one C-level pass.
_SEPARATORS: Final = re.compile(r"[^:,]+")


def _as_sparse(vec: Any) -> SparseVector:
    if not isinstance(vec, SparseVector):
        raise InvalidVectorTypeError(
            f"expected a SparseVector, got {type(vec).__name__}; "
            "use sparse_vector.to_sparse() first"
        )
    return vec


def sparsevec_to_text(vec: SparseVector) -> str:
    """``{1:1.5,3:2}/5``: pgvector's text form uses 1-BASED indices."""
    v = _as_sparse(vec)
    nnz = v.nnz
    flat: list[Any] = [None] * (2 * nnz)
    flat[0::2] = (v.indices.astype(np.int64) + 1).tolist()
    flat[1::2] = v.values.tolist()
    body = _join_format(nnz, "%d:%.9g") % tuple(flat) if nnz else ""
    return f"{{{body}}}/{v.dim}"


def sparsevec_from_text(text: TextInput) -> SparseVector:
    """Parse ``{1:1.5,3:2}/5`` (1-based indices) to a 0-based :class:`SparseVector`."""
    s = _as_text(text).strip()
    body, slash, dim_text = s.rpartition("/")
    body = body.strip()
    dim_text = dim_text.strip()
    if (
        not slash
        or len(body) < 2
        or body[0] != "{"
        or body[-1] != "}"
        or not s.isascii()
        or "_" in s
        or not dim_text.lstrip("+").isdigit()
    ):
        raise MalformedVectorError(
            f"invalid sparsevec text: expected '{{i:v,...}}/dim', got {_preview(text)}"
        )
    dim = check_sparse_dim(int(dim_text))
    inner = body[1:-1]
    if not inner.strip():
        return SparseVector(np.empty(0, np.int32), np.empty(0, np.float32), dim)
    n = inner.count(",") + 1
    if n > SPARSE_MAX_NNZ:
        raise MalformedVectorError(
            f"invalid sparsevec text: {n} elements; the maximum is {SPARSE_MAX_NNZ} non-zeros"
        )
    # Every element is exactly 'index:value': the separators, read in order, must
    # alternate ':' ',' ... ':' (counting them is not enough: '1:2:3,4' has two of each).
    if _SEPARATORS.sub("", inner) != ":," * (n - 1) + ":":
        raise MalformedVectorError(
            f"invalid sparsevec text: every element must be 'index:value' in {_preview(text)}"
        )
    tokens = inner.replace(":", ",").split(",")
    index_tokens = tokens[0::2]
    try:
        idx = np.array(index_tokens, dtype=np.int64)
    except (ValueError, OverflowError):
        raise MalformedVectorError(
            f"invalid sparsevec text: non-integer index in {_preview(text)}"
        ) from None
    bad = (idx < 1) | (idx > dim)
    if bad.any():
        raise MalformedVectorError(
            f"invalid sparsevec text: index {int(idx[np.flatnonzero(bad)[0]])} out of range for "
            f"dim {dim} (text indices are 1-based)"
        )
    vals = _parse_floats(tokens[1::2], np.dtype(np.float32), "sparsevec")
    return SparseVector(idx - 1, vals, dim)


def sparsevec_to_binary(vec: SparseVector) -> bytes:
    """pgvector send format: ``>i dim, >i nnz, >i 0, nnz x >i index (0-based), nnz x >f4``."""
    v = _as_sparse(vec)
    return (
        _HEAD_SPARSE.pack(v.dim, v.nnz, 0)
        + v.indices.astype(_I32_BE).tobytes()
        + v.values.astype(_F32_BE).tobytes()
    )


def sparsevec_from_binary(buf: Buffer) -> SparseVector:
    """Decode pgvector's sparsevec binary value, validating length, indices and values."""
    n = len(buf)
    if n < 12:
        raise MalformedVectorError(
            f"binary sparsevec value of {n} bytes is shorter than its 12-byte header"
        )
    dim, nnz, unused = _HEAD_SPARSE.unpack_from(buf)
    if nnz < 0 or n != 12 + 8 * nnz:
        raise MalformedVectorError(
            f"binary sparsevec value of {n} bytes does not match nnz {nnz} "
            f"(expected {12 + 8 * max(nnz, 0)})"
        )
    if unused != 0:
        raise MalformedVectorError(f"binary sparsevec value has unused field {unused}, expected 0")
    idx = np.frombuffer(buf, dtype=_I32_BE, count=nnz, offset=12)
    vals = np.frombuffer(buf, dtype=_F32_BE, count=nnz, offset=12 + 4 * nnz)
    return SparseVector(idx.astype(np.int32), vals.astype(np.float32), dim)
