/*
 * transport_client.c — the client end: a channel (plaintext or TLS, with
 * the message size limit raised) and bidirectional calls on it carrying
 * the bearer token, half-close and the final status.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "transport_internal.h"

struct rm_tp_channel {
    grpc_channel *channel;
};

static int init_count;
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

void rm_tp__init(void) {
    pthread_mutex_lock(&init_lock);
    if (init_count++ == 0)
        grpc_init();
    pthread_mutex_unlock(&init_lock);
}

void rm_tp__shutdown(void) {
    /* gRPC stays initialized once used: its background threads outlive a
     * channel, and re-initializing per channel costs milliseconds. */
}

void rm_tp__size_args(size_t max_message, grpc_arg args[2],
                      grpc_channel_args *out) {
    int limit = max_message > (size_t)INT32_MAX ? INT32_MAX : (int)max_message;
    memset(args, 0, 2 * sizeof *args);
    args[0].type = GRPC_ARG_INTEGER;
    args[0].key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
    args[0].value.integer = limit;
    args[1].type = GRPC_ARG_INTEGER;
    args[1].key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
    args[1].value.integer = limit;
    out->num_args = 2;
    out->args = args;
}

int rm_tp_channel_open(const char *target, const rm_tp_tls_t *tls,
                       size_t max_message, rm_tp_channel_t **out, char *why,
                       size_t why_len) {
    *out = NULL;
    rm_tp__init();
    rm_tp_channel_t *ch = calloc(1, sizeof *ch);
    if (!ch) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    grpc_arg args[3];
    grpc_channel_args cargs;
    rm_tp__size_args(max_message, args, &cargs);
    grpc_channel_credentials *creds;
    if (tls) {
        grpc_ssl_pem_key_cert_pair pair = {tls->key_pem, tls->cert_pem};
        creds = grpc_ssl_credentials_create(
            tls->ca_pem, tls->cert_pem && tls->key_pem ? &pair : NULL, NULL,
            NULL);
        if (tls->server_name) {
            memset(&args[2], 0, sizeof args[2]);
            args[2].type = GRPC_ARG_STRING;
            args[2].key = GRPC_SSL_TARGET_NAME_OVERRIDE_ARG;
            args[2].value.string = (char *)tls->server_name;
            cargs.num_args = 3;
        }
    } else {
        creds = grpc_insecure_credentials_create();
    }
    if (!creds) {
        free(ch);
        snprintf(why, why_len, "could not set up the %s credentials",
                 tls ? "TLS" : "plaintext");
        return -1;
    }
    ch->channel = grpc_channel_create(target, creds, &cargs);
    grpc_channel_credentials_release(creds);
    if (!ch->channel) {
        free(ch);
        snprintf(why, why_len, "cannot create a channel to '%s'", target);
        return -1;
    }
    *out = ch;
    return 0;
}

void rm_tp_channel_close(rm_tp_channel_t *channel) {
    if (!channel)
        return;
    grpc_channel_destroy(channel->channel);
    free(channel);
    rm_tp__shutdown();
}

int rm_tp_channel_usable(rm_tp_channel_t *channel) {
    grpc_connectivity_state state =
        grpc_channel_check_connectivity_state(channel->channel, 0);
    return state != GRPC_CHANNEL_TRANSIENT_FAILURE &&
           state != GRPC_CHANNEL_SHUTDOWN;
}

int rm_tp_call_start(rm_tp_channel_t *channel, const char *method,
                     const char *token, rm_tp_call_t **out) {
    *out = NULL;
    rm_tp_call_t *call = rm_tp__call_new(0);
    if (!call)
        return RM_TP_RESOURCE_EXHAUSTED;
    call->call = grpc_channel_create_call(
        channel->channel, NULL, GRPC_PROPAGATE_DEFAULTS, call->cq,
        grpc_slice_from_static_string(method), NULL,
        gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (!call->call) {
        rm_tp_call_free(call);
        return RM_TP_INTERNAL;
    }
    /* The status (and the server's initial metadata) arrive whenever the
     * call ends; rm_tp_call_status waits for this batch. */
    grpc_op st[2];
    memset(st, 0, sizeof st);
    st[0].op = GRPC_OP_RECV_INITIAL_METADATA;
    st[0].data.recv_initial_metadata.recv_initial_metadata = &call->request_md;
    st[1].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    st[1].data.recv_status_on_client.trailing_metadata = &call->trailing;
    st[1].data.recv_status_on_client.status = &call->status;
    st[1].data.recv_status_on_client.status_details = &call->status_details;
    if (grpc_call_start_batch(call->call, st, 2,
                              RM_TP_TAG(call, RM_TP_TAG_STATUS),
                              NULL) != GRPC_CALL_OK) {
        rm_tp_call_free(call);
        return RM_TP_INTERNAL;
    }
    call->status_pending = 1;
    grpc_metadata md;
    memset(&md, 0, sizeof md);
    char *bearer = NULL;
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_SEND_INITIAL_METADATA;
    if (token) {
        size_t n = strlen(token) + 8;
        bearer = malloc(n);
        if (!bearer) {
            rm_tp_call_free(call);
            return RM_TP_RESOURCE_EXHAUSTED;
        }
        snprintf(bearer, n, "Bearer %s", token);
        md.key = grpc_slice_from_static_string("authorization");
        md.value = grpc_slice_from_copied_string(bearer);
        op.data.send_initial_metadata.count = 1;
        op.data.send_initial_metadata.metadata = &md;
    }
    int r = rm_tp__batch(call, &op, 1, 0);
    if (token) {
        grpc_slice_unref(md.value);
        memset(bearer, 0, strlen(bearer));
        free(bearer);
    }
    call->sent_initial = 1;
    if (r != 1) {
        rm_tp_call_free(call);
        return RM_TP_UNAVAILABLE;
    }
    *out = call;
    return RM_TP_OK;
}

int rm_tp_close_send(rm_tp_call_t *call, int timeout_ms) {
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    int r = rm_tp__batch(call, &op, 1, timeout_ms);
    return r == 1 ? RM_TP_OK : r < 0 ? RM_TP_DEADLINE_EXCEEDED
                                     : RM_TP_UNAVAILABLE;
}

int rm_tp_call_status(rm_tp_call_t *call, char *details, size_t details_len,
                      int timeout_ms) {
    if (details_len)
        details[0] = '\0';
    if (!call->status_pending)
        return RM_TP_INTERNAL;
    if (!call->status_taken) {
        void *tag = RM_TP_TAG(call, RM_TP_TAG_STATUS);
        gpr_timespec deadline =
            timeout_ms <= 0
                ? gpr_inf_future(GPR_CLOCK_MONOTONIC)
                : gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                               gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
        grpc_event ev =
            grpc_completion_queue_pluck(call->cq, tag, deadline, NULL);
        if (ev.type == GRPC_QUEUE_TIMEOUT) {
            grpc_call_cancel(call->call, NULL);
            grpc_completion_queue_pluck(call->cq, tag,
                                        gpr_inf_future(GPR_CLOCK_MONOTONIC),
                                        NULL);
            call->status = GRPC_STATUS_DEADLINE_EXCEEDED;
        }
        call->status_taken = 1;
    }
    if (details_len) {
        size_t n = GRPC_SLICE_LENGTH(call->status_details);
        if (n >= details_len)
            n = details_len - 1;
        memcpy(details, GRPC_SLICE_START_PTR(call->status_details), n);
        details[n] = '\0';
    }
    return (int)call->status;
}
