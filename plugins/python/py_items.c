/*
 * py_items.c — native items <-> Python triples (see py_items.h).
 */
#include "py_items.h"

#include <stdlib.h>
#include <string.h>

/* ---- ItemView: an item seen through the buffer protocol --------------- */

typedef struct {
    PyObject_HEAD
    rm_item_t *item;
    void (*item_unref)(rm_item_t *item); /* not the host: it may be gone */
    int writable;
} ItemView;

static void itemview_dealloc(ItemView *self) {
    if (self->item) self->item_unref(self->item);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int itemview_getbuffer(ItemView *self, Py_buffer *view, int flags) {
    return PyBuffer_FillInfo(view, (PyObject *)self, self->item->data,
                             (Py_ssize_t)self->item->size, !self->writable,
                             flags);
}

static PyBufferProcs itemview_as_buffer = {
    (getbufferproc)itemview_getbuffer, NULL};

static PyTypeObject ItemViewType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "remotemedia._native.ItemView",
    .tp_basicsize = sizeof(ItemView),
};

int rm_py_items_init(void) {
    static int ready;
    if (ready) return 0;
    ItemViewType.tp_dealloc = (destructor)itemview_dealloc;
    ItemViewType.tp_as_buffer = &itemview_as_buffer;
    ItemViewType.tp_flags = Py_TPFLAGS_DEFAULT;
    ItemViewType.tp_doc = "A native item's payload (buffer protocol, no copy)";
    if (PyType_Ready(&ItemViewType) < 0) return -1;
    ready = 1;
    return 0;
}

static PyObject *itemview_new(const rm_py_item_ops_t *ops, rm_item_t *item) {
    ItemView *view = PyObject_New(ItemView, &ItemViewType);
    if (!view) return NULL;
    /* Writable only if nobody else can see the payload. */
    view->writable = ops->is_writable(item);
    view->item = ops->ref(item);
    view->item_unref = ops->unref;
    return (PyObject *)view;
}

/* Item -> (kind, payload, meta) for the runner. New reference or NULL. */
PyObject *rm_py_item_to_triple(const rm_py_item_ops_t *ops, rm_item_t *item) {
    PyObject *payload = NULL, *meta = NULL;
    switch (item->kind) {
    case RM_KIND_AUDIO:
        payload = itemview_new(ops, item);
        meta = Py_BuildValue("(iiKII)", (int)item->audio.sample_format,
                             (int)item->audio.channels,
                             (unsigned long long)item->audio.frames,
                             (unsigned)item->audio.sample_rate,
                             (unsigned)item->audio.layout);
        break;
    case RM_KIND_TENSOR: {
        payload = itemview_new(ops, item);
        uint8_t ndim = item->tensor.ndim;
        PyObject *shape = PyTuple_New(ndim), *strides = PyTuple_New(ndim);
        for (uint8_t d = 0; shape && strides && d < ndim; d++) {
            PyTuple_SET_ITEM(shape, d,
                             PyLong_FromLongLong(item->tensor.shape[d]));
            PyTuple_SET_ITEM(strides, d,
                             PyLong_FromLongLong(item->tensor.strides[d]));
        }
        meta = shape && strides ? Py_BuildValue("(iOO)",
                                                (int)item->tensor.dtype,
                                                shape, strides)
                                : NULL;
        Py_XDECREF(shape);
        Py_XDECREF(strides);
        break;
    }
    case RM_KIND_JSON:
        payload = PyUnicode_DecodeUTF8((const char *)item->data,
                                       (Py_ssize_t)item->size, "strict");
        meta = Py_None;
        Py_INCREF(meta);
        break;
    case RM_KIND_BYTES:
        payload = itemview_new(ops, item);
        meta = Py_None;
        Py_INCREF(meta);
        break;
    case RM_KIND_PYOBJECT:
        payload = (PyObject *)item->data;
        Py_XINCREF(payload);
        meta = Py_None;
        Py_INCREF(meta);
        break;
    default:
        PyErr_Format(PyExc_TypeError, "unknown item kind %u", item->kind);
        return NULL;
    }
    if (!payload || !meta) {
        Py_XDECREF(payload);
        Py_XDECREF(meta);
        return NULL;
    }
    PyObject *triple = Py_BuildValue("(iOO)", (int)item->kind, payload, meta);
    Py_DECREF(payload);
    Py_DECREF(meta);
    return triple;
}

/* Releasing Python memory from whatever thread drops the last reference. */
typedef struct {
    Py_buffer buffer;
} held_buffer_t;

static void release_buffer(void *user_data, void *data) {
    held_buffer_t *held = user_data;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyBuffer_Release(&held->buffer);
    PyGILState_Release(gil);
    free(held);
}

static void release_object(void *user_data, void *data) {
    PyGILState_STATE gil = PyGILState_Ensure();
    Py_XDECREF((PyObject *)data);
    PyGILState_Release(gil);
}

/* Wrap a C-contiguous buffer of `obj` as an item of `kind` (no copy).
 * Always read-only for the runtime: Python may still hold the object (a
 * node that returns an array it keeps, a view of its state, the caller's
 * input), so a native node must not write into it in place, even when it
 * holds the item's only reference; it writes into a new item instead. */
