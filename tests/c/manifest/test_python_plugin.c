/*
 * test_python_plugin.c — the CPython adapter as the manifest tests see it:
 * its two node types, declared like plugins/python declares them (stubs:
 * they never run), and its real node resolver (plugins/python/resolver.c,
 * linked from the static library rm_python_resolver), so the tests check
 * the adapter's "python" rules without building or loading Python.
 */
#include <string.h>
#include <remotemedia/plugin.h>

#include "test_stubs.h"

#include "resolver.h"

static const rm_param_spec_t python_params[] = {
    {"module", RM_PARAM_STRING, 0, "\"\"", 0, 0, 0, "module"},
    {"class", RM_PARAM_STRING, 0, "\"\"", 0, 0, 0, "class"},
    {"config", RM_PARAM_JSON, 0, "{}", 0, 0, 0, "the node's params"},
    {"instance", RM_PARAM_STRING, 0, "\"\"", 0, 0, 0, "live object key"},
    {"name", RM_PARAM_STRING, 0, "\"\"", 0, 0, 0, "node name"},
    {"is_streaming", RM_PARAM_BOOL, 0, "false", 0, 0, 0, "streaming"},
};

static const rm_node_type_t python_node = {
    sizeof(rm_node_type_t), "PythonNode", "test node", "1.0.0",
    RM_CAP_STATEFUL | RM_CAP_NEEDS_PYTHON, python_params, 6, 1, in_port,
    out_port, 1, 0, stub_create, stub_process, 0, 0, stub_destroy, 0};
static const rm_node_type_t python_source = {
    sizeof(rm_node_type_t), "PythonSource", "test node", "1.0.0",
    RM_CAP_STATEFUL | RM_CAP_SOURCE | RM_CAP_NEEDS_PYTHON, python_params, 6,
    0, 0, out_port, 1, 0, stub_create, 0, stub_generate, 0, stub_destroy, 0};
static const rm_node_type_t *const types[] = {&python_node, &python_source};

static const void *get_extension(const char *id) {
    return id && !strcmp(id, RM_NODE_RESOLVER_ID) ? &rm_python_resolver : 0;
}

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER, "org.remotemedia.test.python",
    "manifest test Python adapter", "1.0.0",
    "the CPython adapter's node types (stubs) and its node resolver", types,
    2, 0, get_extension};

RM_PLUGIN_DEFINE(descriptor)
