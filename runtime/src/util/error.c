/* error.c — rm_error_t, the error a plugin call fills (plugin.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

void rm__error_clear(rm_error_t *err) {
    if (!err) return;
    free(err->message);
    memset(err, 0, sizeof(*err));
}

char *rm__vstrdupf(const char *fmt, va_list ap) {
    va_list copy;
    va_copy(copy, ap);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *text = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (text) vsnprintf(text, (size_t)len + 1, fmt, ap);
    return text;
}

char *rm__strdupf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *text = rm__vstrdupf(fmt, ap);
    va_end(ap);
    return text;
}

int rm__error_set(rm_error_t *err, int status, int transient,
                  const char *fmt, ...) {
    if (!err) return status;
    free(err->message);
    err->status = status;
    err->transient = transient ? 1 : 0;
    err->is_set = 1;
    va_list ap;
    va_start(ap, fmt);
    err->message = rm__vstrdupf(fmt, ap);
    va_end(ap);
    return status;
}

