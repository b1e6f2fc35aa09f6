/*
 * resolve.c — manifest nodes claimed by a plugin's node resolver
 * (RM_NODE_RESOLVER_ID in plugin.h; the registry collects them). A node
 * object carrying a resolver's manifest_key is resolved by the resolver of
 * highest precedence among those whose key it carries: the resolver names
 * one of its plugin's node types and the params to create it with, which
 * are then checked against that type like any node's. The node keeps the
 * user's node_type for messages and metrics.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/validate.h"
#include "registry/registry_private.h"

const rm__resolver_t *rm__claiming_resolver(const rm_loader_t *loader,
                                            const cJSON *node) {
    size_t count;
    const rm__resolver_t *all = rm__registry_resolvers(loader->registry, &count);
    for (size_t i = 0; i < count; i++) /* highest precedence first */
        if (cJSON_GetObjectItemCaseSensitive(node, all[i].resolver->manifest_key))
            return &all[i];
    return NULL;
}

const char **rm__node_field_list(const rm_loader_t *loader,
                                 const char *const *fields, size_t count,
                                 size_t *out_count) {
    size_t resolvers;
    const rm__resolver_t *all =
        rm__registry_resolvers(loader->registry, &resolvers);
    const char **list = malloc((count + resolvers) * sizeof(*list));
    if (!list) return NULL;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) list[n++] = fields[i];
    for (size_t i = 0; i < resolvers; i++) {
        const char *key = all[i].resolver->manifest_key;
        int known = 0;
        for (size_t k = 0; k < n && !known; k++)
            known = strcmp(list[k], key) == 0;
        if (!known) list[n++] = key;
    }
    *out_count = n;
    return list;
}

/* Report "node '<id>': <what>" at `path` (the claimed key). */
static void report(rm_loader_t *loader, const rm_strbuf_t *path,
                   const rm_manifest_node_t *node, const char *what,
                   const rm__resolver_t *claim) {
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    rm__sb_addf(&msg, "node '%s': ", node->id ? node->id : "?");
    rm__sb_add(&msg, what);
    rm__sb_addf(&msg, " (node resolver of %s, key \"%s\")", claim->plugin_path,
                claim->resolver->manifest_key);
    rm__report(loader, RM_EVALIDATE, path->s, &msg);
}

/* Ask the resolver; on success *type and *params (a JSON object or NULL
 * for none) are set, else the problem is reported. */
static int ask(rm_loader_t *loader, const rm__resolver_t *claim,
               const cJSON *json, const rm_strbuf_t *path,
               const rm_manifest_node_t *node, const char **type,
               cJSON **params) {
    const rm_node_resolver_t *r = claim->resolver;
    char *node_json = cJSON_PrintUnformatted(json);
    if (!node_json) {
        rm__report_oom(loader);
        return 0;
    }
    char err[512] = "";
    char *params_json = NULL;
    *type = NULL;
    int failed = r->resolve(node_json, type, &params_json, err, sizeof err);
    cJSON_free(node_json);
    err[sizeof err - 1] = '\0';
    *params = params_json ? cJSON_Parse(params_json) : NULL;
    int bad_params = params_json && !cJSON_IsObject(*params);
    if (params_json) r->free_string(params_json);
    if (failed) {
        report(loader, path, node, err[0] ? err : "the resolver refused it",
               claim);
    } else if (!*type || !**type) {
        report(loader, path, node, "the resolver returned no node type",
               claim);
    } else if (bad_params) {
        report(loader, path, node,
               "the resolver returned params that are not a JSON object",
               claim);
    } else {
        return 1;
    }
    cJSON_Delete(*params);
    *params = NULL;
    return 0;
}

void rm__resolve_claimed(rm_loader_t *loader, const rm__resolver_t *claim,
                         const cJSON *json, rm_strbuf_t *path,
                         rm_manifest_node_t *node) {
    size_t mark = rm__path_key(path, claim->resolver->manifest_key);
    const char *type = NULL;
    cJSON *params = NULL;
    if (ask(loader, claim, json, path, node, &type, &params)) {
        node->entry = rm_registry_find(loader->registry, type);
        if (node->entry) {
            rm__params_build(loader, node->entry->type, params, path,
                             node->id, &node->params);
        } else {
            rm_strbuf_t what;
            rm__sb_init(&what);
            rm__sb_add(&what, "resolved to node type ");
            rm__sb_quote(&what, type);
            rm__sb_add(&what, ", which no loaded plugin provides");
            report(loader, path, node, what.s ? what.s : "out of memory",
                   claim);
            rm__sb_free(&what);
        }
    }
    cJSON_Delete(params);
    rm__sb_truncate(path, mark);
}
