"""Tests for sqlalchemy_ruvector.values (no database needed)."""

from __future__ import annotations

import array
import decimal
import fractions
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from sqlalchemy_ruvector.sparse_vector import SparseVector, to_sparse
from sqlalchemy_ruvector.values import (
    MAX_DIM,
    SPARSE_MAX_DIM,
    SPARSE_MAX_NNZ,
    to_float16,
    to_float32,
    to_float32_batch,
)

COL = "embedding"


def _err(exc_type: type[Exception], value: Any, *words: str, **kwargs: Any) -> str:
    """Assert that to_float32(value) raises exc_type naming the column and all words."""
    with pytest.raises(exc_type) as info:
        to_float32(value, column=COL, **kwargs)
    msg = str(info.value)
    assert msg.startswith(f"column '{COL}': "), msg
    for word in words:
        assert word in msg.lower(), (word, msg)
    return msg


def _same_bits(a: Any, b: Any) -> bool:
    a = np.asarray(a)
    b = np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# ---------------------------------------------------------------------------------------------
# to_float32: accepted inputs
# ---------------------------------------------------------------------------------------------


class TestToFloat32Accepts:
    def test_list_of_floats(self) -> None:
        out = to_float32([1.0, 2.5, -3.0])
        assert out.dtype == np.float32 and out.flags.c_contiguous
        assert out.tolist() == [1.0, 2.5, -3.0]

    def test_list_of_ints_and_tuple(self) -> None:
        assert to_float32([1, 2, 3]).tolist() == [1.0, 2.0, 3.0]
        assert to_float32((1, 2.5)).tolist() == [1.0, 2.5]

    def test_numpy_scalars_decimal_fraction(self) -> None:
        out = to_float32(
            [np.float32(1.5), np.int64(2), decimal.Decimal("0.25"), fractions.Fraction(1, 4)]
        )
        assert out.tolist() == [1.5, 2.0, 0.25, 0.25]

    def test_float32_contiguous_is_not_copied(self) -> None:
        a = np.arange(4, dtype=np.float32)
        assert to_float32(a) is a

    def test_non_contiguous_float32_becomes_contiguous(self) -> None:
        a = np.arange(8, dtype=np.float32)[::2]
        out = to_float32(a)
        assert out.flags.c_contiguous and out.tolist() == [0.0, 2.0, 4.0, 6.0]

    def test_big_endian_becomes_native(self) -> None:
        a = np.array([1.5, -2.0], dtype=">f4")
        out = to_float32(a)
        assert out.dtype == np.dtype(np.float32) and out.dtype.isnative
        assert out.tolist() == [1.5, -2.0]

    @pytest.mark.parametrize(
        "dtype", [np.float16, np.float64, np.int8, np.int64, np.uint8, np.uint16, np.uint64]
    )
    def test_real_dtypes(self, dtype: Any) -> None:
        out = to_float32(np.array([1, 2, 3], dtype=dtype))
        assert out.dtype == np.float32 and out.tolist() == [1.0, 2.0, 3.0]

    def test_float64_rounds_to_nearest_float32(self) -> None:
        assert to_float32([0.1])[0] == np.float32(0.1)

    def test_array_array(self) -> None:
        assert to_float32(array.array("f", [1.0, 2.0])).tolist() == [1.0, 2.0]
        assert to_float32(array.array("d", [0.5])).tolist() == [0.5]
        assert to_float32(array.array("i", [3, 4])).tolist() == [3.0, 4.0]

    def test_memoryview_of_floats(self) -> None:
        assert to_float32(memoryview(array.array("f", [1.0, 2.0]))).tolist() == [1.0, 2.0]
        assert to_float32(memoryview(np.array([0.5, 1.5]))).tolist() == [0.5, 1.5]

    def test_object_with_array_protocol(self) -> None:
        class Tensor:
            def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
                return np.array([1.0, 2.0], dtype=np.float32)

        assert to_float32(Tensor()).tolist() == [1.0, 2.0]

    def test_generic_sequence(self) -> None:
        class Seq(Sequence[float]):
            def __getitem__(self, i: Any) -> Any:
                return [1.0, 2.0][i]

            def __len__(self) -> int:
                return 2

        assert to_float32(Seq()).tolist() == [1.0, 2.0]
        assert to_float32(range(3)).tolist() == [0.0, 1.0, 2.0]

    def test_object_array_of_floats(self) -> None:
        assert to_float32(np.array([1.0, 2], dtype=object)).tolist() == [1.0, 2.0]

    def test_dim_and_max_dim_boundaries(self) -> None:
        assert to_float32(np.zeros(MAX_DIM), dim=MAX_DIM).shape == (MAX_DIM,)
        assert to_float32([1.0], dim=1).shape == (1,)
        assert to_float32(np.zeros(20000), max_dim=20000).shape == (20000,)

    def test_bit_exact_for_float32_input(self) -> None:
        bits = np.array([0x00000001, 0x80000000, 0x7F7FFFFF, 0x3DCCCCCD], dtype=np.uint32)
        values = bits.view(np.float32)
        assert _same_bits(to_float32(values.tolist()), values)
        assert _same_bits(to_float32(values.astype(">f4")), values)


