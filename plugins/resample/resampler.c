/*
 * resampler.c — streaming resampler with an exact output length (see
 * resampler.h). The engines (resample_soxr.c, resample_samplerate.c,
 * behind resample_engine.h) do the filtering into an output FIFO; this
 * file picks the engine and enforces the length contract.
 */
#include "resampler.h"

#include <stdlib.h>
#include <string.h>

#include <remotemedia/plugin.h>

#include "resample_engine.h"

struct rm_resampler {
    rm_resampler_config_t config;
    uint32_t output_format;
    const rm_resample_engine_t *engine;
    void *engine_state;
    rm_resample_fifo_t fifo;
    uint64_t frames_in, frames_out; /* pushed in, popped out */
    int finished;
};

uint64_t rm_resampled_length(uint64_t frames, uint32_t in_rate,
                             uint32_t out_rate) {
    /* Split to avoid overflowing frames * out_rate on huge streams. */
    uint64_t whole = frames / in_rate, rest = frames % in_rate;
    return whole * out_rate + (rest * out_rate + in_rate - 1) / in_rate;
}

static const rm_resample_engine_t *engine_of(rm_resample_backend_t backend) {
    return backend == RM_RESAMPLE_SAMPLERATE ? &rm_resample_samplerate_engine
                                             : &rm_resample_soxr_engine;
}

int rm_resampler_backend_available(rm_resample_backend_t backend) {
    return engine_of(backend) != NULL;
}

rm_resampler_t *rm_resampler_create(const rm_resampler_config_t *config,
                                    char *error, size_t error_len) {
    if (config->in_rate < 1 || config->in_rate > RM_MAX_SAMPLE_RATE ||
        config->out_rate < 1 || config->out_rate > RM_MAX_SAMPLE_RATE) {
        rm_resample_error(error, error_len, "sample rates %u -> %u Hz: both must be "
                  "in 1..%d", config->in_rate, config->out_rate,
                  RM_MAX_SAMPLE_RATE);
        return NULL;
    }
    if (config->channels < 1 || config->channels > RM_MAX_CHANNELS) {
        rm_resample_error(error, error_len, "channels %u is outside 1..%d",
                  config->channels, RM_MAX_CHANNELS);
        return NULL;
    }
    if (!rm_sample_size(config->sample_format) ||
        config->quality > RM_RESAMPLE_VERY_HIGH ||
        config->phase > RM_RESAMPLE_MINIMUM_PHASE ||
        config->layout > RM_LAYOUT_PLANAR) {
        rm_resample_error(error, error_len, "invalid resampler configuration");
        return NULL;
    }
    rm_resampler_t *r = calloc(1, sizeof *r);
    if (!r) {
        rm_resample_error(error, error_len, "out of memory");
        return NULL;
    }
    r->config = *config;
    r->output_format = config->sample_format == RM_SAMPLE_F64 ? RM_SAMPLE_F64
                                                              : RM_SAMPLE_F32;
    r->fifo.sample_bytes = rm_sample_size(r->output_format);
    r->fifo.channels = config->channels;
    r->fifo.planar = config->layout == RM_LAYOUT_PLANAR;
    r->engine = engine_of(config->backend);
    r->engine_state =
        r->engine ? r->engine->create(config, r->output_format, error,
                                      error_len)
                  : NULL;
    if (!r->engine)
        rm_resample_error(error, error_len, "%s", RM_RESAMPLE_NO_SAMPLERATE);
    if (!r->engine_state) {
        rm_resampler_destroy(r);
        return NULL;
    }
    return r;
}

void rm_resampler_destroy(rm_resampler_t *r) {
    if (!r) return;
    if (r->engine_state) r->engine->destroy(r->engine_state);
    free(r->fifo.base);
    free(r);
}

/* ---- public streaming API ----------------------------------------------- */

int rm_resampler_push(rm_resampler_t *r, const void *input, size_t frames,
                      char *error, size_t error_len) {
    if (r->finished) {
        rm_resample_error(error, error_len, "push after finish");
        return -1;
    }
    if (frames == 0) return 0;
    r->frames_in += frames;
    return r->engine->run(r->engine_state, &r->config, &r->fifo, input,
                          frames, error, error_len);
}

int rm_resampler_finish(rm_resampler_t *r, char *error, size_t error_len) {
    if (r->finished) return 0;
    int status = r->engine->run(r->engine_state, &r->config, &r->fifo, NULL,
                                0, error, error_len);
    if (status) return status;
    r->finished = 1;
    uint64_t target = rm_resampled_length(r->frames_in, r->config.in_rate,
                                          r->config.out_rate);
    uint64_t have = r->frames_out + r->fifo.frames;
    if (have > target) {
        r->fifo.frames -= (size_t)(have - target);
    } else if (have < target) {
        size_t missing = (size_t)(target - have);
        if (rm_resample_fifo_reserve(&r->fifo, missing)) {
            rm_resample_error(error, error_len, "out of memory");
            return -1;
        }
        size_t planes = r->fifo.planar ? r->fifo.channels : 1;
        for (size_t p = 0; p < planes; p++)
            memset(rm_resample_fifo_end(&r->fifo, (uint32_t)p), 0,
                   missing * rm_resample_fifo_frame_bytes(&r->fifo));
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
    rm_resample_fifo_t *fifo = &r->fifo;
    size_t frame_bytes = rm_resample_fifo_frame_bytes(fifo);
    size_t planes = fifo->planar ? fifo->channels : 1;
    for (size_t p = 0; p < planes; p++)
        memcpy((unsigned char *)output + p * frames * frame_bytes,
               rm_resample_fifo_plane(fifo, (uint32_t)p) + fifo->start * frame_bytes,
               frames * frame_bytes);
    fifo->start += frames;
    fifo->frames -= frames;
    if (fifo->frames == 0) fifo->start = 0;
    r->frames_out += frames;
}

uint32_t rm_resampler_output_format(const rm_resampler_t *r) {
    return r->output_format;
}
