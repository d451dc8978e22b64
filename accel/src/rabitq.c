/* RaBitQ fast scan: sums of per-query uint8 lookup tables over 4-bit code nibbles.
 *
 * A 1-bit code of D dimensions is D/4 nibbles; for a query, lut[p*16 + v] is the
 * (quantized) sum of the query's rotated components 4p..4p+3 selected by the bits
 * of v (MSB first).  The scan returns, per query and code, sum_p lut[p][nib_p(code)]:
 * an exact integer (at most 255 * npos), returned as float32.
 *
 * Codes come in blocks of 32 (accel.rabitq's packed layout, faiss's "fast scan"):
 * block b, position p holds 16 bytes; byte t carries code 32b+t in its low nibble and
 * code 32b+16+t in its high nibble.  The AVX2 kernel looks up 32 codes of two
 * positions with two `vpshufb` per 32 bytes and sums in uint16 lanes, widened to
 * uint32 every 256 positions so no lane can overflow. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "scan.h"

void accel_rabitq_scan_scalar(const uint8_t *luts, size_t nq, const uint8_t *packed,
                              size_t nblocks, size_t npos, float *out, size_t ldo) {
    for (size_t b = 0; b < nblocks; ++b) {
        const uint8_t *block = packed + b * npos * 16;
        for (size_t i = 0; i < nq; ++i) {
            const uint8_t *lut = luts + i * npos * 16;
            uint32_t sum[32] = {0};
            for (size_t p = 0; p < npos; ++p) {
                const uint8_t *row = block + p * 16, *table = lut + p * 16;
                for (size_t t = 0; t < 16; ++t) {
                    sum[t] += table[row[t] & 15];
                    sum[t + 16] += table[row[t] >> 4];
                }
            }
            for (size_t c = 0; c < 32; ++c) out[i * ldo + b * 32 + c] = (float)sum[c];
        }
    }
}

/* The estimator of one query over a row of table sums, in place, then into its heap
 * (the order of rabitq.py's numpy estimate); 0 on a NaN or infinite estimate. */
int accel_rabitq_rank_scalar(float *row, size_t rows, size_t j0, const float *scale,
                             const float *offset, const uint8_t *cl, const float *qi,
                             float *hd, int64_t *hi, size_t *count, size_t k) {
    for (size_t c = 0; c < rows; ++c) /* vectorizes: planar factors */
        row[c] = (row[c] * qi[0] + qi[1]) * scale[c] + offset[c];
    for (size_t c = 0; c < rows; ++c) {
        float e = row[c] + qi[2 + cl[c]];
        row[c] = e < 0.0f ? 0.0f : e; /* NaN stays NaN: select_row rejects it */
    }
    return accel_select_row(row, rows, j0, hd, hi, count, k);
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

/* Sums of uint8 lookups in uint16 lanes without unpacking (faiss's trick): a 16-bit
 * lane of the lookup result is lo + 256 hi for two neighbouring codes, so adding the
 * whole lane to `all` and hi alone (lane >> 8) to `odd` leaves the even codes' sum in
 * all - 256 odd (mod 2^16, exact while it stays below 2^16).  Per pair of accumulators,
 * lane 0 sums one position and lane 1 the next; flush() folds them and adds codes
 * 16h..16h+15 to the uint32 totals tot[2h], tot[2h+1]. */
AVX2 static inline __attribute__((always_inline)) void flush(__m256i *all, __m256i *odd,
                                                             __m256i *tot) {
    __m256i even = _mm256_sub_epi16(*all, _mm256_slli_epi16(*odd, 8));
    __m128i e = _mm_add_epi16(_mm256_castsi256_si128(even), _mm256_extracti128_si256(even, 1));
    __m128i o = _mm_add_epi16(_mm256_castsi256_si128(*odd), _mm256_extracti128_si256(*odd, 1));
    tot[0] = _mm256_add_epi32(tot[0], _mm256_cvtepu16_epi32(_mm_unpacklo_epi16(e, o)));
    tot[1] = _mm256_add_epi32(tot[1], _mm256_cvtepu16_epi32(_mm_unpackhi_epi16(e, o)));
    *all = *odd = _mm256_setzero_si256();
}

AVX2 void accel_rabitq_scan_avx2(const uint8_t *luts, size_t nq, const uint8_t *packed,
                                 size_t nblocks, size_t npos, float *out, size_t ldo) {
    const __m256i low = _mm256_set1_epi8(15), zero = _mm256_setzero_si256();
    for (size_t b = 0; b < nblocks; ++b) {
        const uint8_t *block = packed + b * npos * 16;
        for (size_t i = 0; i < nq; ++i) {
            const uint8_t *lut = luts + i * npos * 16;
            __m256i all0 = zero, odd0 = zero, all1 = zero, odd1 = zero, tot[4];
            for (int a = 0; a < 4; ++a) tot[a] = zero;
            size_t p = 0;
            while (p + 2 <= npos) {
                /* at most 128 steps of one position per lane: 128 * 255 per lane and,
                 * after the fold, 65280 < 65536 per uint16 */
                size_t end = npos - p < 256 ? p + (npos - p) / 2 * 2 : p + 256;
                for (; p < end; p += 2) {
                    __m256i v = _mm256_loadu_si256((const __m256i *)(block + p * 16));
                    __m256i table = _mm256_loadu_si256((const __m256i *)(lut + p * 16));
                    __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(v, low));
                    __m256i hi = _mm256_shuffle_epi8(
                        table, _mm256_and_si256(_mm256_srli_epi16(v, 4), low));
                    all0 = _mm256_add_epi16(all0, lo);
                    odd0 = _mm256_add_epi16(odd0, _mm256_srli_epi16(lo, 8));
                    all1 = _mm256_add_epi16(all1, hi);
                    odd1 = _mm256_add_epi16(odd1, _mm256_srli_epi16(hi, 8));
                }
                flush(&all0, &odd0, tot);
                flush(&all1, &odd1, tot + 2);
            }
            float *o = out + i * ldo + b * 32;
            for (int a = 0; a < 4; ++a) _mm256_storeu_ps(o + 8 * a, _mm256_cvtepi32_ps(tot[a]));
            if (p < npos) { /* an odd last position */
                const uint8_t *row = block + p * 16, *table = lut + p * 16;
                for (size_t t = 0; t < 16; ++t) {
                    o[t] += (float)table[row[t] & 15];
                    o[t + 16] += (float)table[row[t] >> 4];
                }
            }
        }
    }
}

