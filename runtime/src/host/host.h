/*
 * host.h — the rm_host_t given to each node instance (internal).
 *
 * One rm__host_t per node instance slot. Its services are the plugin ABI's
 * host functions: memory attributed to the node, logging prefixed with the
 * node id, the monotonic clock, error reporting, parameter access (the
 * manifest's rm__param_*), items (item.c) and emit (executor.c).
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
#include <remotemedia/plugin.h>

typedef struct rm__account {
    atomic_size_t live;  /* bytes allocated and not yet freed             */
    atomic_size_t peak;  /* max of live since rm__account_reset_peak      */
    atomic_uint refs;
} rm__account_t;

rm__account_t *rm__account_new(void);
rm__account_t *rm__account_ref(rm__account_t *account);
void rm__account_unref(rm__account_t *account);
void rm__account_charge(rm__account_t *account, size_t bytes);
void rm__account_discharge(rm__account_t *account, size_t bytes);
/* Start a new peak window (at the start of a run). */
void rm__account_reset_peak(rm__account_t *account);

/* The error a node call reports through host->error_set. */
struct rm_error {
    int status;
    int transient;
    int is_set;
    char *message; /* heap; NULL when unset or out of memory */
};
void rm__error_clear(rm_error_t *err);

typedef struct rm__host {
    rm_host_t pub;            /* FIRST: the plugin holds &pub               */
    rm__account_t *account;   /* owned reference                            */
    const char *node_type;    /* = owned_type                               */
    char *owned_id, *owned_type; /* copies: a host may outlive the manifest
                                    (a timed-out call still running)        */
} rm__host_t;

/* Fill `host` for node `node_id` (copied). Returns RM_ENOMEM when the
 * account or the copies cannot be made. */
int rm__host_init(rm__host_t *host, const char *node_id,
                  const char *node_type);
void rm__host_destroy(rm__host_t *host);

static inline rm__account_t *rm__host_account(const rm_host_t *host) {
    return host ? ((const rm__host_t *)host)->account : NULL;
}

/* Monotonic clock in nanoseconds (CLOCK_MONOTONIC). */
uint64_t rm__now_ns(void);

/* The log threshold from REMOTEMEDIA_LOG_LEVEL (error|warn|info|debug or
 * 0..3; default warn), read once. */
int rm__log_threshold(void);

#endif /* RM_HOST_H */
