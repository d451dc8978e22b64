/* AVX512-VNNI kernel: SQ8 codes x int8 queries for the many-query SQ8 top-k
 * (accel_kernels_t.sq8_dot_packed); kernels_avx512.c fills the rest of the table. */
#include "accel.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,bmi2")
#include <immintrin.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))
enum { PACK_C2 = 12, PACK_C1 = 24 }; /* the tiles of kernels_avx512.c's dot_packed */

/* SQ8 codes x int8 queries with AVX512-VNNI: `vpdpbusd` multiplies 4 code bytes by 4
 * query bytes and adds into int32 lanes, 64 multiply-adds per instruction (4x an f32
 * FMA).  Same tiles as dot_packed (2 x 12 or 1 x 24 accumulators); each step covers
 * 4 dimensions with one 4-byte candidate broadcast; the d % 4 tail is copied bytewise. */
#define VNNI __attribute__((target("avx512vnni")))

typedef int32_t unaligned_i32 __attribute__((may_alias, aligned(1)));

/* The last 1..3 code bytes of a row, zero-extended (never reads past the row). */
INLINE int32_t codes_tail(const uint8_t *p, size_t n) {
    uint32_t w = p[0];
    if (n > 1) w |= (uint32_t)p[1] << 8;
    if (n > 2) w |= (uint32_t)p[2] << 16;
    return (int32_t)w;
}

/* Tail tiles (fewer candidates) with the intrinsic. */
VNNI INLINE void i8_tile(size_t V, size_t C, const int8_t *qt, size_t nqp, const uint8_t *x,
                         size_t ldx, size_t d, int32_t *out, size_t ldo) {
    __m512i acc0[PACK_C1], acc1[PACK_C1];
    for (size_t c = 0; c < C; ++c) {
        acc0[c] = _mm512_setzero_si512();
        if (V > 1) acc1[c] = _mm512_setzero_si512();
    }
    size_t k = 0;
    for (; k + 4 <= d; k += 4) {
        __m512i q0 = _mm512_load_si512(qt + k * nqp);
        __m512i q1 = V > 1 ? _mm512_load_si512(qt + k * nqp + 64) : q0;
        for (size_t c = 0; c < C; ++c) {
            __m512i xb = _mm512_set1_epi32(*(const unaligned_i32 *)(x + c * ldx + k));
            acc0[c] = _mm512_dpbusd_epi32(acc0[c], xb, q0);
            if (V > 1) acc1[c] = _mm512_dpbusd_epi32(acc1[c], xb, q1);
        }
    }
    if (k < d) {
        __m512i q0 = _mm512_load_si512(qt + k * nqp);
        __m512i q1 = V > 1 ? _mm512_load_si512(qt + k * nqp + 64) : q0;
        for (size_t c = 0; c < C; ++c) {
            __m512i xb = _mm512_set1_epi32(codes_tail(x + c * ldx + k, d - k));
            acc0[c] = _mm512_dpbusd_epi32(acc0[c], xb, q0);
            if (V > 1) acc1[c] = _mm512_dpbusd_epi32(acc1[c], xb, q1);
        }
    }
    for (size_t c = 0; c < C; ++c) {
        _mm512_storeu_si512(out + c * ldo, acc0[c]);
        if (V > 1) _mm512_storeu_si512(out + c * ldo + 16, acc1[c]);
    }
}

/* The full tiles, 24 accumulators each, as named variables and an inline-asm
 * `vpdpbusd`: with the intrinsic, GCC 12 copies and spills the accumulators every
 * step (measured 2x slower); the asm keeps them in zmm registers like the FMA tile. */
#define DP(acc, xb, q) __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(xb), "v"(q))
#define REP12(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)
#define ZERO(c) __m512i a##c = _mm512_setzero_si512(), b##c = _mm512_setzero_si512();
#define X4(c, k) _mm512_set1_epi32(*(const unaligned_i32 *)(x + (c) * ldx + (k)))
#define XT(c, k) _mm512_set1_epi32(codes_tail(x + (c) * ldx + (k), d - (k)))

