/* CPython glue for accel._kernels: one keyword-only entry point per operation.
 *
 * This layer owns memory safety: every array is taken through the buffer
 * protocol with its format, shape and C-contiguity checked against what the
 * kernel will index (nothing trusts a size passed separately), and every value
 * used as an index (PQ codes) is range-checked, so no call from Python can read
 * or write out of bounds.  accel/__init__.py converts user input to these
 * layouts and raises the friendlier errors; this layer raises TypeError (wrong
 * dtype) or ValueError (wrong shape, layout or value) naming the argument. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>

#include "accel.h"

static const accel_kernels_t *current;

typedef struct {
    Py_buffer view;
    int held;
} buf_t;

enum { MAX_BUFS = 6 };

/* The buffers of one call, released together. */
typedef struct {
    buf_t b[MAX_BUFS];
    int n;
} bufs_t;

static void release_all(bufs_t *all) {
    for (int i = 0; i < all->n; ++i)
        if (all->b[i].held) PyBuffer_Release(&all->b[i].view);
    all->n = 0;
}

/* Format code of a native-order buffer element, or 0 if the format is foreign. */
static char format_code(const Py_buffer *v) {
    const char *f = v->format ? v->format : "B";
    if (*f == '@' || *f == '=') ++f;
#if PY_LITTLE_ENDIAN
    if (*f == '<') ++f;
#else
    if (*f == '>' || *f == '!') ++f;
#endif
    return f[0] != '\0' && f[1] == '\0' ? f[0] : 0;
}

typedef enum { T_F32, T_F16, T_U8, T_F64, T_I64 } dtype_t;
static const char *const dtype_names[] = {"float32", "float16", "uint8", "float64", "int64"};

static int format_is(const Py_buffer *v, dtype_t t) {
    char c = format_code(v);
    switch (t) {
    case T_F32: return c == 'f' && v->itemsize == 4;
    case T_F16: return c == 'e' && v->itemsize == 2;
    case T_U8: return c == 'B' && v->itemsize == 1;
    case T_F64: return c == 'd' && v->itemsize == 8;
    default: return (c == 'q' || c == 'l') && v->itemsize == 8;
    }
}

/* Borrow obj as a C-contiguous array of dtype `t` with `ndim` dimensions (ndim < 0: any). */
static buf_t *array(bufs_t *all, PyObject *obj, const char *name, dtype_t t, int ndim,
                    int writable) {
    buf_t *b = &all->b[all->n++];
    b->held = 0;
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a %s array, got %s", name, dtype_names[t],
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &b->view, flags) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s: expected a C-contiguous%s %s array", name,
                     writable ? ", writable" : "", dtype_names[t]);
        return NULL;
    }
    b->held = 1;
    if (!format_is(&b->view, t)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a %s array, got buffer format '%s'", name,
                     dtype_names[t], b->view.format ? b->view.format : "B");
        return NULL;
    }
    if (ndim >= 0 && b->view.ndim != ndim) {
        PyErr_Format(PyExc_ValueError, "%s: expected %d dimensions, got %d", name, ndim,
                     b->view.ndim);
        return NULL;
    }
    return b;
}

/* NULL for None, else like array(). `*ok` is cleared on error. */
static buf_t *optional_array(bufs_t *all, PyObject *obj, const char *name, dtype_t t, int ndim,
                             int writable, int *ok) {
    if (obj == NULL || obj == Py_None) return NULL;
    buf_t *b = array(all, obj, name, t, ndim, writable);
    if (!b) *ok = 0;
    return b;
}

static size_t dim(const buf_t *b, int axis) { return (size_t)b->view.shape[axis]; }