/* rank_scalar() 8 estimates at a time (same operations, same order: no FMA), the
 * cluster terms by a gather; only lanes below the current k-th (or not finite) go on
 * to the heap, one by one. */
AVX2 int accel_rabitq_rank_avx2(float *row, size_t rows, size_t j0, const float *scale,
                                const float *offset, const uint8_t *cl, const float *qi,
                                float *hd, int64_t *hi, size_t *count, size_t k) {
    const __m256 a = _mm256_set1_ps(qi[0]), b = _mm256_set1_ps(qi[1]),
                 zero = _mm256_setzero_ps(), big = _mm256_set1_ps(FLT_MAX);
    float worst = *count == k ? hd[0] : INFINITY, lane[8];
    int ok = 1;
    size_t c = 0;
    for (; c + 8 <= rows; c += 8) {
        __m256 e = _mm256_mul_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(row + c), a), b),
                                 _mm256_loadu_ps(scale + c));
        e = _mm256_add_ps(e, _mm256_loadu_ps(offset + c));
        __m256i ci = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(cl + c)));
        e = _mm256_add_ps(e, _mm256_i32gather_ps(qi + 2, ci, 4));
        e = _mm256_max_ps(zero, e); /* the second operand on NaN: NaN stays */
        int m = _mm256_movemask_ps(_mm256_cmp_ps(e, _mm256_set1_ps(worst), _CMP_LT_OQ)) |
                _mm256_movemask_ps(_mm256_cmp_ps(e, big, _CMP_NLE_UQ));
        if (!m) continue;
        _mm256_storeu_ps(lane, e);
        for (int t = 0; t < 8; ++t) {
            if (!(m >> t & 1)) continue;
            float v = lane[t];
            if (v < worst) {
                accel_heap_add(hd, hi, count, k, v, (int64_t)(j0 + c + (size_t)t));
                worst = *count == k ? hd[0] : INFINITY;
            } else if (!(v <= FLT_MAX)) {
                ok = 0;
            }
        }
    }
    for (size_t t = c; t < rows; ++t) { /* the tail: as rank_scalar */
        float e = (row[t] * qi[0] + qi[1]) * scale[t] + offset[t];
        e += qi[2 + cl[t]];
        row[t] = e < 0.0f ? 0.0f : e;
    }
    if (c < rows) ok &= accel_select_row(row + c, rows - c, j0 + c, hd, hi, count, k);
    return ok;
}
#endif

