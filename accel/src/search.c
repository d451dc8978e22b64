/* The scan driver: walks candidates in L2-sized blocks, asks the kernel table for
 * raw reductions, turns them into metric values and either stores them
 * (distances) or feeds a bounded max-heap per query (fused top-k), so top-k
 * never materialises a queries x candidates matrix. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"

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

/* Starts fetching candidate j's row (the re-rank visits rows in no order). */
static void prefetch_row(const accel_scan_t *s, size_t j) {
#if defined(__GNUC__)
    const char *x = (const char *)s->x + j * s->row_bytes;
    for (size_t b = 0; b < s->row_bytes; b += 64) __builtin_prefetch(x + b);
#else
    (void)s, (void)j;
#endif
}

/* Cosine distance for a unit query (qunit 1) or a zero one (qunit 0), dot = q.x,
 * xn = |x|^2.  A (near-)zero vector has no direction: distance 1 (orthogonal), see
 * ACCEL_COSINE_MIN_SQNORM.  A non-finite norm stays visible as NaN even then. */
static float cosine_of(float dot, float xn, float qunit) {
    return !(xn <= FLT_MAX)                                           ? NAN
           : qunit == 0.0f || xn < (float)ACCEL_COSINE_MIN_SQNORM ? 1.0f
                                                                   : 1.0f - dot / sqrtf(xn);
}

/* The exact metric value of query row i and candidate j, as the direct path computes it. */
static float exact_metric(const accel_scan_t *s, const prep_t *p, size_t i, size_t j) {
    if (accel_metric_op(s->metric) == ACCEL_L2SQ) {
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
static void eval(const accel_scan_t *s, prep_t *p, size_t q0, size_t nq, size_t j0, size_t nb,
                 float *out, size_t ldo) {
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
    accel_op_t op = p->expand ? ACCEL_DOT : accel_metric_op(s->metric);
    if (nq == 1 && p->xnorm && op == ACCEL_DOT && s->k->dot_norm[elem]) { /* cosine, one pass */
        s->k->dot_norm[elem](q, xv, nb, ldx, d, s->lo, s->scale, out, p->xnorm);
    } else {
        s->k->block[elem][op](q, nq, d, xv, nb, ldx, d, s->lo, s->scale, out, ldo);
        if (p->xnorm)
            s->k->block[elem][ACCEL_L2SQ](p->zeros, 1, d, xv, nb, ldx, d, s->lo, s->scale,
                                          p->xnorm, nb);
    }
    for (size_t j = 0; p->expand && j < nb; ++j)
        p->xnmax = fmaxf(p->xnmax, p->xnorm[j]); /* for refine()'s bound */
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
            for (size_t j = 0; j < nb; ++j) row[j] = cosine_of(row[j], p->xnorm[j], qn);
            break;
        default: break;
        }
    }
}

/* Packed path of eval(): metric keys of the chunk's queries x candidates [j0, j0+nb)
 * into p->tbuf, candidate-major (tbuf[c*nqp + i]). */