/* Check b's shape against `ndim` expected extents. */
static int shape_is(const buf_t *b, const char *name, int ndim, const size_t *want) {
    int same = b->view.ndim == ndim;
    for (int i = 0; same && i < ndim; ++i) same = dim(b, i) == want[i];
    if (same) return 1;
    char got[96] = "", exp[96] = "";
    for (int i = 0; i < b->view.ndim && i < 4; ++i)
        PyOS_snprintf(got + strlen(got), sizeof got - strlen(got), "%s%zd", i ? ", " : "",
                      b->view.shape[i]);
    for (int i = 0; i < ndim; ++i)
        PyOS_snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%s%zu", i ? ", " : "",
                      want[i]);
    PyErr_Format(PyExc_ValueError, "%s: expected shape (%s), got (%s)", name, exp, got);
    return 0;
}

/* The largest byte in a buffer (PQ codes must index inside their tables). */
static unsigned max_byte(const uint8_t *p, size_t n) {
    unsigned m = 0;
    for (size_t i = 0; i < n; ++i) m = p[i] > m ? p[i] : m;
    return m;
}

static int codes_below(const buf_t *codes, size_t ksub, const char *name) {
    if (ksub >= 256) return 1;
    unsigned top;
    Py_BEGIN_ALLOW_THREADS
    top = max_byte((const uint8_t *)codes->view.buf, (size_t)codes->view.len);
    Py_END_ALLOW_THREADS
    if (top < ksub) return 1;
    PyErr_Format(PyExc_ValueError, "%s: code %u out of range for %zu centroids", name, top, ksub);
    return 0;
}

static PyObject *status_result(accel_status_t st) {
    if (st == ACCEL_ERR_NOMEM) return PyErr_NoMemory();
    if (st == ACCEL_ERR_NONFINITE) {
        PyErr_SetString(PyExc_ValueError,
                        "non-finite distance: the input contains nan or inf "
                        "(or values so large that float32 overflows to inf)");
        return NULL;
    }
    Py_RETURN_NONE;
}

/* k: None (distance matrix) or an int >= 0 (fused top-k, min(k, nx) per query). */
static int parse_k(PyObject *ko, Py_ssize_t *k) {
    *k = -1;
    if (ko == NULL || ko == Py_None) return 1;
    *k = PyLong_AsSsize_t(ko);
    if (*k == -1 && PyErr_Occurred()) return 0;
    if (*k < 0) {
        PyErr_SetString(PyExc_ValueError, "k: must be None or >= 0");
        return 0;
    }
    return 1;
}

/* Keyword-only arguments are all optional to PyArg_ParseTupleAndKeywords (its "$"
 * needs "|"): the required ones are checked here, up to four (name, value) pairs,
 * unused names NULL. */
static int required(const char *fn, const char *n1, PyObject *v1, const char *n2, PyObject *v2,
                    const char *n3, PyObject *v3, const char *n4, PyObject *v4) {
    const char *names[] = {n1, n2, n3, n4};
    PyObject *values[] = {v1, v2, v3, v4};
    for (int i = 0; i < 4; ++i)
        if (names[i] && !values[i]) {
            PyErr_Format(PyExc_TypeError, "%s() missing required keyword argument '%s'", fn,
                         names[i]);
            return 0;
        }
    return 1;
}

/* Checks the outputs of a scan of nq queries over nx candidates and runs it. */
static PyObject *run_scan(accel_scan_t *s, bufs_t *all, Py_ssize_t k, PyObject *outo,
                          PyObject *idxo) {
    size_t kk = k < 0 ? 0 : ((size_t)k < s->nx ? (size_t)k : s->nx);
    buf_t *out = array(all, outo, "out", T_F32, 2, 1);
    if (!out || !shape_is(out, "out", 2, (size_t[]){s->nq, k < 0 ? s->nx : kk})) return NULL;
    buf_t *idx = NULL;
    if (k >= 0) {
        if (!(idx = array(all, idxo, "out_indices", T_I64, 2, 1)) ||
            !shape_is(idx, "out_indices", 2, (size_t[]){s->nq, kk}))
            return NULL;
    } else if (idxo != NULL && idxo != Py_None) {
        PyErr_SetString(PyExc_ValueError, "out_indices: only with k (top-k)");
        return NULL;
    }
    accel_status_t st;
    Py_BEGIN_ALLOW_THREADS
    st = k < 0 ? accel_scan_distances(s, (float *)out->view.buf)
               : accel_scan_topk(s, (size_t)k, (int64_t *)idx->view.buf, (float *)out->view.buf);
    Py_END_ALLOW_THREADS
    return status_result(st);
}

