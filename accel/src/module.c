/* CPython glue for accel._kernels: one keyword-only entry point per operation
 * (the scans here, the encoders in encode.c), the method table, the IntEnums.
 *
 * The boundary owns memory safety (boundary.c): every array is taken through
 * the buffer protocol with its format, shape and C-contiguity checked against
 * what the kernel will index (nothing trusts a size passed separately), and
 * every value used as an index (PQ codes) is range-checked, so no call from
 * Python can read or write out of bounds.  accel/__init__.py converts user
 * input to these layouts and raises the friendlier errors; this layer raises
 * TypeError (wrong dtype) or ValueError (wrong shape, layout or value) naming
 * the argument. */
#include <limits.h>

#include "boundary.h"

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
    accel_scan_t s = {.k = accel_current, .kind = ACCEL_SCAN_VECTORS, .elem = elem,
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
    accel_scan_t s = {.k = accel_current, .kind = ACCEL_SCAN_HAMMING, .q = q->view.buf,
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
    accel_scan_t s = {.k = accel_current, .kind = ACCEL_SCAN_PQ, .q = luts->view.buf, .x = x->view.buf,
                      .nq = dim(luts, 0), .nx = dim(x, 0), .row_bytes = m, .m = m, .ksub = ksub};
    res = run_scan(&s, &all, k, outo, idxo);
done:
    release_all(&all);
    return res;
}

/* RaBitQ lookup tables: (nq, npos, 16) uint8 with 1 <= npos <= 65536, so the table
 * sums (at most 255 * npos) stay exact in float32. */
static int rabitq_luts_ok(const buf_t *luts) {
    if (dim(luts, 1) != 0 && dim(luts, 1) <= 65536 && dim(luts, 2) == 16) return 1;
    PyErr_Format(PyExc_ValueError,
                 "luts: expected shape (nq, npos, 16) with 1 <= npos <= 65536, got "
                 "(%zu, %zu, %zu)", dim(luts, 0), dim(luts, 1), dim(luts, 2));
    return 0;
}

/* RaBitQ fast scan: luts (nq, npos, 16) uint8, codes (nblocks, npos, 16) uint8 in the
 * packed layout of rabitq.c, out (nq, 32 * nblocks) float32. */
static PyObject *py_rabitq_scan(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *names[] = {"luts", "codes", "out", NULL};
    PyObject *lo = NULL, *co = NULL, *outo = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOO:rabitq_scan", names, &lo, &co, &outo))
        return NULL;
    if (!required("rabitq_scan", "luts", lo, "codes", co, "out", outo, NULL, NULL)) return NULL;
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *luts = array(&all, lo, "luts", T_U8, 3, 0), *codes = NULL, *out = NULL;
    if (!luts || !(codes = array(&all, co, "codes", T_U8, 3, 0))) goto done;
    size_t nq = dim(luts, 0), npos = dim(luts, 1), nblocks = dim(codes, 0);
    if (!rabitq_luts_ok(luts)) goto done;
    if (!shape_is(codes, "codes", 3, (size_t[]){nblocks, npos, 16}) ||
        !(out = array(&all, outo, "out", T_F32, 2, 1)) ||
        !shape_is(out, "out", 2, (size_t[]){nq, 32 * nblocks}))
        goto done;
    Py_BEGIN_ALLOW_THREADS
    accel_current->rabitq_scan(luts->view.buf, nq, codes->view.buf, nblocks, npos,
                               out->view.buf, 32 * nblocks);
    Py_END_ALLOW_THREADS
    res = Py_None;
    Py_INCREF(res);
done:
    release_all(&all);
    return res;
}

/* RaBitQ estimator top-k: the scan's inputs, factors (2, n) float32 (scale; offset),
 * cluster (n,) uint8, queries (nq, 2 + clusters) float32 (a, b, |q - c|^2 per cluster),
 * out / out_indices (nq, k) for the k smallest estimates of n = cluster's length. */
static PyObject *py_rabitq_topk(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *names[] = {"luts", "codes", "factors", "cluster", "queries",
                            "k",    "out",   "out_indices", NULL};
    PyObject *lo = NULL, *co = NULL, *fo = NULL, *clo = NULL, *qo = NULL, *ko = NULL,
             *outo = NULL, *idxo = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOOOOOOO:rabitq_topk", names, &lo, &co, &fo,
                                     &clo, &qo, &ko, &outo, &idxo))
        return NULL;
    if (!required("rabitq_topk", "luts", lo, "codes", co, "factors", fo, "cluster", clo) ||
        !required("rabitq_topk", "queries", qo, "out", outo, "out_indices", idxo, "k",
                  ko == Py_None ? NULL : ko))
        return NULL;
    Py_ssize_t k;
    if (!parse_k(ko, &k)) return NULL;
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *luts = array(&all, lo, "luts", T_U8, 3, 0), *codes = NULL, *fac = NULL, *cl = NULL,
          *q = NULL, *out = NULL, *idx = NULL;
    if (!luts || !(codes = array(&all, co, "codes", T_U8, 3, 0)) ||
        !(cl = array(&all, clo, "cluster", T_U8, 1, 0)) ||
        !(fac = array(&all, fo, "factors", T_F32, 2, 0)) ||
        !(q = array(&all, qo, "queries", T_F32, 2, 0)))
        goto done;
    size_t nq = dim(luts, 0), npos = dim(luts, 1), n = dim(cl, 0), ldq = dim(q, 1);
    size_t nblocks = (n + 31) / 32, kk = (size_t)k;
    if (!rabitq_luts_ok(luts)) goto done;
    if (kk > n) {
        PyErr_Format(PyExc_ValueError, "k: %zu is more than the %zu codes", kk, n);
        goto done;
    }
    if (!shape_is(codes, "codes", 3, (size_t[]){nblocks, npos, 16}) ||
        !shape_is(fac, "factors", 2, (size_t[]){2, n}) ||
        !shape_is(q, "queries", 2, (size_t[]){nq, ldq < 3 ? 3 : ldq}) ||
        !codes_below(cl, ldq - 2, "cluster") ||
        !(out = array(&all, outo, "out", T_F32, 2, 1)) ||
        !shape_is(out, "out", 2, (size_t[]){nq, kk}) ||
        !(idx = array(&all, idxo, "out_indices", T_I64, 2, 1)) ||
        !shape_is(idx, "out_indices", 2, (size_t[]){nq, kk}))
        goto done;
    accel_status_t st;
    Py_BEGIN_ALLOW_THREADS
    st = accel_rabitq_topk(accel_current, luts->view.buf, nq, codes->view.buf, n, npos,
                           fac->view.buf, cl->view.buf, q->view.buf, ldq, kk,
                           idx->view.buf, out->view.buf);
    Py_END_ALLOW_THREADS
    res = status_result(st);
