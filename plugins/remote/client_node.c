/*
 * client_node.c — RemoteNode's calls (the plugin file, plugin.c, declares
 * the type and its params): runs `node_type` with
 * `params` on the node server at `host` over one stream per instance.
 * Created eagerly (the remote node is created when the pipeline is, so a
 * bad remote type or params fails validation; a server down or full then
 * is retried under the node's retry policy: client_open.c); outputs come
 * back in order
 * with their ports. TLS material and the token come from the params or the
 * environment (REMOTEMEDIA_REMOTE_TOKEN, _TOKEN_FILE, _CA, _CERT, _KEY)
 * and are never printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel_pool.h"
#include "client.h"
#include "file_text.h"
#include "node_error.h"

#define ENV_PREFIX "REMOTEMEDIA_REMOTE_"

typedef struct remote_node {
    const rm_host_t *host;
    rm_remote_target_t target;
    rm_remote_stream_t stream;
} remote_node_t;

static void target_free(rm_remote_target_t *t) {
    free(t->host);
    free(t->node_id);
    free(t->node_type);
    free(t->params_json);
    free(t->python_json);
    rm_remote_free_secret(t->token);
    free(t->ca_pem);
    free(t->cert_pem);
    rm_remote_free_secret(t->key_pem);
    free(t->server_name);
}

/* A string param, or NULL when absent/empty. */
static const char *opt_string(const rm_host_t *host, const rm_params_t *p,
                              const char *name) {
    const char *v = NULL;
    if (host->param_string(p, name, &v) != RM_OK || !v || !*v)
        return NULL;
    return v;
}

/* Param `name` or else environment REMOTEMEDIA_REMOTE_<env>. */
static const char *param_or_env(const rm_host_t *host, const rm_params_t *p,
                                const char *name, const char *env) {
    const char *v = opt_string(host, p, name);
    if (v)
        return v;
    char key[64];
    snprintf(key, sizeof key, ENV_PREFIX "%s", env);
    v = getenv(key);
    return v && *v ? v : NULL;
}

/* Read the PEM file named by param `name` (or env) into *out. */
static int load_pem(remote_node_t *n, const rm_params_t *p, const char *name,
                    const char *env, char **out, rm_error_t *err) {
    const rm_host_t *host = n->host;
    const char *path = param_or_env(host, p, name, env);
    if (!path)
        return RM_OK;
    char why[512];
    if (!(*out = rm_remote_read_file(name, path, why, sizeof why)))
        return rm_node_error(host, err, RM_EINVAL, 0, RM_REMOTE_NODE_TYPE,
                             "%s", why);
    return RM_OK;
}

