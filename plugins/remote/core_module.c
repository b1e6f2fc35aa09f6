/*
 * core_module.c — the remote plugin's gRPC half (see core_module.h): the
 * one symbol the light plugin file looks up after loading this module.
 */
#include "core_module.h"

extern const rm_node_type_t rm_remote_node_type;
extern const rm_node_server_t rm_remote_node_server;

__attribute__((visibility("default"))) const rm_remote_core_t rm_remote_core = {
    &rm_remote_node_type, &rm_remote_node_server};
