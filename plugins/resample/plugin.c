/*
 * plugin.c — AudioResampleNode: the plugin ABI layer over resampler.c.
 *
 * Emission (param "emit"): "per_input" (default) emits at most one item
 * per input item, one item late: what the engine produced up to input k
 * leaves when input k+1 arrives (nothing when soxr has not completed a
 * block: small chunks give fewer items), the rest with the tail at flush.
 * So a one-shot input (one item, then end of stream) gives ONE item of
 * exactly ceil(frames * to / from) frames, as the SDK's run() expects.
 * "immediate" emits whatever the engine has after each input (lowest
 * latency for live streams) and the tail as an extra item at flush.
 *
 * Streaming: one resampler per stream segment of constant input rate,
 * channel count, sample format and layout. A change of any of these
 * finishes the current resampler (its tail is emitted first, with the
 * exact length) and starts a new one. Input already at the target rate
 * is emitted unchanged (same item, new reference).
 */
#include <stdint.h>
#include <string.h>

#include <remotemedia/plugin.h>

#include "audio_check.h"
#include "convert.h"
#include "node_error.h"
#include "resampler.h"

#define NODE_NAME "AudioResampleNode"

typedef struct resample_node {
    const rm_host_t *host;
    uint32_t target_rate;
    rm_resample_quality_t quality;
    rm_resample_backend_t backend;
    rm_resample_phase_t phase;
    int emit_immediately;
    rm_resampler_t *resampler;     /* NULL when no stream segment is open */
    rm_audio_format_t stream_format; /* input format of the open segment */
} resample_node_t;

static const char *const quality_values[] = {"low", "medium", "high",
                                             "very_high", NULL};
static const char *const backend_values[] = {"soxr", "samplerate", NULL};
static const char *const phase_values[] = {"linear", "intermediate",
                                           "minimum", NULL};
static const char *const emit_values[] = {"per_input", "immediate", NULL};

static const rm_param_spec_t resample_params[] = {
    {"target_sample_rate", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX,
     "16000", 1, RM_MAX_SAMPLE_RATE, NULL, "output sample rate in Hz"},
    {"quality", RM_PARAM_ENUM, 0, "\"high\"", 0, 0, quality_values,
     "filter: low/medium/high/very_high = soxr LQ/MQ/HQ/VHQ "
     "(samplerate: SINC_FASTEST/MEDIUM/BEST/BEST)"},
    {"backend", RM_PARAM_ENUM, 0, "\"soxr\"", 0, 0, backend_values,
     "resampling engine: libsoxr (default) or libsamplerate (when the "
     "build found libsamplerate0-dev)"},
    {"phase", RM_PARAM_ENUM, 0, "\"linear\"", 0, 0, phase_values,
     "soxr filter phase; minimum = lowest latency for live streams "
     "(not linear-phase)"},
    {"emit", RM_PARAM_ENUM, 0, "\"per_input\"", 0, 0, emit_values,
     "per_input: at most one output per input, one input late (one-shot "
     "= one exact item); immediate: output as soon as ready, tail at flush"},
};

static const rm_port_spec_t audio_in[] = {
    {"in", RM_KIND_BIT(RM_KIND_AUDIO),
     "audio: f32/f64/i16/i32, interleaved or planar, any channel count"},
};
static const rm_port_spec_t audio_out[] = {
    {"out", RM_KIND_BIT(RM_KIND_AUDIO),
     "audio at target_sample_rate: f64 for f64 input, else f32; input "
     "layout and channels"},
};

static int resample_create(const rm_host_t *host, const rm_params_t *params,
                           void **instance, rm_error_t *err) {
    /* Present, typed and in range: the host validated them (plugin.h). */
    /* The enums' indices follow their declared values (quality_values
     * ... emit_values), which follow rm_resample_*_t. */
    int64_t rate;
    uint32_t quality, backend_index, phase_index, emit;
    host->param_int(params, "target_sample_rate", &rate);
    host->param_enum(params, "quality", &quality);
    host->param_enum(params, "backend", &backend_index);
    host->param_enum(params, "phase", &phase_index);
    host->param_enum(params, "emit", &emit);
    /* What the specs cannot say: the backends this build has, and that
     * only soxr has filter phases. */
    if (!rm_resampler_backend_available((rm_resample_backend_t)backend_index))
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "%s", RM_RESAMPLE_NO_SAMPLERATE);
    if (phase_index != RM_RESAMPLE_LINEAR_PHASE &&
        backend_index == RM_RESAMPLE_SAMPLERATE)
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "phase \"%s\" needs backend soxr (libsamplerate "
                             "filters are linear-phase)",
                             phase_values[phase_index]);
    resample_node_t *self = host->alloc(host, sizeof *self);
    if (!self)
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "out of memory");
    memset(self, 0, sizeof *self);
    self->host = host;
    self->target_rate = (uint32_t)rate;
    self->quality = (rm_resample_quality_t)quality;
    self->backend = (rm_resample_backend_t)backend_index;
    self->phase = (rm_resample_phase_t)phase_index;
    self->emit_immediately = emit == 1; /* "immediate" */
    *instance = self;
    return RM_OK;
}

/* The widest resampling ratio accepted, either way. */
#define RM__MAX_RATIO 256u

