/*
 * resampler.c — streaming resampler over libsoxr / libsamplerate with an
 * exact output length (see resampler.h). The engines do the filtering;
 * this file only moves samples between them and an output FIFO, and
 * enforces the length contract.
 */
#include "resampler.h"

#include <soxr.h>
#if RM_HAVE_SAMPLERATE
#include <samplerate.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <remotemedia/plugin.h>

#include "convert.h"

/* Output FIFO: planar keeps one plane per channel (`capacity` frames
 * apart), interleaved one plane of capacity * channels samples. Frames
 * live in [start, start + frames). */
typedef struct output_fifo {
    unsigned char *base;
    size_t capacity, start, frames;
    size_t sample_bytes;
    uint32_t channels;
    int planar;
} output_fifo_t;

struct rm_resampler {
    rm_resampler_config_t config;
    uint32_t output_format;
    soxr_t soxr;
#if RM_HAVE_SAMPLERATE
    SRC_STATE *src;
#endif
    float *src_in, *src_out; /* libsamplerate scratch, interleaved f32 */
    size_t src_in_capacity, src_out_capacity;
    output_fifo_t fifo;
    uint64_t frames_in, frames_out; /* pushed in, popped out */
    int finished;
};

static void set_error(char *error, size_t error_len, const char *fmt, ...)
    RM_PRINTF_LIKE(3, 4);
static void set_error(char *error, size_t error_len, const char *fmt, ...) {
    if (!error || !error_len) return;
    va_list args;
    va_start(args, fmt);
    vsnprintf(error, error_len, fmt, args);
    va_end(args);
}

uint64_t rm_resampled_length(uint64_t frames, uint32_t in_rate,
                             uint32_t out_rate) {
    /* Split to avoid overflowing frames * out_rate on huge streams. */
    uint64_t whole = frames / in_rate, rest = frames % in_rate;
    return whole * out_rate + (rest * out_rate + in_rate - 1) / in_rate;
}

/* ---- FIFO --------------------------------------------------------------- */

static unsigned char *fifo_plane(const output_fifo_t *fifo, uint32_t c) {
    return fifo->base + (size_t)c * fifo->capacity * fifo->sample_bytes;
}

static size_t fifo_frame_bytes(const output_fifo_t *fifo) {
    return fifo->planar ? fifo->sample_bytes
                        : fifo->sample_bytes * fifo->channels;
}

/* Make room for `extra` frames after the current end; 0 or -1. */
static int fifo_reserve(output_fifo_t *fifo, size_t extra) {
    size_t needed = fifo->frames + extra;
    if (fifo->start + needed <= fifo->capacity) return 0;
    size_t planes = fifo->planar ? fifo->channels : 1;
    size_t frame_bytes = fifo_frame_bytes(fifo);
    if (needed <= fifo->capacity) { /* compact in place */
        for (size_t p = 0; p < planes; p++) {
            unsigned char *plane = fifo_plane(fifo, (uint32_t)p);
            memmove(plane, plane + fifo->start * frame_bytes,
                    fifo->frames * frame_bytes);
        }
        fifo->start = 0;
        return 0;
    }
    size_t capacity = fifo->capacity ? fifo->capacity : 1024;
    while (capacity < needed) capacity *= 2;
    unsigned char *base = malloc(capacity * frame_bytes * planes);
    if (!base) return -1;
    for (size_t p = 0; p < planes; p++)
        if (fifo->frames)
            memcpy(base + p * capacity * frame_bytes,
                   fifo_plane(fifo, (uint32_t)p) + fifo->start * frame_bytes,
                   fifo->frames * frame_bytes);
    free(fifo->base);
    fifo->base = base;
    fifo->capacity = capacity;
    fifo->start = 0;
    return 0;
}

static unsigned char *fifo_end(const output_fifo_t *fifo, uint32_t c) {
    return fifo_plane(fifo, c) +
           (fifo->start + fifo->frames) * fifo_frame_bytes(fifo);
}

static size_t fifo_room(const output_fifo_t *fifo) {
    return fifo->capacity - fifo->start - fifo->frames;
}

/* Append interleaved f32 frames, converting to the FIFO's layout/format.
 * Room must have been reserved. */