# ---------------------------------------------------------------------------------------------
# to_float32: rejected inputs, one test each
# ---------------------------------------------------------------------------------------------


class TestToFloat32Rejects:
    def test_wrong_dimension(self) -> None:
        msg = _err(ValueError, [1.0, 2.0, 3.0], "dim", dim=384)
        assert "384" in msg and "3" in msg

    def test_nan(self) -> None:
        msg = _err(ValueError, [1.0, float("nan")], "nan")
        assert "element 1" in msg

    def test_nan_in_ndarray(self) -> None:
        _err(ValueError, np.array([np.nan], dtype=np.float32), "nan")

    def test_inf(self) -> None:
        msg = _err(ValueError, [float("inf"), 1.0], "inf")
        assert "nan" not in msg.lower()

    def test_negative_inf(self) -> None:
        _err(ValueError, np.array([1.0, -np.inf]), "inf")

    def test_float64_overflow_is_inf(self) -> None:
        msg = _err(ValueError, [1.0, 1e39], "inf", "float32")
        assert "element 1" in msg

    def test_huge_python_int_is_inf(self) -> None:
        _err(ValueError, [10**400], "inf")

    def test_huge_int_in_object_array_is_inf(self) -> None:
        _err(ValueError, [10**40, 1], "inf")

    def test_empty_list(self) -> None:
        _err(ValueError, [], "empty")

    def test_empty_ndarray(self) -> None:
        _err(ValueError, np.array([], dtype=np.float32), "empty")

    def test_too_many_dimensions(self) -> None:
        _err(ValueError, np.zeros(MAX_DIM + 1, dtype=np.float32), "16000", "16001")

    def test_custom_max_dim(self) -> None:
        _err(ValueError, [1.0, 2.0, 3.0], "2", max_dim=2)

    def test_list_of_lists(self) -> None:
        _err(ValueError, [[1.0, 2.0], [3.0, 4.0]], "1-d", "nested")

    def test_ragged(self) -> None:
        _err(ValueError, [[1.0], [2.0, 3.0]], "nested")

    def test_2d_array(self) -> None:
        _err(ValueError, np.ones((2, 3)), "1-d", "nested")

    def test_0d_array(self) -> None:
        _err(ValueError, np.float32(1.0), "1-d")

    def test_strings_in_list(self) -> None:
        _err(TypeError, ["1.0", "2.0"], "numeric", "str")

    def test_str(self) -> None:
        _err(TypeError, "[1,2]", "numeric")

    def test_bytes(self) -> None:
        _err(TypeError, b"\x00\x00\x80?", "numeric")

    def test_none_in_list(self) -> None:
        _err(TypeError, [1.0, None], "numeric", "nonetype")

    def test_none(self) -> None:
        _err(TypeError, None, "numeric")

    def test_dict(self) -> None:
        _err(TypeError, {0: 1.0}, "numeric")

    def test_bool_list(self) -> None:
        _err(TypeError, [True, False], "bool", "numeric")

    def test_bool_mixed_with_floats(self) -> None:
        _err(TypeError, [1.0, True], "bool")

    def test_numpy_bool_scalar_in_list(self) -> None:
        _err(TypeError, [1.0, np.bool_(True)], "bool")

    def test_bool_ndarray(self) -> None:
        _err(TypeError, np.array([True, False]), "bool")

    def test_complex(self) -> None:
        _err(TypeError, [1 + 2j], "numeric", "complex")

    def test_complex_ndarray(self) -> None:
        _err(TypeError, np.array([1 + 2j]), "numeric")

    def test_string_ndarray(self) -> None:
        _err(TypeError, np.array(["1", "2"]), "numeric")

    def test_object_array_of_strings(self) -> None:
        _err(TypeError, np.array(["1", 2.0], dtype=object), "numeric")

    def test_datetime_ndarray(self) -> None:
        _err(TypeError, np.array(["2020-01-01"], dtype="datetime64[D]"), "numeric")

    def test_memoryview_of_bytes(self) -> None:
        _err(TypeError, memoryview(b"abcd"), "numeric", "cast")

    def test_array_array_unicode(self) -> None:
        _err(TypeError, array.array("u", "ab"), "numeric")

    def test_sparse_vector(self) -> None:
        _err(TypeError, SparseVector([0], [1.0], 3), "to_dense")

    def test_masked_array(self) -> None:
        _err(ValueError, np.ma.masked_array([1.0, 2.0], mask=[False, True]), "masked")

    def test_unsupported_object(self) -> None:
        _err(TypeError, object(), "numeric")

    def test_no_column_no_prefix(self) -> None:
        with pytest.raises(ValueError) as info:
            to_float32([float("nan")])
        assert not str(info.value).startswith("column")


