/* Entry points of accel._kernels for conversions and quantizers: float16,
 * SQ8 encode/decode, sign bits, PQ encode and k-means accumulation. */
#include "boundary.h"

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
    const accel_kernels_t *t = accel_current;
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

PyObject *py_to_f16(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    return f16_convert(args, kw, 1);
}

PyObject *py_from_f16(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    return f16_convert(args, kw, 0);
}


PyObject *py_sq8_encode(PyObject *self, PyObject *args, PyObject *kw) {
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
    const accel_kernels_t *t = accel_current;
    Py_BEGIN_ALLOW_THREADS
    finite = t->sq8_encode(x->view.buf, n, d, lo->view.buf, inv->view.buf, out->view.buf);
    Py_END_ALLOW_THREADS
    res = finite ? (Py_INCREF(Py_None), Py_None) : nonfinite_input();
done:
    release_all(&all);
    return res;
}

PyObject *py_sq8_decode(PyObject *self, PyObject *args, PyObject *kw) {
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
    const accel_kernels_t *t = accel_current;
    Py_BEGIN_ALLOW_THREADS
    t->sq8_decode(c->view.buf, n, d, lo->view.buf, sc->view.buf, out->view.buf);
    Py_END_ALLOW_THREADS
    res = Py_None;
    Py_INCREF(res);
done:
    release_all(&all);
    return res;
}

PyObject *py_binary_quantize(PyObject *self, PyObject *args, PyObject *kw) {
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
    const accel_kernels_t *t = accel_current;
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
PyObject *py_pq_encode(PyObject *self, PyObject *args, PyObject *kw) {
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
    const accel_kernels_t *t = accel_current;
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
PyObject *py_pq_accumulate(PyObject *self, PyObject *args, PyObject *kw) {
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
