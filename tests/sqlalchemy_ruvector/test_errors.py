"""The exception hierarchy: vector errors carry where they were found (column, argument,
row) and the dimensions involved as attributes, and are still the ValueError/TypeError
that existing ``except`` clauses catch. No database needed."""

from __future__ import annotations

import array
import struct

import numpy as np
import pytest

from sqlalchemy_ruvector import RuVector
from sqlalchemy_ruvector.codecs import vector_to_binary, vectors_from_binary
from sqlalchemy_ruvector.errors import (
    InvalidIdentifierError,
    InvalidVectorError,
    InvalidVectorTypeError,
    MalformedVectorError,
    RuVectorError,
    VectorInputError,
)
from sqlalchemy_ruvector.sparse_vector import SparseVector, to_sparse
from sqlalchemy_ruvector.tenancy.ddl import quote_identifier
from sqlalchemy_ruvector.values import to_float16, to_float32, to_float32_batch


def test_hierarchy_keeps_builtin_bases() -> None:
    assert issubclass(InvalidVectorError, ValueError)
    assert issubclass(InvalidVectorTypeError, TypeError)
    assert issubclass(MalformedVectorError, InvalidVectorError)
    assert issubclass(InvalidIdentifierError, ValueError)
    for cls in (InvalidVectorError, InvalidVectorTypeError, InvalidIdentifierError):
        assert issubclass(cls, RuVectorError)


def test_dimension_mismatch_carries_column_and_dimensions() -> None:
    with pytest.raises(ValueError, match="column 'embedding': expected 3 dimensions, got 2") as e:
        to_float32([1.0, 2.0], dim=3, column="embedding")
    err = e.value
    assert isinstance(err, InvalidVectorError)
    assert (err.column, err.dimension, err.expected, err.row) == ("embedding", 2, 3, None)


def test_too_long_and_empty_carry_dimension() -> None:
    with pytest.raises(InvalidVectorError) as e:
        to_float32(np.zeros(17, np.float32), column="c", max_dim=16)
    assert (e.value.column, e.value.dimension, e.value.expected) == ("c", 17, None)
    with pytest.raises(InvalidVectorError) as e:
        to_float16([], dim=4, column="c")
    assert (e.value.dimension, e.value.expected) == (0, 4)


def test_nan_names_column_and_element() -> None:
    with pytest.raises(ValueError, match="element 1 is nan") as e:
        to_float32([1.0, float("nan")], column="embedding")
    assert isinstance(e.value, InvalidVectorError)
    assert e.value.column == "embedding" and e.value.row is None


@pytest.mark.parametrize(
    "value",
    [np.array(["a", "b"]), [True, False], "1,2", np.array([1 + 2j])],
    ids=["str-dtype", "bools", "str", "complex"],
)
def test_bad_dtype_is_a_type_error_with_column(value: object) -> None:
    with pytest.raises(TypeError) as e:
        to_float32(value, column="embedding")
    assert isinstance(e.value, InvalidVectorTypeError)
    assert e.value.column == "embedding"
    assert str(e.value).startswith("column 'embedding': ")


def test_batch_row_error_carries_row() -> None:
    batch = np.ones((4, 3))
    batch[2, 1] = np.inf
    with pytest.raises(InvalidVectorError, match="row 2, element 1") as e:
        to_float32_batch(batch, dim=3, column="c")
    assert (e.value.column, e.value.row) == ("c", 2)


def test_batch_of_lists_ragged_row() -> None:
    with pytest.raises(InvalidVectorError, match="row 1: expected 2 dimensions, got 3") as e:
        to_float32_batch([[1, 2], [1, 2, 3]], dim=2, column="c")
    assert (e.value.column, e.value.row, e.value.dimension, e.value.expected) == ("c", 1, 3, 2)


def test_batch_of_mixed_rows_relocates_the_row_error() -> None:
    rows = [[1.0, 2.0], array.array("d", [1.0, float("nan")])]
    with pytest.raises(InvalidVectorError, match="column 'c': row 1: element 1 is nan") as e:
        to_float32_batch(rows, dim=2, column="c")
    assert (e.value.column, e.value.row) == ("c", 1)


def test_sparse_errors() -> None:
    with pytest.raises(ValueError, match="index 5 out of range") as e:
        SparseVector([5], [1.0], 3)
    assert isinstance(e.value, InvalidVectorError)
    with pytest.raises(InvalidVectorError) as e:
        to_sparse(SparseVector([0], [1.0], 3), dim=4, column="s")
    assert (e.value.column, e.value.dimension, e.value.expected) == ("s", 3, 4)
    with pytest.raises(TypeError) as e:
        to_sparse({0: "x"}, dim=3, column="s")
    assert isinstance(e.value, InvalidVectorTypeError) and e.value.column == "s"
    assert str(e.value).startswith("column 's': ")
    with pytest.raises(InvalidVectorTypeError, match=r"use \.to_dense"):
        to_float32(SparseVector([0], [1.0], 3))


def test_type_dim_argument() -> None:
    with pytest.raises(ValueError) as e:
        RuVector(0)
    assert isinstance(e.value, InvalidVectorError)
    assert (e.value.argument, e.value.dimension) == ("dim", 0)
    with pytest.raises(TypeError) as e:
        RuVector(1.5)  # type: ignore[arg-type]
    assert isinstance(e.value, InvalidVectorTypeError) and e.value.argument == "dim"


def test_malformed_binary_batch_names_row_and_dimensions() -> None:
    good = vector_to_binary([1.0, 2.0], "pgvector")
    bad = vector_to_binary([1.0, 2.0, 3.0], "pgvector")
    with pytest.raises(ValueError, match="row 1: expected 2 dimensions, got 3") as e:
        vectors_from_binary([good, bad], "pgvector")
    assert isinstance(e.value, MalformedVectorError)
    assert (e.value.row, e.value.dimension, e.value.expected) == (1, 3, 2)
    with pytest.raises(MalformedVectorError) as e:
        vectors_from_binary([good, struct.pack(">HH", 2, 0)], "pgvector")
    assert e.value.row == 1


def test_bad_identifier() -> None:
    with pytest.raises(ValueError, match="table name") as e:
        quote_identifier("", "table name")
    assert isinstance(e.value, InvalidIdentifierError)
    assert (e.value.identifier, e.value.argument) == ("", "table name")
    with pytest.raises(InvalidIdentifierError) as e:
        quote_identifier("x" * 64, "index_name")
    assert e.value.identifier == "x" * 64


def test_relocated_keeps_known_attributes() -> None:
    err = InvalidVectorError("bad", column="a", dimension=3, expected=2)
    moved = err.relocated("row 4: ", column="b", row=4)
    assert type(moved) is InvalidVectorError
    assert str(moved) == "row 4: bad"
    assert (moved.column, moved.row, moved.dimension, moved.expected) == ("a", 4, 3, 2)
    assert isinstance(moved, VectorInputError)
