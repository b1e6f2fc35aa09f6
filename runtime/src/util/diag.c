/* diag.c — collecting every validation problem, with its location. */
#include <remotemedia/diag.h>

#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rm_diag {
    rm_diag_entry_t *entries;
    size_t count, capacity;
    char *text; /* cache for rm_diag_text */
};

rm_diag_t *rm_diag_new(void) { return calloc(1, sizeof(rm_diag_t)); }

void rm_diag_free(rm_diag_t *diag) {
    if (!diag) return;
    for (size_t i = 0; i < diag->count; i++) {
        free((char *)diag->entries[i].where);
        free((char *)diag->entries[i].message);
    }
    free(diag->entries);
    free(diag->text);
    free(diag);
}

int rm_diag_add(rm_diag_t *diag, int status, const char *where,
                const char *fmt, ...) {
    if (!diag) return status;
    if (!rm__reserve((void **)&diag->entries, &diag->capacity, diag->count,
                     sizeof(*diag->entries)))
        return status;
    va_list ap;
    va_start(ap, fmt);
    char *message = rm__vstrdupf(fmt, ap);
    va_end(ap);
    if (!message) return status;
    rm_diag_entry_t *entry = &diag->entries[diag->count++];
    entry->status = status;
    entry->where = where ? strdup(where) : NULL;
    entry->message = message;
    free(diag->text);
    diag->text = NULL;
    return status;
}

size_t rm_diag_count(const rm_diag_t *diag) { return diag ? diag->count : 0; }

const rm_diag_entry_t *rm_diag_at(const rm_diag_t *diag, size_t index) {
    return (diag && index < diag->count) ? &diag->entries[index] : NULL;
}

const char *rm_diag_text(rm_diag_t *diag) {
    if (!diag || diag->count == 0) return "";
    if (diag->text) return diag->text;
    size_t total = 1;
    for (size_t i = 0; i < diag->count; i++) {
        const rm_diag_entry_t *e = &diag->entries[i];
        total += strlen(e->message) + (e->where ? strlen(e->where) + 2 : 0) + 1;
    }
    char *text = malloc(total);
    if (!text) return "";
    char *p = text;
    for (size_t i = 0; i < diag->count; i++) {
        const rm_diag_entry_t *e = &diag->entries[i];
        if (i) *p++ = '\n';
        if (e->where) p += sprintf(p, "%s: ", e->where);
        p += sprintf(p, "%s", e->message);
    }
    *p = '\0';
    diag->text = text;
    return text;
}
