/*
 * test_nodes_plugin.c — node types the manifest tests validate against:
 * params of every type, a source, a sink, a two-input mixer, a pass-through
 * and an SDK-named MultiplyNode. They never run, so the vtable is stubs.
 * The CPython adapter's types and resolver are test_python_plugin.c's.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <remotemedia/plugin.h>

#include "test_stubs.h"

static const rm_port_spec_t mix_inputs[] = {
    {"left", RM_KINDS_ANY, "first input"},
    {"right", RM_KINDS_ANY, "second input"}};
/* Typed ports, for the kind check: JSON out, audio in. */
static const rm_port_spec_t json_out[] = {
    {"events", RM_KIND_BIT(RM_KIND_JSON), "JSON only"}};
static const rm_port_spec_t audio_in[] = {
    {"audio", RM_KIND_BIT(RM_KIND_AUDIO), "audio only"}};
static const rm_port_spec_t audio_or_tensor_in[] = {
    {"samples", RM_KIND_BIT(RM_KIND_AUDIO) | RM_KIND_BIT(RM_KIND_TENSOR),
     "audio or tensor"}};
static const rm_port_spec_t split_outputs[] = {
    {"low", RM_KINDS_ANY, "first output"},
    {"high", RM_KINDS_ANY, "second output"}};

static const char *const qualities[] = {"low", "medium", "high", 0};

static const rm_param_spec_t all_params[] = {
    {"flag", RM_PARAM_BOOL, 0, "false", 0, 0, 0, "a bool"},
    {"count", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, "1", 0, 100,
     0, "an int in [0, 100]"},
    {"gain", RM_PARAM_FLOAT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, "1.5", 0.0,
     10.0, 0, "a float in [0, 10]"},
    {"label", RM_PARAM_STRING, 0, "\"x\"", 0, 0, 0, "a string"},
    {"quality", RM_PARAM_ENUM, 0, "\"high\"", 0, 0, qualities, "an enum"},
    {"extra", RM_PARAM_JSON, 0, "{\"a\":[1,2]}", 0, 0, 0, "any JSON"},
    {"limit", RM_PARAM_INT, RM_PARAM_NULLABLE | RM_PARAM_HAS_MIN, "null", 1, 0,
     0, "nullable int >= 1"},
    {"big", RM_PARAM_INT, 0, "0", 0, 0, 0, "an unbounded int"},
};
static const rm_param_spec_t required_params[] = {
    {"path", RM_PARAM_STRING, RM_PARAM_REQUIRED, 0, 0, 0, 0, "required"},
};
static const rm_param_spec_t multiply_params[] = {
    {"factor", RM_PARAM_FLOAT, 0, "2.0", 0, 0, 0, "multiplier"},
};

#define TYPE(tname, caps, params, nparams, ins, nin, outs, nout, gen)         \
    static const rm_node_type_t tname##_type = {                              \
        sizeof(rm_node_type_t), #tname, "test node", "1.0.0", caps, params,   \
        nparams, nin, ins, outs, nout, 0, stub_create,                        \
        (caps) & RM_CAP_SOURCE ? 0 : stub_process, gen, 0, stub_destroy, 0}

TYPE(TestAllParams, 0, all_params, 8, in_port, 1, out_port, 1, 0);
TYPE(TestRequired, 0, required_params, 1, in_port, 1, out_port, 1, 0);
TYPE(TestSource, RM_CAP_SOURCE, 0, 0, 0, 0, out_port, 1, stub_generate);
TYPE(TestSink, 0, 0, 0, in_port, 1, 0, 0, 0);
TYPE(TestMix, 0, 0, 0, mix_inputs, 2, out_port, 1, 0);
TYPE(TestSplit, 0, 0, 0, in_port, 1, split_outputs, 2, 0);
TYPE(TestPass, 0, 0, 0, in_port, 1, out_port, 1, 0);
TYPE(MultiplyNode, 0, multiply_params, 1, in_port, 1, out_port, 1, 0);
TYPE(TestJsonSource, RM_CAP_SOURCE, 0, 0, 0, 0, json_out, 1, stub_generate);
TYPE(TestAudioSink, 0, 0, 0, audio_in, 1, 0, 0, 0);
TYPE(TestSamplesSink, 0, 0, 0, audio_or_tensor_in, 1, 0, 0, 0);

static const rm_node_type_t *const types[] = {
    &TestAllParams_type, &TestRequired_type, &TestSource_type,
    &TestSink_type,      &TestMix_type,      &TestSplit_type,
    &TestPass_type,      &MultiplyNode_type, &TestJsonSource_type,
    &TestAudioSink_type, &TestSamplesSink_type};

/* A node resolver (RM_NODE_RESOLVER_ID): a node carrying "via":
 * {"factor": F} becomes a MultiplyNode with that factor; "via":
 * {"params": P} a TestAllParams with params P; "via": {"type": "N..."}
 * names a type no plugin has. */
static int via_resolve(const char *node_json, const char **node_type,
                       char **params_json, char *err, size_t err_len) {
    cJSON *node = cJSON_Parse(node_json);
    const cJSON *via = cJSON_GetObjectItemCaseSensitive(node, "via");
    const cJSON *factor = cJSON_GetObjectItemCaseSensitive(via, "factor");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(via, "type");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(via, "params");
    int status = 0;
    if (cJSON_IsString(type)) {
        *node_type = "NoSuchType";
    } else if (params) {
        *node_type = "TestAllParams";
        *params_json = cJSON_PrintUnformatted(params);
    } else if (cJSON_IsNumber(factor)) {
        char text[64];
        snprintf(text, sizeof text, "{\"factor\":%g}", factor->valuedouble);
        *node_type = "MultiplyNode";
        cJSON *parsed = cJSON_Parse(text);
        *params_json = cJSON_PrintUnformatted(parsed);
        cJSON_Delete(parsed);
    } else {
        snprintf(err, err_len, "\"via\" needs a number \"factor\"");
        status = 1;
    }
    cJSON_Delete(node);
    return status;
}

static void via_free(char *s) { cJSON_free(s); }

static const rm_node_resolver_t via_resolver = {
    .struct_size = sizeof(rm_node_resolver_t),
    .precedence = 5,
    .manifest_key = "via",
    .resolve = via_resolve,
    .free_string = via_free,
};

static const void *get_extension(const char *id) {
    return id && !strcmp(id, RM_NODE_RESOLVER_ID) ? &via_resolver : NULL;
}

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER, "org.remotemedia.test.manifest",
    "manifest test nodes", "1.0.0", "node types for the manifest tests",
    types, sizeof types / sizeof *types, 0, get_extension};

RM_PLUGIN_DEFINE(descriptor)
