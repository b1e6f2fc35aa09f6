/*
 * bridge.c — remotemedia._native._bridge: the SDK's door to the C runtime.
 *
 * A thin CPython extension over remotemedia/runtime.h:
 *   Runtime(plugin_dirs=(), use_env=True, use_default=True)
 *       .node_types() / .failures() / .search_dirs()
 *       .compile(manifest_json, source_name="<sdk>", cancel=None)
 *           -> Compiled
 *   Compiled.run(inputs, exec_policy=0, queue_capacity=0, metrics=False,
 *                trace=False)
 *       -> (status, [(sink_id, [triple, ...]), ...], error|None,
 *           {"metrics": json|None, "trace": json|None}, total_ns)
 *   Compiled.session(...) -> Session: .push(triple, entry=None, port=0),
 *       .end(), .step() -> (status, [(node_id, port, triple)], finished);
 *       .close() -> (status, error|None, extras, total_ns, node stats)
 * Values cross as the (kind, payload, meta) triples of
 * remotemedia.core.native_runner (see plugins/python/py_items.h): numpy
 * buffers go in wrapped, not copied, and come out as views that own the
 * native item, not copies. The GIL is released for the whole run; Python
 * nodes in the pipeline take it through the adapter plugin when they run.
 */
#include "bridge.h" /* first: it includes Python.h */
#include "bridge_cancel.h"

#ifndef RM_VERSION
#define RM_VERSION "0"
#endif

static PyObject *CompileError; /* ValueError subclass */

/* ---- item operations for py_items.c: the runtime's public API ---------- */

static rm_item_t *bridge_wrap(void *ctx, uint32_t kind, void *data,
                              size_t size, uint32_t flags,
                              rm_release_cb release, void *user) {
    (void)ctx;
    return rm_item_wrap(kind, data, size, flags, release, user);
}

static rm_item_t *bridge_new_json(void *ctx, const char *json, size_t len) {
    (void)ctx;
    return rm_item_new_json(json, len);
}

const rm_py_item_ops_t rm_bridge_item_ops = {
    NULL, bridge_wrap, bridge_new_json, rm_item_ref, rm_item_unref,
    rm_item_is_writable};

/* ---- Runtime ------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    rm_registry_t *registry;
} RuntimeObject;

static void runtime_dealloc(RuntimeObject *self) {
    if (self->registry) rm_registry_close(self->registry);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int runtime_init(RuntimeObject *self, PyObject *args, PyObject *kw) {
    static char *keywords[] = {"plugin_dirs", "use_env", "use_default", NULL};
    PyObject *dirs_arg = NULL;
    int use_env = 1, use_default = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|Opp", keywords, &dirs_arg,
                                     &use_env, &use_default))
        return -1;
    /* Compiled pipelines point into the registry: replacing it under them
     * would leave them dangling. */
    if (self->registry) {
        PyErr_SetString(PyExc_RuntimeError,
                        "Runtime is already initialized (make a new one)");
        return -1;
    }
    PyObject *dirs = dirs_arg ? PySequence_Fast(dirs_arg,
                                                "plugin_dirs must be a "
                                                "sequence of str")
                              : PyTuple_New(0);
    if (!dirs) return -1;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(dirs);
    const char **paths = PyMem_Calloc((size_t)count + 1, sizeof(char *));
    int status = paths ? 0 : -1;
    for (Py_ssize_t i = 0; status == 0 && i < count; i++) {
        paths[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(dirs, i));
        if (!paths[i]) status = -1;
    }
    if (status == 0) {
        rm_registry_options_t options = {sizeof(options), paths,
                                         (size_t)count, use_env, use_default,
                                         NULL, 0};
        int rc;
        Py_BEGIN_ALLOW_THREADS
        rc = rm_registry_open(&options, &self->registry);
        Py_END_ALLOW_THREADS
        if (rc != RM_OK) {
            PyErr_Format(PyExc_RuntimeError,
                         "cannot open the plugin registry: %s",
                         rm_strerror(rc));
            status = -1;
        }
    }
    PyMem_Free(paths);
    Py_DECREF(dirs);
    return status;
}

