/*
 * rm_test_runtime.h — helpers for tests that drive the runtime: open a
 * registry on the test's own plugin directories (never the user's), and
 * compile a manifest or fail the test with every diagnostic.
 */
#ifndef RM_TEST_RUNTIME_H
#define RM_TEST_RUNTIME_H

#include <string.h>
#include <remotemedia/runtime.h>

#include "rm_test.h"

/* A registry on exactly `dirs` (no environment, no installed default). */
static inline rm_registry_t *rm_test_registry(const char *const *dirs,
                                              size_t count) {
    rm_registry_options_t options = {sizeof(options), dirs, count, 0, 0, NULL, 0};
    rm_registry_t *registry = NULL;
    ASSERT_EQ_INT(rm_registry_open(&options, &registry), RM_OK);
    return registry;
}

/* Compile `text` or fail the test with the diagnostics. */
static inline rm_pipeline_t *rm_test_compile(rm_registry_t *registry,
                                             const char *text) {
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *p = NULL;
    int status = rm_pipeline_compile(registry, text, strlen(text), "<test>",
                                     diag, &p);
    if (status != RM_OK)
        RM__FAIL("compile failed (%s):\n%s\nmanifest: %.400s",
                 rm_err_name(status), rm_diag_text(diag), text);
    rm_diag_free(diag);
    return p;
}

#endif /* RM_TEST_RUNTIME_H */
