/* AVX2 + F16C kernels for codes: float16 conversions, SQ8 encode/decode and
 * sign-bit binary codes.  They read or write one stream each way, so they are
 * memory-bound: 32 elements per iteration, and outputs past STREAM_BYTES go out
 * with non-temporal stores (no read-for-ownership, no eviction of the input),
 * 64-byte lines at a time after a regular head.  kernels_avx2.c fills the rest. */
#include "accel.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))

/* Outputs at least this large bypass the cache (as in kernels_avx512_codes.c). */
enum { STREAM_BYTES = 4 << 20 };

/* Software prefetch distances (bytes of input ahead of the loads), measured on Zen 2:
 * the hardware prefetcher alone leaves these loops 10-15% short of a copy's read rate. */
enum { PF_SQ8 = 1024, PF_F16 = 512, PF_SIGNS = 512 };

INLINE void prefetch_lines(const void *p, size_t lines) {
    for (size_t b = 0; b < 64 * lines; b += 64) _mm_prefetch((const char *)p + b, _MM_HINT_T0);
}

static const int32_t tail_mask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

INLINE __m256i mask8(size_t rem) {
    return _mm256_loadu_si256((const __m256i *)(tail_mask + 8 - (rem < 8 ? rem : 8)));
}

/* Loads min(8, rem) floats and zeros the rest, never touching memory past them. */
INLINE __m256 load_f32(const float *p, size_t rem) {
    if (rem >= 8) return _mm256_loadu_ps(p);
    return _mm256_maskload_ps(p, mask8(rem));
}

/* Elements of `size` bytes before the first 64-byte boundary of dst (element-aligned),
 * capped at n. */
INLINE size_t head_to_line(const void *dst, size_t size, size_t n) {
    size_t head = ((64 - ((uintptr_t)dst & 63)) & 63) / size;
    return head < n ? head : n;
}

/* ---- float16 ---------------------------------------------------------------- */

INLINE void f16_part(const float *x, uint16_t *h, size_t n) { /* n <= 8 */
    __m128i v = _mm256_cvtps_ph(load_f32(x, n), _MM_FROUND_TO_NEAREST_INT);
    uint16_t tmp[8];
    _mm_storeu_si128((__m128i *)tmp, v);
    memcpy(h, tmp, n * 2);
}

INLINE __m256i f16_16(const float *x) {
    __m128i a = _mm256_cvtps_ph(_mm256_loadu_ps(x), _MM_FROUND_TO_NEAREST_INT);
    __m128i b = _mm256_cvtps_ph(_mm256_loadu_ps(x + 8), _MM_FROUND_TO_NEAREST_INT);
    return _mm256_set_m128i(b, a);
}

static void f32_to_f16(const float *x, uint16_t *h, size_t n) {
    size_t i = 0;
    if (n * 2 >= STREAM_BYTES && (uintptr_t)h % 2 == 0) {
        size_t head = head_to_line(h, 2, n);
        for (; i < head; i += 8) f16_part(x + i, h + i, head - i < 8 ? head - i : 8);
        for (i = head; i + 32 <= n; i += 32) {
            prefetch_lines((const char *)(x + i) + PF_F16, 2);
            _mm256_stream_si256((__m256i *)(h + i), f16_16(x + i));
            _mm256_stream_si256((__m256i *)(h + i + 16), f16_16(x + i + 16));
        }
        _mm_sfence();
    }
    for (; i + 16 <= n; i += 16) _mm256_storeu_si256((__m256i *)(h + i), f16_16(x + i));
    for (; i < n; i += 8) f16_part(x + i, h + i, n - i < 8 ? n - i : 8);
}

INLINE void f32_part(const uint16_t *h, float *x, size_t n) { /* n <= 8 */
    uint16_t tmp[8] = {0};
    memcpy(tmp, h, n * 2);
    _mm256_maskstore_ps(x, mask8(n), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)tmp)));
}

INLINE __m256 f32_8(const uint16_t *h) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)h));
}

