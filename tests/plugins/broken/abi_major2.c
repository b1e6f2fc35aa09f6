/* Built against a future ABI 2.0: the runtime must refuse it with a
 * message naming the file and both versions. */
#include "minimal.h"

RM_TEST_MINIMAL_TYPE(future_type, "TestFutureAbimajor2");
static const rm_node_type_t *const types[] = {&future_type};

static const rm_plugin_descriptor_t descriptor = {
    2, 0, (uint32_t)sizeof(rm_plugin_descriptor_t),
    .id = "org.remotemedia.test.abi-major2",
    .name = "Test plugin (ABI 2.0)",
    .version = "1.0.0",
    .node_types = types,
    .node_type_count = 1,
};

RM_PLUGIN_DEFINE(descriptor)
