/*
 * resolve.c — manifest nodes claimed by a plugin's node resolver
 * (RM_NODE_RESOLVER_ID in plugin.h; the registry collects them). A node
 * object carrying a resolver's manifest_key is resolved by the resolver of
 * highest precedence among those whose key it carries and that take it (a
 * fallback resolver only when no plugin provides the node's type or the
 * node's runtime_hint is its own): the resolver names one of its plugin's
 * node types and the params to create it with, which are then checked
 * against that type like any node's. The node keeps the user's node_type
 * for messages and metrics. Everything specific to a resolver (its key,
 * hint, words, checks, labels) comes from the resolver: the core names no
 * plugin.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/params.h"
#include "manifest/resolve.h"
#include "registry/registry_private.h"

static const rm__resolver_t *all_resolvers(const rm_loader_t *loader,
                                           size_t *count) {
    return rm__registry_resolvers(loader->registry, count);
}

static int carries(const cJSON *node, const rm__resolver_t *r) {
    return cJSON_GetObjectItemCaseSensitive(node, r->resolver.manifest_key) !=
           NULL;
}

static int is_hint_of(const rm__resolver_t *r, rm_runtime_hint_t hint) {
    return r->resolver.runtime_hint && strcmp(r->resolver.runtime_hint, rm__hint_name(hint)) == 0;
}

const rm__resolver_t *rm__claiming_resolver(const rm_loader_t *loader,
                                            const cJSON *node,
                                            rm_runtime_hint_t hint,
                                            const rm_registry_entry_t *native) {
    size_t count;
    const rm__resolver_t *all = all_resolvers(loader, &count);
    for (size_t i = 0; i < count; i++) { /* highest precedence first */
        if (!carries(node, &all[i])) continue;
        if (!(all[i].resolver.flags & RM_RESOLVER_FALLBACK)) return &all[i];
        if (hint != RM_HINT_NATIVE && (!native || is_hint_of(&all[i], hint)))
            return &all[i];
    }
    return NULL;
}

int rm__carries_fallback_key(const rm_loader_t *loader, const cJSON *node) {
    size_t count;
    const rm__resolver_t *all = all_resolvers(loader, &count);
    for (size_t i = 0; i < count; i++)
        if ((all[i].resolver.flags & RM_RESOLVER_FALLBACK) && carries(node, &all[i]))
            return 1;
    return 0;
}

const char **rm__node_field_list(const rm_loader_t *loader,
                                 const char *const *fields, size_t count,
                                 size_t *out_count) {
    size_t resolvers;
    const rm__resolver_t *all = all_resolvers(loader, &resolvers);
    const char **list = malloc((count + resolvers) * sizeof(*list));
    if (!list) return NULL;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) list[n++] = fields[i];
    for (size_t i = 0; i < resolvers; i++) {
        const char *key = all[i].resolver.manifest_key;
        int known = 0;
        for (size_t k = 0; k < n && !known; k++)
            known = strcmp(list[k], key) == 0;
        if (!known) list[n++] = key;
    }
    *out_count = n;
    return list;
}

/* ---- checking a claimed key's value -------------------------------------- */

/* What a resolver's check reports through: `report` first, so the
 * callbacks get back to the loader. */
typedef struct key_report {
    rm_resolver_report_t report;
    rm_loader_t *loader;
    rm_strbuf_t *path;   /* at the key */
    const cJSON *value;  /* the key's value */
} key_report_t;

/* Append `rel` ("a.b") to path; returns the mark to truncate back to.
 * *value (when given) follows the same members. */
static size_t path_rel(rm_strbuf_t *path, const char *rel,
                       const cJSON **value) {
    size_t mark = path->len;
    while (rel && *rel) {
        const char *dot = strchr(rel, '.');
        size_t len = dot ? (size_t)(dot - rel) : strlen(rel);
        char *member = strndup(rel, len);
        if (!member) break;
        rm__path_key(path, member);
        if (value) *value = cJSON_GetObjectItemCaseSensitive(*value, member);
        free(member);
        rel = dot ? dot + 1 : rel + len;
    }
    return mark;
}

