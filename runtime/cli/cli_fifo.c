/*
 * cli_fifo.c — releasing outputs that are FIFOs nobody reads (see cli.h).
 *
 * Opening a FIFO for writing blocks until a reader opens it, like a
 * shell's > redirection. A writer blocked there (an AudioFileSink's node
 * call, rmrun writing --output) cannot see a cancel, so on Ctrl-C rmrun
 * becomes the reader itself: the blocked open returns, what is written is
 * read and dropped by a thread, the call ends and the run stops as any
 * cancelled one does.
 *
 * Whether a FIFO has a reader is asked by opening it for writing without
 * waiting. When it has one, that open connects it: a reader waiting in
 * its own open() returns. Closing the probe at once could then give that
 * reader end-of-file before the writer's open (the sink's, a moment
 * later) joins, and the output would be lost to it. So the probe's write
 * end is held, under the owner (a batch entry, a run), until the owner
 * finished (rm_cli_fifo_probes_close); the reader sees end-of-file only
 * when both that and the writer's end are closed.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads and drops until the writers are gone (the fd is closed then). */
static void *rm__drain(void *arg) {
    int fd = (int)(intptr_t)arg;
    char buf[16384];
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN))) continue;
        break; /* 0: every writer closed it; or an error */
    }
    close(fd);
    return NULL;
}

/* The probes held open, each until its owner finished. */
typedef struct rm__probe {
    const void *owner;
    int fd;
} rm__probe_t;

static pthread_mutex_t rm__probes_lock = PTHREAD_MUTEX_INITIALIZER;
static rm__probe_t *rm__probes;
static size_t rm__probe_count, rm__probe_capacity;

/* Keeps `fd` open until rm_cli_fifo_probes_close(owner); closes it at
 * once when it cannot be remembered (the old behaviour). */
static void rm__hold_probe(const void *owner, int fd) {
    pthread_mutex_lock(&rm__probes_lock);
    if (rm__probe_count == rm__probe_capacity) {
        size_t capacity = rm__probe_capacity ? 2 * rm__probe_capacity : 8;
        rm__probe_t *grown = realloc(rm__probes, capacity * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&rm__probes_lock);
            close(fd);
            return;
        }
        rm__probes = grown;
        rm__probe_capacity = capacity;
    }
    rm__probes[rm__probe_count++] = (rm__probe_t){owner, fd};
    pthread_mutex_unlock(&rm__probes_lock);
}

void rm_cli_fifo_probes_close(const void *owner) {
    pthread_mutex_lock(&rm__probes_lock);
    size_t kept = 0;
    for (size_t i = 0; i < rm__probe_count; i++) {
        if (rm__probes[i].owner == owner) close(rm__probes[i].fd);
        else rm__probes[kept++] = rm__probes[i];
    }
    rm__probe_count = kept;
    if (kept == 0) {
        free(rm__probes);
        rm__probes = NULL;
        rm__probe_capacity = 0;
    }
    pthread_mutex_unlock(&rm__probes_lock);
}

/* 1 when `path` is a FIFO no process has open for reading. One that has
 * a reader keeps the probe (see the top). */
static int rm__fifo_without_reader(const void *owner, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISFIFO(st.st_mode)) return 0;
    int probe = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (probe >= 0) {
        rm__hold_probe(owner, probe); /* someone reads it: not waiting */
        return 0;
    }
    return errno == ENXIO;
}

size_t rm_cli_release_fifos(const char *program, const void *owner,
                            const char *const *paths, size_t count,
                            int quiet) {
    size_t released = 0;
    for (size_t i = 0; i < count; i++) {
        if (!paths[i] || !rm__fifo_without_reader(owner, paths[i])) continue;
        /* Non-blocking: a FIFO's read end opens at once even without a
         * writer, and then releases a writer waiting in open(). */
        int fd = open(paths[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue;
        pthread_attr_t attr;
        pthread_t thread;
        int started = pthread_attr_init(&attr) == 0 &&
                      pthread_attr_setdetachstate(
                          &attr, PTHREAD_CREATE_DETACHED) == 0 &&
                      pthread_create(&thread, &attr, rm__drain,
                                     (void *)(intptr_t)fd) == 0;
        pthread_attr_destroy(&attr);
        if (!started) {
            close(fd);
            continue;
        }
        released++;
        if (!quiet)
            fprintf(stderr, "%s: '%s' is a FIFO no reader has opened: not "
                    "waiting for one, what is written to it is dropped\n",
                    program, paths[i]);
    }
    return released;
}
