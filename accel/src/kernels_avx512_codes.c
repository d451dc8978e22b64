/* AVX-512 (F/BW/VL/DQ) kernels for codes: f16 conversions, SQ8 encode/decode,
 * sign-bit binary codes, Hamming distances (VPOPCNTDQ) and PQ assignment.  The
 * distance kernels are in kernels_avx512.c, which fills the rest of the table. */
#include "accel.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,popcnt,bmi2")
#include <immintrin.h>
#include <math.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))
#define ASSIGN_R 8 /* PQ: 8 vectors x 16 centroids: 24 running registers + 1 centroid */

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
            __m128i b = _mm_maskz_loadu_epi8(m, codes + i * d + k);
            __m512 c = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b));
            _mm512_mask_storeu_ps(out + i * d + k, m,
                                  _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, scale + k), c,
                                                  _mm512_maskz_loadu_ps(m, lo + k)));
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

void accel_fill_avx512_codes(accel_kernels_t *t) {
    if (__builtin_cpu_supports("avx512vpopcntdq")) t->hamming = hamming_vpopcnt;
    t->f32_to_f16 = f32_to_f16;
    t->f16_to_f32 = f16_to_f32;
    t->sq8_decode = sq8_decode;
    t->sq8_encode = sq8_encode;
    t->binary_quantize = binary_quantize;
    t->pq_assign = pq_assign;
}

#pragma GCC pop_options
#else
void accel_fill_avx512_codes(accel_kernels_t *t) { (void)t; }
#endif
