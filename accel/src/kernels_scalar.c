/* Portable kernels: the reference every SIMD table must agree with, and the
 * fallback on CPUs without one.  Plain loops, f32 accumulation like the SIMD
 * paths (so tolerances are the same), no ISA assumptions. */
#include <float.h>
#include <math.h>

#include "accel.h"
#include "f16.h"

static inline float load_elem(accel_elem_t elem, const void *x, size_t k, const float *lo,
                              const float *scale) {
    switch (elem) {
    case ACCEL_F16: return accel_f16_to_f32(((const uint16_t *)x)[k]);
    case ACCEL_SQ8: return lo[k] + scale[k] * (float)((const uint8_t *)x)[k];
    default: return ((const float *)x)[k];
    }
}

static inline size_t elem_size(accel_elem_t elem) {
    return elem == ACCEL_F32 ? 4 : elem == ACCEL_F16 ? 2 : 1;
}

static inline float reduce_row(accel_elem_t elem, accel_op_t op, const float *q, const void *x,
                               size_t d, const float *lo, const float *scale) {
    float acc = 0.0f;
    for (size_t k = 0; k < d; ++k) {
        float v = load_elem(elem, x, k, lo, scale);
        switch (op) {
        case ACCEL_DOT: acc += q[k] * v; break;
        case ACCEL_L2SQ: acc += (q[k] - v) * (q[k] - v); break;
        default: acc += fabsf(q[k] - v); break;
        }
    }
    return acc;
}

