/*
 * transport_server.c — the server end: listening (plaintext or TLS, with
 * optional client certificates), handing out incoming calls one by one
 * (each on its own pluck queue, so a thread can drive it alone), request
 * metadata, and ending a call with a status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "transport_internal.h"

struct rm_tp_server {
    grpc_server *server;
    grpc_completion_queue *cq;   /* notifications: new calls, shutdown    */
    rm_tp_call_t *pending;       /* the call slot gRPC is filling         */
    int shutting_down;
    int shut_down;               /* the shutdown notification arrived     */
};

#define SHUTDOWN_TAG(srv) ((void *)((char *)(srv) + 1))

/* Free the server, drain and free its queue, free `srv`. */
static void destroy_server(rm_tp_server_t *srv) {
    grpc_server_destroy(srv->server);
    grpc_completion_queue_shutdown(srv->cq);
    while (grpc_completion_queue_next(srv->cq,
                                      gpr_inf_future(GPR_CLOCK_MONOTONIC),
                                      NULL).type != GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(srv->cq);
    free(srv);
}

int rm_tp_server_open(const char *address, const rm_tp_tls_t *tls,
                      size_t max_message, rm_tp_server_t **out,
                      int *bound_port, char *why, size_t why_len) {
    *out = NULL;
    rm_tp__init();
    rm_tp_server_t *srv = calloc(1, sizeof *srv);
    if (!srv) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    grpc_arg args[2];
    grpc_channel_args cargs;
    rm_tp__size_args(max_message, args, &cargs);
    srv->server = grpc_server_create(&cargs, NULL);
    srv->cq = grpc_completion_queue_create_for_next(NULL);
    grpc_server_register_completion_queue(srv->server, srv->cq, NULL);
    grpc_server_credentials *creds;
    if (tls) {
        grpc_ssl_pem_key_cert_pair pair = {tls->key_pem, tls->cert_pem};
        creds = grpc_ssl_server_credentials_create_ex(
            tls->ca_pem, &pair, 1,
            tls->ca_pem ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                        : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE,
            NULL);
    } else {
        creds = grpc_insecure_server_credentials_create();
    }
    int port = creds ? grpc_server_add_http2_port(srv->server, address, creds)
                     : 0;
    if (creds)
        grpc_server_credentials_release(creds);
    if (port <= 0) {
        snprintf(why, why_len,
                 "cannot listen on '%s'%s (address in use, not a local "
                 "address, or a malformed HOST:PORT)",
                 address, tls ? " with TLS (check the certificate and key)"
                              : "");
        destroy_server(srv);
        return -1;
    }
    grpc_server_start(srv->server);
    *bound_port = port;
    *out = srv;
    return 0;
}

static int request_next(rm_tp_server_t *srv) {
    rm_tp_call_t *call = rm_tp__call_new(1);
    if (!call)
        return -1;
    if (grpc_server_request_call(srv->server, &call->call, &call->details,
                                 &call->request_md, call->cq, srv->cq,
                                 call) != GRPC_CALL_OK) {
        rm_tp_call_free(call);
        return -1;
    }
    srv->pending = call;
    return 0;
}

static void copy_method(rm_tp_call_t *call) {
    size_t n = GRPC_SLICE_LENGTH(call->details.method);
    if (n >= sizeof call->method)
        n = sizeof call->method - 1;
    memcpy(call->method, GRPC_SLICE_START_PTR(call->details.method), n);
    call->method[n] = '\0';
}

int rm_tp_server_accept(rm_tp_server_t *srv, int timeout_ms,
                        rm_tp_call_t **out) {
    *out = NULL;
    if (srv->shut_down)
        return -1;
    if (!srv->pending && !srv->shutting_down && request_next(srv) != 0)
        return -1;
    gpr_timespec deadline = gpr_time_add(
        gpr_now(GPR_CLOCK_MONOTONIC),
        gpr_time_from_millis(timeout_ms > 0 ? timeout_ms : 0, GPR_TIMESPAN));
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(srv->cq, deadline, NULL);
        if (ev.type == GRPC_QUEUE_TIMEOUT)
            return 0;
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            return -1;
        if (ev.tag == SHUTDOWN_TAG(srv)) {
            srv->shut_down = 1;
            return -1;
        }
        rm_tp_call_t *call = ev.tag;
        if (call == srv->pending)
            srv->pending = NULL;
        if (!ev.success) {   /* the server is shutting down */
            rm_tp_call_free(call);
            continue;
        }
        copy_method(call);
        /* Learn when the client goes away (or cancels). */
        grpc_op op;
        memset(&op, 0, sizeof op);
        op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
        op.data.recv_close_on_server.cancelled = &call->cancelled_by_peer;
        if (grpc_call_start_batch(call->call, &op, 1,
                                  RM_TP_TAG(call, RM_TP_TAG_CLOSE),
                                  NULL) == GRPC_CALL_OK)
            call->close_pending = 1;
        *out = call;
        return 1;
    }
}

void rm_tp_server_shutdown(rm_tp_server_t *srv) {
    if (srv->shutting_down)
        return;
    srv->shutting_down = 1;
    grpc_server_shutdown_and_notify(srv->server, srv->cq, SHUTDOWN_TAG(srv));
}

void rm_tp_server_cancel_all(rm_tp_server_t *srv) {
    grpc_server_cancel_all_calls(srv->server);
}

void rm_tp_server_close(rm_tp_server_t *srv) {
    if (!srv)
        return;
    rm_tp_server_shutdown(srv);
    while (!srv->shut_down) {
        grpc_event ev = grpc_completion_queue_next(
            srv->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            break;
        if (ev.tag == SHUTDOWN_TAG(srv))
            srv->shut_down = 1;
        else if (ev.tag) {
            rm_tp_call_t *call = ev.tag;
            if (call == srv->pending)
                srv->pending = NULL;
            rm_tp_call_free(call);
        }
    }
    destroy_server(srv);
    rm_tp__shutdown();
}

const char *rm_tp_call_method(const rm_tp_call_t *call) {
    return call->method;
}

const char *rm_tp_call_peer(rm_tp_call_t *call) {
    if (!call->peer)
        call->peer = grpc_call_get_peer(call->call);
    return call->peer ? call->peer : "?";
}

int rm_tp_call_metadata(const rm_tp_call_t *call, const char *key,
                        char *value, size_t value_len) {
    size_t klen = strlen(key);
    for (size_t i = 0; i < call->request_md.count; i++) {
        const grpc_metadata *md = &call->request_md.metadata[i];
        if (GRPC_SLICE_LENGTH(md->key) != klen ||
            memcmp(GRPC_SLICE_START_PTR(md->key), key, klen) != 0)
            continue;
        size_t n = GRPC_SLICE_LENGTH(md->value);
        if (n >= value_len)
            n = value_len - 1;
        memcpy(value, GRPC_SLICE_START_PTR(md->value), n);
        value[n] = '\0';
        return 1;
    }
    return 0;
}

int rm_tp_call_finish(rm_tp_call_t *call, int code, const char *details,
                      int timeout_ms) {
    grpc_op ops[2];
    size_t n = 0;
    memset(ops, 0, sizeof ops);
    if (!call->sent_initial) {
        ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
        call->sent_initial = 1;
    }
    grpc_slice text = grpc_slice_from_copied_string(details ? details : "");
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = (grpc_status_code)code;
    ops[n].data.send_status_from_server.status_details = &text;
    n++;
    int r = rm_tp__batch(call, ops, n, timeout_ms);
    grpc_slice_unref(text);
    return r == 1 ? RM_TP_OK : RM_TP_UNAVAILABLE;
}
