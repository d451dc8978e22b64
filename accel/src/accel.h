/* Shared types of accel's kernels: the dispatch table and the scan driver.
 *
 * Every ISA file (kernels_*.c) fills one `accel_kernels_t`; dispatch.c picks
 * the best table the CPU can run; search.c turns a table into distance
 * matrices and fused top-k scans; module.c is the CPython glue.
 */
#ifndef ACCEL_H
#define ACCEL_H

#include <stddef.h>
#include <stdint.h>

/* The named constants of the Python boundary are listed once, here, as X-macros:
 * the C enums below and the Python IntEnums module.c exports (accel._kernels.Metric,
 * .Encoding, .Level) are both generated from these lists.  X(NAME, "python name"). */
#define ACCEL_ENCODINGS(X) X(F32, "f32") X(F16, "f16") X(SQ8, "sq8")
#define ACCEL_METRICS(X)                                                                   \
    X(L2, "l2") X(SQEUCLIDEAN, "sqeuclidean") X(COSINE, "cosine")                          \
    X(IP, "ip") /* negative dot product, pgvector's <#> */                                 \
    X(L1, "l1")
#define ACCEL_LEVELS(X) X(SCALAR, "scalar") X(NEON, "neon") X(AVX2, "avx2") X(AVX512, "avx512")

/* Cosine: a vector whose norm is below 2^-60 (squared norm below 2^-120, still a
 * normal float32) has no usable direction in float32 and counts as a zero vector:
 * distance 1.0 against anything.  numpy's back end applies the same threshold. */
#define ACCEL_COSINE_MIN_SQNORM 0x1p-120

/* sq8_dot_packed sums at most this many products of 255 * 127: no int32 overflow. */
#define ACCEL_I8_MAX_D 65536

/* Candidate storage: what a kernel reads on the `x` side. */
typedef enum {
#define X(NAME, TEXT) ACCEL_##NAME,
    ACCEL_ENCODINGS(X)
#undef X
        ACCEL_ELEM_COUNT
} accel_elem_t;

/* Reductions the block kernels compute between a query row and a candidate. */
typedef enum { ACCEL_DOT = 0, ACCEL_L2SQ = 1, ACCEL_L1 = 2, ACCEL_OP_COUNT = 3 } accel_op_t;

/* Public metrics (accel._kernels.Metric). */
typedef enum {
#define X(NAME, TEXT) ACCEL_METRIC_##NAME,
    ACCEL_METRICS(X)
#undef X
        ACCEL_METRIC_COUNT
} accel_metric_t;

typedef enum { ACCEL_OK = 0, ACCEL_ERR_NOMEM = 1, ACCEL_ERR_NONFINITE = 2 } accel_status_t;

/* out[i*ldo + j] = reduce_k op(q[i*ldq + k], x_j[k]) for i < nq, j < nx.
 * x_j starts at element j*ldx of `x`; elements are f32, f16 bits or uint8 codes.
 * ACCEL_SQ8 candidates are decoded in registers as lo[k] + scale[k] * code[k]
 * (one FMA); lo and scale are NULL for the other encodings. */
typedef void (*accel_block_fn)(const float *q, size_t nq, size_t ldq, const void *x, size_t nx,
                               size_t ldx, size_t d, const float *lo, const float *scale,
                               float *out, size_t ldo);

