#!/usr/bin/env bash
# Cross-compile accel's kernels for aarch64 and check them under user-mode QEMU.
#
# This box and CI are x86_64, so kernels_neon.c is otherwise never compiled or
# run.  The driver (tests/accel/c/neon_check.c) is linked with every
# accel/src/*.c that builds without CPython (all but the files including
# Python.h or boundary.h, the CPython glue) and compares each NEON table entry with the scalar table and a
# float64 or exact reference, then runs search.c's scans on the NEON table.
#
# Builds and runs:
#   1. -O3 -std=c11 -Wall -Wextra -Werror, static, under qemu's default CPU (max)
#   2. the same binary under -cpu cortex-a53 (ARMv8.0: no extension beyond base NEON)
#   3. -O1 -fno-math-errno (setup.py's math flag) with UBSan in trap mode, cortex-a53
#
# Options:
#   --native   also build the driver for this host and check its SIMD levels (avx2/avx512)
#   --mutants  also check that the driver fails on each deliberate bug listed in
#              tests/accel/c/neon_mutants.txt (takes about 10 s per mutant)
#   SEED=n     environment: driver RNG seed (default: the driver's fixed seed)
#
# A developer check, not part of .ci/run: it needs Debian packages
#   apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
# (qemu-user-static works too).  Exit status: 0 all passed, 1 a check failed,
# 2 a tool is missing or the build failed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC="$ROOT/accel/src"
DRIVER="$ROOT/tests/accel/c/neon_check.c"
MUTANTS="$ROOT/tests/accel/c/neon_mutants.txt"
CC=${CROSS_CC:-aarch64-linux-gnu-gcc}
NATIVE=0
RUN_MUTANTS=0
for arg in "$@"; do
    case "$arg" in
    --native) NATIVE=1 ;;
    --mutants) RUN_MUTANTS=1 ;;
    -h | --help)
        sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "check_neon.sh: unknown argument $arg (try --help)" >&2
        exit 2
        ;;
    esac
done

# --- tools -------------------------------------------------------------------
missing=()
command -v "$CC" >/dev/null 2>&1 || missing+=(gcc-aarch64-linux-gnu)
if command -v "$CC" >/dev/null 2>&1 &&
    [ ! -e "$("$CC" -print-file-name=libc.a)" ] && [ ! -e /usr/aarch64-linux-gnu/lib/libc.a ]; then
    missing+=(libc6-dev-arm64-cross)
fi
QEMU=""
for q in qemu-aarch64 qemu-aarch64-static; do
    if command -v "$q" >/dev/null 2>&1; then
        QEMU=$q
        break
    fi
