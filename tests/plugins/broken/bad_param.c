/* Healthy except for its parameter specs: a default that is not JSON, a
 * default outside its own range, and an enum without values. The registry
 * must report all three, naming the type and each parameter. */
#include "minimal.h"

static const rm_param_spec_t bad_params[] = {
    {"volume", RM_PARAM_FLOAT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, "20",
     0.0, 10.0, NULL, "default out of its own range"},
    {"title", RM_PARAM_STRING, 0, "abc", 0.0, 0.0, NULL,
     "default is not JSON (unquoted)"},
    {"flavour", RM_PARAM_ENUM, 0, "\"x\"", 0.0, 0.0, NULL,
     "enum without enum_values"},
};

static const rm_node_type_t bad_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "TestBadParams",
    .description = "declares broken parameter specs",
    .version = "0.0.1",
    .params = bad_params,
    .param_count = 3,
    .create = minimal_create,
    .process = minimal_process,
    .destroy = minimal_destroy,
};
static const rm_node_type_t *const types[] = {&bad_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.bad-param",
    .name = "Test plugin (bad params)",
    .version = "1.0.0",
    .node_types = types,
    .node_type_count = 1,
};

RM_PLUGIN_DEFINE(descriptor)
