/* The Python/C boundary of accel._kernels: borrowed buffers checked for dtype,
 * shape and C-contiguity, argument parsing helpers, and the entry points the
 * method table in module.c lists.  Everything here is internal to the extension. */
#ifndef ACCEL_BOUNDARY_H
#define ACCEL_BOUNDARY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "accel.h"

#define INTERNAL __attribute__((visibility("hidden")))

/* The kernel table in use (accel._kernels.set_level). */
extern INTERNAL const accel_kernels_t *accel_current;

typedef struct {
    Py_buffer view;
    int held;
} buf_t;

enum { MAX_BUFS = 8 };

/* The buffers of one call, released together. */
typedef struct {
    buf_t b[MAX_BUFS];
    int n;
} bufs_t;

typedef enum { T_F32, T_F16, T_U8, T_F64, T_I64 } dtype_t;

INTERNAL void release_all(bufs_t *all);
INTERNAL char format_code(const Py_buffer *v);
INTERNAL int format_is(const Py_buffer *v, dtype_t t);
/* Borrow obj as a C-contiguous array of dtype `t` with `ndim` dimensions (ndim < 0: any). */
INTERNAL buf_t *array(bufs_t *all, PyObject *obj, const char *name, dtype_t t, int ndim,
                      int writable);
/* NULL for None, else like array(). `*ok` is cleared on error. */
INTERNAL buf_t *optional_array(bufs_t *all, PyObject *obj, const char *name, dtype_t t, int ndim,
                               int writable, int *ok);
INTERNAL size_t dim(const buf_t *b, int axis);
/* Check b's shape against `ndim` expected extents. */
INTERNAL int shape_is(const buf_t *b, const char *name, int ndim, const size_t *want);
/* Every code below ksub (PQ codes must index inside their tables). */
INTERNAL int codes_below(const buf_t *codes, size_t ksub, const char *name);
INTERNAL PyObject *status_result(accel_status_t st);
INTERNAL PyObject *nonfinite_input(void);
/* k: None (distance matrix) or an int >= 0 (fused top-k). */
INTERNAL int parse_k(PyObject *ko, Py_ssize_t *k);
/* Up to four required keyword arguments, (name, value) pairs, unused names NULL. */
INTERNAL int required(const char *fn, const char *n1, PyObject *v1, const char *n2, PyObject *v2,
                      const char *n3, PyObject *v3, const char *n4, PyObject *v4);
/* Checks a scan's outputs (out, out_indices) and runs it without the GIL. */
INTERNAL PyObject *run_scan(accel_scan_t *s, bufs_t *all, Py_ssize_t k, PyObject *outo,
                            PyObject *idxo);

/* encode.c: conversions and quantizer entry points. */
INTERNAL PyObject *py_to_f16(PyObject *self, PyObject *args, PyObject *kw);
INTERNAL PyObject *py_from_f16(PyObject *self, PyObject *args, PyObject *kw);
INTERNAL PyObject *py_sq8_encode(PyObject *self, PyObject *args, PyObject *kw);
INTERNAL PyObject *py_sq8_decode(PyObject *self, PyObject *args, PyObject *kw);
INTERNAL PyObject *py_binary_quantize(PyObject *self, PyObject *args, PyObject *kw);
INTERNAL PyObject *py_pq_encode(PyObject *self, PyObject *args, PyObject *kw);
INTERNAL PyObject *py_pq_accumulate(PyObject *self, PyObject *args, PyObject *kw);

#endif
