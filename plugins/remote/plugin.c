/*
 * plugin.c — the remote plugin: the RemoteNode node type (client_node.c),
 * the manifest "host" resolver (resolver.c) and the node server behind
 * `rmrun serve` (server.c), reached through get_extension.
 */
#include <string.h>

#include <remotemedia/node_server.h>
#include <remotemedia/plugin.h>

extern const rm_node_type_t rm_remote_node_type;
extern const rm_node_resolver_t rm_remote_resolver;
extern const rm_node_server_t rm_remote_node_server;

static const void *get_extension(const char *id) {
    if (strcmp(id, RM_NODE_RESOLVER_ID) == 0)
        return &rm_remote_resolver;
    if (strcmp(id, RM_NODE_SERVER_ID) == 0)
        return &rm_remote_node_server;
    return NULL;
}

static const rm_node_type_t *const node_types[] = {&rm_remote_node_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    "org.remotemedia.remote",
    "Remote nodes",
    "1.0.0",
    "Run nodes on another machine over gRPC (RemoteNode, rmrun serve)",
    node_types, 1, 0, get_extension,
};

RM_PLUGIN_DEFINE(descriptor)