static PyObject *py_scan_vectors(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *names[] = {"queries", "candidates", "metric", "lo",  "scale",
                            "k",       "out",        "out_indices", NULL};
    PyObject *qo = NULL, *xo = NULL, *loo = NULL, *sco = NULL, *ko = NULL, *outo = NULL,
             *idxo = NULL;
    int metric = INT_MIN;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOiOOOOO:scan_vectors", names, &qo, &xo,
                                     &metric, &loo, &sco, &ko, &outo, &idxo))
        return NULL;
    if (!required("scan_vectors", "queries", qo, "candidates", xo, "out", outo, "metric",
                  metric == INT_MIN ? NULL : Py_None))
        return NULL;
    Py_ssize_t k;
    if (!parse_k(ko, &k)) return NULL;
    if (metric < 0 || metric >= ACCEL_METRIC_COUNT) {
        PyErr_Format(PyExc_ValueError, "metric: %d is not an accel._kernels.Metric", metric);
        return NULL;
    }
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *q = array(&all, qo, "queries", T_F32, 2, 0), *x = NULL, *lo = NULL, *scale = NULL;
    if (!q) goto done;
    /* the candidates' dtype selects the encoding: float32, float16 or uint8 SQ8 codes */
    if (PyObject_CheckBuffer(xo)) {
        Py_buffer probe;
        if (PyObject_GetBuffer(xo, &probe, PyBUF_FORMAT | PyBUF_STRIDES) == 0) {
            char c = format_code(&probe);
            PyBuffer_Release(&probe);
            dtype_t t = c == 'e' ? T_F16 : c == 'B' ? T_U8 : T_F32;
            x = array(&all, xo, "candidates", t, 2, 0);
        } else {
            PyErr_Clear();
        }
    }
    if (!x && !PyErr_Occurred()) x = array(&all, xo, "candidates", T_F32, 2, 0);
    if (!x) goto done;
    size_t d = dim(q, 1), nx = dim(x, 0);
    if (d == 0) {
        PyErr_SetString(PyExc_ValueError, "queries: dimension must be at least 1");
        goto done;
    }
    accel_elem_t elem = format_is(&x->view, T_F16) ? ACCEL_F16
                        : format_is(&x->view, T_U8) ? ACCEL_SQ8
                                                    : ACCEL_F32;
    if (dim(x, 1) != d) {
        PyErr_Format(PyExc_ValueError, "candidates: dimension %zu does not match the queries' %zu",
                     dim(x, 1), d);
        goto done;
    }
    int ok = 1;
    lo = optional_array(&all, loo, "lo", T_F32, 1, 0, &ok);
    scale = ok ? optional_array(&all, sco, "scale", T_F32, 1, 0, &ok) : NULL;
    if (!ok) goto done;
    if (elem == ACCEL_SQ8) {
        if (!lo || !scale) {
            PyErr_SetString(PyExc_ValueError, "lo, scale: required with uint8 (SQ8) candidates");
            goto done;
        }
        if (!shape_is(lo, "lo", 1, &d) || !shape_is(scale, "scale", 1, &d)) goto done;
    } else if (lo || scale) {
        PyErr_SetString(PyExc_ValueError, "lo, scale: only with uint8 (SQ8) candidates");
        goto done;
    }
    accel_scan_t s = {.k = current, .kind = ACCEL_SCAN_VECTORS, .elem = elem,
                      .metric = (accel_metric_t)metric, .q = q->view.buf, .x = x->view.buf,
                      .nq = dim(q, 0), .nx = nx, .d = d,
                      .row_bytes = d * (size_t)x->view.itemsize,
                      .lo = lo ? lo->view.buf : NULL, .scale = scale ? scale->view.buf : NULL};
    res = run_scan(&s, &all, k, outo, idxo);
