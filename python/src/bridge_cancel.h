/*
 * bridge_cancel.h — CancelToken and Ctrl-C for native runs (see
 * bridge_cancel.c).
 */
#ifndef RM_BRIDGE_CANCEL_H
#define RM_BRIDGE_CANCEL_H

#include "py_items.h" /* first: it includes Python.h */

#include <remotemedia/runtime.h>

typedef struct {
    PyObject_HEAD
    rm_cancel_t *cancel;
} CancelTokenObject;

extern PyTypeObject rm_bridge_cancel_type;

/* The module's CancelToken type; remembers the main thread. -1: error. */
int rm_bridge_cancel_init(PyObject *module);
/* A `cancel=` argument: its token, or NULL for None / absent; *ok = 0 and
 * a TypeError set for anything else. */
rm_cancel_t *rm_bridge_cancel_arg(PyObject *arg, int *ok);
/* Around a blocking call that may use a token (GIL held at both): on the
 * main thread, SIGINT requests the token until end. begin returns the
 * token to run with: `cancel`, or on the main thread when it is NULL a
 * process-wide one (so Ctrl-C stops any blocking run there). */
typedef struct {
    rm_cancel_t *previous;
    int armed;
} rm_bridge_sigint_t;
rm_cancel_t *rm_bridge_sigint_begin(rm_cancel_t *cancel,
                                    rm_bridge_sigint_t *state);
void rm_bridge_sigint_end(rm_bridge_sigint_t *state);

#endif /* RM_BRIDGE_CANCEL_H */
