/*
 * A healthy test plugin with two node types that between them use every
 * part of a declaration: params of every type with ranges, enums, defaults,
 * a required and a nullable one; input/output ports; capabilities.
 *
 *   TestGain    multiplies f32 audio by `factor` (in place when allowed)
 *   TestSource  emits `count` JSON items {"index": i}
 */
#include <remotemedia/plugin.h>

#include <stdio.h>

/* Exported by name but hidden by the version script: tests check that
 * dlsym cannot see it (only rm_plugin_entry is exported). */
int rm_test_good_hidden_helper(void);
int rm_test_good_hidden_helper(void) { return 42; }

/* ---- TestGain ----------------------------------------------------------- */

typedef struct gain {
    const rm_host_t *host;
    double factor;
} gain_t;

static const char *const gain_modes[] = {"linear", "db", NULL};

static const rm_param_spec_t gain_params[] = {
    {"factor", RM_PARAM_FLOAT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, "1.0",
     0.0, 10.0, NULL, "multiplier applied to every sample"},
    {"delay", RM_PARAM_INT, RM_PARAM_HAS_MIN, "0", 0.0, 0.0, NULL,
     "frames of silence to prepend (accepted, unused)"},
    {"clip", RM_PARAM_BOOL, 0, "false", 0.0, 0.0, NULL,
     "clamp the result to [-1, 1]"},
    {"label", RM_PARAM_STRING, 0, "\"gain\"", 0.0, 0.0, NULL,
     "a name for logs"},
    {"mode", RM_PARAM_ENUM, 0, "\"linear\"", 0.0, 0.0, gain_modes,
     "how factor is read: linear, or decibels"},
    {"extra", RM_PARAM_JSON, RM_PARAM_NULLABLE, NULL, 0.0, 0.0, NULL,
     "any JSON, passed through"},
};

static const rm_port_spec_t gain_inputs[] = {
    {"in", RM_KIND_BIT(RM_KIND_AUDIO), "f32 audio"},
};
static const rm_port_spec_t gain_outputs[] = {
    {"out", RM_KIND_BIT(RM_KIND_AUDIO), "the same audio, scaled"},
};

static int gain_create(const rm_host_t *host, const rm_params_t *params,
                       void **instance, rm_error_t *err) {
    gain_t *gain = host->alloc(host, sizeof(*gain));
    if (!gain) return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    gain->host = host;
    if (host->param_float(params, "factor", &gain->factor) != RM_OK)
        gain->factor = 1.0;
    *instance = gain;
    return RM_OK;
}

static int gain_process(void *instance, uint32_t input_port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    gain_t *gain = instance;
    const rm_host_t *host = gain->host;
    if (item->kind != RM_KIND_AUDIO ||
        item->audio.sample_format != RM_SAMPLE_F32)
        return host->error_set(err, RM_EKIND, 0,
                               "TestGain takes f32 audio only");
    rm_item_t *writable = host->item_make_writable(host, host->item_ref(item));
    if (!writable) return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    float *samples = writable->data;
    size_t count = writable->size / sizeof(float);
    for (size_t i = 0; i < count; i++)
        samples[i] = (float)(samples[i] * gain->factor);
    return host->emit(out, 0, writable);
}

static void gain_destroy(void *instance) {
    gain_t *gain = instance;
    gain->host->free(gain->host, gain);
}

static const rm_node_type_t gain_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "TestGain",
    .description = "Multiply f32 audio by a factor (test plugin)",
    .version = "1.2.3",
    .capabilities = RM_CAP_CONCURRENT | RM_CAP_IN_PLACE,
    .params = gain_params,
    .param_count = sizeof(gain_params) / sizeof(gain_params[0]),
    .input_count = 1,
    .inputs = gain_inputs,
    .outputs = gain_outputs,
    .output_count = 1,
    .create = gain_create,
    .process = gain_process,
    .destroy = gain_destroy,
};

/* ---- TestSource --------------------------------------------------------- */

typedef struct source {
    const rm_host_t *host;
    int64_t count, next;
} source_t;

static const rm_param_spec_t source_params[] = {
    {"count", RM_PARAM_INT,
     RM_PARAM_REQUIRED | RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, NULL, 1.0,
     1000000.0, NULL, "how many items to emit"},
};

static const rm_port_spec_t source_outputs[] = {
    {"out", RM_KIND_BIT(RM_KIND_JSON) | RM_KIND_BIT(RM_KIND_BYTES),
     "{\"index\": i} per item"},
};

static int source_create(const rm_host_t *host, const rm_params_t *params,
                         void **instance, rm_error_t *err) {
    source_t *source = host->alloc(host, sizeof(*source));
    if (!source) return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    source->host = host;
    source->next = 0;
    if (host->param_int(params, "count", &source->count) != RM_OK) {
        host->free(host, source);
        return host->error_set(err, RM_EINVAL, 0, "count is required");
    }
    *instance = source;
    return RM_OK;
}

static int source_generate(void *instance, rm_emit_t *out, int *finished,
                           rm_error_t *err) {
    source_t *source = instance;
    const rm_host_t *host = source->host;
    char text[48];
    int len = snprintf(text, sizeof(text), "{\"index\": %lld}",
                       (long long)source->next);
    rm_item_t *item = host->item_new_json(host, text, (size_t)len);
    if (!item) return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    int status = host->emit(out, 0, item);
    *finished = ++source->next >= source->count;
    return status;
}

static void source_destroy(void *instance) {
    source_t *source = instance;
    source->host->free(source->host, source);
}

static const rm_node_type_t source_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "TestSource",
    .description = "Emit count JSON items (test plugin)",
    .version = "0.9.0",
    .capabilities = RM_CAP_SOURCE | RM_CAP_STATEFUL,
    .params = source_params,
    .param_count = 1,
    .outputs = source_outputs,
    .output_count = 1,
    .create = source_create,
    .generate = source_generate,
    .destroy = source_destroy,
};

/* ---- the plugin --------------------------------------------------------- */

static const rm_node_type_t *const types[] = {&gain_type, &source_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.good",
    .name = "Test plugin (good)",
    .version = "1.0.0",
    .description = "Two healthy node types for the registry tests",
    .node_types = types,
    .node_type_count = 2,
};

RM_PLUGIN_DEFINE(descriptor)
