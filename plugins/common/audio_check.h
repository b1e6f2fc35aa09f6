/*
 * audio_check.h — the check every audio node runs on an incoming item.
 *
 * Shared by the audio plugins (audio-format, resample, vad) through
 * rm_plugin_kernels, like convert.c: kind, sample format, channels, rate, layout, and that the
 * payload holds frames x channels samples. The message names the node
 * (node_error.h: node 'id' (Type): ...) and the field, and says what
 * would be valid.
 */
#ifndef RM_AUDIO_CHECK_H
#define RM_AUDIO_CHECK_H

#include <remotemedia/plugin.h>

/* RM_OK, or the error (set on `err`) for the first field that is wrong. A
 * zero-frame item may have no data. */
int rm_audio_item_check(const rm_host_t *host, const char *node_name,
                        const rm_item_t *item, rm_error_t *err);

#endif /* RM_AUDIO_CHECK_H */
