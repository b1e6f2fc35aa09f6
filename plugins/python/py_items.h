/*
 * py_items.h — native items <-> Python, shared by the CPython adapter plugin
 * (plugins/python) and the SDK's bridge module (python/src/bridge.c).
 *
 * Both directions use the (kind, payload, meta) triples of
 * remotemedia.core.native_runner, which does the Python-side typing:
 *  - item -> triple: audio/tensor/bytes payloads are an ItemView (buffer
 *    protocol over the item's memory, holding one reference: no copy);
 *    json is a str; a Python-object item is the object.
 *  - triple -> item: buffers are wrapped (item_wrap) and released under the
 *    GIL when the item dies: no copy either.
 * The caller holds the GIL for every function here. Item operations come
 * through rm_py_item_ops_t because the plugin reaches them through its host
 * and the bridge through the runtime's public functions.
 */
#ifndef RM_PY_ITEMS_H
#define RM_PY_ITEMS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <remotemedia/plugin.h>

typedef struct rm_py_item_ops {
    void *ctx; /* the host for the plugin; unused by the bridge */
    rm_item_t *(*wrap)(void *ctx, uint32_t kind, void *data, size_t size,
                       uint32_t flags, rm_release_cb release, void *user);
    rm_item_t *(*new_json)(void *ctx, const char *json, size_t len);
    rm_item_t *(*ref)(rm_item_t *item);
    void (*unref)(rm_item_t *item);
    int (*is_writable)(const rm_item_t *item);
} rm_py_item_ops_t;

/* Ready the ItemView type (once; GIL held). -1 with a Python error set. */
int rm_py_items_init(void);
/* item -> (kind, payload, meta); new reference, or NULL with an error. */
PyObject *rm_py_item_to_triple(const rm_py_item_ops_t *ops, rm_item_t *item);
/* (kind, obj, meta) -> a new item (one reference), or NULL with an error. */
rm_item_t *rm_py_triple_to_item(const rm_py_item_ops_t *ops,
                                PyObject *triple);

#endif /* RM_PY_ITEMS_H */
