"""PGCOPY frames: encode and decode whole batches, both dense layouts, NULLs, fallbacks."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from sqlalchemy_ruvector.codecs import BinaryLayout, vector_from_binary
from sqlalchemy_ruvector.codecs.pgcopy import (
    HEADER,
    DenseValues,
    dense_from_fields,
    fixed_rows,
    scan_rows,
    split_rows,
    strip_header,
)


def random_bits(n: int, dim: int) -> np.ndarray:
    bits = np.random.default_rng(5).integers(0, 2**32, (n, dim), dtype=np.uint64)
    m = bits.astype(np.uint32).view(np.float32)
    m[~np.isfinite(m)] = -0.0
    return m


@pytest.mark.parametrize("layout", list(BinaryLayout))
def test_fixed_rows_round_trip_bit_exact(layout: BinaryLayout) -> None:
    m = random_bits(257, 7)
    ids = np.arange(257, dtype=">i8").view(np.uint8).reshape(257, 8)
    rows = fixed_rows([ids, DenseValues(m, layout)])
    width = layout.header_size + 4 * 7
    assert rows.shape == (257, 2 + 4 + 8 + 4 + width)
    buf = rows.reshape(-1)
    starts = np.arange(257, dtype=np.int64) * rows.shape[1]
    split = split_rows(buf, starts, 2)
    back, null = dense_from_fields(split, 1, layout, 7)
    assert not null.any()
    assert np.array_equal(back.view(np.uint32), m.view(np.uint32))
    # each field is exactly the type's send format, as the per-value codec reads it
    first = bytes(buf[split.offsets[3, 1] : split.offsets[3, 1] + split.lengths[3, 1]])
    assert np.array_equal(vector_from_binary(first, layout), m[3])


def test_uneven_rows_nulls_and_scan_fallback() -> None:
    m = random_bits(5, 3)
    parts = []
    for i in range(5):
        if i in (1, 3):
            parts.append(struct.pack(">hii", 2, -1, 4) + struct.pack(">i", i))
        else:
            value = DenseValues(m[i : i + 1], BinaryLayout.PGVECTOR).to_matrix().tobytes()
            parts.append(struct.pack(">hi", 2, len(value)) + value + struct.pack(">ii", 4, i))
    buf = np.frombuffer(b"".join(parts), dtype=np.uint8)
    lengths = np.array([len(p) for p in parts])
    split = split_rows(buf, np.cumsum(lengths) - lengths, 2)
    scanned = scan_rows(buf, 2)
    assert np.array_equal(split.offsets, scanned.offsets)
    back, null = dense_from_fields(scanned, 0, BinaryLayout.PGVECTOR, 3)
    assert null.tolist() == [False, True, False, True, False]
    assert np.array_equal(back[~null], m[~null]) and not back[null].any()
    with pytest.raises(ValueError):  # wrong boundaries are detected, not misread
        split_rows(buf, np.array([0, 5, 40, 60, 80]), 2)


def test_layout_mismatch_is_reported() -> None:
    m = random_bits(4, 3)
    rows = fixed_rows([DenseValues(m, BinaryLayout.RUVECTOR)])
    split = split_rows(rows.reshape(-1), np.arange(4) * rows.shape[1], 1)
    with pytest.raises(ValueError, match="expected 16"):
        dense_from_fields(split, 0, BinaryLayout.PGVECTOR, 3)


def test_header() -> None:
    body = memoryview(HEADER + b"\x00\x00")
    assert bytes(strip_header(body)) == b"\x00\x00"
    with pytest.raises(ValueError, match="signature"):
        strip_header(memoryview(b"COPY" * 5))
