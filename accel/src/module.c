/* CPython glue for accel._kernels: buffers in, status codes out.  Shapes and
 * dtypes are validated by accel/__init__.py; this layer only re-checks buffer
 * sizes so a wrong call cannot read or write out of bounds. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "accel.h"

static const accel_kernels_t *current;

typedef struct {
    Py_buffer view;
    int held;
} buf_t;

/* Borrow obj's contiguous buffer and check it holds at least `need` bytes.
 * None is accepted (as "absent") only when need == 0. */
static int get_buf(PyObject *obj, size_t need, int writable, const char *name, buf_t *b) {
    b->held = 0;
    if (obj == Py_None && need == 0) return 1;
    if (PyObject_GetBuffer(obj, &b->view, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) < 0) return 0;
    b->held = 1;
    if ((size_t)b->view.len < need) {
        PyErr_Format(PyExc_ValueError, "%s: buffer has %zd bytes, %zu needed", name, b->view.len,
                     need);
        return 0;
    }
    return 1;
}

static void release(buf_t *bufs, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (bufs[i].held) PyBuffer_Release(&bufs[i].view);
}

static size_t mul(size_t a, size_t b, int *overflow) {
    size_t r;
    if (__builtin_mul_overflow(a, b, &r)) *overflow = 1;
    return r;
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

/* scan(kind, elem, metric, q, x, nq, nx, d, row_bytes, lo, scale, m, ksub, k, out_dist, out_idx)
 * k < 0: full distance matrix into out_dist; k >= 0: fused top-k. */
static PyObject *py_scan(PyObject *self, PyObject *args) {
    (void)self;
    int kind, elem, metric;
    PyObject *qo, *xo, *loo, *scaleo, *disto, *idxo;
    Py_ssize_t nq, nx, d, row_bytes, m, ksub, k;
    if (!PyArg_ParseTuple(args, "iiiOOnnnnOOnnnOO", &kind, &elem, &metric, &qo, &xo, &nq, &nx, &d,
                          &row_bytes, &loo, &scaleo, &m, &ksub, &k, &disto, &idxo))
        return NULL;
    if (kind < 0 || kind > 2 || elem < 0 || elem >= ACCEL_ELEM_COUNT || metric < 0 ||
        metric >= ACCEL_METRIC_COUNT || nq < 0 || nx < 0 || d < 0 || row_bytes < 0 || m < 0 ||
        ksub < 0) {
        PyErr_SetString(PyExc_ValueError, "scan: argument out of range");
        return NULL;
    }
    accel_scan_t s = {.k = current, .kind = kind, .elem = (accel_elem_t)elem,
                      .metric = (accel_metric_t)metric, .nq = (size_t)nq, .nx = (size_t)nx,
                      .d = (size_t)d, .row_bytes = (size_t)row_bytes, .m = (size_t)m,
                      .ksub = (size_t)ksub};
    int of = 0;
    size_t q_need = kind == 0 ? mul(mul(s.nq, s.d, &of), 4, &of)
                    : kind == 1 ? mul(s.nq, s.row_bytes, &of)
                                : mul(mul(s.nq, mul(s.m, s.ksub, &of), &of), 4, &of);
    size_t elem_bytes = elem == ACCEL_F32 ? 4 : elem == ACCEL_F16 ? 2 : 1;
    if (kind == 0 && s.row_bytes != s.d * elem_bytes) of = 1;
    if (kind == 2 && s.row_bytes != s.m) of = 1;
    size_t sq8_need = kind == 0 && elem == ACCEL_SQ8 ? mul(s.d, 4, &of) : 0;
    size_t kk = k < 0 ? 0 : ((size_t)k < s.nx ? (size_t)k : s.nx);
    size_t dist_need = k < 0 ? mul(mul(s.nq, s.nx, &of), 4, &of) : mul(mul(s.nq, kk, &of), 4, &of);
    size_t idx_need = k < 0 ? 0 : mul(mul(s.nq, kk, &of), 8, &of);
    if (of) {
        PyErr_SetString(PyExc_ValueError, "scan: inconsistent sizes");
        return NULL;
    }
    buf_t b[6];
    memset(b, 0, sizeof b);
    if (!get_buf(qo, q_need, 0, "queries", &b[0]) ||
        !get_buf(xo, mul(s.nx, s.row_bytes, &of), 0, "candidates", &b[1]) ||
        !get_buf(loo, sq8_need, 0, "lo", &b[2]) || !get_buf(scaleo, sq8_need, 0, "scale", &b[3]) ||
        !get_buf(disto, dist_need, 1, "out", &b[4]) ||
        !get_buf(idxo, idx_need, 1, "out_indices", &b[5])) {
        release(b, 6);
        return NULL;
    }
    s.q = b[0].view.buf;
    s.x = b[1].view.buf;
    s.lo = b[2].held ? (const float *)b[2].view.buf : NULL;
    s.scale = b[3].held ? (const float *)b[3].view.buf : NULL;
    accel_status_t st;
    Py_BEGIN_ALLOW_THREADS
    st = k < 0 ? accel_scan_distances(&s, (float *)b[4].view.buf)
               : accel_scan_topk(&s, (size_t)k, b[5].held ? (int64_t *)b[5].view.buf : NULL,
                                 (float *)b[4].view.buf);
    Py_END_ALLOW_THREADS
    release(b, 6);
    return status_result(st);
}

/* convert(kind, src, dst, n, d, lo, inv_scale): 0 f32->f16, 1 f16->f32, 2 SQ8 encode,
 * 3 binary quantize. */
static PyObject *py_convert(PyObject *self, PyObject *args) {
    (void)self;
    int kind;
    PyObject *so, *dsto, *loo, *invo;
    Py_ssize_t n, d;
    if (!PyArg_ParseTuple(args, "iOOnnOO", &kind, &so, &dsto, &n, &d, &loo, &invo)) return NULL;
    if (kind < 0 || kind > 3 || n < 0 || d < 0) {
        PyErr_SetString(PyExc_ValueError, "convert: argument out of range");
        return NULL;
    }
    int of = 0;
    size_t count = mul((size_t)n, (size_t)d, &of);
    static const size_t src_size[4] = {4, 2, 4, 4}, dst_size[4] = {2, 4, 1, 0};
    size_t dst_need = kind == 3 ? mul((size_t)n, ((size_t)d + 7) / 8, &of)
                                : mul(count, dst_size[kind], &of);
    size_t param_need = kind == 2 ? (size_t)d * 4 : 0;
    buf_t b[4];
    memset(b, 0, sizeof b);
    if (of || !get_buf(so, mul(count, src_size[kind], &of), 0, "x", &b[0]) ||
        !get_buf(dsto, dst_need, 1, "out", &b[1]) || !get_buf(loo, param_need, 0, "lo", &b[2]) ||
        !get_buf(invo, param_need, 0, "inv_scale", &b[3])) {
        if (of && !PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "convert: size overflow");
        release(b, 4);
        return NULL;
    }
    const accel_kernels_t *t = current;
    void *src = b[0].view.buf, *dst = b[1].view.buf;
    int finite = 1;
    Py_BEGIN_ALLOW_THREADS
    switch (kind) {
    case 0: t->f32_to_f16((const float *)src, (uint16_t *)dst, count); break;
    case 1: t->f16_to_f32((const uint16_t *)src, (float *)dst, count); break;
    case 2:
        finite = t->sq8_encode((const float *)src, (size_t)n, (size_t)d,
                               (const float *)b[2].view.buf, (const float *)b[3].view.buf,
                               (uint8_t *)dst);
        break;
    default: finite = t->binary_quantize((const float *)src, (size_t)n, (size_t)d, (uint8_t *)dst);
    }
    Py_END_ALLOW_THREADS
    release(b, 4);
    if (!finite) {
        PyErr_SetString(PyExc_ValueError, "x: contains nan or inf (nan and inf are not allowed)");
        return NULL;
    }
    Py_RETURN_NONE;
}

/* pq_encode(x, ct, cnorm, out, n, d, m, ksub): ct is m x dsub x ksub (centroids
 * transposed per subspace), cnorm m x ksub, out n x m codes. */
static PyObject *py_pq_encode(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *xo, *cto, *cno, *outo;
    Py_ssize_t n, d, m, ksub;
    if (!PyArg_ParseTuple(args, "OOOOnnnn", &xo, &cto, &cno, &outo, &n, &d, &m, &ksub)) return NULL;
    if (n < 0 || d < 0 || m <= 0 || d % m != 0 || ksub <= 0 || ksub > 256 || ksub % 16 != 0) {
        PyErr_SetString(PyExc_ValueError, "pq_encode: argument out of range");
        return NULL;
    }
    int of = 0;
    size_t dsub = (size_t)(d / m);
    buf_t b[4];
    memset(b, 0, sizeof b);
    if (!get_buf(xo, mul(mul((size_t)n, (size_t)d, &of), 4, &of), 0, "x", &b[0]) ||
        !get_buf(cto, (size_t)d * (size_t)ksub * 4, 0, "centroids", &b[1]) ||
        !get_buf(cno, (size_t)m * (size_t)ksub * 4, 0, "norms", &b[2]) ||
        !get_buf(outo, mul((size_t)n, (size_t)m, &of), 1, "out", &b[3]) || of) {
        if (of && !PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "pq_encode: size overflow");
        release(b, 4);
        return NULL;
    }
    const accel_kernels_t *t = current;
    const float *x = b[0].view.buf, *ct = b[1].view.buf, *cn = b[2].view.buf;
    uint8_t *out = b[3].view.buf;
    /* Row blocks that stay in L2 while every subspace visits them: subspace-major
     * over all rows would stream x from memory once per pair of subspaces. */
    const size_t rows = 128;
    Py_BEGIN_ALLOW_THREADS
    for (size_t i = 0; i < (size_t)n; i += rows) {
        size_t nb = (size_t)n - i < rows ? (size_t)n - i : rows;
        for (size_t s = 0; s < (size_t)m; ++s)
            t->pq_assign(x + i * (size_t)d + s * dsub, nb, (size_t)d, dsub,
                         ct + s * dsub * (size_t)ksub, cn + s * (size_t)ksub, (size_t)ksub,
                         out + i * (size_t)m + s, (size_t)m);
    }
    Py_END_ALLOW_THREADS
    release(b, 4);
    Py_RETURN_NONE;
}

/* pq_accumulate(x, codes, sums, counts, n, d, m, ksub): k-means sums per centroid,
 * sums float64 (m*ksub, d/m) and counts int64 (m*ksub), both added to. */
static PyObject *py_pq_accumulate(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *xo, *co, *so, *no;
    Py_ssize_t n, d, m, ksub;
    if (!PyArg_ParseTuple(args, "OOOOnnnn", &xo, &co, &so, &no, &n, &d, &m, &ksub)) return NULL;
    if (n < 0 || d < 0 || m <= 0 || d % m != 0 || ksub <= 0 || ksub > 256) {
        PyErr_SetString(PyExc_ValueError, "pq_accumulate: argument out of range");
        return NULL;
    }
    int of = 0;
    buf_t b[4];
    memset(b, 0, sizeof b);
    size_t cells = mul((size_t)m, (size_t)ksub, &of);
    if (!get_buf(xo, mul(mul((size_t)n, (size_t)d, &of), 4, &of), 0, "x", &b[0]) ||
        !get_buf(co, mul((size_t)n, (size_t)m, &of), 0, "codes", &b[1]) ||
        !get_buf(so, mul(mul(cells, (size_t)(d / m), &of), 8, &of), 1, "sums", &b[2]) ||
        !get_buf(no, mul(cells, 8, &of), 1, "counts", &b[3]) || of) {
        if (of && !PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "pq_accumulate: overflow");
        release(b, 4);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    accel_pq_accumulate(b[0].view.buf, (size_t)n, (size_t)d, b[1].view.buf, (size_t)m,
                        (size_t)ksub, b[2].view.buf, b[3].view.buf);
    Py_END_ALLOW_THREADS
    release(b, 4);
    Py_RETURN_NONE;
}

/* read_sum(buffer) -> float: one pass of wide loads over the buffer (bandwidth probe). */
static PyObject *py_read_sum(PyObject *self, PyObject *arg) {
    (void)self;
    buf_t b;
    if (!get_buf(arg, 0, 0, "buffer", &b)) return NULL;
    float sum;
    Py_BEGIN_ALLOW_THREADS
    sum = accel_read_sum(b.view.buf, (size_t)b.view.len);
    Py_END_ALLOW_THREADS
    release(&b, 1);
    return PyFloat_FromDouble(sum);
}

/* fma_loop(iters) -> (flops, checksum): register-only FMA loop (peak probe). */
static PyObject *py_fma_loop(PyObject *self, PyObject *arg) {
    (void)self;
    Py_ssize_t iters = PyLong_AsSsize_t(arg);
    if (iters < 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "fma_loop: iters must be >= 0");
        return NULL;
    }
    int lanes = 1;
    float sum;
    Py_BEGIN_ALLOW_THREADS
    sum = accel_fma_loop((size_t)iters, &lanes);
    Py_END_ALLOW_THREADS
    double flops = 2.0 * (double)lanes * ACCEL_FMA_CHAINS * (double)iters;
    return Py_BuildValue("(dd)", flops, (double)sum);
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

static PyMethodDef methods[] = {
    {"scan", py_scan, METH_VARARGS, "Distance matrix (k < 0) or fused top-k over candidates."},
    {"convert", py_convert, METH_VARARGS, "f16 conversion, SQ8 encode, binary quantize."},
    {"pq_encode", py_pq_encode, METH_VARARGS, "Nearest PQ centroid per subspace."},
    {"pq_accumulate", py_pq_accumulate, METH_VARARGS, "k-means sums and counts per centroid."},
    {"read_sum", py_read_sum, METH_O, "Bandwidth probe: one wide-load pass over a buffer."},
    {"fma_loop", py_fma_loop, METH_O, "Peak probe: register-only FMAs, returns (flops, sum)."},
    {"simd_level", py_simd_level, METH_NOARGS, "Name of the kernel table in use."},
    {"supported_levels", py_supported_levels, METH_NOARGS, "Levels this CPU can run."},
    {"set_level", py_set_level, METH_O, "Select a kernel table by name."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "accel._kernels",
                                    "SIMD distance, top-k and quantization kernels.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__kernels(void) {
    current = accel_kernels(accel_best_level());
    return PyModule_Create(&module);
}
