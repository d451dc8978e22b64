/* Kernel conformance driver, built without CPython (scripts/check_neon.sh).
 *
 * For every SIMD level this build and CPU support (on aarch64: neon; on x86_64:
 * avx2/avx512), compares every entry of its dispatch table with the scalar table
 * and with a float64 (or exact) reference, then runs the scan driver (search.c)
 * on top of the table for every metric, encoding and kind.
 *
 * Tolerances are the worst-case bounds of float32 recursive summation, not
 * tuned constants: a d-term reduction whose exact terms have absolute sum T is
 * within (d + 8) u T of the exact value (u = 2^-24), plus the SQ8 decode error
 * (2u per element magnitude) propagated through the op.  A dropped or doubled
 * element of typical size T/d exceeds that bound for every d tested, and the
 * small-integer pattern (all sums exact) demands bit-identical results.
 * Candidate, query, lo and scale buffers end at a PROT_NONE page, so reading one
 * element too far faults; row padding holds NaN so reading past d in a row shows.
 *
 * Usage: neon_check [seed]   (exit 0: all passed; 1: a mismatch; 2: setup error)
 */
#define _DEFAULT_SOURCE
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel.h"

#define U 0x1p-24 /* unit roundoff of float32 */

/* ------------------------------------------------------------------ utils */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double unif(void) { return (double)(rnd() >> 11) * 0x1p-53; } /* [0, 1) */
static float sym(void) { return (float)(2.0 * unif() - 1.0); }         /* [-1, 1) */
static int irange(int lo, int hi) { return lo + (int)(rnd() % (uint64_t)(hi - lo + 1)); }

static double h2d(uint16_t h) {
    _Float16 f;
    memcpy(&f, &h, 2);
    return (double)f;
}
static uint16_t f2h(float x) {
    _Float16 f = (_Float16)x;
    uint16_t h;
    memcpy(&h, &f, 2);
    return h;
}
static uint32_t fbits(float x) {
    uint32_t b;
    memcpy(&b, &x, 4);
    return b;
}
static float bitsf(uint32_t b) {
    float x;
    memcpy(&x, &b, 4);
    return x;
}

/* What is being checked right now, printed if a guard page is hit. */
static char current[256];
static void on_fault(int sig) {
    static const char segv[] = "\nFAULT (out-of-bounds access) during: ";
    static const char trap[] = "\nFAULT (trap: UBSan check or illegal instruction) during: ";
    const char *msg = sig == SIGSEGV || sig == SIGBUS ? segv : trap;
    size_t len = sig == SIGSEGV || sig == SIGBUS ? sizeof segv - 1 : sizeof trap - 1;
    if (write(2, msg, len) < 0 || write(2, current, strlen(current)) < 0 ||
        write(2, "\n", 1) < 0) {
    }
    signal(sig, SIG_DFL);
    _exit(1);
}

/* `bytes` usable bytes ending exactly at a PROT_NONE page. */
static size_t page;
static void *galloc(size_t bytes) {
    size_t body = (bytes + page - 1) / page * page;
    char *base =
        mmap(NULL, body + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED || mprotect(base + body, page, PROT_NONE) != 0) {
        perror("mmap");
        exit(2);
    }
    return base + body - bytes;
}
static void gfree(void *p, size_t bytes) {
    size_t body = (bytes + page - 1) / page * page;
    char *base = (char *)p + bytes - body;
    munmap(base, body + page);
}

/* --------------------------------------------------------------- results */

typedef struct {
    char name[64];
    long checks, fails;
    double max_err;   /* largest |got - ref| */
    double max_ratio; /* largest |got - ref| / (u T + D): u * sum|terms| + SQ8 decode error */
    double max_frac;  /* largest |got - ref| / tolerance */
} stat_t;

static stat_t stats[512];
static int nstats;
static long total_checks, total_fails;
static int printed_fails;

