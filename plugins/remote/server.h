/*
 * server.h — the node server inside the remote plugin (`rmrun serve`):
 * its configuration (server_config.c), one client stream as a session on
 * one node instance (server_stream.c), and the accept loop with limits and
 * graceful shutdown (server.c, the "remotemedia.node-server/1" extension).
 */
#ifndef RM_REMOTE_SERVER_H
#define RM_REMOTE_SERVER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <remotemedia/node_server.h>
#include <remotemedia/registry.h>

#include "transport.h"

#define RM_REMOTE_SERVICE "/remotemedia.remote.v1.NodeService/"
#define RM_REMOTE_METHOD_STREAM RM_REMOTE_SERVICE "Stream"
#define RM_REMOTE_METHOD_HEALTH RM_REMOTE_SERVICE "Health"

typedef struct rm_ns_config {
    const rm_registry_t *registry;
    char *token;                 /* NULL: no authentication                */
    char *tls_cert, *tls_key, *client_ca;   /* PEM text or NULL            */
    char **allow;                /* NULL-terminated, or NULL: every type   */
    int allow_python;
    uint32_t max_streams;
    size_t max_message;          /* bytes                                  */
    int idle_timeout_ms;
    uint32_t grace_ms;
} rm_ns_config_t;

/* Read the files and check the options (a no-auth server must listen on a
 * loopback address). 0, or -1 with `err`. */
int rm_ns_config_load(const rm_node_server_options_t *opt,
                      rm_ns_config_t *cfg, char *err, size_t err_len);
void rm_ns_config_free(rm_ns_config_t *cfg);
/* Whether `type` may be created by clients (allow-list). */
int rm_ns_config_allows(const rm_ns_config_t *cfg, const char *type);
/* Constant-time check of an "authorization" metadata value. */
int rm_ns_token_ok(const rm_ns_config_t *cfg, const char *authorization);

/* Shared by the stream threads. */
typedef struct rm_ns_state {
    const rm_ns_config_t *cfg;
    pthread_mutex_t lock;
    pthread_cond_t idle;         /* signalled when a stream ends            */
    uint32_t active;             /* streams running                          */
    uint64_t next_id;
} rm_ns_state_t;

/* Serve one accepted call (Stream or Health) to its end, then free it. */
void rm_ns_handle_call(rm_ns_state_t *state, rm_tp_call_t *call,
                       uint64_t id);

#endif /* RM_REMOTE_SERVER_H */
