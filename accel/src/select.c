/* Top-k selection for the scan driver: a bounded max-heap per query on
 * (distance, index), fed a block of metric values at a time with a cheap
 * admission test, so only candidates better than the current k-th are sorted in. */
#include <float.h>
#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "scan.h"

/* Moves the entry at `at` down to its place: the hole walks down along the worse
 * child (picked without a branch), so each level costs one predictable compare. */
static inline void sift_down(float *hd, int64_t *hi, size_t n, size_t at) {
    float v = hd[at];
    int64_t vi = hi[at];
    for (size_t l = 2 * at + 1; l < n; l = 2 * at + 1) {
        size_t c = l;
        if (l + 1 < n) c += (size_t)accel_worse(hd[l + 1], hi[l + 1], hd[l], hi[l]);
        if (!accel_worse(hd[c], hi[c], v, vi)) break;
        hd[at] = hd[c], hi[at] = hi[c];
        at = c;
    }
    hd[at] = v, hi[at] = vi;
}

void accel_sift_down(float *hd, int64_t *hi, size_t n, size_t at) { sift_down(hd, hi, n, at); }

static inline void heap_add(float *hd, int64_t *hi, size_t *count, size_t k, float v,
                            int64_t idx) {
    if (*count < k) { /* sift up */
        size_t at = (*count)++;
        while (at > 0) {
            size_t parent = (at - 1) / 2;
            if (!accel_worse(v, idx, hd[parent], hi[parent])) break;
            hd[at] = hd[parent], hi[at] = hi[parent];
            at = parent;
        }
        hd[at] = v, hi[at] = idx;
    } else {
        hd[0] = v, hi[0] = idx;
        sift_down(hd, hi, k, 0);
    }
}

void accel_heap_add(float *hd, int64_t *hi, size_t *count, size_t k, float v, int64_t idx) {
    heap_add(hd, hi, count, k, v, idx);
}

/* Candidates arrive in index order, so `v < worst` (strict) already prefers
 * the lower index on ties.  Returns 0 on a NaN or infinite value. */
int accel_select_row(const float *row, size_t nb, size_t j0, float *hd, int64_t *hi,
                      size_t *count, size_t k) {
    int ok = 1;
    float worst = *count == k ? hd[0] : INFINITY;
    for (size_t j = 0; j < nb; ++j) {
        if (j % 16 == 0 && j + 16 <= nb) { /* skip 16 at once: all finite and no better */
            int any = 0;
            for (size_t t = 0; t < 16; ++t) any |= !(row[j + t] >= worst && row[j + t] <= FLT_MAX);
            if (!any) {
                j += 15;
                continue;
            }
        }
        float v = row[j];
        if (v < worst) {
            if (v < -FLT_MAX) {
                ok = 0;
                continue;
            }
            heap_add(hd, hi, count, k, v, (int64_t)(j0 + j));
            worst = *count == k ? hd[0] : INFINITY;
        } else if (!(v <= FLT_MAX)) {
            ok = 0;
        }
    }
    return ok;
}

/* Bit i of the result: row[i] (i < n <= 64) is below bound[i] or not finite. */
static inline uint64_t admit_mask(const float *row, const float *bound, size_t n) {
    uint64_t m = 0;
    size_t i = 0;
#if defined(__SSE2__)
    const __m128 top = _mm_set1_ps(FLT_MAX);
    for (; i + 4 <= n; i += 4) {
        __m128 v = _mm_loadu_ps(row + i);
        __m128 keep = _mm_and_ps(_mm_cmpge_ps(v, _mm_loadu_ps(bound + i)), _mm_cmple_ps(v, top));
        m |= (uint64_t)(_mm_movemask_ps(keep) ^ 15) << i;
    }
#endif
    for (; i < n; ++i) m |= (uint64_t) !((row[i] >= bound[i]) & (row[i] <= FLT_MAX)) << i;
    return m;
}

/* select_row() over a candidate-major block: worst[i] is query i's admission bound.
 * Late in a scan most values are above their bound: one pass of vector compares
 * over the row gives the few queries to visit. */
int accel_select_packed(const float *t, size_t nb, size_t nqp, size_t nq, size_t j0,
                        float *hd, int64_t *hi, size_t *count, size_t k, float *worst) {
    int ok = 1;
    for (size_t c = 0; c < nb; ++c) {
        const float *row = t + c * nqp;
        for (size_t g = 0; g < nq; g += 64) {
            size_t n = nq - g < 64 ? nq - g : 64;
            for (uint64_t m = admit_mask(row + g, worst + g, n); m; m &= m - 1) {
                size_t i = g + (size_t)__builtin_ctzll(m);
                float v = row[i];
                if (!(fabsf(v) <= FLT_MAX)) {
                    ok = 0;
                    continue;
                }
                heap_add(hd + i * k, hi + i * k, &count[i], k, v, (int64_t)(j0 + c));
                worst[i] = count[i] == k ? hd[i * k] : INFINITY;
            }
        }
    }
    return ok;
}

/* Heap sort of a full max-heap: ascending by (distance, index), in place. */
void accel_heap_sort(float *d, int64_t *x, size_t k) {
    for (size_t n = k; n > 1; --n) {
        float td = d[0];
        int64_t ti = x[0];
        d[0] = d[n - 1], x[0] = x[n - 1], d[n - 1] = td, x[n - 1] = ti;
        sift_down(d, x, n - 1, 0);
    }
}