done:
    release_all(&all);
    return res;
}

/* RaBitQ's fast rotation: x (n, d) float32, signs (rounds, D) float32 with D >= d,
 * out (n, D) float32. */
static PyObject *py_fht_rotate(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *names[] = {"x", "signs", "out", NULL};
    PyObject *xo = NULL, *so = NULL, *outo = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOO:fht_rotate", names, &xo, &so, &outo))
        return NULL;
    if (!required("fht_rotate", "x", xo, "signs", so, "out", outo, NULL, NULL)) return NULL;
    bufs_t all = {.n = 0};
    PyObject *res = NULL;
    buf_t *x = array(&all, xo, "x", T_F32, 2, 0), *signs = NULL, *out = NULL;
    if (!x || !(signs = array(&all, so, "signs", T_F32, 2, 0))) goto done;
    size_t n = dim(x, 0), d = dim(x, 1), rounds = dim(signs, 0), D = dim(signs, 1);
    if (D == 0 || D < d) {
        PyErr_Format(PyExc_ValueError, "signs: %zu columns, expected at least x's %zu", D, d);
        goto done;
    }
    if (!(out = array(&all, outo, "out", T_F32, 2, 1)) ||
        !shape_is(out, "out", 2, (size_t[]){n, D}))
        goto done;
    Py_BEGIN_ALLOW_THREADS
    accel_fht_rotate(x->view.buf, n, d, D, signs->view.buf, rounds, out->view.buf);
    Py_END_ALLOW_THREADS
    res = Py_None;
    Py_INCREF(res);
done:
    release_all(&all);
    return res;
}

static PyObject *py_simd_level(PyObject *self, PyObject *unused) {
    (void)self, (void)unused;
    return PyUnicode_FromString(accel_current->name);
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
    accel_current = t;
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
    {"rabitq_scan", KW(py_rabitq_scan), "RaBitQ fast scan: lookup-table sums over packed codes."},
    {"rabitq_topk", KW(py_rabitq_topk), "RaBitQ estimator top-k over packed codes."},
    {"fht_rotate", KW(py_fht_rotate), "RaBitQ's fast random rotation (sign flips + Hadamard)."},
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
    accel_current = accel_kernels(accel_best_level());
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
