/*
 * transport.h — the remote plugin's small internal API over gRPC.
 *
 * Everything gRPC lives in transport*.c behind this header (the C core
 * API is "to be wrapped" and changes between minor versions): a client
 * channel and bidirectional calls on it, a server handing out incoming
 * calls, and messages as byte segments. One call is driven by one thread
 * at a time; every blocking function takes a timeout (milliseconds; <= 0
 * waits forever) after which the call is cancelled.
 *
 * Status codes are gRPC's numbers (RM_TP_*), so messages can name them.
 */
#ifndef RM_REMOTE_TRANSPORT_H
#define RM_REMOTE_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

enum {
    RM_TP_OK = 0,
    RM_TP_CANCELLED = 1,
    RM_TP_UNKNOWN = 2,
    RM_TP_INVALID_ARGUMENT = 3,
    RM_TP_DEADLINE_EXCEEDED = 4,
    RM_TP_RESOURCE_EXHAUSTED = 8,
    RM_TP_FAILED_PRECONDITION = 9,
    RM_TP_INTERNAL = 13,
    RM_TP_UNAVAILABLE = 14,
    RM_TP_UNAUTHENTICATED = 16
};

/* "UNAVAILABLE", ... for a status code. */
const char *rm_tp_code_name(int code);
/* Whether a call failing with `code` may succeed when tried again
 * (connection trouble, deadlines, server overload). */
int rm_tp_code_transient(int code);

/* TLS material, PEM text (not paths). NULL members are absent. */
typedef struct rm_tp_tls {
    const char *ca_pem;       /* client: roots to trust; server: client CA  */
    const char *cert_pem;     /* this end's certificate chain               */
    const char *key_pem;      /* its private key                            */
    const char *server_name;  /* client: expected name (default: the host)  */
} rm_tp_tls_t;

/* One piece of a message. With `release` the bytes are sent without a
 * copy and release(user) runs once gRPC is done with them; without, they
 * are copied before rm_tp_send returns. */
typedef struct rm_tp_segment {
    const void *data;
    size_t len;
    void (*release)(void *user);
    void *user;
} rm_tp_segment_t;

/* A received message: contiguous bytes, freed with rm_tp_message_free. */
typedef struct rm_tp_message {
    const uint8_t *data;
    size_t len;
    void *impl;
    int placed;              /* impl is a malloc'd copy (rm_tp_recv_placed) */
} rm_tp_message_t;

/* Sees the first bytes of a message (head_len of its total length) and
 * returns the offset of a part of it that should start on a 64-byte
 * boundary in memory (a payload handed out in place), or 0. */
typedef size_t (*rm_tp_place_fn)(const uint8_t *head, size_t head_len,
                                 size_t total);
void rm_tp_message_free(rm_tp_message_t *msg);

typedef struct rm_tp_channel rm_tp_channel_t;
typedef struct rm_tp_call rm_tp_call_t;
typedef struct rm_tp_server rm_tp_server_t;

/* ---- client ---- */

/* A channel to `target` ("host:port"); plaintext when `tls` is NULL.
 * Connecting is lazy: errors surface on the first call. 0, or -1 with
 * `why`. */
int rm_tp_channel_open(const char *target, const rm_tp_tls_t *tls,
                       size_t max_message, rm_tp_channel_t **out, char *why,
                       size_t why_len);
void rm_tp_channel_close(rm_tp_channel_t *channel);
/* 0 when the channel is in TRANSIENT_FAILURE or SHUTDOWN (its server went
 * away; a new channel connects afresh instead of waiting out a back-off),
 * else 1. Does not start connecting. */
int rm_tp_channel_usable(rm_tp_channel_t *channel);

/* Start a call of `method` ("/pkg.Service/Method"), with metadata
 * "authorization: Bearer <token>" when `token` is non-NULL. */
int rm_tp_call_start(rm_tp_channel_t *channel, const char *method,
                     const char *token, rm_tp_call_t **out);

/* Send one message. RM_TP_OK, or the status code that ended the call (the
 * call is over: read rm_tp_call_status). */
int rm_tp_send(rm_tp_call_t *call, const rm_tp_segment_t *segments,
               size_t count, int timeout_ms);
/* Receive one message: 1 and *msg filled; 0 when the peer ended the
 * stream (no more messages); -1 on timeout (the call is cancelled). */
int rm_tp_recv(rm_tp_call_t *call, rm_tp_message_t *msg, int timeout_ms);
/* rm_tp_recv into a private copy laid out as `place` asks (one copy, like
 * the contiguous view rm_tp_recv makes of a message in several pieces). */
int rm_tp_recv_placed(rm_tp_call_t *call, rm_tp_message_t *msg,
                      int timeout_ms, rm_tp_place_fn place);
/* Client: half-close (no more messages from this end). */
int rm_tp_close_send(rm_tp_call_t *call, int timeout_ms);
/* Client: wait for the call's final status; `details` gets its message. */
int rm_tp_call_status(rm_tp_call_t *call, char *details, size_t details_len,
                      int timeout_ms);
/* Cancel (if still running) and free. */
void rm_tp_call_free(rm_tp_call_t *call);

/* ---- server ---- */

/* Listen on `address` ("host:port"; port 0 picks a free one, written to
 * *bound_port). Plaintext when `tls` is NULL; with tls->ca_pem, clients
 * must present a certificate signed by it (mutual TLS). */
int rm_tp_server_open(const char *address, const rm_tp_tls_t *tls,
                      size_t max_message, rm_tp_server_t **out,
                      int *bound_port, char *why, size_t why_len);
/* Wait up to timeout_ms for a new call: 1 and *call (its method and
 * metadata readable below), 0 on timeout, -1 once shut down. */
int rm_tp_server_accept(rm_tp_server_t *server, int timeout_ms,
                        rm_tp_call_t **call);
/* Stop accepting; calls in flight go on until rm_tp_server_cancel_all. */
void rm_tp_server_shutdown(rm_tp_server_t *server);
void rm_tp_server_cancel_all(rm_tp_server_t *server);
/* Free (after shutdown and once every call is freed). */
void rm_tp_server_close(rm_tp_server_t *server);

/* The method an incoming call asks for (owned by the call). */
const char *rm_tp_call_method(const rm_tp_call_t *call);
/* The peer's address, for logs. */
const char *rm_tp_call_peer(rm_tp_call_t *call);
/* Value of request metadata `key` (lower case), copied into `value`:
 * 1 when present, 0 when absent. */
int rm_tp_call_metadata(const rm_tp_call_t *call, const char *key,
                        char *value, size_t value_len);
/* Server: end the call with a status (sends initial metadata first if
 * nothing was sent yet) and wait until the client has seen it. */
int rm_tp_call_finish(rm_tp_call_t *call, int code, const char *details,
                      int timeout_ms);

#endif /* RM_REMOTE_TRANSPORT_H */