static void report_problem(const rm_resolver_report_t *report,
                           const char *path, const char *message) {
    const key_report_t *k = (const key_report_t *)report;
    size_t mark = path_rel(k->path, path, NULL);
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    rm__sb_add(&msg, message ? message : "?");
    rm__report(k->loader, RM_EVALIDATE, k->path->s, &msg);
    rm__sb_truncate(k->path, mark);
}

static void report_expected(const rm_resolver_report_t *report,
                            const char *path, const char *expected) {
    const key_report_t *k = (const key_report_t *)report;
    const cJSON *value = k->value;
    size_t mark = path_rel(k->path, path, &value);
    rm__report_type(k->loader, k->path->s, expected ? expected : "?", value);
    rm__sb_truncate(k->path, mark);
}

/* Repeated keys in the value, then the resolver's own check. */
static void check_key(rm_loader_t *loader, const rm__resolver_t *r,
                      const cJSON *value, rm_strbuf_t *path) {
    if (cJSON_IsObject(value))
        rm__check_keys(loader, value, path, r->resolver.manifest_key, NULL,
                       0, 1);
    if (!r->resolver.check) return;
    char *text = cJSON_PrintUnformatted(value);
    if (!text) {
        rm__report_oom(loader);
        return;
    }
    key_report_t k = {{sizeof(rm_resolver_report_t), report_problem,
                       report_expected},
                      loader, path, value};
    r->resolver.check(text, &k.report);
    cJSON_free(text);
}

int rm__check_claimed_keys(rm_loader_t *loader, const cJSON *node,
                           rm_strbuf_t *path, const rm__resolver_t *claim) {
    size_t count;
    const rm__resolver_t *all = all_resolvers(loader, &count);
    int claim_ok = 1;
    for (size_t i = 0; i < count; i++) {
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(
            node, all[i].resolver.manifest_key);
        if (!value) continue;
        size_t before = loader->problems;
        size_t mark = rm__path_key(path, all[i].resolver.manifest_key);
        check_key(loader, &all[i], value, path);
        rm__sb_truncate(path, mark);
        if (&all[i] == claim && loader->problems != before) claim_ok = 0;
    }
    return claim_ok;
}

/* ---- messages naming what a resolver offers ------------------------------ */

void rm__sb_resolver_advice(const rm_loader_t *loader, rm_strbuf_t *msg) {
    size_t count;
    const rm__resolver_t *all = all_resolvers(loader, &count);
    for (size_t i = 0; i < count; i++)
        if ((all[i].resolver.flags & RM_RESOLVER_FALLBACK) && !all[i].refused &&
            all[i].resolver.implementation && all[i].resolver.usage)
            rm__sb_addf(msg, "; to run a %s implementation add %s",
                        all[i].resolver.implementation, all[i].resolver.usage);
}

void rm__report_unserved_hint(rm_loader_t *loader, rm_strbuf_t *path,
                              const rm_manifest_node_t *node) {
    size_t count;
    const rm__resolver_t *all = all_resolvers(loader, &count);
    const rm__resolver_t *r = NULL;
    for (size_t i = 0; i < count && !r; i++)
        if (is_hint_of(&all[i], node->hint)) r = &all[i];
    size_t mark = rm__path_key(path, "runtime_hint");
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    /* The path names runtime_hint: the message starts at its value. */
    rm__sb_addf(&msg, "\"%s\" but ", rm__hint_name(node->hint));
    if (r && r->resolver.implementation && r->resolver.usage)
        rm__sb_addf(&msg, "the node gives no %s location; add %s",
                    r->resolver.implementation, r->resolver.usage);
    else if (r)
        rm__sb_addf(&msg, "the node has no \"%s\" (node resolver of %s)",
                    r->resolver.manifest_key, r->plugin_path);
    else
        rm__sb_add(&msg, "no loaded plugin runs nodes that way (no node "
                         "resolver declares this hint)");
    rm__report(loader, RM_EVALIDATE, path->s, &msg);
    rm__sb_truncate(path, mark);
}

/* ---- resolving a claimed node -------------------------------------------- */

