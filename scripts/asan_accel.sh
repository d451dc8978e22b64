#!/usr/bin/env bash
# Build accel._kernels with AddressSanitizer + UBSan into a temporary directory
# and run the accel tests against that build, including tests/accel/test_boundary.py:
# direct calls of accel._kernels with wrong dtypes, shapes, layouts and PQ codes >= ksub,
# which must raise before any kernel touches memory.
#
# The Python interpreter is not instrumented, so libasan must be loaded first:
# LD_PRELOAD points at gcc's libasan (and libubsan).  Leak detection is off
# because CPython itself "leaks" at exit; any out-of-bounds access or undefined
# behaviour in the kernels aborts the run (halt_on_error / -fno-sanitize-recover).
#
# Usage: scripts/asan_accel.sh [python] [extra pytest args]
set -euo pipefail

PYTHON=${1:-${PYTHON:-python3}}
shift || true
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
cp -r "$ROOT/accel" "$ROOT/setup.py" "$ROOT/pyproject.toml" "$WORK/"
rm -f "$WORK"/accel/*.so
mkdir -p "$WORK/tests" "$WORK/bench"
cp -r "$ROOT/tests/accel" "$WORK/tests/accel"
cp "$ROOT/bench/probe.c" "$WORK/bench/"  # tests/accel/test_bench_probe.py compiles it
touch "$WORK/tests/__init__.py"  # keep the test package named tests.accel, not accel
(
    cd "$WORK"
    CFLAGS="$SAN" LDFLAGS="-fsanitize=address,undefined" \
        "$PYTHON" setup.py -q build_ext --inplace >"$WORK/build.log" 2>&1 ||
        { cat "$WORK/build.log"; exit 1; }
)

LIBS="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
cd "$WORK"
env LD_PRELOAD="$LIBS" \
    ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
    PYTHONPATH="$WORK" \
    "$PYTHON" - <<'PY'
import accel, os
assert os.path.dirname(accel.__file__) == os.path.join(os.getcwd(), "accel"), accel.__file__
print("sanitized build:", accel._backend._kernels.__file__, "levels:", accel.available_levels())
PY
env LD_PRELOAD="$LIBS" \
    ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
    PYTHONPATH="$WORK" \
    "$PYTHON" -m pytest -q -p no:cacheprovider --rootdir "$WORK" "$WORK/tests/accel" "$@"
