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

#include "client_node_spec.h"
#include "core_module.h"
#include "module_beside.h"

extern const rm_node_resolver_t rm_remote_resolver;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const rm_remote_core_t *core;
static char load_error[4608];

static void load(void) {
    /* Never unloaded (linked -z nodelete): gRPC's threads outlive calls. */
    char why[4400] = "";
    core = rm_module_beside((const void *)&load_error, RM_REMOTE_CORE_DIR,
                            RM_REMOTE_CORE_FILE, RM_REMOTE_CORE_SYMBOL, why,
                            sizeof why);
    if (!core)
        snprintf(load_error, sizeof load_error,
                 "cannot load the remote plugin's gRPC module: %s", why);
}

static const rm_remote_core_t *loaded(void) {
    pthread_once(&load_once, load);
    return core;
}

/* ---- RemoteNode: each call goes to the core's ----------------------------
 * Once create has succeeded the core is loaded, so the other calls reach
 * it without a check. */

static int remote_create(const rm_host_t *host, const rm_params_t *params,
                         void **instance, rm_error_t *err) {
    if (!loaded())
        return host->error_set(err, RM_ENOTSUP, 0, "%s '%s': %s",
                               RM_REMOTE_NODE_NAME, host->node_id,
                               load_error);
    return core->node_type->create(host, params, instance, err);
}

static int remote_process(void *instance, uint32_t port, rm_item_t *item,
                          rm_emit_t *out, rm_error_t *err) {
    return core->node_type->process(instance, port, item, out, err);
}

static int remote_flush(void *instance, rm_emit_t *out, rm_error_t *err) {
    return core->node_type->flush(instance, out, err);
}

static void remote_destroy(void *instance) {
    core->node_type->destroy(instance);
}

static const rm_node_type_t remote_node_type = RM_REMOTE_NODE_TYPE_INIT(
    remote_create, remote_process, remote_flush, remote_destroy);

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
