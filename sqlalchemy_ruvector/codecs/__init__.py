"""Text and binary wire codecs for ``ruvector``, pgvector ``vector``, ``halfvec`` and ``sparsevec``.

Everything is numpy-based with no per-element Python loop on dense vectors. Round trips are
bit-exact for every finite float32 (and float16 for ``halfvec``):

* Text encode uses ``%.9g``: nine significant digits always identify a binary32 value, the
  server parses them with a correctly rounded ``f32`` parser (Rust / ``strtof``), and formatting
  all elements with one ``%`` operation is ~3x faster than numpy's shortest-repr formatting.
  It may emit exponent notation (``1e-07``), which both servers accept on input.
* Text decode parses all elements with one ``np.array(tokens, dtype=float64)`` call and rounds
  to float32. Decimal -> float64 -> float32 can double-round only when the float64 lands exactly
  on a float32 midpoint; that case is detected vectorised and re-decided exactly with
  ``decimal`` for those elements only, so the result equals a correctly rounded ``strtof``
  for arbitrary input, not just for the shortest-repr text that servers print.
* Binary: ruvector 2.0.5 sends ``>H dim`` then ``dim x >f4``; pgvector sends ``>H dim, >H 0``
  then ``dim x >f4``. The two lengths differ by 2 for every dim, so a mismatch is always
  detectable and reported with the layout the buffer does match.

The encoders do not validate values (NaN, dimension limits of the column): call
:func:`sqlalchemy_ruvector.values.to_float32` & co. first; the decoders validate structure.
"""

from ..binary_layout import BinaryLayout
from .dense import (
    detect_binary_layout,
    vector_binary_decoder,
    vector_binary_encoder,
    vector_from_binary,
    vector_from_text,
    vector_to_binary,
    vector_to_text,
    vectors_from_binary,
    vectors_to_binary,
)
from .halfvec import halfvec_from_binary, halfvec_from_text, halfvec_to_binary, halfvec_to_text
from .sparsevec import (
    sparsevec_from_binary,
    sparsevec_from_text,
    sparsevec_to_binary,
    sparsevec_to_text,
)

__all__ = [
    "BinaryLayout",
    "detect_binary_layout",
    "halfvec_from_binary",
    "halfvec_from_text",
    "halfvec_to_binary",
    "halfvec_to_text",
    "sparsevec_from_binary",
    "sparsevec_from_text",
    "sparsevec_to_binary",
    "sparsevec_to_text",
    "vector_binary_decoder",
    "vector_binary_encoder",
    "vector_from_binary",
    "vector_from_text",
    "vector_to_binary",
    "vector_to_text",
    "vectors_from_binary",
    "vectors_to_binary",
]
