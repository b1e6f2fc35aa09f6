/*
 * channel_pool.h — the client's channels kept per process: a RemoteNode
 * instance lives for one run (the node type is stateful), and a channel
 * per instance meant a TCP connection (and HTTP/2 handshake) per run — per
 * file in a batch or a distributed worker. An instance takes a channel
 * from the pool and gives it back when it is destroyed; the next instance
 * with the same target and TLS material reuses it, connected. A channel
 * whose call broke is closed instead (a fresh one next time, no reconnect
 * back-off left over). REMOTEMEDIA_REMOTE_CHANNEL_POOL=0 turns the pool
 * off (a channel per instance, for comparison); read once per process, at
 * the first take.
 */
#ifndef RM_REMOTE_CHANNEL_POOL_H
#define RM_REMOTE_CHANNEL_POOL_H

#include <stddef.h>

#include "transport.h"

/* At most this many idle channels are kept (the oldest is closed). */
#define RM_CHANNEL_POOL_MAX 8

/* An idle channel to `target` with the same `tls` (NULL: plaintext) and
 * `max_message`, else a new one (rm_tp_channel_open). 0, or -1 with `why`. */
int rm_channel_pool_take(const char *target, const rm_tp_tls_t *tls,
                         size_t max_message, rm_tp_channel_t **out, char *why,
                         size_t why_len);

/* Keep `channel` (from rm_channel_pool_take, healthy) for the next take
 * with the same key. NULL is ignored. */
void rm_channel_pool_give_back(rm_tp_channel_t *channel);

/* Close `channel` for good (its call broke: the next take makes a fresh
 * one). NULL is ignored. */
void rm_channel_pool_discard(rm_tp_channel_t *channel);

/* Idle channels kept now (for tests). */
size_t rm_channel_pool_idle(void);

#endif /* RM_REMOTE_CHANNEL_POOL_H */
