"""Which implementation runs: a C kernel table (by SIMD level) or numpy.

``ACCEL_SIMD`` is read once at import: ``scalar``, ``neon``, ``avx2``, ``avx512``
or ``numpy``.  A level this CPU cannot run falls back to the best one it can,
with a RuntimeWarning (an environment variable should not make imports fail);
the test hook :func:`set_level` raises instead.  Without a built extension
everything runs on numpy.
"""

from __future__ import annotations

import os
import warnings
from types import ModuleType

_kernels: ModuleType | None
try:
    from . import _kernels
except ImportError:  # pragma: no cover - depends on the build
    _kernels = None

_numpy_selected = _kernels is None


def kernels() -> ModuleType | None:
    """The C extension when it is the selected back end, else None."""
    return None if _numpy_selected else _kernels


def level() -> str:
    return "numpy" if _numpy_selected or _kernels is None else str(_kernels.simd_level())


def levels() -> list[str]:
    found = [] if _kernels is None else list(_kernels.supported_levels())
    return [*found, "numpy"]


def set_level(name: str) -> None:
    """Select a back end by name; ValueError if it cannot run here."""
    global _numpy_selected
    if name == "numpy":
        _numpy_selected = True
        return
    if _kernels is None:
        raise ValueError(f"SIMD level {name!r} needs accel._kernels, which is not built")
    _kernels.set_level(name)
    _numpy_selected = False


def _from_environment() -> None:
    wanted = os.environ.get("ACCEL_SIMD", "").strip().lower()
    if not wanted:
        return
    try:
        set_level(wanted)
    except ValueError as exc:
        warnings.warn(
            f"ACCEL_SIMD={wanted!r} ignored ({exc}); using {level()!r}",
            RuntimeWarning,
            stacklevel=3,
        )


_from_environment()
