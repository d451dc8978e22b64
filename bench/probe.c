/* Machine probes for bench/accel.py: a read-bandwidth loop and a register-only
 * FMA loop, so "fraction of bandwidth" and "fraction of peak" are measured on
 * the box the benchmark runs on rather than quoted.  Timing is the caller's.
 *
 * Not part of the accel package: bench/accel.py compiles this file into a
 * temporary shared library and calls it through ctypes.
 *   probe_read_sum(buf, bytes): one pass of the widest loads the CPU has.
 *   probe_fma_loop(iters, &lanes): iters x PROBE_FMA_CHAINS independent FMAs of
 *   *lanes floats in registers (sets *lanes to 16, 8 or 1). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { PROBE_FMA_CHAINS = 12 };
int probe_fma_chains(void) { return PROBE_FMA_CHAINS; }

#if defined(__x86_64__)
#include <immintrin.h>

/* Four independent 64-byte load streams; adds keep the loads alive. */
__attribute__((target("avx512f"))) static float read_sum_avx512(const char *p, size_t bytes) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 256 <= bytes; i += 256) {
        s0 = _mm512_add_ps(s0, _mm512_loadu_ps((const float *)(p + i)));
        s1 = _mm512_add_ps(s1, _mm512_loadu_ps((const float *)(p + i + 64)));
        s2 = _mm512_add_ps(s2, _mm512_loadu_ps((const float *)(p + i + 128)));
        s3 = _mm512_add_ps(s3, _mm512_loadu_ps((const float *)(p + i + 192)));
    }
    float tail = 0.0f;
    for (; i < bytes; ++i) tail += (float)(unsigned char)p[i];
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3))) +
           tail;
}

/* 12 chains cover 2 FMA ports x 4-6 cycles of latency.  Named registers (not an
 * array) and an empty asm barrier keep the accumulators in registers and stop
 * the loop from being folded. */
#define FMA_LOOP(T, FMA, SET1, ADD, CONSTRAINT)                                               \
    T a0 = SET1(0.0f), a1 = SET1(1.0f), a2 = SET1(2.0f), a3 = SET1(3.0f), a4 = SET1(4.0f),  \
      a5 = SET1(5.0f), a6 = SET1(6.0f), a7 = SET1(7.0f), a8 = SET1(8.0f), a9 = SET1(9.0f),  \
      a10 = SET1(10.0f), a11 = SET1(11.0f);                                                 \
    const T m = SET1(0.999999f), c = SET1(1e-7f);                                           \
    for (size_t it = 0; it < iters; ++it) {                                                 \
        a0 = FMA(a0, m, c), a1 = FMA(a1, m, c), a2 = FMA(a2, m, c), a3 = FMA(a3, m, c);     \
        a4 = FMA(a4, m, c), a5 = FMA(a5, m, c), a6 = FMA(a6, m, c), a7 = FMA(a7, m, c);     \
        a8 = FMA(a8, m, c), a9 = FMA(a9, m, c), a10 = FMA(a10, m, c), a11 = FMA(a11, m, c); \
        __asm__ volatile("" : "+" CONSTRAINT(a0), "+" CONSTRAINT(a1), "+" CONSTRAINT(a2),   \
                         "+" CONSTRAINT(a3), "+" CONSTRAINT(a4), "+" CONSTRAINT(a5),        \
                         "+" CONSTRAINT(a6), "+" CONSTRAINT(a7), "+" CONSTRAINT(a8),        \
                         "+" CONSTRAINT(a9), "+" CONSTRAINT(a10), "+" CONSTRAINT(a11));     \
    }                                                                                       \
    T s = ADD(ADD(ADD(a0, a1), ADD(a2, a3)), ADD(ADD(a4, a5), ADD(a6, a7)));                \
    s = ADD(s, ADD(ADD(a8, a9), ADD(a10, a11)))

__attribute__((target("avx512f,fma"))) static float fma_loop_avx512(size_t iters) {
    FMA_LOOP(__m512, _mm512_fmadd_ps, _mm512_set1_ps, _mm512_add_ps, "v");
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static float fma_loop_avx2(size_t iters) {
    FMA_LOOP(__m256, _mm256_fmadd_ps, _mm256_set1_ps, _mm256_add_ps, "x");
    float out[8], sum = 0.0f;
    _mm256_storeu_ps(out, s);
    for (int i = 0; i < 8; ++i) sum += out[i];
    return sum;
}
#endif

static float read_sum_portable(const char *p, size_t bytes) {
    uint64_t s[4] = {0, 0, 0, 0}, w[4];
    size_t i = 0;
    for (; i + 32 <= bytes; i += 32) {
        memcpy(w, p + i, 32);
        s[0] += w[0], s[1] += w[1], s[2] += w[2], s[3] += w[3];
    }
    for (; i < bytes; ++i) s[0] += (unsigned char)p[i];
    return (float)(s[0] + s[1] + s[2] + s[3]);
}

float probe_read_sum(const void *buf, size_t bytes) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return read_sum_avx512((const char *)buf, bytes);
#endif
    return read_sum_portable((const char *)buf, bytes);
}

float probe_fma_loop(size_t iters, int *lanes) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return *lanes = 16, fma_loop_avx512(iters);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return *lanes = 8, fma_loop_avx2(iters);
#endif
    float a = 1.0f;
    for (size_t it = 0; it < iters * PROBE_FMA_CHAINS; ++it) a = a * 0.999999f + 1e-7f;
    return *lanes = 1, a;
}
