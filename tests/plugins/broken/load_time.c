/* A plugin that misbehaves while it is loaded, chosen at build time by
 * RM_TEST_LOAD_FAULT: 1 SIGSEGV in a constructor, 2 exit(0) in a
 * constructor, 3 exit(42) in a constructor, 4 a constructor that never
 * returns, 5 abort() in rm_plugin_entry. The registry must never load such
 * a file in its own process (the scanner child takes the hit). */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "minimal.h"

#if RM_TEST_LOAD_FAULT >= 1 && RM_TEST_LOAD_FAULT <= 4
__attribute__((constructor)) static void misbehave(void) {
#if RM_TEST_LOAD_FAULT == 1
    raise(SIGSEGV);
#elif RM_TEST_LOAD_FAULT == 2
    exit(0);
#elif RM_TEST_LOAD_FAULT == 3
    exit(42);
#else
    for (;;) pause();
#endif
}
#endif

RM_TEST_MINIMAL_TYPE(load_time_type, "LoadTime");
static const rm_node_type_t *const types[] = {&load_time_type};
static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.load-time",
    .name = "load-time fault",
    .version = "0.0.1",
    .node_types = types,
    .node_type_count = 1,
};

RM_EXTERN_C RM_PLUGIN_EXPORT const rm_plugin_descriptor_t *
rm_plugin_entry(void);
RM_EXTERN_C RM_PLUGIN_EXPORT const rm_plugin_descriptor_t *
rm_plugin_entry(void) {
#if RM_TEST_LOAD_FAULT == 5
    abort();
#endif
    return &descriptor;
}
