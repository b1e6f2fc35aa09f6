/*
 * client_node_spec.c — what RemoteNode declares (params, ports), apart
 * from its gRPC code: the plugin file (plugin.c) declares the type from
 * these without loading gRPC, the core module (client_node.c) runs it.
 */
#include "client_node_spec.h"

const rm_param_spec_t rm_remote_params[RM_REMOTE_PARAM_COUNT] = {
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

const rm_port_spec_t rm_remote_in[1] = {
    {"in", RM_KINDS_ANY & ~RM_KIND_BIT(RM_KIND_PYOBJECT),
     "sent to the remote node's input"}};
const rm_port_spec_t rm_remote_out[RM_REMOTE_MAX_PORTS] = {
    {"out", RM_KINDS_ANY, "the remote node's output port 0"},
    {"out1", RM_KINDS_ANY, "its output port 1"},
    {"out2", RM_KINDS_ANY, "its output port 2"},
    {"out3", RM_KINDS_ANY, "its output port 3"},
};
