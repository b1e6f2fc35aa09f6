/*
 * resample_engine.h — the interface between resampler.c and its engines
 * (resample_soxr.c, resample_samplerate.c), and what they share: the
 * output FIFO the engines fill and resampler.c pops, and error messages.
 * Internal to the resample plugin.
 */
#ifndef RM_RESAMPLE_ENGINE_H
#define RM_RESAMPLE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <remotemedia/plugin.h>

#include "resampler.h"

/* Output FIFO: planar keeps one plane per channel (`capacity` frames
 * apart), interleaved one plane of capacity * channels samples. Frames
 * live in [start, start + frames). */
typedef struct rm_resample_fifo {
    unsigned char *base;
    size_t capacity, start, frames;
    size_t sample_bytes;
    uint32_t channels;
    int planar;
} rm_resample_fifo_t;

/* Make room for `extra` frames after the current end; 0 or -1. */
int rm_resample_fifo_reserve(rm_resample_fifo_t *fifo, size_t extra);
/* Where channel c's (planar) or every channel's next frame goes. */
unsigned char *rm_resample_fifo_end(const rm_resample_fifo_t *fifo,
                                    uint32_t c);
/* Reserved frames not yet used. */
size_t rm_resample_fifo_room(const rm_resample_fifo_t *fifo);
size_t rm_resample_fifo_frame_bytes(const rm_resample_fifo_t *fifo);
unsigned char *rm_resample_fifo_plane(const rm_resample_fifo_t *fifo,
                                      uint32_t c);

void rm_resample_error(char *error, size_t error_len, const char *fmt, ...)
    RM_PRINTF_LIKE(3, 4);

/* Frames an engine may produce for `frames` more input, with margin. */
size_t rm_resample_output_estimate(const rm_resampler_config_t *config,
                                   size_t frames);

/* One resampling engine. `state` is the engine's own. */
typedef struct rm_resample_engine {
    /* The engine for `config`, writing `output_format` samples; NULL with
     * a message. */
    void *(*create)(const rm_resampler_config_t *config,
                    uint32_t output_format, char *error, size_t error_len);
    /* Resamples `frames` frames of `input` (the config's format and
     * layout) into `fifo`; input NULL drains at the end of the stream.
     * 0, or -1 with a message. */
    int (*run)(void *state, const rm_resampler_config_t *config,
               rm_resample_fifo_t *fifo, const void *input, size_t frames,
               char *error, size_t error_len);
    void (*destroy)(void *state);
} rm_resample_engine_t;

extern const rm_resample_engine_t rm_resample_soxr_engine;
/* resample_samplerate.c, built only when the build found libsamplerate:
 * without it this weak reference is NULL and backend "samplerate" is
 * refused (RM_RESAMPLE_NO_SAMPLERATE). */
extern const rm_resample_engine_t rm_resample_samplerate_engine
    __attribute__((weak));

#endif /* RM_RESAMPLE_ENGINE_H */
