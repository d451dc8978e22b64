"""Tests for sqlalchemy_ruvector.codecs (no database needed)."""

from __future__ import annotations

import ctypes
import ctypes.util
import struct
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqlalchemy_ruvector.codecs import (
    BinaryLayout,
    detect_binary_layout,
    halfvec_from_binary,
    halfvec_from_text,
    halfvec_to_binary,
    halfvec_to_text,
    sparsevec_from_binary,
    sparsevec_from_text,
    sparsevec_to_binary,
    sparsevec_to_text,
    vector_from_binary,
    vector_from_text,
    vector_to_binary,
    vector_to_text,
    vectors_from_binary,
    vectors_to_binary,
)
from sqlalchemy_ruvector.sparse_vector import SparseVector
from sqlalchemy_ruvector.values import MAX_DIM

LAYOUTS = list(BinaryLayout)

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _bits(a: Any) -> bytes:
    arr = np.asarray(a)
    return arr.dtype.str.encode() + arr.tobytes()


def _load_strtof() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        fn = libc.strtof
    except (OSError, AttributeError):
        return None
    fn.restype = ctypes.c_float
    fn.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p)]
    return fn


_STRTOF = _load_strtof()
needs_strtof = pytest.mark.skipif(_STRTOF is None, reason="libc strtof not available")


def strtof(token: str) -> np.float32:
    """The C library's correctly rounded decimal -> float32 (what the servers use)."""
    return np.float32(_STRTOF(token.encode(), None))


def exact_f32(token: str) -> np.float32:
    """Independent oracle: round a decimal to the nearest float32 (ties to even), exactly."""
    d = Fraction(Decimal(token))
    with np.errstate(over="ignore"):
        lo = np.float32(float(d))  # within one ulp of the answer
        if np.isinf(lo):
            lo = np.copysign(np.finfo(np.float32).max, lo)
        down = np.nextafter(lo, np.float32(-np.inf))
        up = np.nextafter(lo, np.float32(np.inf))
    candidates = [c for c in (down, lo, up) if np.isfinite(c)]
    return min(
        candidates,
        key=lambda c: (abs(Fraction(float(c)) - d), int(np.array(c).view(np.uint32)) & 1),
    )


finite_f32 = (
    st.integers(min_value=0, max_value=2**32 - 1)
    .map(lambda b: np.array([b], dtype=np.uint32).view(np.float32)[0])
    .filter(lambda x: bool(np.isfinite(x)))
)
f32_vectors = st.lists(finite_f32, min_size=1, max_size=64).map(
    lambda xs: np.array(xs, dtype=np.float32)
)


def _sample_all_finite_f32(step: int) -> np.ndarray:
    """Every step-th float32 bit pattern (spans all exponents, signs, subnormals)."""
    bits = np.arange(0, 2**32, step, dtype=np.uint64).astype(np.uint32)
    values = bits.view(np.float32)
    return values[np.isfinite(values)]


# ---------------------------------------------------------------------------------------------
# dense text
# ---------------------------------------------------------------------------------------------


