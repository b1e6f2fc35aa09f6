/*
 * audio_input.h — an incoming audio item's channel mean as a mono buffer
 * (the VAD nodes analyse the mean of all channels; the item itself is
 * checked by rm_audio_item_check, plugins/common/audio_check.h).
 */
#ifndef RM_VAD_AUDIO_INPUT_H
#define RM_VAD_AUDIO_INPUT_H

#include <stddef.h>

#include <remotemedia/plugin.h>

/* A reusable scratch buffer from the host allocator. */
typedef struct mono_scratch {
    void *data;
    size_t capacity;
} mono_scratch_t;

/* Mono view of the item as f32 (`format` RM_SAMPLE_F32) or f64: the item's
 * own data when it already is mono in that format, else the channel mean
 * (computed in double) converted into `scratch`. NULL on out of memory. */
const void *audio_input_mono(const rm_host_t *host, const rm_item_t *item,
                             uint32_t format, mono_scratch_t *scratch);
void mono_scratch_free(const rm_host_t *host, mono_scratch_t *scratch);

#endif /* RM_VAD_AUDIO_INPUT_H */
