/* AVX2 + FMA + F16C kernels: 2 queries x 4 candidates register tiles (16 ymm
 * registers), masked loads or a zero-padded copy for the dimension tail. */
#include "accel.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,popcnt")
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "f16.h"

#define INLINE static inline __attribute__((always_inline))
#define TILE_R 2 /* 8 accumulators + 2 query + 4 candidate registers of 16 */
#define TILE_C 4

static const int32_t tail_mask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

/* Loads min(8, rem) floats and zeros the rest, never touching memory past them. */
INLINE __m256 load_f32(const float *p, size_t rem) {
    if (rem >= 8) return _mm256_loadu_ps(p);
    return _mm256_maskload_ps(p, _mm256_loadu_si256((const __m256i *)(tail_mask + 8 - rem)));
}

INLINE __m256 load_x(accel_elem_t elem, const void *x, size_t k, size_t rem, const float *lo,
                     const float *scale) {
    switch (elem) {
    case ACCEL_F16: {
        const uint16_t *p = (const uint16_t *)x + k;
        __m128i h;
        if (rem >= 8) {
            h = _mm_loadu_si128((const __m128i *)p);
        } else {
            uint16_t tmp[8] = {0};
            memcpy(tmp, p, rem * 2);
            h = _mm_loadu_si128((const __m128i *)tmp);
        }
        return _mm256_cvtph_ps(h);
    }
    case ACCEL_SQ8: {
        const uint8_t *p = (const uint8_t *)x + k;
        uint64_t bytes = 0;
        memcpy(&bytes, p, rem >= 8 ? 8 : rem);
        __m256 c = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)bytes)));
        return _mm256_fmadd_ps(load_f32(scale + k, rem), c, load_f32(lo + k, rem));
    }
    default: return load_f32((const float *)x + k, rem);
    }
}

INLINE __m256 step(accel_op_t op, __m256 acc, __m256 q, __m256 x) {
    switch (op) {
    case ACCEL_DOT: return _mm256_fmadd_ps(q, x, acc);
    case ACCEL_L2SQ: {
        __m256 t = _mm256_sub_ps(q, x);
        return _mm256_fmadd_ps(t, t, acc);
    }
    default: {
        const __m256 sign = _mm256_set1_ps(-0.0f);
        return _mm256_add_ps(acc, _mm256_andnot_ps(sign, _mm256_sub_ps(q, x)));
    }
    }
}

INLINE __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
    __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

INLINE void tile(accel_elem_t elem, accel_op_t op, size_t R, size_t C, const float *q, size_t ldq,
                 const char *x, size_t xrow, size_t d, const float *lo, const float *scale,
                 float *out, size_t ldo) {
    __m256 acc[TILE_R][TILE_C], qv[TILE_R], xv[TILE_C];
    for (size_t r = 0; r < R; ++r)
        for (size_t c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_ps();
    for (size_t k = 0; k < d; k += 8) {
        size_t rem = d - k;
        for (size_t c = 0; c < C; ++c) xv[c] = load_x(elem, x + c * xrow, k, rem, lo, scale);
        for (size_t r = 0; r < R; ++r) qv[r] = load_f32(q + r * ldq + k, rem);
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
                  const void *x, size_t nx, size_t ldx, size_t d, const float *lo,
                  const float *scale, float *out, size_t ldo) {
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

static void hamming_popcnt(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                           size_t nbytes, float *out, size_t ldo) {
    for (size_t i = 0; i < na; ++i) {
        for (size_t j = 0; j < nb; ++j) {
            const uint8_t *u = a + i * nbytes, *v = b + j * nbytes;
            long long bits = 0;
            size_t k = 0;
            for (; k + 8 <= nbytes; k += 8) {
                uint64_t wu, wv;
                memcpy(&wu, u + k, 8);
                memcpy(&wv, v + k, 8);
                bits += _mm_popcnt_u64(wu ^ wv);
            }
            for (; k < nbytes; ++k) bits += _mm_popcnt_u32((unsigned)(u[k] ^ v[k]));
            out[i * ldo + j] = (float)bits;
        }
    }
}

static void f32_to_f16(const float *x, uint16_t *h, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(h + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i) h[i] = accel_f32_to_f16(x[i]);
}

static void f16_to_f32(const uint16_t *h, float *x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(x + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + i))));
    for (; i < n; ++i) x[i] = accel_f16_to_f32(h[i]);
}

/* x - x is 0 for finite x and NaN for NaN/inf: OR-ing it up costs one op per vector. */
INLINE int all_finite(__m256 ored) {
    return _mm256_movemask_ps(_mm256_cmp_ps(ored, ored, _CMP_UNORD_Q)) == 0;
}