static void f16_to_f32(const uint16_t *h, float *x, size_t n) {
    size_t i = 0;
    if (n * 4 >= STREAM_BYTES && (uintptr_t)x % 4 == 0) {
        size_t head = head_to_line(x, 4, n);
        for (; i < head; i += 8) f32_part(h + i, x + i, head - i < 8 ? head - i : 8);
        for (i = head; i + 16 <= n; i += 16) {
            _mm256_stream_ps(x + i, f32_8(h + i));
            _mm256_stream_ps(x + i + 8, f32_8(h + i + 8));
        }
        _mm_sfence();
    }
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, f32_8(h + i));
    for (; i < n; i += 8) f32_part(h + i, x + i, n - i < 8 ? n - i : 8);
}

/* ---- SQ8: the n x d matrix as one flat stream ---------------------------------- */

/* Element p uses the parameters of dimension p % d.  Copies repeated past d
 * (ext[j] = v[j % d], j < d + EXT) let a run of up to EXT elements start at any
 * dimension k < d and read them contiguously, so the 64-byte aligned stores of the
 * body need no per-row head and tail. */
enum { EXT = 64, STACK_D = 1024 };

typedef struct {
    const float *a, *b; /* the two parameter arrays, extended */
    float *heap;
    float stack[2 * (STACK_D + EXT)];
} params_t;

/* 0 if out of memory (then the caller walks rows with the plain arrays). */
static int params_init(params_t *p, const float *a, const float *b, size_t d) {
    float *buf = p->heap = d <= STACK_D ? NULL : malloc(2 * (d + EXT) * sizeof(float));
    if (d <= STACK_D) buf = p->stack;
    if (!buf) return 0;
    float *ea = buf, *eb = buf + d + EXT;
    memcpy(ea, a, d * sizeof(float));
    memcpy(eb, b, d * sizeof(float));
    for (size_t j = d; j < d + EXT; ++j) ea[j] = ea[j - d], eb[j] = eb[j - d];
    p->a = ea, p->b = eb;
    return 1;
}

INLINE size_t next_dim(size_t k, size_t step, size_t d) { /* (k + step) % d, k < d */
    k += step;
    return k < d ? k : d >= step ? k - d : k % d;
}

/* ---- SQ8 decode: out = lo + scale * code (one FMA, like the in-register decode) --- */

INLINE __m256 dec8(const uint8_t *c, const float *lo, const float *scale, size_t rem) {
    uint64_t bytes = 0;
    memcpy(&bytes, c, rem >= 8 ? 8 : rem);
    __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)bytes)));
    return _mm256_fmadd_ps(load_f32(scale, rem), v, load_f32(lo, rem));
}

/* Flat elements [p, p + cnt) from dimension k, 8 at a time; returns the next k. */
static size_t dec_pieces(const uint8_t *c, const float *lo, const float *scale, size_t d,
                         float *out, size_t p, size_t k, size_t cnt) {
    for (size_t j = 0; j < cnt; j += 8) {
        size_t rem = cnt - j < 8 ? cnt - j : 8;
        _mm256_maskstore_ps(out + p + j, mask8(rem), dec8(c + p + j, lo + k, scale + k, rem));
        k = next_dim(k, rem, d);
    }
    return k;
}

INLINE void dec_flat(int STREAM, const uint8_t *c, const params_t *pr, size_t d, float *out,
                     size_t total) {
    size_t p = STREAM ? head_to_line(out, 4, total) : 0;
    size_t k = dec_pieces(c, pr->a, pr->b, d, out, 0, 0, p);
    for (; p + 16 <= total; p += 16, k = next_dim(k, 16, d)) {
        __m256 v0 = dec8(c + p, pr->a + k, pr->b + k, 8);
        __m256 v1 = dec8(c + p + 8, pr->a + k + 8, pr->b + k + 8, 8);
        if (STREAM) {
            _mm256_stream_ps(out + p, v0), _mm256_stream_ps(out + p + 8, v1);
        } else {
            _mm256_storeu_ps(out + p, v0), _mm256_storeu_ps(out + p + 8, v1);
        }
    }
    dec_pieces(c, pr->a, pr->b, d, out, p, k, total - p);
    if (STREAM) _mm_sfence();
}