# ---------------------------------------------------------------------------------------------
# to_float16
# ---------------------------------------------------------------------------------------------


class TestToFloat16:
    def test_accepts_and_rounds(self) -> None:
        out = to_float16([1.0, 0.1, 65504.0])
        assert out.dtype == np.float16
        assert _same_bits(out, np.array([1.0, 0.1, 65504.0], dtype=np.float16))

    def test_float16_array_not_copied(self) -> None:
        a = np.ones(3, dtype=np.float16)
        assert to_float16(a) is a

    def test_overflow_is_inf(self) -> None:
        with pytest.raises(ValueError, match="inf") as info:
            to_float16([1.0, 70000.0], column="h")
        assert "float16" in str(info.value) and "column 'h'" in str(info.value)

    def test_int_overflow_is_inf(self) -> None:
        with pytest.raises(ValueError, match="inf"):
            to_float16(np.array([100000], dtype=np.int64))

    def test_nan(self) -> None:
        with pytest.raises(ValueError, match="nan"):
            to_float16([float("nan")])

    def test_dim(self) -> None:
        with pytest.raises(ValueError, match="dim"):
            to_float16([1.0], dim=2)

    def test_float32_beyond_half_range(self) -> None:
        with pytest.raises(ValueError, match="inf"):
            to_float16(np.array([65520.0], dtype=np.float32))


# ---------------------------------------------------------------------------------------------
# to_float32_batch
# ---------------------------------------------------------------------------------------------