static stat_t *stat(const char *name) {
    for (int i = 0; i < nstats; ++i)
        if (strcmp(stats[i].name, name) == 0) return &stats[i];
    if (nstats == (int)(sizeof stats / sizeof stats[0])) {
        fprintf(stderr, "too many stat names\n");
        exit(2);
    }
    stat_t *s = &stats[nstats++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

/* One comparison. unit = u T + D (0 if not meaningful); tol = allowed |got - ref|. */
static int record(const char *name, double got, double ref, double tol, double unit,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int record(const char *name, double got, double ref, double tol, double unit,
                  const char *fmt, ...) {
    stat_t *s = stat(name);
    s->checks++, total_checks++;
    int ok;
    double err = fabs(got - ref);
    if (isnan(ref) || isnan(got)) {
        ok = isnan(ref) && isnan(got);
        err = ok ? 0.0 : INFINITY;
    } else if (isinf(ref) || isinf(got)) {
        ok = got == ref;
        err = ok ? 0.0 : INFINITY;
    } else {
        ok = err <= tol;
    }
    if (err > s->max_err) s->max_err = err;
    if (unit > 0 && err / unit > s->max_ratio) s->max_ratio = err / unit;
    if (tol > 0 && err / tol > s->max_frac) s->max_frac = err / tol;
    if (tol == 0 && err > 0) s->max_frac = INFINITY;
    if (!ok) {
        s->fails++, total_fails++;
        if (printed_fails++ < 40) {
            va_list ap;
            va_start(ap, fmt);
            fprintf(stdout, "MISMATCH %s: got %.9g ref %.9g |err| %.3g tol %.3g  [", name, got,
                    ref, err, tol);
            vfprintf(stdout, fmt, ap);
            fprintf(stdout, "]\n");
            va_end(ap);
        }
    }
    return ok;
}

/* ------------------------------------------------------- block kernels */

static const char *const elem_names[] = {"f32", "f16", "sq8"};
static const char *const op_names[] = {"dot", "l2sq", "l1"};
static const char *const metric_names[] = {"l2", "sqeuclidean", "cosine", "ip", "l1"};
static const size_t elem_bytes[] = {4, 2, 1};

enum { PAT_UNIFORM, PAT_MIXED, PAT_EXACT, PAT_COUNT };
static const char *const pat_names[] = {"uniform", "mixed-magnitude", "small-integers"};

/* A candidate set: stored values plus their exact decoded values and per-element
 * decode error bounds (nonzero only for SQ8, where lo + scale * code is rounded). */
typedef struct {
    accel_elem_t elem;
    size_t n, d, ld;
    void *x;
    size_t xbytes;
    float *lo, *scale; /* d each, guarded; NULL unless SQ8 */
    double *xd, *xe;   /* n x d exact decoded value, decode error bound */
} cand_t;

static float gen_value(int pat) {
    switch (pat) {
    case PAT_EXACT: return (float)irange(-8, 8);
    case PAT_MIXED: return sym() * ldexpf(1.0f, irange(-20, 10)); /* f16 subnormals too */
    default: return sym();
    }
}

static void cand_make(cand_t *c, accel_elem_t elem, size_t n, size_t d, size_t pad, int pat) {
    memset(c, 0, sizeof *c);
    c->elem = elem, c->n = n, c->d = d, c->ld = d + pad;
    c->xbytes = ((n ? n - 1 : 0) * c->ld + d) * elem_bytes[elem];
    c->x = galloc(c->xbytes);
    c->xd = calloc(n * d + 1, sizeof(double));
    c->xe = calloc(n * d + 1, sizeof(double));
    if (elem == ACCEL_SQ8) {
        c->lo = galloc(d * 4);
        c->scale = galloc(d * 4);
        for (size_t k = 0; k < d; ++k) {
            if (pat == PAT_EXACT) { /* lo + scale * code stays a multiple of 1/4 */
                c->lo[k] = (float)irange(-8, 0);
                c->scale[k] = ldexpf(1.0f, irange(-2, 0));
            } else {
                float mag = pat == PAT_MIXED ? ldexpf(1.0f, irange(-8, 6)) : 1.0f;
                c->lo[k] = -mag * (float)unif();
                c->scale[k] = mag * 2.0f * (float)unif() / 255.0f;
            }
        }
    }
    for (size_t j = 0; j < n; ++j) {
        for (size_t k = 0; k < c->ld && (j + 1 < n || k < d); ++k) {
            size_t at = j * c->ld + k;
            int padding = k >= d;
            switch (elem) {
            case ACCEL_F32: {
                float v = padding ? NAN : gen_value(pat);
                ((float *)c->x)[at] = v;
                if (!padding) c->xd[j * d + k] = v;
                break;
            }
            case ACCEL_F16: {
                uint16_t h = padding ? 0x7e00 : f2h(gen_value(pat));
                ((uint16_t *)c->x)[at] = h;
                if (!padding) c->xd[j * d + k] = h2d(h);
                break;
            }
            default: {
                uint8_t code = padding ? 0xab : (uint8_t)(pat == PAT_EXACT ? rnd() & 31 : rnd());
                ((uint8_t *)c->x)[at] = code;
                if (!padding) {
                    double lo = c->lo[k], sc = (double)c->scale[k] * code;
                    c->xd[j * d + k] = lo + sc; /* exact in double: 24 + 8 bit product */
                    c->xe[j * d + k] = 2.0 * U * (fabs(lo) + fabs(sc));
                }
            }
            }
        }
    }
}

static void cand_free(cand_t *c) {
    gfree(c->x, c->xbytes);
    if (c->lo) gfree(c->lo, c->d * 4), gfree(c->scale, c->d * 4);
    free(c->xd), free(c->xe);
}

/* Exact reduction in double, T = sum of |terms|, D = propagated decode error. */
static double ref_op(accel_op_t op, const float *q, const double *x, const double *e, size_t d,
                     double *T, double *D) {
    double r = 0, t = 0, de = 0;
    for (size_t k = 0; k < d; ++k) {
        double a = q[k], b = x[k];
        switch (op) {
        case ACCEL_DOT:
            r += a * b, t += fabs(a * b), de += fabs(a) * e[k];
            break;
        case ACCEL_L2SQ:
            r += (a - b) * (a - b), t += (a - b) * (a - b), de += (2 * fabs(a - b) + e[k]) * e[k];
            break;
        default: r += fabs(a - b), t += fabs(a - b), de += e[k];
        }
    }
    *T = t, *D = de;
    return r;
}

static double bound(size_t d, double T, double D) { return (double)(d + 8) * U * (T + D) + D; }

static float *queries_make(size_t nq, size_t d, size_t ld, int pat, size_t *bytes) {
    *bytes = ((nq ? nq - 1 : 0) * ld + d) * 4;
    float *q = galloc(*bytes);
    for (size_t i = 0; i < nq; ++i)
        for (size_t k = 0; k < ld && (i + 1 < nq || k < d); ++k)
            q[i * ld + k] = k >= d ? NAN : gen_value(pat);
    return q;
}

static void test_block(const accel_kernels_t *K, const accel_kernels_t *S, accel_elem_t elem,
                       accel_op_t op, size_t d, size_t nq, size_t nx, int pat, int padded) {
    size_t padq = padded ? 3 : 0, padx = padded ? 5 : 0, pado = padded ? 2 : 0;
    cand_t c;
    cand_make(&c, elem, nx, d, padx, pat);
    size_t qbytes, ldq = d + padq, ldo = nx + pado;
    float *q = queries_make(nq, d, ldq, pat, &qbytes);
    size_t obytes = ((nq - 1) * ldo + nx) * 4;
    float *out = galloc(obytes), *outs = galloc(obytes);
    const float sentinel = -12345.0f;
    for (size_t i = 0; i < (nq - 1) * ldo + nx; ++i) out[i] = outs[i] = sentinel;
    char name[64], sname[64];
    snprintf(name, sizeof name, "%s block %s %s", K->name, elem_names[elem], op_names[op]);
    snprintf(sname, sizeof sname, "scalar block %s %s", elem_names[elem], op_names[op]);
    snprintf(current, sizeof current, "%s d=%zu nq=%zu nx=%zu %s%s", name, d, nq, nx,
             pat_names[pat], padded ? " strided" : "");
    K->block[elem][op](q, nq, ldq, c.x, nx, c.ld, d, c.lo, c.scale, out, ldo);
    S->block[elem][op](q, nq, ldq, c.x, nx, c.ld, d, c.lo, c.scale, outs, ldo);
    for (size_t i = 0; i < nq; ++i) {
        for (size_t j = 0; j < nx; ++j) {
            double T, D;
            double ref = ref_op(op, q + i * ldq, c.xd + j * d, c.xe + j * d, d, &T, &D);
            double tol = pat == PAT_EXACT ? 0.0 : bound(d, T, D);
            double got = out[i * ldo + j], sgot = outs[i * ldo + j];
            record(name, got, ref, tol, U * T + D, "%s i=%zu j=%zu scalar=%.9g", current, i, j,
                   sgot);
            record(sname, sgot, ref, tol, U * T + D, "%s i=%zu j=%zu", current, i, j);
            /* both within the bound of ref, so within twice the bound of each other */
            char vs[80];
            snprintf(vs, sizeof vs, "%s vs scalar", name);
            record(vs, got, sgot, 2 * tol, U * T + D, "%s i=%zu j=%zu", current, i, j);
        }
        for (size_t j = nx; i + 1 < nq && j < ldo; ++j) { /* row padding untouched */
            char pn[80];
            snprintf(pn, sizeof pn, "%s output padding", K->name);
            record(pn, fbits(out[i * ldo + j]), fbits(sentinel), 0, 0, "%s i=%zu j=%zu",
                   current, i, j);
        }
    }
    gfree(q, qbytes), gfree(out, obytes), gfree(outs, obytes);
    cand_free(&c);
}

/* NaN / inf in a candidate: SIMD and scalar must agree on the class of the result. */
static void test_block_nonfinite(const accel_kernels_t *K, const accel_kernels_t *S,
                                 accel_elem_t elem, accel_op_t op, size_t d) {
    size_t nx = 6;
    cand_t c;
    cand_make(&c, elem, nx, d, 0, PAT_UNIFORM);
    size_t qbytes;
    float *q = queries_make(1, d, d, PAT_UNIFORM, &qbytes);
    for (size_t j = 0; j < nx; ++j) { /* candidate j: one special value at a random k */
        size_t k = (size_t)irange(0, (int)d - 1);
        float special = j % 3 == 0 ? NAN : j % 3 == 1 ? INFINITY : -INFINITY;
        if (elem == ACCEL_F32)
            ((float *)c.x)[j * d + k] = special;
        else
            ((uint16_t *)c.x)[j * d + k] = j % 3 == 0 ? 0x7e00 : j % 3 == 1 ? 0x7c00 : 0xfc00;
    }
    float out[6], outs[6];
    char name[64];
    snprintf(name, sizeof name, "%s block %s %s nan/inf", K->name, elem_names[elem],
             op_names[op]);
    snprintf(current, sizeof current, "%s d=%zu", name, d);
    K->block[elem][op](q, 1, d, c.x, nx, d, d, NULL, NULL, out, nx);
    S->block[elem][op](q, 1, d, c.x, nx, d, d, NULL, NULL, outs, nx);
    for (size_t j = 0; j < nx; ++j) {
        int a = fpclassify(out[j]), b = fpclassify(outs[j]);
        int same = a == b && (a != FP_INFINITE || out[j] == outs[j]);
        record(name, same ? 0 : 1, 0, 0, 0, "%s j=%zu got %g scalar %g", current, j, out[j],
               outs[j]);
    }
    gfree(q, qbytes);
    cand_free(&c);
}

/* --------------------------------------------------- other table entries */

static void test_f16(const accel_kernels_t *K) {
    char name[64];
    /* f16 -> f32: all 65536 patterns, bit-exact against the compiler's _Float16
     * (NaN: only "is NaN, same sign"). */
    uint16_t *h = galloc(65536 * 2);
    float *f = galloc(65536 * 4);
    for (uint32_t i = 0; i < 65536; ++i) h[i] = (uint16_t)i;
    snprintf(name, sizeof name, "%s f16_to_f32 (all 65536)", K->name);
    snprintf(current, sizeof current, "%s", name);
    K->f16_to_f32(h, f, 65536);
    for (uint32_t i = 0; i < 65536; ++i) {
        double ref = h2d(h[i]);
        int ok = isnan(ref) ? isnan(f[i]) && !signbit(f[i]) == !signbit(ref)
                            : fbits(f[i]) == fbits((float)ref);
        record(name, ok ? 0 : 1, 0, 0, 0, "h=0x%04x got 0x%08x", i, fbits(f[i]));
    }
    /* f32 -> f16: every f16 value, the f32 neighbours (+-1, +-2 ulp) of it, every
     * rounding midpoint between consecutive f16 values and its neighbours, and random
     * bit patterns; bit-exact against (_Float16)x, NaN only as NaN. */
    size_t n = 65536 * 5 + 65536 * 3 + 1000000;
    float *x = galloc(n * 4);
    uint16_t *out = galloc(n * 2);
    size_t m = 0;
    for (uint32_t i = 0; i < 65536; ++i) {
        float v = (float)h2d((uint16_t)i);
        if (isnan(v)) v = bitsf(0x7fc00000u | (i & 0x3ff) << 13 | (i & 0x8000u) << 16);
        uint32_t b = fbits(v);
        for (int dlt = -2; dlt <= 2; ++dlt) x[m++] = bitsf(b + (uint32_t)dlt);
        if ((i & 0x7fff) < 0x7bff) { /* midpoint to the next f16 of larger magnitude */
            double next = h2d((uint16_t)(i + 1));
            float mid = (float)((h2d((uint16_t)i) + next) / 2); /* exact in f32 */
            for (int dlt = -1; dlt <= 1; ++dlt) x[m++] = bitsf(fbits(mid) + (uint32_t)dlt);
        }
    }
    while (m < n) x[m++] = bitsf((uint32_t)rnd());
    snprintf(name, sizeof name, "%s f32_to_f16", K->name);
    snprintf(current, sizeof current, "%s", name);
    K->f32_to_f16(x, out, m);
    for (size_t i = 0; i < m; ++i) {
        uint16_t ref = f2h(x[i]);
        int ok = isnan(x[i]) ? (out[i] & 0x7c00) == 0x7c00 && (out[i] & 0x3ff) != 0
                             : out[i] == ref;
        record(name, ok ? 0 : 1, 0, 0, 0, "x=%a (0x%08x) got 0x%04x ref 0x%04x", (double)x[i],
               fbits(x[i]), out[i], ref);
    }
    gfree(h, 65536 * 2), gfree(f, 65536 * 4), gfree(x, n * 4), gfree(out, n * 2);
}

static void test_sq8(const accel_kernels_t *K, size_t d) {
    size_t n = 5;
    char name[64];
    float *lo = galloc(d * 4), *scale = galloc(d * 4), *inv = galloc(d * 4);
    float *x = galloc(n * d * 4), *dec = galloc(n * d * 4);
    uint8_t *codes = galloc(n * d);
    for (size_t k = 0; k < d; ++k) {
        lo[k] = -1.0f - (float)unif();
        scale[k] = (2.0f + (float)unif()) / 255.0f;
        inv[k] = 1.0f / scale[k];
    }
    for (size_t i = 0; i < n * d; ++i) x[i] = 4.0f * sym(); /* some clamp at 0 and 255 */
    snprintf(name, sizeof name, "%s sq8_encode", K->name);
    snprintf(current, sizeof current, "%s d=%zu", name, d);
    int fin = K->sq8_encode(x, n, d, lo, inv, codes);
    record(name, fin, 1, 0, 0, "%s finite flag", current);
    for (size_t i = 0; i < n * d; ++i) {
        size_t k = i % d;
        double v = ((double)x[i] - lo[k]) * inv[k];
        double cl = v < 0 ? 0 : v > 255 ? 255 : v;
        /* round to nearest of the float32 value of v, which is within 4u|v| of v */
        record(name, codes[i], cl, 0.5 + 4 * U * fabs(v), 0, "%s i=%zu x=%g", current, i,
               (double)x[i]);
    }
    if (d > 0) {
        x[(n * d) / 2] = NAN;
        record(name, K->sq8_encode(x, n, d, lo, inv, codes), 0, 0, 0, "%s NaN flag", current);
        x[(n * d) / 2] = -INFINITY;
        record(name, K->sq8_encode(x, n, d, lo, inv, codes), 0, 0, 0, "%s inf flag", current);
    }
    for (size_t i = 0; i < n * d; ++i) codes[i] = (uint8_t)rnd();
    snprintf(name, sizeof name, "%s sq8_decode", K->name);
    snprintf(current, sizeof current, "%s d=%zu", name, d);
    K->sq8_decode(codes, n, d, lo, scale, dec);
    for (size_t i = 0; i < n * d; ++i) {
        size_t k = i % d;
        double sc = (double)scale[k] * codes[i], ref = lo[k] + sc;
        double tol = 2 * U * (fabs(lo[k]) + fabs(sc));
        record(name, dec[i], ref, tol, U * (fabs(lo[k]) + fabs(sc)), "%s i=%zu", current, i);
    }
    gfree(lo, d * 4), gfree(scale, d * 4), gfree(inv, d * 4), gfree(x, n * d * 4),
        gfree(dec, n * d * 4), gfree(codes, n * d);
}

static void test_binary(const accel_kernels_t *K, size_t d) {
    size_t n = 4, nb = (d + 7) / 8;
    char name[64];
    float *x = galloc(n * d * 4);
    uint8_t *bits = galloc(n * nb);
    for (size_t i = 0; i < n * d; ++i) x[i] = rnd() % 7 == 0 ? 0.0f : sym(); /* 0 -> bit 0 */
    snprintf(name, sizeof name, "%s binary_quantize", K->name);
    snprintf(current, sizeof current, "%s d=%zu", name, d);
    record(name, K->binary_quantize(x, n, d, bits), 1, 0, 0, "%s finite flag", current);
    for (size_t i = 0; i < n; ++i)
        for (size_t b = 0; b < nb; ++b) {
            unsigned ref = 0;
            for (size_t t = 0; t < 8; ++t) {
                size_t k = b * 8 + t;
                if (k < d && x[i * d + k] > 0.0f) ref |= 0x80u >> t;
            }
            record(name, bits[i * nb + b], ref, 0, 0, "%s row %zu byte %zu", current, i, b);
        }
    if (d > 0) {
        x[d / 2] = INFINITY;
        record(name, K->binary_quantize(x, n, d, bits), 0, 0, 0, "%s inf flag", current);
    }
    gfree(x, n * d * 4), gfree(bits, n * nb);
}

static void test_hamming(const accel_kernels_t *K, const accel_kernels_t *S, size_t nbytes) {
    size_t na = 3, nb = 9, ldo = nb + 1;
    char name[64];
    uint8_t *a = galloc(na * nbytes), *b = galloc(nb * nbytes);
    float out[3 * 10], outs[3 * 10];
    for (size_t i = 0; i < na * nbytes; ++i) a[i] = (uint8_t)rnd();
    for (size_t i = 0; i < nb * nbytes; ++i) b[i] = (uint8_t)rnd();
    if (nbytes) memcpy(b, a, nbytes), memset(b + nbytes, 0xff, nbytes); /* distance 0, dense */
    snprintf(name, sizeof name, "%s hamming", K->name);
    snprintf(current, sizeof current, "%s nbytes=%zu", name, nbytes);
    K->hamming(a, na, b, nb, nbytes, out, ldo);
    S->hamming(a, na, b, nb, nbytes, outs, ldo);
    for (size_t i = 0; i < na; ++i)
        for (size_t j = 0; j < nb; ++j) {
            unsigned ref = 0;
            for (size_t t = 0; t < nbytes; ++t)
                ref += (unsigned)__builtin_popcount(a[i * nbytes + t] ^ b[j * nbytes + t]);
            record(name, out[i * ldo + j], ref, 0, 0, "%s i=%zu j=%zu", current, i, j);
            record(name, outs[i * ldo + j], ref, 0, 0, "scalar %s i=%zu j=%zu", current, i, j);
        }
    gfree(a, na * nbytes), gfree(b, nb * nbytes);
}

/* rabitq_scan: per query and code, the sum of lut[p][nibble p] over positions, exact
 * (worst: every entry 255, past the uint16 flush at 256 positions). */
static void test_rabitq_scan(const accel_kernels_t *K, const accel_kernels_t *S, size_t npos,
                             size_t nblocks, size_t nq, int worst) {
    char name[64];
    size_t nl = nq * npos * 16, nc = nblocks * npos * 16, no = nq * nblocks * 32;
    uint8_t *luts = galloc(nl), *codes = galloc(nc);
    float *out = galloc(no * 4), *outs = galloc(no * 4);
    for (size_t i = 0; i < nl; ++i) luts[i] = worst ? 255 : (uint8_t)rnd();
    for (size_t i = 0; i < nc; ++i) codes[i] = (uint8_t)rnd();
    snprintf(name, sizeof name, "%s rabitq_scan", K->name);
    snprintf(current, sizeof current, "%s npos=%zu blocks=%zu nq=%zu", name, npos, nblocks, nq);
    K->rabitq_scan(luts, nq, codes, nblocks, npos, out, nblocks * 32);
    S->rabitq_scan(luts, nq, codes, nblocks, npos, outs, nblocks * 32);
    for (size_t i = 0; i < nq; ++i)
        for (size_t c = 0; c < nblocks * 32; ++c) {
            unsigned ref = 0;
            for (size_t p = 0; p < npos; ++p) {
                uint8_t byte = codes[((c / 32) * npos + p) * 16 + c % 16];
                ref += luts[(i * npos + p) * 16 + (c % 32 < 16 ? byte & 15 : byte >> 4)];
            }
            record(name, out[i * nblocks * 32 + c], ref, 0, 0, "%s i=%zu c=%zu", current, i, c);
            record(name, outs[i * nblocks * 32 + c], ref, 0, 0, "scalar %s i=%zu c=%zu", current,
                   i, c);
        }
    gfree(luts, nl), gfree(codes, nc), gfree(out, no * 4), gfree(outs, no * 4);
}

/* dot_packed: queries packed d x nqp (zero columns past nq), results candidate-major.
 * Every (i, j) against a double reference; padded columns must come out exactly 0. */
static void test_dot_packed(const accel_kernels_t *K, size_t nq, size_t nx, size_t d) {
    size_t nqp = (nq + 15) / 16 * 16, ldo = nqp;
    char name[64];
    float *qt = galloc(d * nqp * sizeof(float) + 64), *x = galloc(nx * d * sizeof(float));
    float *out = galloc(nx * ldo * sizeof(float));
    float *q = (float *)(((uintptr_t)qt + 63) & ~(uintptr_t)63); /* the kernels need 64 */
    for (size_t k = 0; k < d; ++k)
        for (size_t i = 0; i < nqp; ++i) q[k * nqp + i] = i < nq ? (float)(unif() * 2 - 1) : 0.0f;
    for (size_t i = 0; i < nx * d; ++i) x[i] = (float)(unif() * 2 - 1);
    snprintf(name, sizeof name, "%s dot_packed", K->name);
    K->dot_packed(q, nqp, x, nx, d, d, out, ldo);
    for (size_t j = 0; j < nx; ++j)
        for (size_t i = 0; i < nqp; ++i) {
            double ref = 0.0, T = 0.0;
            for (size_t k = 0; k < d; ++k) {
                double t = (double)q[k * nqp + i] * x[j * d + k];
                ref += t, T += fabs(t);
            }
            record(name, out[j * ldo + i], ref, i < nq ? bound(d, T, 0) : 0.0, U * T,
                   "nq=%zu nx=%zu d=%zu i=%zu j=%zu", nq, nx, d, i, j);
        }
    gfree(qt, d * nqp * sizeof(float) + 64), gfree(x, nx * d * sizeof(float));
    gfree(out, nx * ldo * sizeof(float));
}

/* sq8_dot_packed: uint8 codes x int8 queries packed 4 dimensions x nqp per group; the
 * int32 sums must be exact (no tolerance), padded query columns exactly 0.  `extreme`
 * fills codes with 255 and queries with -128 (the largest magnitude the layout holds). */
static void test_sq8_dot_packed(const accel_kernels_t *K, size_t nq, size_t nx, size_t d,
                                int extreme) {
    if (!K->sq8_dot_packed) return; /* this level keeps the f32 path (no VNNI) */
    size_t nqp = (nq + 15) / 16 * 16, ldo = nqp, dp = (d + 3) / 4 * 4;
    char name[64];
    int8_t *qt = galloc(dp * nqp + 64);
    uint8_t *x = galloc(nx * d + 1); /* the guard page follows the last row's last byte */
    int32_t *out = galloc(nx * ldo * sizeof(int32_t));
    int8_t *q = (int8_t *)(((uintptr_t)qt + 63) & ~(uintptr_t)63);
    memset(q, 0, dp * nqp);
    for (size_t k = 0; k < d; ++k)
        for (size_t i = 0; i < nq; ++i)
            q[(k / 4) * 4 * nqp + 4 * i + k % 4] = extreme ? -128 : (int8_t)irange(-128, 127);
    x += 1; /* odd address: rows at any alignment */
    for (size_t i = 0; i < nx * d; ++i) x[i] = extreme ? 255 : (uint8_t)irange(0, 255);
    snprintf(name, sizeof name, "%s sq8_dot_packed", K->name);
    K->sq8_dot_packed(q, nqp, x, nx, d, d, out, ldo);
    for (size_t j = 0; j < nx; ++j)
        for (size_t i = 0; i < nqp; ++i) {
            int64_t ref = 0;
            for (size_t k = 0; k < d; ++k)
                ref += (int64_t)x[j * d + k] * q[(k / 4) * 4 * nqp + 4 * i + k % 4];
            record(name, out[j * ldo + i], (double)ref, 0.0, 0.0,
                   "nq=%zu nx=%zu d=%zu i=%zu j=%zu", nq, nx, d, i, j);
        }
    gfree(qt, dp * nqp + 64), gfree(x - 1, nx * d + 1);
    gfree(out, nx * ldo * sizeof(int32_t));
}

static void test_pq(const accel_kernels_t *K, size_t m, size_t ksub, size_t dsub) {
    size_t n = 37, d = m * dsub;
    char name[64];
    /* pq_assign: argmin over centroids; a different pick is fine only if its exact
     * distance is within the float32 error of the best one. */
    float *x = galloc(n * d * 4), *cent = galloc(m * ksub * dsub * 4);
    float *ct = galloc(dsub * ksub * 4), *cn = galloc(ksub * 4);
    uint8_t *codes = galloc(n * m);
    for (size_t i = 0; i < n * d; ++i) x[i] = sym();
    for (size_t i = 0; i < m * ksub * dsub; ++i) cent[i] = sym();
    snprintf(name, sizeof name, "%s pq_assign", K->name);
    snprintf(current, sizeof current, "%s m=%zu ksub=%zu dsub=%zu", name, m, ksub, dsub);
    for (size_t s = 0; s < m; ++s) {
        const float *c = cent + s * ksub * dsub;
        for (size_t j = 0; j < ksub; ++j) {
            double nn = 0;
            for (size_t k = 0; k < dsub; ++k) {
                ct[k * ksub + j] = -2.0f * c[j * dsub + k];
                nn += (double)c[j * dsub + k] * c[j * dsub + k];
            }
            cn[j] = (float)nn;
        }
        K->pq_assign(x + s * dsub, n, d, dsub, ct, cn, ksub, codes + s, m);
        for (size_t i = 0; i < n; ++i) {
            double best = INFINITY, picked = 0, T = 0;
            for (size_t j = 0; j < ksub; ++j) {
                double dist = 0, t = cn[j];
                for (size_t k = 0; k < dsub; ++k) {
                    double diff = (double)x[i * d + s * dsub + k] - c[j * dsub + k];
                    dist += diff * diff;
                    t += 2 * fabs((double)x[i * d + s * dsub + k] * c[j * dsub + k]);
                }
                if (dist < best) best = dist;
                if (j == codes[i * m + s]) picked = dist;
                if (t > T) T = t;
            }
            /* both candidates' keys |c|^2 - 2 x.c carry (dsub + 8) u T of error */
            record(name, picked, best, 2 * bound(dsub, T, 0) + 2 * U * T, U * T,
                   "%s s=%zu i=%zu code=%u", current, s, i, codes[i * m + s]);
        }
    }
    /* pq_adc: out[j] = sum_s lut[s][codes[j][s]] */
    float *lut = galloc(m * ksub * 4), *out = galloc(n * 4);
    for (size_t i = 0; i < m * ksub; ++i) lut[i] = 4.0f * (float)unif();
    for (size_t i = 0; i < n * m; ++i) codes[i] = (uint8_t)(rnd() % ksub);
    snprintf(name, sizeof name, "%s pq_adc", K->name);
    snprintf(current, sizeof current, "%s m=%zu ksub=%zu", name, m, ksub);
    K->pq_adc(lut, m, ksub, codes, n, out);
    for (size_t j = 0; j < n; ++j) {
        double ref = 0, T = 0;
        for (size_t s = 0; s < m; ++s) ref += lut[s * ksub + codes[j * m + s]];
        T = ref; /* all terms positive */
        record(name, out[j], ref, bound(m, T, 0), U * T, "%s j=%zu", current, j);
    }
    /* accel_pq_accumulate (portable, table-independent): double sums, exact here */
    double *sums = calloc(m * ksub * dsub, sizeof(double));
    int64_t *counts = calloc(m * ksub, sizeof(int64_t));
    double *rs = calloc(m * ksub * dsub, sizeof(double));
    int64_t *rc = calloc(m * ksub, sizeof(int64_t));
    accel_pq_accumulate(x, n, d, codes, m, ksub, sums, counts);
    for (size_t i = 0; i < n; ++i)
        for (size_t s = 0; s < m; ++s) {
            size_t cc = s * ksub + codes[i * m + s];
            rc[cc]++;
            for (size_t k = 0; k < dsub; ++k) rs[cc * dsub + k] += x[i * d + s * dsub + k];
        }
    int same = memcmp(counts, rc, m * ksub * sizeof(int64_t)) == 0;
    for (size_t i = 0; i < m * ksub * dsub; ++i) same &= sums[i] == rs[i];
    record("pq_accumulate", same, 1, 0, 0, "m=%zu ksub=%zu dsub=%zu", m, ksub, dsub);
    free(sums), free(counts), free(rs), free(rc);
    gfree(x, n * d * 4), gfree(cent, m * ksub * dsub * 4), gfree(ct, dsub * ksub * 4),
        gfree(cn, ksub * 4), gfree(codes, n * m), gfree(lut, m * ksub * 4), gfree(out, n * 4);
}

/* ----------------------------------------------------- scan driver (search.c) */

/* Reference metric value and its tolerance for query q vs decoded candidate x. */
static double ref_metric(accel_metric_t metric, const float *q, const double *x, const double *e,
                         size_t d, double *tol, double *unit) {
    double T, D;
    switch (metric) {
    case ACCEL_METRIC_L1: {
        double r = ref_op(ACCEL_L1, q, x, e, d, &T, &D);
        *tol = bound(d, T, D), *unit = U * T + D;
        return r;
    }
    case ACCEL_METRIC_IP: {
        double r = ref_op(ACCEL_DOT, q, x, e, d, &T, &D);
        *tol = bound(d, T, D), *unit = U * T + D;
        return -r;
    }
    case ACCEL_METRIC_COSINE: {
        double qq = 0, xx = 0, xe = 0;
        double dot = ref_op(ACCEL_DOT, q, x, e, d, &T, &D);
        for (size_t k = 0; k < d; ++k) qq += (double)q[k] * q[k], xx += x[k] * x[k];
        for (size_t k = 0; k < d; ++k) xe += (2 * fabs(x[k]) + e[k]) * e[k];
        double qn = sqrt(qq), xn = sqrt(xx);
        if (qn == 0 || xn == 0) { /* defined as exactly 1 */
            *tol = 0, *unit = 0;
            return 1.0;
        }
        /* dot error / (|q||x|), plus the norms' relative error times |cos| <= 1 */
        *tol = bound(d, T, D) / (qn * xn) + bound(d, xx, xe) / xx + (double)(d + 16) * U;
        *unit = (U * T + D) / (qn * xn);
        return 1.0 - dot / (qn * xn);
    }
    default: {
        double r = ref_op(ACCEL_L2SQ, q, x, e, d, &T, &D), b = bound(d, T, D);
        *unit = U * T + D;
        if (metric == ACCEL_METRIC_SQEUCLIDEAN) {
            *tol = b;
            return r;
        }
        double s = sqrt(r);
        /* |sqrt(a) - sqrt(r)| <= min(sqrt|a - r|, |a - r| / sqrt(r)), + final rounding */
        *tol = (s > 0 ? fmin(sqrt(b), b / s) : sqrt(b)) + 2 * U * s;
        *unit = s > 0 ? (U * T + D) / s : 0;
        return s;
    }
    }
}

static void test_scan(const accel_kernels_t *K, accel_elem_t elem, accel_metric_t metric,
                      size_t d, size_t nq, size_t nx, size_t k) {
    cand_t c;
    cand_make(&c, elem, nx, d, 0, PAT_UNIFORM);
    if (nx > 2 && d > 0) { /* a zero candidate (cosine: distance 1) */
        memset((char *)c.x + elem_bytes[elem] * d, 0, elem_bytes[elem] * d);
        for (size_t t = 0; t < d; ++t) {
            if (elem == ACCEL_SQ8) { /* code 0 decodes to lo; make lo + 0 the stored row */
                c.xd[d + t] = c.lo[t], c.xe[d + t] = 2 * U * fabs(c.lo[t]);
            } else {
                c.xd[d + t] = 0, c.xe[d + t] = 0;
            }
        }
    }
    size_t qbytes;
    float *q = queries_make(nq, d, d, PAT_UNIFORM, &qbytes);
    accel_scan_t s = {.k = K, .kind = ACCEL_SCAN_VECTORS, .elem = elem, .metric = metric, .q = q, .x = c.x,
                      .nq = nq, .nx = nx, .d = d, .row_bytes = d * elem_bytes[elem],
                      .lo = c.lo, .scale = c.scale};
    double *ref = malloc(nq * nx * sizeof(double)), *tol = malloc(nq * nx * sizeof(double));
    double *unit = malloc(nq * nx * sizeof(double));
    for (size_t i = 0; i < nq; ++i)
        for (size_t j = 0; j < nx; ++j)
            ref[i * nx + j] = ref_metric(metric, q + i * d, c.xd + j * d, c.xe + j * d, d,
                                         &tol[i * nx + j], &unit[i * nx + j]);
    char name[96];
    snprintf(name, sizeof name, "%s scan distances %s %s", K->name, elem_names[elem],
             metric_names[metric]);
    snprintf(current, sizeof current, "%s d=%zu nq=%zu nx=%zu", name, d, nq, nx);
    float *out = galloc(nq * nx * 4);
    accel_status_t st = accel_scan_distances(&s, out);
    record(name, st, ACCEL_OK, 0, 0, "%s status", current);
    for (size_t i = 0; i < nq * nx; ++i)
        record(name, out[i], ref[i], tol[i], unit[i], "%s i=%zu j=%zu", current, i / nx, i % nx);
    gfree(out, nq * nx * 4);

    /* fused top-k: valid distinct indices, ascending, each distance right for its
     * index, and the t-th pick no worse than the true t-th best beyond tolerance */
    size_t kk = k < nx ? k : nx;
    snprintf(name, sizeof name, "%s scan topk %s %s", K->name, elem_names[elem],
             metric_names[metric]);
    snprintf(current, sizeof current, "%s d=%zu nq=%zu nx=%zu k=%zu", name, d, nq, nx, k);
    int64_t *idx = galloc(nq * kk * 8 + 8);
    float *dist = galloc(nq * kk * 4 + 4);
    st = accel_scan_topk(&s, k, idx, dist);
    record(name, st, ACCEL_OK, 0, 0, "%s status", current);
    double *sorted = malloc(nx * sizeof(double));
    char *seen = malloc(nx);
    for (size_t i = 0; i < nq; ++i) {
        double maxtol = 0;
        for (size_t j = 0; j < nx; ++j) {
            sorted[j] = ref[i * nx + j];
            if (tol[i * nx + j] > maxtol) maxtol = tol[i * nx + j];
        }
        for (size_t a = 1; a < nx; ++a) /* insertion sort, nx is small */
            for (size_t b = a; b > 0 && sorted[b] < sorted[b - 1]; --b) {
                double t = sorted[b];
                sorted[b] = sorted[b - 1], sorted[b - 1] = t;
            }
        memset(seen, 0, nx);
        for (size_t t = 0; t < kk; ++t) {
            int64_t j = idx[i * kk + t];
            int valid = j >= 0 && (size_t)j < nx && !seen[j];
            record(name, valid, 1, 0, 0, "%s i=%zu t=%zu idx=%lld", current, i, t, (long long)j);
            if (!valid) continue;
            seen[j] = 1;
            record(name, dist[i * kk + t], ref[i * nx + j], tol[i * nx + j], unit[i * nx + j],
                   "%s i=%zu t=%zu idx=%lld", current, i, t, (long long)j);
            if (t > 0)
                record(name, dist[i * kk + t] >= dist[i * kk + t - 1], 1, 0, 0,
                       "%s ascending i=%zu t=%zu", current, i, t);
            record(name, fmax(ref[i * nx + j] - sorted[t], 0), 0, 2 * maxtol, 0,
                   "%s rank i=%zu t=%zu idx=%lld", current, i, t, (long long)j);
        }
    }
    free(sorted), free(seen), free(ref), free(tol), free(unit);
    gfree(idx, nq * kk * 8 + 8), gfree(dist, nq * kk * 4 + 4);
    gfree(q, qbytes);
    cand_free(&c);
}

static void test_scan_hamming_pq(const accel_kernels_t *K) {
    /* hamming kind: scan distances against byte popcounts */
    size_t nq = 3, nx = 300, nbytes = 48;
    uint8_t *a = galloc(nq * nbytes), *b = galloc(nx * nbytes);
    for (size_t i = 0; i < nq * nbytes; ++i) a[i] = (uint8_t)rnd();
    for (size_t i = 0; i < nx * nbytes; ++i) b[i] = (uint8_t)rnd();
    float *out = galloc(nq * nx * 4);
    accel_scan_t s = {.k = K, .kind = ACCEL_SCAN_HAMMING, .q = a, .x = b, .nq = nq, .nx = nx, .row_bytes = nbytes};
    char name[64];
    snprintf(name, sizeof name, "%s scan hamming", K->name);
    snprintf(current, sizeof current, "%s", name);
    record(name, accel_scan_distances(&s, out), ACCEL_OK, 0, 0, "status");
    for (size_t i = 0; i < nq; ++i)
        for (size_t j = 0; j < nx; ++j) {
            unsigned ref = 0;
            for (size_t t = 0; t < nbytes; ++t)
                ref += (unsigned)__builtin_popcount(a[i * nbytes + t] ^ b[j * nbytes + t]);
            record(name, out[i * nx + j], ref, 0, 0, "i=%zu j=%zu", i, j);
        }
    gfree(a, nq * nbytes), gfree(b, nx * nbytes), gfree(out, nq * nx * 4);

    /* PQ ADC kind */
    size_t m = 8, ksub = 256;
    float *lut = galloc(nq * m * ksub * 4);
    uint8_t *codes = galloc(nx * m);
    for (size_t i = 0; i < nq * m * ksub; ++i) lut[i] = (float)unif();
    for (size_t i = 0; i < nx * m; ++i) codes[i] = (uint8_t)rnd();
    out = galloc(nq * nx * 4);
    accel_scan_t p = {.k = K, .kind = ACCEL_SCAN_PQ, .q = lut, .x = codes, .nq = nq, .nx = nx,
                      .row_bytes = m, .m = m, .ksub = ksub};
    snprintf(name, sizeof name, "%s scan pq_adc", K->name);
    snprintf(current, sizeof current, "%s", name);
    record(name, accel_scan_distances(&p, out), ACCEL_OK, 0, 0, "status");
    for (size_t i = 0; i < nq; ++i)
        for (size_t j = 0; j < nx; ++j) {
            double ref = 0;
            for (size_t t = 0; t < m; ++t) ref += lut[(i * m + t) * ksub + codes[j * m + t]];
            record(name, out[i * nx + j], ref, bound(m, ref, 0), U * ref, "i=%zu j=%zu", i, j);
        }
    gfree(lut, nq * m * ksub * 4), gfree(codes, nx * m), gfree(out, nq * nx * 4);
}

/* ------------------------------------------------------------------ main */

static const char *slot_source(const accel_kernels_t *K, const accel_kernels_t *S, int slot) {
    const void *a, *b;
    switch (slot) {
    case 0: a = (const void *)K->hamming, b = (const void *)S->hamming; break;
    case 1: a = (const void *)K->f32_to_f16, b = (const void *)S->f32_to_f16; break;
    case 2: a = (const void *)K->f16_to_f32, b = (const void *)S->f16_to_f32; break;
    case 3: a = (const void *)K->sq8_decode, b = (const void *)S->sq8_decode; break;
    case 4: a = (const void *)K->sq8_encode, b = (const void *)S->sq8_encode; break;
    case 5: a = (const void *)K->binary_quantize, b = (const void *)S->binary_quantize; break;
    case 6: a = (const void *)K->pq_assign, b = (const void *)S->pq_assign; break;
    default: a = (const void *)K->pq_adc, b = (const void *)S->pq_adc; break;
    }
    return a == b ? "scalar" : "own";
}

static void test_level(const accel_kernels_t *K, const accel_kernels_t *S) {
    static const char *const slots[] = {"hamming",    "f32_to_f16",      "f16_to_f32",
                                        "sq8_decode", "sq8_encode",      "binary_quantize",
                                        "pq_assign",  "pq_adc"};
    printf("== level %s: block[3][3] own", K->name);
    for (int e = 0; e < ACCEL_ELEM_COUNT; ++e)
        for (int o = 0; o < ACCEL_OP_COUNT; ++o)
            if (K->block[e][o] == S->block[e][o])
                printf(" (block %s %s is scalar's)", elem_names[e], op_names[o]);
    for (int i = 0; i < 8; ++i) printf(", %s %s", slots[i], slot_source(K, S, i));
    printf("\n");

    static const size_t dims[] = {0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 100, 384, 1000};
    static const size_t shapes[][2] = {{1, 1}, {1, 4}, {2, 7}, {3, 9}, {1, 13}};
    for (int e = 0; e < ACCEL_ELEM_COUNT; ++e)
        for (int o = 0; o < ACCEL_OP_COUNT; ++o)
            for (size_t di = 0; di < sizeof dims / sizeof dims[0]; ++di)
                for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; ++si)
                    for (int pat = 0; pat < PAT_COUNT; ++pat)
                        for (int padded = 0; padded < 2; ++padded)
                            test_block(K, S, (accel_elem_t)e, (accel_op_t)o, dims[di],
                                       shapes[si][0], shapes[si][1], pat, padded);
    static const size_t nf_dims[] = {1, 3, 4, 7, 16, 17, 100};
    for (int e = 0; e < 2; ++e)
        for (int o = 0; o < ACCEL_OP_COUNT; ++o)
            for (size_t di = 0; di < sizeof nf_dims / sizeof nf_dims[0]; ++di)
                test_block_nonfinite(K, S, (accel_elem_t)e, (accel_op_t)o, nf_dims[di]);

    test_f16(K);
    static const size_t qdims[] = {0, 1, 3, 4, 7, 8, 9, 16, 17, 100, 384, 1000};
    for (size_t di = 0; di < sizeof qdims / sizeof qdims[0]; ++di) {
        test_sq8(K, qdims[di]);
        test_binary(K, qdims[di]);
    }
    static const size_t hbytes[] = {0, 1, 3, 7, 8, 9, 15, 16, 17, 32, 48, 125};
    for (size_t i = 0; i < sizeof hbytes / sizeof hbytes[0]; ++i) test_hamming(K, S, hbytes[i]);
    static const size_t rq[][3] = {{1, 1, 1}, {2, 3, 2}, {17, 2, 1}, {192, 4, 3}, {255, 1, 1},
                                   {256, 1, 2}, {257, 2, 1}, {600, 2, 2}};
    for (size_t i = 0; i < sizeof rq / sizeof rq[0]; ++i)
        test_rabitq_scan(K, S, rq[i][0], rq[i][1], rq[i][2], 0);
    test_rabitq_scan(K, S, 600, 1, 1, 1);
    /* {m, ksub, dsub}; ksub = 2^nbits with 4 <= nbits <= 8 (AVX kernels need 8 | ksub) */
    static const size_t pq[][3] = {{1, 16, 1}, {3, 16, 3}, {8, 256, 4}, {17, 256, 7}, {4, 32, 16}};
    for (size_t i = 0; i < sizeof pq / sizeof pq[0]; ++i) test_pq(K, pq[i][0], pq[i][1], pq[i][2]);

    static const size_t pk[][3] = {{1, 1, 1},   {8, 5, 3},     {16, 25, 17}, {17, 13, 33},
                                   {32, 12, 7},  {33, 30, 100}, {64, 7, 384}, {5, 50, 2},
                                   {8, 53, 31},  {12, 27, 9},   {24, 49, 16}, {40, 30, 5},
                                   {56, 25, 33}, {9, 3, 1}};
    for (size_t i = 0; i < sizeof pk / sizeof pk[0]; ++i)
        test_dot_packed(K, pk[i][0], pk[i][1], pk[i][2]);
    /* int8: every d % 4 tail, the 2 x 12 / 1 x 24 tiles and their remainders */
    static const size_t ik[][3] = {{1, 1, 1},   {8, 5, 3},     {16, 25, 17},  {17, 13, 33},
                                   {32, 12, 6}, {33, 30, 100}, {64, 7, 384},  {5, 50, 2},
                                   {32, 37, 4}, {48, 49, 769}, {16, 24, 768}, {40, 11, 5}};
    for (size_t i = 0; i < sizeof ik / sizeof ik[0]; ++i)
        test_sq8_dot_packed(K, ik[i][0], ik[i][1], ik[i][2], 0);
    test_sq8_dot_packed(K, 16, 3, ACCEL_I8_MAX_D, 1); /* the largest sums: no overflow */
    test_sq8_dot_packed(K, 32, 13, 1001, 1);

    static const size_t sdims[] = {1, 3, 4, 7, 16, 17, 100, 384, 1000};
    static const size_t sq[] = {1, 5, 9}; /* 5: decode-once + expanded l2; 9: packed kernel */
    for (int e = 0; e < ACCEL_ELEM_COUNT; ++e)
        for (int mt = 0; mt < ACCEL_METRIC_COUNT; ++mt)
            for (size_t di = 0; di < sizeof sdims / sizeof sdims[0]; ++di)
                for (size_t qi = 0; qi < 3; ++qi)
                    test_scan(K, (accel_elem_t)e, (accel_metric_t)mt, sdims[di], sq[qi],
                              sdims[di] >= 384 ? 150 : 300, qi ? 10 : 3);
    test_scan_hamming_pq(K);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if a guard page is hit */
    page = (size_t)sysconf(_SC_PAGESIZE);
    if (argc > 1) rng_state = strtoull(argv[1], NULL, 0);
    printf("seed %#llx\n", (unsigned long long)rng_state);
    signal(SIGSEGV, on_fault);
    signal(SIGBUS, on_fault);
    signal(SIGTRAP, on_fault);
    signal(SIGILL, on_fault);
    signal(SIGFPE, on_fault);

    const accel_kernels_t *S = accel_kernels(ACCEL_LEVEL_SCALAR);
    accel_level_t best = accel_best_level();
    printf("best level: %s; supported:", accel_level_name(best));
    for (int l = 0; l < ACCEL_LEVEL_COUNT; ++l)
        if (accel_level_supported((accel_level_t)l))
            printf(" %s", accel_level_name((accel_level_t)l));
    printf("\n");
#if defined(__aarch64__)
    record("dispatch", best == ACCEL_LEVEL_NEON && accel_kernels(ACCEL_LEVEL_NEON) &&
                           !accel_kernels(ACCEL_LEVEL_AVX2) && !accel_kernels(ACCEL_LEVEL_AVX512),
           1, 0, 0, "aarch64 must pick neon and nothing x86");
#endif
    for (int l = 0; l < ACCEL_LEVEL_COUNT; ++l)
        record("dispatch", accel_level_from_name(accel_level_name((accel_level_t)l)), l, 0, 0,
               "level name round trip %d", l);

    /* scalar table itself on this target (the reference the SIMD paths are held to) */
    test_f16(S);
    int levels = 0;
    for (int l = 1; l < ACCEL_LEVEL_COUNT; ++l) {
        const accel_kernels_t *K = accel_kernels((accel_level_t)l);
        if (!K) continue;
        ++levels;
        test_level(K, S);
    }
    if (!levels) printf("no SIMD level on this build/CPU: only the scalar table was checked\n");

    printf("\nerr = |got - ref|; uT+D = u * sum|exact terms| + propagated SQ8 decode error;\n"
           "tol = (d + 8) u (T + D) + D, the worst-case float32 bound (0: must be exact)\n");
    printf("%-40s %9s %6s %11s %13s %10s\n", "check", "count", "fail", "max err",
           "max err/(uT+D)", "max err/tol");
    for (int i = 0; i < nstats; ++i)
        printf("%-40s %9ld %6ld %11.3g %13.3g %10.3g\n", stats[i].name, stats[i].checks,
               stats[i].fails, stats[i].max_err, stats[i].max_ratio, stats[i].max_frac);
    printf("\n%ld passed, %ld failed\n", total_checks - total_fails, total_fails);
    return total_fails ? 1 : 0;
}
