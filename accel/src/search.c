/* The scan driver: walks candidates in L2-sized blocks, asks the kernel table for
 * raw reductions, turns them into metric values and either stores them
 * (distances) or feeds a bounded max-heap per query (fused top-k), so top-k
 * never materialises a queries x candidates matrix. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"

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
    int32_t *ibuf; /* integer results: rows x nqp, candidate-major */
} prep_t;

static accel_op_t metric_op(accel_metric_t metric) {
    switch (metric) {
    case ACCEL_METRIC_COSINE:
    case ACCEL_METRIC_IP: return ACCEL_DOT;
    case ACCEL_METRIC_L1: return ACCEL_L1;
    default: return ACCEL_L2SQ;
    }
}

static void prep_free(prep_t *p) {
    free(p->qnorm), free(p->zeros), free(p->xnorm), free(p->xbuf), free(p->qhat);
    free(p->qt), free(p->tbuf), free(p->qt8), free(p->alpha), free(p->beta), free(p->ibuf);
}

/* With several queries, each block of f16/SQ8 candidates is decoded once into an
 * L2-resident f32 buffer and every query runs the f32 kernel on it; and top-k l2
 * ranks by the dot-product expansion (one FMA per element instead of sub + FMA),
 * re-computing the exact distance of the survivors (see refine()). */
static accel_status_t prep_init(const accel_scan_t *s, int topk, prep_t *p) {
    memset(p, 0, sizeof *p);
    int wide = s->kind == ACCEL_SCAN_VECTORS && s->nq >= WIDE_Q;
    p->int8 = wide && topk && s->elem == ACCEL_SQ8 && s->k->sq8_dot_packed &&
              s->d <= ACCEL_I8_MAX_D && s->metric != ACCEL_METRIC_L1;
    int decode = wide && s->elem != ACCEL_F32 && !p->int8;
    size_t row = decode ? s->d * 4 : s->row_bytes;
    size_t rows = BLOCK_BYTES / (row ? row : 1);
    p->rows = rows < 16 ? 16 : rows > 4096 ? 4096 : rows;
    p->expand = wide && topk && metric_op(s->metric) == ACCEL_L2SQ;
    if (decode && !(p->xbuf = malloc(p->rows * s->d * sizeof(float)))) return ACCEL_ERR_NOMEM;
    p->packed = !p->int8 && wide && s->nq >= PACK_Q && s->k->dot_packed &&
                (p->expand || s->metric == ACCEL_METRIC_IP || s->metric == ACCEL_METRIC_COSINE);
    if (p->packed) {
        size_t qc = s->nq < QUERY_CHUNK ? s->nq : QUERY_CHUNK;
        p->nqp = (qc + 15) / 16 * 16;
        size_t qt_bytes = (s->d * p->nqp * sizeof(float) + 63) / 64 * 64;
        p->qt = aligned_alloc(64, qt_bytes);
        p->tbuf = malloc(p->rows * p->nqp * sizeof(float));
        if (!p->qt || !p->tbuf) return ACCEL_ERR_NOMEM;
    }
    if (p->int8) {
        size_t qc = s->nq < QUERY_CHUNK ? s->nq : QUERY_CHUNK;
        p->nqp = (qc + 15) / 16 * 16;
        size_t qt_bytes = ((s->d + 3) / 4 * 4 * p->nqp + 63) / 64 * 64;
        p->qt8 = aligned_alloc(64, qt_bytes);
        p->alpha = malloc(qc * sizeof(float)), p->beta = malloc(qc * sizeof(float));
        p->tbuf = malloc(p->rows * p->nqp * sizeof(float));
        p->ibuf = malloc(p->rows * p->nqp * sizeof(int32_t));
        if (!p->qt8 || !p->alpha || !p->beta || !p->tbuf || !p->ibuf) return ACCEL_ERR_NOMEM;
    }
    int cosine = s->kind == ACCEL_SCAN_VECTORS && s->metric == ACCEL_METRIC_COSINE;
    if (!cosine && !p->expand) return ACCEL_OK;
    size_t nq = s->nq, d = s->d;
    p->qnorm = calloc(nq ? nq : 1, sizeof(float));
    p->zeros = calloc(d ? d : 1, sizeof(float));
    p->xnorm = calloc(p->rows, sizeof(float));
    if (cosine) p->qhat = calloc(nq * d + 1, sizeof(float));
    if (!p->qnorm || !p->zeros || !p->xnorm || (cosine && !p->qhat)) return ACCEL_ERR_NOMEM;
    const float *q = (const float *)s->q;
    for (size_t i = 0; i < nq; ++i) {
        double sq = 0.0;
        for (size_t k = 0; k < d; ++k) sq += (double)q[i * d + k] * q[i * d + k];
        if (!cosine) {
            p->qnorm[i] = (float)sq;
            continue;
        }
        /* |q|^2 must be a float32 like every other intermediate (see accel/__init__.py) */
        if (!(sq <= FLT_MAX)) return ACCEL_ERR_NONFINITE;
        p->qnorm[i] = sq >= ACCEL_COSINE_MIN_SQNORM;
        double inv = p->qnorm[i] ? 1.0 / sqrt(sq) : 0.0;
        for (size_t k = 0; k < d; ++k) p->qhat[i * d + k] = (float)(q[i * d + k] * inv);
    }
    return ACCEL_OK;
}

