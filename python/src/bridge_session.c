/*
 * bridge_session.c — remotemedia._native._bridge.Session: a streaming
 * session (remotemedia/session.h) on a compiled pipeline, for the SDK's
 * Pipeline.process() and direct node calls (see bridge.c for the module).
 */
#include "bridge.h" /* first: it includes Python.h */
#include "bridge_cancel.h"

#include <stdlib.h>

/* A streaming session (remotemedia/session.h) on a compiled pipeline.
 * Every call that may run node code releases the GIL; outputs are taken
 * into a C array without the GIL and converted to triples after. A session
 * is [serial]: a second call while one runs (another thread) raises. */
typedef struct {
    PyObject_HEAD
    rm_session_t *session;
    CompiledObject *compiled; /* keeps the pipeline alive */
    rm_cancel_t *cancel; /* cancel(): any thread; Ctrl-C on the main one */
    int busy;
    int metrics, trace;
} SessionObject;

static PyTypeObject SessionType;

typedef struct {
    rm_session_output_t *items;
    size_t count, capacity;
} out_list_t;

/* Take every waiting output (no GIL needed). RM_ENOMEM when full. */
static int take_outputs(rm_session_t *session, out_list_t *list) {
    for (;;) {
        if (list->count == list->capacity) {
            size_t capacity = list->capacity ? list->capacity * 2 : 16;
            rm_session_output_t *grown =
                realloc(list->items, capacity * sizeof(*grown));
            if (!grown) return RM_ENOMEM;
            list->items = grown;
            list->capacity = capacity;
        }
        if (!rm_session_next(session, &list->items[list->count])) break;
        list->count++;
    }
    return RM_OK;
}

/* [(node_id, port, triple), ...]; drops the list's references. */
static PyObject *outputs_to_python(out_list_t *list) {
    PyObject *result = PyList_New((Py_ssize_t)list->count);
    for (size_t i = 0; i < list->count; i++) {
        rm_session_output_t *o = &list->items[i];
        if (result) {
            PyObject *triple = rm_py_item_to_triple(&rm_bridge_item_ops, o->item);
            PyObject *entry = triple ? Py_BuildValue("(sIN)", o->node_id,
                                                     o->port, triple)
                                     : NULL;
            if (!entry) Py_CLEAR(result);
            else PyList_SET_ITEM(result, (Py_ssize_t)i, entry);
        }
        rm_item_unref(o->item);
    }
    free(list->items);
    list->items = NULL;
    list->count = list->capacity = 0;
    return result;
}

static int session_enter(SessionObject *self) {
    if (!self->session) {
        PyErr_SetString(PyExc_RuntimeError, "the session is closed");
        return -1;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError,
                        "the session is in use by another call (a session "
                        "serves one caller at a time)");
        return -1;
    }
    self->busy = 1;
    return 0;
}

/* (status, [(node_id, port, triple), ...], finished) */
static PyObject *session_reply(SessionObject *self, int status,
                               out_list_t *list, int oom) {
    self->busy = 0;
    /* Cancelled by Ctrl-C: Python's handler raises (KeyboardInterrupt). */
    if (status == RM_ECANCELED && PyErr_CheckSignals() < 0) {
        Py_XDECREF(outputs_to_python(list));
        return NULL;
    }
    PyObject *outputs = outputs_to_python(list);
    if (oom && outputs) {
        Py_DECREF(outputs);
        return PyErr_NoMemory();
    }
    if (!outputs) return NULL;
    return Py_BuildValue("(iNO)", status, outputs,
                         rm_session_finished(self->session) ? Py_True
                                                            : Py_False);
}