static void sq8_decode(const uint8_t *codes, size_t n, size_t d, const float *lo,
                       const float *scale, float *out) {
    params_t pr;
    if (!params_init(&pr, lo, scale, d)) {
        for (size_t i = 0; i < n; ++i) dec_pieces(codes + i * d, lo, scale, d, out + i * d, 0, 0, d);
        return;
    }
    if (n * d * 4 >= STREAM_BYTES && (uintptr_t)out % 4 == 0)
        dec_flat(1, codes, &pr, d, out, n * d);
    else
        dec_flat(0, codes, &pr, d, out, n * d);
    free(pr.heap);
}

/* ---- SQ8 encode ------------------------------------------------------------ */

/* x - x is 0 for finite x and NaN for NaN/inf: OR-ing it up costs one op per vector. */
INLINE int all_finite(__m256 ored) {
    return _mm256_movemask_ps(_mm256_cmp_ps(ored, ored, _CMP_UNORD_Q)) == 0;
}

/* rint((x - lo) * inv) for min(8, rem) floats, clamped above at 255 (below at 0 by
 * the unsigned saturating packs; NaN/inf are caught by *bad). */
INLINE __m256i sq8_ints(const float *x, const float *lo, const float *inv, size_t rem,
                        __m256 *bad) {
    __m256 in = load_f32(x, rem);
    *bad = _mm256_or_ps(*bad, _mm256_sub_ps(in, in));
    __m256 v = _mm256_mul_ps(_mm256_sub_ps(in, load_f32(lo, rem)), load_f32(inv, rem));
    return _mm256_cvtps_epi32(_mm256_min_ps(v, _mm256_set1_ps(255.0f))); /* ties to even */
}

/* Packs of four 8-lane vectors interleave 4-element groups across the two 128-bit
 * lanes; this dword order puts them back in element order. */
