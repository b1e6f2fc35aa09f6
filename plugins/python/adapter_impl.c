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

#include "py_items.h" /* first: it includes Python.h */

#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapter_impl.h"
#include "adapter_paths.h"

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
    char venv_dir[PATH_MAX];
    if (rm_adapter_venv_of((void *)&find_python_executable, venv_dir,
                           sizeof venv_dir)) {
        snprintf(out, size, "%s/bin/python", venv_dir);
        return;
    }
    /* A build tree names the venv it was configured with; else Python's
     * own default (the interpreter libpython belongs to). */
    if (!rm_adapter_build_setting((void *)&find_python_executable, "python",
                                  out, size))
        out[0] = '\0';
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

/* ---- instances --------------------------------------------------------- */

typedef struct {
    const rm_host_t *host;
    rm_py_item_ops_t ops; /* item operations through the host */
    PyObject *runner;
} python_node_t;

static rm_item_t *host_wrap(void *ctx, uint32_t kind, void *data, size_t size,
                            uint32_t flags, rm_release_cb release,
                            void *user) {
    const rm_host_t *host = ctx;
    return host->item_wrap(host, kind, data, size, flags, release, user);
}

static rm_item_t *host_new_json(void *ctx, const char *json, size_t len) {
    const rm_host_t *host = ctx;
    return host->item_new_json(host, json, len);
}

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
    node->ops = (rm_py_item_ops_t){(void *)host,  host_wrap,
                                   host_new_json, host->item_ref,
                                   host->item_unref, host->item_is_writable};
    PyGILState_STATE gil = PyGILState_Ensure();
    int status = RM_OK;
    if (rm_py_items_init() < 0) {
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
            rm_py_triple_to_item(&node->ops, PySequence_Fast_GET_ITEM(seq, i));
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
    PyObject *args = rm_py_item_to_triple(&node->ops, item);
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

/* What the shim looks up (RM_PYTHON_IMPL_SYMBOL) after loading this file. */
__attribute__((visibility("default"))) extern const rm_python_impl_t
    rm_python_adapter_impl;
const rm_python_impl_t rm_python_adapter_impl = {
    {RM_PYTHON_IMPL_LAYOUT, sizeof(rm_python_impl_t)}, impl_create, impl_process,
    impl_generate, impl_flush, impl_destroy};
