/*
 * client_stream.c — see client.h. One exchange at a time: send Input N,
 * collect Outputs until Processed N. Connection trouble drops the stream
 * and is reported as transient, so the engine's retry policy re-sends the
 * same input on a new stream (exactly once for stateless node types);
 * for a stateful remote node a lost stream lost its state, which is a
 * permanent error naming the host and the first unprocessed input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel_pool.h"
#include "client.h"
#include "proto_names.h"
#include "wire_msg.h"

static rm_item_t *cl_wrap(void *ctx, uint32_t kind, void *data, size_t size,
                          rm_release_cb release, void *user) {
    const rm_host_t *host = ctx;
    return host->item_wrap(host, kind, data, size, 0, release, user);
}

static rm_item_t *cl_json(void *ctx, const char *json, size_t len) {
    const rm_host_t *host = ctx;
    return host->item_new_json(host, json, len);
}

static rm_wire_items_t client_items(const rm_host_t *host) {
    return (rm_wire_items_t){cl_wrap, cl_json, host->item_ref,
                             host->item_unref, (void *)host};
}

void rm_remote_outputs_clear(const rm_host_t *host, rm_remote_outputs_t *o) {
    for (size_t i = 0; i < o->count; i++)
        host->item_unref(o->items[i]);
    free(o->items);
    free(o->ports);
    memset(o, 0, sizeof *o);
}

static int outputs_add(rm_remote_outputs_t *o, uint32_t port,
                       rm_item_t *item) {
    if (o->count == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 8;
        rm_item_t **items = realloc(o->items, cap * sizeof *items);
        if (!items)
            return -1;
        o->items = items;
        uint32_t *ports = realloc(o->ports, cap * sizeof *ports);
        if (!ports)
            return -1;
        o->ports = ports;
        o->cap = cap;
    }
    o->items[o->count] = item;
    o->ports[o->count] = port;
    o->count++;
    return 0;
}

/* Report a failure through `err` and remember it (client.h: last_*). */
static int stream_fail(rm_remote_stream_t *s, rm_error_t *err, int status,
                       int transient, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int stream_fail(rm_remote_stream_t *s, rm_error_t *err, int status,
                       int transient, const char *fmt, ...) {
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    free(s->last_error);
    s->last_error = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (s->last_error)
        vsnprintf(s->last_error, (size_t)len + 1, fmt, again);
    va_end(again);
    s->last_transient = transient;
    s->last_code = -1;
    return s->host->error_set(err, status, transient, "%s",
                              s->last_error ? s->last_error
                                            : "out of memory");
}

static void drop_call(rm_remote_stream_t *s) {
    rm_tp_call_free(s->call);
    s->call = NULL;
    /* A fresh channel next time: no reconnect back-off left over. */
    rm_channel_pool_discard(s->channel);
    s->channel = NULL;
}

/* Why the stream broke (`code`, `details` from the transport), through
 * `err`. */
static int lost_report(rm_remote_stream_t *s, int code, const char *details,
                       const char *doing, rm_error_t *err) {
    if (code == RM_TP_UNAUTHENTICATED)
        return stream_fail(s, err, RM_EINVAL, 0,
                           "remote %s: UNAUTHENTICATED: %s (give the "
                           "server's token in the node's \"token\" "
                           "param or REMOTEMEDIA_REMOTE_TOKEN)",
                           s->target->host,
                           *details ? details : "token refused");
    int oversize = strstr(details, "larger than max") != NULL;
    int transient = rm_tp_code_transient(code) && !oversize;
    if (transient && s->stateful && s->total_acked > 0) {
        s->state_lost = 1;
        return stream_fail(
            s, err, RM_EIO, 0,
            "remote %s: connection lost %s (%s%s%s); node type '%s' is "
            "stateful and its state on the server is gone, so it is not "
            "retried: inputs 1..%llu were processed, input %llu was not",
            s->target->host, doing, rm_tp_code_name(code),
            *details ? ": " : "", details, s->target->node_type,
            (unsigned long long)s->total_acked,
            (unsigned long long)s->total_acked + 1);
    }
    /* An item over the server's limit is invalid there, not an I/O error
     * (rmrun maps a permanent RM_EIO to "a file could not be read"). */
    int status = transient ? RM_EAGAIN : oversize ? RM_EINVAL : RM_EIO;
    return stream_fail(s, err, status, transient, "remote %s: %s %s%s%s%s",
                       s->target->host, rm_tp_code_name(code), doing,
                       *details ? ": " : "", details,
                       code == RM_TP_UNAVAILABLE && !*details
                       ? " (is `rmrun serve` running there?)"
                       : "");
}

/* The stream broke (`code` from the transport): drop it, say why. */
static int lost(rm_remote_stream_t *s, int code, const char *doing,
                rm_error_t *err) {
    char details[256] = "";
    if (s->call && code != RM_TP_DEADLINE_EXCEEDED) {
        int st = rm_tp_call_status(s->call, details, sizeof details, 2000);
        if (st != RM_TP_OK)
            code = st;
    }
    drop_call(s);
    if (code == RM_TP_OK)
        code = RM_TP_UNAVAILABLE;
    int status = lost_report(s, code, details, doing, err);
    s->last_code = code;
    return status;
}

/* A Failure from the server: the remote node's error, host-prefixed. */
static int remote_failure(rm_remote_stream_t *s, const pb_failure_t *f,
                          rm_error_t *err) {
    int status = f->status < 0 && f->status >= RM__STATUS_MIN ? f->status
                                                              : RM_EIO;
    int r = stream_fail(s, err, status, f->transient, "remote %s: %s%s%s",
                        s->target->host,
                        f->message ? f->message : "node failed",
                        f->traceback && *f->traceback ? "\n" : "",
                        f->traceback ? f->traceback : "");
    /* The server ends the stream after a Failure. */
    rm_tp_call_status(s->call, NULL, 0, 2000);
    drop_call(s);
    return r;
}

static int send_client(rm_remote_stream_t *s, pb_client_msg_t *m,
                       rm_item_t *item) {
    rm_wire_items_t items = client_items(s->host);
    return rm_wire_send(s->call, &m->base, item, &items,
                        s->target->timeout_ms);
}

/* Receive one ServerMessage: 1 and *out (free with rm_wire_in_free);
 * else the stream is lost (`err` set, returns the status). */
static int recv_server(rm_remote_stream_t *s, rm_wire_in_t **out,
                       const char *doing, rm_error_t *err) {
    int r = rm_wire_recv_in(s->call, &PB_SERVER_DESC, out,
                            s->target->timeout_ms);
    if (r == 1)
        return 1;
    if (r == -2) {
        drop_call(s);
        return stream_fail(s, err, RM_EPARSE, 0,
                           "remote %s: malformed reply %s",
                           s->target->host, doing);
    }
    return lost(s, r == -1 ? RM_TP_DEADLINE_EXCEEDED : RM_TP_UNAVAILABLE,
                doing, err);
}

int rm_remote_stream_open(rm_remote_stream_t *s, rm_error_t *err) {
    const rm_remote_target_t *t = s->target;
    if (s->state_lost)
        return stream_fail(s, err, RM_EIO, 0,
                           "remote %s: the stateful node's stream was "
                           "lost earlier; not reconnecting",
                           t->host);
    char why[256];
    if (!s->channel) {
        rm_tp_tls_t tls = {t->ca_pem, t->cert_pem, t->key_pem,
                           t->server_name};
        if (rm_channel_pool_take(t->host, t->use_tls ? &tls : NULL,
                               t->max_message + (1u << 20), &s->channel, why,
                               sizeof why) != 0)
            return stream_fail(s, err, RM_EINVAL, 0, "remote %s: %s",
                               t->host, why);
    }
    int code = rm_tp_call_start(s->channel,
                                "/remotemedia.remote.v1.NodeService/Stream",
                                t->token, &s->call);
    if (code != RM_TP_OK)
        return lost(s, code, "while connecting", err);
    pb_open_t o = REMOTEMEDIA__REMOTE__V1__OPEN__INIT;
    o.protocol = PB_PROTOCOL;
    o.node_id = t->node_id;
    o.node_type = t->node_type;
    o.params_json = t->params_json;
    o.python_json = t->python_json ? t->python_json : "";
    pb_client_msg_t m = REMOTEMEDIA__REMOTE__V1__CLIENT_MESSAGE__INIT;
    m.body_case = PB_C_OPEN;
    m.open = &o;
    if ((code = send_client(s, &m, NULL)) != RM_TP_OK)
        return lost(s, code, "while opening the node", err);
    rm_wire_in_t *in;
    int r = recv_server(s, &in, "while opening the node", err);
    if (r != 1)
        return r;
    pb_server_msg_t *reply = (pb_server_msg_t *)in->msg;
    int status = RM_OK;
    if (reply->body_case == PB_S_OPENED && reply->opened->protocol == PB_PROTOCOL) {
        s->output_ports = reply->opened->output_ports;
        s->stateful = reply->opened->stateful;
        s->seq = 0;
        s->acked = 0;
    } else if (reply->body_case == PB_S_FAILURE) {
        status = remote_failure(s, reply->failure, err);
    } else {
        drop_call(s);
        status = stream_fail(s, err, RM_EPARSE, 0,
                             "remote %s: unexpected reply to Open",
                             t->host);
    }
    rm_wire_in_free(in);
    return status;
}

/* Read replies until Processed{seq} (seq > 0) or Flushed (seq == 0). */
static int collect(rm_remote_stream_t *s, uint64_t seq,
                   rm_remote_outputs_t *outs, rm_error_t *err) {
    const rm_host_t *host = s->host;
    const char *doing = seq ? "while processing" : "while flushing";
    rm_wire_items_t items = client_items(host);
    for (;;) {
        rm_wire_in_t *in;
        int r = recv_server(s, &in, doing, err);
        if (r != 1)
            return r;
        pb_server_msg_t *reply = (pb_server_msg_t *)in->msg;
        int status = 1; /* 1: go on */
        switch (reply->body_case) {
        case PB_S_OUTPUT: {
            rm_wire_item_t w;
            char why[256];
            const pb_output_t *o = reply->output;
            if (o->port >= RM_REMOTE_MAX_PORTS) {
                status = stream_fail(
                    s, err, RM_EKIND, 0,
                    "remote %s: output on port %u; RemoteNode has %d ports",
                    s->target->host, o->port, RM_REMOTE_MAX_PORTS);
            } else if (rm_wire_item_decode(o->item, s->target->max_message,
                                           &w, why, sizeof why) != 0) {
                status = stream_fail(s, err, RM_EPARSE, 0,
                                     "remote %s: bad output item: %s",
                                     s->target->host, why);
            } else {
                uint32_t port = o->port;
                rm_item_t *item = rm_wire_item_make(&items, &w, &in);
                if (!item || outputs_add(outs, port, item) != 0) {
                    host->item_unref(item);
                    status = stream_fail(s, err, RM_ENOMEM, 1,
                                         "remote %s: out of memory",
                                         s->target->host);
                }
                /* in == NULL: the item owns the message now */
            }
            break;
        }
        case PB_S_PROCESSED:
            if (seq && reply->processed->seq == seq)
                status = RM_OK;
            break;
        case PB_S_FLUSHED:
            if (!seq)
                status = RM_OK;
            break;
        case PB_S_FAILURE:
            status = remote_failure(s, reply->failure, err);
            break;
        default:
            status = stream_fail(s, err, RM_EPARSE, 0,
                                 "remote %s: unexpected reply %s",
                                 s->target->host, doing);
        }
        rm_wire_in_free(in);
        if (status != 1)
            return status;
    }
}

int rm_remote_stream_process(rm_remote_stream_t *s, uint32_t port,
                             rm_item_t *item, rm_remote_outputs_t *outs,
                             rm_error_t *err) {
    if (!s->call) {
        int st = rm_remote_stream_open(s, err);
        if (st != RM_OK)
            return st;
    }
    rm_wire_pb_item_t storage;
    char why[256];
    if (item->size > s->target->max_message)
        return stream_fail(s, err, RM_EINVAL, 0,
                           "remote %s: item of %zu bytes is over "
                           "max_message_mb (%zu MB)",
                           s->target->host, item->size,
                           s->target->max_message >> 20);
    if (rm_wire_item_encode(item, &storage, why, sizeof why) != 0)
        return stream_fail(s, err, RM_EKIND, 0,
                           "remote %s: cannot send this item: %s",
                           s->target->host, why);
    pb_input_t in = REMOTEMEDIA__REMOTE__V1__INPUT__INIT;
    in.seq = ++s->seq;
    in.port = port;
    in.item = &storage.item;
    pb_client_msg_t m = REMOTEMEDIA__REMOTE__V1__CLIENT_MESSAGE__INIT;
    m.body_case = PB_C_INPUT;
    m.input = &in;
    int code = send_client(s, &m, item);
    if (code != RM_TP_OK)
        return lost(s, code, "while sending", err);
    int st = collect(s, in.seq, outs, err);
    if (st == RM_OK) {
        s->acked++;
        s->total_acked++;
    }
    return st;
}

int rm_remote_stream_flush(rm_remote_stream_t *s, rm_remote_outputs_t *outs,
                           rm_error_t *err) {
    if (!s->call) {
        int st = rm_remote_stream_open(s, err);
        if (st != RM_OK)
            return st;
    }
    pb_end_t e = REMOTEMEDIA__REMOTE__V1__END__INIT;
    pb_client_msg_t m = REMOTEMEDIA__REMOTE__V1__CLIENT_MESSAGE__INIT;
    m.body_case = PB_C_END;
    m.end = &e;
    int code = send_client(s, &m, NULL);
    if (code != RM_TP_OK)
        return lost(s, code, "while sending End", err);
    int st = collect(s, 0, outs, err);
    if (st == RM_OK) {
        rm_remote_stream_close(s);
        s->total_acked = 0; /* a new run starts a new remote instance */
    }
    return st;
}

void rm_remote_stream_close(rm_remote_stream_t *s) {
    free(s->last_error);
    s->last_error = NULL;
    if (s->call) {
        if (rm_tp_close_send(s->call, 2000) == RM_TP_OK)
            rm_tp_call_status(s->call, NULL, 0, 2000);
        rm_tp_call_free(s->call);
        s->call = NULL;
    }
}
