/* AVX-512 (F/BW/VL/DQ) kernels: 4 queries x 4 candidates register tiles, masked
 * loads for the dimension tail, conversions of f16/SQ8 candidates in registers. */
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
#define ASSIGN_R 8 /* PQ: 8 vectors x 16 centroids: 24 running registers + 1 centroid */

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

#define VPOPCNT __attribute__((target("avx512vpopcntdq")))

/* [sum acc[0], ..., sum acc[7]] of eight 8 x int64 accumulators, in one register. */
INLINE __m512i hsum8_epi64(const __m512i acc[8]) {
    __m512i t[4];
    for (int p = 0; p < 4; ++p) /* per 128-bit lane: (acc[2p] pair sum, acc[2p+1] pair sum) */
        t[p] = _mm512_add_epi64(_mm512_unpacklo_epi64(acc[2 * p], acc[2 * p + 1]),
                                _mm512_unpackhi_epi64(acc[2 * p], acc[2 * p + 1]));
    __m512i v0 = _mm512_add_epi64(_mm512_shuffle_i64x2(t[0], t[1], 0x88),
                                  _mm512_shuffle_i64x2(t[0], t[1], 0xdd));
    __m512i v1 = _mm512_add_epi64(_mm512_shuffle_i64x2(t[2], t[3], 0x88),
                                  _mm512_shuffle_i64x2(t[2], t[3], 0xdd));
    return _mm512_add_epi64(_mm512_shuffle_i64x2(v0, v1, 0x88), _mm512_shuffle_i64x2(v0, v1, 0xdd));
}

/* Popcounts of a XOR b_j for 8 candidates at once: the query chunk is loaded once
 * per 8 candidates and the eight sums are reduced together (hsum8_epi64). */
VPOPCNT static void hamming_vpopcnt(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                                    size_t nbytes, float *out, size_t ldo) {
    for (size_t i = 0; i < na; ++i) {
        const uint8_t *u = a + i * nbytes;
        size_t j = 0;
        for (; j + 8 <= nb; j += 8) {
            __m512i acc[8];
            for (int c = 0; c < 8; ++c) acc[c] = _mm512_setzero_si512();
            for (size_t k = 0; k < nbytes; k += 64) {
                __mmask64 m = nbytes - k >= 64 ? ~(__mmask64)0
                                               : _bzhi_u64(~0ull, (unsigned)(nbytes - k));
                __m512i qa = _mm512_maskz_loadu_epi8(m, u + k);
                for (int c = 0; c < 8; ++c) {
                    __m512i x = _mm512_maskz_loadu_epi8(m, b + (j + (size_t)c) * nbytes + k);
                    acc[c] = _mm512_add_epi64(acc[c], _mm512_popcnt_epi64(_mm512_xor_si512(qa, x)));
                }
            }
            _mm256_storeu_ps(out + i * ldo + j, _mm512_cvtepi64_ps(hsum8_epi64(acc)));
        }
        for (; j < nb; ++j) {
            const uint8_t *v = b + j * nbytes;
            __m512i acc = _mm512_setzero_si512();
            for (size_t k = 0; k < nbytes; k += 64) {
                __mmask64 m = nbytes - k >= 64 ? ~(__mmask64)0
                                               : _bzhi_u64(~0ull, (unsigned)(nbytes - k));
                __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, u + k),
                                             _mm512_maskz_loadu_epi8(m, v + k));
                acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
            }
            out[i * ldo + j] = (float)_mm512_reduce_add_epi64(acc);
        }
    }
}

/* Outputs at least this large bypass the cache (non-temporal stores): they would
 * only evict the input stream, and skipping the read-for-ownership saves traffic. */
enum { STREAM_BYTES = 4 << 20 };

INLINE __mmask16 head_mask(size_t rem) {
    return rem >= 16 ? (__mmask16)0xffff : (__mmask16)_bzhi_u32(0xffff, (unsigned)rem);
}

INLINE __m256i to_half(const float *x, __mmask16 m) {
    return _mm512_cvtps_ph(_mm512_maskz_loadu_ps(m, x), _MM_FROUND_TO_NEAREST_INT);
}

static void f32_to_f16(const float *x, uint16_t *h, size_t n) {
    size_t i = 0;
    if (n * 2 >= STREAM_BYTES && ((uintptr_t)h & 1) == 0) {
        size_t head = ((32 - ((uintptr_t)h & 31)) & 31) / 2; /* to a 32-byte boundary */
        _mm256_mask_storeu_epi16(h, head_mask(head), to_half(x, head_mask(head)));
        for (i = head; i + 16 <= n; i += 16)
            _mm256_stream_si256((__m256i *)(h + i), to_half(x + i, 0xffff));
        _mm_sfence();
    }
    for (; i < n; i += 16)
        _mm256_mask_storeu_epi16(h + i, head_mask(n - i), to_half(x + i, head_mask(n - i)));
}