PyObject *rm_bridge_compiled_session(CompiledObject *self, PyObject *args,
                                     PyObject *kw) {
    static char *keywords[] = {"exec_policy", "queue_capacity", "metrics",
                               "trace", NULL};
    unsigned exec_policy = 0, queue_capacity = 0;
    int metrics = 0, trace = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|IIpp", keywords,
                                     &exec_policy, &queue_capacity, &metrics,
                                     &trace))
        return NULL;
    if (!self->pipeline) {
        PyErr_SetString(PyExc_RuntimeError, "pipeline was freed");
        return NULL;
    }
    rm_cancel_t *cancel = rm_cancel_new();
    if (!cancel) return PyErr_NoMemory();
    rm_run_options_t options =
        rm_bridge_run_options(exec_policy, queue_capacity, metrics, trace);
    rm_session_t *session = NULL;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = rm_session_open(self->pipeline, &options, &session);
    Py_END_ALLOW_THREADS
    if (status != RM_OK) {
        rm_cancel_free(cancel);
        PyErr_Format(PyExc_RuntimeError, "cannot open a session: %s",
                     rm_strerror(status));
        return NULL;
    }
    SessionObject *object = PyObject_New(SessionObject, &SessionType);
    if (!object) {
        Py_BEGIN_ALLOW_THREADS
        rm_session_close(session, NULL);
        Py_END_ALLOW_THREADS
        rm_cancel_free(cancel);
        return NULL;
    }
    rm_session_set_cancel(session, cancel);
    object->session = session;
    object->cancel = cancel;
    object->busy = 0;
    object->metrics = metrics;
    object->trace = trace;
    Py_INCREF(self);
    object->compiled = self;
    return (PyObject *)object;
}

/* push(triple, entry=None, port=0) -> (status, outputs, finished): queue
 * one item (waiting for room), run until quiescent, take the outputs. A
 * refused push raises ValueError naming the problem. */
static PyObject *session_push(SessionObject *self, PyObject *args,
                              PyObject *kw) {
    static char *keywords[] = {"item", "entry", "port", "wait", NULL};
    PyObject *triple;
    const char *entry_id = NULL;
    unsigned port = 0;
    int wait = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|zIp", keywords, &triple,
                                     &entry_id, &port, &wait))
        return NULL;
    if (session_enter(self) < 0) return NULL;
    size_t entry = RM_SESSION_ALL_ENTRIES;
    if (entry_id &&
        rm_pipeline_node_index(self->compiled->pipeline, entry_id, &entry) !=
            RM_OK) {
        self->busy = 0;
        PyErr_Format(PyExc_ValueError, "no node '%s' in the pipeline",
                     entry_id);
        return NULL;
    }
    rm_item_t *item = rm_py_triple_to_item(&rm_bridge_item_ops, triple);
    if (!item) {
        self->busy = 0;
        return NULL;
    }
    out_list_t list = {0};
    int status, oom = 0;
    rm_bridge_sigint_t sigint;
    rm_bridge_sigint_begin(self->cancel, &sigint);
    Py_BEGIN_ALLOW_THREADS
    for (;;) {
        status = rm_session_push(self->session, entry, port, item, 0);
        if (status != RM_EAGAIN || rm_session_status(self->session) != RM_OK)
            break;
        /* Room only once outputs are taken: take them and push again. */
        if (take_outputs(self->session, &list) != RM_OK) {
            oom = 1;
            break;
        }
    }
    if (status != RM_EINVAL && wait) rm_session_poll(self->session, RM_POLL_WAIT);
    if (take_outputs(self->session, &list) != RM_OK) oom = 1;
    Py_END_ALLOW_THREADS
    rm_bridge_sigint_end(&sigint);
    rm_item_unref(item);
    if (status == RM_EINVAL && rm_session_status(self->session) == RM_OK) {
        const char *why = rm_session_push_error(self->session);
        self->busy = 0;
        PyObject *outputs = outputs_to_python(&list);
        Py_XDECREF(outputs);
        PyErr_SetString(PyExc_ValueError, why ? why : "push refused");
        return NULL;
    }
    return session_reply(self, rm_session_status(self->session), &list, oom);
}

/* end() -> (status, outputs, finished): end of stream, then as step(). */
static PyObject *session_step_common(SessionObject *self, int end) {
    if (session_enter(self) < 0) return NULL;
    out_list_t list = {0};
    int oom = 0;
    rm_bridge_sigint_t sigint;
    rm_bridge_sigint_begin(self->cancel, &sigint);
    Py_BEGIN_ALLOW_THREADS
    if (end) rm_session_end(self->session);
    rm_session_poll(self->session, RM_POLL_WAIT);
    if (take_outputs(self->session, &list) != RM_OK) oom = 1;
    Py_END_ALLOW_THREADS
    rm_bridge_sigint_end(&sigint);
    return session_reply(self, rm_session_status(self->session), &list, oom);
}

static PyObject *session_end(SessionObject *self, PyObject *unused) {
    return session_step_common(self, 1);
}

/* step() -> (status, outputs, finished): run until quiescent, take the
 * outputs (at most about queue_capacity per sink call: call again until
 * finished). */
