/* file_stream.c — see file_stream.h. */
#include "file_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct rm_file_stream {
    FILE *file;
    char buffer[RM_FILE_STREAM_BUFFER]; /* stdio's, until fclose */
};

rm_file_stream_t *rm_file_stream_open(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return NULL;
    if (!S_ISREG(st.st_mode)) {
        errno = ESPIPE;
        return NULL;
    }
    rm_file_stream_t *s = malloc(sizeof *s);
    if (!s) {
        errno = ENOMEM;
        return NULL;
    }
    s->file = rm_file_fdopen_buffered(fd, s->buffer, sizeof s->buffer);
    if (!s->file) {
        int saved = errno;
        free(s);
        errno = saved;
        return NULL;
    }
    return s;
}

FILE *rm_file_fdopen_buffered(int fd, char *buffer, size_t size) {
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    FILE *file = own >= 0 ? fdopen(own, "rb") : NULL;
    if (!file) {
        int saved = errno;
        if (own >= 0) close(own);
        errno = saved;
        return NULL;
    }
    /* glibc sizes the buffer only when given one. */
    setvbuf(file, buffer, _IOFBF, size);
    return file;
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
