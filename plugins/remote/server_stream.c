/*
 * server_stream.c — one client stream on the node server: authenticate,
 * read Open, create the node exactly as a one-node manifest would
 * (rm_pipeline_compile: unknown types and bad params are the same errors
 * as locally), run it as a session, answer every Input with its Outputs
 * and Processed, End with the flush outputs and Flushed, log one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <remotemedia/pipeline.h>
#include <remotemedia/session.h>

#include "proto_names.h"
#include "server.h"
#include "wire_msg.h"

#define SEND_TIMEOUT_MS 60000

typedef struct stream {
    rm_ns_state_t *state;
    const rm_ns_config_t *cfg;
    rm_tp_call_t *call;
    uint64_t id;
    char node_id[128];
    char node_type[128];
    rm_pipeline_t *pipeline;
    rm_session_t *session;
    uint64_t inputs, outputs;
    char outcome[512];        /* for the log line                          */
    int broken;               /* the call is gone: stop sending            */
} stream_t;

static rm_item_t *srv_wrap(void *ctx, uint32_t kind, void *data, size_t size,
                           rm_release_cb release, void *user) {
    (void)ctx;
    return rm_item_wrap(kind, data, size, 0, release, user);
}

static rm_item_t *srv_json(void *ctx, const char *json, size_t len) {
    (void)ctx;
    return rm_item_new_json(json, len);
}

static const rm_wire_items_t server_items = {srv_wrap, srv_json, rm_item_ref,
                                             rm_item_unref, NULL};

static int send_msg(stream_t *s, pb_server_msg_t *msg, rm_item_t *item) {
    if (s->broken)
        return -1;
    if (rm_wire_send(s->call, &msg->base, item, &server_items,
                     SEND_TIMEOUT_MS) != RM_TP_OK) {
        s->broken = 1;
        snprintf(s->outcome, sizeof s->outcome, "client went away");
        return -1;
    }
    return 0;
}

static int send_failure(stream_t *s, const char *operation, uint64_t seq,
                        int status, int transient, const char *message) {
    pb_failure_t f = REMOTEMEDIA__REMOTE__V1__FAILURE__INIT;
    f.message = (char *)message;
    f.transient = transient;
    f.operation = (char *)operation;
    f.seq = seq;
    f.status = status;
    pb_server_msg_t m = REMOTEMEDIA__REMOTE__V1__SERVER_MESSAGE__INIT;
    m.body_case = PB_S_FAILURE;
    m.failure = &f;
    snprintf(s->outcome, sizeof s->outcome, "failed (%s): %.400s", operation,
             message);
    return send_msg(s, &m, NULL);
}

/* {"version":"v1","nodes":[{"id":..,"node_type":..,"params":..,
 *  "python":..}]} — the client's node as a manifest, or NULL with `why`. */
static char *one_node_manifest(const pb_open_t *open, char *why,
                               size_t why_len) {
    cJSON *params = cJSON_Parse(open->params_json && *open->params_json
                                    ? open->params_json
                                    : "{}");
    if (!params || !cJSON_IsObject(params)) {
        cJSON_Delete(params);
        snprintf(why, why_len, "params: expected a JSON object");
        return NULL;
    }
    cJSON *python = NULL;
    if (open->python_json && *open->python_json) {
        python = cJSON_Parse(open->python_json);
        if (!python || !cJSON_IsObject(python)) {
            cJSON_Delete(python);
            cJSON_Delete(params);
            snprintf(why, why_len, "python: expected a JSON object");
            return NULL;
        }
    }
    cJSON *root = cJSON_CreateObject(), *nodes = cJSON_CreateArray(),
          *node = cJSON_CreateObject(), *meta = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "version", "v1");
    cJSON_AddStringToObject(meta, "name", "remote");
    cJSON_AddItemToObject(root, "metadata", meta);
    cJSON_AddStringToObject(node, "id", open->node_id);
    cJSON_AddStringToObject(node, "node_type", open->node_type);
    cJSON_AddItemToObject(node, "params", params);
    if (python)
        cJSON_AddItemToObject(node, "python", python);
    cJSON_AddItemToArray(nodes, node);
    cJSON_AddItemToObject(root, "nodes", nodes);
    cJSON_AddItemToObject(root, "connections", cJSON_CreateArray());
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        snprintf(why, why_len, "out of memory");
    return text;
}

