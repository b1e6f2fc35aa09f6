/*
 * energy_nodes.c — VADNode and VoiceActivityDetector, the contract's RMS
 * energy detectors, over energy_vad.c.
 *
 * Both analyse the channel mean of each chunk in frames of
 * int(rate * frame_duration_ms / 1000) samples (the shorter tail is
 * dropped; it is not carried to the next chunk, as in the SDK). Int
 * formats are analysed in the normalized [-1, 1] scale. A NaN frame
 * energy (NaN samples) counts as 0; an infinite one stays infinite.
 *
 * VADNode ports: out 0 "audio" = the input item itself (new reference);
 * out 1 "info" = JSON {"is_speech": speech_frames > 0, "speech_frames",
 * "total_frames", "speech_ratio", "avg_energy", "frame_duration_ms"} (the
 * SDK's info dict; ratio and average are 0 for a chunk without a frame).
 * VoiceActivityDetector's threshold comes from the history BEFORE the
 * chunk (the SDK's rule: the first chunk uses energy_threshold); the
 * chunk's energies join the history after it is judged.
 * VoiceActivityDetector ports: out 0 "audio" = the input item (with
 * filter_mode: only for chunks where is_speech); out 1 "metadata" = JSON
 * {"is_speech", "speech_ratio", "avg_energy", "frame_duration_ms"} per
 * chunk, when include_metadata and not filter_mode.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "audio_check.h"
#include "audio_input.h"
#include "energy_vad.h"
#include "json_item.h"
#include "node_error.h"
#include "nodes.h"

typedef struct energy_node {
    const rm_host_t *host;
    const char *type_name;
    double frame_duration_ms;
    double energy_threshold;
    double speech_threshold;
    int filter_mode;
    int include_metadata;
    int adaptive;              /* VoiceActivityDetector */
    int info_used;             /* something takes port 1 (else no JSON) */
    rm_vad_history_t history;
    mono_scratch_t scratch;
    double *energies;          /* per-chunk frame energies */
    size_t energies_capacity;
} energy_node_t;

static const rm_param_spec_t vad_params[] = {
    {"frame_duration_ms", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX,
     "30", 1, 10000, NULL, "analysis frame length in milliseconds"},
    {"energy_threshold", RM_PARAM_FLOAT, RM_PARAM_HAS_MIN, "0.02", 0, 0,
     NULL, "a frame is speech when its RMS (full scale 1.0) exceeds this"},
};

static const rm_param_spec_t detector_params[] = {
    {"frame_duration_ms", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX,
     "30", 1, 10000, NULL, "analysis frame length in milliseconds"},
    {"energy_threshold", RM_PARAM_FLOAT, RM_PARAM_HAS_MIN, "0.02", 0, 0,
     NULL, "base RMS threshold; the adaptive threshold is "
     "0.7*2.5*e[int(0.3n)] + 0.3*energy_threshold over the last 100 "
     "frame energies"},
    {"speech_threshold", RM_PARAM_FLOAT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX,
     "0.3", 0, 1, NULL, "a chunk is speech when speech_ratio >= this"},
    {"filter_mode", RM_PARAM_BOOL, 0, "false", 0, 0, NULL,
     "emit only speech chunks' audio (and no metadata)"},
    {"include_metadata", RM_PARAM_BOOL, 0, "true", 0, 0, NULL,
     "emit the per-chunk JSON metadata on port 1"},
};

static const rm_port_spec_t audio_in[] = {
    {"in", RM_KIND_BIT(RM_KIND_AUDIO), "audio, any format/layout/channels"},
};
static const rm_port_spec_t vad_outputs[] = {
    {"audio", RM_KIND_BIT(RM_KIND_AUDIO), "the input audio, unchanged"},
    {"info", RM_KIND_BIT(RM_KIND_JSON),
     "{\"is_speech\",\"speech_frames\",\"total_frames\",\"speech_ratio\","
     "\"avg_energy\",\"frame_duration_ms\"}"},
};
static const rm_port_spec_t detector_outputs[] = {
    {"audio", RM_KIND_BIT(RM_KIND_AUDIO),
     "the input audio (filter_mode: speech chunks only)"},
    {"metadata", RM_KIND_BIT(RM_KIND_JSON),
     "{\"is_speech\",\"speech_ratio\",\"avg_energy\",\"frame_duration_ms\"}"},
};

