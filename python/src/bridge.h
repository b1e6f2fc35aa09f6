/*
 * bridge.h — what bridge.c (the module, Runtime, Compiled) and
 * bridge_session.c (Session) share.
 */
#ifndef RM_BRIDGE_H
#define RM_BRIDGE_H

#include "py_items.h" /* first: it includes Python.h */

#include <remotemedia/runtime.h>

typedef struct {
    PyObject_HEAD
    rm_pipeline_t *pipeline;
    PyObject *runtime; /* keeps the registry alive */
} CompiledObject;

/* Item conversion through the runtime's public item API. */
extern const rm_py_item_ops_t rm_bridge_item_ops;

/* A run's error as a dict (None when NULL); its metrics/trace documents. */
PyObject *rm_bridge_error_dict(const rm_run_error_t *e);
PyObject *rm_bridge_extras_dict(const rm_run_result_t *r, int metrics,
                                int trace);

/* The rm_run_options_t of Compiled.run and Compiled.session, from their
 * keywords exec_policy, queue_capacity, metrics and trace (the budgets:
 * the environment's, else the defaults). */
rm_run_options_t rm_bridge_run_options(unsigned exec_policy,
                                       unsigned queue_capacity, int metrics,
                                       int trace);

/* Compiled.session(...) -> Session; the Session type's PyType_Ready. */
PyObject *rm_bridge_compiled_session(CompiledObject *self, PyObject *args,
                                     PyObject *kw);
int rm_bridge_session_type_ready(void);

#endif /* RM_BRIDGE_H */