#if RM_HAVE_SAMPLERATE
static void fifo_append_interleaved_f32(output_fifo_t *fifo,
                                        const float *in, size_t frames) {
    uint32_t channels = fifo->channels;
    if (frames == 0) return; /* the FIFO may not be allocated yet */
    if (!fifo->planar) {
        rm_convert_samples(in, RM_SAMPLE_F32, fifo_end(fifo, 0),
                           fifo->sample_bytes == 8 ? RM_SAMPLE_F64
                                                   : RM_SAMPLE_F32,
                           frames * channels);
    } else {
        for (uint32_t c = 0; c < channels; c++) {
            if (fifo->sample_bytes == 8) {
                double *plane = (double *)(void *)fifo_end(fifo, c);
                for (size_t i = 0; i < frames; i++)
                    plane[i] = in[i * channels + c];
            } else {
                float *plane = (float *)(void *)fifo_end(fifo, c);
                for (size_t i = 0; i < frames; i++)
                    plane[i] = in[i * channels + c];
            }
        }
    }
    fifo->frames += frames;
}
#endif

/* ---- create / destroy --------------------------------------------------- */

static soxr_datatype_t soxr_type_of(uint32_t sample_format, int planar) {
    soxr_datatype_t type;
    switch (sample_format) {
    case RM_SAMPLE_F64: type = SOXR_FLOAT64_I; break;
    case RM_SAMPLE_I32: type = SOXR_INT32_I; break;
    case RM_SAMPLE_I16: type = SOXR_INT16_I; break;
    default: type = SOXR_FLOAT32_I; break;
    }
    return planar ? (soxr_datatype_t)(type + SOXR_SPLIT) : type;
}

static int create_soxr(rm_resampler_t *r, char *error, size_t error_len) {
    static const unsigned long recipes[] = {SOXR_LQ, SOXR_MQ, SOXR_HQ,
                                            SOXR_VHQ};
    static const unsigned long phases[] = {
        SOXR_LINEAR_PHASE, SOXR_INTERMEDIATE_PHASE, SOXR_MINIMUM_PHASE};
    const rm_resampler_config_t *cfg = &r->config;
    int planar = cfg->layout == RM_LAYOUT_PLANAR;
    soxr_io_spec_t io = soxr_io_spec(soxr_type_of(cfg->sample_format, planar),
                                     soxr_type_of(r->output_format, planar));
    soxr_quality_spec_t quality =
        soxr_quality_spec(recipes[cfg->quality] | phases[cfg->phase], 0);
    soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
    soxr_error_t soxr_error = NULL;
    r->soxr = soxr_create(cfg->in_rate, cfg->out_rate, cfg->channels,
                          &soxr_error, &io, &quality, &runtime);
    if (!r->soxr || soxr_error) {
        set_error(error, error_len, "libsoxr cannot resample %u -> %u Hz: %s",
                  cfg->in_rate, cfg->out_rate,
                  soxr_error ? soxr_error : "unknown error");
        return -1;
    }
    return 0;
}

static int create_samplerate(rm_resampler_t *r, char *error,
                             size_t error_len) {
#if !RM_HAVE_SAMPLERATE
    (void)r;
    set_error(error, error_len, "%s", RM_RESAMPLE_NO_SAMPLERATE);
    return -1;
#else
    static const int converters[] = {SRC_SINC_FASTEST, SRC_SINC_MEDIUM_QUALITY,
                                     SRC_SINC_BEST_QUALITY,
                                     SRC_SINC_BEST_QUALITY};
    const rm_resampler_config_t *cfg = &r->config;
    double ratio = (double)cfg->out_rate / cfg->in_rate;
    if (cfg->phase != RM_RESAMPLE_LINEAR_PHASE) {
        set_error(error, error_len,
                  "phase other than linear needs backend soxr");
        return -1;
    }
    if (!src_is_valid_ratio(ratio)) {
        set_error(error, error_len,
                  "libsamplerate cannot resample %u -> %u Hz (ratio %g is "
                  "outside 1/256..256)",
                  cfg->in_rate, cfg->out_rate, ratio);
        return -1;
    }
    int src_error = 0;
    r->src = src_new(converters[cfg->quality], (int)cfg->channels, &src_error);
    if (!r->src) {
        set_error(error, error_len, "libsamplerate: %s",
                  src_strerror(src_error));
        return -1;
    }
    return 0;
#endif
}