static int sq8_encode(const float *x, size_t n, size_t d, const float *lo, const float *inv_scale,
                      uint8_t *codes) {
    const __m256 zero = _mm256_setzero_ps(), top = _mm256_set1_ps(255.0f);
    __m256 bad = zero;
    for (size_t i = 0; i < n; ++i) {
        const float *row = x + i * d;
        uint8_t *dst = codes + i * d;
        for (size_t k = 0; k < d; k += 8) {
            size_t rem = d - k;
            __m256 in = load_f32(row + k, rem);
            bad = _mm256_or_ps(bad, _mm256_sub_ps(in, in));
            __m256 v = _mm256_mul_ps(_mm256_sub_ps(in, load_f32(lo + k, rem)),
                                     load_f32(inv_scale + k, rem));
            v = _mm256_min_ps(_mm256_max_ps(v, zero), top);
            __m256i w = _mm256_cvtps_epi32(v); /* round to nearest even, like numpy.rint */
            __m128i h = _mm_packus_epi32(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
            uint64_t b = (uint64_t)_mm_cvtsi128_si64(_mm_packus_epi16(h, h));
            memcpy(dst + k, &b, rem >= 8 ? 8 : rem);
        }
    }
    return all_finite(bad);
}

extern const uint8_t accel_bit_reverse[256];

static int binary_quantize(const float *x, size_t n, size_t d, uint8_t *bits) {
    size_t nbytes = (d + 7) / 8;
    const __m256 zero = _mm256_setzero_ps();
    __m256 bad = zero;
    for (size_t i = 0; i < n; ++i) {
        const float *row = x + i * d;
        for (size_t k = 0; k < d; k += 8) {
            __m256 in = load_f32(row + k, d - k);
            bad = _mm256_or_ps(bad, _mm256_sub_ps(in, in));
            int gt = _mm256_movemask_ps(_mm256_cmp_ps(in, zero, _CMP_GT_OQ));
            bits[i * nbytes + k / 8] = accel_bit_reverse[gt];
        }
    }
    return all_finite(bad);
}

/* R vectors against 8 centroids at a time; ksub must be a multiple of 8. */
INLINE void assign_tile(size_t R, const float *x, size_t ldx, size_t dsub, const float *ct,
                        const float *cnorm, size_t ksub, uint8_t *codes, size_t code_stride) {
    __m256 best[4];
    __m256i arg[4];
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (size_t r = 0; r < R; ++r)
        best[r] = _mm256_set1_ps(INFINITY), arg[r] = _mm256_setzero_si256();
    for (size_t c0 = 0; c0 < ksub; c0 += 8) {
        __m256 acc[4];
        for (size_t r = 0; r < R; ++r) acc[r] = _mm256_loadu_ps(cnorm + c0);
        for (size_t k = 0; k < dsub; ++k) {
            __m256 cv = _mm256_loadu_ps(ct + k * ksub + c0);
            for (size_t r = 0; r < R; ++r)
                acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(x[r * ldx + k]), cv, acc[r]);
        }
        __m256i idx = _mm256_add_epi32(_mm256_set1_epi32((int)c0), lane);
        for (size_t r = 0; r < R; ++r) {
            __m256 lt = _mm256_cmp_ps(acc[r], best[r], _CMP_LT_OQ);
            best[r] = _mm256_blendv_ps(best[r], acc[r], lt);
            arg[r] = _mm256_blendv_epi8(arg[r], idx, _mm256_castps_si256(lt));
        }
    }
    for (size_t r = 0; r < R; ++r) {
        float b[8];
        int32_t a[8];
        _mm256_storeu_ps(b, best[r]);
        _mm256_storeu_si256((__m256i *)a, arg[r]);
        size_t l = 0;
        for (size_t t = 1; t < 8; ++t)
            if (b[t] < b[l] || (b[t] == b[l] && a[t] < a[l])) l = t;
        codes[r * code_stride] = (uint8_t)a[l];
    }
}

static void pq_assign(const float *x, size_t n, size_t ldx, size_t dsub, const float *ct,
                      const float *cnorm, size_t ksub, uint8_t *codes, size_t code_stride) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        assign_tile(4, x + i * ldx, ldx, dsub, ct, cnorm, ksub, codes + i * code_stride,
                    code_stride);
    for (; i < n; ++i)
        assign_tile(1, x + i * ldx, ldx, dsub, ct, cnorm, ksub, codes + i * code_stride,
                    code_stride);
}

/* The packed kernel's inner loop is 23 instructions: starting it on a 64-byte
 * boundary keeps its speed independent of where the linker puts it (a few %). */
#pragma GCC optimize("align-loops=64")
/* Packed batch dot products: 2 vectors of 8 queries x 6 candidates (12 of 16 ymm
 * accumulators), one broadcast per candidate feeding 2 FMAs; see kernels_avx512.c.
 * While the packed queries fit in half of L2, each 6-candidate tile meets every
 * query group while its rows are in L1, and the first group prefetches the next
 * tile's `pf` rows (one line per row per 16 k, into L2: a tile's time ahead), so
 * candidates streaming from L3 or DRAM arrive in time and are read once.  Larger
 * query blocks run query group by query group over the whole candidate block. */
