/*
 * policy.h — reliability policy without a loop (internal): the circuit
 * breaker's state machine and the retry back-off arithmetic. The engine
 * (engine/watchdog.c, engine/node_call.c) applies them; tests/c/policy
 * checks them alone, with an injected clock. policy/ uses util/ (and the
 * manifest's policy types) only.
 */
#ifndef RM_POLICY_H
#define RM_POLICY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <remotemedia/pipeline.h>

#include "manifest/manifest.h"
#include "util/util.h"

/* A node's circuit breaker, shared by every run of the compiled pipeline.
 * `state` and `failures` are read without the lock on the success path
 * (one relaxed load each); every transition takes `lock` (a leaf: no
 * plugin code, no other lock while held). */
typedef struct rm__breaker {
    atomic_uint state;                /* rm_breaker_state_t                 */
    atomic_uint failures;             /* consecutive failed calls           */
    pthread_mutex_t lock;
    uint64_t opened_ns;               /* when it last opened                */
    char *last_error;                 /* message of the last failure        */
} rm__breaker_t;

void rm__breaker_init(rm__breaker_t *breaker);
void rm__breaker_destroy(rm__breaker_t *breaker);

/* May a call go ahead? RM_OK, or RM_EBREAKER with `err` filled (naming
 * node `node_id` (`node_type`) and the last error). Closed: one relaxed
 * load. An open breaker whose cooldown has passed lets one trial call
 * through (half-open). `now_ns` from rm__now_ns() (injected in tests). */
int rm__breaker_admit_slow(rm__breaker_t *breaker,
                           const rm_breaker_policy_t *policy,
                           const char *node_id, const char *node_type,
                           uint64_t now_ns, rm_error_t *err);
static inline int rm__breaker_admit(rm__breaker_t *breaker,
                                    const rm_breaker_policy_t *policy,
                                    const char *node_id,
                                    const char *node_type, rm_error_t *err) {
    if (atomic_load_explicit(&breaker->state, memory_order_relaxed) ==
        RM_BREAKER_CLOSED)
        return RM_OK;
    return rm__breaker_admit_slow(breaker, policy, node_id, node_type,
                                  rm__now_ns(), err);
}

/* The outcome of an admitted call. A success closes the breaker; the
 * `threshold`-th consecutive failure (or a failed trial) opens it at
 * `now_ns`, remembering `message`. threshold 0: no breaker. */
void rm__breaker_success_slow(rm__breaker_t *breaker);
static inline void rm__breaker_success(rm__breaker_t *breaker) {
    if (atomic_load_explicit(&breaker->failures, memory_order_relaxed) ||
        atomic_load_explicit(&breaker->state, memory_order_relaxed) !=
            RM_BREAKER_CLOSED)
        rm__breaker_success_slow(breaker);
}
void rm__breaker_failure(rm__breaker_t *breaker, uint32_t threshold,
                         const char *message, uint64_t now_ns);

/* The delay before retrying after failed attempt `attempt` (1-based), in
 * ms: initial * multiplier^(attempt-1), capped, jitter applied. */
uint64_t rm__retry_delay_ms(const rm_retry_policy_t *policy, uint32_t attempt,
                            uint64_t *rng);

/* A seed for the back-off's jitter state (`rng` above) of `owner` (a run,
 * a node's host): the clock and the owner's address, never zero. */
static inline uint64_t rm__retry_seed(const void *owner) {
    return (rm__now_ns() ^ (uint64_t)(uintptr_t)owner) | 1u;
}


#endif /* RM_POLICY_H */
