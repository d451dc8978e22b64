/* Top-k selection for the scan driver: a bounded max-heap per query on
 * (distance, index), fed a block of metric values at a time with a cheap
 * admission test, so only candidates better than the current k-th are sorted in. */
#include <float.h>
#include <math.h>

#include "scan.h"

/* Max-heap on (distance, index): the root is the worst of the k kept. */
int accel_worse(float da, int64_t ia, float db, int64_t ib) {
    return da > db || (da == db && ia > ib);
}

void accel_sift_down(float *hd, int64_t *hi, size_t n, size_t at) {
    for (;;) {
        size_t l = 2 * at + 1, top = at;
        if (l < n && accel_worse(hd[l], hi[l], hd[top], hi[top])) top = l;
        if (l + 1 < n && accel_worse(hd[l + 1], hi[l + 1], hd[top], hi[top])) top = l + 1;
        if (top == at) return;
        float td = hd[at];
        int64_t ti = hi[at];
        hd[at] = hd[top], hi[at] = hi[top], hd[top] = td, hi[top] = ti;
        at = top;
    }
}

void accel_heap_add(float *hd, int64_t *hi, size_t *count, size_t k, float v, int64_t idx) {
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
        accel_sift_down(hd, hi, k, 0);
    }
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
            accel_heap_add(hd, hi, count, k, v, (int64_t)(j0 + j));
            worst = *count == k ? hd[0] : INFINITY;
        } else if (!(v <= FLT_MAX)) {
            ok = 0;
        }
    }
    return ok;
}

/* select_row() over a candidate-major block: worst[i] is query i's admission bound. */
int accel_select_packed(const float *t, size_t nb, size_t nqp, size_t nq, size_t j0,
                         float *hd, int64_t *hi, size_t *count, size_t k, float *worst) {
    int ok = 1;
    for (size_t c = 0; c < nb; ++c) {
        const float *row = t + c * nqp;
        for (size_t i = 0; i < nq; ++i) {
            float v = row[i];
            if (v < worst[i]) {
                if (v < -FLT_MAX) {
                    ok = 0;
                    continue;
                }
                accel_heap_add(hd + i * k, hi + i * k, &count[i], k, v, (int64_t)(j0 + c));
                worst[i] = count[i] == k ? hd[i * k] : INFINITY;
            } else if (!(v <= FLT_MAX)) {
                ok = 0;
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
        accel_sift_down(d, x, n - 1, 0);
    }
}
