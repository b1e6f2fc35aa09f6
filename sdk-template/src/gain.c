/*
 * gain.c — an example RemoteMedia plugin: one node type, GainNode.
 *
 * Copy this file to start your own plugin. It shows, in order:
 *   - parameters with types, defaults and ranges (validated by the host
 *     before create is ever called, so create only reads them);
 *   - audio in/out, modified in place when the input is not shared
 *     (copy-on-write through item_make_writable);
 *   - errors: a permanent one (wrong sample format) and a transient one
 *     (fail_every, to exercise a pipeline's retry policy);
 *   - the one exported symbol (RM_PLUGIN_DEFINE).
 * The rules behind each step are in docs/plugin-guide.md.
 */
#include <math.h>
#include <stdint.h>
#include <remotemedia/plugin.h>

typedef struct gain_node {
    const rm_host_t *host;  /* valid until destroy returns                   */
    float factor;           /* linear gain from gain_db                      */
    int clip;               /* clamp the result to [-1, 1]                   */
    int64_t fail_every;     /* 0: never; N: every Nth process call fails     */
    uint64_t calls;         /* process calls so far ([serial]: no lock)      */
} gain_node_t;

/* ---- declaration ---------------------------------------------------------- */

static const rm_param_spec_t gain_params[] = {
    {"gain_db", RM_PARAM_FLOAT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, "0.0",
     -60.0, 24.0, NULL, "gain in decibels (-60 .. +24; 0 = unchanged)"},
    {"clip", RM_PARAM_BOOL, 0, "false", 0, 0, NULL,
     "clamp the output to [-1, 1]"},
    {"fail_every", RM_PARAM_INT, RM_PARAM_HAS_MIN, "0", 0, 0, NULL,
     "testing: every Nth call fails with a transient error (0 = never)"},
};

static const rm_port_spec_t gain_inputs[] = {
    {"in", RM_KIND_BIT(RM_KIND_AUDIO), "f32 audio, any rate/channels/layout"},
};
static const rm_port_spec_t gain_outputs[] = {
    {"out", RM_KIND_BIT(RM_KIND_AUDIO), "the same audio, scaled"},
};

/* ---- vtable --------------------------------------------------------------- */

static int gain_create(const rm_host_t *host, const rm_params_t *params,
                       void **instance, rm_error_t *err) {
    double gain_db = 0.0;
    int clip = 0;
    int64_t fail_every = 0;
    /* The host validated every declared parameter (type, range, default),
     * so these reads cannot fail; checking keeps a typo in a name loud. */
    if (host->param_float(params, "gain_db", &gain_db) != RM_OK ||
        host->param_bool(params, "clip", &clip) != RM_OK ||
        host->param_int(params, "fail_every", &fail_every) != RM_OK)
        return host->error_set(err, RM_EINTERNAL, 0,
                               "GainNode: a declared parameter is missing");

    gain_node_t *node = host->alloc(host, sizeof(*node));
    if (!node)
        return host->error_set(err, RM_ENOMEM, 0, "GainNode: out of memory");
    node->host = host;
    node->factor = (float)pow(10.0, gain_db / 20.0);
    node->clip = clip;
    node->fail_every = fail_every;
    node->calls = 0;
    *instance = node;
    return RM_OK;
}

static int gain_process(void *instance, uint32_t input_port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    gain_node_t *node = instance;
    const rm_host_t *host = node->host;
    (void)input_port; /* one input */

    node->calls++;
    if (node->fail_every > 0 && node->calls % (uint64_t)node->fail_every == 0)
        /* Transient: the host may retry this same call (retry policy). */
        return host->error_set(err, RM_EAGAIN, 1,
                               "GainNode: simulated transient failure "
                               "(call %llu, fail_every=%lld)",
                               (unsigned long long)node->calls,
                               (long long)node->fail_every);

    if (item->kind != RM_KIND_AUDIO ||
        item->audio.sample_format != RM_SAMPLE_F32)
        /* Permanent: retrying the same input cannot help. Say what is
         * valid and how to get there. */
        return host->error_set(err, RM_EKIND, 0,
                               "GainNode takes f32 audio; put a "
                               "FormatConverterNode (target_format \"f32\") "
                               "before it");

    /* `item` is borrowed. Take a reference, then ask for a writable item:
     * the same one when nobody else holds it (in place, zero copy), else a
     * copy. Either way we own one reference to `writable`. */
    rm_item_t *writable = host->item_make_writable(host, host->item_ref(item));
    if (!writable)
        return host->error_set(err, RM_ENOMEM, 0, "GainNode: out of memory");

    float *samples = writable->data;
    size_t count = writable->size / sizeof(float); /* layout does not matter */
    const float factor = node->factor;
    if (node->clip) {
        for (size_t i = 0; i < count; i++) {
            float v = samples[i] * factor;
            samples[i] = v > 1.0f ? 1.0f : (v < -1.0f ? -1.0f : v);
        }
    } else {
        for (size_t i = 0; i < count; i++) samples[i] *= factor;
    }
    /* emit takes our reference, also when it fails. */
    int status = host->emit(out, 0, writable);
    if (status != RM_OK)
        return host->error_set(err, status, 0, "GainNode: emit failed: %s",
                               rm_strerror(status));
    return RM_OK;
}

static void gain_destroy(void *instance) {
    gain_node_t *node = instance;
    if (node) node->host->free(node->host, node);
}

static const rm_node_type_t gain_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "GainNode",
    .description = "Scale f32 audio by a gain in dB (optionally clipped)",
    .version = "1.0.0",
    /* IN_PLACE: modifies unshared input. Not CONCURRENT: `calls` is
     * per-instance state, so calls on one instance must not overlap. */
    .capabilities = RM_CAP_IN_PLACE,
    .params = gain_params,
    .param_count = sizeof(gain_params) / sizeof(gain_params[0]),
    .inputs = gain_inputs,
    .input_count = 1,
    .outputs = gain_outputs,
    .output_count = 1,
    .create = gain_create,
    .process = gain_process,
    .flush = NULL, /* stateless for the audio: nothing to emit at the end */
    .destroy = gain_destroy,
};

/* ---- the plugin ----------------------------------------------------------- */

static const rm_node_type_t *const gain_types[] = {&gain_type};

static const rm_plugin_descriptor_t gain_descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.example.gain",
    .name = "Example gain",
    .version = "1.0.0",
    .description = "GainNode: the RemoteMedia SDK template plugin",
    .node_types = gain_types,
    .node_type_count = 1,
};

/* The one exported symbol: rm_plugin_entry. */
RM_PLUGIN_DEFINE(gain_descriptor)
