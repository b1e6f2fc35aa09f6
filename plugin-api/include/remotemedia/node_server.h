/*
 * remotemedia/node_server.h — the plugin extension "remotemedia.node-server/1"
 * (RM_NODE_SERVER_ID): a plugin that can serve the node types of a registry
 * to remote clients (the remote plugin, over gRPC). `rmrun serve` opens the
 * registry, asks every loaded plugin descriptor's get_extension for this id
 * and calls serve() of the first that has it, so rmrun itself holds no
 * network code. See docs/remote.md.
 */
#ifndef REMOTEMEDIA_NODE_SERVER_H
#define REMOTEMEDIA_NODE_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <remotemedia/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RM_NODE_SERVER_ID "remotemedia.node-server/1"

struct rm_registry; /* remotemedia/registry.h */

typedef struct rm_node_server_options {
    uint32_t struct_size;          /* sizeof(rm_node_server_options_t)      */
    uint32_t flags;                /* RM_NODE_SERVER_*                      */
    const char *listen;            /* "HOST:PORT"; port 0 picks a free one  */
    const struct rm_registry *registry; /* node types to serve (borrowed)  */
    const char *token_file;        /* bearer token file; NULL with NO_AUTH  */
    const char *tls_cert_file;     /* PEM; with tls_key_file enables TLS    */
    const char *tls_key_file;
    const char *client_ca_file;    /* PEM; clients must present a cert      */
    const char *allow;             /* "TypeA,TypeB": allow-list; NULL = all */
    uint32_t max_streams;          /* concurrent streams; 0 = 64            */
    uint32_t max_message_mb;       /* largest message; 0 = 64               */
    uint32_t idle_timeout_ms;      /* a stream silent this long ends; 0 = 300000 */
    uint32_t grace_ms;             /* SIGTERM: in-flight streams get this long */
    /* Set (by a signal handler) to stop: serve() stops accepting, lets
     * streams in flight finish within grace_ms, and returns. */
    volatile sig_atomic_t *stop;
    /* Called once listening, with the bound port (borrowed strings). */
    void (*on_listening)(void *user, const char *address, int port);
    void *user;
} rm_node_server_options_t;

#define RM_NODE_SERVER_NO_AUTH (1u << 0)      /* no token (loopback only)  */
#define RM_NODE_SERVER_ALLOW_PYTHON (1u << 1) /* serve Python node types   */

typedef struct rm_node_server {
    uint32_t struct_size;          /* sizeof(rm_node_server_t); FIRST       */
    /* Serve until *options->stop is set. 0 after a clean stop; non-zero
     * with a one-line reason in `err` (bad option, cannot listen). */
    int (*serve)(const rm_node_server_options_t *options, char *err,
                 size_t err_len);
} rm_node_server_t;

#ifdef __cplusplus
}
#endif

#endif /* REMOTEMEDIA_NODE_SERVER_H */
