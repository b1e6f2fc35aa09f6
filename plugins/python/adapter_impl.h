/*
 * adapter_impl.h — the interface between the adapter shim (adapter_entry.c,
 * the plugin file) and its implementation (python-adapter-impl.so, which
 * needs the Py* symbols to be global before it can be loaded).
 * Private to plugins/python; not part of the plugin ABI.
 */
#ifndef RM_PYTHON_ADAPTER_IMPL_H
#define RM_PYTHON_ADAPTER_IMPL_H

#include <remotemedia/plugin.h>

#include "module_beside.h" /* rm_module_table_head_t */

/* The implementation's exported rm_python_impl_t. */
#define RM_PYTHON_IMPL_SYMBOL "rm_python_adapter_impl"
/* rm_python_impl_t's layout: bump it when its fields change (the shim
 * refuses a module of another layout, see module_beside.h). */
#define RM_PYTHON_IMPL_LAYOUT 1u

typedef struct rm_python_impl {
    /* FIRST: RM_PYTHON_IMPL_LAYOUT and sizeof(rm_python_impl_t). */
    rm_module_table_head_t head;
    int (*create)(const rm_host_t *host, const rm_params_t *params,
                  void **instance, rm_error_t *err);
    int (*process)(void *instance, uint32_t port, rm_item_t *item,
                   rm_emit_t *out, rm_error_t *err);
    int (*generate)(void *instance, rm_emit_t *out, int *finished,
                    rm_error_t *err);
    int (*flush)(void *instance, rm_emit_t *out, rm_error_t *err);
    void (*destroy)(void *instance);
} rm_python_impl_t;

#endif /* RM_PYTHON_ADAPTER_IMPL_H */
