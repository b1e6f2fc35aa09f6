/*
 * plugin.c — the remote plugin: the RemoteNode node type, the manifest
 * "host" resolver (resolver.c) and the node server behind `rmrun serve`,
 * reached through get_extension. RemoteNode and the server run in the
 * core module (core_module.h), loaded on their first use, so a run
 * without remote nodes does not load gRPC.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core_module.h"
#include "module_beside.h"
#include "node_error.h"

extern const rm_node_resolver_t rm_remote_resolver;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const rm_remote_core_t *core;
static char load_error[4608];

static void load(void) {
    /* Never unloaded (linked -z nodelete): gRPC's threads outlive calls. */
    char why[4400] = "";
    const rm_module_table_head_t expect = {RM_REMOTE_CORE_LAYOUT,
                                           sizeof(rm_remote_core_t)};
    core = rm_module_beside((const void *)&load_error, RM_REMOTE_CORE_DIR,
                            RM_REMOTE_CORE_FILE, RM_REMOTE_CORE_SYMBOL,
                            &expect, why, sizeof why);
    if (!core)
        snprintf(load_error, sizeof load_error,
                 "cannot load the remote plugin's gRPC module: %s", why);
}

static const rm_remote_core_t *loaded(void) {
    pthread_once(&load_once, load);
    return core;
}

/* ---- RemoteNode: its declaration ------------------------------------- */

static const rm_param_spec_t remote_params[] = {
    {"host", RM_PARAM_STRING, RM_PARAM_REQUIRED, NULL, 0, 0, NULL,
     "the node server, \"HOST:PORT\" (`rmrun serve --listen`)"},
    {"node_type", RM_PARAM_STRING, RM_PARAM_REQUIRED, NULL, 0, 0, NULL,
     "the node type to run there"},
    {"params", RM_PARAM_JSON, 0, "{}", 0, 0, NULL,
     "its params, validated by the server"},
    {"python", RM_PARAM_JSON, RM_PARAM_NULLABLE, "null", 0, 0, NULL,
     "a Python node's location ({\"module\", \"class\"}); the server "
     "needs --allow-python"},
    {"token", RM_PARAM_STRING, RM_PARAM_NULLABLE, "null", 0, 0, NULL,
     "bearer token (default: $REMOTEMEDIA_REMOTE_TOKEN); never printed"},
    {"token_file", RM_PARAM_STRING, RM_PARAM_NULLABLE, "null", 0, 0, NULL,
     "file holding the token (default: $REMOTEMEDIA_REMOTE_TOKEN_FILE)"},
    {"tls", RM_PARAM_BOOL, 0, "false", 0, 0, NULL,
     "use TLS (implied by ca_file/cert_file); system roots without ca_file"},
    {"ca_file", RM_PARAM_STRING, RM_PARAM_NULLABLE, "null", 0, 0, NULL,
     "PEM roots to trust (default: $REMOTEMEDIA_REMOTE_CA)"},
    {"cert_file", RM_PARAM_STRING, RM_PARAM_NULLABLE, "null", 0, 0, NULL,
     "client certificate for mutual TLS ($REMOTEMEDIA_REMOTE_CERT)"},
    {"key_file", RM_PARAM_STRING, RM_PARAM_NULLABLE, "null", 0, 0, NULL,
     "its private key ($REMOTEMEDIA_REMOTE_KEY)"},
    {"server_name", RM_PARAM_STRING, RM_PARAM_NULLABLE, "null", 0, 0, NULL,
     "name expected in the server certificate (default: the host)"},
    {"timeout_ms", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX,
     "60000", 1, 86400000, NULL,
     "longest wait for one reply before the call counts as stuck "
     "(DEADLINE_EXCEEDED, transient)"},
    {"max_message_mb", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX,
     "64", 1, 2000, NULL, "largest item either way, MB"},
};

static const rm_port_spec_t remote_in[] = {
    {"in", RM_KINDS_ANY & ~RM_KIND_BIT(RM_KIND_PYOBJECT),
     "sent to the remote node's input"}};
static const rm_port_spec_t remote_out[RM_REMOTE_MAX_PORTS] = {
    {"out", RM_KINDS_ANY, "the remote node's output port 0"},
    {"out1", RM_KINDS_ANY, "its output port 1"},
    {"out2", RM_KINDS_ANY, "its output port 2"},
    {"out3", RM_KINDS_ANY, "its output port 3"},
};

/* ---- RemoteNode: each call goes to the core's ----------------------------
 * Once create has succeeded the core is loaded, so the other calls reach
 * it without a check. */

static int remote_create(const rm_host_t *host, const rm_params_t *params,
                         void **instance, rm_error_t *err) {
    if (!loaded())
        return rm_node_error(host, err, RM_ENOTSUP, 0, RM_REMOTE_NODE_TYPE,
                             "%s", load_error);
    return core->create(host, params, instance, err);
}

static int remote_process(void *instance, uint32_t port, rm_item_t *item,
                          rm_emit_t *out, rm_error_t *err) {
    return core->process(instance, port, item, out, err);
}

static int remote_flush(void *instance, rm_emit_t *out, rm_error_t *err) {
    return core->flush(instance, out, err);
}

static void remote_destroy(void *instance) {
    core->destroy(instance);
}

static const rm_node_type_t remote_node_type = {
    sizeof(rm_node_type_t),
    RM_REMOTE_NODE_TYPE,
    "Runs a node on a node server (`rmrun serve`) over gRPC",
    "1.0.0",
    RM_CAP_STATEFUL | RM_CAP_STREAMING,
    remote_params, sizeof remote_params / sizeof remote_params[0],
    1, remote_in, remote_out, RM_REMOTE_MAX_PORTS, 0,
    remote_create, remote_process, NULL, remote_flush, remote_destroy, NULL,
};

/* ---- the node server ------------------------------------------------- */

static int serve(const rm_node_server_options_t *options, char *err,
                 size_t err_len) {
    if (!loaded()) {
        snprintf(err, err_len, "%s", load_error);
        return -1;
    }
    return core->server->serve(options, err, err_len);
}

static const rm_node_server_t remote_node_server = {sizeof(rm_node_server_t),
                                                    serve};

static const void *get_extension(const char *id) {
    if (strcmp(id, RM_NODE_RESOLVER_ID) == 0)
        return &rm_remote_resolver;
    if (strcmp(id, RM_NODE_SERVER_ID) == 0)
        return &remote_node_server;
    return NULL;
}

static const rm_node_type_t *const node_types[] = {&remote_node_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    "org.remotemedia.remote",
    "Remote nodes",
    "1.0.0",
    "Run nodes on another machine over gRPC (RemoteNode, rmrun serve)",
    node_types, 1, 0, get_extension,
};

RM_PLUGIN_DEFINE(descriptor)