/* Create the node of `open`; 0, or -1 after sending a Failure. */
static int open_node(stream_t *s, const pb_open_t *open) {
    char why[1024];
    snprintf(s->node_id, sizeof s->node_id, "%s",
             open->node_id && *open->node_id ? open->node_id : "remote");
    snprintf(s->node_type, sizeof s->node_type, "%s",
             open->node_type ? open->node_type : "");
    if (open->protocol != PB_PROTOCOL) {
        snprintf(why, sizeof why,
                 "protocol %u is not supported (this server speaks %u)",
                 open->protocol, PB_PROTOCOL);
        send_failure(s, "create", 0, RM_ENOTSUP, 0, why);
        return -1;
    }
    if (!*s->node_type) {
        send_failure(s, "create", 0, RM_EINVAL, 0, "Open without a node_type");
        return -1;
    }
    if (!rm_ns_config_allows(s->cfg, s->node_type)) {
        snprintf(why, sizeof why,
                 "node '%s': node type '%s' is not allowed on this server "
                 "(see its --allow list)",
                 s->node_id, s->node_type);
        send_failure(s, "create", 0, RM_EVALIDATE, 0, why);
        return -1;
    }
    const rm_registry_entry_t *entry =
        rm_registry_find(s->cfg->registry, s->node_type);
    int python = (open->python_json && *open->python_json) ||
                 (entry && (entry->type->capabilities & RM_CAP_NEEDS_PYTHON));
    if (python && !s->cfg->allow_python) {
        snprintf(why, sizeof why,
                 "node '%s': node type '%s' runs Python code, and this "
                 "server was started without --allow-python (a node that "
                 "names a Python class is code)",
                 s->node_id, s->node_type);
        send_failure(s, "create", 0, RM_EVALIDATE, 0, why);
        return -1;
    }
    char *manifest = one_node_manifest(open, why, sizeof why);
    if (!manifest) {
        char msg[1200];
        snprintf(msg, sizeof msg, "node '%s': %s", s->node_id, why);
        send_failure(s, "create", 0, RM_EINVAL, 0, msg);
        return -1;
    }
    rm_diag_t *diag = rm_diag_new();
    int status = rm_pipeline_compile(s->cfg->registry, manifest,
                                     strlen(manifest), "<remote node>", diag,
                                     &s->pipeline);
    free(manifest);
    if (status != RM_OK) {
        const char *text = diag ? rm_diag_text(diag) : "";
        snprintf(why, sizeof why, "%s", text && *text ? text
                                                      : rm_strerror(status));
        send_failure(s, "create", 0, status, status == RM_EAGAIN, why);
        rm_diag_free(diag);
        return -1;
    }
    rm_diag_free(diag);
    status = rm_session_open(s->pipeline, NULL, &s->session);
    if (status == RM_OK && rm_session_status(s->session) != RM_OK) {
        const rm_run_error_t *e = rm_session_error(s->session);
        send_failure(s, "create", 0, e ? e->status : RM_EINTERNAL,
                     e ? e->transient : 0,
                     e && e->message ? e->message : "create failed");
        return -1;
    }
    if (status != RM_OK) {
        send_failure(s, "create", 0, status, 0, rm_strerror(status));
        return -1;
    }
    entry = rm_registry_find(s->cfg->registry,
                             rm_pipeline_node_type(s->pipeline, 0));
    pb_opened_t o = REMOTEMEDIA__REMOTE__V1__OPENED__INIT;
    o.protocol = PB_PROTOCOL;
    o.output_ports = entry ? entry->type->output_count : 1;
    o.stateful = entry && (entry->type->capabilities &
                           (RM_CAP_STATEFUL | RM_CAP_STREAMING));
    pb_server_msg_t m = REMOTEMEDIA__REMOTE__V1__SERVER_MESSAGE__INIT;
    m.body_case = PB_S_OPENED;
    m.opened = &o;
    return send_msg(s, &m, NULL);
}

/* Send every output waiting, tagged with `seq`; the count, or -1. */
static long drain(stream_t *s, uint64_t seq) {
    long count = 0;
    rm_session_output_t out;
    while (rm_session_next(s->session, &out)) {
        rm_wire_pb_item_t storage;
        char why[256];
        int bad = rm_wire_item_encode(out.item, &storage, why, sizeof why);
        int r = -1;
        if (bad) {
            char msg[512];
            snprintf(msg, sizeof msg, "node '%s': output on port %u: %s",
                     s->node_id, out.port, why);
            send_failure(s, seq ? "process" : "flush", seq, RM_EKIND, 0, msg);
        } else {
            pb_output_t o = REMOTEMEDIA__REMOTE__V1__OUTPUT__INIT;
            o.seq = seq;
            o.port = out.port;
            o.item = &storage.item;
            pb_server_msg_t m = REMOTEMEDIA__REMOTE__V1__SERVER_MESSAGE__INIT;
            m.body_case = PB_S_OUTPUT;
            m.output = &o;
            r = send_msg(s, &m, out.item);
        }
        rm_item_unref(out.item);
        if (r != 0)
            return -1;
        count++;
        s->outputs++;
    }
    return count;
}

