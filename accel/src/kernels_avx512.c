/* AVX-512 (F/BW/VL/DQ) distance kernels: 6 queries x 4 candidates register tiles,
 * masked loads for the dimension tail, conversions of f16/SQ8 candidates in
 * registers; the packed f32 batch kernel.  The encoders and code kernels are in
 * kernels_avx512_codes.c, the int8 VNNI kernel in kernels_avx512_vnni.c. */
#include "accel.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,popcnt,bmi2")
#include <immintrin.h>
#include <math.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))
#define TILE_R 6 /* 24 accumulators + 4 candidate registers of 32 */
#define TILE_C 4

INLINE __m512 load_x(accel_elem_t elem, const void *x, size_t k, __mmask16 m, const float *lo,
                     const float *scale) {
    switch (elem) {
    case ACCEL_F16: return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, (const uint16_t *)x + k));
    case ACCEL_SQ8: {
        __m128i c = _mm_maskz_loadu_epi8(m, (const uint8_t *)x + k);
        return _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, scale + k),
                               _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(c)),
                               _mm512_maskz_loadu_ps(m, lo + k));
    }
    default: return _mm512_maskz_loadu_ps(m, (const float *)x + k);
    }
}

INLINE __m512 step(accel_op_t op, __m512 acc, __m512 q, __m512 x) {
    switch (op) {
    case ACCEL_DOT: return _mm512_fmadd_ps(q, x, acc);
    case ACCEL_L2SQ: {
        __m512 t = _mm512_sub_ps(q, x);
        return _mm512_fmadd_ps(t, t, acc);
    }
    default: return _mm512_add_ps(acc, _mm512_abs_ps(_mm512_sub_ps(q, x)));
    }
}

/* Horizontal sums of four accumulators in one register: [sum a, sum b, sum c, sum d]. */
INLINE __m128 hsum4(__m512 a, __m512 b, __m512 c, __m512 d) {
    __m256 a8 = _mm256_add_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1));
    __m256 b8 = _mm256_add_ps(_mm512_castps512_ps256(b), _mm512_extractf32x8_ps(b, 1));
    __m256 c8 = _mm256_add_ps(_mm512_castps512_ps256(c), _mm512_extractf32x8_ps(c, 1));
    __m256 d8 = _mm256_add_ps(_mm512_castps512_ps256(d), _mm512_extractf32x8_ps(d, 1));
    __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a8, b8), _mm256_hadd_ps(c8, d8));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

/* Issues prefetches for the next candidate block, a few lines per tile, so the
 * DRAM stream overlaps with the compute of the current (L2-resident) block. */
typedef struct {
    const char *at, *end;
    size_t per_tile;
} prefetch_t;

INLINE void prefetch_some(prefetch_t *pf) {
    for (size_t i = 0; i < pf->per_tile && pf->at < pf->end; ++i, pf->at += 64)
        _mm_prefetch(pf->at, _MM_HINT_T1);
}

/* R queries x C candidates; R, C are compile-time constants after inlining.
 * Queries are read as FMA memory operands, so only C candidate registers and
 * R*C accumulators are live (6 x 4: 28 of 32 zmm). */
INLINE void tile(accel_elem_t elem, accel_op_t op, size_t R, size_t C, const float *q,
                 size_t ldq, const char *x, size_t xrow, size_t d, const float *lo,
                 const float *scale, float *out, size_t ldo) {
    __m512 acc[TILE_R][TILE_C], xv[TILE_C];
    for (size_t r = 0; r < R; ++r)
        for (size_t c = 0; c < C; ++c) acc[r][c] = _mm512_setzero_ps();
    size_t k = 0;
    for (; k + 16 <= d; k += 16) {
        for (size_t c = 0; c < C; ++c) xv[c] = load_x(elem, x + c * xrow, k, 0xffff, lo, scale);
        for (size_t r = 0; r < R; ++r) {
            __m512 qv = _mm512_loadu_ps(q + r * ldq + k);
            for (size_t c = 0; c < C; ++c) acc[r][c] = step(op, acc[r][c], qv, xv[c]);
        }
    }
    if (k < d) {
        __mmask16 m = (__mmask16)_bzhi_u32(0xffff, (unsigned)(d - k));
        for (size_t c = 0; c < C; ++c) xv[c] = load_x(elem, x + c * xrow, k, m, lo, scale);
        for (size_t r = 0; r < R; ++r) {
            __m512 qv = _mm512_maskz_loadu_ps(m, q + r * ldq + k);
            for (size_t c = 0; c < C; ++c) acc[r][c] = step(op, acc[r][c], qv, xv[c]);
        }
    }
    for (size_t r = 0; r < R; ++r) {
        if (C == 4) /* single columns reduce in the same order, so equal rows tie exactly */
            _mm_storeu_ps(out + r * ldo, hsum4(acc[r][0], acc[r][1], acc[r][2], acc[r][3]));
        else
            for (size_t c = 0; c < C; ++c)
                out[r * ldo + c] =
                    _mm_cvtss_f32(hsum4(acc[r][c], acc[r][c], acc[r][c], acc[r][c]));
    }
}

