/*
 * cli_fifo.c — releasing outputs that are FIFOs nobody reads (see cli.h).
 *
 * Opening a FIFO for writing blocks until a reader opens it, like a
 * shell's > redirection. A writer blocked there (an AudioFileSink's node
 * call, rmrun writing --output) cannot see a cancel, so on Ctrl-C rmrun
 * becomes the reader itself: the blocked open returns, what is written is
 * read and dropped by a thread, the call ends and the run stops as any
 * cancelled one does. A FIFO that has a reader is left alone.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
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

/* 1 when `path` is a FIFO no process has open for reading. */
static int rm__fifo_without_reader(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISFIFO(st.st_mode)) return 0;
    int probe = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (probe >= 0) {
        close(probe); /* someone reads it: its writer is not waiting */
        return 0;
    }
    return errno == ENXIO;
}

size_t rm_cli_release_fifos(const char *program, const char *const *paths,
                            size_t count, int quiet) {
    size_t released = 0;
    for (size_t i = 0; i < count; i++) {
        if (!paths[i] || !rm__fifo_without_reader(paths[i])) continue;
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