class TestToFloat32Batch:
    def test_ndarray_float32_not_copied(self) -> None:
        m = np.ones((3, 4), dtype=np.float32)
        assert to_float32_batch(m, dim=4) is m

    def test_ndarray_float64(self) -> None:
        out = to_float32_batch(np.arange(6.0).reshape(2, 3), dim=3)
        assert out.dtype == np.float32 and out.shape == (2, 3) and out.flags.c_contiguous

    def test_list_of_lists(self) -> None:
        out = to_float32_batch([[1, 2], [3.5, 4]], dim=2)
        assert out.tolist() == [[1.0, 2.0], [3.5, 4.0]]

    def test_list_of_ndarrays(self) -> None:
        rows = [np.array([1, 2], dtype=np.float32), np.array([3, 4], dtype=np.float64)]
        assert to_float32_batch(rows, dim=2).tolist() == [[1.0, 2.0], [3.0, 4.0]]

    def test_mixed_rows(self) -> None:
        rows = [array.array("f", [1.0, 2.0]), [3.0, 4.0], np.array([5, 6])]
        assert to_float32_batch(rows, dim=2).tolist() == [[1, 2], [3, 4], [5, 6]]

    def test_empty(self) -> None:
        assert to_float32_batch([], dim=3).shape == (0, 3)
        assert to_float32_batch(np.empty((0, 3)), dim=3).shape == (0, 3)

    def test_wrong_dim_names_row(self) -> None:
        with pytest.raises(ValueError, match=r"column 'e': row 1: expected 2 dimensions, got 3"):
            to_float32_batch([[1, 2], [1, 2, 3]], dim=2, column="e")

    def test_wrong_dim_ndarray(self) -> None:
        with pytest.raises(ValueError, match="dim"):
            to_float32_batch(np.ones((2, 3)), dim=4)

    def test_nan_names_row_and_element(self) -> None:
        m = np.ones((3, 4))
        m[2, 1] = np.nan
        with pytest.raises(ValueError, match=r"row 2, element 1 is nan"):
            to_float32_batch(m, dim=4)

    def test_inf_in_list_of_ndarrays(self) -> None:
        rows = [np.ones(2), np.array([1.0, np.inf])]
        with pytest.raises(ValueError, match=r"row 1, element 1 is inf"):
            to_float32_batch(rows, dim=2)

    def test_overflow(self) -> None:
        with pytest.raises(ValueError, match="inf"):
            to_float32_batch([[1e39, 1.0]], dim=2)

    def test_empty_row(self) -> None:
        with pytest.raises(ValueError, match="row 0: empty"):
            to_float32_batch([[]], dim=2)

    def test_bool_in_list_of_lists(self) -> None:
        with pytest.raises(TypeError, match="bool"):
            to_float32_batch([[1.0, 2.0], [True, 1.0]], dim=2)

    def test_str_in_list_of_lists(self) -> None:
        with pytest.raises(TypeError, match="numeric"):
            to_float32_batch([[1.0, "x"]], dim=2)

    def test_nested_too_deep(self) -> None:
        with pytest.raises(ValueError, match="nested"):
            to_float32_batch([[[1.0], [2.0]]], dim=2)

    def test_2d_rows_in_list_of_ndarrays(self) -> None:
        with pytest.raises(ValueError, match="1-D"):
            to_float32_batch([np.ones((2, 1)), np.ones((2, 1))], dim=2)

    def test_0d_rows_in_list_of_ndarrays(self) -> None:
        with pytest.raises(ValueError, match="1-D"):
            to_float32_batch([np.float64(1.0), np.array([1.0])], dim=1)
        with pytest.raises(ValueError, match="1-D"):
            to_float32_batch([np.array(1.0), np.array([1.0])], dim=1)

    def test_string_ndarray_rows(self) -> None:
        with pytest.raises(TypeError, match="numeric"):
            to_float32_batch([np.array(["a", "b"])], dim=2)

    def test_1d_input_rejected(self) -> None:
        with pytest.raises(ValueError, match="2-D"):
            to_float32_batch(np.ones(3), dim=3)

    def test_bad_row_in_mixed_path(self) -> None:
        with pytest.raises(ValueError, match=r"row 1: .*nan"):
            to_float32_batch([array.array("f", [1, 2]), array.array("d", [1, float("nan")])], dim=2)

    def test_invalid_dim_argument(self) -> None:
        with pytest.raises(ValueError, match="16000"):
            to_float32_batch([[1.0]], dim=MAX_DIM + 1)


# ---------------------------------------------------------------------------------------------
# pyarrow inputs
# ---------------------------------------------------------------------------------------------


