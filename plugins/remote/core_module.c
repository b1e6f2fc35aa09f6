/*
 * core_module.c — the remote plugin's gRPC half (see core_module.h): the
 * one symbol the light plugin file looks up after loading this module.
 */
#include "client.h"
#include "core_module.h"

extern const rm_node_server_t rm_remote_node_server;

__attribute__((visibility("default"))) const rm_remote_core_t rm_remote_core = {
    {RM_REMOTE_CORE_LAYOUT, sizeof(rm_remote_core_t)}, rm_remote_node_create, rm_remote_node_process, rm_remote_node_flush,
    rm_remote_node_destroy, &rm_remote_node_server};
