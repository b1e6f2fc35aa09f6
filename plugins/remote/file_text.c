/* file_text.c — see file_text.h. */
#include "file_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file as a string, or NULL with `err`. */
char *rm_remote_read_file(const char *what, const char *path, char *err,
                       size_t err_len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s '%s': %s", what, path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    while (text) {
        size_t n = fread(text + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
        if (len + 1 == cap) {
            char *grown = cap < ((size_t)1 << 24) ? realloc(text, cap * 2) : NULL;
            if (!grown) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (!text) {
        snprintf(err, err_len, "%s '%s': too large or out of memory", what,
                 path);
        return NULL;
    }
    text[len] = '\0';
    return text;
}


void rm_remote_free_secret(char *secret) {
    if (!secret)
        return;
    volatile char *v = secret;
    for (size_t i = 0; v[i]; i++)
        v[i] = 0;
    free(secret);
}
