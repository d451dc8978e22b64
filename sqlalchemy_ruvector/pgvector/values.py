"""pgvector-python's value classes: ``Vector``, ``HalfVector``, ``SparseVector``, ``Bit``.

Same constructor forms, methods, text/binary forms and errors as pgvector-python 0.5,
so code that builds or inspects them keeps working after the import swap. They are
plain holders; validation for a column (dimensions, NaN, ...) happens when they are
bound, in the column types.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import InvalidVectorError
from ..sparse_vector import SparseVector as _CoreSparseVector

__all__ = ["Bit", "HalfVector", "SparseVector", "Vector"]


def _is_scipy_sparse(value: object) -> bool:
    return type(value).__module__.startswith("scipy.sparse")


def _dense(value: Any, dtype: type[np.floating[Any]]) -> npt.NDArray[Any]:
    """A list or 1-D ndarray as a 1-D array of ``dtype``, pgvector-python's errors otherwise."""
    if isinstance(value, list):
        try:
            return np.array([float(v) for v in value], dtype=dtype)
        except (TypeError, ValueError):
            raise InvalidVectorError("expected list[float]") from None
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise InvalidVectorError("expected ndim to be 1")
        return np.ascontiguousarray(value, dtype=dtype)
    raise InvalidVectorError("expected list or ndarray")


class _DenseValue:
    """Shared by ``Vector`` (float32) and ``HalfVector`` (float16)."""

    _dtype: type[np.floating[Any]]
    _header_pad = 0
    _value: npt.NDArray[Any]

    def __init__(self, value: list[float] | npt.NDArray[Any], /) -> None:
        self._value = _dense(value, self._dtype)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_list()})"

    def __eq__(self, other: object, /) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return bool(np.array_equal(self._value, other._value))

    __hash__ = None  # type: ignore[assignment]

    def dimensions(self) -> int:
        return int(self._value.shape[0])

    def to_list(self) -> list[float]:
        result: list[float] = self._value.astype(np.float64).tolist()
        return result

    def to_numpy(self) -> npt.NDArray[Any]:
        copied: npt.NDArray[Any] = self._value.copy()
        return copied

    def to_text(self) -> str:
        return "[" + ",".join(str(v) for v in self.to_list()) + "]"

    def to_binary(self) -> bytes:
        data = self._value.astype(self._value.dtype.newbyteorder(">")).tobytes()
        return struct.pack(">HH", self.dimensions(), 0) + data

    @classmethod
    def from_text(cls, value: str, /) -> Any:
        return cls([float(v) for v in value.strip()[1:-1].split(",")])

    @classmethod
    def from_binary(cls, value: bytes | bytearray | memoryview, /) -> Any:
        dim, unused = struct.unpack_from(">HH", value)
        data = memoryview(value)[4:]
        width = np.dtype(cls._dtype).itemsize
        if len(data) != width * dim:
            raise InvalidVectorError("invalid length")
        if unused != 0:
            raise InvalidVectorError("expected unused to be 0")
        big = np.frombuffer(data, dtype=np.dtype(cls._dtype).newbyteorder(">"))
        return cls(big.astype(cls._dtype))


class Vector(_DenseValue):
    """A float32 vector (pgvector's ``Vector``)."""

    _dtype = np.float32


class HalfVector(_DenseValue):
    """A float16 vector (pgvector's ``HalfVector``)."""

    _dtype = np.float16


