/*
 * client.h — the client end of a remote node: one bidirectional stream to
 * a node server per node instance (client_stream.c), driven by
 * RemoteNode's calls (client_node.c; the plugin file declares the type).
 */
#ifndef RM_REMOTE_CLIENT_H
#define RM_REMOTE_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <remotemedia/plugin.h>

#include "core_module.h" /* RM_REMOTE_MAX_PORTS */
#include "transport.h"

/* Where to connect and what to run there. Strings owned by the node. */
typedef struct rm_remote_target {
    char *host;              /* "h:p"                                      */
    char *node_id;           /* the local node's id, sent in Open          */
    char *node_type;
    char *params_json;
    char *python_json;       /* NULL for native node types                 */
    char *token;             /* secret: never printed                      */
    int use_tls;
    char *ca_pem, *cert_pem, *key_pem, *server_name;
    int timeout_ms;          /* hang bound for one exchange                */
    size_t max_message;
} rm_remote_target_t;

/* Outputs of one exchange, kept until it completes (so a broken stream
 * never emits half of an input's outputs). */
typedef struct rm_remote_outputs {
    rm_item_t **items;
    uint32_t *ports;
    size_t count, cap;
} rm_remote_outputs_t;

typedef struct rm_remote_stream {
    const rm_host_t *host;
    const rm_remote_target_t *target;
    rm_tp_channel_t *channel;
    rm_tp_call_t *call;
    uint64_t seq;            /* last input sent on this stream              */
    uint32_t output_ports;
    int stateful;
    uint64_t acked;          /* inputs completed on this stream             */
    uint64_t total_acked;    /* since the last flush, over reconnects       */
    int state_lost;          /* a stateful stream broke: no more retries    */
    /* The last failure, as reported through `err` (the create's retries
     * name it after the last attempt): its message (malloc'd; freed by
     * rm_remote_stream_close), whether it was transient, and its gRPC
     * status code (-1: not a transport status, e.g. a node error). */
    char *last_error;
    int last_transient;
    int last_code;
} rm_remote_stream_t;

/* Open the stream and the remote node (Open -> Opened). RM_OK or a
 * status with `err` set (transient for connection trouble). */
int rm_remote_stream_open(rm_remote_stream_t *s, rm_error_t *err);
/* rm_remote_stream_open at create, tried again under the node's retry
 * policy while it fails transiently (client_open.c). */
int rm_remote_stream_open_retried(rm_remote_stream_t *s, rm_error_t *err);
/* Send one input; on success the outputs of it are in `outs`. */
int rm_remote_stream_process(rm_remote_stream_t *s, uint32_t port,
                             rm_item_t *item, rm_remote_outputs_t *outs,
                             rm_error_t *err);
/* End of stream: flush outputs into `outs`, then close the stream. */
int rm_remote_stream_flush(rm_remote_stream_t *s, rm_remote_outputs_t *outs,
                           rm_error_t *err);
/* Close (half-close, wait briefly for the status) and free the call and
 * the last failure's message. */
void rm_remote_stream_close(rm_remote_stream_t *s);
void rm_remote_outputs_clear(const rm_host_t *host, rm_remote_outputs_t *o);

/* RemoteNode's create/process/flush/destroy (client_node.c), which the
 * plugin file's RemoteNode forwards to (rm_remote_core_t). */
int rm_remote_node_create(const rm_host_t *host, const rm_params_t *params,
                          void **instance, rm_error_t *err);
int rm_remote_node_process(void *instance, uint32_t port, rm_item_t *item,
                           rm_emit_t *out, rm_error_t *err);
int rm_remote_node_flush(void *instance, rm_emit_t *out, rm_error_t *err);
void rm_remote_node_destroy(void *instance);

#endif /* RM_REMOTE_CLIENT_H */