rm_resampler_t *rm_resampler_create(const rm_resampler_config_t *config,
                                    char *error, size_t error_len) {
    if (config->in_rate < 1 || config->in_rate > RM_MAX_SAMPLE_RATE ||
        config->out_rate < 1 || config->out_rate > RM_MAX_SAMPLE_RATE) {
        set_error(error, error_len, "sample rates %u -> %u Hz: both must be "
                  "in 1..%d", config->in_rate, config->out_rate,
                  RM_MAX_SAMPLE_RATE);
        return NULL;
    }
    if (config->channels < 1 || config->channels > RM_MAX_CHANNELS) {
        set_error(error, error_len, "channels %u is outside 1..%d",
                  config->channels, RM_MAX_CHANNELS);
        return NULL;
    }
    if (!rm_sample_size(config->sample_format) ||
        config->quality > RM_RESAMPLE_VERY_HIGH ||
        config->phase > RM_RESAMPLE_MINIMUM_PHASE ||
        config->layout > RM_LAYOUT_PLANAR) {
        set_error(error, error_len, "invalid resampler configuration");
        return NULL;
    }
    rm_resampler_t *r = calloc(1, sizeof *r);
    if (!r) {
        set_error(error, error_len, "out of memory");
        return NULL;
    }
    r->config = *config;
    r->output_format = config->sample_format == RM_SAMPLE_F64 ? RM_SAMPLE_F64
                                                              : RM_SAMPLE_F32;
    r->fifo.sample_bytes = rm_sample_size(r->output_format);
    r->fifo.channels = config->channels;
    r->fifo.planar = config->layout == RM_LAYOUT_PLANAR;
    int status = config->backend == RM_RESAMPLE_SAMPLERATE
                     ? create_samplerate(r, error, error_len)
                     : create_soxr(r, error, error_len);
    if (status) {
        rm_resampler_destroy(r);
        return NULL;
    }
    return r;
}

void rm_resampler_destroy(rm_resampler_t *r) {
    if (!r) return;
    if (r->soxr) soxr_delete(r->soxr);
#if RM_HAVE_SAMPLERATE
    if (r->src) src_delete(r->src);
#endif
    free(r->src_in);
    free(r->src_out);
    free(r->fifo.base);
    free(r);
}

/* ---- engines ------------------------------------------------------------ */

/* Frames the engine may produce for `frames` more input, with margin. */
static size_t output_estimate(const rm_resampler_t *r, size_t frames) {
    return (size_t)rm_resampled_length(frames, r->config.in_rate,
                                       r->config.out_rate) + 64;
}

/* One soxr call per loop; in == NULL drains. */
static int run_soxr(rm_resampler_t *r, const void *input, size_t frames,
                    char *error, size_t error_len) {
    const rm_resampler_config_t *cfg = &r->config;
    size_t in_bytes = rm_sample_size(cfg->sample_format);
    size_t consumed = 0;
    const void *in_planes[RM_MAX_CHANNELS];
    void *out_planes[RM_MAX_CHANNELS];
    int planar = cfg->layout == RM_LAYOUT_PLANAR;
    for (int guard = 0; guard < 1 << 20; guard++) {
        if (fifo_reserve(&r->fifo, output_estimate(r, frames - consumed))) {
            set_error(error, error_len, "out of memory");
            return -1;
        }
        size_t room = fifo_room(&r->fifo);
        for (uint32_t c = 0; c < cfg->channels; c++) {
            out_planes[c] = fifo_end(&r->fifo, c);
            if (input && planar)
                in_planes[c] = (const unsigned char *)input +
                               ((size_t)c * frames + consumed) * in_bytes;
        }
        const void *in_arg =
            !input ? NULL
                   : planar ? (const void *)in_planes
                            : (const void *)((const unsigned char *)input +
                                             consumed * in_bytes *
                                                 cfg->channels);
        void *out_arg = planar ? (void *)out_planes : out_planes[0];
        size_t idone = 0, odone = 0;
        soxr_error_t soxr_error =
            soxr_process(r->soxr, in_arg, input ? frames - consumed : 0,
                         input ? &idone : NULL, out_arg, room, &odone);
        if (soxr_error) {
            set_error(error, error_len, "libsoxr: %s", soxr_error);
            return -1;
        }
        consumed += idone;
        r->fifo.frames += odone;
        int input_done = !input || consumed == frames;
        if (input_done && odone < room) return 0;
        if (input && idone == 0 && odone == 0) break;
    }
    set_error(error, error_len, "libsoxr made no progress");
    return -1;
}

#if RM_HAVE_SAMPLERATE
static int ensure_float_scratch(float **buffer, size_t *capacity,
                                size_t samples) {
    if (*capacity >= samples) return 0;
    float *grown = realloc(*buffer, samples * sizeof(float));
    if (!grown) return -1;
    *buffer = grown;
    *capacity = samples;
    return 0;
}
#endif

