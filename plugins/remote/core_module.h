/*
 * core_module.h — the remote plugin in two files. gRPC's C core and what
 * it pulls in (~60 shared libraries: OpenSSL, abseil, re2, c-ares, ...)
 * cost 12-28 ms to load, on every run whose plugin path holds the remote
 * plugin, remote nodes or not. So the plugin file (plugin.c) links no
 * gRPC: it declares RemoteNode (its one declaration: params, ports,
 * capabilities), the "host" resolver and the node server, and loads the
 * core module — RM_REMOTE_CORE_FILE in RM_REMOTE_CORE_DIR beside it
 * (core_module.c, the gRPC code) — the first time one of them is used.
 * The core module supplies behaviour only: the calls below.
 */
#ifndef RM_REMOTE_CORE_MODULE_H
#define RM_REMOTE_CORE_MODULE_H

#include <remotemedia/node_server.h>
#include <remotemedia/plugin.h>

#include "module_beside.h" /* rm_module_table_head_t */

/* The node type both files run, as its messages name it. */
#define RM_REMOTE_NODE_TYPE "RemoteNode"

#define RM_REMOTE_CORE_DIR "rm_remote.d"
#define RM_REMOTE_CORE_FILE "remote_core.so"
#define RM_REMOTE_CORE_SYMBOL "rm_remote_core"

/* RemoteNode's output ports, "out" and "out1".."out3" (the plugin file
 * declares them; the client refuses a remote port past them). */
#define RM_REMOTE_MAX_PORTS 4

/* rm_remote_core_t's layout: bump it when its fields change (the plugin
 * file refuses a core module of another layout, see module_beside.h). */
#define RM_REMOTE_CORE_LAYOUT 1u

/* What the core module does, exported as RM_REMOTE_CORE_SYMBOL. */
typedef struct rm_remote_core {
    /* FIRST: RM_REMOTE_CORE_LAYOUT and sizeof(rm_remote_core_t). */
    rm_module_table_head_t head;
    /* RemoteNode's calls (client_node.c), as rm_node_type_t's. */
    int (*create)(const rm_host_t *host, const rm_params_t *params,
                  void **instance, rm_error_t *err);
    int (*process)(void *instance, uint32_t port, rm_item_t *item,
                   rm_emit_t *out, rm_error_t *err);
    int (*flush)(void *instance, rm_emit_t *out, rm_error_t *err);
    void (*destroy)(void *instance);
    const rm_node_server_t *server; /* `rmrun serve` (server.c) */
} rm_remote_core_t;

#endif /* RM_REMOTE_CORE_MODULE_H */
