"""The value classes behave as pgvector-python's (compared with it where installed)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.sparse import coo_array, csr_matrix

from sqlalchemy_ruvector.pgvector import Bit, HalfVector, SparseVector, Vector

pgvector = pytest.importorskip("pgvector")


SPARSE_FORMS: list[tuple[Any, ...]] = [
    ([1, 0, 2, 0],),
    (np.array([0, 3, 0], dtype=np.float32),),
    ({0: 1, 2: 2}, 3),
    ({2: 2.5, 0: 1.0, 1: 0.0}, 4),
]


@pytest.mark.parametrize("args", SPARSE_FORMS)
def test_sparse_vector_forms_match_pgvector(args: tuple[Any, ...]) -> None:
    ours, theirs = SparseVector(*args), pgvector.SparseVector(*args)
    assert ours.dimensions() == theirs.dimensions()
    assert ours.indices() == theirs.indices()
    assert ours.values() == pytest.approx(theirs.values())
    assert ours.to_list() == pytest.approx(theirs.to_list())
    assert np.array_equal(ours.to_numpy(), theirs.to_numpy())
    assert ours.to_numpy().dtype == np.float32
    assert ours.to_text() == theirs.to_text()
    assert ours.to_binary() == theirs.to_binary()
    assert repr(ours) == repr(theirs)
    assert SparseVector.from_text(theirs.to_text()) == ours
    assert SparseVector.from_binary(theirs.to_binary()) == ours
    assert (ours.to_coo() != theirs.to_coo()).nnz == 0


@pytest.mark.parametrize("matrix", [coo_array(np.array([[0, 1, 0, 2]])), csr_matrix([[3, 0, 4]])])
def test_sparse_vector_from_scipy(matrix: Any) -> None:
    ours, theirs = SparseVector(matrix), pgvector.SparseVector(matrix)
    assert (ours.dimensions(), ours.indices(), ours.values()) == (
        theirs.dimensions(),
        theirs.indices(),
        theirs.values(),
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (({0: 1},), "missing dimensions"),
        (([1, 2], 2), "extra argument"),
        ((coo_array(np.array([[1]])), 1), "extra argument"),
    ],
)
def test_sparse_vector_errors_match_pgvector(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pgvector.SparseVector(*args)
    with pytest.raises(ValueError, match=message):
        SparseVector(*args)


def test_sparse_vector_2d_is_refused() -> None:
    with pytest.raises(ValueError):  # pgvector: numpy's "truth value ... is ambiguous"
        pgvector.SparseVector(np.array([[1, 2]]))
    with pytest.raises(ValueError, match="expected ndim to be 1"):
        SparseVector(np.array([[1, 2]]))


@pytest.mark.parametrize(("ours", "theirs"), [(Vector, "Vector"), (HalfVector, "HalfVector")])
@pytest.mark.parametrize("value", [[1, 2.5, -3], np.array([0.1, 2, 3], dtype=np.float64)])
def test_dense_values_match_pgvector(ours: type, theirs: str, value: Any) -> None:
    a, b = ours(value), getattr(pgvector, theirs)(value)
    assert a.dimensions() == b.dimensions()
    assert a.to_list() == b.to_list()
    assert np.array_equal(a.to_numpy(), b.to_numpy()) and a.to_numpy().dtype == b.to_numpy().dtype
    assert a.to_text() == b.to_text()
    assert a.to_binary() == b.to_binary()
    assert repr(a) == repr(b)
    assert ours.from_binary(b.to_binary()) == a
    assert ours.from_text(b.to_text()) == a


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.array([[1, 2]]), "expected ndim to be 1"),
        ("123", "expected list or ndarray"),
        (["a"], "expected list\\[float\\]"),
    ],
)
def test_dense_errors_match_pgvector(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pgvector.Vector(value)
    with pytest.raises(ValueError, match=message):
        Vector(value)


@pytest.mark.parametrize(
    "value", ["101", "10100001", b"\xa0", [True, False, True], np.array([True, False, True])]
)
def test_bit_matches_pgvector(value: Any) -> None:
    a, b = Bit(value), pgvector.Bit(value)
    assert a.to_text() == b.to_text()
    assert a.to_list() == b.to_list()
    assert np.array_equal(a.to_numpy(), b.to_numpy())
    assert a.to_binary() == b.to_binary()
    assert repr(a) == repr(b)
    assert Bit.from_binary(b.to_binary()) == a


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("102", "expected bit string"),
        ([1, 2], "expected list\\[bool\\]"),
        (np.array([2, 0], dtype=np.uint8), "expected elements to be boolean"),
        (3, "expected bytes, str, list, or ndarray"),
    ],
)
def test_bit_errors_match_pgvector(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pgvector.Bit(value)
    with pytest.raises(ValueError, match=message):
        Bit(value)


@pytest.mark.parametrize(
    ("type_name", "value_class", "text"),
    [
        ("VECTOR", "Vector", "[1,2.5,-3]"),
        ("HALFVEC", "HalfVector", "[1,2.5,-3]"),
        ("SPARSEVEC", "SparseVector", "{1:1,3:2.5}/3"),
    ],
)
def test_results_have_pgvector_python_shapes(type_name: str, value_class: str, text: str) -> None:
    """What pgvector-python 0.5's types return for a text result (its ``_from_db``:
    lists for vector and halfvec, a SparseVector for sparsevec), ours returns."""
    from sqlalchemy.dialects import postgresql

    from sqlalchemy_ruvector.pgvector import sqlalchemy as dropin

    ours = getattr(dropin, type_name)(3).result_processor(postgresql.dialect(), None)(text)
    theirs = getattr(pgvector, value_class)._from_db(text)
    if type_name == "SPARSEVEC":
        assert type(ours).__name__ == type(theirs).__name__ == "SparseVector"
        assert (ours.dimensions(), ours.indices(), ours.values()) == (
            theirs.dimensions(),
            theirs.indices(),
            theirs.values(),
        )
    else:
        assert type(ours) is type(theirs) is list
        assert ours == theirs
