/* Declares TestGain, which rmtest_good (scanned first) already provides,
 * plus a type of its own. The registry must keep the first TestGain, report
 * this file's as a duplicate naming both files, and still load
 * TestShadowOnly. */
#include "minimal.h"

RM_TEST_MINIMAL_TYPE(shadow_gain, "TestGain");
RM_TEST_MINIMAL_TYPE(shadow_only, "TestShadowOnly");
static const rm_node_type_t *const types[] = {&shadow_gain, &shadow_only};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.shadow",
    .name = "Test plugin (shadow)",
    .version = "9.9.9",
    .description = "Redeclares TestGain",
    .node_types = types,
    .node_type_count = 2,
};

RM_PLUGIN_DEFINE(descriptor)