static inline void block(accel_elem_t elem, accel_op_t op, const float *q, size_t nq, size_t ldq,
                         const void *x, size_t nx, size_t ldx, size_t d, const float *lo,
                         const float *scale, float *out, size_t ldo) {
    const char *xb = (const char *)x;
    size_t row = ldx * elem_size(elem);
    for (size_t i = 0; i < nq; ++i)
        for (size_t j = 0; j < nx; ++j)
            out[i * ldo + j] = reduce_row(elem, op, q + i * ldq, xb + j * row, d, lo, scale);
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

static inline unsigned popcount64(uint64_t v) {
    v = v - ((v >> 1) & 0x5555555555555555ull);
    v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
    v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((v * 0x0101010101010101ull) >> 56);
}

static void hamming(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, size_t nbytes,
                    float *out, size_t ldo) {
    for (size_t i = 0; i < na; ++i) {
        for (size_t j = 0; j < nb; ++j) {
            const uint8_t *u = a + i * nbytes, *v = b + j * nbytes;
            unsigned bits = 0;
            size_t k = 0;
            for (; k + 8 <= nbytes; k += 8) {
                uint64_t wu, wv;
                memcpy(&wu, u + k, 8);
                memcpy(&wv, v + k, 8);
                bits += popcount64(wu ^ wv);
            }
            for (; k < nbytes; ++k) bits += popcount64((uint64_t)(u[k] ^ v[k]));
            out[i * ldo + j] = (float)bits;
        }
    }
}

static void f32_to_f16(const float *x, uint16_t *h, size_t n) {
    for (size_t i = 0; i < n; ++i) h[i] = accel_f32_to_f16(x[i]);
}

static void f16_to_f32(const uint16_t *h, float *x, size_t n) {
    for (size_t i = 0; i < n; ++i) x[i] = accel_f16_to_f32(h[i]);
}

static void sq8_decode(const uint8_t *codes, size_t n, size_t d, const float *lo,
                       const float *scale, float *out) {
    for (size_t i = 0; i < n; ++i)
        for (size_t k = 0; k < d; ++k) out[i * d + k] = lo[k] + scale[k] * (float)codes[i * d + k];
}

static int sq8_encode(const float *x, size_t n, size_t d, const float *lo, const float *inv_scale,
                      uint8_t *codes) {
    int finite = 1;
    for (size_t i = 0; i < n * d; ++i) {
        size_t k = i % d;
        finite &= fabsf(x[i]) <= FLT_MAX;
        float v = (x[i] - lo[k]) * inv_scale[k];
        v = v > 255.0f ? 255.0f : v >= 0.0f ? v : 0.0f; /* NaN -> 0: casting NaN is UB */
        codes[i] = (uint8_t)nearbyintf(v);
    }
    return finite;
}

static int binary_quantize(const float *x, size_t n, size_t d, uint8_t *bits) {
    size_t nbytes = (d + 7) / 8;
    int finite = 1;
    for (size_t i = 0; i < n; ++i) {
        const float *row = x + i * d;
        for (size_t byte = 0; byte < nbytes; ++byte) {
            unsigned v = 0;
            for (size_t b = 0; b < 8; ++b) {
                size_t k = byte * 8 + b;
                finite &= k >= d || fabsf(row[k]) <= FLT_MAX;
                v |= (unsigned)(k < d && row[k] > 0.0f) << (7 - b);
            }
            bits[i * nbytes + byte] = (uint8_t)v;
        }
    }
    return finite;
}

static void pq_assign(const float *x, size_t n, size_t ldx, size_t dsub, const float *ct,
                      const float *cnorm, size_t ksub, uint8_t *codes, size_t code_stride) {
    for (size_t i = 0; i < n; ++i) {
        const float *v = x + i * ldx;
        float best = INFINITY;
        size_t arg = 0;
        for (size_t c = 0; c < ksub; ++c) {
            float dot = 0.0f;
            for (size_t k = 0; k < dsub; ++k) dot += v[k] * ct[k * ksub + c];
            float dist = cnorm[c] + dot; /* ct is scaled by -2 */
            if (dist < best) best = dist, arg = c;
        }
        codes[i * code_stride] = (uint8_t)arg;
    }
}

void accel_pq_accumulate(const float *x, size_t n, size_t d, const uint8_t *codes, size_t m,
                         size_t ksub, double *sums, int64_t *counts) {
    size_t dsub = d / m;
    for (size_t i = 0; i < n; ++i)
        for (size_t s = 0; s < m; ++s) {
            size_t c = s * ksub + codes[i * m + s];
            const float *v = x + i * d + s * dsub;
            double *acc = sums + c * dsub;
            counts[c] += 1;
            for (size_t k = 0; k < dsub; ++k) acc[k] += v[k];
        }
}

/* Shared by every table: an 8-bit LUT scan is load-bound, gathers do not beat it. */
void accel_pq_adc_scalar(const float *lut, size_t m, size_t ksub, const uint8_t *codes, size_t n,
                         float *out) {
    size_t j = 0;
    for (; j + 4 <= n; j += 4) { /* four independent sums hide the load latency */
        const uint8_t *c = codes + j * m;
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (size_t s = 0; s < m; ++s) {
            const float *t = lut + s * ksub;
            s0 += t[c[s]];
            s1 += t[c[m + s]];
            s2 += t[c[2 * m + s]];
            s3 += t[c[3 * m + s]];
        }
        out[j] = s0, out[j + 1] = s1, out[j + 2] = s2, out[j + 3] = s3;
    }
    for (; j < n; ++j) {
        float s0 = 0.0f;
        for (size_t s = 0; s < m; ++s) s0 += lut[s * ksub + codes[j * m + s]];
        out[j] = s0;
    }
}

/* Portable packed dot products (scalar and NEON tables): 16 queries per step,
 * plain loops the compiler vectorises. */
void accel_dot_packed_portable(const float *qt, size_t nqp, const float *x, size_t nx,
                               size_t ldx, size_t d, float *out, size_t ldo) {
    for (size_t i0 = 0; i0 < nqp; i0 += 16)
        for (size_t j = 0; j < nx; ++j) {
            float acc[16] = {0};
            const float *xj = x + j * ldx;
            for (size_t k = 0; k < d; ++k)
                for (size_t i = 0; i < 16; ++i) acc[i] += qt[k * nqp + i0 + i] * xj[k];
            for (size_t i = 0; i < 16; ++i) out[j * ldo + i0 + i] = acc[i];
        }
}

/* Portable integer packed dot products (scalar and NEON tables): one candidate
 * against 16 queries per step, int32 sums of uint8 x int8 products. */
void accel_sq8_dot_packed_portable(const int8_t *qt, size_t nqp, const uint8_t *x, size_t nx,
                                   size_t ldx, size_t d, int32_t *out, size_t ldo) {
    for (size_t i0 = 0; i0 < nqp; i0 += 16)
        for (size_t j = 0; j < nx; ++j) {
            int32_t acc[16] = {0};
            const uint8_t *xj = x + j * ldx;
            for (size_t k = 0; k < d; ++k) {
                const int8_t *qk = qt + (k / 4) * 4 * nqp + 4 * i0 + k % 4;
                for (size_t i = 0; i < 16; ++i) acc[i] += (int32_t)xj[k] * qk[4 * i];
            }
            for (size_t i = 0; i < 16; ++i) out[j * ldo + i0 + i] = acc[i];
        }
}

void accel_fill_scalar(accel_kernels_t *t) {
    *t = (accel_kernels_t){
        .name = "scalar",
        .block = {{dot_f32, l2sq_f32, l1_f32},
                  {dot_f16, l2sq_f16, l1_f16},
                  {dot_sq8, l2sq_sq8, l1_sq8}},
        .hamming = hamming,
        .f32_to_f16 = f32_to_f16,
        .f16_to_f32 = f16_to_f32,
        .sq8_decode = sq8_decode,
        .sq8_encode = sq8_encode,
        .binary_quantize = binary_quantize,
        .pq_assign = pq_assign,
        .pq_adc = accel_pq_adc_scalar,
        .rabitq_scan = accel_rabitq_scan_scalar,
        .rabitq_rank = accel_rabitq_rank_scalar,
        .dot_packed = accel_dot_packed_portable,
        .sq8_dot_packed = accel_sq8_dot_packed_portable,
    };
}
