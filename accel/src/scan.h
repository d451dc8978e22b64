/* Internal to the scan driver (search.c, search_prep.c, select.c). */
#ifndef ACCEL_SCAN_H
#define ACCEL_SCAN_H

#include "accel.h"

enum {
    QUERY_CHUNK = 64,
    BLOCK_BYTES = 256 << 10, /* candidate block: stays in L2 while every query visits it */
    WIDE_Q = 4,              /* from this many queries: decode once, rank l2 by expansion */
    OVERFETCH = 16,          /* expanded l2 keeps k + max(k, 16) before the exact re-rank */
    OVERFETCH_I8 = 32,       /* int8 (VNNI) ranking keeps k + max(k, 32) */
    PACK_Q = 8               /* from this many queries: dot products by the packed kernel */
};

/* How one scan evaluates a block; see eval(). */
typedef struct {
    size_t rows;  /* candidates per block */
    float *qnorm; /* per query: 1 or 0 (zero vector) for cosine, |q|^2 for expanded l2 */
    float *qhat;  /* cosine: the queries scaled to unit norm (zero rows for zero vectors) */
    float *zeros; /* d zeros: l2sq against it gives |x|^2 */
    float *xnorm; /* per block candidate: |x|^2 for cosine and expanded l2 */
    float *xbuf;  /* the block decoded to f32 (f16/SQ8 candidates, many queries) */
    int expand;   /* top-k l2 ranked by |q|^2 + |x|^2 - 2 q.x, then re-ranked exactly */
    int packed;   /* dot products by k->dot_packed: queries packed per chunk into qt */
    float *qt;    /* packed queries of the current chunk: d x nqp, 64-byte aligned */
    size_t nqp;   /* queries per packed row: the chunk rounded up to 16 */
    float *tbuf;  /* packed results: rows x nqp, candidate-major */
    int int8;     /* SQ8 top-k ranked by int8 query x uint8 code dot products, re-ranked */
    int8_t *qt8;  /* int8 queries of the current chunk, sq8_dot_packed layout */
    float *alpha; /* per chunk query: q.x ~= beta + alpha * (int dot) */
    float *beta;
    float *rnorm;  /* per chunk query: |w - alpha * int8 query|, rounded up */
    float *mag;    /* per chunk query: bound on |q.x| (float rounding slack) */
    float cmax;    /* max over candidates of |code - 128| (times 1/|x| for cosine) */
    float xnmax;   /* max over candidates of |x|^2 (l2) */
    int32_t *ibuf; /* integer results: rows x nqp, candidate-major */
} prep_t;

accel_op_t accel_metric_op(accel_metric_t metric);
/* Chooses the scan's path and allocates its buffers; accel_prep_free() in every case. */
accel_status_t accel_prep_init(const accel_scan_t *s, int topk, prep_t *p);
void accel_prep_free(prep_t *p);
/* The chunk's queries [q0, q0+nq) packed for dot_packed (p->qt) or sq8_dot_packed (p->qt8). */
void accel_pack_queries(const accel_scan_t *s, prep_t *p, size_t q0, size_t nq);
void accel_pack_queries_i8(const accel_scan_t *s, prep_t *p, size_t q0, size_t nq);

/* (da, ia) ranks after (db, ib): larger distance, or equal distance and larger index.
 * The heaps are max-heaps on (distance, index): the root is the worst of the k kept. */
static inline int accel_worse(float da, int64_t ia, float db, int64_t ib) {
    return (da > db) | ((da == db) & (ia > ib));
}
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