typedef struct {
    const char *name;
    accel_block_fn block[ACCEL_ELEM_COUNT][ACCEL_OP_COUNT];
    /* out[i*ldo + j] = popcount(a_i ^ b_j) over nbytes bytes. */
    void (*hamming)(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, size_t nbytes,
                    float *out, size_t ldo);
    void (*f32_to_f16)(const float *x, uint16_t *h, size_t n);
    void (*f16_to_f32)(const uint16_t *h, float *x, size_t n);
    /* out = lo + scale * codes, row-major n x d (decodes a candidate block once). */
    void (*sq8_decode)(const uint8_t *codes, size_t n, size_t d, const float *lo,
                       const float *scale, float *out);
    /* codes = clamp(round((x - lo) * inv_scale), 0, 255), row-major n x d.
     * The two encoders return 0 if x holds a NaN or inf (checked in the same pass). */
    int (*sq8_encode)(const float *x, size_t n, size_t d, const float *lo,
                      const float *inv_scale, uint8_t *codes);
    /* Sign bits (x > 0), numpy.packbits order: first element in the MSB. */
    int (*binary_quantize)(const float *x, size_t n, size_t d, uint8_t *bits);
    /* codes[i*code_stride] = argmin_c |x_i - c|^2 = argmin_c |c|^2 + x_i.(-2c), with the
     * centroids given transposed and scaled by -2 (ct[k*ksub + c] = -2 c[k], k < dsub;
     * exact, so the argmin is that of |c|^2 - 2 x.c) and their squared norms. */
    void (*pq_assign)(const float *x, size_t n, size_t ldx, size_t dsub, const float *ct,
                      const float *cnorm, size_t ksub, uint8_t *codes, size_t code_stride);
    /* Batch dot products against queries packed once per call (the register-blocked
     * micro-kernel of the many-query scan): out[j*ldo + i] = sum_k qt[k*nqp + i] * x_j[k]
     * for i < nqp, j < nx, x_j = x + j*ldx (f32).  nqp is a multiple of 16, qt is
     * 64-byte aligned with zero columns past the real queries.  Each (i, j) sum runs
     * in order k = 0..d-1 in one lane, so equal candidates give equal results. */
    void (*dot_packed)(const float *qt, size_t nqp, const float *x, size_t nx, size_t ldx,
                       size_t d, float *out, size_t ldo);
    /* Integer batch dot products of SQ8 codes with int8 queries packed once per call
     * (the VNNI `vpdpbusd` layout): out[j*ldo + i] = sum_k x_j[k] * qt[(k/4)*4*nqp + 4*i + k%4]
     * for i < nqp, j < nx, x_j = x + j*ldx; exact int32 (d <= ACCEL_I8_MAX_D).  nqp is a
     * multiple of 16, qt is 64-byte aligned with zero bytes for padded queries and for
     * k >= d up to the next multiple of 4.  NULL where it would not beat the f32 path. */
    void (*sq8_dot_packed)(const int8_t *qt, size_t nqp, const uint8_t *x, size_t nx,
                           size_t ldx, size_t d, int32_t *out, size_t ldo);
    /* One query against nx candidates in one pass: dot[j] = q.x_j and norm[j] = |x_j|^2,
     * each summed exactly as block[elem][ACCEL_DOT] (nq = 1) and block[elem][ACCEL_L2SQ]
     * against a zero query sum them (cosine).  NULL: the two block calls. */
    void (*dot_norm[ACCEL_ELEM_COUNT])(const float *q, const void *x, size_t nx, size_t ldx,
                                       size_t d, const float *lo, const float *scale,
                                       float *dot, float *norm);
    /* out[j] = sum_s lut[s*ksub + codes[j*m + s]]  (asymmetric distance scan). */
    void (*pq_adc)(const float *lut, size_t m, size_t ksub, const uint8_t *codes, size_t n,
                   float *out);
    /* RaBitQ fast scan (rabitq.c): out[i*ldo + 32b + c] = sum_p luts[(i*npos + p)*16 +
     * nibble p of code c in block b], codes packed 32 per block (see rabitq.c). */
    void (*rabitq_scan)(const uint8_t *luts, size_t nq, const uint8_t *packed, size_t nblocks,
                        size_t npos, float *out, size_t ldo);
    /* RaBitQ estimates of one query over `rows` table sums (in place), fed to its top-k
     * heap (see rabitq.c); 0 on a NaN or infinite estimate. */
    int (*rabitq_rank)(float *row, size_t rows, size_t j0, const float *scale,
                       const float *offset, const uint8_t *cl, const float *qi, float *hd,
                       int64_t *hi, size_t *count, size_t k);
} accel_kernels_t;

/* PQ k-means update: sums[(s*ksub + c)*dsub + k] += x_i[s*dsub + k] and counts[s*ksub + c]
 * += 1 for c = codes[i*m + s]; portable, it is memory-bound. */
void accel_pq_accumulate(const float *x, size_t n, size_t d, const uint8_t *codes, size_t m,
                         size_t ksub, double *sums, int64_t *counts);
/* rotate.c: rows of d floats, zero-padded to D, through `rounds` (sign flip, normalized
 * Hadamard transform of a power-of-two window) steps; out is n x D. */
void accel_fht_rotate(const float *x, size_t n, size_t d, size_t D, const float *signs,
                      size_t rounds, float *out);
void accel_dot_packed_portable(const float *qt, size_t nqp, const float *x, size_t nx,
                               size_t ldx, size_t d, float *out, size_t ldo);
