/* AVX2 + FMA + F16C kernels: 2 queries x 4 candidates register tiles (16 ymm
 * registers), masked loads or a zero-padded copy for the dimension tail; a single
 * query row streams 4 candidates at a time with software prefetch (scan1).  The
 * encoders and float16 conversions are in kernels_avx2_codes.c. */
#include "accel.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,popcnt")
#include <immintrin.h>
#include <math.h>
#include <string.h>

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

/* Software prefetch for the one-query scan: one tile of candidates ahead of the loads
 * (4 KiB to 16 KiB), when rows are short (the hardware prefetcher retrains on every
 * new row stream) or compressed (more work per byte, so the out-of-order window
 * covers fewer bytes).  Measured on Zen 2: +10-20% for f32 rows <= 2 KiB, x1.3-2.7
 * for f16/SQ8; ~10% slower for longer f32 rows, which get none. */
enum { PREFETCH_MIN = 4096, PREFETCH_MAX = 16384, PREFETCH_MAX_ROW = 2048 };

/* One query row (the q=1 scan): C candidates in parallel, one accumulator each (the
 * summation order of tile(), so every path gives a pair the same value), plain loads
 * in the main loop and one masked step for the tail, and the prefetch walking the
 * candidates' bytes `pfd` ahead of the loads (0: none).  With `norm`, |x|^2 too, in
 * the order the l2sq kernel sums |0 - x|^2 (cosine in one pass). */
INLINE void row_step(accel_elem_t elem, accel_op_t op, size_t C, __m256 qv, const char *x,
                     size_t xrow, size_t k, size_t rem, const float *lo, const float *scale,
                     __m256 *acc, __m256 *nacc, int norm) {
    for (size_t c = 0; c < C; ++c) {
        __m256 xv = load_x(elem, x + c * xrow, k, rem, lo, scale);
        acc[c] = step(op, acc[c], qv, xv);
        if (norm) nacc[c] = _mm256_fmadd_ps(xv, xv, nacc[c]);
    }
}

INLINE void row_tile(accel_elem_t elem, accel_op_t op, size_t C, const float *q, const char *x,
                     size_t xrow, size_t d, const float *lo, const float *scale, float *out,
                     int NORM, float *norm, size_t pfd) {
    const size_t step_bytes = C * 8 * (elem == ACCEL_F32 ? 4 : elem == ACCEL_F16 ? 2 : 1);
    __m256 acc[TILE_C], nacc[TILE_C];
    for (size_t c = 0; c < C; ++c) acc[c] = nacc[c] = _mm256_setzero_ps();
    const char *pf = x + pfd;
    size_t k = 0;
    for (; k + 8 <= d; k += 8, pf += step_bytes) {
        for (size_t b = 0; pfd && b < step_bytes; b += 64) _mm_prefetch(pf + b, _MM_HINT_T0);
        row_step(elem, op, C, _mm256_loadu_ps(q + k), x, xrow, k, 8, lo, scale, acc, nacc,
                 NORM);
    }
    if (k < d)
        row_step(elem, op, C, load_f32(q + k, d - k), x, xrow, k, d - k, lo, scale, acc, nacc,
                 NORM);
    if (C == 4) {
        _mm_storeu_ps(out, hsum4(acc[0], acc[1], acc[2], acc[3]));
        if (NORM) _mm_storeu_ps(norm, hsum4(nacc[0], nacc[1], nacc[2], nacc[3]));
    } else {
        out[0] = _mm_cvtss_f32(hsum4(acc[0], acc[0], acc[0], acc[0]));
        if (NORM) norm[0] = _mm_cvtss_f32(hsum4(nacc[0], nacc[0], nacc[0], nacc[0]));
    }
}

INLINE void scan1(accel_elem_t elem, accel_op_t op, const float *q, const char *x, size_t nx,
                  size_t xrow, size_t d, const float *lo, const float *scale, float *out,
                  int NORM, float *norm) {
    size_t pfd = TILE_C * xrow, j = 0;
    pfd = pfd < PREFETCH_MIN ? PREFETCH_MIN : pfd > PREFETCH_MAX ? PREFETCH_MAX : pfd;
    if (elem == ACCEL_F32 && xrow > PREFETCH_MAX_ROW) pfd = 0;
    for (; j + TILE_C <= nx; j += TILE_C)
        row_tile(elem, op, TILE_C, q, x + j * xrow, xrow, d, lo, scale, out + j, NORM,
                 norm + j, pfd);
    for (; j < nx; ++j)
        row_tile(elem, op, 1, q, x + j * xrow, xrow, d, lo, scale, out + j, NORM, norm + j, 0);
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
    for (; i < nq; ++i)
        scan1(elem, op, q + i * ldq, xb, nx, xrow, d, lo, scale, out + i * ldo, 0, out);
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

#define DEFINE_DOT_NORM(NAME, ELEM, SIZE)                                                   \
    static void NAME(const float *q, const void *x, size_t nx, size_t ldx, size_t d,        \
                     const float *lo, const float *scale, float *dot, float *norm) {        \
        scan1(ELEM, ACCEL_DOT, q, (const char *)x, nx, ldx * SIZE, d, lo, scale, dot, 1, norm); \
    }
DEFINE_DOT_NORM(dot_norm_f32, ACCEL_F32, 4)
DEFINE_DOT_NORM(dot_norm_f16, ACCEL_F16, 2)
DEFINE_DOT_NORM(dot_norm_sq8, ACCEL_SQ8, 1)

/* The fused one-query cosine pass, for the AVX2 table only (see accel.h): it sums in
 * the order of this file's block kernels, which the AVX-512 table replaces. */
void accel_fill_avx2_dot_norm(accel_kernels_t *t) {
    t->dot_norm[ACCEL_F32] = dot_norm_f32;
    t->dot_norm[ACCEL_F16] = dot_norm_f16;
    t->dot_norm[ACCEL_SQ8] = dot_norm_sq8;
}

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
    accel_fill_avx2_codes(t);
    t->pq_assign = pq_assign;
    t->dot_packed = dot_packed;
    t->rabitq_scan = accel_rabitq_scan_avx2;
    t->rabitq_rank = accel_rabitq_rank_avx2;
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
void accel_fill_avx2_dot_norm(accel_kernels_t *t) { (void)t; }
#endif
