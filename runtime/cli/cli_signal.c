/*
 * cli_signal.c — Ctrl-C (SIGINT) and SIGTERM for the running commands
 * (see cli.h). The signals are blocked in every thread and taken by one
 * waiting thread with sigwait, so the callback runs as ordinary code (it
 * may lock, allocate, write the report) instead of in a signal handler.
 */
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* SIGUSR2 only wakes the waiting thread to end it. */
#define RM__WAKE SIGUSR2

static struct {
    pthread_t thread;
    int running;
    int count;
    rm_cli_interrupt_fn fn;
    void *ctx;
} rm__waiter;

static void rm__signal_set(sigset_t *set) {
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, RM__WAKE);
}

static void *rm__wait(void *arg) {
    (void)arg;
    sigset_t set;
    rm__signal_set(&set);
    for (;;) {
        int signo = 0;
        if (sigwait(&set, &signo) != 0) continue;
        if (signo == RM__WAKE) break;
        rm__waiter.count++;
        rm__waiter.fn(rm__waiter.ctx, rm__waiter.count, signo);
    }
    return NULL;
}

int rm_cli_interrupts_start(rm_cli_interrupt_fn fn, void *ctx) {
    sigset_t set;
    rm__signal_set(&set);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    rm__waiter.fn = fn;
    rm__waiter.ctx = ctx;
    rm__waiter.count = 0;
    rm__waiter.running =
        pthread_create(&rm__waiter.thread, NULL, rm__wait, NULL) == 0;
    return rm__waiter.running ? 0 : -1;
}

int rm_cli_interrupts_stop(void) {
    if (rm__waiter.running) {
        pthread_kill(rm__waiter.thread, RM__WAKE);
        pthread_join(rm__waiter.thread, NULL);
        rm__waiter.running = 0;
    }
    /* SIGINT/SIGTERM stay blocked: one arriving now, while the command
     * writes its last outputs, waits until the process exits. */
    return rm__waiter.count;
}

const char *rm_cli_signal_name(int signo) {
    return signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "signal";
}
