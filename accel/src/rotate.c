/* A fast random rotation for RaBitQ: rounds of random sign flips, each followed by a
 * normalized Walsh-Hadamard transform of a power-of-two window of the vector.
 *
 * Rows of d floats are zero-padded to D; round r multiplies by signs[r] (+-1) and
 * transforms the first m entries (r even) or the last m (r odd), m the largest power
 * of two <= D, so the windows overlap and every coordinate mixes with every other.
 * Each step is orthogonal, hence so is the whole map; it costs O(D log D) per row
 * where a dense rotation costs D * d.  Portable C (the butterflies vectorize); the
 * numpy back end runs the same float32 operations in the same order, so both give
 * identical results. */
#include <math.h>
#include <string.h>

#include "accel.h"

static size_t window(size_t D) {
    size_t m = 1;
    while (m * 2 <= D) m *= 2;
    return m;
}

/* In place, unnormalized: the butterflies (a, b) -> (a + b, a - b), stride 1 first. */
static void hadamard(float *v, size_t m) {
    for (size_t h = 1; h < m; h *= 2)
        for (size_t i = 0; i < m; i += 2 * h)
            for (size_t j = i; j < i + h; ++j) {
                float a = v[j], b = v[j + h];
                v[j] = a + b;
                v[j + h] = a - b;
            }
}

void accel_fht_rotate(const float *x, size_t n, size_t d, size_t D, const float *signs,
                      size_t rounds, float *out) {
    size_t m = window(D);
    float norm = (float)(1.0 / sqrt((double)m));
    for (size_t i = 0; i < n; ++i) {
        float *v = out + i * D;
        memcpy(v, x + i * d, d * sizeof(float));
        memset(v + d, 0, (D - d) * sizeof(float));
        for (size_t r = 0; r < rounds; ++r) {
            const float *s = signs + r * D;
            for (size_t k = 0; k < D; ++k) v[k] *= s[k];
            float *w = r % 2 ? v + (D - m) : v;
            hadamard(w, m);
            for (size_t k = 0; k < m; ++k) w[k] *= norm;
        }
    }
}