static PyObject *session_step(SessionObject *self, PyObject *unused) {
    return session_step_common(self, 0);
}

/* cancel(): from any thread, also while another call runs: no new node
 * call starts; the session fails with ECANCELED. */
static PyObject *session_cancel(SessionObject *self, PyObject *unused) {
    (void)unused;
    rm_cancel_request(self->cancel);
    Py_RETURN_NONE;
}

static PyObject *session_error(SessionObject *self, PyObject *unused) {
    if (!self->session) Py_RETURN_NONE;
    return rm_bridge_error_dict(rm_session_error(self->session));
}

/* close() -> (status, error|None, extras, total_ns, stats): cancels an
 * unfinished session; stats: [(node_id, calls, total_ns), ...]. */
static PyObject *session_close(SessionObject *self, PyObject *unused) {
    if (!self->session) {
        PyErr_SetString(PyExc_RuntimeError, "the session is closed");
        return NULL;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the session is in use");
        return NULL;
    }
    rm_session_t *session = self->session;
    self->session = NULL;
    rm_run_result_t *r = NULL;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = rm_session_close(session, &r);
    Py_END_ALLOW_THREADS
    if (!r) return PyErr_NoMemory();
    PyObject *extras = rm_bridge_extras_dict(r, self->metrics, self->trace);
    PyObject *error = rm_bridge_error_dict(rm_run_result_error(r));
    PyObject *stats = PyList_New(0);
    for (size_t i = 0; stats && i < rm_run_result_node_count(r); i++) {
        const rm_node_stats_t *st = rm_run_result_node_stats(r, i);
        PyObject *entry = Py_BuildValue("(sKK)", st->node_id,
                                        (unsigned long long)st->calls,
                                        (unsigned long long)st->total_ns);
        if (!entry || PyList_Append(stats, entry) < 0) Py_CLEAR(stats);
        Py_XDECREF(entry);
    }
    PyObject *result = NULL;
    if (extras && error && stats)
        result = Py_BuildValue("(iOOKO)", status, error, extras,
                               (unsigned long long)rm_run_result_total_ns(r),
                               stats);
    Py_XDECREF(extras);
    Py_XDECREF(error);
    Py_XDECREF(stats);
    Py_BEGIN_ALLOW_THREADS
    rm_run_result_free(r);
    Py_END_ALLOW_THREADS
    return result;
}

static PyObject *session_get_closed(SessionObject *self, void *unused) {
    return PyBool_FromLong(self->session == NULL);
}

static void session_dealloc(SessionObject *self) {
    if (self->session) {
        rm_session_t *session = self->session;
        self->session = NULL;
        Py_BEGIN_ALLOW_THREADS
        rm_session_close(session, NULL);
        Py_END_ALLOW_THREADS
    }
    Py_XDECREF(self->compiled);
    rm_cancel_free(self->cancel);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef session_methods[] = {
    {"push", (PyCFunction)(void (*)(void))session_push,
     METH_VARARGS | METH_KEYWORDS,
     "push(item, entry=None, port=0, wait=True) -> (status, [(node_id, "
     "port, triple)], finished): queue one item at every entry node (or "
     "node `entry`), run until quiescent (wait) and take the outputs."},
    {"end", (PyCFunction)session_end, METH_NOARGS,
     "end() -> (status, outputs, finished): end of stream, then step()."},
    {"step", (PyCFunction)session_step, METH_NOARGS,
     "step() -> (status, outputs, finished): run until quiescent."},
    {"cancel", (PyCFunction)session_cancel, METH_NOARGS,
     "cancel(): stop the session (any thread, also during a call): no new "
     "node call starts; its status becomes ECANCELED."},
    {"error", (PyCFunction)session_error, METH_NOARGS,
     "The failure (dict as run()'s) or None."},
    {"close", (PyCFunction)session_close, METH_NOARGS,
     "close() -> (status, error|None, extras, total_ns, [(node_id, calls, "
     "total_ns)]): cancels an unfinished session."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef session_getset[] = {
    {"closed", (getter)session_get_closed, NULL, "Whether close() ran.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject SessionType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "remotemedia._native._bridge.Session",
    .tp_basicsize = sizeof(SessionObject),
    .tp_dealloc = (destructor)session_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A streaming session on a compiled pipeline.",
    .tp_methods = session_methods,
    .tp_getset = session_getset,
};

int rm_bridge_session_type_ready(void) { return PyType_Ready(&SessionType); }