done:
    release_all(&all);
    return res;
}

static PyObject *py_scan_hamming(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *names[] = {"queries", "codes", "k", "out", "out_indices", NULL};
    PyObject *qo = NULL, *xo = NULL, *ko = NULL, *outo = NULL, *idxo = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOOOO:scan_hamming", names, &qo, &xo, &ko,
                                     &outo, &idxo))
        return NULL;
    if (!required("scan_hamming", "queries", qo, "codes", xo, "out", outo, NULL, NULL))
        return NULL;
    Py_ssize_t k;
    if (!parse_k(ko, &k)) return NULL;
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *q = array(&all, qo, "queries", T_U8, 2, 0), *x = NULL;
    if (!q || !(x = array(&all, xo, "codes", T_U8, 2, 0))) goto done;
    size_t nbytes = dim(q, 1);
    if (!shape_is(x, "codes", 2, (size_t[]){dim(x, 0), nbytes})) goto done;
    accel_scan_t s = {.k = current, .kind = ACCEL_SCAN_HAMMING, .q = q->view.buf,
                      .x = x->view.buf, .nq = dim(q, 0), .nx = dim(x, 0), .row_bytes = nbytes};
    res = run_scan(&s, &all, k, outo, idxo);
done:
    release_all(&all);
    return res;
}

static PyObject *py_scan_pq(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *names[] = {"luts", "codes", "k", "out", "out_indices", NULL};
    PyObject *lo = NULL, *xo = NULL, *ko = NULL, *outo = NULL, *idxo = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOOOO:scan_pq", names, &lo, &xo, &ko, &outo,
                                     &idxo))
        return NULL;
    if (!required("scan_pq", "luts", lo, "codes", xo, "out", outo, NULL, NULL)) return NULL;
    Py_ssize_t k;
    if (!parse_k(ko, &k)) return NULL;
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *luts = array(&all, lo, "luts", T_F32, 3, 0), *x = NULL;
    if (!luts || !(x = array(&all, xo, "codes", T_U8, 2, 0))) goto done;
    size_t m = dim(luts, 1), ksub = dim(luts, 2);
    if (!shape_is(x, "codes", 2, (size_t[]){dim(x, 0), m})) goto done;
    if (ksub == 0 || ksub > 256) {
        PyErr_Format(PyExc_ValueError, "luts: %zu entries per table, expected 1 to 256", ksub);
        goto done;
    }
    if (!codes_below(x, ksub, "codes")) goto done;
    accel_scan_t s = {.k = current, .kind = ACCEL_SCAN_PQ, .q = luts->view.buf, .x = x->view.buf,
                      .nq = dim(luts, 0), .nx = dim(x, 0), .row_bytes = m, .m = m, .ksub = ksub};
    res = run_scan(&s, &all, k, outo, idxo);
done:
    release_all(&all);
    return res;
}

