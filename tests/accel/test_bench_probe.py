"""bench/probe.c, the machine probes moved out of the production extension, still works."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

PROBE = Path(__file__).resolve().parents[2] / "bench" / "probe.c"


def test_bench_probes_compile_and_measure(tmp_path: Path) -> None:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    lib_path = tmp_path / "probe.so"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(lib_path), str(PROBE)], check=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.probe_read_sum.restype = ctypes.c_float
    lib.probe_read_sum.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    lib.probe_fma_loop.restype = ctypes.c_float
    lib.probe_fma_loop.argtypes = [ctypes.c_size_t, ctypes.POINTER(ctypes.c_int)]
    zeros, ones = np.zeros(1003, np.float32), np.ones(1003, np.float32)
    assert lib.probe_read_sum(zeros.ctypes.data, zeros.nbytes) == 0.0  # a checksum
    assert lib.probe_read_sum(ones.ctypes.data, ones.nbytes) > 0.0
    lanes = ctypes.c_int(0)
    lib.probe_fma_loop(10, ctypes.byref(lanes))
    assert lanes.value in (1, 8, 16) and lib.probe_fma_chains() == 12