static size_t elem_ld(const accel_scan_t *s) {
    return s->elem == ACCEL_F32 ? s->row_bytes / 4
           : s->elem == ACCEL_F16 ? s->row_bytes / 2
                                  : s->row_bytes;
}

/* Exact squared l2 between query row i and candidate j, read as stored. */
static float exact_l2sq(const accel_scan_t *s, size_t i, size_t j) {
    float v;
    const char *x = (const char *)s->x + j * s->row_bytes;
    s->k->block[s->elem][ACCEL_L2SQ]((const float *)s->q + i * s->d, 1, s->d, x, 1, elem_ld(s),
                                     s->d, s->lo, s->scale, &v, 1);
    return v;
}

/* Cosine distance for a unit query (qunit 1) or a zero one (qunit 0), dot = q.x,
 * xn = |x|^2; see eval() for the zero and non-finite rules. */
static float cosine_of(float dot, float xn, float qunit) {
    return !(xn <= FLT_MAX)                                           ? NAN
           : qunit == 0.0f || xn < (float)ACCEL_COSINE_MIN_SQNORM ? 1.0f
                                                                   : 1.0f - dot / sqrtf(xn);
}

/* The exact metric value of query row i and candidate j, as the direct path computes it. */
static float exact_metric(const accel_scan_t *s, const prep_t *p, size_t i, size_t j) {
    if (metric_op(s->metric) == ACCEL_L2SQ) {
        float v = exact_l2sq(s, i, j);
        return s->metric == ACCEL_METRIC_L2 ? sqrtf(v) : v;
    }
    const char *x = (const char *)s->x + j * s->row_bytes;
    const float *q = (p->qhat ? p->qhat : (const float *)s->q) + i * s->d;
    float dot, xn;
    s->k->block[s->elem][ACCEL_DOT](q, 1, s->d, x, 1, elem_ld(s), s->d, s->lo, s->scale, &dot, 1);
    if (s->metric == ACCEL_METRIC_IP) return -dot;
    s->k->block[s->elem][ACCEL_L2SQ](p->zeros, 1, s->d, x, 1, elem_ld(s), s->d, s->lo, s->scale,
                                     &xn, 1);
    return cosine_of(dot, xn, p->qnorm[i]);
}