/* Settle the session and send what it produced; 0, or -1 (failed: a
 * Failure was sent, or the client is gone). */
static int settle(stream_t *s, uint64_t seq, const char *operation) {
    for (;;) {
        rm_session_poll(s->session, RM_POLL_WAIT);
        long n = drain(s, seq);
        if (n < 0)
            return -1;
        if (rm_session_status(s->session) != RM_OK) {
            const rm_run_error_t *e = rm_session_error(s->session);
            send_failure(s, e && e->operation ? e->operation : operation, seq,
                         e ? e->status : rm_session_status(s->session),
                         e ? e->transient : 0,
                         e && e->message ? e->message : "node failed");
            return -1;
        }
        if (n == 0)
            return 0;
    }
}

static int handle_input(stream_t *s, const pb_input_t *in,
                        rm_wire_in_t **owner) {
    /* `in` lives in the message the item takes over: once the session
     * drops the item, it is gone, so keep what is needed now. */
    const uint64_t seq = in->seq;
    const uint32_t port = in->port;
    rm_wire_item_t w;
    char why[512];
    s->inputs++;
    if (rm_wire_item_decode(in->item, s->cfg->max_message, &w, why,
                            sizeof why) != 0) {
        char msg[700];
        snprintf(msg, sizeof msg, "node '%s': input %llu: %s", s->node_id,
                 (unsigned long long)seq, why);
        send_failure(s, "process", seq, RM_EPARSE, 0, msg);
        return -1;
    }
    rm_item_t *item = rm_wire_item_make(&server_items, &w, owner);
    if (!item) {
        send_failure(s, "process", seq, RM_ENOMEM, 1, "out of memory");
        return -1;
    }
    int status;
    while ((status = rm_session_push(s->session, RM_SESSION_ALL_ENTRIES,
                                     port, item, 0)) == RM_EAGAIN) {
        if (drain(s, seq) < 0) {
            rm_item_unref(item);
            return -1;
        }
        rm_session_poll(s->session, RM_POLL_WAIT);
    }
    rm_item_unref(item);
    if (status == RM_EINVAL) {
        const char *e = rm_session_push_error(s->session);
        snprintf(why, sizeof why, "node '%s': input %llu refused: %s",
                 s->node_id, (unsigned long long)seq,
                 e ? e : "invalid item");
        send_failure(s, "process", seq, RM_EINVAL, 0, why);
        return -1;
    }
    if (settle(s, seq, "process") != 0)
        return -1;
    pb_processed_t p = REMOTEMEDIA__REMOTE__V1__PROCESSED__INIT;
    p.seq = seq;
    pb_server_msg_t m = REMOTEMEDIA__REMOTE__V1__SERVER_MESSAGE__INIT;
    m.body_case = PB_S_PROCESSED;
    m.processed = &p;
    return send_msg(s, &m, NULL);
}

static int handle_end(stream_t *s) {
    rm_session_end(s->session);
    while (!rm_session_finished(s->session) ||
           rm_session_pending(s->session)) {
        if (settle(s, 0, "flush") != 0)
            return -1;
        if (!rm_session_finished(s->session))
            rm_session_poll(s->session, RM_POLL_WAIT);
    }
    if (settle(s, 0, "flush") != 0)
        return -1;
    pb_flushed_t f = REMOTEMEDIA__REMOTE__V1__FLUSHED__INIT;
    pb_server_msg_t m = REMOTEMEDIA__REMOTE__V1__SERVER_MESSAGE__INIT;
    m.body_case = PB_S_FLUSHED;
    m.flushed = &f;
    if (send_msg(s, &m, NULL) != 0)
        return -1;
    snprintf(s->outcome, sizeof s->outcome, "ok");
    return 0;
}