done
[ -n "$QEMU" ] || missing+=("qemu-user (or qemu-user-static)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "check_neon.sh: missing Debian package(s): ${missing[*]}" >&2
    echo "  install with: apt-get update && apt-get install -y gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user" >&2
    exit 2
fi

# Every kernel source that builds without CPython.
mapfile -t SOURCES < <(grep -L -e 'Python\.h' -e 'boundary\.h' "$SRC"/*.c | sort)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
STRICT=(-std=c11 -Wall -Wextra -Werror)
SEED_ARG=()
[ -n "${SEED:-}" ] && SEED_ARG=("$SEED")

echo "cross compiler: $("$CC" --version | head -n1)"
echo "emulator:       $("$QEMU" --version | head -n1)"
echo "sources:        $(for s in "${SOURCES[@]}"; do basename "$s"; done | tr '\n' ' ')"

build() { # build OUT FLAGS... (sources: $SOURCES, overridable via KERNELS_NEON)
    local out=$1
    shift
    local srcs=("${SOURCES[@]}")
    if [ -n "${KERNELS_NEON:-}" ]; then
        srcs=("${srcs[@]/#$SRC\/kernels_neon.c/$KERNELS_NEON}")
    fi
    "$CC" "$@" "${STRICT[@]}" -static -I"$SRC" "$DRIVER" "${srcs[@]}" -lm -o "$out"
}

status=0
run() { # run LABEL CMD...
    local label=$1
    shift
    echo
    echo "### $label"
    echo "\$ $*"
    "$@" >"$WORK/out" 2>&1
    local rc=$?
    # the per-check table and anything unusual; the full log only on failure
    if [ $rc -eq 0 ]; then
        sed -n '/^seed/p; /^best level/p; /^== level/p; /^err = /,$p' "$WORK/out"
    else
        cat "$WORK/out"
        echo "FAILED (exit $rc): $label"
        status=1
    fi
}

echo
echo "\$ $CC -O3 ${STRICT[*]} -static -I accel/src tests/accel/c/neon_check.c <sources> -lm"
build "$WORK/neon_O3" -O3 || { echo "build failed (-O3)" >&2; exit 2; }
echo "\$ $CC -O1 -fno-math-errno -fsanitize=undefined,float-cast-overflow -fsanitize-undefined-trap-on-error ${STRICT[*]} -static ..."
build "$WORK/neon_ubsan" -O1 -fno-math-errno -fsanitize=undefined,float-cast-overflow \
    -fsanitize-undefined-trap-on-error || { echo "build failed (ubsan)" >&2; exit 2; }

run "aarch64 -O3, qemu -cpu max" "$QEMU" "$WORK/neon_O3" "${SEED_ARG[@]}"
run "aarch64 -O3, qemu -cpu cortex-a53" "$QEMU" -cpu cortex-a53 "$WORK/neon_O3" "${SEED_ARG[@]}"
run "aarch64 -O1 UBSan (trap), qemu -cpu cortex-a53" "$QEMU" -cpu cortex-a53 "$WORK/neon_ubsan" "${SEED_ARG[@]}"

if [ $NATIVE -eq 1 ]; then
    echo
    echo "\$ ${HOST_CC:-cc} -O3 ${STRICT[*]} -I accel/src tests/accel/c/neon_check.c <sources> -lm"
    "${HOST_CC:-cc}" -O3 "${STRICT[@]}" -I"$SRC" "$DRIVER" "${SOURCES[@]}" -lm -o "$WORK/native" ||
        { echo "build failed (native)" >&2; exit 2; }
    run "native $(uname -m)" "$WORK/native" "${SEED_ARG[@]}"
fi

if [ $RUN_MUTANTS -eq 1 ]; then
    echo
    echo "### mutants: the driver must fail on each deliberate bug in kernels_neon.c"
    mkdir -p "$WORK/mut"
    caught=0 escaped=0 stale=0
    while IFS='|' read -r label expr; do
        case "$label" in '' | \#*) continue ;; esac
        sed "$expr" "$SRC/kernels_neon.c" >"$WORK/mut/kernels_neon.c"
        if cmp -s "$SRC/kernels_neon.c" "$WORK/mut/kernels_neon.c"; then
            echo "  stale (expression no longer matches): $label"
            stale=$((stale + 1))
            continue
        fi
        cp "$SRC"/*.h "$WORK/mut/"
        if ! KERNELS_NEON="$WORK/mut/kernels_neon.c" build "$WORK/mut/bin" -O3 2>"$WORK/mut/cc.log"; then
            echo "  stale (mutant does not compile): $label"
            stale=$((stale + 1))
            continue
        fi
        if "$QEMU" "$WORK/mut/bin" "${SEED_ARG[@]}" >"$WORK/mut/out" 2>&1; then
            echo "  ESCAPED: $label"
            escaped=$((escaped + 1))
        else
            why=$(grep -m1 -oE 'FAULT .*|MISMATCH [^:]*' "$WORK/mut/out")
            echo "  caught: $label -- ${why:-exit $?}"
            caught=$((caught + 1))
        fi
    done <"$MUTANTS"
    echo "mutants: $caught caught, $escaped escaped, $stale stale"
    [ $escaped -eq 0 ] || status=1
fi

echo
if [ $status -eq 0 ]; then echo "check_neon: all runs passed"; else echo "check_neon: FAILED"; fi
exit $status