/* Metric values for queries [q0, q0+nq) x candidates [j0, j0+nb) into out (row stride ldo). */
static void eval(const accel_scan_t *s, const prep_t *p, size_t q0, size_t nq, size_t j0,
                 size_t nb, float *out, size_t ldo) {
    const char *x = (const char *)s->x + j0 * s->row_bytes;
    if (s->kind == ACCEL_SCAN_HAMMING) {
        s->k->hamming((const uint8_t *)s->q + q0 * s->row_bytes, nq, (const uint8_t *)x, nb,
                      s->row_bytes, out, ldo);
        return;
    }
    if (s->kind == ACCEL_SCAN_PQ) {
        for (size_t i = 0; i < nq; ++i)
            s->k->pq_adc((const float *)s->q + (q0 + i) * s->m * s->ksub, s->m, s->ksub,
                         (const uint8_t *)x, nb, out + i * ldo);
        return;
    }
    size_t d = s->d, ldx = elem_ld(s);
    accel_elem_t elem = s->elem;
    const void *xv = x;
    if (p->xbuf) { /* decode once, every query reads f32 */
        if (elem == ACCEL_F16)
            s->k->f16_to_f32((const uint16_t *)x, p->xbuf, nb * d);
        else
            s->k->sq8_decode((const uint8_t *)x, nb, d, s->lo, s->scale, p->xbuf);
        xv = p->xbuf, ldx = d, elem = ACCEL_F32;
    }
    const float *q = (p->qhat ? p->qhat : (const float *)s->q) + q0 * d;
    accel_op_t op = p->expand ? ACCEL_DOT : metric_op(s->metric);
    s->k->block[elem][op](q, nq, d, xv, nb, ldx, d, s->lo, s->scale, out, ldo);
    if (p->xnorm)
        s->k->block[elem][ACCEL_L2SQ](p->zeros, 1, d, xv, nb, ldx, d, s->lo, s->scale, p->xnorm,
                                      nb);
    for (size_t i = 0; i < nq; ++i) {
        float *row = out + i * ldo, qn = p->qnorm ? p->qnorm[q0 + i] : 0.0f;
        if (p->expand) { /* ranking key; the rare non-finite one gets the exact form */
            int bad = 0;
            for (size_t j = 0; j < nb; ++j) {
                row[j] = qn + p->xnorm[j] - 2.0f * row[j];
                bad |= !(fabsf(row[j]) <= FLT_MAX);
            }
            for (size_t j = 0; bad && j < nb; ++j)
                if (!(fabsf(row[j]) <= FLT_MAX)) row[j] = exact_l2sq(s, q0 + i, j0 + j);
            continue;
        }
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
                /* A (near-)zero vector has no direction: distance 1 (orthogonal),
                 * see ACCEL_COSINE_MIN_SQNORM.  The query is unit length here.  A
                 * non-finite norm stays visible as NaN even then. */
                row[j] = !(xn <= FLT_MAX)                                  ? NAN
                         : qn == 0.0f || xn < (float)ACCEL_COSINE_MIN_SQNORM ? 1.0f
                                                                            : 1.0f - row[j] / sqrtf(xn);
            }
            break;
        default: break;
        }
    }
}

/* qt = the chunk's queries [q0, q0+nq) transposed, zero columns up to nqp. */
static void pack_queries(const accel_scan_t *s, prep_t *p, size_t q0, size_t nq) {
    const float *q = (p->qhat ? p->qhat : (const float *)s->q) + q0 * s->d;
    size_t nqp = p->nqp;
    for (size_t k = 0; k < s->d; ++k) {
        float *row = p->qt + k * nqp;
        for (size_t i = 0; i < nq; ++i) row[i] = q[i * s->d + k];
        for (size_t i = nq; i < nqp; ++i) row[i] = 0.0f;
    }
}

/* Packed path of eval(): metric keys of the chunk's queries x candidates [j0, j0+nb)
 * into p->tbuf, candidate-major (tbuf[c*nqp + i]). */
