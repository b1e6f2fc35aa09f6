/*
 * plugin.c — the remote plugin: the RemoteNode node type, the manifest
 * "host" resolver (resolver.c) and the node server behind `rmrun serve`,
 * reached through get_extension. RemoteNode and the server run in the
 * core module (core_module.h), loaded on their first use, so a run
 * without remote nodes does not load gRPC.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "client_node_spec.h"
#include "core_module.h"

extern const rm_node_resolver_t rm_remote_resolver;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const rm_remote_core_t *core;
static char load_error[4608];

static void load(void) {
    Dl_info self;
    if (!dladdr((void *)&load, &self) || !self.dli_fname) {
        snprintf(load_error, sizeof load_error,
                 "cannot tell where the remote plugin is");
        return;
    }
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", self.dli_fname);
    snprintf(path, sizeof path, "%s/%s/%s", dirname(dir), RM_REMOTE_CORE_DIR,
             RM_REMOTE_CORE_FILE);
    /* Never unloaded (linked -z nodelete): gRPC's threads outlive calls. */
    void *module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!module) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error,
                 "cannot load the remote plugin's gRPC module: %s",
                 reason ? reason : path);
        return;
    }
    core = dlsym(module, RM_REMOTE_CORE_SYMBOL);
    if (!core)
        snprintf(load_error, sizeof load_error, "%s has no %s", path,
                 RM_REMOTE_CORE_SYMBOL);
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

static const rm_node_type_t remote_node_type = {
    sizeof(rm_node_type_t),
    RM_REMOTE_NODE_NAME,
    RM_REMOTE_NODE_DESCRIPTION,
    "1.0.0",
    RM_CAP_STATEFUL | RM_CAP_STREAMING,
    rm_remote_params, RM_REMOTE_PARAM_COUNT,
    1, rm_remote_in, rm_remote_out, RM_REMOTE_MAX_PORTS, 0,
    remote_create, remote_process, NULL, remote_flush, remote_destroy,
    NULL,
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