INLINE __m256i lane_order(__m256i bytes) {
    return _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* 32 codes of elements [0, 32) of x against parameters [0, 32) of lo and inv. */
INLINE __m256i sq8_32(const float *x, const float *lo, const float *inv, __m256 *bad) {
    __m256i a = sq8_ints(x, lo, inv, 8, bad), b = sq8_ints(x + 8, lo + 8, inv + 8, 8, bad);
    __m256i c = sq8_ints(x + 16, lo + 16, inv + 16, 8, bad);
    __m256i e = sq8_ints(x + 24, lo + 24, inv + 24, 8, bad);
    return lane_order(_mm256_packus_epi16(_mm256_packus_epi32(a, b), _mm256_packus_epi32(c, e)));
}

/* Flat elements [p, p + cnt) from dimension k, 8 at a time; returns the next k. */
static size_t enc_pieces(const float *x, const float *lo, const float *inv, size_t d,
                         uint8_t *codes, size_t p, size_t k, size_t cnt, __m256 *bad) {
    for (size_t j = 0; j < cnt; j += 8) {
        size_t rem = cnt - j < 8 ? cnt - j : 8;
        __m256i w = sq8_ints(x + p + j, lo + k, inv + k, rem, bad);
        __m128i h = _mm_packus_epi32(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
        uint64_t b = (uint64_t)_mm_cvtsi128_si64(_mm_packus_epi16(h, h));
        memcpy(codes + p + j, &b, rem);
        k = next_dim(k, rem, d);
    }
    return k;
}

INLINE void enc_flat(int STREAM, const float *x, const params_t *pr, size_t d, uint8_t *codes,
                     size_t total, __m256 *bad) {
    size_t p = STREAM ? head_to_line(codes, 1, total) : 0;
    size_t k = enc_pieces(x, pr->a, pr->b, d, codes, 0, 0, p, bad);
    for (; p + 64 <= total; p += 64, k = next_dim(k, 64, d)) {
        prefetch_lines((const char *)(x + p) + PF_SQ8, 4);
        __m256i c0 = sq8_32(x + p, pr->a + k, pr->b + k, bad);
        __m256i c1 = sq8_32(x + p + 32, pr->a + k + 32, pr->b + k + 32, bad);
        if (STREAM) {
            _mm256_stream_si256((__m256i *)(codes + p), c0);
            _mm256_stream_si256((__m256i *)(codes + p + 32), c1);
        } else {
            _mm256_storeu_si256((__m256i *)(codes + p), c0);
            _mm256_storeu_si256((__m256i *)(codes + p + 32), c1);
        }
    }
    enc_pieces(x, pr->a, pr->b, d, codes, p, k, total - p, bad);
    if (STREAM) _mm_sfence();
}

static int sq8_encode(const float *x, size_t n, size_t d, const float *lo, const float *inv_scale,
                      uint8_t *codes) {
    __m256 bad = _mm256_setzero_ps();
    params_t pr;
    if (!params_init(&pr, lo, inv_scale, d)) {
        for (size_t i = 0; i < n; ++i)
            enc_pieces(x + i * d, lo, inv_scale, d, codes + i * d, 0, 0, d, &bad);
        return all_finite(bad);
    }
    if (n * d >= STREAM_BYTES)
        enc_flat(1, x, &pr, d, codes, n * d, &bad);
    else
        enc_flat(0, x, &pr, d, codes, n * d, &bad);
    free(pr.heap);
    return all_finite(bad);
}

/* ---- sign bits ------------------------------------------------------------- */

extern const uint8_t accel_bit_reverse[256];

/* Sign bits of x[0..32) in numpy.packbits order (element 0 in the MSB of byte 0). */
INLINE uint32_t signs32(const float *x, __m256 *bad) {
    const __m256 zero = _mm256_setzero_ps();
    __m256i g[4];
    for (int p = 0; p < 4; ++p) {
        __m256 in = _mm256_loadu_ps(x + 8 * p);
        *bad = _mm256_or_ps(*bad, _mm256_sub_ps(in, in));
        g[p] = _mm256_castps_si256(_mm256_cmp_ps(in, zero, _CMP_GT_OQ));
    }
    __m256i bytes = lane_order(
        _mm256_packs_epi16(_mm256_packs_epi32(g[0], g[1]), _mm256_packs_epi32(g[2], g[3])));
    const __m256i rev = _mm256_setr_epi8(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8, 7,
                                         6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    return (uint32_t)_mm256_movemask_epi8(_mm256_shuffle_epi8(bytes, rev));
}

static int binary_quantize(const float *x, size_t n, size_t d, uint8_t *bits) {
    size_t nbytes = (d + 7) / 8;
    const __m256 zero = _mm256_setzero_ps();
    __m256 bad = zero;
    for (size_t i = 0; i < n; ++i) {
        const float *row = x + i * d;
        uint8_t *dst = bits + i * nbytes;
        size_t k = 0;
        for (; k + 32 <= d; k += 32) {
            prefetch_lines((const char *)(row + k) + PF_SIGNS, 2);
            uint32_t w = signs32(row + k, &bad);
            memcpy(dst + k / 8, &w, 4);
        }
        for (; k < d; k += 8) {
            __m256 in = load_f32(row + k, d - k);
            bad = _mm256_or_ps(bad, _mm256_sub_ps(in, in));
            int gt = _mm256_movemask_ps(_mm256_cmp_ps(in, zero, _CMP_GT_OQ));
            dst[k / 8] = accel_bit_reverse[gt];
        }
    }
    return all_finite(bad);
}

void accel_fill_avx2_codes(accel_kernels_t *t) {
    t->f32_to_f16 = f32_to_f16;
    t->f16_to_f32 = f16_to_f32;
    t->sq8_decode = sq8_decode;
    t->sq8_encode = sq8_encode;
    t->binary_quantize = binary_quantize;
}

#pragma GCC pop_options
#else
void accel_fill_avx2_codes(accel_kernels_t *t) { (void)t; }
#endif
