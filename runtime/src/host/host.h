/*
 * host.h — the rm_host_t given to each node instance (internal).
 *
 * One rm__host_t per node instance slot. Its services are the plugin ABI's
 * host functions: memory attributed to the node, logging prefixed with the
 * node id, the monotonic clock, error reporting, parameter access (the
 * manifest's rm__param_*), items (item/) and emit (emit.c: the
 * `out` of a call).
 *
 * Memory attribution: every byte a node allocates through its host
 * (alloc/realloc, item_new_*, item_make_writable) is charged to the node's
 * rm__account_t: live bytes now and the peak since the last reset. An
 * account is reference-counted because items outlive the node that made
 * them (they sit in a run result after the pipeline is gone).
 */
#ifndef RM_HOST_H
#define RM_HOST_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <remotemedia/pipeline.h>
#include <remotemedia/plugin.h>

#include "item/item.h"
#include "manifest/manifest.h"
#include "util/util.h"

/* Which input item an item derives from (partial results): the index of
 * the run's input, or RM__NO_ORIGIN (a source's or a flush's output). */
#define RM__NO_ORIGIN SIZE_MAX

typedef struct rm__emitted {
    rm_item_t *item;
    uint32_t port;
    size_t origin;
} rm__emitted_t;

/* The `out` of one task: items emitted by its calls, in order. */
struct rm_emit {
    rm__emitted_t *items;
    size_t count, capacity;
    uint32_t port_count;              /* the node type's output_count       */
    int overflow;                     /* an emit failed (out of memory)     */
    const rm_port_spec_t *ports;      /* the node type's outputs (kinds)    */
    int rejected;                     /* an emit was refused: NULL item,
                                         no such port, or a kind the port
                                         does not carry                     */
    uint32_t rejected_port, rejected_kind; /* UINT32_MAX kind: NULL item   */
};

/* host->emit (emit.c): takes `item`'s reference in every case. */
int rm__emit(rm_emit_t *out, uint32_t port, rm_item_t *item);

typedef struct rm__host {
    rm_host_t pub;            /* FIRST: the plugin holds &pub               */
    rm__account_t *account;   /* owned reference                            */
    const char *node_type;    /* = owned_type                               */
    char *owned_id, *owned_type; /* copies: a host may outlive the manifest
                                    (a timed-out call still running)        */
    uint64_t unused_ports;    /* bit p: nothing takes output port p (the
                                 "remotemedia.output-use/1" extension)     */
    rm_retry_policy_t retry;  /* the node's, for "remotemedia.retry/1"     */
    uint64_t rng;             /* its jitter's state                        */
    /* During a create (rm__node_create): the cancel token of the run or
     * compile creating the instance (NULL: none); the retry wait ends
     * when it is requested. */
    const rm_cancel_t *cancel;
    /* The current create's attempts under "remotemedia.retry/1" (retry.c;
     * rm__node_create zeroes them): whether it asked for max_retries (it
     * retries under the policy), and how many of its waits ran to their
     * end (each is followed by another attempt). */
    atomic_uint create_asked;
    uint32_t create_waits;
} rm__host_t;

/* Fill `host` for node `node_id` (copied), whose output ports in the
 * `unused_ports` mask (bit p = port p, p < 64) are taken by nothing and
 * whose retry policy is `retry` (copied; NULL: the defaults' zero, no
 * retries). Returns RM_ENOMEM when the account or the copies cannot be
 * made. */
int rm__host_init(rm__host_t *host, const char *node_id,
                  const char *node_type, uint64_t unused_ports,
                  const rm_retry_policy_t *retry);
void rm__host_destroy(rm__host_t *host);

static inline rm__account_t *rm__host_account(const rm_host_t *host) {
    return host ? ((const rm__host_t *)host)->account : NULL;
}


/* Host extension "remotemedia.retry/1" (retry.c). */
extern const rm_retry_t rm__host_retry;
/* The attempts of the host's last create: 1 + its retry waits that ran to
 * their end, of the node's max_retries + 1 when it retried under the
 * policy (asked the extension for max_retries), else of 1. */
void rm__host_create_attempts(rm__host_t *host, uint32_t *attempt,
                              uint32_t *max_attempts);

/* The log threshold from REMOTEMEDIA_LOG_LEVEL (error|warn|info|debug or
 * 0..3; default warn), read once. */
int rm__log_threshold(void);

#endif /* RM_HOST_H */
