/* Internal to the scan driver (search.c, select.c): top-k selection helpers. */
#ifndef ACCEL_SCAN_H
#define ACCEL_SCAN_H

#include "accel.h"

/* (da, ia) ranks after (db, ib): larger distance, or equal distance and larger index. */
int accel_worse(float da, int64_t ia, float db, int64_t ib);
void accel_sift_down(float *hd, int64_t *hi, size_t n, size_t at);
/* Adds (v, idx) to a max-heap of *count <= k entries, replacing the root once full. */
void accel_heap_add(float *hd, int64_t *hi, size_t *count, size_t k, float v, int64_t idx);
/* Feeds one query's row of nb values (candidates j0..) to its heap; 0 on NaN/inf. */
int accel_select_row(const float *row, size_t nb, size_t j0, float *hd, int64_t *hi,
                     size_t *count, size_t k);
/* Feeds a candidate-major block (t[c*nqp + i]) to nq heaps; worst[i] is query i's bound. */
int accel_select_packed(const float *t, size_t nb, size_t nqp, size_t nq, size_t j0,
                        float *hd, int64_t *hi, size_t *count, size_t k, float *worst);
void accel_heap_sort(float *d, int64_t *x, size_t k);

#endif