class TestVectorText:
    def test_to_text_simple(self) -> None:
        assert vector_to_text(np.array([1, 2.5, -3], dtype=np.float32)) == "[1,2.5,-3]"

    def test_to_text_nine_digits(self) -> None:
        assert vector_to_text(np.array([0.1], dtype=np.float32)) == "[0.100000001]"

    def test_to_text_empty(self) -> None:
        assert vector_to_text(np.array([], dtype=np.float32)) == "[]"

    def test_to_text_rejects_2d(self) -> None:
        with pytest.raises(ValueError, match="1-D"):
            vector_to_text(np.ones((2, 2), dtype=np.float32))

    def test_to_text_rejects_too_long(self) -> None:
        with pytest.raises(ValueError, match="16000"):
            vector_to_text(np.ones(MAX_DIM + 1, dtype=np.float32))

    def test_from_text_simple(self) -> None:
        out = vector_from_text("[1,2.5,-3]")
        assert out.dtype == np.float32 and out.tolist() == [1.0, 2.5, -3.0]
        assert out.flags.writeable

    def test_from_text_whitespace_exponent_plus(self) -> None:
        out = vector_from_text("  [ 1 , +2.5e0,-3E-1 ,\t.5, 5. ]\n")
        assert _bits(out) == _bits(np.array([1, 2.5, -0.3, 0.5, 5.0], dtype=np.float32))

    def test_from_text_ruvector_positional_output(self) -> None:
        # ruvector never prints exponents: 1e-7 is printed as 0.0000001
        out = vector_from_text("[0.0000001,100000000000000000000]")
        assert _bits(out) == _bits(np.array([1e-7, 1e20], dtype=np.float32))

    def test_from_text_empty_is_zero_dim(self) -> None:
        for text in ("[]", "[ ]", " [] "):
            out = vector_from_text(text)
            assert out.shape == (0,) and out.dtype == np.float32

    def test_from_bytes_and_memoryview(self) -> None:
        assert vector_from_text(b"[1,2]").tolist() == [1.0, 2.0]
        assert vector_from_text(memoryview(b"[3]")).tolist() == [3.0]

    @pytest.mark.parametrize(
        "text",
        ["", "abc", "[1,2", "1,2]", "(1,2)", "[", "]", "{1,2}"],
    )
    def test_from_text_bad_brackets(self, text: str) -> None:
        with pytest.raises(ValueError, match=r"invalid vector text: expected '\[\.\.\.\]'"):
            vector_from_text(text)

    @pytest.mark.parametrize(
        "text", ["[1,,2]", "[1,2,]", "[,1]", "[a]", "[1 2]", "[1;2]", "[0x10]"]
    )
    def test_from_text_garbage_elements(self, text: str) -> None:
        with pytest.raises(ValueError, match="is not a number"):
            vector_from_text(text)

    def test_from_text_names_bad_element(self) -> None:
        with pytest.raises(ValueError, match=r"element 2 'x' is not a number"):
            vector_from_text("[1,2,x]")

    @pytest.mark.parametrize("text", ["[1_0]", "[\u0661]", "[\uff11]"])
    def test_from_text_python_only_syntax(self, text: str) -> None:
        with pytest.raises(ValueError, match="unexpected characters"):
            vector_from_text(text)

    def test_from_text_non_ascii_bytes(self) -> None:
        with pytest.raises(ValueError, match="non-ASCII"):
            vector_from_text("[1,\u00e9]".encode())

    @pytest.mark.parametrize("token", ["nan", "NaN", "-nan"])
    def test_from_text_nan(self, token: str) -> None:
        with pytest.raises(ValueError, match="is nan"):
            vector_from_text(f"[1,{token}]")

    @pytest.mark.parametrize("token", ["inf", "-Infinity", "1e39", "-3.5e38", "1e400"])
    def test_from_text_inf(self, token: str) -> None:
        with pytest.raises(ValueError, match="is inf"):
            vector_from_text(f"[{token}]")

    def test_from_text_too_many_dims(self) -> None:
        with pytest.raises(ValueError, match="16001 dimensions; the maximum is 16000"):
            vector_from_text("[" + ",".join(["1"] * (MAX_DIM + 1)) + "]")

    @settings(max_examples=300, deadline=None)
    @given(f32_vectors)
    def test_round_trip_bit_exact(self, vec: np.ndarray) -> None:
        assert _bits(vector_from_text(vector_to_text(vec))) == _bits(vec)

    def test_round_trip_bit_exact_sweep(self) -> None:
        values = _sample_all_finite_f32(step=4099)  # ~1M patterns over the whole range
        for chunk in np.array_split(values, len(values) // MAX_DIM + 1):
            assert _bits(vector_from_text(vector_to_text(chunk))) == _bits(chunk)

    def test_round_trip_special_values(self) -> None:
        info = np.finfo(np.float32)
        specials = np.array(
            [0.0, -0.0, info.max, -info.max, info.tiny, info.smallest_subnormal, 16777217, 1e-45],
            dtype=np.float32,
        )
        assert _bits(vector_from_text(vector_to_text(specials))) == _bits(specials)

    @needs_strtof
    @settings(max_examples=300, deadline=None)
    @given(f32_vectors)
    def test_server_parses_our_text_exactly(self, vec: np.ndarray) -> None:
        """The server parses each element with a correctly rounded f32 parser (strtof/Rust)."""
        tokens = vector_to_text(vec)[1:-1].split(",")
        parsed = np.array([strtof(t) for t in tokens], dtype=np.float32)
        assert _bits(parsed) == _bits(vec)

    @settings(max_examples=300, deadline=None)
    @given(f32_vectors)
    def test_decodes_shortest_positional_server_output(self, vec: np.ndarray) -> None:
        """ruvector prints Rust's shortest f32 digits without exponent; pgvector may use one."""
        positional = ",".join(np.format_float_positional(x, unique=True, trim="-") for x in vec)
        scientific = ",".join(np.format_float_scientific(x, unique=True, trim="-") for x in vec)
        assert _bits(vector_from_text(f"[{positional}]")) == _bits(vec)
        assert _bits(vector_from_text(f"[{scientific}]")) == _bits(vec)

    @needs_strtof
    @settings(max_examples=500, deadline=None)
    @given(
        st.integers(min_value=0, max_value=10**30),
        st.integers(min_value=-60, max_value=38),
        st.booleans(),
    )
    def test_arbitrary_decimals_match_strtof(self, digits: int, exp10: int, neg: bool) -> None:
        token = f"{'-' if neg else ''}{digits}e{exp10}"
        expected = strtof(token)
        if not np.isfinite(expected):
            with pytest.raises(ValueError, match="inf"):
                vector_from_text(f"[{token}]")
            return
        assert _bits(vector_from_text(f"[{token}]")) == _bits(np.array([expected]))

    @pytest.mark.parametrize(
        ("token", "expected_bits"),
        [
            # exactly 1 + 2**-24, the midpoint of 1 and 1 + 2**-23: ties to even -> 1.0
            ("1.000000059604644775390625", 0x3F800000),
            # a hair above that midpoint: float64 rounds onto the midpoint, the answer is up
            ("1.00000005960464477539062500000000001", 0x3F800001),
            # a hair below: the answer is down
            ("1.00000005960464477539062499999999999", 0x3F800000),
            # 1 + 3 * 2**-24: midpoint between odd and even neighbours; tie -> even (up)
            ("1.000000178813934326171875", 0x3F800002),
            ("1.00000017881393432617187499999999999", 0x3F800001),
            # subnormal midpoint 1.5 * 2**-149 (exact decimal), slightly above/below it
            (format(Decimal(1.5 * 2.0**-149), "f") + "1", 0x00000002),
            (format(Decimal(2.5 * 2.0**-149), "f") + "1", 0x00000003),
            (format(Decimal(2.5 * 2.0**-149), "f"), 0x00000002),
            (
                format(Decimal(1.5 * 2.0**-149), "f") + "00000000000000000000001",
                0x00000002,
            ),
            # just below the float32 overflow midpoint 2**128 - 2**103: FLT_MAX, not inf
            ("340282356779733661637539395458142568447.99999999", 0x7F7FFFFF),
            ("-340282356779733661637539395458142568447.99999999", 0xFF7FFFFF),
        ],
    )
    def test_double_rounding_cases(self, token: str, expected_bits: int) -> None:
        out = vector_from_text(f"[{token}]")
        assert int(out.view(np.uint32)[0]) == expected_bits
        assert out[0] == exact_f32(token)
        if _STRTOF is not None:
            assert strtof(token) == out[0]

    def test_naive_parse_would_be_wrong(self) -> None:
        """Guard that the case above really exercises the double-rounding fix."""
        token = "1.00000005960464477539062500000000001"
        naive = np.array([token], dtype=np.float64).astype(np.float32)
        assert int(naive.view(np.uint32)[0]) == 0x3F800000
        assert int(vector_from_text(f"[{token}]").view(np.uint32)[0]) == 0x3F800001

    def test_overflow_midpoint_is_inf(self) -> None:
        with pytest.raises(ValueError, match="inf"):
            vector_from_text("[340282356779733661637539395458142568448]")


# ---------------------------------------------------------------------------------------------
# dense binary
# ---------------------------------------------------------------------------------------------


class TestVectorBinary:
    def test_pgvector_layout_bytes(self) -> None:
        buf = vector_to_binary(np.array([1, 2], dtype=np.float32), BinaryLayout.PGVECTOR)
        assert buf == b"\x00\x02\x00\x00" + struct.pack(">2f", 1, 2)

    def test_ruvector_layout_bytes(self) -> None:
        buf = vector_to_binary(np.array([1, 2], dtype=np.float32), BinaryLayout.RUVECTOR)
        assert buf == b"\x00\x02" + struct.pack(">2f", 1, 2)

    def test_layout_as_string(self) -> None:
        assert vector_to_binary([1.0], "ruvector") == vector_to_binary([1.0], BinaryLayout.RUVECTOR)
        assert vector_from_binary(b"\x00\x01\x00\x00" + struct.pack(">f", 3), "pgvector")[0] == 3

    def test_unknown_layout(self) -> None:
        with pytest.raises(ValueError, match=r"'pgvecto\.rs'"):
            vector_to_binary([1.0], "pgvecto.rs")

    @pytest.mark.parametrize("layout", LAYOUTS)
    def test_from_binary_native_writeable(self, layout: BinaryLayout) -> None:
        out = vector_from_binary(vector_to_binary([1.5, -2.0], layout), layout)
        assert out.dtype == np.dtype(np.float32) and out.dtype.isnative and out.flags.writeable
        assert out.tolist() == [1.5, -2.0]

    @pytest.mark.parametrize("layout", LAYOUTS)
    def test_from_memoryview_and_bytearray(self, layout: BinaryLayout) -> None:
        buf = vector_to_binary([1.0, 2.0], layout)
        assert vector_from_binary(memoryview(buf), layout).tolist() == [1.0, 2.0]
        assert vector_from_binary(bytearray(buf), layout).tolist() == [1.0, 2.0]

    @pytest.mark.parametrize("layout", LAYOUTS)
    def test_zero_dim(self, layout: BinaryLayout) -> None:
        buf = vector_to_binary(np.array([], dtype=np.float32), layout)
        assert len(buf) == layout.header_size
        assert vector_from_binary(buf, layout).shape == (0,)

    @settings(max_examples=300, deadline=None)
    @given(f32_vectors, st.sampled_from(LAYOUTS))
    def test_round_trip_bit_exact(self, vec: np.ndarray, layout: BinaryLayout) -> None:
        buf = vector_to_binary(vec, layout)
        assert len(buf) == layout.expected_size(len(vec))
        assert _bits(vector_from_binary(buf, layout)) == _bits(vec)
        assert detect_binary_layout(buf) is layout

    @pytest.mark.parametrize("layout", LAYOUTS)
    def test_round_trip_sweep(self, layout: BinaryLayout) -> None:
        values = _sample_all_finite_f32(step=65537)
        for chunk in np.array_split(values, len(values) // MAX_DIM + 1):
            assert _bits(vector_from_binary(vector_to_binary(chunk, layout), layout)) == _bits(
                chunk
            )

    def test_pgvector_bytes_read_as_ruvector(self) -> None:
        buf = vector_to_binary([1.0, 2.0], BinaryLayout.PGVECTOR)
        with pytest.raises(ValueError) as info:
            vector_from_binary(buf, BinaryLayout.RUVECTOR)
        assert str(info.value) == (
            "binary value of 12 bytes does not match ruvector layout for dim 2 (expected 10); "
            "the server may use the pgvector layout"
        )

    def test_ruvector_bytes_read_as_pgvector(self) -> None:
        buf = vector_to_binary([1.0, 2.0], BinaryLayout.RUVECTOR)
        with pytest.raises(ValueError) as info:
            vector_from_binary(buf, BinaryLayout.PGVECTOR)
        assert str(info.value) == (
            "binary value of 10 bytes does not match pgvector layout for dim 2 (expected 12); "
            "the server may use the ruvector layout"
        )

    @pytest.mark.parametrize("layout", LAYOUTS)
    def test_truncated_no_hint(self, layout: BinaryLayout) -> None:
        buf = vector_to_binary([1.0, 2.0, 3.0], layout)[:-3]
        with pytest.raises(ValueError, match="does not match") as info:
            vector_from_binary(buf, layout)
        assert "may use" not in str(info.value)

    @pytest.mark.parametrize("layout", LAYOUTS)
    def test_too_short_for_header(self, layout: BinaryLayout) -> None:
        with pytest.raises(ValueError, match="too short"):
            vector_from_binary(b"\x00", layout)

    def test_pgvector_nonzero_pad(self) -> None:
        buf = b"\x00\x01\x00\x07" + struct.pack(">f", 1.0)
        with pytest.raises(ValueError, match="unused header field 7"):
            vector_from_binary(buf, BinaryLayout.PGVECTOR)

    def test_detect_layout(self) -> None:
        assert detect_binary_layout(b"\x00\x01" + b"\0" * 4) is BinaryLayout.RUVECTOR
        assert detect_binary_layout(b"\x00\x01\x00\x00" + b"\0" * 4) is BinaryLayout.PGVECTOR
        with pytest.raises(ValueError, match="neither"):
            detect_binary_layout(b"\x00\x01\x00")

    def test_to_binary_rejects_2d_and_too_long(self) -> None:
        with pytest.raises(ValueError, match="1-D"):
            vector_to_binary(np.ones((1, 2), dtype=np.float32), BinaryLayout.RUVECTOR)
        with pytest.raises(ValueError, match="16000"):
            vector_to_binary(np.ones(MAX_DIM + 1, dtype=np.float32), BinaryLayout.RUVECTOR)

    def test_to_binary_from_big_endian_and_float64_input(self) -> None:
        expected = vector_to_binary(np.array([0.1, 2.0], dtype=np.float32), BinaryLayout.PGVECTOR)
        assert vector_to_binary(np.array([0.1, 2.0], dtype=">f4"), "pgvector") == expected
        assert vector_to_binary([0.1, 2.0], "pgvector") == expected


# ---------------------------------------------------------------------------------------------
# batches
# ---------------------------------------------------------------------------------------------


class TestBatches:
    @pytest.mark.parametrize("layout", LAYOUTS)
    def test_matches_single_encoder(self, layout: BinaryLayout) -> None:
        m = np.random.default_rng(0).standard_normal((50, 7)).astype(np.float32)
        m[3, 2] = 0.0  # trailing zero bytes must survive the void-view path
        m[4, 6] = 0.0
        batch = vectors_to_binary(m, layout)
        assert batch == [vector_to_binary(row, layout) for row in m]
        assert all(type(b) is bytes for b in batch)

    @pytest.mark.parametrize("layout", LAYOUTS)
    def test_round_trip(self, layout: BinaryLayout) -> None:
        m = _sample_all_finite_f32(step=2**20)[: 64 * 6].reshape(64, 6)
        out = vectors_from_binary(vectors_to_binary(m, layout), layout)
        assert out.shape == m.shape and out.flags.c_contiguous and out.dtype.isnative
        assert _bits(out) == _bits(m)

    @pytest.mark.parametrize("layout", LAYOUTS)
    def test_from_memoryviews_and_tuple(self, layout: BinaryLayout) -> None:
        m = np.arange(6, dtype=np.float32).reshape(3, 2)
        bufs = tuple(memoryview(b) for b in vectors_to_binary(m, layout))
        assert _bits(vectors_from_binary(bufs, layout)) == _bits(m)

    @pytest.mark.parametrize("kind", [memoryview, bytearray])
    def test_from_many_non_bytes_rows(self, kind: Any) -> None:
        m = np.arange(2000 * 300, dtype=np.float32).reshape(2000, 300)
        bufs = [kind(b) for b in vectors_to_binary(m, "pgvector")]
        bufs[7] = bytes(bufs[7])  # mixed row types too
        assert _bits(vectors_from_binary(bufs, "pgvector")) == _bits(m)

    @pytest.mark.parametrize("layout", LAYOUTS)
    def test_empty(self, layout: BinaryLayout) -> None:
        assert vectors_to_binary(np.empty((0, 3), dtype=np.float32), layout) == []
        assert vectors_from_binary([], layout, dim=3).shape == (0, 3)

    def test_single_row_dim_one(self) -> None:
        out = vectors_to_binary(np.array([[2.0]], dtype=np.float32), "ruvector")
        assert out == [b"\x00\x01" + struct.pack(">f", 2.0)]

    def test_rejects_1d(self) -> None:
        with pytest.raises(ValueError, match="2-D"):
            vectors_to_binary(np.ones(3, dtype=np.float32), BinaryLayout.RUVECTOR)

    def test_rejects_too_wide(self) -> None:
        with pytest.raises(ValueError, match="16000"):
            vectors_to_binary(np.ones((1, MAX_DIM + 1), dtype=np.float32), "ruvector")

    def test_row_with_other_dim(self) -> None:
        bufs = [vector_to_binary([1.0, 2.0], "ruvector")] * 2 + [
            vector_to_binary([1.0], "ruvector")
        ]
        with pytest.raises(ValueError, match="row 2: expected 2 dimensions, got 1"):
            vectors_from_binary(bufs, "ruvector")

    def test_row_with_corrupt_length(self) -> None:
        good = vector_to_binary([1.0, 2.0], "ruvector")
        with pytest.raises(ValueError, match=r"row 1: binary value of 9 bytes"):
            vectors_from_binary([good, good[:-1]], "ruvector")

    def test_layout_mismatch_in_batch(self) -> None:
        bufs = vectors_to_binary(np.ones((2, 2), dtype=np.float32), "pgvector")
        with pytest.raises(ValueError, match="may use the pgvector layout"):
            vectors_from_binary(bufs, "ruvector")

    def test_header_dim_inconsistent_with_length(self) -> None:
        good = vector_to_binary([1.0, 2.0, 3.0, 4.0], "ruvector")  # 18 bytes
        bad = b"\x00\x03" + good[2:]  # same length, header claims 3 dims
        with pytest.raises(ValueError, match="row 1: header dim 3"):
            vectors_from_binary([good, bad], "ruvector")

    def test_nonzero_pad_in_batch(self) -> None:
        good = vector_to_binary([1.0], "pgvector")
        bad = good[:3] + b"\x01" + good[4:]
        with pytest.raises(ValueError, match="row 1: unused header field"):
            vectors_from_binary([good, bad], "pgvector")

    def test_dim_argument_checked(self) -> None:
        with pytest.raises(ValueError, match="row 0: expected 3 dimensions, got 2"):
            vectors_from_binary([vector_to_binary([1.0, 2.0], "ruvector")], "ruvector", dim=3)


# ---------------------------------------------------------------------------------------------
# halfvec
# ---------------------------------------------------------------------------------------------


def _all_finite_halves() -> np.ndarray:
    h = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    return h[np.isfinite(h)]


class TestHalfvec:
    def test_to_text(self) -> None:
        assert halfvec_to_text(np.array([1, 2.5, -0.1], dtype=np.float16)) == "[1,2.5,-0.099976]"

    def test_from_text_pgvector_output(self) -> None:
        # pgvector prints a half via its float32 shortest digits
        out = halfvec_from_text("[0.099975586,65504,-0]")
        assert out.dtype == np.float16
        assert _bits(out) == _bits(np.array([0.1, 65504, -0.0], dtype=np.float16))

    def test_from_text_empty(self) -> None:
        assert halfvec_from_text("[]").shape == (0,)

    def test_from_text_overflow(self) -> None:
        with pytest.raises(ValueError, match="invalid halfvec text: element 0 '70000' is inf"):
            halfvec_from_text("[70000]")

    def test_from_text_rounds_to_max(self) -> None:
        # 65519 is below the overflow midpoint 65520: rounds to 65504
        assert halfvec_from_text("[65519.99]")[0] == np.float16(65504)

    def test_from_text_garbage(self) -> None:
        with pytest.raises(ValueError, match="halfvec"):
            halfvec_from_text("[1,b]")

    def test_text_round_trip_all_finite_halves(self) -> None:
        halves = _all_finite_halves()
        assert len(halves) == 63488
        for chunk in np.array_split(halves, 4):
            assert _bits(halfvec_from_text(halfvec_to_text(chunk))) == _bits(chunk)

    def test_text_exact_through_float32_parse(self) -> None:
        """pgvector's halfvec_in parses with strtof then converts float -> half."""
        halves = _all_finite_halves()
        tokens = [t for c in np.array_split(halves, 4) for t in halfvec_to_text(c)[1:-1].split(",")]
        if _STRTOF is not None:
            as_f32 = np.array([strtof(t) for t in tokens], dtype=np.float32)
        else:  # float64 -> float32 is exact-enough for <= 5 significant digits
            as_f32 = np.array(tokens, dtype=np.float64).astype(np.float32)
        assert _bits(as_f32.astype(np.float16)) == _bits(halves)

    def test_half_midpoint_double_rounding(self) -> None:
        # 2049 is the midpoint of halves 2048 and 2050: a tie -> even (2048)
        assert halfvec_from_text("[2049]")[0] == np.float16(2048)
        # a hair above the midpoint must round up, which float64 -> float16 gets wrong
        assert halfvec_from_text("[2049.00000000000000000001]")[0] == np.float16(2050)

    def test_binary_bytes(self) -> None:
        buf = halfvec_to_binary(np.array([1, 2], dtype=np.float16))
        assert buf == b"\x00\x02\x00\x00\x3c\x00\x40\x00"
        assert halfvec_from_binary(buf).dtype == np.float16

    def test_binary_round_trip_all_finite_halves(self) -> None:
        halves = _all_finite_halves()
        for chunk in np.array_split(halves, 4):
            assert _bits(halfvec_from_binary(halfvec_to_binary(chunk))) == _bits(chunk)

    def test_binary_bad_length(self) -> None:
        with pytest.raises(ValueError, match="does not match pgvector layout for dim 2"):
            halfvec_from_binary(b"\x00\x02\x00\x00\x3c\x00")

    def test_binary_nonzero_pad(self) -> None:
        with pytest.raises(ValueError, match="unused header field"):
            halfvec_from_binary(b"\x00\x01\x00\x01\x3c\x00")


# ---------------------------------------------------------------------------------------------
# sparsevec
# ---------------------------------------------------------------------------------------------


class TestSparsevecText:
    def test_to_text_is_one_based(self) -> None:
        assert sparsevec_to_text(SparseVector([0, 2], [1.5, 2.0], 5)) == "{1:1.5,3:2}/5"

    def test_to_text_empty(self) -> None:
        assert sparsevec_to_text(SparseVector([], [], 3)) == "{}/3"

    def test_to_text_requires_sparse_vector(self) -> None:
        with pytest.raises(TypeError, match="to_sparse"):
            sparsevec_to_text({0: 1.0})  # type: ignore[arg-type]

    def test_from_text(self) -> None:
        v = sparsevec_from_text("{1:1.5,3:2}/5")
        assert v == SparseVector([0, 2], [1.5, 2.0], 5)

    def test_from_text_whitespace_and_order(self) -> None:
        v = sparsevec_from_text(" { 3 : 2 , 1:1.5e0 } / 5 ")
        assert v == SparseVector([0, 2], [1.5, 2.0], 5)

    def test_from_text_empty(self) -> None:
        v = sparsevec_from_text("{}/7")
        assert v.nnz == 0 and v.dim == 7

    def test_from_text_drops_zeros(self) -> None:
        assert sparsevec_from_text("{1:0,2:1}/3").to_dict() == {1: 1.0}

    def test_from_bytes(self) -> None:
        assert sparsevec_from_text(b"{2:1}/2").to_dict() == {1: 1.0}

    def test_index_zero_is_out_of_range(self) -> None:
        with pytest.raises(ValueError, match=r"index 0 out of range for dim 5 .*1-based"):
            sparsevec_from_text("{0:1}/5")

    def test_index_beyond_dim(self) -> None:
        with pytest.raises(ValueError, match="index 6 out of range for dim 5"):
            sparsevec_from_text("{6:1}/5")

    def test_dim_equal_index_ok(self) -> None:
        assert sparsevec_from_text("{5:1}/5").to_dict() == {4: 1.0}

    def test_duplicate(self) -> None:
        with pytest.raises(ValueError, match="duplicate index 0"):
            sparsevec_from_text("{1:1,1:2}/5")

    def test_nan(self) -> None:
        with pytest.raises(ValueError, match="nan"):
            sparsevec_from_text("{1:nan}/5")

    def test_inf(self) -> None:
        with pytest.raises(ValueError, match="inf"):
            sparsevec_from_text("{1:1e39}/5")

    def test_bad_dim(self) -> None:
        with pytest.raises(ValueError, match="dim 0"):
            sparsevec_from_text("{}/0")

    @pytest.mark.parametrize(
        "text",
        ["{1:1}", "1:1/5", "{1:1}/x", "{1:1}/-5", "{1:1/5", "abc", "{1:1}/5_0", "{1:1}/\u0665"],
    )
    def test_bad_shape(self, text: str) -> None:
        with pytest.raises(ValueError, match="invalid sparsevec text: expected"):
            sparsevec_from_text(text)

    @pytest.mark.parametrize(
        "text",
        [
            "{1}/5",
            "{1:2:3}/5",
            "{1:2,3}/5",
            "{1:2,,}/5",
            "{1:2:3,4}/5",  # two separators of each kind, in the wrong order
            "{1,2:3:4}/5",
            "{1:2,3:4:5,6}/9",
            "{1:2,3,4:5:6}/9",
            "{:1:2,}/5",
        ],
    )
    def test_bad_elements(self, text: str) -> None:
        with pytest.raises(ValueError, match="index:value"):
            sparsevec_from_text(text)

    def test_non_integer_index(self) -> None:
        with pytest.raises(ValueError, match="non-integer index"):
            sparsevec_from_text("{1.5:1}/5")

    def test_bad_value(self) -> None:
        with pytest.raises(ValueError, match="is not a number"):
            sparsevec_from_text("{1:x}/5")

    def test_too_many_elements(self) -> None:
        n = 16001
        text = "{" + ",".join(f"{i}:1" for i in range(1, n + 1)) + f"}}/{n}"
        with pytest.raises(ValueError, match="16000"):
            sparsevec_from_text(text)

    @settings(max_examples=200, deadline=None)
    @given(
        st.dictionaries(st.integers(0, 999), finite_f32, max_size=40),
        st.integers(1000, 10**9),
    )
    def test_round_trip(self, elements: dict[int, np.float32], dim: int) -> None:
        v = SparseVector(list(elements), np.array(list(elements.values()), dtype=np.float32), dim)
        back = sparsevec_from_text(sparsevec_to_text(v))
        assert back == v
        assert _bits(back.values) == _bits(v.values)


class TestSparsevecBinary:
    def test_bytes(self) -> None:
        buf = sparsevec_to_binary(SparseVector([0, 2], [1.5, 2.0], 5))
        assert buf == struct.pack(">iii2i2f", 5, 2, 0, 0, 2, 1.5, 2.0)

    def test_empty(self) -> None:
        buf = sparsevec_to_binary(SparseVector([], [], 4))
        assert buf == struct.pack(">iii", 4, 0, 0)
        assert sparsevec_from_binary(buf) == SparseVector([], [], 4)

    def test_requires_sparse_vector(self) -> None:
        with pytest.raises(TypeError):
            sparsevec_to_binary([1.0])  # type: ignore[arg-type]

    @settings(max_examples=200, deadline=None)
    @given(
        st.dictionaries(st.integers(0, 10**9 - 1), finite_f32, max_size=40),
        st.integers(0, 10**9),
    )
    def test_round_trip(self, elements: dict[int, np.float32], extra: int) -> None:
        dim = max([*elements, 0]) + 1 + extra % 1000
        dim = min(dim, 10**9)
        v = SparseVector(list(elements), np.array(list(elements.values()), dtype=np.float32), dim)
        back = sparsevec_from_binary(sparsevec_to_binary(v))
        assert back == v and _bits(back.values) == _bits(v.values)

    def test_from_memoryview(self) -> None:
        buf = sparsevec_to_binary(SparseVector([1], [3.0], 2))
        assert sparsevec_from_binary(memoryview(buf)).to_dict() == {1: 3.0}

    def test_short(self) -> None:
        with pytest.raises(ValueError, match="12-byte header"):
            sparsevec_from_binary(b"\x00" * 8)

    def test_length_mismatch(self) -> None:
        buf = struct.pack(">iii1i1f", 5, 2, 0, 0, 1.0)
        with pytest.raises(ValueError, match=r"20 bytes does not match nnz 2 \(expected 28\)"):
            sparsevec_from_binary(buf)

    def test_negative_nnz(self) -> None:
        with pytest.raises(ValueError, match="nnz -1"):
            sparsevec_from_binary(struct.pack(">iii", 5, -1, 0))

    def test_unused_nonzero(self) -> None:
        with pytest.raises(ValueError, match="unused field 9"):
            sparsevec_from_binary(struct.pack(">iii1i1f", 5, 1, 9, 0, 1.0))

    def test_index_out_of_range(self) -> None:
        with pytest.raises(ValueError, match="index 5 out of range for dim 5"):
            sparsevec_from_binary(struct.pack(">iii1i1f", 5, 1, 0, 5, 1.0))

    def test_duplicate_index(self) -> None:
        with pytest.raises(ValueError, match="duplicate index 1"):
            sparsevec_from_binary(struct.pack(">iii2i2f", 5, 2, 0, 1, 1, 1.0, 2.0))

    def test_nan_value(self) -> None:
        with pytest.raises(ValueError, match="nan"):
            sparsevec_from_binary(struct.pack(">iii1i1f", 5, 1, 0, 1, float("nan")))

    def test_bad_dim(self) -> None:
        with pytest.raises(ValueError, match="dim 0"):
            sparsevec_from_binary(struct.pack(">iii", 0, 0, 0))


@pytest.mark.parametrize(
    "text", ["{1:2:3,4}/5", "{1,2:3:4}/5", "{1:2,3:4:5,6}/9", "{1:2,3}/5", "{1:2,,}/5"]
)
def test_sparsevec_text_the_server_rejects_too(pgvector_db: Any, text: str) -> None:
    """pgvector's own parser refuses what ours refuses (the server is the reference)."""
    with pgvector_db.connect() as conn, pytest.raises(psycopg.errors.InvalidTextRepresentation):
        conn.execute("SELECT %s::sparsevec", (text,))
    with pytest.raises(ValueError, match="index:value"):
        sparsevec_from_text(text)
