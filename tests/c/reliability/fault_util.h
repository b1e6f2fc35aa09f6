/* fault_util.h — the fault plugin's registry and one-node pipelines, for
 * the reliability tests. */
#ifndef RM_FAULT_UTIL_H
#define RM_FAULT_UTIL_H

#include "../executor/exec_util.h"

static inline rm_registry_t *fault_registry(void) {
    static const char *const dirs[] = {RM_TEST_PLUGIN_DIR,
                                       RM_TEST_EXEC_PLUGIN_DIR,
                                       RM_TEST_FAULT_PLUGIN_DIR};
    rm_registry_options_t options = {sizeof(options), dirs, 3, 0, 0, NULL, 0};
    rm_registry_t *registry = NULL;
    ASSERT_EQ_INT(rm_registry_open(&options, &registry), RM_OK);
    ASSERT_NOT_NULL(rm_registry_find(registry, "Fault"));
    return registry;
}

/* A one-node pipeline: Fault with `params` and node-level `extra` fields. */
static inline rm_pipeline_t *fault_pipeline(rm_registry_t *reg, const char *params,
                                     const char *extra) {
    sbuf_t b = {0};
    sb_addf(&b, "{\"version\":\"v1\",\"nodes\":[{\"id\":\"flaky\","
                "\"node_type\":\"Fault\",\"params\":%s%s%s}]}",
            params, extra && *extra ? "," : "", extra ? extra : "");
    rm_pipeline_t *p = rm_test_compile(reg, b.s);
    free(b.s);
    return p;
}

#endif /* RM_FAULT_UTIL_H */
