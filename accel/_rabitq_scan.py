"""RaBitQ's inner loop: ``<bits, rotated query>`` for every code, by 4-bit table lookups.

A code's ``D`` sign bits are ``D / 4`` nibbles.  Per query, one 16-entry table per
nibble position holds the sum of the query's rotated components that each bit
pattern selects; the tables are quantized to uint8 with one step per query (a
per-position offset keeps every entry in 0..255), so the dot product is
``sum(offsets) + step * S`` where ``S`` is an exact integer sum of table entries.
The C kernel (``accel/src/rabitq.c``) computes ``S`` with ``vpshufb`` over codes packed
32 per block; the numpy back end computes the same integers from the same layout,
so every back end returns identical sums.

Quantizing the tables (8 bits per 4 components) is about 8 times more precise than
quantizing the query itself to 4 bits per component, RaBitQ's original B_q = 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import _backend

BLOCK = 32
"""Codes per block of the packed layout."""

LEVELS = 255
"""Largest quantized table entry (uint8)."""

# PATTERNS[v, t]: bit t (most significant first) of the nibble value v.
PATTERNS = ((np.arange(16)[:, None] >> (3 - np.arange(4))[None, :]) & 1).astype(np.float64)


def nibbles(bits: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Packed sign bits (n, D/8), numpy.packbits order -> nibble values (n, D/4)."""
    out = np.empty((bits.shape[0], bits.shape[1] * 2), np.uint8)
    np.right_shift(bits, 4, out=out[:, 0::2])
    np.bitwise_and(bits, 15, out=out[:, 1::2])
    return out


def unpack(packed: NDArray[np.uint8], n: int) -> NDArray[np.uint8]:
    """The kernel's layout -> nibble values (n, D/4) of the first n codes."""
    per_block = np.concatenate([packed & 15, packed >> 4], axis=2)  # (blocks, npos, 32)
    nib: NDArray[np.uint8] = per_block.transpose(0, 2, 1).reshape(-1, packed.shape[1])[:n]
    return nib


def pack(bits: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Sign bits (n, D/8) -> the kernel's layout (ceil(n/32), D/4, 16).

    In block ``b``, position ``p``, byte ``t`` holds code ``32b + t`` in its low
    nibble and code ``32b + 16 + t`` in its high nibble (padding codes are zero).
    """
    n = bits.shape[0]
    blocks = -(-n // BLOCK)
    nib = np.zeros((blocks * BLOCK, bits.shape[1] * 2), np.uint8)
    nib[:n] = nibbles(bits)
    per_block = nib.reshape(blocks, BLOCK, -1).transpose(0, 2, 1)  # (blocks, npos, 32)
    packed = per_block[:, :, :16] | (per_block[:, :, 16:] << 4)
    return np.ascontiguousarray(packed)


@dataclass(frozen=True)
class QueryTables:
    """Quantized lookup tables of rotated queries: ``<bits, q> ~ offset + step * S``."""

    luts: NDArray[np.uint8]  # (nq, D/4, 16)
    offset: NDArray[np.float64]  # (nq,): the sum of every position's smallest entry
    step: NDArray[np.float64]  # (nq,)


def query_tables(rotated: NDArray[np.float32]) -> QueryTables:
    """Tables of rotated queries (nq, D), D a multiple of 4."""
    nq, d = rotated.shape
    exact = rotated.astype(np.float64).reshape(nq, d // 4, 4) @ PATTERNS.T  # (nq, D/4, 16)
    low = exact.min(axis=2)
    span = (exact.max(axis=2) - low).max(axis=1, initial=0.0)
    step = np.where(span > 0, span / LEVELS, 1.0)
    quantized = np.rint((exact - low[:, :, None]) / step[:, None, None])
    luts = np.clip(quantized, 0, LEVELS).astype(np.uint8)
    return QueryTables(luts, low.sum(axis=1), step)


def scan(tables: QueryTables, packed: NDArray[np.uint8], n: int) -> NDArray[np.float32]:
    """Integer table sums S (nq, n) as float32 (exact: at most 255 * D/4 < 2**24)."""
    nq = tables.luts.shape[0]
    ext = _backend.kernels()
    if ext is not None:
        out = np.empty((nq, packed.shape[0] * BLOCK), np.float32)
        ext.rabitq_scan(luts=tables.luts, codes=packed, out=out)
        return out[:, :n]
    sums = np.empty((nq, n), np.float32)
    positions = np.arange(packed.shape[1])
    blocks = max(1, (1 << 22) // max(1, BLOCK * positions.size))
    for b0 in range(0, packed.shape[0], blocks):
        start = b0 * BLOCK
        nib = unpack(packed[b0 : b0 + blocks], n - start)
        for i in range(nq):
            picked = tables.luts[i][positions, nib]
            sums[i, start : start + nib.shape[0]] = picked.sum(axis=1, dtype=np.uint32)
    return sums