/* The message loop after authentication: the call's final status. */
static int run_stream(stream_t *s) {
    int opened = 0, ended = 0;
    for (;;) {
        rm_wire_in_t *raw = NULL;
        int r = rm_wire_recv_in(s->call, &PB_CLIENT_DESC, &raw,
                             s->cfg->idle_timeout_ms);
        if (r == 0) {
            if (!*s->outcome)
                snprintf(s->outcome, sizeof s->outcome,
                         ended ? "ok" : "client closed before End");
            return RM_TP_OK;
        }
        if (r == -1) {
            snprintf(s->outcome, sizeof s->outcome,
                     "idle for %d ms: closed", s->cfg->idle_timeout_ms);
            return RM_TP_DEADLINE_EXCEEDED;
        }
        if (r == -2) {
            snprintf(s->outcome, sizeof s->outcome, "malformed message");
            send_failure(s, opened ? "process" : "create", 0, RM_EPARSE, 0,
                         "malformed message (not a ClientMessage)");
            return RM_TP_INVALID_ARGUMENT;
        }
        pb_client_msg_t *msg = (pb_client_msg_t *)raw->msg;
        int fail = 0;
        if (!opened) {
            if (msg->body_case != PB_C_OPEN) {
                send_failure(s, "create", 0, RM_EPARSE, 0,
                             "the first message of a stream must be Open");
                fail = 1;
            } else {
                fail = open_node(s, msg->open) != 0;
                opened = 1;
            }
        } else if (msg->body_case == PB_C_INPUT && !ended) {
            fail = handle_input(s, msg->input, &raw) != 0;
        } else if (msg->body_case == PB_C_END && !ended) {
            fail = handle_end(s) != 0;
            ended = 1;
        } else {
            send_failure(s, "process", 0, RM_EPARSE, 0,
                         "unexpected message (a second Open, or data after "
                         "End)");
            fail = 1;
        }
        rm_wire_in_free(raw); /* NULL when an item took it over */
        if (fail)
            return RM_TP_OK;  /* the Failure message says what went wrong */
    }
}

static void handle_health(rm_ns_state_t *state, rm_tp_call_t *call) {
    ProtobufCMessage *req = NULL;
    if (rm_wire_recv(call, &PB_HEALTH_REQ_DESC, &req, 10000) == 1)
        protobuf_c_message_free_unpacked(req, NULL);
    pb_health_reply_t reply = REMOTEMEDIA__REMOTE__V1__HEALTH_REPLY__INIT;
    reply.status = "serving";
    pthread_mutex_lock(&state->lock);
    reply.streams = state->active;
    pthread_mutex_unlock(&state->lock);
    if (rm_wire_send(call, &reply.base, NULL, &server_items, 10000) ==
        RM_TP_OK)
        rm_tp_call_finish(call, RM_TP_OK, "", 10000);
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void rm_ns_handle_call(rm_ns_state_t *state, rm_tp_call_t *call,
                       uint64_t id) {
    const char *method = rm_tp_call_method(call);
    if (strcmp(method, RM_REMOTE_METHOD_HEALTH) == 0) {
        handle_health(state, call);
        rm_tp_call_free(call);
        return;
    }
    stream_t s;
    memset(&s, 0, sizeof s);
    s.state = state;
    s.cfg = state->cfg;
    s.call = call;
    s.id = id;
    uint64_t start = now_ms();
    char auth[1024];
    int code;
    if (strcmp(method, RM_REMOTE_METHOD_STREAM) != 0) {
        code = 12; /* UNIMPLEMENTED */
        snprintf(s.outcome, sizeof s.outcome, "unknown method %s", method);
        rm_tp_call_finish(call, code, "unknown method", 10000);
    } else if (!rm_ns_token_ok(s.cfg, rm_tp_call_metadata(
                                              call, "authorization", auth,
                                              sizeof auth)
                                              ? auth
                                              : NULL)) {
        snprintf(s.outcome, sizeof s.outcome,
                 "unauthenticated (missing or wrong bearer token)");
        rm_tp_call_finish(call, RM_TP_UNAUTHENTICATED,
                          "missing or wrong bearer token", 10000);
    } else {
        code = run_stream(&s);
        if (!s.broken)
            rm_tp_call_finish(call, code, s.outcome, 10000);
    }
    memset(auth, 0, sizeof auth);
    if (s.session)
        rm_session_close(s.session, NULL);
    if (s.pipeline)
        rm_pipeline_free(s.pipeline);
    fprintf(stderr,
            "rmrun serve: stream %llu from %s: node '%s' (%s): %llu in, "
            "%llu out, %llu ms: %s\n",
            (unsigned long long)id, rm_tp_call_peer(call),
            *s.node_id ? s.node_id : "-", *s.node_type ? s.node_type : "-",
            (unsigned long long)s.inputs, (unsigned long long)s.outputs,
            (unsigned long long)(now_ms() - start), s.outcome);
    rm_tp_call_free(call);
}