static PyObject *runtime_node_types(RuntimeObject *self,
                                    PyObject *unused) {
    size_t count = rm_registry_count(self->registry);
    PyObject *names = PyList_New((Py_ssize_t)count);
    for (size_t i = 0; names && i < count; i++) {
        PyObject *name =
            PyUnicode_FromString(rm_registry_at(self->registry, i)->type->name);
        if (!name) {
            Py_CLEAR(names);
            break;
        }
        PyList_SET_ITEM(names, (Py_ssize_t)i, name);
    }
    return names;
}

static PyObject *runtime_failures(RuntimeObject *self, PyObject *unused) {
    size_t count = rm_registry_failure_count(self->registry);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < count; i++) {
        const rm_load_failure_t *f = rm_registry_failure_at(self->registry, i);
        PyObject *pair = Py_BuildValue("(ss)", f->path, f->reason);
        if (!pair || PyList_Append(list, pair) < 0) Py_CLEAR(list);
        Py_XDECREF(pair);
    }
    return list;
}

static PyObject *runtime_search_dirs(RuntimeObject *self, PyObject *unused) {
    size_t count = rm_registry_dir_count(self->registry);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < count; i++) {
        PyObject *dir = PyUnicode_FromString(rm_registry_dir_at(self->registry, i));
        if (!dir || PyList_Append(list, dir) < 0) Py_CLEAR(list);
        Py_XDECREF(dir);
    }
    return list;
}

/* ---- Compiled ------------------------------------------------------------ */

static PyTypeObject CompiledType;

static void compiled_dealloc(CompiledObject *self) {
    if (self->pipeline) {
        /* Destroying Python node instances takes the GIL in the adapter. */
        rm_pipeline_t *pipeline = self->pipeline;
        self->pipeline = NULL;
        rm_pipeline_free(pipeline);
    }
    Py_XDECREF(self->runtime);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *diagnostics_list(rm_diag_t *diag) {
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < rm_diag_count(diag); i++) {
        const rm_diag_entry_t *e = rm_diag_at(diag, i);
        PyObject *entry = Py_BuildValue("(iss)", e->status,
                                        e->where ? e->where : "", e->message);
        if (!entry || PyList_Append(list, entry) < 0) Py_CLEAR(list);
        Py_XDECREF(entry);
    }
    return list;
}

static PyObject *runtime_compile(RuntimeObject *self, PyObject *args,
                                 PyObject *kw) {
    static char *keywords[] = {"manifest", "source_name", "cancel", NULL};
    const char *text, *source = "<sdk>";
    Py_ssize_t len;
    PyObject *cancel_arg = NULL;
    int ok;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s#|sO", keywords, &text, &len,
                                     &source, &cancel_arg))
        return NULL;
    rm_cancel_t *cancel = rm_bridge_cancel_arg(cancel_arg, &ok);
    if (!ok) return NULL;
    rm_diag_t *diag = rm_diag_new();
    if (!diag) return PyErr_NoMemory();
    rm_pipeline_t *pipeline = NULL;
    int status;
    /* Node instances are created here, Python ones included: they take the
     * GIL themselves, so release it. A create waiting to retry (RemoteNode)
     * ends when the token is cancelled, or at Ctrl-C on the main thread. */
    rm_bridge_sigint_t sigint;
    cancel = rm_bridge_sigint_begin(cancel, &sigint);
    Py_BEGIN_ALLOW_THREADS
    status = rm_pipeline_compile_cancellable(self->registry, text,
                                             (size_t)len, source, diag,
                                             cancel, &pipeline);
    Py_END_ALLOW_THREADS
    rm_bridge_sigint_end(&sigint);
    /* Stopped by Ctrl-C: Python's handler raises (KeyboardInterrupt). */
    if (status == RM_ECANCELED && PyErr_CheckSignals() < 0) {
        rm_diag_free(diag);
        return NULL;
    }
    if (status != RM_OK) {
        PyObject *entries = diagnostics_list(diag);
        PyObject *exc = entries ? PyObject_CallFunction(
                                      CompileError, "(sOi)",
                                      rm_diag_text(diag), entries, status)
                                : NULL;
        if (exc) PyErr_SetObject(CompileError, exc);
        Py_XDECREF(exc);
        Py_XDECREF(entries);
        rm_diag_free(diag);
        return NULL;
    }
    rm_diag_free(diag);
    CompiledObject *compiled = PyObject_New(CompiledObject, &CompiledType);
    if (!compiled) {
        Py_BEGIN_ALLOW_THREADS
        rm_pipeline_free(pipeline);
        Py_END_ALLOW_THREADS
        return NULL;
    }
    compiled->pipeline = pipeline;
    Py_INCREF(self);
    compiled->runtime = (PyObject *)self;
    return (PyObject *)compiled;
}