static void f16_to_f32(const uint16_t *h, float *x, size_t n) {
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = head_mask(n - i);
        _mm512_mask_storeu_ps(x + i, m, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, h + i)));
    }
}

static void sq8_decode(const uint8_t *codes, size_t n, size_t d, const float *lo,
                       const float *scale, float *out) {
    for (size_t i = 0; i < n; ++i)
        for (size_t k = 0; k < d; k += 16) {
            __mmask16 m = d - k >= 16 ? (__mmask16)0xffff
                                      : (__mmask16)_bzhi_u32(0xffff, (unsigned)(d - k));
            _mm512_mask_storeu_ps(out + i * d + k, m,
                                  load_x(ACCEL_SQ8, codes + i * d, k, m, lo, scale));
        }
}

/* x - x is 0 for finite x and NaN for NaN/inf: OR-ing it up costs one op per vector. */
INLINE int all_finite(__m512 ored) { return _mm512_cmp_ps_mask(ored, ored, _CMP_UNORD_Q) == 0; }

/* Codes of 16 floats as 16 int32: rint((x - lo) * inv), clamped above at 255 here and
 * below at 0 by the unsigned saturating packs (NaN/inf are caught by *bad). */
INLINE __m512i sq8_ints(const float *x, const float *lo, const float *inv, __mmask16 m,
                        __m512 *bad) {
    __m512 in = _mm512_maskz_loadu_ps(m, x);
    *bad = _mm512_or_ps(*bad, _mm512_sub_ps(in, in));
    __m512 v = _mm512_mul_ps(_mm512_sub_ps(in, _mm512_maskz_loadu_ps(m, lo)),
                             _mm512_maskz_loadu_ps(m, inv));
    return _mm512_cvtps_epi32(_mm512_min_ps(v, _mm512_set1_ps(255.0f)));
}

/* 64 codes from 4 x 16 int32 with two saturating packs and one lane fix-up. */
INLINE __m512i pack64(__m512i a, __m512i b, __m512i c, __m512i d) {
    __m512i ab = _mm512_packus_epi32(a, b), cd = _mm512_packus_epi32(c, d);
    __m512i bytes = _mm512_packus_epi16(ab, cd); /* 128-bit lanes interleave a,b,c,d */
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    return _mm512_permutexvar_epi32(order, bytes);
}

/* One row: 64 codes per store (non-temporal when STREAM: d % 64 == 0, aligned rows),
 * then 16 at a time with a masked tail. */
INLINE void sq8_row(int STREAM, const float *row, size_t d, const float *lo,
                    const float *inv_scale, uint8_t *dst, __m512 *bad) {
    size_t k = 0;
    for (; k + 64 <= d; k += 64) {
        __m512i a = sq8_ints(row + k, lo + k, inv_scale + k, 0xffff, bad);
        __m512i b = sq8_ints(row + k + 16, lo + k + 16, inv_scale + k + 16, 0xffff, bad);
        __m512i c = sq8_ints(row + k + 32, lo + k + 32, inv_scale + k + 32, 0xffff, bad);
        __m512i e = sq8_ints(row + k + 48, lo + k + 48, inv_scale + k + 48, 0xffff, bad);
        __m512i codes = pack64(a, b, c, e);
        if (STREAM)
            _mm512_stream_si512((__m512i *)(dst + k), codes);
        else
            _mm512_storeu_si512(dst + k, codes);
    }
    for (; k < d; k += 16) {
        __mmask16 m = head_mask(d - k);
        __m512i v = _mm512_max_epi32(sq8_ints(row + k, lo + k, inv_scale + k, m, bad),
                                     _mm512_setzero_si512());
        _mm_mask_storeu_epi8(dst + k, m, _mm512_cvtepi32_epi8(v));
    }
}

static int sq8_encode(const float *x, size_t n, size_t d, const float *lo, const float *inv_scale,
                      uint8_t *codes) {
    __m512 bad = _mm512_setzero_ps();
    if (n * d >= STREAM_BYTES && d % 64 == 0 && ((uintptr_t)codes & 63) == 0) {
        for (size_t i = 0; i < n; ++i) sq8_row(1, x + i * d, d, lo, inv_scale, codes + i * d, &bad);
        _mm_sfence();
    } else {
        for (size_t i = 0; i < n; ++i) sq8_row(0, x + i * d, d, lo, inv_scale, codes + i * d, &bad);
    }
    return all_finite(bad);
}