static int run_samplerate(rm_resampler_t *r, const void *input,
                          size_t frames, int end_of_input, char *error,
                          size_t error_len) {
#if !RM_HAVE_SAMPLERATE
    (void)r, (void)input, (void)frames, (void)end_of_input;
    set_error(error, error_len, "%s", RM_RESAMPLE_NO_SAMPLERATE);
    return -1;
#else
    const rm_resampler_config_t *cfg = &r->config;
    uint32_t channels = cfg->channels;
    if (frames) {
        if (ensure_float_scratch(&r->src_in, &r->src_in_capacity,
                                 frames * channels)) {
            set_error(error, error_len, "out of memory");
            return -1;
        }
        rm_audio_format_t from = {cfg->in_rate, (uint16_t)channels,
                                  (uint8_t)cfg->sample_format,
                                  (uint8_t)cfg->layout, frames};
        rm_audio_format_t to = from;
        to.sample_format = RM_SAMPLE_F32;
        to.layout = RM_LAYOUT_INTERLEAVED;
        rm_convert_audio(input, &from, r->src_in, &to);
    }
    size_t out_frames = output_estimate(r, frames);
    if (ensure_float_scratch(&r->src_out, &r->src_out_capacity,
                             out_frames * channels)) {
        set_error(error, error_len, "out of memory");
        return -1;
    }
    size_t consumed = 0;
    for (int guard = 0; guard < 1 << 20; guard++) {
        SRC_DATA data = {0};
        data.data_in = r->src_in + consumed * channels;
        data.input_frames = (long)(frames - consumed);
        data.data_out = r->src_out;
        data.output_frames = (long)out_frames;
        data.end_of_input = end_of_input;
        data.src_ratio = (double)cfg->out_rate / cfg->in_rate;
        int src_error = src_process(r->src, &data);
        if (src_error) {
            set_error(error, error_len, "libsamplerate: %s",
                      src_strerror(src_error));
            return -1;
        }
        consumed += (size_t)data.input_frames_used;
        size_t produced = (size_t)data.output_frames_gen;
        if (fifo_reserve(&r->fifo, produced)) {
            set_error(error, error_len, "out of memory");
            return -1;
        }
        fifo_append_interleaved_f32(&r->fifo, r->src_out, produced);
        if (consumed == frames && produced == 0) return 0;
        if (!end_of_input && consumed == frames && produced < out_frames)
            return 0;
    }
    set_error(error, error_len, "libsamplerate made no progress");
    return -1;
#endif
}

/* ---- public streaming API ----------------------------------------------- */

int rm_resampler_push(rm_resampler_t *r, const void *input, size_t frames,
                      char *error, size_t error_len) {
    if (r->finished) {
        set_error(error, error_len, "push after finish");
        return -1;
    }
    if (frames == 0) return 0;
    r->frames_in += frames;
    return r->config.backend == RM_RESAMPLE_SAMPLERATE
               ? run_samplerate(r, input, frames, 0, error, error_len)
               : run_soxr(r, input, frames, error, error_len);
}

int rm_resampler_finish(rm_resampler_t *r, char *error, size_t error_len) {
    if (r->finished) return 0;
    int status = r->config.backend == RM_RESAMPLE_SAMPLERATE
                     ? run_samplerate(r, NULL, 0, 1, error, error_len)
                     : run_soxr(r, NULL, 0, error, error_len);
    if (status) return status;
    r->finished = 1;
    uint64_t target = rm_resampled_length(r->frames_in, r->config.in_rate,
                                          r->config.out_rate);
    uint64_t have = r->frames_out + r->fifo.frames;
    if (have > target) {
        r->fifo.frames -= (size_t)(have - target);
    } else if (have < target) {
        size_t missing = (size_t)(target - have);
        if (fifo_reserve(&r->fifo, missing)) {
            set_error(error, error_len, "out of memory");
            return -1;
        }
        size_t planes = r->fifo.planar ? r->fifo.channels : 1;
        for (size_t p = 0; p < planes; p++)
            memset(fifo_end(&r->fifo, (uint32_t)p), 0,
                   missing * fifo_frame_bytes(&r->fifo));
        r->fifo.frames += missing;
    }
    return 0;
}

size_t rm_resampler_available(const rm_resampler_t *r) {
    uint64_t allowed = rm_resampled_length(r->frames_in, r->config.in_rate,
                                           r->config.out_rate) -
                       r->frames_out;
    return r->fifo.frames < allowed ? r->fifo.frames : (size_t)allowed;
}

void rm_resampler_pop(rm_resampler_t *r, void *output, size_t frames) {
    if (frames == 0) return;
    output_fifo_t *fifo = &r->fifo;
    size_t frame_bytes = fifo_frame_bytes(fifo);
    size_t planes = fifo->planar ? fifo->channels : 1;
    for (size_t p = 0; p < planes; p++)
        memcpy((unsigned char *)output + p * frames * frame_bytes,
               fifo_plane(fifo, (uint32_t)p) + fifo->start * frame_bytes,
               frames * frame_bytes);
    fifo->start += frames;
    fifo->frames -= frames;
    if (fifo->frames == 0) fifo->start = 0;
    r->frames_out += frames;
}

uint32_t rm_resampler_output_format(const rm_resampler_t *r) {
    return r->output_format;
}
