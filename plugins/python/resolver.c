/*
 * resolver.c — the adapter's node resolver ("remotemedia.node-resolver/1",
 * plugin.h): a manifest node with a "python" location runs as PythonNode
 * (PythonSource when the location says "source": true) when no plugin
 * provides its node_type or its runtime_hint is "python" (a fallback
 * resolver). Everything the manifest says about Python lives here: the
 * location's checks and messages, the adapter's params, the hint, and the
 * "module.Class" label metrics show. No Python is needed: the manifest
 * tests link this file into a test plugin (static library
 * rm_python_resolver).
 */
#include "resolver.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#define PYTHON_NODE "PythonNode"
#define PYTHON_SOURCE "PythonSource"

/* A location string member: required unless the location names an
 * instance; when present a non-empty string. */
static void check_member(const cJSON *location, const char *key,
                         int required, const char *what,
                         const rm_resolver_report_t *report) {
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(location, key);
    char message[256];
    if (!value) {
        if (!required) return;
        snprintf(message, sizeof message, "missing required field \"%s\" (%s)",
                 key, what);
        report->problem(report, "", message);
    } else if (!cJSON_IsString(value) || !value->valuestring) {
        report->expected(report, key, what);
    } else if (!value->valuestring[0]) {
        snprintf(message, sizeof message, "expected %s, got an empty string",
                 what);
        report->problem(report, key, message);
    }
}

/* "python": {"module": "...", "class": "..."} or {"instance": "KEY"} (a
 * live node object the SDK registered for the run: classes defined in
 * __main__), plus any more keys. */
static void check(const char *value_json, const rm_resolver_report_t *report) {
    cJSON *location = cJSON_Parse(value_json);
    if (!location) {
        report->problem(report, "", "out of memory");
        return;
    }
    if (!cJSON_IsObject(location)) {
        report->expected(report, "",
                         "a Python location object {\"module\": ..., "
                         "\"class\": ...}");
        cJSON_Delete(location);
        return;
    }
    int by_instance =
        cJSON_GetObjectItemCaseSensitive(location, "instance") != NULL;
    check_member(location, "instance", 0,
                 "the key of a node object registered by the SDK", report);
    check_member(location, "module", !by_instance,
                 "a Python module name like \"my_pkg.nodes\"; or give "
                 "\"instance\"",
                 report);
    check_member(location, "class", !by_instance,
                 "a Python class name like \"MyNode\"; or give \"instance\"",
                 report);
    cJSON_Delete(location);
}

static int fail(char *err, size_t len, const char *msg) {
    snprintf(err, len, "%s", msg);
    return -1;
}

/* The adapter's params: the location's module, class and instance, the
 * node's own params (checked and normalised by the host:
 * RM_RESOLVER_CHECK_PARAMS) as "config", the node id as "name" and
 * is_streaming. */
static cJSON *adapter_params(const cJSON *node, const cJSON *location) {
    static const char *const copied[] = {"module", "class", "instance"};
    cJSON *out = cJSON_CreateObject();
    int ok = out != NULL;
    for (size_t i = 0; ok && i < sizeof copied / sizeof *copied; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(location, copied[i]);
        if (v) ok = cJSON_AddItemToObject(out, copied[i], cJSON_Duplicate(v, 1));
    }
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(node, "params");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(node, "id");
    const cJSON *streaming =
        cJSON_GetObjectItemCaseSensitive(node, "is_streaming");
    cJSON *config = cJSON_IsObject(params) ? cJSON_Duplicate(params, 1)
                                           : cJSON_CreateObject();
    ok = ok && config && cJSON_AddItemToObject(out, "config", config);
    if (!ok) cJSON_Delete(config);
    if (ok && cJSON_IsString(id))
        ok = cJSON_AddStringToObject(out, "name", id->valuestring) != NULL;
    ok = ok && cJSON_AddBoolToObject(out, "is_streaming",
                                     cJSON_IsTrue(streaming)) != NULL;
    if (ok) return out;
    cJSON_Delete(out);
    return NULL;
}

static int resolve(const char *node_json, const char **node_type,
                   char **params_json, char *err, size_t err_len) {
    *node_type = NULL;
    *params_json = NULL;
    cJSON *node = cJSON_Parse(node_json);
    if (!cJSON_IsObject(node)) {
        cJSON_Delete(node);
        return fail(err, err_len, "node: expected a JSON object");
    }
    const cJSON *location = cJSON_GetObjectItemCaseSensitive(node, "python");
    cJSON *params = adapter_params(node, location);
    *params_json = params ? cJSON_PrintUnformatted(params) : NULL;
    cJSON_Delete(params);
    int source =
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(location, "source"));
    cJSON_Delete(node);
    if (!*params_json) return fail(err, err_len, "out of memory");
    *node_type = source ? PYTHON_SOURCE : PYTHON_NODE;
    return 0;
}

/* "module.Class", or "instance:KEY" for an object registered by the SDK;
 * NULL when the adapter's params say neither. */
static char *node_label(const char *node_type, const char *params_json) {
    if (strcmp(node_type, PYTHON_NODE) != 0 &&
        strcmp(node_type, PYTHON_SOURCE) != 0)
        return NULL;
    cJSON *params = cJSON_Parse(params_json);
    const cJSON *module = cJSON_GetObjectItemCaseSensitive(params, "module");
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(params, "class");
    const cJSON *instance =
        cJSON_GetObjectItemCaseSensitive(params, "instance");
    const char *a = NULL, *sep = "", *b = NULL;
    if (cJSON_IsString(module) && *module->valuestring &&
        cJSON_IsString(cls) && *cls->valuestring) {
        a = module->valuestring;
        sep = ".";
        b = cls->valuestring;
    } else if (cJSON_IsString(instance) && *instance->valuestring) {
        a = "instance:";
        b = instance->valuestring;
    }
    char *label = NULL;
    if (a) {
        size_t len = strlen(a) + strlen(sep) + strlen(b) + 1;
        label = cJSON_malloc(len); /* released by free_string */
        if (label) snprintf(label, len, "%s%s%s", a, sep, b);
    }
    cJSON_Delete(params);
    return label;
}

static void free_string(char *s) { cJSON_free(s); }

const rm_node_resolver_t rm_python_resolver = {
    .struct_size = sizeof(rm_node_resolver_t),
    .precedence = 50, /* below remote nodes' "host" (100) */
    .manifest_key = "python",
    .resolve = resolve,
    .free_string = free_string,
    .flags = RM_RESOLVER_FALLBACK | RM_RESOLVER_CHECK_PARAMS,
    .capabilities = RM_CAP_NEEDS_PYTHON,
    .runtime_hint = "python",
    .implementation = "Python",
    .usage = "\"python\": {\"module\": ..., \"class\": ...}",
    .check = check,
    .node_label = node_label,
};