class TestPyArrow:
    pa = pytest.importorskip("pyarrow")

    def test_float32_array_zero_copy(self) -> None:
        arr = self.pa.array([1.0, 2.0, 3.0], type=self.pa.float32())
        out = to_float32(arr)
        assert out.tolist() == [1.0, 2.0, 3.0]
        assert out.ctypes.data == arr.buffers()[1].address

    def test_float64_and_int_arrays(self) -> None:
        assert to_float32(self.pa.array([0.5, 1.5])).tolist() == [0.5, 1.5]
        assert to_float32(self.pa.array([1, 2], type=self.pa.int16())).tolist() == [1.0, 2.0]

    def test_half_float_array(self) -> None:
        arr = self.pa.array(np.array([1.0, 2.0], dtype=np.float16))
        assert to_float32(arr).tolist() == [1.0, 2.0]

    def test_chunked_single_and_multi(self) -> None:
        assert to_float32(self.pa.chunked_array([[1.0, 2.0]])).tolist() == [1.0, 2.0]
        assert to_float32(self.pa.chunked_array([[1.0], [2.0, 3.0]])).tolist() == [1.0, 2.0, 3.0]

    def test_list_scalar(self) -> None:
        table_col = self.pa.array([[1.0, 2.0]], type=self.pa.list_(self.pa.float32(), 2))
        assert to_float32(table_col[0]).tolist() == [1.0, 2.0]

    def test_sliced_array(self) -> None:
        arr = self.pa.array([1.0, 2.0, 3.0, 4.0], type=self.pa.float32()).slice(1, 2)
        assert to_float32(arr).tolist() == [2.0, 3.0]

    def test_nulls_rejected(self) -> None:
        with pytest.raises(ValueError, match=r"column 'e': .*null"):
            to_float32(self.pa.array([1.0, None]), column="e")

    def test_nulls_in_chunked_rejected(self) -> None:
        with pytest.raises(ValueError, match="null"):
            to_float32(self.pa.chunked_array([[1.0], [None]]))

    def test_null_list_scalar(self) -> None:
        col = self.pa.array([None], type=self.pa.list_(self.pa.float32()))
        with pytest.raises(ValueError, match="null"):
            to_float32(col[0])

    def test_bool_rejected(self) -> None:
        with pytest.raises(TypeError, match="bool"):
            to_float32(self.pa.array([True, False]))

    def test_string_rejected(self) -> None:
        with pytest.raises(TypeError, match="numeric"):
            to_float32(self.pa.array(["a"]))

    def test_nan_rejected(self) -> None:
        with pytest.raises(ValueError, match="nan"):
            to_float32(self.pa.array([1.0, float("nan")]))

    def test_list_array_is_nested(self) -> None:
        with pytest.raises(ValueError, match="nested"):
            to_float32(self.pa.array([[1.0], [2.0]]))

    def test_batch_fixed_size_list(self) -> None:
        col = self.pa.array([[1, 2], [3, 4], [5, 6]], type=self.pa.list_(self.pa.float32(), 2))
        out = to_float32_batch(col, dim=2)
        assert out.tolist() == [[1, 2], [3, 4], [5, 6]]
        out = to_float32_batch(col.slice(1), dim=2)
        assert out.tolist() == [[3, 4], [5, 6]]

    def test_batch_list_array(self) -> None:
        col = self.pa.array([[1.0, 2.0], [3.0, 4.0]])
        assert to_float32_batch(col, dim=2).tolist() == [[1, 2], [3, 4]]
        chunked = self.pa.chunked_array([col, col])
        assert to_float32_batch(chunked, dim=2).shape == (4, 2)

    def test_batch_ragged_list_array(self) -> None:
        with pytest.raises(ValueError, match="ragged"):
            to_float32_batch(self.pa.array([[1.0, 2.0], [3.0]]), dim=2)

    def test_batch_null_row(self) -> None:
        col = self.pa.array([[1.0, 2.0], None], type=self.pa.list_(self.pa.float32(), 2))
        with pytest.raises(ValueError, match="null"):
            to_float32_batch(col, dim=2)


# ---------------------------------------------------------------------------------------------
# SparseVector
# ---------------------------------------------------------------------------------------------


