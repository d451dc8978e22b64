/* Argument checking of the Python/C boundary (see boundary.h): this layer owns
 * memory safety, so nothing trusts a size passed separately from its buffer. */
#include <limits.h>

#include "boundary.h"

INTERNAL const accel_kernels_t *accel_current;

INTERNAL void release_all(bufs_t *all) {
    for (int i = 0; i < all->n; ++i)
        if (all->b[i].held) PyBuffer_Release(&all->b[i].view);
    all->n = 0;
}

/* Format code of a native-order buffer element, or 0 if the format is foreign. */
INTERNAL char format_code(const Py_buffer *v) {
    const char *f = v->format ? v->format : "B";
    if (*f == '@' || *f == '=') ++f;
#if PY_LITTLE_ENDIAN
    if (*f == '<') ++f;
#else
    if (*f == '>' || *f == '!') ++f;
#endif
    return f[0] != '\0' && f[1] == '\0' ? f[0] : 0;
}

static const char *const dtype_names[] = {"float32", "float16", "uint8", "float64", "int64"};

INTERNAL int format_is(const Py_buffer *v, dtype_t t) {
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
INTERNAL buf_t *array(bufs_t *all, PyObject *obj, const char *name, dtype_t t, int ndim,
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
INTERNAL buf_t *optional_array(bufs_t *all, PyObject *obj, const char *name, dtype_t t, int ndim,
                             int writable, int *ok) {
    if (obj == NULL || obj == Py_None) return NULL;
    buf_t *b = array(all, obj, name, t, ndim, writable);
    if (!b) *ok = 0;
    return b;
}

INTERNAL size_t dim(const buf_t *b, int axis) { return (size_t)b->view.shape[axis]; }

/* Check b's shape against `ndim` expected extents. */
INTERNAL int shape_is(const buf_t *b, const char *name, int ndim, const size_t *want) {
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

INTERNAL int codes_below(const buf_t *codes, size_t ksub, const char *name) {
    if (ksub >= 256) return 1;
    unsigned top;
    Py_BEGIN_ALLOW_THREADS
    top = max_byte((const uint8_t *)codes->view.buf, (size_t)codes->view.len);
    Py_END_ALLOW_THREADS
    if (top < ksub) return 1;
    PyErr_Format(PyExc_ValueError, "%s: code %u out of range for %zu centroids", name, top, ksub);
    return 0;
}

INTERNAL PyObject *status_result(accel_status_t st) {
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
INTERNAL int parse_k(PyObject *ko, Py_ssize_t *k) {
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
INTERNAL int required(const char *fn, const char *n1, PyObject *v1, const char *n2, PyObject *v2,
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
INTERNAL PyObject *run_scan(accel_scan_t *s, bufs_t *all, Py_ssize_t k, PyObject *outo,
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

INTERNAL PyObject *nonfinite_input(void) {
    PyErr_SetString(PyExc_ValueError, "x: contains nan or inf (nan and inf are not allowed)");
    return NULL;
}
