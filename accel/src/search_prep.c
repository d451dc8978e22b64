/* Per-scan preparation for the scan driver (search.c): block size and path choice,
 * query norms and unit queries, and the queries packed once per chunk for the
 * batch kernels (f32 transposed, or int8 in the VNNI layout). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"

accel_op_t accel_metric_op(accel_metric_t metric) {
    switch (metric) {
    case ACCEL_METRIC_COSINE:
    case ACCEL_METRIC_IP: return ACCEL_DOT;
    case ACCEL_METRIC_L1: return ACCEL_L1;
    default: return ACCEL_L2SQ;
    }
}

void accel_prep_free(prep_t *p) {
    free(p->qnorm), free(p->zeros), free(p->xnorm), free(p->xbuf), free(p->qhat);
    free(p->qt), free(p->tbuf), free(p->qt8), free(p->alpha), free(p->beta), free(p->ibuf);
    free(p->rnorm), free(p->mag);
}

/* With several queries, each block of f16/SQ8 candidates is decoded once into an
 * L2-resident f32 buffer and every query runs the f32 kernel on it; and top-k l2
 * ranks by the dot-product expansion (one FMA per element instead of sub + FMA),
 * re-computing the exact distance of the survivors (see refine()). */
accel_status_t accel_prep_init(const accel_scan_t *s, int topk, prep_t *p) {
    memset(p, 0, sizeof *p);
    int wide = s->kind == ACCEL_SCAN_VECTORS && s->nq >= WIDE_Q;
    p->int8 = wide && topk && s->elem == ACCEL_SQ8 && s->k->sq8_dot_packed &&
              s->d <= ACCEL_I8_MAX_D && s->metric != ACCEL_METRIC_L1;
    int decode = wide && s->elem != ACCEL_F32 && !p->int8;
    size_t row = decode ? s->d * 4 : s->row_bytes;
    size_t rows = BLOCK_BYTES / (row ? row : 1);
    p->rows = rows < 16 ? 16 : rows > 4096 ? 4096 : rows;
    p->expand = wide && topk && accel_metric_op(s->metric) == ACCEL_L2SQ;
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
        p->rnorm = malloc(qc * sizeof(float)), p->mag = malloc(qc * sizeof(float));
        p->tbuf = malloc(p->rows * p->nqp * sizeof(float));
        p->ibuf = malloc(p->rows * p->nqp * sizeof(int32_t));
        if (!p->qt8 || !p->alpha || !p->beta || !p->rnorm || !p->mag || !p->tbuf || !p->ibuf)
            return ACCEL_ERR_NOMEM;
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

/* qt = the chunk's queries [q0, q0+nq) transposed, zero columns up to nqp. */
void accel_pack_queries(const accel_scan_t *s, prep_t *p, size_t q0, size_t nq) {
    const float *q = (p->qhat ? p->qhat : (const float *)s->q) + q0 * s->d;
    size_t nqp = p->nqp;
    for (size_t k = 0; k < s->d; ++k) {
        float *row = p->qt + k * nqp;
        for (size_t i = 0; i < nq; ++i) row[i] = q[i * s->d + k];
        for (size_t i = nq; i < nqp; ++i) row[i] = 0.0f;
    }
}

/* int8 path: the chunk's queries as int8 per query scale, w = q * scale (the code
 * part of q.x = q.lo + sum q[k] scale[k] code[k]), alpha = max|w| / 127, plus the
 * exact offset beta = q.lo; zero bytes for padded queries and the d % 4 tail. */
void accel_pack_queries_i8(const accel_scan_t *s, prep_t *p, size_t q0, size_t nq) {
    size_t d = s->d, nqp = p->nqp;
    const float *q = (p->qhat ? p->qhat : (const float *)s->q) + q0 * d;
    memset(p->qt8, 0, (d + 3) / 4 * 4 * nqp);
    for (size_t i = 0; i < nq; ++i) {
        const float *qi = q + i * d;
        double amax = 0.0, beta = 0.0, rsum = 0.0, rsq = 0.0, wabs = 0.0;
        for (size_t k = 0; k < d; ++k) {
            amax = fmax(amax, fabs((double)qi[k] * s->scale[k]));
            beta += (double)qi[k] * s->lo[k];
        }
        float alpha = (float)(amax / 127.0);
        double inv = amax > 0.0 ? 127.0 / amax : 0.0;
        for (size_t k = 0; k < d; ++k) {
            double w = (double)qi[k] * s->scale[k];
            long w8 = lrint(w * inv);
            double r = w - (double)alpha * (double)w8; /* what the int8 query misses */
            p->qt8[(k / 4) * 4 * nqp + 4 * i + k % 4] = (int8_t)w8;
            rsum += r, rsq += r * r, wabs += fabs(w);
        }
        /* sum r[k] code[k] = 128 sum r[k] + sum r[k] (code[k] - 128): the first part is
         * exact and goes into beta, the second is bounded by |r| |code - 128|. */
        p->alpha[i] = alpha, p->beta[i] = (float)(beta + 128.0 * rsum);
        p->rnorm[i] = (float)(sqrt(rsq) * (1.0 + 0x1p-20));
        p->mag[i] = (float)(fabs(beta) + 255.0 * wabs);
    }
}