static void eval_packed(const accel_scan_t *s, const prep_t *p, size_t q0, size_t nq,
                        size_t j0, size_t nb) {
    const char *x = (const char *)s->x + j0 * s->row_bytes;
    size_t d = s->d, ldx = elem_ld(s), nqp = p->nqp;
    accel_elem_t elem = s->elem;
    const void *xv = x;
    if (p->xbuf) {
        if (elem == ACCEL_F16)
            s->k->f16_to_f32((const uint16_t *)x, p->xbuf, nb * d);
        else
            s->k->sq8_decode((const uint8_t *)x, nb, d, s->lo, s->scale, p->xbuf);
        xv = p->xbuf, ldx = d, elem = ACCEL_F32;
    }
    s->k->dot_packed(p->qt, nqp, (const float *)xv, nb, ldx, d, p->tbuf, nqp);
    if (p->xnorm)
        s->k->block[elem][ACCEL_L2SQ](p->zeros, 1, d, xv, nb, ldx, d, s->lo, s->scale, p->xnorm,
                                      nb);
    for (size_t c = 0; c < nb; ++c) {
        float *row = p->tbuf + c * nqp;
        if (p->expand) {
            float xn = p->xnorm[c];
            int bad = 0;
            for (size_t i = 0; i < nq; ++i) {
                row[i] = p->qnorm[q0 + i] + xn - 2.0f * row[i];
                bad |= !(fabsf(row[i]) <= FLT_MAX);
            }
            for (size_t i = 0; bad && i < nq; ++i)
                if (!(fabsf(row[i]) <= FLT_MAX)) row[i] = exact_l2sq(s, q0 + i, j0 + c);
        } else if (s->metric == ACCEL_METRIC_IP) {
            for (size_t i = 0; i < nq; ++i) row[i] = -row[i];
        } else { /* cosine, queries unit length; see eval() */
            float xn = p->xnorm[c];
            if (!(xn <= FLT_MAX) || xn < (float)ACCEL_COSINE_MIN_SQNORM) {
                for (size_t i = 0; i < nq; ++i) row[i] = xn <= FLT_MAX ? 1.0f : NAN;
                continue;
            }
            float inv = 1.0f / sqrtf(xn);
            for (size_t i = 0; i < nq; ++i)
                row[i] = p->qnorm[q0 + i] == 0.0f ? 1.0f : 1.0f - row[i] * inv;
        }
    }
}

/* int8 path: the chunk's queries as int8 per query scale, w = q * scale (the code
 * part of q.x = q.lo + sum q[k] scale[k] code[k]), alpha = max|w| / 127, plus the
 * exact offset beta = q.lo; zero bytes for padded queries and the d % 4 tail. */
static void pack_queries_i8(const accel_scan_t *s, prep_t *p, size_t q0, size_t nq) {
    size_t d = s->d, nqp = p->nqp;
    const float *q = (p->qhat ? p->qhat : (const float *)s->q) + q0 * d;
    memset(p->qt8, 0, (d + 3) / 4 * 4 * nqp);
    for (size_t i = 0; i < nq; ++i) {
        const float *qi = q + i * d;
        double amax = 0.0, beta = 0.0;
        for (size_t k = 0; k < d; ++k) {
            amax = fmax(amax, fabs((double)qi[k] * s->scale[k]));
            beta += (double)qi[k] * s->lo[k];
        }
        double inv = amax > 0.0 ? 127.0 / amax : 0.0;
        for (size_t k = 0; k < d; ++k)
            p->qt8[(k / 4) * 4 * nqp + 4 * i + k % 4] =
                (int8_t)lrint((double)qi[k] * s->scale[k] * inv);
        p->alpha[i] = (float)(amax / 127.0), p->beta[i] = (float)beta;
    }
}

/* int8 path of eval_packed(): ranking keys from the integer dot products (VNNI),
 * with |x|^2 in f32 for l2 and cosine.  A non-finite key gets the exact value. */
