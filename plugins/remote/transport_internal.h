/*
 * transport_internal.h — the gRPC structs behind transport.h, shared by
 * transport_call.c (messages on a call), transport_client.c and
 * transport_server.c. Nothing outside transport*.c includes it.
 */
#ifndef RM_REMOTE_TRANSPORT_INTERNAL_H
#define RM_REMOTE_TRANSPORT_INTERNAL_H

#include <grpc/grpc.h>

#include "transport.h"

struct rm_tp_call {
    grpc_call *call;
    grpc_completion_queue *cq;   /* pluck queue of this call alone        */
    int is_server;
    int sent_initial;            /* initial metadata sent                 */
    int status_pending;          /* client: RECV_STATUS batch started     */
    int status_taken;
    int close_pending;           /* server: RECV_CLOSE batch started      */
    int cancelled_by_peer;       /* server: RECV_CLOSE result             */
    int ended;                   /* the peer ended the stream             */
    /* client: the final status, filled by the RECV_STATUS batch */
    grpc_status_code status;
    grpc_slice status_details;
    grpc_metadata_array trailing;
    /* server: what the request asked */
    grpc_call_details details;
    grpc_metadata_array request_md;
    char method[128];
    char *peer;
};

/* Tags: the address of a field identifies the batch. */
#define RM_TP_TAG(call, n) ((void *)((char *)(call) + (n)))
enum { RM_TP_TAG_OP = 1, RM_TP_TAG_STATUS = 2, RM_TP_TAG_CLOSE = 3,
       RM_TP_TAG_ACCEPT = 4 };

/* Run one batch and wait for it (timeout_ms <= 0: forever; on timeout the
 * call is cancelled and the batch still awaited). 1 ok, 0 failed, -1
 * timed out. */
int rm_tp__batch(rm_tp_call_t *call, const grpc_op *ops, size_t n,
                 int timeout_ms);
rm_tp_call_t *rm_tp__call_new(int is_server);
/* Reference counting of grpc_init/grpc_shutdown for channels/servers. */
void rm_tp__init(void);
void rm_tp__shutdown(void);
/* Channel args for a message size limit (both directions). */
void rm_tp__size_args(size_t max_message, grpc_arg args[2],
                      grpc_channel_args *out);

#endif /* RM_REMOTE_TRANSPORT_INTERNAL_H */