PyObject *rm_bridge_error_dict(const rm_run_error_t *e) {
    if (!e) Py_RETURN_NONE;
    return Py_BuildValue("{s:i,s:O,s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "status",
                         e->status, "transient",
                         e->transient ? Py_True : Py_False, "name",
                         rm_err_name(e->status), "node_id",
                         e->node_id ? e->node_id : "", "node_type",
                         e->node_type ? e->node_type : "", "operation",
                         e->operation ? e->operation : "", "message",
                         e->message ? e->message : "", "attempt",
                         e->attempt, "max_attempts", e->max_attempts);
}

/* The run's metrics / trace documents (JSON text, schema in
 * docs/metrics.md) when they were recorded, else None. */
PyObject *rm_bridge_extras_dict(const rm_run_result_t *r, int metrics,
                              int trace) {
    PyObject *extras = PyDict_New();
    const char *keys[2] = {"metrics", "trace"};
    for (int i = 0; extras && i < 2; i++) {
        char *text = NULL;
        size_t len = 0;
        if (i == 0 && metrics) text = rm_run_result_metrics_json(r, 0, &len);
        if (i == 1 && trace) text = rm_run_result_trace_json(r, &len);
        PyObject *value = text ? PyUnicode_DecodeUTF8(text, (Py_ssize_t)len,
                                                      "replace")
                               : (Py_INCREF(Py_None), Py_None);
        rm_free_string(text);
        if (!value || PyDict_SetItemString(extras, keys[i], value) < 0)
            Py_CLEAR(extras);
        Py_XDECREF(value);
    }
    return extras;
}

static PyObject *result_tuple(int status, rm_run_result_t *r, int metrics,
                              int trace) {
    PyObject *sinks = PyList_New(0);
    for (size_t s = 0; sinks && s < rm_run_result_sink_count(r); s++) {
        size_t count = rm_run_result_item_count(r, s);
        PyObject *items = PyList_New((Py_ssize_t)count);
        for (size_t i = 0; items && i < count; i++) {
            PyObject *triple =
                rm_py_item_to_triple(&rm_bridge_item_ops, rm_run_result_item(r, s, i));
            if (!triple) {
                Py_CLEAR(items);
                break;
            }
            PyList_SET_ITEM(items, (Py_ssize_t)i, triple);
        }
        PyObject *pair = items ? Py_BuildValue("(sO)",
                                               rm_run_result_sink_id(r, s),
                                               items)
                               : NULL;
        if (!pair || PyList_Append(sinks, pair) < 0) Py_CLEAR(sinks);
        Py_XDECREF(pair);
        Py_XDECREF(items);
    }
    PyObject *extras = rm_bridge_extras_dict(r, metrics, trace);
    PyObject *error = rm_bridge_error_dict(rm_run_result_error(r));
    PyObject *result = NULL;
    if (sinks && extras && error)
        result = Py_BuildValue("(iOOOK)", status, sinks, error, extras,
                               (unsigned long long)rm_run_result_total_ns(r));
    Py_XDECREF(sinks);
    Py_XDECREF(extras);
    Py_XDECREF(error);
    return result;
}