#if defined(__aarch64__)
#include <arm_neon.h>

/* NEON: `tbl` looks up 16 codes of one position; uint16 sums widened every 256. */
void accel_rabitq_scan_neon(const uint8_t *luts, size_t nq, const uint8_t *packed,
                            size_t nblocks, size_t npos, float *out, size_t ldo) {
    const uint8x16_t low = vdupq_n_u8(15);
    for (size_t b = 0; b < nblocks; ++b) {
        const uint8_t *block = packed + b * npos * 16;
        for (size_t i = 0; i < nq; ++i) {
            const uint8_t *lut = luts + i * npos * 16;
            uint32x4_t tot[8];
            for (int a = 0; a < 8; ++a) tot[a] = vdupq_n_u32(0);
            for (size_t p = 0; p < npos;) {
                size_t end = npos - p < 256 ? npos : p + 256; /* 256 * 255 < 65536 */
                uint16x8_t acc[4];
                for (int a = 0; a < 4; ++a) acc[a] = vdupq_n_u16(0);
                for (; p < end; ++p) {
                    uint8x16_t v = vld1q_u8(block + p * 16), table = vld1q_u8(lut + p * 16);
                    uint8x16_t lo = vqtbl1q_u8(table, vandq_u8(v, low));
                    uint8x16_t hi = vqtbl1q_u8(table, vshrq_n_u8(v, 4));
                    acc[0] = vaddw_u8(acc[0], vget_low_u8(lo));
                    acc[1] = vaddw_high_u8(acc[1], lo);
                    acc[2] = vaddw_u8(acc[2], vget_low_u8(hi));
                    acc[3] = vaddw_high_u8(acc[3], hi);
                }
                for (int a = 0; a < 4; ++a) {
                    tot[2 * a] = vaddw_u16(tot[2 * a], vget_low_u16(acc[a]));
                    tot[2 * a + 1] = vaddw_high_u16(tot[2 * a + 1], acc[a]);
                }
            }
            float *o = out + i * ldo + b * 32;
            for (int a = 0; a < 8; ++a) vst1q_f32(o + 4 * a, vcvtq_f32_u32(tot[a]));
        }
    }
}
#endif

/* The estimator and top-k over the scan, a chunk of blocks at a time (rabitq.py has
 * the same arithmetic in numpy, in the same order):
 *   est = max(((S * a_i + b_i) * scale_j + offset_j) + t_i[cluster_j], 0)
 * with qrow_i = (a_i, b_i, t_i[0..)), factors = (scale[0..n), offset[0..n)). */
enum { RABITQ_CHUNK_BLOCKS = 64 };

accel_status_t accel_rabitq_topk(const accel_kernels_t *kt, const uint8_t *luts, size_t nq,
                                 const uint8_t *packed, size_t n, size_t npos,
                                 const float *factors, const uint8_t *cluster,
                                 const float *qrow, size_t ldq, size_t k, int64_t *idx,
                                 float *dist) {
    if (k == 0 || nq == 0) return ACCEL_OK;
    size_t nblocks = (n + 31) / 32, chunk = RABITQ_CHUNK_BLOCKS * 32;
    float *buf = malloc(nq * chunk * sizeof(float));
    size_t *count = calloc(nq, sizeof(size_t));
    accel_status_t st = buf && count ? ACCEL_OK : ACCEL_ERR_NOMEM;
    for (size_t b0 = 0; st == ACCEL_OK && b0 < nblocks; b0 += RABITQ_CHUNK_BLOCKS) {
        size_t nb = nblocks - b0 < RABITQ_CHUNK_BLOCKS ? nblocks - b0 : RABITQ_CHUNK_BLOCKS;
        size_t j0 = b0 * 32, rows = n - j0 < nb * 32 ? n - j0 : nb * 32;
        kt->rabitq_scan(luts, nq, packed + b0 * npos * 16, nb, npos, buf, nb * 32);
        for (size_t i = 0; i < nq; ++i) {
            float *row = buf + i * nb * 32;
            if (!kt->rabitq_rank(row, rows, j0, factors + j0, factors + n + j0, cluster + j0,
                                 qrow + i * ldq, dist + i * k, idx + i * k, &count[i], k))
                st = ACCEL_ERR_NONFINITE;
        }
    }
    for (size_t i = 0; st == ACCEL_OK && i < nq; ++i)
        accel_heap_sort(dist + i * k, idx + i * k, count[i]);
    free(buf);
    free(count);
    return st;
}