/* Report "node '<id>': <what>" at `path` (the claimed key). */
static void report(rm_loader_t *loader, const rm_strbuf_t *path,
                   const rm_manifest_node_t *node, const char *what,
                   const rm__resolver_t *claim) {
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    rm__sb_addf(&msg, "node '%s': ", node->id ? node->id : "?");
    rm__sb_add(&msg, what);
    rm__sb_addf(&msg, " (node resolver of %s, key \"%s\")", claim->plugin_path,
                claim->resolver.manifest_key);
    rm__report(loader, RM_EVALIDATE, path->s, &msg);
}

/* A refused resolver (it needs Python, the registry refuses Python): the
 * node would run Python code. */
static void report_refused(rm_loader_t *loader, const rm_strbuf_t *path,
                           const rm_manifest_node_t *node) {
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    rm__sb_add(&msg, "node type ");
    rm__sb_quote(&msg, node->type_name ? node->type_name : "?");
    rm__sb_add(&msg, " would run Python code, and Python nodes are refused "
                     "here (--no-python, " RM_NO_PYTHON_ENV "=1): a manifest "
                     "that names a Python class runs it");
    rm__report(loader, RM_EVALIDATE, path->s, &msg);
}

/* RM_RESOLVER_CHECK_PARAMS: a copy of the node whose "params" are its own
 * checked untyped and normalised; NULL when reported. `path` is the node's. */
static cJSON *with_checked_params(rm_loader_t *loader, const cJSON *json,
                                  rm_strbuf_t *path,
                                  const rm_manifest_node_t *node) {
    rm_params_t *own = NULL;
    size_t mark = rm__path_key(path, "params");
    rm__params_build(loader, NULL,
                     cJSON_GetObjectItemCaseSensitive(json, "params"), path,
                     node->id, &own);
    rm__sb_truncate(path, mark);
    if (!own) return NULL; /* reported */
    cJSON *params = cJSON_Parse(rm__params_to_json(own));
    rm__params_free(own);
    cJSON *copy = cJSON_Duplicate(json, 1);
    if (params && copy) {
        while (cJSON_GetObjectItemCaseSensitive(copy, "params"))
            cJSON_DeleteItemFromObjectCaseSensitive(copy, "params");
        if (cJSON_AddItemToObject(copy, "params", params)) return copy;
    }
    cJSON_Delete(params);
    cJSON_Delete(copy);
    rm__report_oom(loader);
    return NULL;
}

/* Ask the resolver; on success *type and *params (a JSON object or NULL
 * for none) are set, else the problem is reported. */
static int ask(rm_loader_t *loader, const rm__resolver_t *claim,
               const cJSON *json, const rm_strbuf_t *path,
               const rm_manifest_node_t *node, const char **type,
               cJSON **params) {
    const rm_node_resolver_t *r = &claim->resolver;
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
    cJSON *checked = NULL;
    if (!claim->refused && (claim->resolver.flags & RM_RESOLVER_CHECK_PARAMS)) {
        checked = with_checked_params(loader, json, path, node);
        if (!checked) return; /* reported */
    }
    size_t mark = rm__path_key(path, claim->resolver.manifest_key);
    const char *type = NULL;
    cJSON *params = NULL;
    if (claim->refused) {
        report_refused(loader, path, node);
    } else if (ask(loader, claim, checked ? checked : json, path, node, &type,
                   &params)) {
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
    cJSON_Delete(checked);
    rm__sb_truncate(path, mark);
}

/* ---- labels -------------------------------------------------------------- */

void rm__label_node(rm_loader_t *loader, rm_manifest_node_t *node) {
    const rm__resolver_t *r =
        rm__registry_resolver_of(loader->registry, node->entry);
    if (!r || !r->resolver.node_label || !node->params) return;
    const char *params = rm__params_to_json(node->params);
    if (!params) {
        rm__report_oom(loader);
        return;
    }
    char *label = r->resolver.node_label(node->entry->type->name, params);
    if (!label) return;
    node->label = strdup(label);
    r->resolver.free_string(label);
    if (!node->label) rm__report_oom(loader);
}
