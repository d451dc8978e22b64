"""pgvector ``halfvec`` (float16): text and binary."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..binary_layout import BinaryLayout
from ..numeric import (
    Float16Array,
)
from ._common import (
    _F16_BE,
    _HEAD_PG,
    Buffer,
    TextInput,
    _as_1d,
    _check_binary,
    _dense_from_text,
    _format_floats,
)

# --------------------------------------------------------------------------------------------
# halfvec (float16, pgvector layout)
# --------------------------------------------------------------------------------------------


def halfvec_to_text(arr: npt.ArrayLike) -> str:
    """``[1,2.5]``; 5 significant digits identify every float16 exactly.

    Also exact through pgvector's ``strtof`` -> half conversion: a 5-digit decimal is never
    within float32 rounding distance of a float16 midpoint (verified for all 63,488 finite
    halves in the tests).
    """
    a: Float16Array = _as_1d(arr, np.float16, "halfvec")
    return "[" + _format_floats(a.tolist(), "%.5g") + "]"


def halfvec_from_text(text: TextInput) -> Float16Array:
    """Parse ``[1,2.5]`` to float16 with correct rounding (pgvector prints float32 digits)."""
    out: Float16Array = _dense_from_text(text, np.dtype(np.float16), "halfvec")
    return out


def halfvec_to_binary(arr: npt.ArrayLike) -> bytes:
    """pgvector halfvec send format: ``>H dim, >H 0, dim x >f2``."""
    a: Float16Array = _as_1d(arr, np.float16, "halfvec")
    return _HEAD_PG.pack(a.shape[0], 0) + a.astype(_F16_BE).tobytes()


def halfvec_from_binary(buf: Buffer) -> Float16Array:
    dim = _check_binary(buf, BinaryLayout.PGVECTOR, elem_size=2)
    out: Float16Array = np.frombuffer(buf, dtype=_F16_BE, count=dim, offset=4).astype(np.float16)
    return out