class TestSparseVector:
    def test_sorts_and_drops_zeros(self) -> None:
        v = SparseVector([4, 0, 2], [2.0, 1.0, 0.0], 5)
        assert v.indices.tolist() == [0, 4] and v.values.tolist() == [1.0, 2.0]
        assert v.indices.dtype == np.int32 and v.values.dtype == np.float32
        assert v.dim == 5 and v.nnz == 2

    def test_negative_zero_dropped(self) -> None:
        assert SparseVector([1], [-0.0], 3).nnz == 0

    def test_empty(self) -> None:
        v = SparseVector([], [], 3)
        assert v.nnz == 0 and v.to_list() == [0.0, 0.0, 0.0]

    def test_read_only_and_immutable(self) -> None:
        v = SparseVector([0], [1.0], 2)
        with pytest.raises(ValueError):
            v.values[0] = 5.0
        with pytest.raises(ValueError):
            v.indices[0] = 1
        with pytest.raises(AttributeError):
            v._dim = 3  # type: ignore[misc]

    def test_does_not_alias_caller_arrays(self) -> None:
        idx = np.array([0, 1], dtype=np.int32)
        vals = np.array([1.0, 2.0], dtype=np.float32)
        v = SparseVector(idx, vals, 3)
        vals[0] = 9.0
        idx[0] = 2
        assert v.values.tolist() == [1.0, 2.0] and v.indices.tolist() == [0, 1]

    def test_dense_conversions(self) -> None:
        v = SparseVector([1, 3], [1.5, -2.0], 5)
        assert v.to_list() == [0.0, 1.5, 0.0, -2.0, 0.0]
        assert _same_bits(v.to_dense(), np.array([0, 1.5, 0, -2, 0], dtype=np.float32))
        assert v.to_dict() == {1: 1.5, 3: -2.0}

    def test_from_dense(self) -> None:
        v = SparseVector.from_dense([0, 1.5, 0, 2])
        assert v == SparseVector([1, 3], [1.5, 2.0], 4)
        assert SparseVector.from_dense(np.array([0.0, 0.0])).nnz == 0

    def test_from_dense_rejects_nan(self) -> None:
        with pytest.raises(ValueError, match="nan"):
            SparseVector.from_dense([0.0, float("nan")])

    def test_from_dict(self) -> None:
        v = SparseVector.from_dict({3: 2.0, 0: 1.0, 1: 0.0}, 5)
        assert v.indices.tolist() == [0, 3] and v.values.tolist() == [1.0, 2.0]

    def test_from_dict_numpy_keys(self) -> None:
        v = SparseVector.from_dict({np.int64(2): np.float32(1.5)}, 3)
        assert v.to_dict() == {2: 1.5}

    def test_from_dict_float_key_rejected(self) -> None:
        with pytest.raises(TypeError, match="integer"):
            SparseVector.from_dict({1.5: 1.0}, 3)  # type: ignore[dict-item]

    def test_from_dict_bool_key_rejected(self) -> None:
        with pytest.raises(TypeError, match="integer"):
            SparseVector.from_dict({True: 1.0}, 3)

    def test_equality(self) -> None:
        a = SparseVector([0, 2], [1.0, 2.0], 3)
        assert a == SparseVector([2, 0], [2.0, 1.0], 3)
        assert a != SparseVector([0, 2], [1.0, 2.0], 4)
        assert a != SparseVector([0, 2], [1.0, 3.0], 3)
        assert a != SparseVector([0, 1], [1.0, 2.0], 3)
        assert a != [1.0, 0.0, 2.0]

    def test_not_hashable(self) -> None:
        with pytest.raises(TypeError):
            hash(SparseVector([0], [1.0], 1))

    def test_repr(self) -> None:
        assert repr(SparseVector([0, 2], [1.5, 0.1], 3)) == "SparseVector({0: 1.5, 2: 0.1}, dim=3)"
        many = SparseVector(np.arange(12), np.ones(12), 12)
        assert "(2 more)" in repr(many)

    def test_max_dim_and_nnz(self) -> None:
        v = SparseVector([SPARSE_MAX_DIM - 1], [1.0], SPARSE_MAX_DIM)
        assert v.indices.tolist() == [SPARSE_MAX_DIM - 1]
        n = SPARSE_MAX_NNZ
        assert SparseVector(np.arange(n), np.ones(n), n).nnz == n

    def test_index_out_of_range(self) -> None:
        with pytest.raises(ValueError, match=r"^index 7 out of range for dim 5$"):
            SparseVector([1, 7], [1.0, 2.0], 5)

    def test_index_equal_to_dim(self) -> None:
        with pytest.raises(ValueError, match="index 5 out of range for dim 5"):
            SparseVector([5], [1.0], 5)

    def test_negative_index(self) -> None:
        with pytest.raises(ValueError, match="index -1 out of range for dim 5"):
            SparseVector([-1], [1.0], 5)

    def test_duplicate_index(self) -> None:
        with pytest.raises(ValueError, match=r"^duplicate index 3$"):
            SparseVector([3, 1, 3], [1.0, 2.0, 3.0], 5)

    def test_duplicate_index_even_if_zero(self) -> None:
        with pytest.raises(ValueError, match="duplicate index 3"):
            SparseVector([3, 3], [0.0, 1.0], 5)

    def test_nan_value(self) -> None:
        with pytest.raises(ValueError, match="nan"):
            SparseVector([0], [float("nan")], 5)

    def test_inf_value(self) -> None:
        with pytest.raises(ValueError, match="inf"):
            SparseVector([0], [float("-inf")], 5)

    def test_float32_overflow_value(self) -> None:
        with pytest.raises(ValueError, match="inf"):
            SparseVector([0], [1e39], 5)

    def test_dim_zero(self) -> None:
        with pytest.raises(ValueError, match="dim 0"):
            SparseVector([], [], 0)

    def test_dim_too_large(self) -> None:
        with pytest.raises(ValueError, match="1000000000"):
            SparseVector([], [], SPARSE_MAX_DIM + 1)

    def test_dim_bool(self) -> None:
        with pytest.raises(TypeError):
            SparseVector([], [], True)

    def test_too_many_nonzeros(self) -> None:
        n = SPARSE_MAX_NNZ + 1
        with pytest.raises(ValueError, match=r"16001 non-zero.*16000"):
            SparseVector(np.arange(n), np.ones(n), n)

    def test_too_many_entries_but_zeros_dropped(self) -> None:
        n = SPARSE_MAX_NNZ + 1
        values = np.ones(n)
        values[0] = 0
        assert SparseVector(np.arange(n), values, n).nnz == SPARSE_MAX_NNZ

    def test_float_indices_rejected(self) -> None:
        with pytest.raises(TypeError, match="integer"):
            SparseVector([1.0], [1.0], 3)

    def test_bool_indices_rejected(self) -> None:
        with pytest.raises(TypeError, match="integer"):
            SparseVector([True], [1.0], 3)

    def test_length_mismatch(self) -> None:
        with pytest.raises(ValueError, match="2 indices but 1 values"):
            SparseVector([0, 1], [1.0], 3)

    def test_bool_values_rejected(self) -> None:
        with pytest.raises(TypeError, match="bool"):
            SparseVector([0], [True], 3)


