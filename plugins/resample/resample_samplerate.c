/* resample_samplerate.c — the libsamplerate engine (see
 * resample_engine.h), built only when the build found libsamplerate.
 * libsamplerate takes interleaved f32: the input is converted into a
 * scratch buffer, the output converted into the FIFO's format/layout. */
#include <samplerate.h>
#include <stdlib.h>

#include "convert.h"
#include "resample_engine.h"

typedef struct samplerate_state {
    SRC_STATE *src;
    float *in, *out; /* scratch, interleaved f32 */
    size_t in_capacity, out_capacity;
} samplerate_state_t;

static void samplerate_engine_destroy(void *state) {
    samplerate_state_t *s = state;
    if (s->src) src_delete(s->src);
    free(s->in);
    free(s->out);
    free(s);
}

static void *samplerate_engine_create(const rm_resampler_config_t *cfg,
                                      uint32_t output_format, char *error,
                                      size_t error_len) {
    (void)output_format;
    static const int converters[] = {SRC_SINC_FASTEST, SRC_SINC_MEDIUM_QUALITY,
                                     SRC_SINC_BEST_QUALITY,
                                     SRC_SINC_BEST_QUALITY};
    double ratio = (double)cfg->out_rate / cfg->in_rate;
    if (cfg->phase != RM_RESAMPLE_LINEAR_PHASE) {
        rm_resample_error(error, error_len,
                          "phase other than linear needs backend soxr");
        return NULL;
    }
    if (!src_is_valid_ratio(ratio)) {
        rm_resample_error(error, error_len,
                          "libsamplerate cannot resample %u -> %u Hz (ratio "
                          "%g is outside 1/256..256)",
                          cfg->in_rate, cfg->out_rate, ratio);
        return NULL;
    }
    samplerate_state_t *s = calloc(1, sizeof *s);
    if (!s) {
        rm_resample_error(error, error_len, "out of memory");
        return NULL;
    }
    int src_error = 0;
    s->src = src_new(converters[cfg->quality], (int)cfg->channels, &src_error);
    if (!s->src) {
        rm_resample_error(error, error_len, "libsamplerate: %s",
                          src_strerror(src_error));
        samplerate_engine_destroy(s);
        return NULL;
    }
    return s;
}

static int ensure_scratch(float **buffer, size_t *capacity, size_t samples) {
    if (*capacity >= samples) return 0;
    float *grown = realloc(*buffer, samples * sizeof(float));
    if (!grown) return -1;
    *buffer = grown;
    *capacity = samples;
    return 0;
}

/* Append interleaved f32 frames, converting to the FIFO's layout/format.
 * Room must have been reserved. */
static void fifo_append_interleaved_f32(rm_resample_fifo_t *fifo,
                                        const float *in, size_t frames) {
    uint32_t channels = fifo->channels;
    if (frames == 0) return; /* the FIFO may not be allocated yet */
    if (!fifo->planar) {
        rm_convert_samples(in, RM_SAMPLE_F32, rm_resample_fifo_end(fifo, 0),
                           fifo->sample_bytes == 8 ? RM_SAMPLE_F64
                                                   : RM_SAMPLE_F32,
                           frames * channels);
    } else {
        for (uint32_t c = 0; c < channels; c++) {
            if (fifo->sample_bytes == 8) {
                double *plane = (double *)(void *)rm_resample_fifo_end(fifo, c);
                for (size_t i = 0; i < frames; i++)
                    plane[i] = in[i * channels + c];
            } else {
                float *plane = (float *)(void *)rm_resample_fifo_end(fifo, c);
                for (size_t i = 0; i < frames; i++)
                    plane[i] = in[i * channels + c];
            }
        }
    }
    fifo->frames += frames;
}

static int samplerate_engine_run(void *state,
                                 const rm_resampler_config_t *cfg,
                                 rm_resample_fifo_t *fifo, const void *input,
                                 size_t frames, char *error,
                                 size_t error_len) {
    samplerate_state_t *s = state;
    uint32_t channels = cfg->channels;
    int end_of_input = input == NULL;
    if (frames) {
        if (ensure_scratch(&s->in, &s->in_capacity, frames * channels)) {
            rm_resample_error(error, error_len, "out of memory");
            return -1;
        }
        rm_audio_format_t from = {cfg->in_rate, (uint16_t)channels,
                                  (uint8_t)cfg->sample_format,
                                  (uint8_t)cfg->layout, frames};
        rm_audio_format_t to = from;
        to.sample_format = RM_SAMPLE_F32;
        to.layout = RM_LAYOUT_INTERLEAVED;
        rm_convert_audio(input, &from, s->in, &to);
    }
    size_t out_frames = rm_resample_output_estimate(cfg, frames);
    if (ensure_scratch(&s->out, &s->out_capacity, out_frames * channels)) {
        rm_resample_error(error, error_len, "out of memory");
        return -1;
    }
    size_t consumed = 0;
    for (int guard = 0; guard < 1 << 20; guard++) {
        SRC_DATA data = {0};
        data.data_in = s->in ? s->in + consumed * channels : NULL;
        data.input_frames = (long)(frames - consumed);
        data.data_out = s->out;
        data.output_frames = (long)out_frames;
        data.end_of_input = end_of_input;
        data.src_ratio = (double)cfg->out_rate / cfg->in_rate;
        int src_error = src_process(s->src, &data);
        if (src_error) {
            rm_resample_error(error, error_len, "libsamplerate: %s",
                              src_strerror(src_error));
            return -1;
        }
        consumed += (size_t)data.input_frames_used;
        size_t produced = (size_t)data.output_frames_gen;
        if (rm_resample_fifo_reserve(fifo, produced)) {
            rm_resample_error(error, error_len, "out of memory");
            return -1;
        }
        fifo_append_interleaved_f32(fifo, s->out, produced);
        if (consumed == frames && produced == 0) return 0;
        if (!end_of_input && consumed == frames && produced < out_frames)
            return 0;
    }
    rm_resample_error(error, error_len, "libsamplerate made no progress");
    return -1;
}

const rm_resample_engine_t rm_resample_samplerate_engine = {
    samplerate_engine_create, samplerate_engine_run,
    samplerate_engine_destroy};