/* R queries against every candidate of the block. */
INLINE void query_rows(accel_elem_t elem, accel_op_t op, size_t R, const float *q, size_t ldq,
                       const char *x, size_t nx, size_t xrow, size_t d, const float *lo,
                       const float *scale, float *out, size_t ldo, prefetch_t *pf) {
    size_t j = 0;
    for (; j + TILE_C <= nx; j += TILE_C) {
        prefetch_some(pf);
        tile(elem, op, R, TILE_C, q, ldq, x + j * xrow, xrow, d, lo, scale, out + j, ldo);
    }
    for (; j < nx; ++j)
        tile(elem, op, R, 1, q, ldq, x + j * xrow, xrow, d, lo, scale, out + j, ldo);
}

INLINE void block(accel_elem_t elem, accel_op_t op, const float *q, size_t nq, size_t ldq,
                  const void *x, size_t nx, size_t ldx, size_t d, const float *lo,
                  const float *scale, float *out, size_t ldo) {
    size_t xrow = ldx * (elem == ACCEL_F32 ? 4 : elem == ACCEL_F16 ? 2 : 1);
    const char *xb = (const char *)x;
    size_t tiles = ((nq + TILE_R - 1) / TILE_R) * (nx / TILE_C) + 1;
    /* One query streams on its own: the hardware prefetcher serves it better. */
    size_t per_tile = nq < TILE_R ? 0 : (nx * xrow / 64 + tiles - 1) / tiles;
    prefetch_t pf = {xb + nx * xrow, xb + 2 * nx * xrow, per_tile};
    size_t i = 0;
    for (; i + TILE_R <= nq; i += TILE_R)
        query_rows(elem, op, TILE_R, q + i * ldq, ldq, xb, nx, xrow, d, lo, scale, out + i * ldo,
                   ldo, &pf);
    const float *qr = q + i * ldq;
    float *o = out + i * ldo;
    switch (nq - i) { /* the leftover rows, each count its own unrolled tile */
    case 5: query_rows(elem, op, 5, qr, ldq, xb, nx, xrow, d, lo, scale, o, ldo, &pf); break;
    case 4: query_rows(elem, op, 4, qr, ldq, xb, nx, xrow, d, lo, scale, o, ldo, &pf); break;
    case 3: query_rows(elem, op, 3, qr, ldq, xb, nx, xrow, d, lo, scale, o, ldo, &pf); break;
    case 2: query_rows(elem, op, 2, qr, ldq, xb, nx, xrow, d, lo, scale, o, ldo, &pf); break;
    case 1: query_rows(elem, op, 1, qr, ldq, xb, nx, xrow, d, lo, scale, o, ldo, &pf); break;
    default: break;
    }
}

#define DEFINE_BLOCK(NAME, ELEM, OP)                                                      \
    static void NAME(const float *q, size_t nq, size_t ldq, const void *x, size_t nx,      \
                     size_t ldx, size_t d, const float *lo, const float *scale, float *out, \
                     size_t ldo) {                                                         \
        block(ELEM, OP, q, nq, ldq, x, nx, ldx, d, lo, scale, out, ldo);                   \
    }
DEFINE_BLOCK(dot_f32, ACCEL_F32, ACCEL_DOT)
DEFINE_BLOCK(l2sq_f32, ACCEL_F32, ACCEL_L2SQ)
DEFINE_BLOCK(l1_f32, ACCEL_F32, ACCEL_L1)
DEFINE_BLOCK(dot_f16, ACCEL_F16, ACCEL_DOT)
DEFINE_BLOCK(l2sq_f16, ACCEL_F16, ACCEL_L2SQ)
DEFINE_BLOCK(l1_f16, ACCEL_F16, ACCEL_L1)
DEFINE_BLOCK(dot_sq8, ACCEL_SQ8, ACCEL_DOT)
DEFINE_BLOCK(l2sq_sq8, ACCEL_SQ8, ACCEL_L2SQ)
DEFINE_BLOCK(l1_sq8, ACCEL_SQ8, ACCEL_L1)

