/*
 * breaker.c — the circuit breaker's state machine (policy.h): per compiled
 * node, shared by its runs, any thread. Pure policy: the caller passes the
 * clock, the node's names and its policy.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

void rm__breaker_init(rm__breaker_t *breaker) {
    atomic_init(&breaker->state, (unsigned)RM_BREAKER_CLOSED);
    atomic_init(&breaker->failures, 0u);
    pthread_mutex_init(&breaker->lock, NULL);
    breaker->opened_ns = 0;
    breaker->last_error = NULL;
}

void rm__breaker_destroy(rm__breaker_t *breaker) {
    pthread_mutex_destroy(&breaker->lock);
    free(breaker->last_error);
    breaker->last_error = NULL;
}

int rm__breaker_admit_slow(rm__breaker_t *b,
                           const rm_breaker_policy_t *policy,
                           const char *node_id, const char *node_type,
                           uint64_t now, rm_error_t *err) {
    pthread_mutex_lock(&b->lock);
    unsigned state = atomic_load_explicit(&b->state, memory_order_relaxed);
    uint64_t cooldown_ns = (uint64_t)policy->cooldown_ms * 1000000u;
    if (state == RM_BREAKER_CLOSED ||
        (state == RM_BREAKER_OPEN && now - b->opened_ns >= cooldown_ns)) {
        if (state == RM_BREAKER_OPEN) /* this call is the trial */
            atomic_store_explicit(&b->state, (unsigned)RM_BREAKER_HALF_OPEN,
                                  memory_order_relaxed);
        pthread_mutex_unlock(&b->lock);
        return RM_OK;
    }
    uint64_t wait_ms = state == RM_BREAKER_OPEN
                           ? (b->opened_ns + cooldown_ns - now) / 1000000u
                           : 0;
    const char *last = b->last_error ? b->last_error : "?";
    unsigned failures =
        atomic_load_explicit(&b->failures, memory_order_relaxed);
    char *message =
        state == RM_BREAKER_OPEN
            ? rm__strdupf("circuit breaker open for node '%s' (%s) after %u "
                          "consecutive failures; last error: %s; next trial "
                          "call in %llu ms",
                          node_id, node_type, failures, last,
                          (unsigned long long)wait_ms)
            : rm__strdupf("circuit breaker half-open for node '%s' (%s) "
                          "after %u consecutive failures: a trial call is "
                          "running; last error: %s",
                          node_id, node_type, failures, last);
    pthread_mutex_unlock(&b->lock);
    rm__error_clear(err);
    err->status = RM_EBREAKER;
    err->transient = 0;
    err->is_set = 1;
    err->message = message;
    return RM_EBREAKER;
}

void rm__breaker_success_slow(rm__breaker_t *b) {
    atomic_store_explicit(&b->failures, 0u, memory_order_relaxed);
    if (atomic_load_explicit(&b->state, memory_order_relaxed) !=
        RM_BREAKER_CLOSED) {
        pthread_mutex_lock(&b->lock);
        atomic_store_explicit(&b->state, (unsigned)RM_BREAKER_CLOSED,
                              memory_order_relaxed);
        pthread_mutex_unlock(&b->lock);
    }
}

void rm__breaker_failure(rm__breaker_t *b, uint32_t threshold,
                         const char *message, uint64_t now) {
    if (!threshold) return; /* no breaker */
    pthread_mutex_lock(&b->lock);
    unsigned failures =
        atomic_fetch_add_explicit(&b->failures, 1u, memory_order_relaxed) + 1;
    char *copy = message ? strdup(message) : NULL;
    if (copy || !message) {
        free(b->last_error);
        b->last_error = copy;
    }
    unsigned state = atomic_load_explicit(&b->state, memory_order_relaxed);
    if (state == RM_BREAKER_HALF_OPEN ||
        (state == RM_BREAKER_CLOSED && failures >= threshold)) {
        b->opened_ns = now;
        atomic_store_explicit(&b->state, (unsigned)RM_BREAKER_OPEN,
                              memory_order_relaxed);
    }
    pthread_mutex_unlock(&b->lock);
}
