/* Runtime dispatch: one kernel table per ISA level this CPU can run, built once
 * at import.  Lower levels stay available so tests can force every path. */
#include <string.h>

#include "accel.h"

static const char *const level_names[ACCEL_LEVEL_COUNT] = {
#define X(NAME, TEXT) TEXT,
    ACCEL_LEVELS(X)
#undef X
};
static accel_kernels_t tables[ACCEL_LEVEL_COUNT];
static int supported[ACCEL_LEVEL_COUNT];
static int initialised;

/* Bit order reversal within a byte: SIMD compare masks put element 0 in bit 0,
 * numpy.packbits puts it in bit 7. */
const uint8_t accel_bit_reverse[256] = {
#define R2(n) n, n + 2 * 64, n + 1 * 64, n + 3 * 64
#define R4(n) R2(n), R2(n + 2 * 16), R2(n + 1 * 16), R2(n + 3 * 16)
#define R6(n) R4(n), R4(n + 2 * 4), R4(n + 1 * 4), R4(n + 3 * 4)
    R6(0), R6(2), R6(1), R6(3)
#undef R2
#undef R4
#undef R6
};

static void init(void) {
    if (initialised) return;
    accel_fill_scalar(&tables[ACCEL_LEVEL_SCALAR]);
    supported[ACCEL_LEVEL_SCALAR] = 1;
    supported[ACCEL_LEVEL_NEON] = accel_fill_neon(&tables[ACCEL_LEVEL_NEON]);
    supported[ACCEL_LEVEL_AVX2] = accel_fill_avx2(&tables[ACCEL_LEVEL_AVX2]);
    if (supported[ACCEL_LEVEL_AVX2]) accel_fill_avx2_dot_norm(&tables[ACCEL_LEVEL_AVX2]);
    supported[ACCEL_LEVEL_AVX512] = accel_fill_avx512(&tables[ACCEL_LEVEL_AVX512]);
    initialised = 1;
}

const char *accel_level_name(accel_level_t level) { return level_names[level]; }

int accel_level_from_name(const char *name) {
    for (int i = 0; i < ACCEL_LEVEL_COUNT; ++i)
        if (strcmp(name, level_names[i]) == 0) return i;
    return -1;
}

int accel_level_supported(accel_level_t level) {
    init();
    return supported[level];
}

accel_level_t accel_best_level(void) {
    init();
    for (int i = ACCEL_LEVEL_COUNT - 1; i > 0; --i)
        if (supported[i]) return (accel_level_t)i;
    return ACCEL_LEVEL_SCALAR;
}

const accel_kernels_t *accel_kernels(accel_level_t level) {
    init();
    return supported[level] ? &tables[level] : NULL;
}
