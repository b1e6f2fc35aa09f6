/*
 * segmenter_node.c — SpeechSegmenter: the plugin layer over segmenter.c.
 *
 * Port 0 "segments" (JSON), one item per input chunk:
 *   {"segments": [[start_s, end_s], ...]   segments closed by this chunk,
 *    "frames": [0/1, ...]                  decisions of the frames
 *                                          completed in this chunk,
 *    "scores": [...],                      their scores (0..1),
 *    "first_frame": n, "frame_s": seconds per frame}
 * and one at flush: {"segments": [...every segment of the stream...],
 *   "final": true, "total_frames": n}.
 * Port 1 "speech" (audio, with emit_audio): one mono f32 item per closed
 * segment, at the input rate, holding exactly [start_s, end_s) of the
 * channel mean.
 * The sample rate must stay constant over a stream (a change is an error
 * naming both rates).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "audio_check.h"
#include "audio_input.h"
#include "json_item.h"
#include "node_error.h"
#include "nodes.h"
#include "segmenter.h"

#define NODE_NAME "SpeechSegmenter"

typedef struct segmenter_node {
    const rm_host_t *host;
    rm_segmenter_config_t config;
    rm_segmenter_t *segmenter; /* created at the first chunk (needs rate) */
    mono_scratch_t scratch;
    int segments_used; /* something takes port 0 (else it is not built) */
} segmenter_node_t;

static const rm_param_spec_t segmenter_params[] = {
    {"frame_ms", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, "30", 10,
     30, NULL, "analysis frame: 10, 20 or 30 ms"},
    {"threshold", RM_PARAM_FLOAT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, "0.5",
     0, 1, NULL, "speech score threshold (hysteresis 0.1 below it)"},
    {"min_speech_ms", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX,
     "100", 0, 60000, NULL, "segments shorter than this are dropped"},
    {"min_silence_ms", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX,
     "300", 0, 60000, NULL,
     "silence needed to close a segment (shorter pauses are bridged)"},
    {"padding_ms", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, "30",
     0, 10000, NULL, "widen each segment by this on both sides"},
    {"emit_audio", RM_PARAM_BOOL, 0, "false", 0, 0, NULL,
     "also emit each segment's mono audio on port 1"},
    {"max_segment_ms", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX,
     "30000", 0, 3600000, NULL,
     "split longer segments (contiguous pieces); bounds the memory "
     "emit_audio needs; 0 = no limit"},
};

static const rm_port_spec_t audio_in[] = {
    {"in", RM_KIND_BIT(RM_KIND_AUDIO), "audio, any rate >= 1 kHz, format, "
                                       "layout, channels (mean is analysed)"},
};
static const rm_port_spec_t segmenter_outputs[] = {
    {"segments", RM_KIND_BIT(RM_KIND_JSON),
     "per chunk {segments, frames, scores, first_frame, frame_s}; at flush "
     "{segments (all), final, total_frames}"},
    {"speech", RM_KIND_BIT(RM_KIND_AUDIO),
     "with emit_audio: mono f32 audio of each closed segment"},
};

static int segmenter_create(const rm_host_t *host, const rm_params_t *params,
                            void **instance, rm_error_t *err) {
    int64_t frame_ms, min_speech, min_silence, padding, max_segment;
    double threshold;
    int emit_audio;
    host->param_int(params, "frame_ms", &frame_ms);
    host->param_float(params, "threshold", &threshold);
    host->param_int(params, "min_speech_ms", &min_speech);
    host->param_int(params, "min_silence_ms", &min_silence);
    host->param_int(params, "padding_ms", &padding);
    host->param_bool(params, "emit_audio", &emit_audio);
    host->param_int(params, "max_segment_ms", &max_segment);
    /* Present, typed and in range: the host validated them (plugin.h);
     * the range of frame_ms (10..30) cannot say "only 10, 20 or 30". */
    if (frame_ms != 10 && frame_ms != 20 && frame_ms != 30)
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "frame_ms %lld is not 10, 20 or 30",
                             (long long)frame_ms);
    segmenter_node_t *self = host->alloc(host, sizeof *self);
    if (!self)
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "out of memory");
    memset(self, 0, sizeof *self);
    self->host = host;
    self->config.frame_ms = (uint32_t)frame_ms;
    self->config.threshold = threshold;
    self->config.min_speech_ms = (uint32_t)min_speech;
    self->config.min_silence_ms = (uint32_t)min_silence;
    self->config.padding_ms = (uint32_t)padding;
    self->config.keep_audio = emit_audio;
    self->config.max_segment_ms = (uint32_t)max_segment;
    self->segments_used = rm_output_port_used(host, 0);
    *instance = self;
    return RM_OK;
}

/* "segments": [[start_s, end_s], ...] (the exact doubles, sample / rate,
 * as the shortest text that reads back). */
static void add_segments(cJSON *json, const rm_segment_t *segments,
                         size_t count) {
    cJSON *list = cJSON_AddArrayToObject(json, "segments");
    for (size_t i = 0; list && i < count; i++) {
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(list, pair);
        cJSON_AddItemToArray(pair, rm_json_number(segments[i].start_s));
        cJSON_AddItemToArray(pair, rm_json_number(segments[i].end_s));
    }
}

/* Emit the audio of the segments closed by the last push/finish. */
static int emit_segment_audio(segmenter_node_t *self, rm_emit_t *out,
                              rm_error_t *err) {
    const rm_host_t *host = self->host;
    size_t new_count = 0;
    rm_segmenter_segments(self->segmenter, NULL, &new_count);
    for (size_t i = 0; i < new_count; i++) {
        size_t samples = 0;
        const float *audio =
            rm_segmenter_segment_audio(self->segmenter, i, &samples);
        if (!samples) continue;
        rm_audio_format_t format = {self->config.sample_rate, 1,
                                    RM_SAMPLE_F32, RM_LAYOUT_PLANAR, samples};
        rm_item_t *item = host->item_new_audio(host, &format);
        if (!item)
            return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                                 "out of memory");
        memcpy(item->data, audio, samples * sizeof(float));
        int status = host->emit(out, 1, item);
        if (status) return status;
    }
    return RM_OK;
}

