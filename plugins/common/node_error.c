/* node_error.c — see node_error.h. */
#include "node_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int rm_node_error(const rm_host_t *host, rm_error_t *err, int status,
                  int transient, const char *node_type, const char *fmt,
                  ...) {
    char small[512];
    va_list args;
    va_start(args, fmt);
    int len = vsnprintf(small, sizeof small, fmt, args);
    va_end(args);
    const char *text = len < 0 ? fmt : small;
    char *big = NULL;
    if (len >= (int)sizeof small && (big = malloc((size_t)len + 1))) {
        va_start(args, fmt);
        vsnprintf(big, (size_t)len + 1, fmt, args);
        va_end(args);
        text = big;
    }
    const char *id = host->node_id;
    if (id && *id)
        host->error_set(err, status, transient, "node '%s' (%s): %s", id,
                        node_type, text);
    else
        host->error_set(err, status, transient, "%s: %s", node_type, text);
    free(big);
    return status;
}