/* to_f16(x=, out=) / from_f16(x=, out=): any shape, out the same shape. */
static PyObject *f16_convert(PyObject *args, PyObject *kw, int to_half) {
    static char *names[] = {"x", "out", NULL};
    PyObject *xo = NULL, *outo = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, to_half ? "|$OO:to_f16" : "|$OO:from_f16", names,
                                     &xo, &outo))
        return NULL;
    if (!required(to_half ? "to_f16" : "from_f16", "x", xo, "out", outo, NULL, NULL, NULL, NULL))
        return NULL;
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *x = array(&all, xo, "x", to_half ? T_F32 : T_F16, -1, 0), *out = NULL;
    if (!x || !(out = array(&all, outo, "out", to_half ? T_F16 : T_F32, -1, 1))) goto done;
    size_t want[64];
    for (int i = 0; i < x->view.ndim && i < 64; ++i) want[i] = dim(x, i);
    if (!shape_is(out, "out", x->view.ndim, want)) goto done;
    size_t n = (size_t)x->view.len / (size_t)x->view.itemsize;
    const accel_kernels_t *t = current;
    Py_BEGIN_ALLOW_THREADS
    if (to_half)
        t->f32_to_f16((const float *)x->view.buf, (uint16_t *)out->view.buf, n);
    else
        t->f16_to_f32((const uint16_t *)x->view.buf, (float *)out->view.buf, n);
    Py_END_ALLOW_THREADS
    res = Py_None;
    Py_INCREF(res);
done:
    release_all(&all);
    return res;
}

static PyObject *py_to_f16(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    return f16_convert(args, kw, 1);
}

static PyObject *py_from_f16(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    return f16_convert(args, kw, 0);
}

static PyObject *nonfinite_input(void) {
    PyErr_SetString(PyExc_ValueError, "x: contains nan or inf (nan and inf are not allowed)");
    return NULL;
}

static PyObject *py_sq8_encode(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *names[] = {"x", "lo", "inv_scale", "out", NULL};
    PyObject *xo = NULL, *loo = NULL, *ino = NULL, *outo = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOOO:sq8_encode", names, &xo, &loo, &ino, &outo))
        return NULL;
    if (!required("sq8_encode", "x", xo, "lo", loo, "inv_scale", ino, "out", outo)) return NULL;
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *x = array(&all, xo, "x", T_F32, 2, 0), *lo = NULL, *inv = NULL, *out = NULL;
    if (!x) goto done;
    size_t n = dim(x, 0), d = dim(x, 1);
    if (!(lo = array(&all, loo, "lo", T_F32, 1, 0)) || !shape_is(lo, "lo", 1, &d) ||
        !(inv = array(&all, ino, "inv_scale", T_F32, 1, 0)) ||
        !shape_is(inv, "inv_scale", 1, &d) || !(out = array(&all, outo, "out", T_U8, 2, 1)) ||
        !shape_is(out, "out", 2, (size_t[]){n, d}))
        goto done;
    int finite;
    const accel_kernels_t *t = current;
    Py_BEGIN_ALLOW_THREADS
    finite = t->sq8_encode(x->view.buf, n, d, lo->view.buf, inv->view.buf, out->view.buf);
    Py_END_ALLOW_THREADS
    res = finite ? (Py_INCREF(Py_None), Py_None) : nonfinite_input();
done:
    release_all(&all);
    return res;
}

static PyObject *py_sq8_decode(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *names[] = {"codes", "lo", "scale", "out", NULL};
    PyObject *co = NULL, *loo = NULL, *sco = NULL, *outo = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOOO:sq8_decode", names, &co, &loo, &sco, &outo))
        return NULL;
    if (!required("sq8_decode", "codes", co, "lo", loo, "scale", sco, "out", outo)) return NULL;
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *c = array(&all, co, "codes", T_U8, 2, 0), *lo = NULL, *sc = NULL, *out = NULL;
    if (!c) goto done;
    size_t n = dim(c, 0), d = dim(c, 1);
    if (!(lo = array(&all, loo, "lo", T_F32, 1, 0)) || !shape_is(lo, "lo", 1, &d) ||
        !(sc = array(&all, sco, "scale", T_F32, 1, 0)) || !shape_is(sc, "scale", 1, &d) ||
        !(out = array(&all, outo, "out", T_F32, 2, 1)) ||
        !shape_is(out, "out", 2, (size_t[]){n, d}))
        goto done;
    const accel_kernels_t *t = current;
    Py_BEGIN_ALLOW_THREADS
    t->sq8_decode(c->view.buf, n, d, lo->view.buf, sc->view.buf, out->view.buf);
    Py_END_ALLOW_THREADS
    res = Py_None;
    Py_INCREF(res);
done:
    release_all(&all);
    return res;
}

