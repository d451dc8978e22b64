/* AVX-VNNI kernel (VEX `vpdpbusd` on ymm, AVX2-class CPUs): SQ8 codes x int8 queries
 * for the many-query SQ8 top-k; kernels_avx2.c fills the rest of the table. */
#include "accel.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#include <immintrin.h>
#include <string.h>

/* SQ8 codes x int8 queries with AVX-VNNI (`vpdpbusd` on ymm): 2 vectors of 8 queries
 * x 6 candidates, each step 4 dimensions; one 4-byte candidate broadcast feeds 2
 * dot-product instructions (32 multiply-adds).  The d % 4 tail is copied bytewise. */
#define AVXVNNI __attribute__((target("avx2,avxvnni")))
enum { I8_C = 6 };

AVXVNNI static inline __attribute__((always_inline)) __m256i
codes4(const uint8_t *p, size_t n) {
    uint32_t w = 0;
    memcpy(&w, p, n);
    return _mm256_set1_epi32((int)w);
}

AVXVNNI static inline __attribute__((always_inline)) void
i8_tile(size_t C, const int8_t *qt, size_t nqp, const uint8_t *x, size_t ldx, size_t d,
        int32_t *out, size_t ldo) {
    __m256i acc0[I8_C], acc1[I8_C];
    for (size_t c = 0; c < C; ++c) acc0[c] = acc1[c] = _mm256_setzero_si256();
    for (size_t k = 0; k < d; k += 4) { /* one body (see kernels_avx512.c): no spills */
        size_t n = d - k >= 4 ? 4 : d - k;
        __m256i q0 = _mm256_load_si256((const __m256i *)(qt + k * nqp));
        __m256i q1 = _mm256_load_si256((const __m256i *)(qt + k * nqp + 32));
        for (size_t c = 0; c < C; ++c) {
            __m256i xb = n == 4 ? codes4(x + c * ldx + k, 4) : codes4(x + c * ldx + k, n);
            acc0[c] = _mm256_dpbusd_avx_epi32(acc0[c], xb, q0);
            acc1[c] = _mm256_dpbusd_avx_epi32(acc1[c], xb, q1);
        }
    }
    for (size_t c = 0; c < C; ++c) {
        _mm256_storeu_si256((__m256i *)(out + c * ldo), acc0[c]);
        _mm256_storeu_si256((__m256i *)(out + c * ldo + 8), acc1[c]);
    }
}

AVXVNNI static void sq8_dot_packed(const int8_t *qt, size_t nqp, const uint8_t *x, size_t nx,
                                   size_t ldx, size_t d, int32_t *out, size_t ldo) {
    for (size_t i0 = 0; i0 < nqp; i0 += 16) {
        size_t j = 0;
        for (; j + I8_C <= nx; j += I8_C)
            i8_tile(I8_C, qt + 4 * i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0, ldo);
        for (; j < nx; ++j)
            i8_tile(1, qt + 4 * i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0, ldo);
    }
}


/* Without AVX-VNNI the f32 path (decode once, packed FMA) is the faster one. */
void accel_fill_avx2_vnni(accel_kernels_t *t) {
    if (__builtin_cpu_supports("avxvnni")) t->sq8_dot_packed = sq8_dot_packed;
}

#pragma GCC pop_options
#else
void accel_fill_avx2_vnni(accel_kernels_t *t) { (void)t; }
#endif
