/*
 * client_node_spec.h — RemoteNode's params and ports (client_node_spec.c),
 * shared by the light plugin file and the gRPC core module.
 */
#ifndef RM_REMOTE_CLIENT_NODE_SPEC_H
#define RM_REMOTE_CLIENT_NODE_SPEC_H

#include <remotemedia/plugin.h>

#define RM_REMOTE_MAX_PORTS 4
#define RM_REMOTE_PARAM_COUNT 13
#define RM_REMOTE_NODE_NAME "RemoteNode"
#define RM_REMOTE_NODE_DESCRIPTION \
    "Runs a node on a node server (`rmrun serve`) over gRPC"

extern const rm_param_spec_t rm_remote_params[RM_REMOTE_PARAM_COUNT];
extern const rm_port_spec_t rm_remote_in[1];
extern const rm_port_spec_t rm_remote_out[RM_REMOTE_MAX_PORTS];

/* RemoteNode's type with the given calls: the plugin file's forwards to
 * the core module's, the core's run it (both declare it alike). */
#define RM_REMOTE_NODE_TYPE_INIT(create, process, flush, destroy)            \
    {sizeof(rm_node_type_t), RM_REMOTE_NODE_NAME, RM_REMOTE_NODE_DESCRIPTION, \
     "1.0.0", RM_CAP_STATEFUL | RM_CAP_STREAMING, rm_remote_params,          \
     RM_REMOTE_PARAM_COUNT, 1, rm_remote_in, rm_remote_out,                  \
     RM_REMOTE_MAX_PORTS, 0, create, process, NULL, flush, destroy, NULL}

#endif /* RM_REMOTE_CLIENT_NODE_SPEC_H */
