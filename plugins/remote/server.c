/*
 * server.c — the "remotemedia.node-server/1" extension: listen, hand each
 * incoming call to a thread of its own (up to --max-streams at once; more
 * get RESOURCE_EXHAUSTED), and on stop: stop accepting, give streams in
 * flight the grace period, then cancel what is left and wait for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

typedef struct job {
    rm_ns_state_t *state;
    rm_tp_call_t *call;
    uint64_t id;
} job_t;

static void *stream_thread(void *arg) {
    job_t *job = arg;
    rm_ns_handle_call(job->state, job->call, job->id);
    pthread_mutex_lock(&job->state->lock);
    job->state->active--;
    pthread_cond_broadcast(&job->state->idle);
    pthread_mutex_unlock(&job->state->lock);
    free(job);
    return NULL;
}

static void refuse(rm_tp_call_t *call, int code, const char *why) {
    rm_tp_call_finish(call, code, why, 5000);
    fprintf(stderr, "rmrun serve: refused a call from %s: %s\n",
            rm_tp_call_peer(call), why);
    rm_tp_call_free(call);
}

static void start_stream(rm_ns_state_t *state, rm_tp_call_t *call) {
    pthread_mutex_lock(&state->lock);
    int full = state->active >= state->cfg->max_streams;
    uint64_t id = ++state->next_id;
    if (!full)
        state->active++;
    pthread_mutex_unlock(&state->lock);
    if (full) {
        refuse(call, RM_TP_RESOURCE_EXHAUSTED,
               "too many streams (--max-streams): try again later");
        return;
    }
    job_t *job = malloc(sizeof *job);
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int ok = job != NULL;
    if (job) {
        *job = (job_t){state, call, id};
        ok = pthread_create(&thread, &attr, stream_thread, job) == 0;
    }
    pthread_attr_destroy(&attr);
    if (!ok) {
        free(job);
        pthread_mutex_lock(&state->lock);
        state->active--;
        pthread_mutex_unlock(&state->lock);
        refuse(call, RM_TP_RESOURCE_EXHAUSTED, "cannot start a thread");
    }
}

/* Wait until no stream runs or `ms` passed (ms < 0: forever). 1 if idle. */
static int wait_idle(rm_ns_state_t *state, long ms) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    if (ms >= 0) {
        until.tv_sec += ms / 1000;
        until.tv_nsec += (ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&state->lock);
    int timed_out = 0;
    while (state->active && !timed_out) {
        if (ms < 0)
            pthread_cond_wait(&state->idle, &state->lock);
        else
            timed_out = pthread_cond_timedwait(&state->idle, &state->lock,
                                               &until) != 0;
    }
    int idle = state->active == 0;
    pthread_mutex_unlock(&state->lock);
    return idle;
}

static int serve(const rm_node_server_options_t *opt, char *err,
                 size_t err_len) {
    if (!opt || opt->struct_size < sizeof(rm_node_server_options_t) ||
        !opt->registry || !opt->stop) {
        snprintf(err, err_len, "node server: incomplete options");
        return -1;
    }
    rm_ns_config_t cfg;
    if (rm_ns_config_load(opt, &cfg, err, err_len) != 0)
        return -1;
    rm_tp_tls_t tls = {cfg.client_ca, cfg.tls_cert, cfg.tls_key, NULL};
    rm_tp_server_t *tp;
    int port = 0;
    if (rm_tp_server_open(opt->listen, cfg.tls_cert ? &tls : NULL,
                          cfg.max_message + (1u << 20), &tp, &port, err,
                          err_len) != 0) {
        rm_ns_config_free(&cfg);
        return -1;
    }
    rm_ns_state_t state;
    memset(&state, 0, sizeof state);
    state.cfg = &cfg;
    pthread_mutex_init(&state.lock, NULL);
    pthread_cond_init(&state.idle, NULL);
    if (opt->on_listening)
        opt->on_listening(opt->user, opt->listen, port);
    while (!*opt->stop) {
        rm_tp_call_t *call;
        int r = rm_tp_server_accept(tp, 200, &call);
        if (r < 0)
            break;
        if (r == 1)
            start_stream(&state, call);
    }
    rm_tp_server_shutdown(tp);
    if (!wait_idle(&state, (long)opt->grace_ms)) {
        fprintf(stderr,
                "rmrun serve: grace period of %u ms over: cancelling %u "
                "stream(s)\n",
                opt->grace_ms, state.active);
        rm_tp_server_cancel_all(tp);
        wait_idle(&state, -1);
    }
    rm_tp_server_close(tp);
    pthread_cond_destroy(&state.idle);
    pthread_mutex_destroy(&state.lock);
    rm_ns_config_free(&cfg);
    return 0;
}

const rm_node_server_t rm_remote_node_server = {sizeof(rm_node_server_t),
                                                serve};
