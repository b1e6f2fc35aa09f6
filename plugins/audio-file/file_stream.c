/* file_stream.c — see file_stream.h. */
#include "file_stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

struct rm_file_stream {
    FILE *file;
    char buffer[RM_FILE_STREAM_BUFFER]; /* stdio's, until fclose */
};

rm_file_stream_t *rm_file_stream_open(const char *path) {
    rm_file_stream_t *s = malloc(sizeof *s);
    if (!s) {
        errno = ENOMEM;
        return NULL;
    }
    /* Not opened unless regular: opening a FIFO and closing it again could
     * drop what its writer wrote in between (EPIPE for the writer). */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        free(s);
        errno = ESPIPE;
        return NULL;
    }
    s->file = fopen(path, "rb");
    if (!s->file) {
        int saved = errno;
        free(s);
        errno = saved;
        return NULL;
    }
    /* glibc sizes the buffer only when given one. */
    setvbuf(s->file, s->buffer, _IOFBF, sizeof s->buffer);
    return s;
}

void rm_file_stream_close(rm_file_stream_t *s) {
    if (!s) return;
    fclose(s->file);
    free(s);
}

static FILE *file_of(void *user_data) {
    return ((rm_file_stream_t *)user_data)->file;
}

static sf_count_t file_length(void *user_data) {
    struct stat st;
    return fstat(fileno(file_of(user_data)), &st) == 0
               ? (sf_count_t)st.st_size
               : -1;
}

static sf_count_t file_seek(sf_count_t offset, int whence, void *user_data) {
    FILE *f = file_of(user_data);
    if (fseeko(f, (off_t)offset, whence) != 0) return -1;
    return (sf_count_t)ftello(f);
}

static sf_count_t file_read(void *ptr, sf_count_t count, void *user_data) {
    return count > 0 ? (sf_count_t)fread(ptr, 1, (size_t)count,
                                         file_of(user_data))
                     : 0;
}

static sf_count_t file_write(const void *ptr, sf_count_t count,
                             void *user_data) {
    (void)ptr;
    (void)count;
    (void)user_data;
    return 0; /* read-only */
}

static sf_count_t file_tell(void *user_data) {
    return (sf_count_t)ftello(file_of(user_data));
}

SF_VIRTUAL_IO rm_file_stream_vio = {file_length, file_seek, file_read,
                                    file_write, file_tell};