extern const uint8_t accel_bit_reverse[256];

/* Reverses the bits within each byte of w (SIMD masks put element 0 in bit 0,
 * numpy.packbits in bit 7). */
INLINE uint64_t reverse_bytes_bits(uint64_t w) {
    w = ((w >> 1) & 0x5555555555555555ull) | ((w & 0x5555555555555555ull) << 1);
    w = ((w >> 2) & 0x3333333333333333ull) | ((w & 0x3333333333333333ull) << 2);
    return ((w >> 4) & 0x0f0f0f0f0f0f0f0full) | ((w & 0x0f0f0f0f0f0f0f0full) << 4);
}

static int binary_quantize(const float *x, size_t n, size_t d, uint8_t *bits) {
    size_t nbytes = (d + 7) / 8;
    const __m512 zero = _mm512_setzero_ps();
    __mmask16 nan = 0;
    for (size_t i = 0; i < n; ++i) {
        const float *row = x + i * d;
        uint8_t *dst = bits + i * nbytes;
        size_t k = 0;
        for (; k + 64 <= d; k += 64) { /* 64 signs -> 8 bytes per store */
            uint64_t w = 0;
            for (int part = 0; part < 4; ++part) {
                __m512 in = _mm512_loadu_ps(row + k + 16 * part);
                nan |= _mm512_cmp_ps_mask(_mm512_sub_ps(in, in), zero, _CMP_UNORD_Q);
                w |= (uint64_t)_mm512_cmp_ps_mask(in, zero, _CMP_GT_OQ) << (16 * part);
            }
            w = reverse_bytes_bits(w);
            memcpy(dst + k / 8, &w, 8);
        }
        for (; k < d; k += 16) {
            __mmask16 m = head_mask(d - k);
            __m512 in = _mm512_maskz_loadu_ps(m, row + k);
            nan |= _mm512_cmp_ps_mask(_mm512_sub_ps(in, in), zero, _CMP_UNORD_Q);
            unsigned gt = _mm512_cmp_ps_mask(in, zero, _CMP_GT_OQ);
            dst[k / 8] = accel_bit_reverse[gt & 0xff];
            if (k / 8 + 1 < nbytes) dst[k / 8 + 1] = accel_bit_reverse[gt >> 8];
        }
    }
    return nan == 0;
}

/* R vectors against 16 centroids at a time: running minimum and argmin per lane,
 * first (lowest) centroid wins ties.  ksub must be a multiple of 16.  ct holds the
 * centroids scaled by -2, so each step is one FMA with an embedded broadcast. */
INLINE void assign_tile(size_t R, const float *x, size_t ldx, size_t dsub, const float *ct,
                        const float *cnorm, size_t ksub, uint8_t *codes, size_t code_stride) {
    __m512 best[ASSIGN_R];
    __m512i arg[ASSIGN_R];
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (size_t r = 0; r < R; ++r)
        best[r] = _mm512_set1_ps(INFINITY), arg[r] = _mm512_setzero_si512();
    for (size_t c0 = 0; c0 < ksub; c0 += 16) {
        __m512 acc[ASSIGN_R];
        for (size_t r = 0; r < R; ++r) acc[r] = _mm512_loadu_ps(cnorm + c0);
        for (size_t k = 0; k < dsub; ++k) {
            __m512 cv = _mm512_loadu_ps(ct + k * ksub + c0);
            for (size_t r = 0; r < R; ++r)
                acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(x[r * ldx + k]), cv, acc[r]);
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
    for (; i + ASSIGN_R <= n; i += ASSIGN_R)
        assign_tile(ASSIGN_R, x + i * ldx, ldx, dsub, ct, cnorm, ksub, codes + i * code_stride,
                    code_stride);
    for (; i < n; ++i)
        assign_tile(1, x + i * ldx, ldx, dsub, ct, cnorm, ksub, codes + i * code_stride,
                    code_stride);
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
    t->sq8_decode = sq8_decode;
    t->sq8_encode = sq8_encode;
    t->binary_quantize = binary_quantize;
    t->pq_assign = pq_assign;
    t->dot_packed = dot_packed;
    return 1;
}

#pragma GCC pop_options
#else
int accel_fill_avx512(accel_kernels_t *t) {
    (void)t;
    return 0;
}
#endif
