/*
 * bridge_cancel.c — cancelling native runs from Python.
 *
 * CancelToken wraps an rm_cancel_t (remotemedia/pipeline.h): Compiled.run
 * and Compiled.session take one (cancel=...), and token.cancel() — from
 * any thread, e.g. the event loop whose task awaiting the run was
 * cancelled — stops the run: no new node call starts, calls in flight
 * return, the run ends with RM_ECANCELED.
 *
 * Ctrl-C during a blocking call on the main thread. The main thread sits
 * in C with the GIL released, so Python's SIGINT handler only sets a flag
 * that nothing reads until the run ends. While such a call runs, SIGINT
 * goes first to rm__bridge_on_sigint, which requests the call's token and
 * then calls the handler it replaced (Python's: KeyboardInterrupt, or
 * asyncio's task cancellation, follows as soon as the call returns). It is
 * installed in front of whatever C handler is in place when a call begins
 * (Python's signal module may replace it at any time; it is re-chained at
 * the next call) and never in front of SIG_DFL / SIG_IGN.
 */
#include "bridge_cancel.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

/* ---- SIGINT while the main thread runs ------------------------------------ */

static _Atomic(rm_cancel_t *) main_cancel;  /* the main thread's call     */
static atomic_int in_handler;               /* handlers reading it        */
static struct sigaction chained;            /* the handler we replaced    */
static unsigned long main_ident;

static void rm__bridge_on_sigint(int signo, siginfo_t *info, void *uc) {
    atomic_fetch_add(&in_handler, 1);
    rm_cancel_request(atomic_load(&main_cancel));
    atomic_fetch_sub(&in_handler, 1);
    if (chained.sa_flags & SA_SIGINFO) {
        if (chained.sa_sigaction) chained.sa_sigaction(signo, info, uc);
    } else if (chained.sa_handler != SIG_DFL &&
               chained.sa_handler != SIG_IGN && chained.sa_handler) {
        chained.sa_handler(signo);
    }
}

static int handler_is_ours(const struct sigaction *sa) {
    return (sa->sa_flags & SA_SIGINFO) &&
           sa->sa_sigaction == rm__bridge_on_sigint;
}

static rm_cancel_t *main_default; /* the main thread's calls without one */

rm_cancel_t *rm_bridge_sigint_begin(rm_cancel_t *cancel,
                                    rm_bridge_sigint_t *state) {
    state->armed = 0;
    state->previous = NULL;
    if (PyThread_get_thread_ident() != main_ident) return cancel;
    if (!cancel) {
        cancel = main_default;
        if (!atomic_load(&main_cancel)) rm_cancel_reset(cancel);
    }
    struct sigaction now;
    if (sigaction(SIGINT, NULL, &now) != 0) return cancel;
    if (!handler_is_ours(&now)) {
        if (!(now.sa_flags & SA_SIGINFO) &&
            (now.sa_handler == SIG_DFL || now.sa_handler == SIG_IGN))
            return cancel; /* nobody turns SIGINT into an exception */
        struct sigaction ours = now;
        ours.sa_flags = (now.sa_flags | SA_SIGINFO) & ~SA_RESETHAND;
        ours.sa_sigaction = rm__bridge_on_sigint;
        /* `chained` is written before ours is live, on the main thread
         * only: the handler only ever sees a complete one. */
        chained = now;
        if (sigaction(SIGINT, &ours, NULL) != 0) return cancel;
    }
    /* A nested call (a Python node's own pipeline, inline) restores the
     * outer call's token at its end. */
    state->previous = atomic_exchange(&main_cancel, cancel);
    state->armed = 1;
    return cancel;
}

void rm_bridge_sigint_end(rm_bridge_sigint_t *state) {
    if (!state->armed) return;
    atomic_store(&main_cancel, state->previous);
    /* A handler on another thread may still hold the token: wait (it is a
     * few instructions) before the caller may free it. */
    while (atomic_load(&in_handler)) {
    }
    state->armed = 0;
}

/* ---- CancelToken ------------------------------------------------------------ */

static void token_dealloc(CancelTokenObject *self) {
    rm_cancel_free(self->cancel);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *token_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    if (!PyArg_ParseTuple(args, ":CancelToken") || (kw && PyDict_Size(kw))) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "CancelToken() takes no "
                                             "arguments");
        return NULL;
    }
    CancelTokenObject *self = (CancelTokenObject *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    self->cancel = rm_cancel_new();
    if (!self->cancel) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static PyObject *token_cancel(CancelTokenObject *self, PyObject *unused) {
    (void)unused;
    rm_cancel_request(self->cancel);
    Py_RETURN_NONE;
}

static PyObject *token_reset(CancelTokenObject *self, PyObject *unused) {
    (void)unused;
    rm_cancel_reset(self->cancel);
    Py_RETURN_NONE;
}

static PyObject *token_requested(CancelTokenObject *self, void *unused) {
    (void)unused;
    return PyBool_FromLong(rm_cancel_requested(self->cancel));
}

static PyMethodDef token_methods[] = {
    {"cancel", (PyCFunction)token_cancel, METH_NOARGS,
     "Stop the runs using this token (any thread): no new node call "
     "starts; they end with status ECANCELED."},
    {"reset", (PyCFunction)token_reset, METH_NOARGS,
     "Make the token usable for a new run."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef token_getset[] = {
    {"requested", (getter)token_requested, NULL,
     "Whether cancel() was called (or Ctrl-C hit a run using it).", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject rm_bridge_cancel_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "remotemedia._native._bridge.CancelToken",
    .tp_basicsize = sizeof(CancelTokenObject),
    .tp_dealloc = (destructor)token_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "CancelToken(): cancels the native runs given it "
              "(Compiled.run / Compiled.session, cancel=token).",
    .tp_methods = token_methods,
    .tp_getset = token_getset,
    .tp_new = token_new,
};

rm_cancel_t *rm_bridge_cancel_arg(PyObject *arg, int *ok) {
    *ok = 1;
    if (!arg || arg == Py_None) return NULL;
    if (!PyObject_TypeCheck(arg, &rm_bridge_cancel_type)) {
        PyErr_Format(PyExc_TypeError, "cancel must be a CancelToken or None, "
                     "not %.100s", Py_TYPE(arg)->tp_name);
        *ok = 0;
        return NULL;
    }
    return ((CancelTokenObject *)arg)->cancel;
}

int rm_bridge_cancel_init(PyObject *module) {
    PyObject *threading = PyImport_ImportModule("threading");
    PyObject *main = threading
                         ? PyObject_CallMethod(threading, "main_thread", NULL)
                         : NULL;
    PyObject *ident = main ? PyObject_GetAttrString(main, "ident") : NULL;
    Py_XDECREF(threading);
    Py_XDECREF(main);
    if (!ident) return -1;
    main_ident = PyLong_AsUnsignedLong(ident);
    Py_DECREF(ident);
    if (PyErr_Occurred() || PyType_Ready(&rm_bridge_cancel_type) < 0)
        return -1;
    if (!main_default && !(main_default = rm_cancel_new())) {
        PyErr_NoMemory();
        return -1;
    }
    Py_INCREF(&rm_bridge_cancel_type);
    if (PyModule_AddObject(module, "CancelToken",
                           (PyObject *)&rm_bridge_cancel_type) < 0) {
        Py_DECREF(&rm_bridge_cancel_type);
        return -1;
    }
    return 0;
}
