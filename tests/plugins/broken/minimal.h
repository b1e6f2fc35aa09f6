/* A minimal valid node type, so each broken plugin is broken in exactly
 * one way. RM_TEST_MINIMAL_TYPE(variable, "TypeName") defines one. */
#ifndef RM_TEST_MINIMAL_H
#define RM_TEST_MINIMAL_H

#include <remotemedia/plugin.h>

static int minimal_create(const rm_host_t *host, const rm_params_t *params,
                          void **instance, rm_error_t *err) {
    (void)host; (void)params; (void)err;
    *instance = NULL;
    return RM_OK;
}

static int minimal_process(void *instance, uint32_t port, rm_item_t *item,
                           rm_emit_t *out, rm_error_t *err) {
    (void)instance; (void)port; (void)item; (void)out; (void)err;
    return RM_OK;
}

static void minimal_destroy(void *instance) { (void)instance; }

#define RM_TEST_MINIMAL_TYPE(variable, type_name)                           \
    static const rm_node_type_t variable = {                                \
        .struct_size = sizeof(rm_node_type_t),                              \
        .name = type_name,                                                  \
        .description = "test node type " type_name,                        \
        .version = "0.0.1",                                                 \
        .create = minimal_create,                                           \
        .process = minimal_process,                                         \
        .destroy = minimal_destroy,                                         \
    }

#endif