/* Packed batch dot products: V vectors of 16 queries x C candidates of accumulators
 * (2 x 12 or 1 x 24: 24 of 32 zmm), each step one aligned load per query vector and
 * one broadcast per candidate feeding V FMAs; no horizontal sums, results stored
 * 16 queries at a time.  Compute-bound: 24 FMAs per 14 (or 25) loads. */
enum { PACK_C2 = 12, PACK_C1 = 24 };

INLINE void packed_tile(size_t V, size_t C, const float *qt, size_t nqp, const float *x,
                        size_t ldx, size_t d, float *out, size_t ldo) {
    __m512 acc[2][PACK_C1];
    for (size_t v = 0; v < V; ++v)
        for (size_t c = 0; c < C; ++c) acc[v][c] = _mm512_setzero_ps();
    for (size_t k = 0; k < d; ++k) {
        __m512 q0 = _mm512_load_ps(qt + k * nqp);
        __m512 q1 = V > 1 ? _mm512_load_ps(qt + k * nqp + 16) : q0;
        for (size_t c = 0; c < C; ++c) {
            __m512 xb = _mm512_set1_ps(x[c * ldx + k]);
            acc[0][c] = _mm512_fmadd_ps(q0, xb, acc[0][c]);
            if (V > 1) acc[1][c] = _mm512_fmadd_ps(q1, xb, acc[1][c]);
        }
    }
    for (size_t c = 0; c < C; ++c)
        for (size_t v = 0; v < V; ++v) _mm512_storeu_ps(out + c * ldo + v * 16, acc[v][c]);
}

#define PACKED_TAIL(V, CASES)                                                               \
    switch (nx - j) { CASES default: break; }
#define PT(V, N)                                                                            \
    case N: packed_tile(V, N, qt + i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0, ldo); break;

static void dot_packed(const float *qt, size_t nqp, const float *x, size_t nx, size_t ldx,
                       size_t d, float *out, size_t ldo) {
    size_t i0 = 0;
    for (; i0 + 32 <= nqp; i0 += 32) {
        size_t j = 0;
        for (; j + PACK_C2 <= nx; j += PACK_C2)
            packed_tile(2, PACK_C2, qt + i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0, ldo);
        PACKED_TAIL(2, PT(2, 1) PT(2, 2) PT(2, 3) PT(2, 4) PT(2, 5) PT(2, 6) PT(2, 7) PT(2, 8)
                           PT(2, 9) PT(2, 10) PT(2, 11))
    }
    if (i0 < nqp) { /* 16 queries left */
        size_t j = 0;
        for (; j + PACK_C1 <= nx; j += PACK_C1)
            packed_tile(1, PACK_C1, qt + i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0, ldo);
        for (; j + 4 <= nx; j += 4)
            packed_tile(1, 4, qt + i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0, ldo);
        PACKED_TAIL(1, PT(1, 1) PT(1, 2) PT(1, 3))
    }
}
#undef PT
#undef PACKED_TAIL



int accel_fill_avx512(accel_kernels_t *t) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") ||
        !__builtin_cpu_supports("avx512vl") || !__builtin_cpu_supports("avx512dq") ||
        !accel_fill_avx2(t))
        return 0;
    t->name = "avx512";
    t->block[ACCEL_F32][ACCEL_DOT] = dot_f32;
    t->block[ACCEL_F32][ACCEL_L2SQ] = l2sq_f32;
    t->block[ACCEL_F32][ACCEL_L1] = l1_f32;
    t->block[ACCEL_F16][ACCEL_DOT] = dot_f16;
    t->block[ACCEL_F16][ACCEL_L2SQ] = l2sq_f16;
    t->block[ACCEL_F16][ACCEL_L1] = l1_f16;
    t->block[ACCEL_SQ8][ACCEL_DOT] = dot_sq8;
    t->block[ACCEL_SQ8][ACCEL_L2SQ] = l2sq_sq8;
    t->block[ACCEL_SQ8][ACCEL_L1] = l1_sq8;
    accel_fill_avx512_codes(t);
    t->dot_packed = dot_packed;
    accel_fill_avx512_vnni(t);
    return 1;
}

#pragma GCC pop_options
#else
int accel_fill_avx512(accel_kernels_t *t) {
    (void)t;
    return 0;
}
#endif