static int emit_json(segmenter_node_t *self, cJSON *json, rm_emit_t *out,
                     rm_error_t *err) {
    rm_item_t *item = rm_vad_json_item(self->host, json);
    if (!item)
        return rm_node_error(self->host, err, RM_ENOMEM, 0, NODE_NAME,
                             "out of memory");
    return self->host->emit(out, 0, item);
}

/* Port 0's item for the chunk just pushed. */
static int emit_chunk_json(segmenter_node_t *self, rm_emit_t *out,
                           rm_error_t *err) {
    size_t count = 0, new_count = 0;
    const rm_segment_t *segments =
        rm_segmenter_segments(self->segmenter, &count, &new_count);
    size_t frames = rm_segmenter_frame_count(self->segmenter);
    const uint8_t *decisions = rm_segmenter_decisions(self->segmenter);
    const float *scores = rm_segmenter_scores(self->segmenter);
    cJSON *json = cJSON_CreateObject();
    /* No segment yet: segments may be NULL (no arithmetic on it). */
    if (json)
        add_segments(json, new_count ? segments + (count - new_count) : NULL,
                     new_count);
    cJSON *decided = cJSON_AddArrayToObject(json, "frames");
    cJSON *scored = cJSON_AddArrayToObject(json, "scores");
    for (size_t i = 0; decided && scored && i < frames; i++) {
        cJSON_AddItemToArray(decided, cJSON_CreateRaw(decisions[i] ? "1" : "0"));
        cJSON_AddItemToArray(scored, rm_json_number_rounded(scores[i], 4));
    }
    rm_json_add_number(json, "first_frame",
                       (double)rm_segmenter_first_frame(self->segmenter));
    rm_json_add_number(json, "frame_s",
                       rm_segmenter_frame_seconds(self->segmenter));
    return emit_json(self, json, out, err);
}

static int segmenter_process(void *instance, uint32_t input_port,
                             rm_item_t *item, rm_emit_t *out,
                             rm_error_t *err) {
    segmenter_node_t *self = instance;
    const rm_host_t *host = self->host;
    int status = rm_audio_item_check(host, NODE_NAME, item, err);
    if (status) return status;
    if (item->audio.frames == 0) return RM_OK; /* documented: nothing */
    if (!self->segmenter) {
        self->config.sample_rate = item->audio.sample_rate;
        char message[256];
        self->segmenter =
            rm_segmenter_create(&self->config, message, sizeof message);
        if (!self->segmenter)
            return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                                 "%s", message);
    } else if (item->audio.sample_rate != self->config.sample_rate) {
        return rm_node_error(host, err, RM_EINVAL, 0, NODE_NAME,
                             "sample_rate changed from %u to %u Hz within a "
                             "stream",
                             self->config.sample_rate,
                             item->audio.sample_rate);
    }
    const float *mono =
        audio_input_mono(host, item, RM_SAMPLE_F32, &self->scratch);
    if (!mono ||
        rm_segmenter_push(self->segmenter, mono, (size_t)item->audio.frames))
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "out of memory");
    if (self->segments_used) {
        status = emit_chunk_json(self, out, err);
        if (status) return status;
    }
    return emit_segment_audio(self, out, err);
}

static int segmenter_flush(void *instance, rm_emit_t *out, rm_error_t *err) {
    segmenter_node_t *self = instance;
    const rm_host_t *host = self->host;
    size_t count = 0;
    const rm_segment_t *segments = NULL;
    uint64_t total_frames = 0;
    if (self->segmenter) {
        if (rm_segmenter_finish(self->segmenter))
            return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                                 "out of memory");
        segments = rm_segmenter_segments(self->segmenter, &count, NULL);
        total_frames = rm_segmenter_first_frame(self->segmenter);
    }
    int status = RM_OK;
    if (self->segments_used) { /* the final list: only if port 0 is taken */
        cJSON *json = cJSON_CreateObject();
        if (json) add_segments(json, segments, count);
        cJSON_AddTrueToObject(json, "final");
        rm_json_add_number(json, "total_frames", (double)total_frames);
        status = emit_json(self, json, out, err);
    }
    if (status || !self->segmenter) return status;
    return emit_segment_audio(self, out, err);
}

static void segmenter_destroy(void *instance) {
    segmenter_node_t *self = instance;
    if (!self) return;
    rm_segmenter_destroy(self->segmenter);
    mono_scratch_free(self->host, &self->scratch);
    self->host->free(self->host, self);
}

const rm_node_type_t rm_speech_segmenter_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = NODE_NAME,
    .description = "Spectral voice activity detection with segments "
                   "(speech band energy over an adaptive noise floor, "
                   "flatness, hysteresis, min durations, padding)",
    .version = "1.0.0",
    /* SPEECH_SEGMENTS: rmrun --batch --segments finds it by this. */
    .capabilities =
        RM_CAP_STATEFUL | RM_CAP_STREAMING | RM_CAP_SPEECH_SEGMENTS,
    .params = segmenter_params,
    .param_count = sizeof segmenter_params / sizeof segmenter_params[0],
    .input_count = 1,
    .inputs = audio_in,
    .outputs = segmenter_outputs,
    .output_count = 2,
    .create = segmenter_create,
    .process = segmenter_process,
    .flush = segmenter_flush,
    .destroy = segmenter_destroy,
};