static int load_token(remote_node_t *n, const rm_params_t *p,
                      rm_error_t *err) {
    const rm_host_t *host = n->host;
    const char *token = param_or_env(host, p, "token", "TOKEN");
    if (token)
        return (n->target.token = strdup(token)) ? RM_OK : RM_ENOMEM;
    const char *path = param_or_env(host, p, "token_file", "TOKEN_FILE");
    if (!path)
        return RM_OK;
    char why[512];
    if (!(n->target.token =
              rm_remote_read_file("token_file", path, why, sizeof why)))
        return rm_node_error(host, err, RM_EINVAL, 0, RM_REMOTE_NODE_TYPE,
                             "%s", why);
    n->target.token[strcspn(n->target.token, "\r\n")] = '\0';
    return RM_OK;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* The PORT of HOST:PORT is 1..65535: gRPC would dial 99999 as 34463. */
static int port_ok(const char *hostport) {
    const char *port = strrchr(hostport, ':') + 1;
    size_t digits = strspn(port, "0123456789");
    return *port && !port[digits] && digits <= 5 && atol(port) >= 1 &&
           atol(port) <= 65535;
}

static int read_target(remote_node_t *n, const rm_params_t *p,
                       rm_error_t *err) {
    const rm_host_t *host = n->host;
    rm_remote_target_t *t = &n->target;
    const char *hostport = opt_string(host, p, "host");
    const char *type = opt_string(host, p, "node_type");
    if (!hostport || !strchr(hostport, ':'))
        return rm_node_error(host, err, RM_EINVAL, 0, RM_REMOTE_NODE_TYPE,
                             "param 'host': expected \"HOST:PORT\", got \"%s\"",
                             hostport ? hostport : "");
    /* "::1:5000": gRPC would take it whole as a name and fail to resolve
     * it as UNAVAILABLE; an IPv6 address needs brackets. */
    if (hostport[0] != '[' && strncmp(hostport, "unix:", 5) != 0 &&
        strchr(hostport, ':') != strrchr(hostport, ':'))
        return rm_node_error(host, err, RM_EINVAL, 0, RM_REMOTE_NODE_TYPE,
                             "param 'host' \"%s\": an IPv6 address goes in "
                             "brackets, e.g. \"[::1]:5000\"",
                             hostport);
    if (!port_ok(hostport))
        return rm_node_error(host, err, RM_EINVAL, 0, RM_REMOTE_NODE_TYPE,
                             "param 'host' \"%s\": the port must be a whole "
                             "number from 1 to 65535",
                             hostport);
    if (!type)
        return rm_node_error(host, err, RM_EINVAL, 0, RM_REMOTE_NODE_TYPE,
                             "param 'node_type' is required (the node type to "
                             "run remotely)");
    const char *params = "{}", *python = NULL;
    host->param_json(p, "params", &params);
    if (host->param_json(p, "python", &python) != RM_OK ||
        (python && strcmp(python, "null") == 0))
        python = NULL;
    int64_t timeout = 60000, max_mb = 64;
    host->param_int(p, "timeout_ms", &timeout);
    host->param_int(p, "max_message_mb", &max_mb);
    int tls = 0;
    host->param_bool(p, "tls", &tls);
    t->host = strdup(hostport);
    t->node_id = strdup(host->node_id ? host->node_id : "remote");
    t->node_type = strdup(type);
    t->params_json = strdup(params);
    t->python_json = dup_or_null(python);
    t->server_name = dup_or_null(opt_string(host, p, "server_name"));
    t->timeout_ms = (int)timeout;
    t->max_message = (size_t)max_mb << 20;
    if (!t->host || !t->node_id || !t->node_type || !t->params_json ||
        (python && !t->python_json))
        return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    int st;
    if ((st = load_token(n, p, err)) != RM_OK ||
        (st = load_pem(n, p, "ca_file", "CA", &t->ca_pem, err)) != RM_OK ||
        (st = load_pem(n, p, "cert_file", "CERT", &t->cert_pem, err)) !=
            RM_OK ||
        (st = load_pem(n, p, "key_file", "KEY", &t->key_pem, err)) != RM_OK)
        return st;
    t->use_tls = tls || t->ca_pem || t->cert_pem;
    if (!!t->cert_pem != !!t->key_pem)
        return rm_node_error(host, err, RM_EINVAL, 0, RM_REMOTE_NODE_TYPE,
                             "cert_file and key_file go together (client "
                             "certificate)");
    return RM_OK;
}

static void node_free(remote_node_t *n) {
    rm_remote_stream_close(&n->stream);
    rm_channel_pool_give_back(n->stream.channel); /* the next run's */
    target_free(&n->target);
    n->host->free(n->host, n);
}

int rm_remote_node_create(const rm_host_t *host, const rm_params_t *params,
                          void **instance, rm_error_t *err) {
    remote_node_t *n = host->alloc(host, sizeof *n);
    if (!n)
        return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    memset(n, 0, sizeof *n);
    n->host = host;
    n->stream.host = host;
    n->stream.target = &n->target;
    int st = read_target(n, params, err);
    if (st == RM_OK)
        st = rm_remote_stream_open_retried(&n->stream, err);
    if (st != RM_OK) {
        node_free(n);
        return st;
    }
    *instance = n;
    return RM_OK;
}

static int emit_all(remote_node_t *n, rm_remote_outputs_t *outs,
                    rm_emit_t *out) {
    int st = RM_OK;
    for (size_t i = 0; i < outs->count; i++) {
        if (st == RM_OK)
            st = n->host->emit(out, outs->ports[i], outs->items[i]);
        else
            n->host->item_unref(outs->items[i]);
        outs->items[i] = NULL;
    }
    outs->count = 0;
    rm_remote_outputs_clear(n->host, outs);
    return st;
}

int rm_remote_node_process(void *instance, uint32_t port, rm_item_t *item,
                           rm_emit_t *out, rm_error_t *err) {
    remote_node_t *n = instance;
    rm_remote_outputs_t outs = {0};
    int st = rm_remote_stream_process(&n->stream, port, item, &outs, err);
    if (st != RM_OK) {
        rm_remote_outputs_clear(n->host, &outs);
        return st;
    }
    return emit_all(n, &outs, out);
}

int rm_remote_node_flush(void *instance, rm_emit_t *out, rm_error_t *err) {
    remote_node_t *n = instance;
    rm_remote_outputs_t outs = {0};
    int st = rm_remote_stream_flush(&n->stream, &outs, err);
    if (st != RM_OK) {
        rm_remote_outputs_clear(n->host, &outs);
        return st;
    }
    return emit_all(n, &outs, out);
}

void rm_remote_node_destroy(void *instance) { node_free(instance); }

