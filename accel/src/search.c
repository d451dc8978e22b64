/* The scan driver: walks candidates in L2-sized blocks, asks the kernel table for
 * raw reductions, turns them into metric values and either stores them
 * (distances) or feeds a bounded max-heap per query (fused top-k), so top-k
 * never materialises a queries x candidates matrix. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"

enum { QUERY_CHUNK = 64, BLOCK_BYTES = 256 << 10 };

typedef struct {
    float *qnorm;      /* per query: |q| for cosine */
    float *zeros;      /* d zeros: l2sq against it gives |x|^2 */
    float *xnorm;      /* per block candidate: |x|^2 for cosine */
} prep_t;

static size_t block_rows(const accel_scan_t *s) {
    size_t rows = BLOCK_BYTES / (s->row_bytes ? s->row_bytes : 1);
    return rows < 16 ? 16 : rows > 4096 ? 4096 : rows;
}

static accel_op_t metric_op(accel_metric_t metric) {
    switch (metric) {
    case ACCEL_METRIC_COSINE:
    case ACCEL_METRIC_IP: return ACCEL_DOT;
    case ACCEL_METRIC_L1: return ACCEL_L1;
    default: return ACCEL_L2SQ;
    }
}

static void prep_free(prep_t *p) { free(p->qnorm), free(p->zeros), free(p->xnorm); }

static accel_status_t prep_init(const accel_scan_t *s, size_t rows, prep_t *p) {
    memset(p, 0, sizeof *p);
    if (s->kind != 0 || s->metric != ACCEL_METRIC_COSINE) return ACCEL_OK;
    size_t nq = s->nq, d = s->d;
    p->qnorm = calloc(nq ? nq : 1, sizeof(float));
    p->zeros = calloc(d ? d : 1, sizeof(float));
    p->xnorm = calloc(rows, sizeof(float));
    if (!p->qnorm || !p->zeros || !p->xnorm) return ACCEL_ERR_NOMEM;
    const float *q = (const float *)s->q;
    for (size_t i = 0; i < nq; ++i) {
        double sq = 0.0;
        for (size_t k = 0; k < d; ++k) sq += (double)q[i * d + k] * q[i * d + k];
        p->qnorm[i] = (float)sqrt(sq);
    }
    return ACCEL_OK;
}

/* Metric values for queries [q0, q0+nq) x candidates [j0, j0+nb) into out (row stride ldo). */
static void eval(const accel_scan_t *s, const prep_t *p, size_t q0, size_t nq, size_t j0,
                 size_t nb, float *out, size_t ldo) {
    const char *x = (const char *)s->x + j0 * s->row_bytes;
    if (s->kind == 1) {
        s->k->hamming((const uint8_t *)s->q + q0 * s->row_bytes, nq, (const uint8_t *)x, nb,
                      s->row_bytes, out, ldo);
        return;
    }
    if (s->kind == 2) {
        for (size_t i = 0; i < nq; ++i)
            s->k->pq_adc((const float *)s->q + (q0 + i) * s->m * s->ksub, s->m, s->ksub,
                         (const uint8_t *)x, nb, out + i * ldo);
        return;
    }
    size_t d = s->d;
    size_t ldx = s->elem == ACCEL_F32 ? s->row_bytes / 4 : s->elem == ACCEL_F16 ? s->row_bytes / 2 : s->row_bytes;
    const float *q = (const float *)s->q + q0 * d;
    s->k->block[s->elem][metric_op(s->metric)](q, nq, d, x, nb, ldx, d, s->lo, s->scale, out, ldo);
    if (s->metric == ACCEL_METRIC_COSINE)
        s->k->block[s->elem][ACCEL_L2SQ](p->zeros, 1, d, x, nb, ldx, d, s->lo, s->scale, p->xnorm, nb);
    for (size_t i = 0; i < nq; ++i) {
        float *row = out + i * ldo, qn = p->qnorm ? p->qnorm[q0 + i] : 0.0f;
        switch (s->metric) {
        case ACCEL_METRIC_L2:
            for (size_t j = 0; j < nb; ++j) row[j] = sqrtf(row[j]);
            break;
        case ACCEL_METRIC_IP:
            for (size_t j = 0; j < nb; ++j) row[j] = -row[j];
            break;
        case ACCEL_METRIC_COSINE:
            for (size_t j = 0; j < nb; ++j) {
                float xn = p->xnorm[j];
                /* A zero vector has no direction: distance 1 (orthogonal).  A
                 * non-finite norm stays visible as NaN even then. */
                row[j] = !(xn <= FLT_MAX) ? NAN
                         : qn == 0.0f || xn == 0.0f ? 1.0f
                                                     : 1.0f - row[j] / (qn * sqrtf(xn));
            }
            break;
        default: break;
        }
    }
}

static int all_finite(const float *v, size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n; ++i) bad |= !(fabsf(v[i]) <= FLT_MAX);
    return !bad;
}