class TestSparseScipy:
    sp = pytest.importorskip("scipy.sparse")

    def test_from_csr_matrix(self) -> None:
        m = self.sp.csr_matrix(np.array([[0, 1.5, 0, 2.0]]))
        assert SparseVector.from_scipy(m) == SparseVector([1, 3], [1.5, 2.0], 4)

    def test_from_1d_coo_array(self) -> None:
        if not hasattr(self.sp.coo_array((1, 1)), "coords"):
            pytest.skip("scipy without 1-D sparse arrays")
        a = self.sp.coo_array(np.array([0.0, 3.0, 0.0]))
        assert SparseVector.from_scipy(a) == SparseVector([1], [3.0], 3)

    def test_duplicates_are_summed(self) -> None:
        m = self.sp.coo_matrix(([1.0, 2.0, 5.0], ([0, 0, 0], [2, 2, 0])), shape=(1, 4))
        assert SparseVector.from_scipy(m).to_dict() == {0: 5.0, 2: 3.0}

    def test_from_scipy_does_not_mutate_input(self) -> None:
        m = self.sp.coo_matrix(([1.0, 2.0], ([0, 0], [2, 2])), shape=(1, 4))
        SparseVector.from_scipy(m)
        assert m.nnz == 2

    def test_column_vector_rejected(self) -> None:
        with pytest.raises(ValueError, match="1 x N"):
            SparseVector.from_scipy(self.sp.csr_matrix(np.ones((3, 1))))

    def test_not_scipy(self) -> None:
        with pytest.raises(TypeError):
            SparseVector.from_scipy(np.ones(3))

    def test_to_scipy_round_trip(self) -> None:
        v = SparseVector([0, 4], [1.0, -2.5], 6)
        m = v.to_scipy()
        assert m.shape == (1, 6) and m.format == "csr"
        assert m.toarray().tolist() == [[1.0, 0, 0, 0, -2.5, 0]]
        assert SparseVector.from_scipy(m) == v

    def test_to_sparse_accepts_scipy(self) -> None:
        m = self.sp.csr_array(np.array([[0.0, 1.0]]))
        assert to_sparse(m, dim=2) == SparseVector([1], [1.0], 2)

    def test_nan_in_scipy(self) -> None:
        with pytest.raises(ValueError, match=r"column 's': .*nan"):
            to_sparse(self.sp.csr_matrix(np.array([[np.nan, 1.0]])), column="s")