rm_run_options_t rm_bridge_run_options(unsigned exec_policy,
                                       unsigned queue_capacity, int metrics,
                                       int trace) {
    rm_run_options_t options = {
        .struct_size = sizeof(options),
        .queue_capacity = queue_capacity,
        .exec_policy = exec_policy,
        .flags = (metrics ? RM_RUN_METRICS : 0u) | (trace ? RM_RUN_TRACE : 0u),
        .max_items_per_input = 0, /* the environment's, else the default */
        .max_bytes_per_input = 0};
    return options;
}

static PyObject *compiled_run(CompiledObject *self, PyObject *args,
                              PyObject *kw) {
    static char *keywords[] = {"inputs", "exec_policy", "queue_capacity",
                               "metrics", "trace", "cancel", NULL};
    PyObject *inputs_arg, *cancel_arg = NULL;
    unsigned exec_policy = 0, queue_capacity = 0;
    int metrics = 0, trace = 0, ok;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|IIppO", keywords,
                                     &inputs_arg, &exec_policy,
                                     &queue_capacity, &metrics, &trace,
                                     &cancel_arg))
        return NULL;
    rm_cancel_t *cancel = rm_bridge_cancel_arg(cancel_arg, &ok);
    if (!ok) return NULL;
    if (!self->pipeline) {
        PyErr_SetString(PyExc_RuntimeError, "pipeline was freed");
        return NULL;
    }
    PyObject *inputs = PySequence_Fast(inputs_arg, "inputs must be a list");
    if (!inputs) return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(inputs);
    rm_item_t **items = PyMem_Calloc((size_t)count + 1, sizeof(*items));
    PyObject *result = NULL;
    if (!items) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        items[i] = rm_py_triple_to_item(&rm_bridge_item_ops,
                                        PySequence_Fast_GET_ITEM(inputs, i));
        if (!items[i]) goto done;
    }
    rm_bridge_sigint_t sigint;
    rm_run_options_t options =
        rm_bridge_run_options(exec_policy, queue_capacity, metrics, trace);
    cancel = rm_bridge_sigint_begin(cancel, &sigint);
    rm_run_result_t *r = NULL;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = rm_pipeline_run_cancellable(self->pipeline, &options, cancel,
                                         items, (size_t)count, &r);
    Py_END_ALLOW_THREADS
    rm_bridge_sigint_end(&sigint);
    if (!r) {
        PyErr_NoMemory();
        goto done;
    }
    /* Stopped by Ctrl-C: Python's handler raises (KeyboardInterrupt). */
    if (status == RM_ECANCELED && PyErr_CheckSignals() < 0) {
        rm_run_result_free(r);
        goto done;
    }
    result = result_tuple(status, r, metrics, trace);
    rm_run_result_free(r);
done:
    for (Py_ssize_t i = 0; items && i < count; i++) rm_item_unref(items[i]);
    PyMem_Free(items);
    Py_DECREF(inputs);
    return result;
}

static PyObject *compiled_node_ids(CompiledObject *self, PyObject *unused) {
    size_t count = rm_pipeline_node_count(self->pipeline);
    PyObject *list = PyList_New((Py_ssize_t)count);
    for (size_t i = 0; list && i < count; i++) {
        PyObject *pair = Py_BuildValue("(ss)",
                                       rm_pipeline_node_id(self->pipeline, i),
                                       rm_pipeline_node_type(self->pipeline, i));
        if (!pair) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, pair);
    }
    return list;
}

/* ---- module -------------------------------------------------------------- */

static PyObject *bridge_noop(PyObject *module, PyObject *arg) {
    Py_INCREF(arg);
    return arg; /* the cheapest call: measures Python -> C overhead */
}