static void eval_i8(const accel_scan_t *s, const prep_t *p, size_t q0, size_t nq, size_t j0,
                    size_t nb) {
    const uint8_t *x = (const uint8_t *)s->x + j0 * s->row_bytes;
    size_t d = s->d, nqp = p->nqp;
    s->k->sq8_dot_packed(p->qt8, nqp, x, nb, s->row_bytes, d, p->ibuf, nqp);
    if (p->xnorm)
        s->k->block[ACCEL_SQ8][ACCEL_L2SQ](p->zeros, 1, d, x, nb, s->row_bytes, d, s->lo,
                                           s->scale, p->xnorm, nb);
    const float *a = p->alpha, *b = p->beta, *qn = p->qnorm ? p->qnorm + q0 : NULL;
    for (size_t c = 0; c < nb; ++c) {
        const int32_t *acc = p->ibuf + c * nqp;
        float *row = p->tbuf + c * nqp, xn = p->xnorm ? p->xnorm[c] : 0.0f;
        int bad = 0;
        if (s->metric == ACCEL_METRIC_IP) {
            for (size_t i = 0; i < nq; ++i) row[i] = -(b[i] + a[i] * (float)acc[i]);
        } else if (s->metric == ACCEL_METRIC_COSINE) {
            int plain = xn <= FLT_MAX && xn >= (float)ACCEL_COSINE_MIN_SQNORM;
            float inv = plain ? 1.0f / sqrtf(xn) : 0.0f;
            for (size_t i = 0; i < nq; ++i)
                row[i] = plain && qn[i] != 0.0f ? 1.0f - (b[i] + a[i] * (float)acc[i]) * inv
                                                : cosine_of(0.0f, xn, qn[i]);
        } else {
            for (size_t i = 0; i < nq; ++i)
                row[i] = qn[i] + xn - 2.0f * (b[i] + a[i] * (float)acc[i]);
        }
        for (size_t i = 0; i < nq; ++i) bad |= !(fabsf(row[i]) <= FLT_MAX);
        for (size_t i = 0; bad && i < nq; ++i)
            if (!(fabsf(row[i]) <= FLT_MAX)) row[i] = exact_metric(s, p, q0 + i, j0 + c);
    }
}

static int all_finite(const float *v, size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n; ++i) bad |= !(fabsf(v[i]) <= FLT_MAX);
    return !bad;
}

accel_status_t accel_scan_distances(const accel_scan_t *s, float *out) {
    prep_t p;
    accel_status_t st = prep_init(s, 0, &p);
    size_t rows = p.rows;
    for (size_t q0 = 0; st == ACCEL_OK && q0 < s->nq; q0 += QUERY_CHUNK) {
        size_t nq = s->nq - q0 < QUERY_CHUNK ? s->nq - q0 : QUERY_CHUNK;
        if (p.packed) pack_queries(s, &p, q0, nq);
        for (size_t j0 = 0; j0 < s->nx; j0 += rows) {
            size_t nb = s->nx - j0 < rows ? s->nx - j0 : rows;
            if (p.packed) {
                eval_packed(s, &p, q0, nq, j0, nb);
                for (size_t c = 0; c < nb; ++c)
                    for (size_t i = 0; i < nq; ++i)
                        out[(q0 + i) * s->nx + j0 + c] = p.tbuf[c * p.nqp + i];
            } else {
                eval(s, &p, q0, nq, j0, nb, out + q0 * s->nx + j0, s->nx);
            }
            for (size_t i = 0; i < nq; ++i)
                if (!all_finite(out + (q0 + i) * s->nx + j0, nb)) st = ACCEL_ERR_NONFINITE;
        }
    }
    prep_free(&p);
    return st;
}

/* Expanded l2 and int8 ranking: the kept candidates (kh >= k per query) get their
 * exact metric value and the best k of those, by (value, index), go to the outputs. */
