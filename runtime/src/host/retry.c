/*
 * retry.c — host extension "remotemedia.retry/1" (plugin.h): the node's
 * retry policy for a create that retries itself (RemoteNode opening its
 * stream). The delay is policy/'s rm__retry_delay_ms, the engine's own
 * back-off; the wait sleeps in slices of at most 10 ms so that a cancelled
 * run or compile (rm__host_t.cancel) ends it promptly. It runs on the thread calling
 * create, never on the run's loop.
 */
#include <time.h>

#include "host/host.h"
#include "policy/policy.h"

#define RM__WAIT_SLICE_NS 10000000u /* 10 ms */

static uint32_t rm__retry_max(const rm_host_t *host) {
    rm__host_t *h = host->host_data;
    atomic_store_explicit(&h->create_asked, 1u, memory_order_relaxed);
    return h->retry.max_retries;
}

static uint64_t rm__retry_delay(const rm_host_t *host, uint32_t retry) {
    rm__host_t *h = host->host_data;
    return rm__retry_delay_ms(&h->retry, retry ? retry : 1, &h->rng);
}

static int rm__retry_wait(const rm_host_t *host, uint64_t ms) {
    rm__host_t *h = host->host_data;
    if (ms > UINT64_MAX / 1000000u) ms = UINT64_MAX / 1000000u;
    uint64_t start = rm__now_ns(), total = ms * 1000000u;
    for (;;) {
        if (rm_cancel_requested(h->cancel)) return RM_ECANCELED;
        uint64_t spent = rm__now_ns() - start;
        if (spent >= total) {
            h->create_waits++;
            return RM_OK;
        }
        uint64_t slice = total - spent < RM__WAIT_SLICE_NS ? total - spent
                                                           : RM__WAIT_SLICE_NS;
        struct timespec ts = {0, (long)slice};
        nanosleep(&ts, NULL); /* EINTR: the loop checks again */
    }
}

void rm__host_create_attempts(rm__host_t *host, uint32_t *attempt,
                              uint32_t *max_attempts) {
    *attempt = host->create_waits + 1u;
    *max_attempts = 1u;
    if (atomic_load_explicit(&host->create_asked, memory_order_relaxed))
        *max_attempts = host->retry.max_retries + 1u;
    if (*max_attempts < *attempt) *max_attempts = *attempt; /* u32 wrap */
}

const rm_retry_t rm__host_retry = {
    .struct_size = sizeof(rm_retry_t),
    .max_retries = rm__retry_max,
    .delay_ms = rm__retry_delay,
    .wait_ms = rm__retry_wait,
};