accel_status_t accel_scan_distances(const accel_scan_t *s, float *out) {
    size_t rows = block_rows(s);
    prep_t p;
    accel_status_t st = prep_init(s, rows, &p);
    for (size_t q0 = 0; st == ACCEL_OK && q0 < s->nq; q0 += QUERY_CHUNK) {
        size_t nq = s->nq - q0 < QUERY_CHUNK ? s->nq - q0 : QUERY_CHUNK;
        for (size_t j0 = 0; j0 < s->nx; j0 += rows) {
            size_t nb = s->nx - j0 < rows ? s->nx - j0 : rows;
            eval(s, &p, q0, nq, j0, nb, out + q0 * s->nx + j0, s->nx);
            for (size_t i = 0; i < nq; ++i)
                if (!all_finite(out + (q0 + i) * s->nx + j0, nb)) st = ACCEL_ERR_NONFINITE;
        }
    }
    prep_free(&p);
    return st;
}

/* Max-heap on (distance, index): the root is the worst of the k kept. */
static inline int worse(float da, int64_t ia, float db, int64_t ib) {
    return da > db || (da == db && ia > ib);
}

static void sift_down(float *hd, int64_t *hi, size_t n, size_t at) {
    for (;;) {
        size_t l = 2 * at + 1, top = at;
        if (l < n && worse(hd[l], hi[l], hd[top], hi[top])) top = l;
        if (l + 1 < n && worse(hd[l + 1], hi[l + 1], hd[top], hi[top])) top = l + 1;
        if (top == at) return;
        float td = hd[at];
        int64_t ti = hi[at];
        hd[at] = hd[top], hi[at] = hi[top], hd[top] = td, hi[top] = ti;
        at = top;
    }
}

static void heap_add(float *hd, int64_t *hi, size_t *count, size_t k, float v, int64_t idx) {
    if (*count < k) { /* sift up */
        size_t at = (*count)++;
        while (at > 0) {
            size_t parent = (at - 1) / 2;
            if (!worse(v, idx, hd[parent], hi[parent])) break;
            hd[at] = hd[parent], hi[at] = hi[parent];
            at = parent;
        }
        hd[at] = v, hi[at] = idx;
    } else {
        hd[0] = v, hi[0] = idx;
        sift_down(hd, hi, k, 0);
    }
}

/* Candidates arrive in index order, so `v < worst` (strict) already prefers
 * the lower index on ties.  Returns 0 on a NaN or infinite value. */
static int select_row(const float *row, size_t nb, size_t j0, float *hd, int64_t *hi,
                      size_t *count, size_t k) {
    int ok = 1;
    float worst = *count == k ? hd[0] : INFINITY;
    for (size_t j = 0; j < nb; ++j) {
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

accel_status_t accel_scan_topk(const accel_scan_t *s, size_t k, int64_t *idx, float *dist) {
    if (k > s->nx) k = s->nx;
    if (k == 0 || s->nq == 0) return ACCEL_OK;
    size_t rows = block_rows(s), qc = s->nq < QUERY_CHUNK ? s->nq : QUERY_CHUNK;
    prep_t p;
    accel_status_t st = prep_init(s, rows, &p);
    float *scratch = malloc(qc * rows * sizeof(float));
    size_t *count = calloc(qc, sizeof(size_t));
    if (st == ACCEL_OK && (!scratch || !count)) st = ACCEL_ERR_NOMEM;
    for (size_t q0 = 0; st == ACCEL_OK && q0 < s->nq; q0 += QUERY_CHUNK) {
        size_t nq = s->nq - q0 < QUERY_CHUNK ? s->nq - q0 : QUERY_CHUNK;
        float *hd = dist + q0 * k; /* the outputs double as heap storage */
        int64_t *hi = idx + q0 * k;
        memset(count, 0, qc * sizeof(size_t));
        for (size_t j0 = 0; j0 < s->nx && st == ACCEL_OK; j0 += rows) {
            size_t nb = s->nx - j0 < rows ? s->nx - j0 : rows;
            eval(s, &p, q0, nq, j0, nb, scratch, nb);
            for (size_t i = 0; i < nq; ++i)
                if (!select_row(scratch + i * nb, nb, j0, hd + i * k, hi + i * k, &count[i], k))
                    st = ACCEL_ERR_NONFINITE;
        }
        for (size_t i = 0; i < nq && st == ACCEL_OK; ++i) { /* heap sort: ascending in place */
            float *d = hd + i * k;
            int64_t *x = hi + i * k;
            for (size_t n = k; n > 1; --n) {
                float td = d[0];
                int64_t ti = x[0];
                d[0] = d[n - 1], x[0] = x[n - 1], d[n - 1] = td, x[n - 1] = ti;
                sift_down(d, x, n - 1, 0);
            }
        }
    }
    free(scratch), free(count);
    prep_free(&p);
    return st;
}
