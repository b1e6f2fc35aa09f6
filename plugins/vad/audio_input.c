/* audio_input.c — see audio_input.h. */
#include "audio_input.h"

#include "convert.h"

const void *audio_input_mono(const rm_host_t *host, const rm_item_t *item,
                             uint32_t format, mono_scratch_t *scratch) {
    const rm_audio_format_t *f = &item->audio;
    if (f->channels == 1 && f->sample_format == format) return item->data;
    rm_audio_format_t mono = *f;
    mono.channels = 1;
    mono.sample_format = (uint8_t)format;
    size_t bytes = rm_audio_bytes(&mono);
    if (bytes > scratch->capacity) {
        void *grown = host->realloc(host, scratch->data, bytes);
        if (!grown) return NULL;
        scratch->data = grown;
        scratch->capacity = bytes;
    }
    rm_convert_audio(item->data, f, scratch->data, &mono);
    return scratch->data;
}

void mono_scratch_free(const rm_host_t *host, mono_scratch_t *scratch) {
    if (scratch->data) host->free(host, scratch->data);
    scratch->data = NULL;
    scratch->capacity = 0;
}
