/* NEON kernels (aarch64): one query x 4 candidates per pass over the dimension,
 * f16/SQ8 candidates widened in registers.  Everything else comes from the
 * scalar table.  Compiled and exercised only on aarch64 hosts. */
#include "accel.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <math.h>
#include <string.h>

#include "f16.h"

#define INLINE static inline __attribute__((always_inline))

/* Loads min(4, rem) elements widened to f32, zero-filling the rest. */
INLINE float32x4_t load_x(accel_elem_t elem, const void *x, size_t k, size_t rem,
                          const float *lo, const float *scale) {
    float buf[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    size_t n = rem >= 4 ? 4 : rem;
    switch (elem) {
    case ACCEL_F16: {
        const uint16_t *p = (const uint16_t *)x + k;
        if (n == 4) return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
        for (size_t i = 0; i < n; ++i) buf[i] = accel_f16_to_f32(p[i]);
        return vld1q_f32(buf);
    }
    case ACCEL_SQ8: {
        const uint8_t *p = (const uint8_t *)x + k;
        if (n == 4) { /* 4 codes -> u16 -> u32 -> f32, then lo + scale * code in one FMA */
            uint32_t w;
            memcpy(&w, p, 4);
            uint16x4_t c = vget_low_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(w))));
            float32x4_t code = vcvtq_f32_u32(vmovl_u16(c));
            return vfmaq_f32(vld1q_f32(lo + k), vld1q_f32(scale + k), code);
        }
        for (size_t i = 0; i < n; ++i) buf[i] = fmaf(scale[k + i], (float)p[i], lo[k + i]);
        return vld1q_f32(buf);
    }
    default:
        if (n == 4) return vld1q_f32((const float *)x + k);
        memcpy(buf, (const float *)x + k, n * 4);
        return vld1q_f32(buf);
    }
}

INLINE float32x4_t load_q(const float *q, size_t rem) {
    float buf[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    if (rem >= 4) return vld1q_f32(q);
    memcpy(buf, q, rem * 4);
    return vld1q_f32(buf);
}

INLINE float32x4_t step(accel_op_t op, float32x4_t acc, float32x4_t q, float32x4_t x) {
    switch (op) {
    case ACCEL_DOT: return vfmaq_f32(acc, q, x);
    case ACCEL_L2SQ: {
        float32x4_t t = vsubq_f32(q, x);
        return vfmaq_f32(acc, t, t);
    }
    default: return vaddq_f32(acc, vabdq_f32(q, x));
    }
}

INLINE void block(accel_elem_t elem, accel_op_t op, const float *q, size_t nq, size_t ldq,
                  const void *x, size_t nx, size_t ldx, size_t d, const float *lo,
                  const float *scale, float *out, size_t ldo) {
    size_t xrow = ldx * (elem == ACCEL_F32 ? 4 : elem == ACCEL_F16 ? 2 : 1);
    const char *xb = (const char *)x;
    for (size_t i = 0; i < nq; ++i) {
        const float *qi = q + i * ldq;
        size_t j = 0;
        for (; j + 4 <= nx; j += 4) {
            float32x4_t a0 = vdupq_n_f32(0), a1 = a0, a2 = a0, a3 = a0;
            const char *x0 = xb + j * xrow;
            for (size_t k = 0; k < d; k += 4) {
                float32x4_t qv = load_q(qi + k, d - k);
                a0 = step(op, a0, qv, load_x(elem, x0, k, d - k, lo, scale));
                a1 = step(op, a1, qv, load_x(elem, x0 + xrow, k, d - k, lo, scale));
                a2 = step(op, a2, qv, load_x(elem, x0 + 2 * xrow, k, d - k, lo, scale));
                a3 = step(op, a3, qv, load_x(elem, x0 + 3 * xrow, k, d - k, lo, scale));
            }
            out[i * ldo + j] = vaddvq_f32(a0);
            out[i * ldo + j + 1] = vaddvq_f32(a1);
            out[i * ldo + j + 2] = vaddvq_f32(a2);
            out[i * ldo + j + 3] = vaddvq_f32(a3);
        }
        for (; j < nx; ++j) {
            float32x4_t a0 = vdupq_n_f32(0);
            for (size_t k = 0; k < d; k += 4)
                a0 = step(op, a0, load_q(qi + k, d - k),
                          load_x(elem, xb + j * xrow, k, d - k, lo, scale));
            out[i * ldo + j] = vaddvq_f32(a0);
        }
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

int accel_fill_neon(accel_kernels_t *t) {
    accel_fill_scalar(t);
    t->name = "neon";
    t->block[ACCEL_F32][ACCEL_DOT] = dot_f32;
    t->block[ACCEL_F32][ACCEL_L2SQ] = l2sq_f32;
    t->block[ACCEL_F32][ACCEL_L1] = l1_f32;
    t->block[ACCEL_F16][ACCEL_DOT] = dot_f16;
    t->block[ACCEL_F16][ACCEL_L2SQ] = l2sq_f16;
    t->block[ACCEL_F16][ACCEL_L1] = l1_f16;
    t->block[ACCEL_SQ8][ACCEL_DOT] = dot_sq8;
    t->block[ACCEL_SQ8][ACCEL_L2SQ] = l2sq_sq8;
    t->block[ACCEL_SQ8][ACCEL_L1] = l1_sq8;
    t->rabitq_scan = accel_rabitq_scan_neon;
    return 1;
}
#else
int accel_fill_neon(accel_kernels_t *t) {
    (void)t;
    return 0;
}
#endif