class SparseVector:
    """pgvector-python's ``SparseVector``: ``SparseVector([1, 0, 2])``,
    ``SparseVector({0: 1, 2: 2}, 3)`` or ``SparseVector(scipy_sparse_array)``;
    indices are 0-based."""

    _dim: int
    _indices: list[int]
    _values: list[float]

    def __init__(self, value: Any, dimensions: int | None = None, /) -> None:
        if _is_scipy_sparse(value):
            if dimensions is not None:
                raise InvalidVectorError("extra argument")
            core = _CoreSparseVector.from_scipy(value)
        elif isinstance(value, Mapping):
            if dimensions is None:
                raise InvalidVectorError("missing dimensions")
            core = _CoreSparseVector.from_dict(value, dimensions)
        else:
            if dimensions is not None:
                raise InvalidVectorError("extra argument")
            if isinstance(value, np.ndarray) and value.ndim != 1:
                raise InvalidVectorError("expected ndim to be 1")
            core = _CoreSparseVector.from_dense(value)
        self._set(core)

    def _set(self, core: _CoreSparseVector) -> None:
        self._dim = core.dim
        self._indices = core.indices.tolist()
        self._values = core.values.astype(np.float64).tolist()

    @classmethod
    def _from_core(cls, core: _CoreSparseVector) -> SparseVector:
        vec = cls.__new__(cls)
        vec._set(core)
        return vec

    def _to_core(self) -> _CoreSparseVector:
        return _CoreSparseVector(
            np.asarray(self._indices, dtype=np.int64), np.asarray(self._values), self._dim
        )

    def __repr__(self) -> str:
        return f"SparseVector({dict(zip(self._indices, self._values, strict=True))}, {self._dim})"

    def __eq__(self, other: object, /) -> bool:
        if not isinstance(other, SparseVector):
            return NotImplemented
        return (self._dim, self._indices, self._values) == (
            other._dim,
            other._indices,
            other._values,
        )

    __hash__ = None  # type: ignore[assignment]

    def dimensions(self) -> int:
        return self._dim

    def indices(self) -> list[int]:
        return list(self._indices)

    def values(self) -> list[float]:
        return list(self._values)

    def to_list(self) -> list[float]:
        dense = [0.0] * self._dim
        for i, v in zip(self._indices, self._values, strict=True):
            dense[i] = v
        return dense

    def to_numpy(self) -> npt.NDArray[np.float32]:
        dense = np.zeros(self._dim, dtype=np.float32)
        dense[self._indices] = self._values
        return dense

    def to_coo(self) -> Any:
        from scipy.sparse import coo_array

        coords = ([0] * len(self._indices), self._indices)
        return coo_array((self._values, coords), shape=(1, self._dim))

    def to_text(self) -> str:
        elements = ",".join(
            f"{i + 1}:{v}" for i, v in zip(self._indices, self._values, strict=True)
        )
        return f"{{{elements}}}/{self._dim}"

    def to_binary(self) -> bytes:
        nnz = len(self._indices)
        return struct.pack(f">iii{nnz}i{nnz}f", self._dim, nnz, 0, *self._indices, *self._values)

    @classmethod
    def from_text(cls, value: str, /) -> SparseVector:
        body, _, dim = value.strip().partition("/")
        pairs = [p.split(":") for p in body.strip()[1:-1].split(",") if p.strip()]
        elements = {int(i) - 1: float(v) for i, v in pairs}
        return cls(elements, int(dim))

    @classmethod
    def from_binary(cls, value: bytes | bytearray | memoryview, /) -> SparseVector:
        dim, nnz, unused = struct.unpack_from(">iii", value)
        if len(value) != 12 + 8 * nnz:
            raise InvalidVectorError("invalid length")
        if unused != 0:
            raise InvalidVectorError("expected unused to be 0")
        indices = struct.unpack_from(f">{nnz}i", value, 12)
        values = struct.unpack_from(f">{nnz}f", value, 12 + 4 * nnz)
        return cls(dict(zip(indices, values, strict=True)), dim)


class Bit:
    """pgvector-python's ``Bit``: from ``'0101'``, bytes, a list of bools or a bool ndarray."""

    _text: str

    def __init__(self, value: str | bytes | list[bool] | npt.NDArray[Any], /) -> None:
        if isinstance(value, bytes):
            self._text = "".join(format(b, "08b") for b in value)
        elif isinstance(value, str):
            if set(value) - {"0", "1"}:
                raise InvalidVectorError("expected bit string")
            self._text = value
        elif isinstance(value, list):
            if not all(isinstance(v, (bool, int)) and v in (0, 1) for v in value):
                raise InvalidVectorError("expected list[bool]")
            self._text = "".join("1" if v else "0" for v in value)
        elif isinstance(value, np.ndarray):
            if value.dtype != np.bool_ and (value.dtype != np.uint8 or bool(np.any(value > 1))):
                raise InvalidVectorError("expected elements to be boolean")
            if value.ndim != 1:
                raise InvalidVectorError("expected ndim to be 1")
            self._text = "".join("1" if v else "0" for v in value.tolist())
        else:
            raise InvalidVectorError("expected bytes, str, list, or ndarray")

    def __repr__(self) -> str:
        return f"Bit({self._text})"

    def __eq__(self, other: object, /) -> bool:
        if not isinstance(other, Bit):
            return NotImplemented
        return self._text == other._text

    __hash__ = None  # type: ignore[assignment]

    def to_list(self) -> list[bool]:
        return [c == "1" for c in self._text]

    def to_numpy(self) -> npt.NDArray[np.bool_]:
        return np.array(self.to_list(), dtype=bool)

    def to_text(self) -> str:
        return self._text

    def to_binary(self) -> bytes:
        length = len(self._text)
        padded = self._text + "0" * (-length % 8)
        data = int(padded, 2).to_bytes(len(padded) // 8, "big") if padded else b""
        return struct.pack(">i", length) + data

    @classmethod
    def from_text(cls, value: str, /) -> Bit:
        return cls(str(value))

    @classmethod
    def from_binary(cls, value: bytes | bytearray | memoryview, /) -> Bit:
        (length,) = struct.unpack_from(">i", value)
        data = bytes(memoryview(value)[4:])
        if len(data) != (length + 7) // 8:
            raise InvalidVectorError("invalid length")
        bit = cls.__new__(cls)
        bit._text = "".join(format(b, "08b") for b in data)[:length]
        return bit
