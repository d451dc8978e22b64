"""Build accel's C extension; everything else is declared in pyproject.toml.

Every ISA-specific kernel carries its own ``__attribute__((target(...)))`` so
one set of compiler flags serves all files and the choice happens at run time.
"""

import sys
from glob import glob

from setuptools import Extension, setup

extra_compile_args = ["-O3", "-std=c11", "-fno-math-errno", "-Wall", "-Wextra"]
if sys.platform == "win32":  # pragma: no cover - MSVC
    extra_compile_args = ["/O2"]

setup(
    ext_modules=[
        Extension(
            "accel._kernels",
            sources=sorted(glob("accel/src/*.c")),
            depends=sorted(glob("accel/src/*.h")),
            extra_compile_args=extra_compile_args,
        )
    ]
)