class TestToSparse:
    def test_passthrough(self) -> None:
        v = SparseVector([0], [1.0], 2)
        assert to_sparse(v) is v

    def test_dict_with_dim(self) -> None:
        assert to_sparse({1: 2.0}, dim=3) == SparseVector([1], [2.0], 3)

    def test_dict_without_dim(self) -> None:
        with pytest.raises(ValueError, match=r"column 's': .*dim"):
            to_sparse({1: 2.0}, column="s")

    def test_dense(self) -> None:
        assert to_sparse([0, 0, 3], dim=3) == SparseVector([2], [3.0], 3)
        assert to_sparse(np.array([1.0, 0.0])).dim == 2

    def test_dim_mismatch(self) -> None:
        with pytest.raises(ValueError, match=r"column 's': expected 4 dimensions .*got 3"):
            to_sparse(SparseVector([0], [1.0], 3), dim=4, column="s")

    def test_errors_name_column(self) -> None:
        with pytest.raises(ValueError, match="column 's': index 9 out of range for dim 3"):
            to_sparse({9: 1.0}, dim=3, column="s")

    def test_empty_dense_rejected(self) -> None:
        with pytest.raises(ValueError, match="empty"):
            to_sparse([])

    def test_non_numeric_dense(self) -> None:
        with pytest.raises(TypeError, match=r"column 's': .*numeric"):
            to_sparse(["a"], column="s")


# -- clear errors for odd inputs (issue 7, item 21) --------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        [decimal.Decimal("sNaN"), 1.0, 2.0],
        [1.0, decimal.Decimal("-sNaN")],
        np.array([decimal.Decimal("sNaN"), 1], dtype=object),
    ],
)
def test_signaling_nan_names_the_column(value: Any) -> None:
    _err(ValueError, value, "element", "snan", "nan values")


def test_signaling_nan_in_a_batch_names_row_and_column() -> None:
    with pytest.raises(ValueError, match=r"^column 'embedding': row 1: element 0 is sNaN"):
        to_float32_batch([[1, 2], [decimal.Decimal("sNaN"), 2]], dim=2, column=COL)
    with pytest.raises(ValueError, match=r"^column 'embedding': element 0 is sNaN"):
        to_float16([decimal.Decimal("sNaN")], column=COL)


@pytest.mark.parametrize(
    ("key", "shown"),
    [(2**63, "index 9223372036854775808"), (-(2**70), "index -1180591620717411303424"),
     (10**400, "index of 401 digits")],
)  # fmt: skip
def test_huge_sparse_key_is_an_index_error(key: int, shown: str) -> None:
    with pytest.raises(ValueError, match=f"^column 's': {shown} out of range for dim 5$"):
        to_sparse({key: 1.0}, dim=5, column="s")
    with pytest.raises(ValueError, match=f"^{shown} out of range for dim 5$"):
        SparseVector([key], [1.0], 5)


def test_sparse_dim_must_be_an_integer() -> None:
    with pytest.raises(TypeError, match="sparse dim must be an integer, got float"):
        SparseVector([1], [1.0], 5.0)  # type: ignore[arg-type]
    assert SparseVector([1], [1.0], np.int64(5)).dim == 5  # type: ignore[arg-type]
    assert SparseVector.from_dict({np.int32(1): 2.0}, np.int16(3)).to_dict() == {1: 2.0}  # type: ignore[arg-type, dict-item]


def test_dim_arguments_take_numpy_integers_only() -> None:
    assert to_float32([1, 2, 3], dim=np.int64(3)).shape == (3,)  # type: ignore[arg-type]
    assert to_float32_batch([[1, 2]], dim=np.uint8(2)).shape == (1, 2)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^column 'c': dim must be an int, got float 3\.0$"):
        to_float32_batch([[1, 2, 3]], dim=3.0, column="c")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dim must be an int, got float"):
        to_float32([1, 2, 3], dim=3.0)  # type: ignore[arg-type]