static accel_status_t refine(const accel_scan_t *s, const prep_t *p, size_t q0, size_t nq, const int64_t *hi,
                             const size_t *count, size_t kh, size_t k, float *dist,
                             int64_t *idx) {
    accel_status_t st = ACCEL_OK;
    for (size_t i = 0; i < nq; ++i) {
        float *od = dist + i * k;
        int64_t *oi = idx + i * k;
        size_t c = 0;
        for (size_t e = 0; e < count[i]; ++e) {
            int64_t j = hi[i * kh + e];
            float v = exact_metric(s, p, q0 + i, (size_t)j);
            if (!(fabsf(v) <= FLT_MAX)) st = ACCEL_ERR_NONFINITE;
            if (c < k || accel_worse(od[0], oi[0], v, j)) accel_heap_add(od, oi, &c, k, v, j);
        }
    }
    return st;
}

accel_status_t accel_scan_topk(const accel_scan_t *s, size_t k, int64_t *idx, float *dist) {
    if (k > s->nx) k = s->nx;
    if (k == 0 || s->nq == 0) return ACCEL_OK;
    prep_t p;
    accel_status_t st = prep_init(s, 1, &p);
    size_t rows = p.rows, qc = s->nq < QUERY_CHUNK ? s->nq : QUERY_CHUNK;
    int rerank = p.expand || p.int8;
    size_t over = p.int8 ? OVERFETCH_I8 : OVERFETCH;
    size_t kh = rerank ? k + (k > over ? k : over) : k; /* heap size */
    if (kh > s->nx) kh = s->nx;
    float *scratch = malloc(qc * rows * sizeof(float));
    size_t *count = calloc(qc, sizeof(size_t));
    float *heap_d = rerank ? malloc(qc * kh * sizeof(float)) : NULL;
    int64_t *heap_i = rerank ? malloc(qc * kh * sizeof(int64_t)) : NULL;
    float *worst = malloc(qc * sizeof(float));
    if (st == ACCEL_OK &&
        (!scratch || !count || !worst || (rerank && (!heap_d || !heap_i))))
        st = ACCEL_ERR_NOMEM;
    for (size_t q0 = 0; st == ACCEL_OK && q0 < s->nq; q0 += QUERY_CHUNK) {
        size_t nq = s->nq - q0 < QUERY_CHUNK ? s->nq - q0 : QUERY_CHUNK;
        /* the outputs double as heap storage unless expanded l2 keeps more */
        float *hd = rerank ? heap_d : dist + q0 * k;
        int64_t *hi = rerank ? heap_i : idx + q0 * k;
        memset(count, 0, qc * sizeof(size_t));
        for (size_t i = 0; i < nq; ++i) worst[i] = INFINITY;
        if (p.packed) pack_queries(s, &p, q0, nq);
        if (p.int8) pack_queries_i8(s, &p, q0, nq);
        for (size_t j0 = 0; j0 < s->nx && st == ACCEL_OK; j0 += rows) {
            size_t nb = s->nx - j0 < rows ? s->nx - j0 : rows;
            if (p.packed || p.int8) {
                if (p.int8)
                    eval_i8(s, &p, q0, nq, j0, nb);
                else
                    eval_packed(s, &p, q0, nq, j0, nb);
                if (!accel_select_packed(p.tbuf, nb, p.nqp, nq, j0, hd, hi, count, kh, worst))
                    st = ACCEL_ERR_NONFINITE;
                continue;
            }
            eval(s, &p, q0, nq, j0, nb, scratch, nb);
            for (size_t i = 0; i < nq; ++i)
                if (!accel_select_row(scratch + i * nb, nb, j0, hd + i * kh, hi + i * kh, &count[i],
                                kh))
                    st = ACCEL_ERR_NONFINITE;
        }
        if (rerank && st == ACCEL_OK)
            st = refine(s, &p, q0, nq, hi, count, kh, k, dist + q0 * k, idx + q0 * k);
        for (size_t i = 0; i < nq && st == ACCEL_OK; ++i)
            accel_heap_sort(dist + (q0 + i) * k, idx + (q0 + i) * k, k);
    }
    free(scratch), free(count), free(heap_d), free(heap_i), free(worst);
    prep_free(&p);
    return st;
}
