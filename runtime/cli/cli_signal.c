/*
 * cli_signal.c — Ctrl-C (SIGINT) and SIGTERM for the running commands
 * (see cli.h). A handler only writes the signal's number into a pipe; one
 * thread reads the pipe and calls the callback, so the callback runs as
 * ordinary code (it may lock, allocate, write the report) instead of in a
 * signal handler.
 *
 * No thread blocks the signals: a process a node starts (a Python node's
 * subprocess) inherits its thread's signal mask, and must start with the
 * default one so that Ctrl-C and SIGTERM reach it. (Blocking them in
 * every thread and taking them with sigwait left every child with them
 * blocked; a pthread_atfork handler would not undo that for vfork or
 * posix_spawn, which Python's subprocess uses.) The handler is reset by
 * exec; a child that forks without exec and gets the signal before
 * resetting it takes the default action, as if the handler were not there.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The byte that only wakes the reading thread to end it (no signal is 0). */
#define RM__WAKE 0

static struct {
    int pipe[2];          /* [0] the thread reads, [1] the handler writes */
    pid_t pid;            /* this process: a forked child is not it       */
    pthread_t thread;
    int running;
    int count;
    rm_cli_interrupt_fn fn;
    void *ctx;
} rm__waiter = {.pipe = {-1, -1}};

static void rm__on_signal(int signo) {
    int saved = errno;
    if (getpid() != rm__waiter.pid) {
        /* A child forked by a node, before its exec: not rmrun's signal. */
        signal(signo, SIG_DFL);
        raise(signo);
    } else {
        unsigned char byte = (unsigned char)signo;
        /* Non-blocking: with the pipe full, the signal is dropped (the
         * reader is gone or has a backlog of them already). */
        ssize_t n = write(rm__waiter.pipe[1], &byte, 1);
        (void)n;
    }
    errno = saved;
}

static void *rm__wait(void *arg) {
    (void)arg;
    for (;;) {
        unsigned char byte;
        ssize_t n = read(rm__waiter.pipe[0], &byte, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n != 1 || byte == RM__WAKE) break;
        rm__waiter.count++;
        rm__waiter.fn(rm__waiter.ctx, rm__waiter.count, byte);
    }
    return NULL;
}

/* The pipe and the handlers, once per process (they stay: see stop). */
static int rm__install(void) {
    if (rm__waiter.pipe[0] >= 0) return 0;
    if (pipe2(rm__waiter.pipe, O_CLOEXEC) != 0) return -1;
    int flags = fcntl(rm__waiter.pipe[1], F_GETFL);
    if (flags < 0 ||
        fcntl(rm__waiter.pipe[1], F_SETFL, flags | O_NONBLOCK) != 0)
        return -1;
    rm__waiter.pid = getpid();
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = rm__on_signal;
    action.sa_flags = SA_RESTART; /* other threads' calls go on */
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGINT);
    sigaddset(&action.sa_mask, SIGTERM);
    if (sigaction(SIGINT, &action, NULL) != 0 ||
        sigaction(SIGTERM, &action, NULL) != 0)
        return -1;
    return 0;
}

int rm_cli_interrupts_start(rm_cli_interrupt_fn fn, void *ctx) {
    if (rm__install() != 0) return -1;
    /* Signals that came after an earlier stop are not this run's. */
    unsigned char stale[64];
    int flags = fcntl(rm__waiter.pipe[0], F_GETFL);
    if (flags >= 0 &&
        fcntl(rm__waiter.pipe[0], F_SETFL, flags | O_NONBLOCK) == 0) {
        while (read(rm__waiter.pipe[0], stale, sizeof stale) > 0) {}
        fcntl(rm__waiter.pipe[0], F_SETFL, flags);
    }
    rm__waiter.fn = fn;
    rm__waiter.ctx = ctx;
    rm__waiter.count = 0;
    rm__waiter.running =
        pthread_create(&rm__waiter.thread, NULL, rm__wait, NULL) == 0;
    return rm__waiter.running ? 0 : -1;
}

int rm_cli_interrupts_stop(void) {
    if (rm__waiter.running) {
        unsigned char wake = RM__WAKE;
        /* The signals before the wake byte are read (and counted) first. */
        while (write(rm__waiter.pipe[1], &wake, 1) < 0 &&
               (errno == EINTR || errno == EAGAIN)) {}
        pthread_join(rm__waiter.thread, NULL);
        rm__waiter.running = 0;
    }
    /* The handlers stay: SIGINT/SIGTERM arriving now, while the command
     * writes its last outputs, go into the pipe, unread, and the process
     * exits as it would have. */
    return rm__waiter.count;
}

const char *rm_cli_signal_name(int signo) {
    return signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "signal";
}