enum { PACK_C = 6, PACK_QT_BYTES = 256 << 10 };

INLINE void packed_tile(size_t C, const float *qt, size_t nqp, const float *x, size_t ldx,
                        size_t d, float *out, size_t ldo, size_t pf) {
    __m256 acc[2][PACK_C];
    for (size_t c = 0; c < C; ++c) acc[0][c] = acc[1][c] = _mm256_setzero_ps();
    const float *next = x + C * ldx;
    for (size_t k0 = 0; k0 < d; k0 += 16) {
        size_t k1 = d - k0 < 16 ? d : k0 + 16;
        for (size_t c = 0; c < pf; ++c)
            _mm_prefetch((const char *)(next + c * ldx + k0), _MM_HINT_T1);
        for (size_t k = k0; k < k1; ++k) {
            __m256 q0 = _mm256_load_ps(qt + k * nqp), q1 = _mm256_load_ps(qt + k * nqp + 8);
            for (size_t c = 0; c < C; ++c) {
                __m256 xb = _mm256_broadcast_ss(x + c * ldx + k);
                acc[0][c] = _mm256_fmadd_ps(q0, xb, acc[0][c]);
                acc[1][c] = _mm256_fmadd_ps(q1, xb, acc[1][c]);
            }
        }
    }
    for (size_t c = 0; c < C; ++c) {
        _mm256_storeu_ps(out + c * ldo, acc[0][c]);
        _mm256_storeu_ps(out + c * ldo + 8, acc[1][c]);
    }
}

static void dot_packed(const float *qt, size_t nqp, const float *x, size_t nx, size_t ldx,
                       size_t d, float *out, size_t ldo) {
    size_t j = 0;
    if (d * nqp * sizeof(float) <= PACK_QT_BYTES) {
        for (; j + PACK_C <= nx; j += PACK_C) {
            size_t left = nx - j - PACK_C, pf = left < PACK_C ? left : PACK_C;
            for (size_t i0 = 0; i0 < nqp; i0 += 16) {
                if (i0 == 0 && pf == PACK_C)
                    packed_tile(PACK_C, qt, nqp, x + j * ldx, ldx, d, out + j * ldo, ldo, PACK_C);
                else
                    packed_tile(PACK_C, qt + i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0,
                                ldo, i0 == 0 ? pf : 0);
            }
        }
    } else {
        for (size_t i0 = 0; i0 < nqp; i0 += 16)
            for (size_t jj = 0; jj + PACK_C <= nx; jj += PACK_C)
                packed_tile(PACK_C, qt + i0, nqp, x + jj * ldx, ldx, d, out + jj * ldo + i0, ldo,
                            0);
        j = nx / PACK_C * PACK_C;
    }
    for (; j < nx; ++j)
        for (size_t i0 = 0; i0 < nqp; i0 += 16)
            packed_tile(1, qt + i0, nqp, x + j * ldx, ldx, d, out + j * ldo + i0, ldo, 0);
}

int accel_fill_avx2(accel_kernels_t *t) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma") ||
        !__builtin_cpu_supports("f16c") || !__builtin_cpu_supports("popcnt"))
        return 0;
    accel_fill_scalar(t);
    t->name = "avx2";
    t->block[ACCEL_F32][ACCEL_DOT] = dot_f32;
    t->block[ACCEL_F32][ACCEL_L2SQ] = l2sq_f32;
    t->block[ACCEL_F32][ACCEL_L1] = l1_f32;
    t->block[ACCEL_F16][ACCEL_DOT] = dot_f16;
    t->block[ACCEL_F16][ACCEL_L2SQ] = l2sq_f16;
    t->block[ACCEL_F16][ACCEL_L1] = l1_f16;
    t->block[ACCEL_SQ8][ACCEL_DOT] = dot_sq8;
    t->block[ACCEL_SQ8][ACCEL_L2SQ] = l2sq_sq8;
    t->block[ACCEL_SQ8][ACCEL_L1] = l1_sq8;
    t->hamming = hamming_popcnt;
    t->f32_to_f16 = f32_to_f16;
    t->f16_to_f32 = f16_to_f32;
    t->sq8_encode = sq8_encode;
    t->binary_quantize = binary_quantize;
    t->pq_assign = pq_assign;
    t->dot_packed = dot_packed;
    /* without AVX-VNNI, the f32 path (decode once, packed FMA) is the faster one */
    t->sq8_dot_packed = NULL;
    accel_fill_avx2_vnni(t);
    return 1;
}

#pragma GCC pop_options
#else
int accel_fill_avx2(accel_kernels_t *t) {
    (void)t;
    return 0;
}
#endif
