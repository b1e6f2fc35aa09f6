/* json_writer.c — see json_writer.h. */
#include "json_writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_begin(json_writer_t *w, const rm_host_t *host) {
    memset(w, 0, sizeof *w);
    w->host = host;
}

static void append(json_writer_t *w, const char *text, size_t n) {
    if (w->failed) return;
    if (w->length + n + 1 > w->capacity) {
        size_t capacity = w->capacity ? w->capacity : 256;
        while (capacity < w->length + n + 1) capacity *= 2;
        char *grown = w->host->realloc(w->host, w->text, capacity);
        if (!grown) {
            w->failed = 1;
            return;
        }
        w->text = grown;
        w->capacity = capacity;
    }
    memcpy(w->text + w->length, text, n);
    w->length += n;
    w->text[w->length] = '\0';
}

void json_raw(json_writer_t *w, const char *text) {
    append(w, text, strlen(text));
}

void json_number(json_writer_t *w, double value, int significant) {
    char buffer[40];
    if (!isfinite(value)) {
        json_raw(w, "null");
        return;
    }
    /* significant >= 17 asks for the exact double: print the shortest text
     * that reads back as it (0.03, not 0.029999999999999999); fewer digits
     * are a deliberate rounding (scores). Starting at 15 digits gives the
     * same digits as starting at 1 (%g drops trailing zeros) in at most
     * three tries, and keeps whole numbers below 1e15 whole (30, not the
     * 3e+01 that "%.1g" prints). */
    int n = 0;
    for (int digits = significant >= 17 ? 15 : significant; digits <= significant; digits++) {
        n = snprintf(buffer, sizeof buffer, "%.*g", digits, value);
        if (strtod(buffer, NULL) == value) break;
    }
    append(w, buffer, (size_t)n);
}

void json_uint(json_writer_t *w, unsigned long long value) {
    char buffer[32];
    int n = snprintf(buffer, sizeof buffer, "%llu", value);
    append(w, buffer, (size_t)n);
}

rm_item_t *json_finish(json_writer_t *w) {
    rm_item_t *item = NULL;
    if (!w->failed && w->text)
        item = w->host->item_new_json(w->host, w->text, w->length);
    json_discard(w);
    return item;
}

void json_discard(json_writer_t *w) {
    if (w->text) w->host->free(w->host, w->text);
    w->text = NULL;
    w->length = w->capacity = 0;
}