static int energy_create(const rm_host_t *host, const rm_params_t *params,
                         void **instance, rm_error_t *err, int adaptive) {
    const char *type_name = adaptive ? "VoiceActivityDetector" : "VADNode";
    /* Present, typed and in range: the host validated them (plugin.h);
     * VADNode has no speech_threshold, filter_mode, include_metadata. */
    int64_t frame_ms = 30;
    double energy_threshold = 0.02, speech_threshold = 0.3;
    int filter_mode = 0, include_metadata = 1;
    host->param_int(params, "frame_duration_ms", &frame_ms);
    host->param_float(params, "energy_threshold", &energy_threshold);
    if (adaptive) {
        host->param_float(params, "speech_threshold", &speech_threshold);
        host->param_bool(params, "filter_mode", &filter_mode);
        host->param_bool(params, "include_metadata", &include_metadata);
    }
    energy_node_t *self = host->alloc(host, sizeof *self);
    if (!self)
        return rm_node_error(host, err, RM_ENOMEM, 0, type_name,
                             "out of memory");
    memset(self, 0, sizeof *self);
    self->host = host;
    self->type_name = type_name;
    self->frame_duration_ms = (double)frame_ms;
    self->energy_threshold = energy_threshold;
    self->speech_threshold = speech_threshold;
    self->filter_mode = filter_mode;
    self->include_metadata = include_metadata;
    self->adaptive = adaptive;
    self->info_used = rm_output_port_used(host, 1);
    *instance = self;
    return RM_OK;
}

static int vad_create(const rm_host_t *host, const rm_params_t *params,
                      void **instance, rm_error_t *err) {
    return energy_create(host, params, instance, err, 0);
}

static int detector_create(const rm_host_t *host, const rm_params_t *params,
                           void **instance, rm_error_t *err) {
    return energy_create(host, params, instance, err, 1);
}

/* Frame energies of one chunk (frames of `frame` > 0 samples) into
 * self->energies; returns the frame count or -1 (out of memory). */
static long chunk_energies(energy_node_t *self, const rm_item_t *item,
                           size_t frame) {
    size_t frames = (size_t)item->audio.frames / frame;
    if (frames == 0) return 0;
    if (frames > self->energies_capacity) {
        double *grown = self->host->realloc(self->host, self->energies,
                                            frames * sizeof(double));
        if (!grown) return -1;
        self->energies = grown;
        self->energies_capacity = frames;
    }
    uint32_t format = item->audio.sample_format == RM_SAMPLE_F32 &&
                              item->audio.channels == 1
                          ? RM_SAMPLE_F32
                          : RM_SAMPLE_F64;
    const void *mono = audio_input_mono(self->host, item, format,
                                        &self->scratch);
    if (!mono) return -1;
    for (size_t f = 0; f < frames; f++) {
        double energy =
            format == RM_SAMPLE_F32
                ? rm_vad_rms_f32((const float *)mono + f * frame, frame)
                : rm_vad_rms_f64((const double *)mono + f * frame, frame);
        self->energies[f] = isnan(energy) ? 0.0 : energy;
    }
    return (long)frames;
}

