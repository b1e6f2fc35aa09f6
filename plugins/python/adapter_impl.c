/*
 * adapter_impl.c — runs Python node classes inside native pipelines.
 *
 * Loaded by the shim (adapter_entry.c) once the Py* symbols are global.
 * The Python half lives in the SDK (remotemedia.core.native_runner): it
 * instantiates the node, drives sync/async/async-generator/streaming
 * process() and converts between Python values and the (kind, payload,
 * meta) triples this file turns into items. Keeping the type logic in
 * Python keeps this file small; keeping the item handling here keeps data
 * zero-copy:
 *  - audio/tensor/bytes items reach Python as an ItemView (buffer protocol,
 *    holding one item reference) that numpy views without copying;
 *  - arrays coming back are wrapped (item_wrap) around their buffer, which
 *    is released under the GIL when the item dies.
 *
 * GIL discipline: the GIL is taken (PyGILState_Ensure) only around Python
 * calls, and this file never holds a runtime lock while taking it. When
 * rmrun embeds the interpreter, the initializing thread releases the GIL at
 * once (PyEval_SaveThread) so worker threads can take it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapter_impl.h"

#ifndef RM_DEFAULT_PYTHON
#define RM_DEFAULT_PYTHON ""
#endif
#define RUNNER_MODULE "remotemedia.core.native_runner"

/* ---- interpreter ------------------------------------------------------ */

static pthread_once_t python_once = PTHREAD_ONCE_INIT;
static char python_error[PATH_MAX + 1024];
static PyObject *runner_module; /* strong ref, lives for the process */

/* The interpreter to embed: the project's venv when we can find it, so the
 * SDK and numpy import. */
static void find_python_executable(char *out, size_t size) {
    const char *explicit_python = getenv("REMOTEMEDIA_PYTHON");
    if (explicit_python && *explicit_python) {
        snprintf(out, size, "%s", explicit_python);
        return;
    }
    const char *venv = getenv("VIRTUAL_ENV");
    if (venv && *venv) {
        snprintf(out, size, "%s/bin/python", venv);
        return;
    }
    /* Installed in a venv: .../<venv>/lib/pythonX.Y/site-packages/... */
    Dl_info info;
    if (dladdr((void *)&find_python_executable, &info) && info.dli_fname) {
        char dir[PATH_MAX];
        if (realpath(info.dli_fname, dir)) {
            for (int depth = 0; depth < 12; depth++) {
                char *slash = strrchr(dir, '/');
                if (!slash || slash == dir) break;
                *slash = '\0';
                char cfg[PATH_MAX + 16];
                snprintf(cfg, sizeof cfg, "%s/pyvenv.cfg", dir);
                if (access(cfg, R_OK) == 0) {
                    snprintf(out, size, "%s/bin/python", dir);
                    return;
                }
            }
        }
    }
    snprintf(out, size, "%s", RM_DEFAULT_PYTHON);
}

static void set_error_from_python(const char *what) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *text = value ? PyObject_Str(value) : NULL;
    snprintf(python_error, sizeof python_error, "%s: %s", what,
             text ? PyUnicode_AsUTF8(text) : "unknown error");
    Py_XDECREF(text);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
}

static void start_python(void) {
    int embedded = 0;
    if (!Py_IsInitialized()) {
        char executable[PATH_MAX];
        find_python_executable(executable, sizeof executable);
        PyConfig config;
        PyConfig_InitPythonConfig(&config);
        config.install_signal_handlers = 0; /* the host owns signals */
        config.parse_argv = 0;
        if (executable[0])
            PyConfig_SetBytesString(&config, &config.program_name,
                                    executable);
        PyStatus status = Py_InitializeFromConfig(&config);
        PyConfig_Clear(&config);
        if (PyStatus_Exception(status)) {
            snprintf(python_error, sizeof python_error,
                     "cannot start Python (%s): %s",
                     executable[0] ? executable : "default",
                     status.err_msg ? status.err_msg : "unknown error");
            return;
        }
        embedded = 1;
    }
    PyGILState_STATE gil = embedded ? PyGILState_UNLOCKED : PyGILState_Ensure();
    runner_module = PyImport_ImportModule(RUNNER_MODULE);
    if (!runner_module)
        set_error_from_python("cannot import " RUNNER_MODULE
                              " (is the remotemedia SDK installed in the "
                              "interpreter? set REMOTEMEDIA_PYTHON)");
    if (embedded)
        PyEval_SaveThread(); /* hand the GIL to whoever needs it */
    else
        PyGILState_Release(gil);
}

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