static int validate_audio(const rm_host_t *host, const rm_item_t *item,
                          uint32_t self_target_rate, rm_error_t *err) {
    int status = rm_audio_item_check(host, NODE_NAME, item, err);
    if (status != RM_OK) return status;
    const rm_audio_format_t *f = &item->audio;
    /* A ratio beyond 1:256 (1 Hz -> 16 kHz: 16000x) is not audio work but
     * a memory and time bomb (found by tests/fuzz: minutes per item). */
    if ((uint64_t)f->sample_rate * RM__MAX_RATIO < self_target_rate ||
        (uint64_t)self_target_rate * RM__MAX_RATIO < f->sample_rate)
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "cannot resample %u -> %u Hz: the ratio is "
                             "beyond 1:%u..%u:1",
                             f->sample_rate, self_target_rate, RM__MAX_RATIO,
                             RM__MAX_RATIO);
    return RM_OK;
}

/* Emit every frame the resampler has ready as one item. */
static int emit_available(resample_node_t *self, rm_emit_t *out,
                          rm_error_t *err) {
    const rm_host_t *host = self->host;
    size_t frames = rm_resampler_available(self->resampler);
    if (frames == 0) return RM_OK;
    rm_audio_format_t format = self->stream_format;
    format.sample_rate = self->target_rate;
    format.sample_format =
        (uint8_t)rm_resampler_output_format(self->resampler);
    format.frames = frames;
    rm_item_t *item = host->item_new_audio(host, &format);
    if (!item)
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "cannot allocate %zu output frames", frames);
    rm_resampler_pop(self->resampler, item->data, frames);
    return host->emit(out, 0, item);
}

/* Finish the open stream segment: drain, pad/trim, emit, free. */
static int finish_segment(resample_node_t *self, rm_emit_t *out,
                          rm_error_t *err) {
    if (!self->resampler) return RM_OK;
    char message[256];
    if (rm_resampler_finish(self->resampler, message, sizeof message))
        return rm_node_error(self->host, err, RM_EINTERNAL, 0, NODE_NAME,
                             "%s", message);
    int status = emit_available(self, out, err);
    rm_resampler_destroy(self->resampler);
    self->resampler = NULL;
    return status;
}

static int same_stream(const rm_audio_format_t *a,
                       const rm_audio_format_t *b) {
    return a->sample_rate == b->sample_rate && a->channels == b->channels &&
           a->sample_format == b->sample_format && a->layout == b->layout;
}

static int resample_process(void *instance, uint32_t input_port,
                            rm_item_t *item, rm_emit_t *out,
                            rm_error_t *err) {
    resample_node_t *self = instance;
    const rm_host_t *host = self->host;
    int status = validate_audio(host, item, self->target_rate, err);
    if (status) return status;
    if (item->audio.frames == 0) return RM_OK; /* documented: nothing */

    if (self->resampler && !same_stream(&self->stream_format, &item->audio)) {
        status = finish_segment(self, out, err);
        if (status) return status;
    }
    if (item->audio.sample_rate == self->target_rate)
        return host->emit(out, 0, host->item_ref(item));

    if (!self->resampler) {
        rm_resampler_config_t config = {
            .backend = self->backend,
            .quality = self->quality,
            .phase = self->phase,
            .in_rate = item->audio.sample_rate,
            .out_rate = self->target_rate,
            .channels = item->audio.channels,
            .sample_format = item->audio.sample_format,
            .layout = item->audio.layout,
        };
        char message[256];
        self->resampler = rm_resampler_create(&config, message,
                                              sizeof message);
        if (!self->resampler)
            return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                                 "%s", message);
        self->stream_format = item->audio;
    } else if (!self->emit_immediately) {
        /* per_input: the previous inputs' output leaves now */
        status = emit_available(self, out, err);
        if (status) return status;
    }
    char message[256];
    if (rm_resampler_push(self->resampler, item->data,
                          (size_t)item->audio.frames, message,
                          sizeof message))
        return rm_node_error(host, err, RM_EINTERNAL, 0, NODE_NAME,
                             "%s", message);
    return self->emit_immediately ? emit_available(self, out, err) : RM_OK;
}

static int resample_flush(void *instance, rm_emit_t *out, rm_error_t *err) {
    return finish_segment(instance, out, err);
}

static void resample_destroy(void *instance) {
    resample_node_t *self = instance;
    if (!self) return;
    rm_resampler_destroy(self->resampler);
    self->host->free(self->host, self);
}

static const rm_node_type_t resample_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = NODE_NAME,
    .description = "Resample audio (libsoxr or libsamplerate), exact "
                   "ceil(frames*to/from) output length, streaming",
    .version = "1.0.0",
    .capabilities = RM_CAP_STATEFUL | RM_CAP_STREAMING,
    .params = resample_params,
    .param_count = sizeof resample_params / sizeof resample_params[0],
    .input_count = 1,
    .inputs = audio_in,
    .outputs = audio_out,
    .output_count = 1,
    .create = resample_create,
    .process = resample_process,
    .flush = resample_flush,
    .destroy = resample_destroy,
};

static const rm_node_type_t *const node_types[] = {&resample_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.resample",
    .name = "Audio resampling",
    .version = "1.0.0",
    .description = "AudioResampleNode on libsoxr / libsamplerate",
    .node_types = node_types,
    .node_type_count = 1,
};

RM_PLUGIN_DEFINE(descriptor)