static int energy_process(void *instance, uint32_t input_port,
                          rm_item_t *item, rm_emit_t *out, rm_error_t *err) {
    energy_node_t *self = instance;
    const rm_host_t *host = self->host;
    int status = rm_audio_item_check(host, self->type_name, item, err);
    if (status) return status;
    if (item->audio.frames == 0) return RM_OK; /* documented: nothing */
    size_t frame = rm_vad_frame_length(item->audio.sample_rate,
                                       self->frame_duration_ms);
    if (frame == 0)
        return rm_node_error(host, err, RM_EINVAL, 0, self->type_name,
                             "frame_duration_ms=%g at %u Hz gives frames of 0 "
                             "samples; use a longer frame",
                             self->frame_duration_ms, item->audio.sample_rate);
    long frames = chunk_energies(self, item, frame);
    if (frames < 0)
        return rm_node_error(host, err, RM_ENOMEM, 0, self->type_name,
                             "out of memory");
    double threshold = self->energy_threshold;
    if (self->adaptive) {
        /* from the energies before this chunk (the SDK's rule), then the
         * chunk's own join the history */
        double recent[RM_VAD_HISTORY];
        size_t n = rm_vad_history_copy(&self->history, recent);
        threshold = rm_vad_adaptive_threshold(recent, n,
                                              self->energy_threshold);
        for (long f = 0; f < frames; f++)
            rm_vad_history_add(&self->history, self->energies[f]);
    }
    long speech_frames = 0;
    double energy_sum = 0.0;
    for (long f = 0; f < frames; f++) {
        if (self->energies[f] > threshold) speech_frames++;
        energy_sum += self->energies[f];
    }

    double speech_ratio = frames ? (double)speech_frames / frames : 0.0;
    double avg_energy = frames ? energy_sum / frames : 0.0;
    int is_speech = self->adaptive
                        /* >= as the old SDK did: a ratio exactly at the
                         * threshold is speech */
                        ? speech_ratio >= self->speech_threshold
                        : speech_frames > 0;
    if (!self->adaptive || !self->filter_mode || is_speech) {
        status = host->emit(out, 0, host->item_ref(item));
        if (status) return status;
    }
    if (!self->info_used ||
        (self->adaptive && (self->filter_mode || !self->include_metadata)))
        return RM_OK;
    cJSON *json = cJSON_CreateObject();
    cJSON_AddBoolToObject(json, "is_speech", is_speech);
    if (!self->adaptive) {
        rm_json_add_number(json, "speech_frames", (double)speech_frames);
        rm_json_add_number(json, "total_frames", (double)frames);
    }
    rm_json_add_number(json, "speech_ratio", speech_ratio);
    rm_json_add_number(json, "avg_energy", avg_energy);
    rm_json_add_number(json, "frame_duration_ms", self->frame_duration_ms);
    rm_item_t *info = rm_vad_json_item(host, json);
    if (!info)
        return rm_node_error(host, err, RM_ENOMEM, 0, self->type_name,
                             "out of memory");
    return host->emit(out, 1, info);
}

static void energy_destroy(void *instance) {
    energy_node_t *self = instance;
    if (!self) return;
    mono_scratch_free(self->host, &self->scratch);
    if (self->energies) self->host->free(self->host, self->energies);
    self->host->free(self->host, self);
}

const rm_node_type_t rm_vad_node_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "VADNode",
    .description = "Frame RMS energy voice activity detection (SDK "
                   "contract): audio on port 0, info JSON on port 1",
    .version = "1.0.0",
    .capabilities = 0,
    .params = vad_params,
    .param_count = sizeof vad_params / sizeof vad_params[0],
    .input_count = 1,
    .inputs = audio_in,
    .outputs = vad_outputs,
    .output_count = 2,
    .create = vad_create,
    .process = energy_process,
    .destroy = energy_destroy,
};

const rm_node_type_t rm_voice_activity_detector_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "VoiceActivityDetector",
    .description = "Adaptive-threshold energy VAD per chunk (SDK contract): "
                   "audio on port 0, metadata JSON on port 1",
    .version = "1.0.0",
    .capabilities = RM_CAP_STATEFUL | RM_CAP_STREAMING,
    .params = detector_params,
    .param_count = sizeof detector_params / sizeof detector_params[0],
    .input_count = 1,
    .inputs = audio_in,
    .outputs = detector_outputs,
    .output_count = 2,
    .create = detector_create,
    .process = energy_process,
    .destroy = energy_destroy,
};