static PyObject *py_binary_quantize(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *names[] = {"x", "out", NULL};
    PyObject *xo = NULL, *outo = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OO:binary_quantize", names, &xo, &outo))
        return NULL;
    if (!required("binary_quantize", "x", xo, "out", outo, NULL, NULL, NULL, NULL)) return NULL;
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *x = array(&all, xo, "x", T_F32, 2, 0), *out = NULL;
    if (!x) goto done;
    size_t n = dim(x, 0), d = dim(x, 1);
    if (!(out = array(&all, outo, "out", T_U8, 2, 1)) ||
        !shape_is(out, "out", 2, (size_t[]){n, (d + 7) / 8}))
        goto done;
    int finite;
    const accel_kernels_t *t = current;
    Py_BEGIN_ALLOW_THREADS
    finite = t->binary_quantize(x->view.buf, n, d, out->view.buf);
    Py_END_ALLOW_THREADS
    res = finite ? (Py_INCREF(Py_None), Py_None) : nonfinite_input();
done:
    release_all(&all);
    return res;
}

/* pq_encode(x=(n, d), centroids_t=(m, dsub, ksub), norms=(m, ksub), out=(n, m)): the
 * centroids transposed per subspace and scaled by -2, their squared norms. */
static PyObject *py_pq_encode(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *names[] = {"x", "centroids_t", "norms", "out", NULL};
    PyObject *xo = NULL, *cto = NULL, *cno = NULL, *outo = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOOO:pq_encode", names, &xo, &cto, &cno, &outo))
        return NULL;
    if (!required("pq_encode", "x", xo, "centroids_t", cto, "norms", cno, "out", outo)) return NULL;
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *x = array(&all, xo, "x", T_F32, 2, 0), *ct = NULL, *cn = NULL, *out = NULL;
    if (!x || !(ct = array(&all, cto, "centroids_t", T_F32, 3, 0))) goto done;
    size_t n = dim(x, 0), d = dim(x, 1), m = dim(ct, 0), dsub = dim(ct, 1), ksub = dim(ct, 2);
    if (m == 0 || dsub == 0 || m * dsub != d) {
        PyErr_Format(PyExc_ValueError, "centroids_t: %zu subspaces x %zu dims do not cover x's %zu",
                     m, dsub, d);
        goto done;
    }
    if (ksub == 0 || ksub > 256 || ksub % 16) {
        PyErr_Format(PyExc_ValueError, "centroids_t: %zu centroids, expected 16 to 256 in steps of 16",
                     ksub);
        goto done;
    }
    if (!(cn = array(&all, cno, "norms", T_F32, 2, 0)) ||
        !shape_is(cn, "norms", 2, (size_t[]){m, ksub}) ||
        !(out = array(&all, outo, "out", T_U8, 2, 1)) || !shape_is(out, "out", 2, (size_t[]){n, m}))
        goto done;
    const accel_kernels_t *t = current;
    const float *xp = x->view.buf, *ctp = ct->view.buf, *cnp = cn->view.buf;
    uint8_t *op = out->view.buf;
    /* Row blocks that stay in L2 while every subspace visits them: subspace-major
     * over all rows would stream x from memory once per pair of subspaces. */
    const size_t rows = 128;
    Py_BEGIN_ALLOW_THREADS
    for (size_t i = 0; i < n; i += rows) {
        size_t nb = n - i < rows ? n - i : rows;
        for (size_t s = 0; s < m; ++s)
            t->pq_assign(xp + i * d + s * dsub, nb, d, dsub, ctp + s * dsub * ksub,
                         cnp + s * ksub, ksub, op + i * m + s, m);
    }
    Py_END_ALLOW_THREADS
    res = Py_None;
    Py_INCREF(res);
done:
    release_all(&all);
    return res;
}