static rm_item_t *wrap_buffer(const rm_py_item_ops_t *ops, PyObject *obj,
                              uint32_t kind, Py_buffer **view_out) {
    held_buffer_t *held = calloc(1, sizeof *held);
    if (!held) {
        PyErr_NoMemory();
        return NULL;
    }
    if (PyObject_GetBuffer(obj, &held->buffer,
                           PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        free(held);
        return NULL;
    }
    rm_item_t *item =
        ops->wrap(ops->ctx, kind, held->buffer.buf, (size_t)held->buffer.len,
                  RM_ITEM_READONLY, release_buffer, held);
    if (!item) {
        PyBuffer_Release(&held->buffer);
        free(held);
        PyErr_SetString(PyExc_MemoryError, "cannot wrap the buffer");
        return NULL;
    }
    *view_out = &held->buffer;
    return item;
}

/* One (kind, obj, meta) triple from the runner -> an item. */
rm_item_t *rm_py_triple_to_item(const rm_py_item_ops_t *ops, PyObject *triple) {
    int kind;
    PyObject *obj, *meta;
    if (!PyArg_ParseTuple(triple, "iOO", &kind, &obj, &meta)) return NULL;
    Py_buffer *view = NULL;
    rm_item_t *item = NULL;
    switch (kind) {
    case RM_KIND_AUDIO: {
        int sample_format;
        unsigned sample_rate;
        if (!PyArg_ParseTuple(meta, "iI", &sample_format, &sample_rate))
            return NULL;
        item = wrap_buffer(ops, obj, RM_KIND_AUDIO, &view);
        if (!item) return NULL;
        if (view->ndim != 2) {
            ops->unref(item);
            PyErr_SetString(PyExc_ValueError,
                            "audio must be a 2-D (channels, frames) array");
            return NULL;
        }
        /* channels is a uint16_t: more rows would wrap (65537 rows became
         * 1 channel, a valid-looking item of the wrong shape). Counts that
         * fit but are invalid (0, > RM_MAX_CHANNELS) are left to the host's
         * check of emitted items, as before. */
        if (view->shape[0] > UINT16_MAX) {
            Py_ssize_t rows = view->shape[0], columns = view->shape[1];
            ops->unref(item);
            PyErr_Format(PyExc_ValueError,
                         "audio must be a (channels, frames) array, got "
                         "shape (%zd, %zd): more channels than an audio "
                         "item can hold (at most %d are valid); is it "
                         "(frames, channels)?",
                         rows, columns, RM_MAX_CHANNELS);
            return NULL;
        }
        item->audio.sample_format = (uint8_t)sample_format;
        item->audio.sample_rate = sample_rate;
        item->audio.channels = (uint16_t)view->shape[0];
        item->audio.frames = (uint64_t)view->shape[1];
        item->audio.layout = RM_LAYOUT_PLANAR;
        return item;
    }
    case RM_KIND_TENSOR: {
        int dtype;
        if (!PyArg_Parse(meta, "i", &dtype)) return NULL;
        item = wrap_buffer(ops, obj, RM_KIND_TENSOR, &view);
        if (!item) return NULL;
        if (view->ndim > RM_TENSOR_MAX_DIMS) {
            ops->unref(item);
            PyErr_Format(PyExc_ValueError,
                         "arrays of more than %d dimensions are not supported",
                         RM_TENSOR_MAX_DIMS);
            return NULL;
        }
        item->tensor.dtype = (uint8_t)dtype;
        item->tensor.ndim = (uint8_t)view->ndim;
        Py_ssize_t stride = view->itemsize;
        for (int d = view->ndim - 1; d >= 0; d--) { /* C-contiguous */
            item->tensor.shape[d] = view->shape ? view->shape[d] : 0;
            item->tensor.strides[d] = stride;
            stride *= item->tensor.shape[d];
        }
        return item;
    }
    case RM_KIND_JSON: {
        Py_ssize_t len;
        const char *text = PyUnicode_AsUTF8AndSize(obj, &len);
        if (!text) return NULL;
        if (memchr(text, '\0', (size_t)len)) { /* JSON escapes it: \u0000 */
            PyErr_SetString(PyExc_ValueError,
                            "JSON text must not contain a NUL character");
            return NULL;
        }
        item = ops->new_json(ops->ctx, text, (size_t)len);
        if (!item) PyErr_NoMemory();
        return item;
    }
    case RM_KIND_BYTES:
        return wrap_buffer(ops, obj, RM_KIND_BYTES, &view);
    case RM_KIND_PYOBJECT:
        Py_INCREF(obj);
        item = ops->wrap(ops->ctx, RM_KIND_PYOBJECT, obj, 0, 0,
                         release_object, NULL);
        if (!item) {
            Py_DECREF(obj);
            PyErr_NoMemory();
        }
        return item;
    default:
        PyErr_Format(PyExc_ValueError, "runner returned unknown kind %d",
                     kind);
        return NULL;
    }
}

