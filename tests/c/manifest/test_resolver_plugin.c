/*
 * test_resolver_plugin.c — a second node resolver for the manifest tests,
 * of higher precedence (100) than test_nodes_plugin.c's "via" (5): a node
 * carrying "remote": {"url": U} becomes a RemoteStub with params
 * {"url": U}, even when it carries "via" too.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <remotemedia/plugin.h>

#include "test_stubs.h"

static const rm_param_spec_t url_param[] = {
    {"url", RM_PARAM_STRING, RM_PARAM_REQUIRED, 0, 0, 0, 0, "where"}};
static const rm_node_type_t remote_stub = {
    sizeof(rm_node_type_t), "RemoteStub", "test node", "1.0.0", 0, url_param,
    1, 1, in_port, out_port, 1, 0, stub_create, stub_process, 0, 0,
    stub_destroy, 0};
static const rm_node_type_t *const types[] = {&remote_stub};

/* Copies the "url" string of "remote" (no JSON library: the tests give it
 * as "remote":{"url":"..."} with no escapes). */
static int remote_resolve(const char *node_json, const char **node_type,
                          char **params_json, char *err, size_t err_len) {
    const char *url = strstr(node_json, "\"remote\":{\"url\":\"");
    if (!url) {
        strncpy(err, "\"remote\" needs {\"url\": ...}", err_len - 1);
        err[err_len - 1] = '\0';
        return 1;
    }
    url += strlen("\"remote\":{\"url\":\"");
    size_t len = strcspn(url, "\"");
    char *params = malloc(len + 16);
    if (!params) return 1;
    memcpy(params, "{\"url\":\"", 8);
    memcpy(params + 8, url, len);
    memcpy(params + 8 + len, "\"}", 3);
    *node_type = "RemoteStub";
    *params_json = params;
    return 0;
}

static void remote_free(char *s) { free(s); }

/* Built as a plugin of ABI 1.1 would be: its struct ends before the 1.2
 * fields (flags, check, ...), which the host must then not read. */
static const rm_node_resolver_t remote_resolver = {
    .struct_size = offsetof(rm_node_resolver_t, flags),
    .precedence = 100,
    .manifest_key = "remote",
    .resolve = remote_resolve,
    .free_string = remote_free,
    .flags = RM_RESOLVER_FALLBACK, /* beyond struct_size: never read */
};

static const void *get_extension(const char *id) {
    return id && !strcmp(id, RM_NODE_RESOLVER_ID) ? &remote_resolver : NULL;
}

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER, "org.remotemedia.test.resolver",
    "resolver test nodes", "1.0.0", "a second node resolver for the tests",
    types, 1, 0, get_extension};

RM_PLUGIN_DEFINE(descriptor)