/* pq_accumulate(x=(n, d), codes=(n, m), sums=(m, ksub, dsub) float64, counts=(m, ksub)
 * int64): k-means sums and counts per centroid, added to. */
static PyObject *py_pq_accumulate(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *names[] = {"x", "codes", "sums", "counts", NULL};
    PyObject *xo = NULL, *co = NULL, *so = NULL, *no = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOOO:pq_accumulate", names, &xo, &co, &so, &no))
        return NULL;
    if (!required("pq_accumulate", "x", xo, "codes", co, "sums", so, "counts", no)) return NULL;
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *x = array(&all, xo, "x", T_F32, 2, 0), *c = NULL, *sums = NULL, *counts = NULL;
    if (!x || !(c = array(&all, co, "codes", T_U8, 2, 0)) ||
        !(sums = array(&all, so, "sums", T_F64, 3, 1)))
        goto done;
    size_t n = dim(x, 0), d = dim(x, 1), m = dim(sums, 0), ksub = dim(sums, 1),
           dsub = dim(sums, 2);
    if (m == 0 || m * dsub != d || ksub == 0 || ksub > 256) {
        PyErr_Format(PyExc_ValueError,
                     "sums: shape (%zu, %zu, %zu) does not fit x's dimension %zu "
                     "(m * dsub == d, 1 <= ksub <= 256)", m, ksub, dsub, d);
        goto done;
    }
    if (!shape_is(c, "codes", 2, (size_t[]){n, m}) ||
        !(counts = array(&all, no, "counts", T_I64, 2, 1)) ||
        !shape_is(counts, "counts", 2, (size_t[]){m, ksub}) || !codes_below(c, ksub, "codes"))
        goto done;
    Py_BEGIN_ALLOW_THREADS
    accel_pq_accumulate(x->view.buf, n, d, c->view.buf, m, ksub, sums->view.buf,
                        counts->view.buf);
    Py_END_ALLOW_THREADS
    res = Py_None;
    Py_INCREF(res);
done:
    release_all(&all);
    return res;
}

static PyObject *py_simd_level(PyObject *self, PyObject *unused) {
    (void)self, (void)unused;
    return PyUnicode_FromString(current->name);
}

static PyObject *py_supported_levels(PyObject *self, PyObject *unused) {
    (void)self, (void)unused;
    PyObject *out = PyList_New(0);
    for (int i = 0; out && i < ACCEL_LEVEL_COUNT; ++i) {
        if (!accel_level_supported((accel_level_t)i)) continue;
        PyObject *name = PyUnicode_FromString(accel_level_name((accel_level_t)i));
        if (!name || PyList_Append(out, name) < 0) Py_CLEAR(out);
        Py_XDECREF(name);
    }
    return out;
}

static PyObject *py_set_level(PyObject *self, PyObject *arg) {
    (void)self;
    const char *name = PyUnicode_AsUTF8(arg);
    if (!name) return NULL;
    int level = accel_level_from_name(name);
    if (level < 0) return PyErr_Format(PyExc_ValueError, "unknown SIMD level %R", arg);
    const accel_kernels_t *t = accel_kernels((accel_level_t)level);
    if (!t) return PyErr_Format(PyExc_ValueError, "this CPU cannot run SIMD level %R", arg);
    current = t;
    Py_RETURN_NONE;
}

