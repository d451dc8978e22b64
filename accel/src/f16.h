/* Portable IEEE binary16 <-> binary32 conversion, round-to-nearest-even like
 * numpy's astype(np.float16) and the F16C instructions (NaN becomes quiet). */
#ifndef ACCEL_F16_H
#define ACCEL_F16_H

#include <stdint.h>
#include <string.h>

static inline float accel_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112u) << 23) | (man << 13);
    } else {
        float f = (float)man * 0x1p-24f; /* zero or subnormal: exact */
        memcpy(&bits, &f, 4);
        bits |= sign;
    }
    float out;
    memcpy(&out, &bits, 4);
    return out;
}

/* After F. Giesen's float_to_half_fast3_rtne. */
static inline uint16_t accel_f32_to_f16(float f) {
    const uint32_t f32_inf = 255u << 23, f16_overflow = (127u + 16u) << 23;
    const uint32_t denorm_magic = ((127u - 15u) + (23u - 10u) + 1u) << 23;
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = x & 0x80000000u;
    x ^= sign;
    uint16_t o;
    if (x >= f16_overflow) {
        o = x > f32_inf ? 0x7e00 : 0x7c00;
    } else if (x < (113u << 23)) { /* result is subnormal or zero: let the FPU round */
        float fx, magic;
        memcpy(&fx, &x, 4);
        memcpy(&magic, &denorm_magic, 4);
        fx += magic;
        memcpy(&x, &fx, 4);
        o = (uint16_t)(x - denorm_magic);
    } else {
        uint32_t mant_odd = (x >> 13) & 1u;
        x += ((uint32_t)(15 - 127) << 23) + 0xfffu + mant_odd;
        o = (uint16_t)(x >> 13);
    }
    return (uint16_t)(o | (sign >> 16));
}

#endif
