/* AVX-512 (F/BW/VL/DQ) kernels: 4 queries x 4 candidates register tiles, masked
 * loads for the dimension tail, conversions of f16/SQ8 candidates in registers. */
#include "accel.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,popcnt,bmi2")
#include <immintrin.h>
#include <math.h>

#define INLINE static inline __attribute__((always_inline))
#define TILE_R 4 /* 16 accumulators + 4 query + 4 candidate registers of 32 */
#define TILE_C 4

INLINE __m512 load_x(accel_elem_t elem, const void *x, size_t k, __mmask16 m, const float *lo, const float *scale) {
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

/* R queries x C candidates; R, C are compile-time constants after inlining. */
INLINE void tile(accel_elem_t elem, accel_op_t op, size_t R, size_t C, const float *q, size_t ldq,
                 const char *x, size_t xrow, size_t d, const float *lo, const float *scale, float *out, size_t ldo) {
    __m512 acc[TILE_R][TILE_C], qv[TILE_R], xv[TILE_C];
    for (size_t r = 0; r < R; ++r)
        for (size_t c = 0; c < C; ++c) acc[r][c] = _mm512_setzero_ps();
    for (size_t k = 0; k < d; k += 16) {
        __mmask16 m = d - k >= 16 ? (__mmask16)0xffff : (__mmask16)_bzhi_u32(0xffff, (unsigned)(d - k));
        for (size_t c = 0; c < C; ++c) xv[c] = load_x(elem, x + c * xrow, k, m, lo, scale);
        for (size_t r = 0; r < R; ++r) qv[r] = _mm512_maskz_loadu_ps(m, q + r * ldq + k);
        for (size_t r = 0; r < R; ++r)
            for (size_t c = 0; c < C; ++c) acc[r][c] = step(op, acc[r][c], qv[r], xv[c]);
    }
    for (size_t r = 0; r < R; ++r) {
        if (C == 4) /* single columns reduce in the same order, so equal rows tie exactly */
            _mm_storeu_ps(out + r * ldo, hsum4(acc[r][0], acc[r][1], acc[r][2], acc[r][3]));
        else
            for (size_t c = 0; c < C; ++c)
                out[r * ldo + c] = _mm_cvtss_f32(hsum4(acc[r][c], acc[r][c], acc[r][c], acc[r][c]));
    }
}

INLINE void block(accel_elem_t elem, accel_op_t op, const float *q, size_t nq, size_t ldq,
                  const void *x, size_t nx, size_t ldx, size_t d, const float *lo, const float *scale, float *out,
                  size_t ldo) {
    size_t xrow = ldx * (elem == ACCEL_F32 ? 4 : elem == ACCEL_F16 ? 2 : 1);
    const char *xb = (const char *)x;
    size_t i = 0;
    for (; i + TILE_R <= nq; i += TILE_R) {
        size_t j = 0;
        for (; j + TILE_C <= nx; j += TILE_C)
            tile(elem, op, TILE_R, TILE_C, q + i * ldq, ldq, xb + j * xrow, xrow, d, lo, scale,
                 out + i * ldo + j, ldo);
        for (; j < nx; ++j)
            tile(elem, op, TILE_R, 1, q + i * ldq, ldq, xb + j * xrow, xrow, d, lo, scale,
                 out + i * ldo + j, ldo);
    }
    for (; i < nq; ++i) {
        size_t j = 0;
        for (; j + TILE_C <= nx; j += TILE_C)
            tile(elem, op, 1, TILE_C, q + i * ldq, ldq, xb + j * xrow, xrow, d, lo, scale,
                 out + i * ldo + j, ldo);
        for (; j < nx; ++j)
            tile(elem, op, 1, 1, q + i * ldq, ldq, xb + j * xrow, xrow, d, lo, scale,
                 out + i * ldo + j, ldo);
    }
}

#define DEFINE_BLOCK(NAME, ELEM, OP)                                                          \
    static void NAME(const float *q, size_t nq, size_t ldq, const void *x, size_t nx,          \
                     size_t ldx, size_t d, const float *lo, const float *scale, float *out, size_t ldo) {       \
        block(ELEM, OP, q, nq, ldq, x, nx, ldx, d, lo, scale, out, ldo);                           \
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

__attribute__((target("avx512vpopcntdq"))) static void hamming_vpopcnt(
    const uint8_t *a, size_t na, const uint8_t *b, size_t nb, size_t nbytes, float *out,
    size_t ldo) {
    for (size_t i = 0; i < na; ++i) {
        for (size_t j = 0; j < nb; ++j) {
            const uint8_t *u = a + i * nbytes, *v = b + j * nbytes;
            __m512i acc = _mm512_setzero_si512();
            for (size_t k = 0; k < nbytes; k += 64) {
                __mmask64 m = nbytes - k >= 64 ? ~(__mmask64)0 : _bzhi_u64(~0ull, (unsigned)(nbytes - k));
                __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, u + k),
                                             _mm512_maskz_loadu_epi8(m, v + k));
                acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
            }
            out[i * ldo + j] = (float)_mm512_reduce_add_epi64(acc);
        }
    }
}

static void f32_to_f16(const float *x, uint16_t *h, size_t n) {
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)_bzhi_u32(0xffff, (unsigned)(n - i));
        __m256i v = _mm512_cvtps_ph(_mm512_maskz_loadu_ps(m, x + i), _MM_FROUND_TO_NEAREST_INT);
        _mm256_mask_storeu_epi16(h + i, m, v);
    }
}