#define KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS
static PyMethodDef methods[] = {
    {"scan_vectors", KW(py_scan_vectors),
     "Distances (k=None) or fused top-k: float32 queries x float32/float16/SQ8 candidates."},
    {"scan_hamming", KW(py_scan_hamming), "Hamming distances or top-k between packed bit codes."},
    {"scan_pq", KW(py_scan_pq), "PQ asymmetric distances or top-k from per-query tables."},
    {"to_f16", KW(py_to_f16), "float32 -> float16 bits, any shape."},
    {"from_f16", KW(py_from_f16), "float16 -> float32, any shape."},
    {"sq8_encode", KW(py_sq8_encode), "SQ8 codes of float32 rows."},
    {"sq8_decode", KW(py_sq8_decode), "float32 rows of SQ8 codes."},
    {"binary_quantize", KW(py_binary_quantize), "Sign bits packed like numpy.packbits."},
    {"pq_encode", KW(py_pq_encode), "Nearest PQ centroid per subspace."},
    {"pq_accumulate", KW(py_pq_accumulate), "k-means sums and counts per centroid."},
    {"simd_level", py_simd_level, METH_NOARGS, "Name of the kernel table in use."},
    {"supported_levels", py_supported_levels, METH_NOARGS, "Levels this CPU can run."},
    {"set_level", py_set_level, METH_O, "Select a kernel table by name."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "accel._kernels",
                                    "SIMD distance, top-k and quantization kernels.", -1, methods,
                                    NULL, NULL, NULL, NULL};

typedef struct {
    const char *name, *text;
} member_t;

/* module.<cls> = enum.IntEnum(cls, {NAME: value}); module.<cls>_NAMES = {value: "text"}. */
static int add_enum(PyObject *mod, PyObject *int_enum, const char *cls, const member_t *members,
                    int count) {
    PyObject *values = PyDict_New(), *texts = PyDict_New(), *e = NULL;
    int ok = values && texts;
    for (int i = 0; ok && i < count; ++i) {
        PyObject *v = PyLong_FromLong(i), *t = PyUnicode_FromString(members[i].text);
        ok = v && t && PyDict_SetItemString(values, members[i].name, v) == 0 &&
             PyDict_SetItem(texts, v, t) == 0;
        Py_XDECREF(v), Py_XDECREF(t);
    }
    if (ok) e = PyObject_CallFunction(int_enum, "sO", cls, values);
    PyObject *modname = ok && e ? PyModule_GetNameObject(mod) : NULL;
    ok = modname && PyObject_SetAttrString(e, "__module__", modname) == 0;
    Py_XDECREF(modname);
    char texts_name[64];
    PyOS_snprintf(texts_name, sizeof texts_name, "%s_NAMES", cls);
    if (ok) ok = PyModule_AddObjectRef(mod, cls, e) == 0 &&
                 PyModule_AddObjectRef(mod, texts_name, texts) == 0;
    Py_XDECREF(values), Py_XDECREF(texts), Py_XDECREF(e);
    return ok ? 0 : -1;
}

#define MEMBER(NAME, TEXT) {#NAME, TEXT},
static const member_t metrics[] = {ACCEL_METRICS(MEMBER)};
static const member_t encodings[] = {ACCEL_ENCODINGS(MEMBER)};
static const member_t levels[] = {ACCEL_LEVELS(MEMBER)};
#undef MEMBER

PyMODINIT_FUNC PyInit__kernels(void) {
    current = accel_kernels(accel_best_level());
    PyObject *mod = PyModule_Create(&module), *enum_mod = NULL, *int_enum = NULL;
    if (!mod || !(enum_mod = PyImport_ImportModule("enum")) ||
        !(int_enum = PyObject_GetAttrString(enum_mod, "IntEnum")) ||
        add_enum(mod, int_enum, "Metric", metrics, ACCEL_METRIC_COUNT) < 0 ||
        add_enum(mod, int_enum, "Encoding", encodings, ACCEL_ELEM_COUNT) < 0 ||
        add_enum(mod, int_enum, "Level", levels, ACCEL_LEVEL_COUNT) < 0 ||
        PyModule_AddObject(mod, "COSINE_MIN_SQNORM",
                           PyFloat_FromDouble(ACCEL_COSINE_MIN_SQNORM)) < 0)
        Py_CLEAR(mod);
    Py_XDECREF(enum_mod), Py_XDECREF(int_enum);
    return mod;
}