static void eval_packed(const accel_scan_t *s, prep_t *p, size_t q0, size_t nq,
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
            p->xnmax = fmaxf(p->xnmax, xn); /* for refine()'s bound */
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

/* int8 path of eval_packed(): ranking keys from the integer dot products (VNNI),
 * with |x|^2 in f32 for l2 and cosine.  A non-finite key gets the exact value. */
static void eval_i8(const accel_scan_t *s, prep_t *p, size_t q0, size_t nq, size_t j0,
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
        int32_t ss = 0; /* |code - 128|^2 <= 65536 * 128^2: no overflow */
        for (size_t k = 0; k < d; ++k) {
            int32_t t = (int32_t)x[c * s->row_bytes + k] - 128;
            ss += t * t;
        }
        float cn = sqrtf((float)ss) * (1.0f + 0x1p-20f);
        int bad = 0;
        if (s->metric != ACCEL_METRIC_COSINE) {
            p->cmax = fmaxf(p->cmax, cn), p->xnmax = fmaxf(p->xnmax, xn);
        } else if (xn <= FLT_MAX && xn >= (float)ACCEL_COSINE_MIN_SQNORM) {
            p->cmax = fmaxf(p->cmax, cn / sqrtf(xn)), p->xnmax = fmaxf(p->xnmax, 1.0f / sqrtf(xn));
        } else if (!(xn <= FLT_MAX)) {
            p->cmax = INFINITY;
        }
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

/* int8 ranking of chunk query i is exact if its exact k-th best value `kth` (in key
 * units) plus the key error bound |r| * max|code - 128| (x2 for l2, x 1/|x| for
 * cosine) plus float rounding stays below `root`, the largest key kept: every
 * candidate left out has a key >= root, so its true value is >= kth.  Else the
 * query is scanned again exactly. */
static int int8_sound(const accel_scan_t *s, const prep_t *p, size_t i, float kth, float root) {
    double key = kth, bound = (double)p->rnorm[i] * p->cmax, mag = p->mag[i];
    switch (s->metric) {
    case ACCEL_METRIC_L2: key = (double)kth * kth; /* fall through */
    case ACCEL_METRIC_SQEUCLIDEAN:
        bound *= 2.0, mag = 2.0 * mag + p->qnorm[i] + p->xnmax;
        break;
    case ACCEL_METRIC_COSINE: mag = 2.0 + mag * p->xnmax; break;
    default: break;
    }
    double slack = 8.0 * FLT_EPSILON * (sqrt((double)s->d) + 4.0) * (fabs(key) + fabs(root) + mag);
    return key + bound + slack <= root;
}

static int all_finite(const float *v, size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n; ++i) bad |= !(fabsf(v[i]) <= FLT_MAX);
    return !bad;
}

accel_status_t accel_scan_distances(const accel_scan_t *s, float *out) {
    prep_t p;
    accel_status_t st = accel_prep_init(s, 0, &p);
    size_t rows = p.rows;
    for (size_t q0 = 0; st == ACCEL_OK && q0 < s->nq; q0 += QUERY_CHUNK) {
        size_t nq = s->nq - q0 < QUERY_CHUNK ? s->nq - q0 : QUERY_CHUNK;
        if (p.packed) accel_pack_queries(s, &p, q0, nq);
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
    accel_prep_free(&p);
    return st;
}

/* The exact l2sq of a k-th value (l2 holds its root), rounded up. */
static double kth_sq(const accel_scan_t *s, float v) {
    return s->metric == ACCEL_METRIC_L2 ? (double)v * v * (1.0 + 16.0 * FLT_EPSILON) : v;
}

/* Expanded l2 and int8 ranking: the kept candidates (kh >= k per query) get their
 * exact metric value and the best k of those, by (value, index), go to the outputs.
 * Expanded l2 visits them by ascending key and stops once a key is so far above the
 * k-th exact value that no later one can enter: |key - exact l2sq| <= (8d + 64) eps
 * (|q|^2 + max |x|^2) bounds the float error of both sides (an infinite bound never stops);
 * by the same bound it flags in redo[] a query whose ranking may have left out a better
 * candidate.  The next candidate's row is prefetched while one is computed. */
static accel_status_t refine(const accel_scan_t *s, const prep_t *p, size_t q0, size_t nq,
                             float *hd, const int64_t *hi, const size_t *count, size_t kh,
                             size_t k, float *dist, int64_t *idx, unsigned char *redo) {
    accel_status_t st = ACCEL_OK;
    int early = p->expand && !p->int8;
    for (size_t i = 0; i < nq; ++i) {
        float *od = dist + i * k, *key = hd + i * kh;
        int64_t *oi = idx + i * k, *ki = (int64_t *)hi + i * kh;
        if (early) accel_heap_sort(key, ki, count[i]);
        double bound = early ? (8.0 * (double)s->d + 64.0) * FLT_EPSILON *
                                   ((double)p->qnorm[q0 + i] + (double)p->xnmax)
                             : 0.0;
        size_t c = 0, e = 0;
        for (; e < count[i]; ++e) {
            int64_t j = ki[e];
            if (e + 1 < count[i]) prefetch_row(s, (size_t)ki[e + 1]);
            if (early && c == k && (double)key[e] - bound > kth_sq(s, od[0]) + bound) break;
            float v = exact_metric(s, p, q0 + i, (size_t)j);
            if (!(fabsf(v) <= FLT_MAX)) st = ACCEL_ERR_NONFINITE;
            if (c < k || accel_worse(od[0], oi[0], v, j)) accel_heap_add(od, oi, &c, k, v, j);
        }
        /* every candidate left out has a key >= the largest kept one: if that key does not
         * clear the k-th exact value by the bound, the query is scanned again exactly */
        if (early && e == count[i] && count[i] == kh && kh < s->nx)
            redo[i] = !((double)key[e - 1] - bound > kth_sq(s, od[0]) + bound);
    }
    return st;
}

accel_status_t accel_scan_topk(const accel_scan_t *s, size_t k, int64_t *idx, float *dist) {
    if (k > s->nx) k = s->nx;
    if (k == 0 || s->nq == 0) return ACCEL_OK;
    prep_t p;
    accel_status_t st = accel_prep_init(s, 1, &p);
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
    unsigned char *redo = calloc(qc, 1);
    if (st == ACCEL_OK &&
        (!scratch || !count || !worst || !redo || (rerank && (!heap_d || !heap_i))))
        st = ACCEL_ERR_NOMEM;
    for (size_t q0 = 0; st == ACCEL_OK && q0 < s->nq; q0 += QUERY_CHUNK) {
        size_t nq = s->nq - q0 < QUERY_CHUNK ? s->nq - q0 : QUERY_CHUNK;
        /* the outputs double as heap storage unless expanded l2 keeps more */
        float *hd = rerank ? heap_d : dist + q0 * k;
        int64_t *hi = rerank ? heap_i : idx + q0 * k;
        memset(count, 0, qc * sizeof(size_t));
        memset(redo, 0, qc);
        for (size_t i = 0; i < nq; ++i) worst[i] = INFINITY;
        p.cmax = p.xnmax = 0.0f;
        if (p.packed) accel_pack_queries(s, &p, q0, nq);
        if (p.int8) accel_pack_queries_i8(s, &p, q0, nq);
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
                if (!accel_select_row(scratch + i * nb, nb, j0, hd + i * kh, hi + i * kh,
                                      &count[i], kh))
                    st = ACCEL_ERR_NONFINITE;
        }
        if (rerank && st == ACCEL_OK)
            st = refine(s, &p, q0, nq, hd, hi, count, kh, k, dist + q0 * k, idx + q0 * k, redo);
        for (size_t i = 0; i < nq; ++i) /* int8: which queries need the exact scan */
            redo[i] = st == ACCEL_OK &&
                      (redo[i] || (p.int8 && count[i] == kh && kh < s->nx &&
                                   !int8_sound(s, &p, i, dist[(q0 + i) * k], hd[i * kh])));
        for (size_t i = 0; i < nq && st == ACCEL_OK; ++i)
            accel_heap_sort(dist + (q0 + i) * k, idx + (q0 + i) * k, k);
        for (size_t i = 0; i < nq && st == ACCEL_OK; ++i)
            if (redo[i]) { /* one query scans the direct (exact) path */
                accel_scan_t one = *s;
                one.q = (const float *)s->q + (q0 + i) * s->d, one.nq = 1;
                st = accel_scan_topk(&one, k, idx + (q0 + i) * k, dist + (q0 + i) * k);
            }
    }
    free(scratch), free(count), free(heap_d), free(heap_i), free(worst), free(redo);
    accel_prep_free(&p);
    return st;
}
