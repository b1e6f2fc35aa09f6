/*
 * pipe_stream.c — see pipe_stream.h. The kept bytes are one buffer holding
 * stream offsets [base, base + len); `pos` is the decoder's offset.
 */
#include "pipe_stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Most bytes kept before settle: a decoder that probes further back than
 * this cannot open the stream (a clear error, not unbounded memory). */
#define RM_PIPE_KEEP_MAX (64u << 20)

struct rm_pipe_stream {
    int fd;
    unsigned char *buf;
    size_t cap, len;    /* buf holds offsets [base, base + len)         */
    int64_t base, pos;
    int settled, eof, error;
};

rm_pipe_stream_t *rm_pipe_stream_new(int fd) {
    rm_pipe_stream_t *s = calloc(1, sizeof *s);
    if (s) s->fd = fd;
    return s;
}

void rm_pipe_stream_free(rm_pipe_stream_t *s) {
    if (!s) return;
    free(s->buf);
    free(s);
}

int rm_pipe_stream_rewind(rm_pipe_stream_t *s) {
    if (s->settled || s->base != 0) return -1;
    s->pos = 0;
    return 0;
}

void rm_pipe_stream_settle(rm_pipe_stream_t *s) { s->settled = 1; }

int rm_pipe_stream_failed(const rm_pipe_stream_t *s, char *why,
                          size_t why_len) {
    if (s->error && why) snprintf(why, why_len, "%s", strerror(s->error));
    return s->error != 0;
}

/* Drop kept bytes before `pos` once settled (they are never read again). */
static void drop_consumed(rm_pipe_stream_t *s) {
    if (!s->settled || s->pos <= s->base) return;
    size_t gone = (size_t)(s->pos - s->base);
    if (gone > s->len) gone = s->len;
    memmove(s->buf, s->buf + gone, s->len - gone);
    s->len -= gone;
    s->base += (int64_t)gone;
}

/* Read more of the fd into the buffer: 1, or 0 at end / on error. */
static int fill(rm_pipe_stream_t *s) {
    if (s->eof || s->error) return 0;
    drop_consumed(s);
    if (s->len == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 65536;
        if (!s->settled && cap > RM_PIPE_KEEP_MAX) {
            s->error = EFBIG;
            return 0;
        }
        unsigned char *grown = realloc(s->buf, cap);
        if (!grown) {
            s->error = ENOMEM;
            return 0;
        }
        s->buf = grown;
        s->cap = cap;
    }
    for (;;) {
        ssize_t n = read(s->fd, s->buf + s->len, s->cap - s->len);
        if (n > 0) {
            s->len += (size_t)n;
            return 1;
        }
        if (n == 0) {
            s->eof = 1;
            return 0;
        }
        if (errno != EINTR) {
            s->error = errno;
            return 0;
        }
    }
}

static sf_count_t vio_read(void *ptr, sf_count_t count, void *user) {
    rm_pipe_stream_t *s = user;
    unsigned char *out = ptr;
    sf_count_t done = 0;
    while (done < count) {
        int64_t end = s->base + (int64_t)s->len;
        if (s->pos >= end && !fill(s)) break;
        end = s->base + (int64_t)s->len;
        if (s->pos < s->base) break; /* cannot happen: seek refuses it */
        if (s->pos >= end) continue;
        size_t at = (size_t)(s->pos - s->base);
        size_t n = s->len - at;
        if ((sf_count_t)n > count - done) n = (size_t)(count - done);
        memcpy(out + done, s->buf + at, n);
        done += (sf_count_t)n;
        s->pos += (int64_t)n;
    }
    return done;
}

static sf_count_t vio_seek(sf_count_t offset, int whence, void *user) {
    rm_pipe_stream_t *s = user;
    int64_t target;
    if (whence == SEEK_SET) target = offset;
    else if (whence == SEEK_CUR) target = s->pos + offset;
    else return -1; /* the end is not known */
    if (target < s->base) return -1; /* let go already */
    while (target > s->base + (int64_t)s->len)
        if (!fill(s)) return -1;
    s->pos = target;
    return s->pos;
}

static sf_count_t vio_tell(void *user) {
    return ((rm_pipe_stream_t *)user)->pos;
}

/* Unknown length: as large as it may be, so no header length is thought
 * to run past the end (truncation shows when the data ends). */
static sf_count_t vio_get_filelen(void *user) {
    (void)user;
    return INT64_MAX / 2;
}

static sf_count_t vio_write(const void *ptr, sf_count_t count, void *user) {
    (void)ptr;
    (void)count;
    (void)user;
    return 0;
}

SF_VIRTUAL_IO rm_pipe_stream_vio = {vio_get_filelen, vio_seek, vio_read,
                                    vio_write, vio_tell};
