/*
 * core_module.h — the remote plugin in two files. gRPC's C core and what
 * it pulls in (~60 shared libraries: OpenSSL, abseil, re2, c-ares, ...)
 * cost 12-28 ms to load, on every run whose plugin path holds the remote
 * plugin, remote nodes or not. So the plugin file (plugin.c) links no
 * gRPC: it declares RemoteNode, the "host" resolver and the node server,
 * and loads the core module — RM_REMOTE_CORE_FILE in RM_REMOTE_CORE_DIR
 * beside it (core_module.c, the gRPC code) — the first time one of them
 * is used.
 */
#ifndef RM_REMOTE_CORE_MODULE_H
#define RM_REMOTE_CORE_MODULE_H

#include <remotemedia/node_server.h>
#include <remotemedia/plugin.h>

#define RM_REMOTE_CORE_DIR "rm_remote.d"
#define RM_REMOTE_CORE_FILE "remote_core.so"
#define RM_REMOTE_CORE_SYMBOL "rm_remote_core"

typedef struct rm_remote_core {
    const rm_node_type_t *node_type; /* RemoteNode's code */
    const rm_node_server_t *server;  /* `rmrun serve`      */
} rm_remote_core_t;

#endif /* RM_REMOTE_CORE_MODULE_H */