VNNI static void i8_tile_2x12(const int8_t *qt, size_t nqp, const uint8_t *x, size_t ldx,
                              size_t d, int32_t *out, size_t ldo) {
    REP12(ZERO)
    size_t k = 0;
#define STEP2(c) { __m512i xb = LOADX(c, k); DP(a##c, xb, q0); DP(b##c, xb, q1); }
    for (; k + 4 <= d; k += 4) {
        __m512i q0 = _mm512_load_si512(qt + k * nqp), q1 = _mm512_load_si512(qt + k * nqp + 64);
#define LOADX X4
        REP12(STEP2)
#undef LOADX
    }
    if (k < d) {
        __m512i q0 = _mm512_load_si512(qt + k * nqp), q1 = _mm512_load_si512(qt + k * nqp + 64);
#define LOADX XT
        REP12(STEP2)
#undef LOADX
    }
#define STORE2(c) \
    _mm512_storeu_si512(out + c * ldo, a##c), _mm512_storeu_si512(out + c * ldo + 16, b##c);
    REP12(STORE2)
}

/* 16 queries x 24 candidates: candidate c in a##c (c < 12) and b##(c - 12). */
VNNI static void i8_tile_1x24(const int8_t *qt, size_t nqp, const uint8_t *x, size_t ldx,
                              size_t d, int32_t *out, size_t ldo) {
    REP12(ZERO)
    size_t k = 0;
#define STEP1(c) { DP(a##c, LOADX(c, k), q0); DP(b##c, LOADX(c + 12, k), q0); }
    for (; k + 4 <= d; k += 4) {
        __m512i q0 = _mm512_load_si512(qt + k * nqp);
#define LOADX X4
        REP12(STEP1)
#undef LOADX
    }
    if (k < d) {
        __m512i q0 = _mm512_load_si512(qt + k * nqp);
#define LOADX XT
        REP12(STEP1)
#undef LOADX
    }
#define STORE1(c) \
    _mm512_storeu_si512(out + c * ldo, a##c), _mm512_storeu_si512(out + (c + 12) * ldo, b##c);
    REP12(STORE1)
}
#undef DP
#undef REP12
#undef ZERO
#undef X4
#undef XT
#undef STEP1
#undef STEP2
#undef STORE1
#undef STORE2

#define IT(V, N)                                                                            \
    case N: i8_tile(V, N, qt + 4 * i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0, ldo); break;

VNNI static void sq8_dot_packed(const int8_t *qt, size_t nqp, const uint8_t *x, size_t nx,
                                size_t ldx, size_t d, int32_t *out, size_t ldo) {
    size_t i0 = 0;
    for (; i0 + 32 <= nqp; i0 += 32) {
        size_t j = 0;
        for (; j + PACK_C2 <= nx; j += PACK_C2)
            i8_tile_2x12(qt + 4 * i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0, ldo);
        switch (nx - j) {
            IT(2, 1) IT(2, 2) IT(2, 3) IT(2, 4) IT(2, 5) IT(2, 6) IT(2, 7) IT(2, 8) IT(2, 9)
            IT(2, 10) IT(2, 11) default: break;
        }
    }
    if (i0 < nqp) { /* 16 queries left */
        size_t j = 0;
        for (; j + PACK_C1 <= nx; j += PACK_C1)
            i8_tile_1x24(qt + 4 * i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0, ldo);
        for (; j + 4 <= nx; j += 4)
            i8_tile(1, 4, qt + 4 * i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0, ldo);
        switch (nx - j) { IT(1, 1) IT(1, 2) IT(1, 3) default: break; }
    }
}
#undef IT

void accel_fill_avx512_vnni(accel_kernels_t *t) {
    if (__builtin_cpu_supports("avx512vnni")) t->sq8_dot_packed = sq8_dot_packed;
}

#pragma GCC pop_options
#else
void accel_fill_avx512_vnni(accel_kernels_t *t) { (void)t; }
#endif