void accel_sq8_dot_packed_portable(const int8_t *qt, size_t nqp, const uint8_t *x, size_t nx,
                                   size_t ldx, size_t d, int32_t *out, size_t ldo);
void accel_rabitq_scan_scalar(const uint8_t *luts, size_t nq, const uint8_t *packed,
                              size_t nblocks, size_t npos, float *out, size_t ldo);
void accel_rabitq_scan_avx2(const uint8_t *luts, size_t nq, const uint8_t *packed,
                            size_t nblocks, size_t npos, float *out, size_t ldo);
int accel_rabitq_rank_scalar(float *row, size_t rows, size_t j0, const float *scale,
                             const float *offset, const uint8_t *cl, const float *qi,
                             float *hd, int64_t *hi, size_t *count, size_t k);
int accel_rabitq_rank_avx2(float *row, size_t rows, size_t j0, const float *scale,
                           const float *offset, const uint8_t *cl, const float *qi, float *hd,
                           int64_t *hi, size_t *count, size_t k);
void accel_rabitq_scan_neon(const uint8_t *luts, size_t nq, const uint8_t *packed,
                            size_t nblocks, size_t npos, float *out, size_t ldo);
void accel_pq_adc_scalar(const float *lut, size_t m, size_t ksub, const uint8_t *codes, size_t n,
                         float *out);

/* Per-ISA tables; the non-scalar ones are NULL when not compiled for this target. */
void accel_fill_scalar(accel_kernels_t *t);
int accel_fill_avx2(accel_kernels_t *t);   /* 0 if AVX2+FMA+F16C unavailable */
int accel_fill_avx512(accel_kernels_t *t); /* 0 if AVX-512 F/BW/VL/DQ unavailable */
void accel_fill_avx512_codes(accel_kernels_t *t); /* the encoders, for accel_fill_avx512 */
void accel_fill_avx512_vnni(accel_kernels_t *t);  /* sq8_dot_packed if AVX512-VNNI */
void accel_fill_avx2_vnni(accel_kernels_t *t);    /* sq8_dot_packed if AVX-VNNI */
void accel_fill_avx2_codes(accel_kernels_t *t);   /* the encoders, for accel_fill_avx2 */
void accel_fill_avx2_dot_norm(accel_kernels_t *t); /* dot_norm, for the AVX2 table only */
int accel_fill_neon(accel_kernels_t *t);   /* 0 unless aarch64 */

/* dispatch.c */
typedef enum {
#define X(NAME, TEXT) ACCEL_LEVEL_##NAME,
    ACCEL_LEVELS(X)
#undef X
        ACCEL_LEVEL_COUNT
} accel_level_t;

const char *accel_level_name(accel_level_t level);
int accel_level_from_name(const char *name); /* -1 if unknown */
int accel_level_supported(accel_level_t level);
accel_level_t accel_best_level(void);
const accel_kernels_t *accel_kernels(accel_level_t level); /* NULL if unsupported */

/* search.c: one scan over candidates in blocks, shared by every metric and encoding. */
typedef enum { ACCEL_SCAN_VECTORS, ACCEL_SCAN_HAMMING, ACCEL_SCAN_PQ } accel_scan_kind_t;

typedef struct {
    const accel_kernels_t *k;
    accel_scan_kind_t kind; /* vectors (elem/metric), packed bit codes, or PQ ADC */
    accel_elem_t elem;
    accel_metric_t metric;
    const void *q; /* nq x d f32 queries, nq packed bit codes, or nq x m x ksub PQ tables */
    const void *x; /* candidates: nx rows of `row_bytes` */
    size_t nq, nx, d, row_bytes;
    const float *lo, *scale; /* SQ8 parameters */
    size_t m, ksub;          /* PQ */
} accel_scan_t;

accel_status_t accel_scan_distances(const accel_scan_t *s, float *out);
accel_status_t accel_scan_topk(const accel_scan_t *s, size_t k, int64_t *idx, float *dist);

/* rabitq.c: RaBitQ estimates of n codes for nq queries and their k smallest, sorted
 * (k <= n).  factors: scale[0..n) then offset[0..n); qrow: nq rows of ldq, (a, b, t[clusters]). */
accel_status_t accel_rabitq_topk(const accel_kernels_t *kt, const uint8_t *luts, size_t nq,
                                 const uint8_t *packed, size_t n, size_t npos,
                                 const float *factors, const uint8_t *cluster,
                                 const float *qrow, size_t ldq, size_t k, int64_t *idx,
                                 float *dist);

#endif
