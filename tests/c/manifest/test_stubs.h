/*
 * test_stubs.h — the vtable of the manifest tests' node types: they are
 * validated, never run, so every call is a stub (one copy for the test
 * plugins of this folder).
 */
#ifndef RM_TEST_STUBS_H
#define RM_TEST_STUBS_H

#include <remotemedia/plugin.h>

static inline int stub_create(const rm_host_t *host, const rm_params_t *params,
                              void **instance, rm_error_t *err) {
    (void)host; (void)params; (void)err;
    *instance = 0;
    return RM_OK;
}
static inline int stub_process(void *instance, uint32_t port, rm_item_t *item,
                               rm_emit_t *out, rm_error_t *err) {
    (void)instance; (void)port; (void)item; (void)out; (void)err;
    return RM_OK;
}
static inline int stub_generate(void *instance, rm_emit_t *out,
                                int *finished, rm_error_t *err) {
    (void)instance; (void)out; (void)err;
    *finished = 1;
    return RM_OK;
}
static inline void stub_destroy(void *instance) { (void)instance; }

static const rm_port_spec_t in_port[] = {{"in", RM_KINDS_ANY, "input"}};
static const rm_port_spec_t out_port[] = {{"out", RM_KINDS_ANY, "output"}};

#endif /* RM_TEST_STUBS_H */