static void f16_to_f32(const uint16_t *h, float *x, size_t n) {
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)_bzhi_u32(0xffff, (unsigned)(n - i));
        _mm512_mask_storeu_ps(x + i, m, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, h + i)));
    }
}

/* x - x is 0 for finite x and NaN for NaN/inf: OR-ing it up costs one op per vector. */
INLINE int all_finite(__m512 ored) { return _mm512_cmp_ps_mask(ored, ored, _CMP_UNORD_Q) == 0; }

static int sq8_encode(const float *x, size_t n, size_t d, const float *lo, const float *inv_scale,
                      uint8_t *codes) {
    const __m512 zero = _mm512_setzero_ps(), top = _mm512_set1_ps(255.0f);
    __m512 bad = zero;
    for (size_t i = 0; i < n; ++i) {
        const float *row = x + i * d;
        for (size_t k = 0; k < d; k += 16) {
            __mmask16 m = d - k >= 16 ? (__mmask16)0xffff : (__mmask16)_bzhi_u32(0xffff, (unsigned)(d - k));
            __m512 in = _mm512_maskz_loadu_ps(m, row + k);
            bad = _mm512_or_ps(bad, _mm512_sub_ps(in, in));
            __m512 v = _mm512_mul_ps(_mm512_sub_ps(in, _mm512_maskz_loadu_ps(m, lo + k)),
                                     _mm512_maskz_loadu_ps(m, inv_scale + k));
            v = _mm512_min_ps(_mm512_max_ps(v, zero), top);
            _mm_mask_storeu_epi8(codes + i * d + k, m, _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v)));
        }
    }
    return all_finite(bad);
}

extern const uint8_t accel_bit_reverse[256];

static int binary_quantize(const float *x, size_t n, size_t d, uint8_t *bits) {
    size_t nbytes = (d + 7) / 8;
    const __m512 zero = _mm512_setzero_ps();
    __m512 bad = zero;
    for (size_t i = 0; i < n; ++i) {
        const float *row = x + i * d;
        uint8_t *dst = bits + i * nbytes;
        for (size_t k = 0; k < d; k += 16) {
            __mmask16 m = d - k >= 16 ? (__mmask16)0xffff : (__mmask16)_bzhi_u32(0xffff, (unsigned)(d - k));
            __m512 in = _mm512_maskz_loadu_ps(m, row + k);
            bad = _mm512_or_ps(bad, _mm512_sub_ps(in, in));
            unsigned gt = _mm512_cmp_ps_mask(in, zero, _CMP_GT_OQ);
            dst[k / 8] = accel_bit_reverse[gt & 0xff];
            if (k / 8 + 1 < nbytes) dst[k / 8 + 1] = accel_bit_reverse[gt >> 8];
        }
    }
    return all_finite(bad);
}

/* R vectors against 16 centroids at a time: running minimum and argmin per lane,
 * first (lowest) centroid wins ties.  ksub must be a multiple of 16. */
INLINE void assign_tile(size_t R, const float *x, size_t ldx, size_t dsub, const float *ct,
                        const float *cnorm, size_t ksub, uint8_t *codes, size_t code_stride) {
    __m512 best[4];
    __m512i arg[4];
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (size_t r = 0; r < R; ++r) best[r] = _mm512_set1_ps(INFINITY), arg[r] = _mm512_setzero_si512();
    for (size_t c0 = 0; c0 < ksub; c0 += 16) {
        __m512 acc[4];
        for (size_t r = 0; r < R; ++r) acc[r] = _mm512_loadu_ps(cnorm + c0);
        for (size_t k = 0; k < dsub; ++k) {
            __m512 cv = _mm512_loadu_ps(ct + k * ksub + c0);
            for (size_t r = 0; r < R; ++r)
                acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(-2.0f * x[r * ldx + k]), cv, acc[r]);
        }
        __m512i idx = _mm512_add_epi32(_mm512_set1_epi32((int)c0), lane);
        for (size_t r = 0; r < R; ++r) {
            __mmask16 lt = _mm512_cmp_ps_mask(acc[r], best[r], _CMP_LT_OQ);
            best[r] = _mm512_mask_mov_ps(best[r], lt, acc[r]);
            arg[r] = _mm512_mask_mov_epi32(arg[r], lt, idx);
        }
    }
    for (size_t r = 0; r < R; ++r) {
        __m512 lowest = _mm512_set1_ps(_mm512_reduce_min_ps(best[r]));
        __mmask16 eq = _mm512_cmp_ps_mask(best[r], lowest, _CMP_EQ_OQ);
        codes[r * code_stride] = (uint8_t)_mm512_mask_reduce_min_epi32(eq, arg[r]);
    }
}

static void pq_assign(const float *x, size_t n, size_t ldx, size_t dsub, const float *ct,
                      const float *cnorm, size_t ksub, uint8_t *codes, size_t code_stride) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        assign_tile(4, x + i * ldx, ldx, dsub, ct, cnorm, ksub, codes + i * code_stride, code_stride);
    for (; i < n; ++i)
        assign_tile(1, x + i * ldx, ldx, dsub, ct, cnorm, ksub, codes + i * code_stride, code_stride);
}

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
    if (__builtin_cpu_supports("avx512vpopcntdq")) t->hamming = hamming_vpopcnt;
    t->f32_to_f16 = f32_to_f16;
    t->f16_to_f32 = f16_to_f32;
    t->sq8_encode = sq8_encode;
    t->binary_quantize = binary_quantize;
    t->pq_assign = pq_assign;
    return 1;
}

#pragma GCC pop_options
#else
int accel_fill_avx512(accel_kernels_t *t) {
    (void)t;
    return 0;
}
#endif
