/*
 * json_writer.h — a tiny append-only JSON text builder for the VAD nodes'
 * result items. Memory comes from the host allocator. Non-finite numbers
 * are written as null (JSON has no NaN/Inf).
 */
#ifndef RM_VAD_JSON_WRITER_H
#define RM_VAD_JSON_WRITER_H

#include <stddef.h>

#include <remotemedia/plugin.h>

typedef struct json_writer {
    const rm_host_t *host;
    char *text;
    size_t length, capacity;
    int failed; /* sticky out-of-memory flag */
} json_writer_t;

void json_begin(json_writer_t *writer, const rm_host_t *host);
void json_raw(json_writer_t *writer, const char *text);
void json_number(json_writer_t *writer, double value, int significant);
void json_uint(json_writer_t *writer, unsigned long long value);
/* Hands the text to a new JSON item (NULL on failure) and frees it. */
rm_item_t *json_finish(json_writer_t *writer);
void json_discard(json_writer_t *writer);

#endif /* RM_VAD_JSON_WRITER_H */
