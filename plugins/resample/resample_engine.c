/* resample_engine.c — what the resampling engines share: the output FIFO
 * and error messages (see resample_engine.h). */
#include "resample_engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rm_resample_error(char *error, size_t error_len, const char *fmt, ...) {
    if (!error || !error_len) return;
    va_list args;
    va_start(args, fmt);
    vsnprintf(error, error_len, fmt, args);
    va_end(args);
}

size_t rm_resample_output_estimate(const rm_resampler_config_t *config,
                                   size_t frames) {
    return (size_t)rm_resampled_length(frames, config->in_rate,
                                       config->out_rate) + 64;
}

unsigned char *rm_resample_fifo_plane(const rm_resample_fifo_t *fifo,
                                      uint32_t c) {
    return fifo->base + (size_t)c * fifo->capacity * fifo->sample_bytes;
}

size_t rm_resample_fifo_frame_bytes(const rm_resample_fifo_t *fifo) {
    return fifo->planar ? fifo->sample_bytes
                        : fifo->sample_bytes * fifo->channels;
}

int rm_resample_fifo_reserve(rm_resample_fifo_t *fifo, size_t extra) {
    size_t needed = fifo->frames + extra;
    if (fifo->start + needed <= fifo->capacity) return 0;
    size_t planes = fifo->planar ? fifo->channels : 1;
    size_t frame_bytes = rm_resample_fifo_frame_bytes(fifo);
    if (needed <= fifo->capacity) { /* compact in place */
        for (size_t p = 0; p < planes; p++) {
            unsigned char *plane = rm_resample_fifo_plane(fifo, (uint32_t)p);
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
                   rm_resample_fifo_plane(fifo, (uint32_t)p) +
                       fifo->start * frame_bytes,
                   fifo->frames * frame_bytes);
    free(fifo->base);
    fifo->base = base;
    fifo->capacity = capacity;
    fifo->start = 0;
    return 0;
}

unsigned char *rm_resample_fifo_end(const rm_resample_fifo_t *fifo,
                                    uint32_t c) {
    return rm_resample_fifo_plane(fifo, c) +
           (fifo->start + fifo->frames) * rm_resample_fifo_frame_bytes(fifo);
}

size_t rm_resample_fifo_room(const rm_resample_fifo_t *fifo) {
    return fifo->capacity - fifo->start - fifo->frames;
}