static int itemview_ready(void) {
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

static PyObject *itemview_new(const rm_host_t *host, rm_item_t *item) {
    ItemView *view = PyObject_New(ItemView, &ItemViewType);
    if (!view) return NULL;
    /* Writable only if nobody else can see the payload. */
    view->writable = host->item_is_writable(item);
    view->item = host->item_ref(item);
    view->item_unref = host->item_unref;
    return (PyObject *)view;
}

/* ---- instances --------------------------------------------------------- */

typedef struct {
    const rm_host_t *host;
    PyObject *runner;
} python_node_t;

/* Report the pending Python exception as the node's error. */
static int fail_from_python(python_node_t *node, rm_error_t *err,
                            const char *operation) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value) PyException_SetTraceback(value, tb);
    int transient = 0;
    PyObject *text = NULL;
    PyObject *describe = PyObject_GetAttrString(runner_module,
                                                "describe_exception");
    PyObject *described =
        describe && value
            ? PyObject_CallFunctionObjArgs(describe, value, NULL)
            : NULL;
    if (described && PyTuple_Check(described) &&
        PyTuple_GET_SIZE(described) == 2) {
        text = PyTuple_GET_ITEM(described, 0);
        Py_INCREF(text);
        transient = PyObject_IsTrue(PyTuple_GET_ITEM(described, 1)) == 1;
    }
    PyErr_Clear();
    if (!text && value) text = PyObject_Str(value);
    PyErr_Clear();
    const char *message = text ? PyUnicode_AsUTF8(text) : NULL;
    int status = node->host->error_set(
        err, RM_EPYTHON, transient, "Python %s failed: %s", operation,
        message ? message : "unknown Python error");
    PyErr_Clear();
    Py_XDECREF(text);
    Py_XDECREF(described);
    Py_XDECREF(describe);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return status;
}

static int impl_create(const rm_host_t *host, const rm_params_t *params,
                       void **instance, rm_error_t *err) {
    pthread_once(&python_once, start_python);
    if (!runner_module)
        return host->error_set(err, RM_ENOTSUP, 0, "%s", python_error);
    const char *module = "", *cls = "", *config = "{}", *key = "",
               *name = "";
    int streaming = 0;
    host->param_string(params, "module", &module);
    host->param_string(params, "class", &cls);
    host->param_json(params, "config", &config);
    host->param_string(params, "instance", &key);
    host->param_string(params, "name", &name);
    host->param_bool(params, "is_streaming", &streaming);
    if (!*name) name = host->node_id ? host->node_id : "";

    python_node_t *node = calloc(1, sizeof *node);
    if (!node) return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    node->host = host;
    PyGILState_STATE gil = PyGILState_Ensure();
    int status = RM_OK;
    if (itemview_ready() < 0) {
        status = fail_from_python(node, err, "setup");
    } else {
        node->runner = PyObject_CallMethod(runner_module, "create_runner",
                                           "sssssi", module, cls, config, key,
                                           name, streaming);
        if (!node->runner) status = fail_from_python(node, err, "create");
    }
    PyGILState_Release(gil);
    if (status != RM_OK) {
        free(node);
        return status;
    }
    *instance = node;
    return RM_OK;
}

