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

#endif /* RM_REMOTE_CLIENT_NODE_SPEC_H */