static PyMethodDef runtime_methods[] = {
    {"node_types", (PyCFunction)runtime_node_types, METH_NOARGS,
     "Names of the node types the loaded plugins provide, sorted."},
    {"failures", (PyCFunction)runtime_failures, METH_NOARGS,
     "Plugin files that failed to load: [(path, reason), ...]."},
    {"search_dirs", (PyCFunction)runtime_search_dirs, METH_NOARGS,
     "The plugin directories that were scanned, in order."},
    {"compile", (PyCFunction)(void (*)(void))runtime_compile,
     METH_VARARGS | METH_KEYWORDS,
     "compile(manifest, source_name='<sdk>', cancel=None) -> Compiled; "
     "raises CompileError(text, [(status, where, message)], status) "
     "(ECANCELED when `cancel`, a CancelToken, or Ctrl-C stopped a node's "
     "create waiting to retry)."},
    {NULL, NULL, 0, NULL}};

static PyMethodDef compiled_methods[] = {
    {"run", (PyCFunction)(void (*)(void))compiled_run,
     METH_VARARGS | METH_KEYWORDS,
     "run(inputs, exec_policy=0, queue_capacity=0, metrics=False, "
     "trace=False, cancel=None) -> (status, sinks, error, {'metrics': json|None, "
     "'trace': json|None}, total_ns); the GIL is released while it runs."},
    {"session", (PyCFunction)(void (*)(void))rm_bridge_compiled_session,
     METH_VARARGS | METH_KEYWORDS,
     "session(exec_policy=0, queue_capacity=0, metrics=False, trace=False) "
     "-> Session: a streaming session with its own node instances."},
    {"nodes", (PyCFunction)compiled_node_ids, METH_NOARGS,
     "[(node_id, node_type), ...] in manifest order."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject RuntimeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "remotemedia._native._bridge.Runtime",
    .tp_basicsize = sizeof(RuntimeObject),
    .tp_dealloc = (destructor)runtime_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The plugin registry: Runtime(plugin_dirs=(), use_env=True, "
              "use_default=True)",
    .tp_methods = runtime_methods,
    .tp_init = (initproc)runtime_init,
    .tp_new = PyType_GenericNew,
};

static PyTypeObject CompiledType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "remotemedia._native._bridge.Compiled",
    .tp_basicsize = sizeof(CompiledObject),
    .tp_dealloc = (destructor)compiled_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A compiled pipeline; run it many times.",
    .tp_methods = compiled_methods,
};

static PyMethodDef module_methods[] = {
    {"noop", bridge_noop, METH_O, "Return the argument (call-overhead probe)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef bridge_module = {
    PyModuleDef_HEAD_INIT, "_bridge",
    "The native runtime of remotemedia (private; use remotemedia's API).", -1,
    module_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__bridge(void) {
    if (PyType_Ready(&RuntimeType) < 0 || PyType_Ready(&CompiledType) < 0 ||
        rm_bridge_session_type_ready() < 0 ||
        rm_py_items_init() < 0)
        return NULL;
    PyObject *module = PyModule_Create(&bridge_module);
    if (!module) return NULL;
    CompileError = PyErr_NewExceptionWithDoc(
        "remotemedia._native._bridge.CompileError",
        "The manifest did not compile: args = (text, [(status, where, "
        "message), ...], status).",
        PyExc_ValueError, NULL);
    Py_INCREF(&RuntimeType);
    if (!CompileError || rm_bridge_cancel_init(module) < 0 ||
        PyModule_AddObject(module, "CompileError", CompileError) < 0 ||
        PyModule_AddObject(module, "Runtime", (PyObject *)&RuntimeType) < 0 ||
        PyModule_AddStringConstant(module, "__version__", RM_VERSION) < 0 ||
        PyModule_AddIntConstant(module, "ABI_MAJOR", RM_ABI_MAJOR) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
