/*
 * resolver.c — the "remotemedia.node-resolver/1" extension: a manifest
 * node with "host": "h:p" becomes a RemoteNode running its node_type and
 * params on that host (its "python" location goes along, so a Python node
 * can run remotely: precedence over the CPython adapter's resolver).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <remotemedia/plugin.h>

/* Node keys that configure the remote connection: passed through. */
static const char *const passed[] = {"token", "token_file", "tls",
                                     "ca_file", "cert_file", "key_file",
                                     "server_name", NULL};

static int fail(char *err, size_t len, const char *msg) {
    snprintf(err, len, "%s", msg);
    return -1;
}

static int resolve(const char *node_json, const char **node_type,
                   char **params_json, char *err, size_t err_len) {
    *node_type = NULL;
    *params_json = NULL;
    cJSON *node = cJSON_Parse(node_json);
    if (!node || !cJSON_IsObject(node)) {
        cJSON_Delete(node);
        return fail(err, err_len, "node: expected a JSON object");
    }
    int r = -1;
    const cJSON *host = cJSON_GetObjectItemCaseSensitive(node, "host");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "node_type");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(node, "params");
    const cJSON *python = cJSON_GetObjectItemCaseSensitive(node, "python");
    const cJSON *remote = cJSON_GetObjectItemCaseSensitive(node, "remote");
    if (!cJSON_IsString(host) || !strchr(host->valuestring, ':') ||
        host->valuestring[0] == ':') {
        fail(err, err_len, "host: expected \"HOST:PORT\" (a node server, "
                           "`rmrun serve --listen`)");
        goto out;
    }
    if (!cJSON_IsString(type) || !*type->valuestring) {
        fail(err, err_len, "node_type: expected the node type to run on "
                           "the host");
        goto out;
    }
    if (params && !cJSON_IsObject(params) && !cJSON_IsNull(params)) {
        fail(err, err_len, "params: expected an object");
        goto out;
    }
    if (remote && !cJSON_IsObject(remote)) {
        fail(err, err_len, "remote: expected an object (connection "
                           "options: token_file, ca_file, ...)");
        goto out;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "host", host->valuestring);
    cJSON_AddStringToObject(out, "node_type", type->valuestring);
    cJSON_AddItemToObject(out, "params",
                          params && cJSON_IsObject(params)
                              ? cJSON_Duplicate(params, 1)
                              : cJSON_CreateObject());
    if (python && !cJSON_IsNull(python))
        cJSON_AddItemToObject(out, "python", cJSON_Duplicate(python, 1));
    for (const char *const *k = passed; remote && *k; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(remote, *k);
        if (v)
            cJSON_AddItemToObject(out, *k, cJSON_Duplicate(v, 1));
    }
    *params_json = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    if (!*params_json) {
        fail(err, err_len, "out of memory");
        goto out;
    }
    *node_type = "RemoteNode";
    r = 0;
out:
    cJSON_Delete(node);
    return r;
}

static void free_string(char *s) { cJSON_free(s); }

/* Claims every node with "host" (no fallback: a native type runs remotely
 * too); RemoteNode needs no Python here, whatever the host runs. */
const rm_node_resolver_t rm_remote_resolver = {
    .struct_size = sizeof(rm_node_resolver_t),
    .precedence = 100,
    .manifest_key = "host",
    .resolve = resolve,
    .free_string = free_string,
    /* the ABI 1.2 fields stay 0/NULL: no flags, no capabilities, no hint,
     * no message words, no check, no label */
};