/* Item -> (kind, payload, meta) for the runner. New reference or NULL. */
static PyObject *item_to_python(const rm_host_t *host, rm_item_t *item) {
    PyObject *payload = NULL, *meta = NULL;
    switch (item->kind) {
    case RM_KIND_AUDIO:
        payload = itemview_new(host, item);
        meta = Py_BuildValue("(iiKII)", (int)item->audio.sample_format,
                             (int)item->audio.channels,
                             (unsigned long long)item->audio.frames,
                             (unsigned)item->audio.sample_rate,
                             (unsigned)item->audio.layout);
        break;
    case RM_KIND_TENSOR: {
        payload = itemview_new(host, item);
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
        payload = itemview_new(host, item);
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

/* Wrap a C-contiguous buffer of `obj` as an item of `kind` (no copy). */
static rm_item_t *wrap_buffer(const rm_host_t *host, PyObject *obj,
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
    rm_item_t *item = host->item_wrap(
        host, kind, held->buffer.buf, (size_t)held->buffer.len,
        held->buffer.readonly ? RM_ITEM_READONLY : 0, release_buffer, held);
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
static rm_item_t *python_to_item(const rm_host_t *host, PyObject *triple) {
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
        item = wrap_buffer(host, obj, RM_KIND_AUDIO, &view);
        if (!item) return NULL;
        if (view->ndim != 2) {
            host->item_unref(item);
            PyErr_SetString(PyExc_ValueError,
                            "audio must be a 2-D (channels, frames) array");
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
        item = wrap_buffer(host, obj, RM_KIND_TENSOR, &view);
        if (!item) return NULL;
        if (view->ndim > RM_TENSOR_MAX_DIMS) {
            host->item_unref(item);
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
        item = host->item_new_json(host, text, (size_t)len);
        if (!item) PyErr_NoMemory();
        return item;
    }
    case RM_KIND_BYTES:
        return wrap_buffer(host, obj, RM_KIND_BYTES, &view);
    case RM_KIND_PYOBJECT:
        Py_INCREF(obj);
        item = host->item_wrap(host, RM_KIND_PYOBJECT, obj, 0, 0,
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

/* Emit every triple of `outputs` (a list); consumes the reference. */
static int emit_outputs(python_node_t *node, PyObject *outputs,
                        rm_emit_t *out, rm_error_t *err,
                        const char *operation) {
    if (!outputs) return fail_from_python(node, err, operation);
    int status = RM_OK;
    PyObject *seq = PySequence_Fast(outputs, "runner must return a list");
    Py_DECREF(outputs);
    if (!seq) return fail_from_python(node, err, operation);
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < count && status == RM_OK; i++) {
        rm_item_t *item =
            python_to_item(node->host, PySequence_Fast_GET_ITEM(seq, i));
        if (!item) {
            status = fail_from_python(node, err, operation);
            break;
        }
        status = node->host->emit(out, 0, item);
        if (status != RM_OK)
            node->host->error_set(err, status, 0, "emit failed: %s",
                                  rm_strerror(status));
    }
    Py_DECREF(seq);
    return status;
}

static int impl_process(void *instance, uint32_t port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    python_node_t *node = instance;
    PyGILState_STATE gil = PyGILState_Ensure();
    int status;
    PyObject *args = item_to_python(node->host, item);
    if (!args) {
        status = fail_from_python(node, err, "process");
    } else {
        PyObject *outputs =
            PyObject_CallMethod(node->runner, "process", "(O)", args);
        Py_DECREF(args);
        status = emit_outputs(node, outputs, out, err, "process");
    }
    PyGILState_Release(gil);
    return status;
}

static int impl_generate(void *instance, rm_emit_t *out, int *finished,
                         rm_error_t *err) {
    python_node_t *node = instance;
    PyGILState_STATE gil = PyGILState_Ensure();
    int status;
    PyObject *result = PyObject_CallMethod(node->runner, "generate", NULL);
    PyObject *outputs = NULL;
    int done = 0;
    if (result && PyArg_ParseTuple(result, "Op", &outputs, &done)) {
        Py_INCREF(outputs);
        status = emit_outputs(node, outputs, out, err, "generate");
        *finished = done;
    } else {
        status = fail_from_python(node, err, "generate");
    }
    Py_XDECREF(result);
    PyGILState_Release(gil);
    return status;
}

static int impl_flush(void *instance, rm_emit_t *out, rm_error_t *err) {
    python_node_t *node = instance;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *outputs = PyObject_CallMethod(node->runner, "flush", NULL);
    int status = emit_outputs(node, outputs, out, err, "flush");
    PyGILState_Release(gil);
    return status;
}

static void impl_destroy(void *instance) {
    python_node_t *node = instance;
    if (!node) return;
    PyGILState_STATE gil = PyGILState_Ensure();
    if (node->runner) {
        PyObject *ignored = PyObject_CallMethod(node->runner, "close", NULL);
        Py_XDECREF(ignored);
        PyErr_Clear(); /* cleanup errors were reported by close() itself */
        Py_DECREF(node->runner);
    }
    PyGILState_Release(gil);
    free(node);
}

static const rm_python_impl_t impl = {impl_create, impl_process,
                                      impl_generate, impl_flush,
                                      impl_destroy};

__attribute__((visibility("default"))) const rm_python_impl_t *
rm_python_adapter_impl(void);
const rm_python_impl_t *rm_python_adapter_impl(void) { return &impl; }
