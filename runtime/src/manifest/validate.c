/*
 * validate.c — reading and checking a manifest's nodes and connections:
 * fields, runtime hints, retry policies, node type resolution in the
 * registry (with did-you-mean and the directories searched), duplicate
 * ids, and edge endpoints and ports.
 */
#include "manifest/validate.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/params.h"
#include "manifest/resolve.h"

/* Lists longer than this are cut in messages ("... and 12 more"). */
#define RM__LIST_MAX 20

/* ---- typed field readers ----------------------------------------------- */

/* A field that must be a non-empty string when present. Returns it, or NULL
 * (absent when *present is 0, else reported). */
static const char *rm__field_string(rm_loader_t *loader, const cJSON *object,
                                    const char *key, rm_strbuf_t *path,
                                    int required, const char *what) {
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, key);
    size_t mark = rm__path_key(path, key);
    const char *result = NULL;
    if (!value) {
        if (required) {
            rm_strbuf_t msg;
            rm__sb_init(&msg);
            rm__sb_addf(&msg, "missing required field \"%s\" (%s)", key, what);
            rm__sb_truncate(path, mark);
            rm__report(loader, RM_EVALIDATE, path->len ? path->s : "$", &msg);
            return NULL;
        }
    } else if (!cJSON_IsString(value) || !value->valuestring) {
        rm__report_type(loader, path->s, what, value);
    } else if (!value->valuestring[0]) {
        rm_strbuf_t msg;
        rm__sb_init(&msg);
        rm__sb_addf(&msg, "expected %s, got an empty string", what);
        rm__report(loader, RM_EVALIDATE, path->s, &msg);
    } else {
        result = value->valuestring;
    }
    rm__sb_truncate(path, mark);
    return result;
}

/* An optional number field in [min, max] (integral when `integer`). */
static void rm__field_number(rm_loader_t *loader, const cJSON *object,
                             const char *key, rm_strbuf_t *path, int integer,
                             double min, double max, double *out) {
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, key);
    if (!value) return;
    size_t mark = rm__path_key(path, key);
    const char *expected = integer ? "an integer" : "a number";
    double v = cJSON_IsNumber(value) ? value->valuedouble : NAN;
    if (!cJSON_IsNumber(value) || (integer && isfinite(v) && v != floor(v))) {
        rm__report_type(loader, path->s, expected, value);
    } else if (!(v >= min && v <= max)) {
        rm_strbuf_t msg;
        rm__sb_init(&msg);
        rm__sb_number(&msg, v);
        rm__sb_add(&msg, " is out of range: must be in [");
        rm__sb_number(&msg, min);
        rm__sb_add(&msg, ", ");
        rm__sb_number(&msg, max);
        rm__sb_add(&msg, "]");
        rm__report(loader, RM_EVALIDATE, path->s, &msg);
    } else {
        *out = v;
    }
    rm__sb_truncate(path, mark);
}

static uint32_t rm__u32_field(rm_loader_t *loader, const cJSON *object,
                              const char *key, rm_strbuf_t *path,
                              uint32_t fallback) {
    double v = fallback;
    rm__field_number(loader, object, key, path, 1, 0, (double)UINT32_MAX, &v);
    return (uint32_t)v;
}

/* ---- nodes ------------------------------------------------------------- */

/* The manifest's own node fields; the registry's node resolvers add the
 * keys they claim (rm__node_field_list). */
static const char *const rm__node_fields[] = {
    "id",    "node_type", "params",     "is_streaming",
    "runtime_hint", "retry", "timeout_ms", "breaker", "on_error"};
static const char *const rm__retry_fields[] = {
    "max_retries", "initial_delay_ms", "multiplier", "max_delay_ms",
    "jitter"};

static void rm__read_retry(rm_loader_t *loader, const cJSON *node,
                           rm_strbuf_t *path, rm_retry_policy_t *retry) {
    retry->max_retries = 3;
    retry->initial_delay_ms = 100;
    retry->multiplier = 2.0;
    retry->max_delay_ms = 0;
    retry->jitter = 0.0;
    retry->timeout_ms = rm__u32_field(loader, node, "timeout_ms", path, 0);
    const cJSON *object = cJSON_GetObjectItemCaseSensitive(node, "retry");
    if (!object) return;
    size_t mark = rm__path_key(path, "retry");
    if (!cJSON_IsObject(object)) {
        rm__report_type(loader, path->s,
                        "a retry policy object {\"max_retries\", "
                        "\"initial_delay_ms\", \"multiplier\", "
                        "\"max_delay_ms\", \"jitter\"}",
                        object);
    } else {
        rm__check_keys(loader, object, path, "retry",
                       rm__retry_fields,
                       sizeof rm__retry_fields / sizeof *rm__retry_fields, 0);
        retry->max_retries =
            rm__u32_field(loader, object, "max_retries", path, 3);
        retry->initial_delay_ms =
            rm__u32_field(loader, object, "initial_delay_ms", path, 100);
        retry->max_delay_ms =
            rm__u32_field(loader, object, "max_delay_ms", path, 0);
        rm__field_number(loader, object, "multiplier", path, 0, 1.0, 1000.0,
                         &retry->multiplier);
        rm__field_number(loader, object, "jitter", path, 0, 0.0, 1.0,
                         &retry->jitter);
    }
    rm__sb_truncate(path, mark);
}

static const char *const rm__breaker_fields[] = {"failure_threshold",
                                                 "cooldown_ms"};

static void rm__read_breaker(rm_loader_t *loader, const cJSON *node,
                             rm_strbuf_t *path, rm_breaker_policy_t *breaker) {
    breaker->failure_threshold = 5;
    breaker->cooldown_ms = 30000;
    const cJSON *object = cJSON_GetObjectItemCaseSensitive(node, "breaker");
    if (!object) return;
    size_t mark = rm__path_key(path, "breaker");
    if (!cJSON_IsObject(object)) {
        rm__report_type(loader, path->s,
                        "a circuit breaker object {\"failure_threshold\", "
                        "\"cooldown_ms\"}",
                        object);
    } else {
        rm__check_keys(loader, object, path, "breaker", rm__breaker_fields,
                       sizeof rm__breaker_fields / sizeof *rm__breaker_fields,
                       0);
        breaker->failure_threshold =
            rm__u32_field(loader, object, "failure_threshold", path, 5);
        breaker->cooldown_ms =
            rm__u32_field(loader, object, "cooldown_ms", path, 30000);
    }
    rm__sb_truncate(path, mark);
}

/* The on_error values, by rm_on_error_t. */
static const char *const rm__on_error_names[] = {"fail", "skip", NULL};

/* The index in `names` (NULL-terminated) of the node's string `key`; 0
 * when absent or not one of them (reported: expected one of the names). */
static unsigned rm__read_choice(rm_loader_t *loader, const cJSON *node,
                                rm_strbuf_t *path, const char *key,
                                const char *const *names) {
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(node, key);
    if (!value) return 0;
    const char *s = cJSON_IsString(value) ? value->valuestring : NULL;
    unsigned i = 0;
    while (s && names[i] && strcmp(s, names[i]) != 0) i++;
    if (s && names[i]) return i;
    size_t mark = rm__path_key(path, key);
    rm_strbuf_t expected;
    rm__sb_init(&expected);
    rm__sb_one_of(&expected, names);
    if (expected.failed || !expected.s) rm__report_oom(loader);
    else rm__report_type(loader, path->s, expected.s, value);
    rm__sb_free(&expected);
    rm__sb_truncate(path, mark);
    return 0;
}

/* has_fallback_key: the node carries the key of a fallback resolver (which
 * the "native" hint kept from claiming it). */
static void rm__report_unknown_type(rm_loader_t *loader, const char *path,
                                    const char *type_name,
                                    rm_runtime_hint_t hint,
                                    int has_fallback_key) {
    const rm_registry_t *registry = loader->registry;
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    if (rm__quiet(loader)) {
        rm__report(loader, RM_EVALIDATE, path, &msg);
        return;
    }
    if (hint == RM_HINT_NATIVE && has_fallback_key) {
        rm__sb_addf(&msg, "runtime_hint is \"%s\" but no plugin provides "
                          "node type ", rm__hint_name(RM_HINT_NATIVE));
        rm__sb_quote(&msg, type_name);
        rm__sb_add(&msg, " natively");
    } else {
        rm__sb_add(&msg, "unknown node type ");
        rm__sb_quote(&msg, type_name);
    }
    rm_suggest_t suggest;
    rm__suggest_init(&suggest, type_name);
    size_t count = registry ? rm_registry_count(registry) : 0;
    for (size_t i = 0; i < count; i++) {
        const rm_registry_entry_t *e = rm_registry_at(registry, i);
        if (e && e->type) rm__suggest_offer(&suggest, e->type->name);
    }
    if (suggest.best) {
        rm__sb_add(&msg, " (did you mean ");
        rm__sb_quote(&msg, suggest.best);
        rm__sb_add(&msg, "?)");
    }
    size_t dirs = registry ? rm_registry_dir_count(registry) : 0;
    rm__sb_add(&msg, "; searched ");
    if (dirs == 0) rm__sb_add(&msg, "no plugin directories");
    for (size_t i = 0; i < dirs; i++) {
        const char *dir = rm_registry_dir_at(registry, i);
        rm__sb_addf(&msg, "%s%s", i ? ", " : "", dir ? dir : "?");
    }
    rm__sb_addf(&msg, " (%zu node types known)", count);
    size_t failures = registry ? rm_registry_failure_count(registry) : 0;
    if (failures) {
        const rm_load_failure_t *f = rm_registry_failure_at(registry, 0);
        rm__sb_addf(&msg, "; %zu plugin file%s failed to load, e.g. %s", failures,
                    failures == 1 ? "" : "s", f && f->path ? f->path : "?");
    }
    if (rm_registry_refuses_python(registry))
        rm__sb_add(&msg, "; node types that run Python are refused here "
                         "(--no-python, " RM_NO_PYTHON_ENV "=1)");
    else if (hint != RM_HINT_NATIVE)
        rm__sb_resolver_advice(loader, &msg);
    rm__report(loader, RM_EVALIDATE, path, &msg);
}

static void rm__read_node(rm_loader_t *loader, const cJSON *json,
                          rm_strbuf_t *path, rm_manifest_node_t *node) {
    rm__read_retry(loader, NULL, path, &node->retry); /* defaults first */
    rm__read_breaker(loader, NULL, path, &node->breaker);
    if (!cJSON_IsObject(json)) {
        rm__report_type(loader, path->s,
                        "a node object {\"id\", \"node_type\", \"params\"}",
                        json);
        return;
    }
    rm__check_keys(loader, json, path, "node", loader->node_fields,
                   loader->node_field_count, 0);
    const char *id = rm__field_string(loader, json, "id", path, 1,
                                      "a node id string like \"resample_0\"");
    const char *type_name = rm__field_string(
        loader, json, "node_type", path, 1,
        "a node type name string like \"AudioResampleNode\"");
    node->id = id ? strdup(id) : NULL;
    node->type_name = type_name ? strdup(type_name) : NULL;
    if ((id && !node->id) || (type_name && !node->type_name))
        rm__report_oom(loader);

    const cJSON *streaming =
        cJSON_GetObjectItemCaseSensitive(json, "is_streaming");
    if (streaming) {
        size_t mark = rm__path_key(path, "is_streaming");
        if (cJSON_IsBool(streaming)) node->is_streaming = cJSON_IsTrue(streaming);
        else rm__report_type(loader, path->s, "a boolean", streaming);
        rm__sb_truncate(path, mark);
    }
    node->hint = (rm_runtime_hint_t)rm__read_choice(
        loader, json, path, "runtime_hint", rm__hint_names);
    rm__read_retry(loader, json, path, &node->retry);
    rm__read_breaker(loader, json, path, &node->breaker);
    node->on_error = (rm_on_error_t)rm__read_choice(loader, json, path,
                                                    "on_error",
                                                    rm__on_error_names);

    node->entry = type_name && loader->registry
                      ? rm_registry_find(loader->registry, type_name)
                      : NULL;
    const struct rm__resolver *claim =
        type_name ? rm__claiming_resolver(loader, json, node->hint,
                                          node->entry)
                  : NULL;
    int claim_ok = rm__check_claimed_keys(loader, json, path, claim);
    if (!type_name) return;
    if (claim) {
        node->entry = NULL;
        if (claim_ok) rm__resolve_claimed(loader, claim, json, path, node);
    } else if (!node->entry) {
        size_t mark = rm__path_key(path, "node_type");
        rm__report_unknown_type(loader, path->s, type_name, node->hint,
                                rm__carries_fallback_key(loader, json));
        rm__sb_truncate(path, mark);
    } else if (node->hint != RM_HINT_AUTO && node->hint != RM_HINT_NATIVE) {
        rm__report_unserved_hint(loader, path, node);
    } else {
        size_t mark = rm__path_key(path, "params");
        rm__params_build(loader, node->entry->type,
                         cJSON_GetObjectItemCaseSensitive(json, "params"),
                         path, id, &node->params);
        rm__sb_truncate(path, mark);
    }
    if (node->entry && node->params) rm__label_node(loader, node);
}

typedef struct rm__id_ref {
    const char *id;
    size_t index;
} rm__id_ref_t;

static int rm__id_ref_cmp(const void *a, const void *b) {
    const rm__id_ref_t *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Sort the ids (reporting duplicates) so connections can look them up. */
static void rm__index_ids(rm_loader_t *loader) {
    const rm_manifest_t *m = loader->manifest;
    rm__id_ref_t *refs = malloc((m->node_count ? m->node_count : 1) *
                                sizeof(*refs));
    loader->ids_sorted = malloc((m->node_count ? m->node_count : 1) *
                                sizeof(size_t));
    if (!refs || !loader->ids_sorted) {
        free(refs);
        rm__report_oom(loader);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < m->node_count; i++)
        if (m->nodes[i].id) refs[n++] = (rm__id_ref_t){m->nodes[i].id, i};
    qsort(refs, n, sizeof(*refs), rm__id_ref_cmp);
    rm_strbuf_t path;
    rm__sb_init(&path);
    size_t first = 0; /* where the run of equal ids that i is in starts */
    for (size_t i = 0; i < n; i++) {
        loader->ids_sorted[i] = refs[i].index;
        if (i == 0 || strcmp(refs[i].id, refs[i - 1].id) != 0) {
            first = i;
            continue;
        }
        rm__sb_truncate(&path, 0);
        rm__sb_addf(&path, "nodes[%zu].id", refs[i].index);
        rm_strbuf_t msg;
        rm__sb_init(&msg);
        rm__sb_add(&msg, "duplicate node id ");
        rm__sb_quote(&msg, refs[i].id);
        rm__sb_addf(&msg, ": nodes[%zu] and nodes[%zu] both use it; node ids "
                          "must be unique",
                    refs[first].index, refs[i].index);
        rm__report(loader, RM_EVALIDATE, path.s, &msg);
    }
    rm__sb_free(&path);
    loader->ids_count = n;
    free(refs);
}

size_t rm__node_by_id(const rm_loader_t *loader, const char *id) {
    const rm_manifest_t *m = loader->manifest;
    size_t lo = 0, hi = loader->ids_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->nodes[loader->ids_sorted[mid]].id, id);
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo < loader->ids_count &&
        strcmp(m->nodes[loader->ids_sorted[lo]].id, id) == 0)
        return loader->ids_sorted[lo];
    return SIZE_MAX;
}

void rm__read_nodes(rm_loader_t *loader, const cJSON *nodes) {
    rm_manifest_t *m = loader->manifest;
    size_t count = 0;
    for (const cJSON *c = nodes->child; c; c = c->next) count++;
    m->nodes = calloc(count ? count : 1, sizeof(*m->nodes));
    if (!m->nodes) {
        rm__report_oom(loader);
        return;
    }
    m->node_count = count;
    loader->node_fields = rm__node_field_list(
        loader, rm__node_fields, sizeof rm__node_fields / sizeof *rm__node_fields,
        &loader->node_field_count);
    if (!loader->node_fields) {
        rm__report_oom(loader);
        return;
    }
    rm_strbuf_t path;
    rm__sb_init(&path);
    rm__sb_add(&path, "nodes");
    size_t i = 0;
    for (const cJSON *c = nodes->child; c; c = c->next, i++) {
        size_t mark = rm__path_index(&path, i);
        rm__read_node(loader, c, &path, &m->nodes[i]);
        rm__sb_truncate(&path, mark);
        if (loader->out_of_memory) break;
    }
    rm__sb_free(&path);
    free(loader->node_fields);
    loader->node_fields = NULL;
    if (!loader->out_of_memory) rm__index_ids(loader);
}

/* ---- connections ------------------------------------------------------- */

static const char *const rm__connection_fields[] = {"from", "to", "from_port",
                                                    "to_port"};

/* Ports of a node for checking: the node type's. Returns 0 when unknown
 * (the node's type did not resolve: already reported). */
static int rm__node_ports(const rm_manifest_node_t *node, int output,
                          const rm_port_spec_t **ports, uint32_t *count) {
    if (!node->entry) return 0;
    *ports = output ? node->entry->type->outputs : node->entry->type->inputs;
    *count = output ? node->entry->type->output_count
                    : node->entry->type->input_count;
    return 1;
}

static void rm__sb_node_ref(rm_strbuf_t *sb, const rm_manifest_node_t *node) {
    rm__sb_add(sb, "node ");
    rm__sb_quote(sb, node->id ? node->id : "?");
    rm__sb_addf(sb, " (%s)", node->type_name ? node->type_name : "?");
}

static void rm__sb_port_list(rm_strbuf_t *sb, const rm_port_spec_t *ports,
                             uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        rm__sb_addf(sb, "%s%u ", i ? ", " : "", i);
        rm__sb_quote(sb, ports[i].name ? ports[i].name : "");
    }
}

/* Resolve a port value (NULL = absent = 0) to an index; 0 when reported or
 * unknown. `peer` names the other end for the source-node message. */
static int rm__resolve_port(rm_loader_t *loader, const rm_manifest_node_t *node,
                            int output, const cJSON *value, rm_strbuf_t *path,
                            const rm_manifest_node_t *peer, uint32_t *index) {
    const rm_port_spec_t *ports;
    uint32_t count;
    if (!rm__node_ports(node, output, &ports, &count)) return 0;
    const char *dir = output ? "output" : "input";
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    if (count == 0) {
        rm__sb_node_ref(&msg, node);
        if (output) {
            rm__sb_add(&msg, " is a sink: it has no output ports, so it "
                             "cannot send to ");
        } else {
            rm__sb_add(&msg, " is a source: it has no input ports, so it "
                             "cannot receive from ");
        }
        rm__sb_node_ref(&msg, peer);
        rm__report(loader, RM_EVALIDATE, path->s, &msg);
        return 0;
    }
    if (!value) {
        *index = 0;
        rm__sb_free(&msg);
        return 1;
    }
    if (cJSON_IsNumber(value)) {
        double v = value->valuedouble;
        if (v >= 0 && v < count && v == floor(v)) {
            *index = (uint32_t)v;
            rm__sb_free(&msg);
            return 1;
        }
        rm__sb_addf(&msg, "unknown %s port ", dir);
        rm__sb_number(&msg, v);
    } else if (cJSON_IsString(value) && value->valuestring) {
        rm_suggest_t suggest;
        rm__suggest_init(&suggest, value->valuestring);
        for (uint32_t i = 0; i < count; i++) {
            if (ports[i].name && strcmp(ports[i].name, value->valuestring) == 0) {
                *index = i;
                rm__sb_free(&msg);
                return 1;
            }
            rm__suggest_offer(&suggest, ports[i].name);
        }
        rm__sb_addf(&msg, "unknown %s port ", dir);
        rm__sb_quote(&msg, value->valuestring);
        if (suggest.best) {
            rm__sb_add(&msg, " (did you mean ");
            rm__sb_quote(&msg, suggest.best);
            rm__sb_add(&msg, "?)");
        }
    } else {
        rm__sb_free(&msg);
        rm__report_type(loader, path->s,
                        "a port name (string) or index (integer >= 0)", value);
        return 0;
    }
    rm__sb_add(&msg, ": ");
    rm__sb_node_ref(&msg, node);
    rm__sb_addf(&msg, " has %s ports ", dir);
    rm__sb_port_list(&msg, ports, count);
    rm__report(loader, RM_EVALIDATE, path->s, &msg);
    return 0;
}

static void rm__sb_kinds(rm_strbuf_t *sb, uint32_t kinds) {
    static const char *const names[] = {"?", "audio", "tensor", "json",
                                        "bytes", "pyobject"};
    int listed = 0;
    for (unsigned k = 1; k < sizeof names / sizeof *names; k++)
        if (kinds & RM_KIND_BIT(k))
            rm__sb_addf(sb, "%s%s", listed++ ? " or " : "", names[k]);
    if (!listed) rm__sb_add(sb, "nothing");
}

static void rm__sb_port_ref(rm_strbuf_t *sb, const rm_manifest_node_t *node,
                            const char *dir, uint32_t index,
                            const rm_port_spec_t *port) {
    rm__sb_node_ref(sb, node);
    rm__sb_addf(sb, " %s port %u ", dir, index);
    rm__sb_quote(sb, port->name ? port->name : "");
}

/* An edge whose output port carries no kind the input port accepts would
 * fail on its first item at run time: report it now, naming both ends
 * and their kinds. Returns 1 when the kinds meet. */
static int rm__check_kinds(rm_loader_t *loader, const rm_manifest_node_t *from,
                           uint32_t from_port, const rm_manifest_node_t *to,
                           uint32_t to_port, const char *where) {
    const rm_port_spec_t *outs, *ins;
    uint32_t out_count, in_count;
    if (!rm__node_ports(from, 1, &outs, &out_count) ||
        !rm__node_ports(to, 0, &ins, &in_count) || from_port >= out_count ||
        to_port >= in_count)
        return 1;
    uint32_t sent = outs[from_port].kinds, taken = ins[to_port].kinds;
    if (!sent || !taken || (sent & taken)) return 1;
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    rm__sb_add(&msg, "port kinds do not match: ");
    rm__sb_port_ref(&msg, from, "output", from_port, &outs[from_port]);
    rm__sb_add(&msg, " emits ");
    rm__sb_kinds(&msg, sent);
    rm__sb_add(&msg, ", but ");
    rm__sb_port_ref(&msg, to, "input", to_port, &ins[to_port]);
    rm__sb_add(&msg, " accepts only ");
    rm__sb_kinds(&msg, taken);
    rm__report(loader, RM_EVALIDATE, where, &msg);
    return 0;
}

/* The node an endpoint names; SIZE_MAX when reported. */
static size_t rm__resolve_endpoint(rm_loader_t *loader, const cJSON *conn,
                                   const char *key, rm_strbuf_t *path) {
    const char *id = rm__field_string(loader, conn, key, path, 1,
                                      "a node id string");
    if (!id) return SIZE_MAX;
    size_t index = rm__node_by_id(loader, id);
    if (index != SIZE_MAX) return index;
    const rm_manifest_t *m = loader->manifest;
    size_t mark = rm__path_key(path, key);
    rm_strbuf_t msg;
    rm__sb_init(&msg);
    if (rm__quiet(loader)) {
        rm__report(loader, RM_EVALIDATE, path->s, &msg);
        rm__sb_truncate(path, mark);
        return SIZE_MAX;
    }
    rm__sb_add(&msg, "unknown node id ");
    rm__sb_quote(&msg, id);
    /* Suggestions cost O(nodes); skip them for huge manifests. */
    if (m->node_count <= 10000) {
        rm_suggest_t suggest;
        rm__suggest_init(&suggest, id);
        for (size_t i = 0; i < m->node_count; i++)
            rm__suggest_offer(&suggest, m->nodes[i].id);
        if (suggest.best) {
            rm__sb_add(&msg, " (did you mean ");
            rm__sb_quote(&msg, suggest.best);
            rm__sb_add(&msg, "?)");
        }
    }
    rm__sb_add(&msg, "; node ids are: ");
    size_t listed = 0;
    for (size_t i = 0; i < m->node_count && listed < RM__LIST_MAX; i++) {
        if (!m->nodes[i].id) continue;
        if (listed++) rm__sb_add(&msg, ", ");
        rm__sb_quote(&msg, m->nodes[i].id);
    }
    if (loader->ids_count > listed)
        rm__sb_addf(&msg, ", ... (%zu more)", loader->ids_count - listed);
    rm__report(loader, RM_EVALIDATE, path->s, &msg);
    rm__sb_truncate(path, mark);
    return SIZE_MAX;
}

static int rm__edge_cmp(const void *a, const void *b) {
    const rm_manifest_edge_t *x = a, *y = b;
#define RM__CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
    RM__CMP(from_node); RM__CMP(to_node); RM__CMP(from_port); RM__CMP(to_port);
#undef RM__CMP
    return 0;
}

/* Repeated edges would deliver every item twice: report them. `origin[i]`
 * is the connections[] index edge i came from. */
static void rm__check_duplicate_edges(rm_loader_t *loader,
                                      const size_t *origin) {
    rm_manifest_t *m = loader->manifest;
    if (m->edge_count < 2) return;
    typedef struct { rm_manifest_edge_t edge; size_t origin; } keyed_t;
    keyed_t *sorted = malloc(m->edge_count * sizeof(*sorted));
    if (!sorted) {
        rm__report_oom(loader);
        return;
    }
    for (size_t i = 0; i < m->edge_count; i++)
        sorted[i] = (keyed_t){m->edges[i], origin[i]};
    /* `edge` is the first member, so rm__edge_cmp orders these by it. */
    qsort(sorted, m->edge_count, sizeof(*sorted), rm__edge_cmp);
    rm_strbuf_t path;
    rm__sb_init(&path);
    for (size_t i = 1; i < m->edge_count; i++) {
        if (rm__edge_cmp(&sorted[i - 1].edge, &sorted[i].edge) != 0) continue;
        size_t a = sorted[i - 1].origin, b = sorted[i].origin;
        size_t first = a < b ? a : b, later = a < b ? b : a;
        rm__sb_truncate(&path, 0);
        rm__sb_addf(&path, "connections[%zu]", later);
        rm_strbuf_t msg;
        rm__sb_init(&msg);
        rm__sb_addf(&msg, "duplicate connection: same as connections[%zu] "
                          "(items would be delivered twice)",
                    first);
        rm__report(loader, RM_EVALIDATE, path.s, &msg);
    }
    rm__sb_free(&path);
    free(sorted);
}

static void rm__implicit_chain(rm_loader_t *loader) {
    rm_manifest_t *m = loader->manifest;
    size_t count = m->node_count ? m->node_count - 1 : 0;
    m->edges = calloc(count ? count : 1, sizeof(*m->edges));
    if (!m->edges) {
        rm__report_oom(loader);
        return;
    }
    rm_strbuf_t path;
    rm__sb_init(&path);
    for (size_t i = 0; i < count; i++) {
        rm_manifest_node_t *from = &m->nodes[i], *to = &m->nodes[i + 1];
        rm_manifest_edge_t edge = {i, i + 1, 0, 0};
        rm__sb_truncate(&path, 0);
        rm__sb_addf(&path, "nodes[%zu] (implicit chain: no \"connections\")",
                    i);
        if (!rm__resolve_port(loader, from, 1, NULL, &path, to,
                              &edge.from_port))
            continue;
        rm__sb_truncate(&path, 0);
        rm__sb_addf(&path, "nodes[%zu] (implicit chain: no \"connections\")",
                    i + 1);
        if (!rm__resolve_port(loader, to, 0, NULL, &path, from, &edge.to_port))
            continue;
        if (!rm__check_kinds(loader, from, edge.from_port, to, edge.to_port,
                             path.s))
            continue;
        m->edges[m->edge_count++] = edge;
    }
    rm__sb_free(&path);
}

void rm__read_connections(rm_loader_t *loader, const cJSON *connections) {
    if (loader->out_of_memory) return;
    if (!connections) {
        rm__implicit_chain(loader);
        return;
    }
    rm_manifest_t *m = loader->manifest;
    size_t count = 0;
    for (const cJSON *c = connections->child; c; c = c->next) count++;
    m->edges = calloc(count ? count : 1, sizeof(*m->edges));
    size_t *origin = malloc((count ? count : 1) * sizeof(size_t));
    if (!m->edges || !origin) {
        free(origin);
        rm__report_oom(loader);
        return;
    }
    rm_strbuf_t path;
    rm__sb_init(&path);
    rm__sb_add(&path, "connections");
    size_t i = 0;
    for (const cJSON *c = connections->child; c; c = c->next, i++) {
        size_t mark = rm__path_index(&path, i);
        if (!cJSON_IsObject(c)) {
            rm__report_type(loader, path.s,
                            "a connection object {\"from\": id, \"to\": id}",
                            c);
            rm__sb_truncate(&path, mark);
            continue;
        }
        rm__check_keys(loader, c, &path, "connection", rm__connection_fields,
                       sizeof rm__connection_fields /
                           sizeof *rm__connection_fields,
                       0);
        rm_manifest_edge_t edge = {0};
        edge.from_node = rm__resolve_endpoint(loader, c, "from", &path);
        edge.to_node = rm__resolve_endpoint(loader, c, "to", &path);
        int ok = edge.from_node != SIZE_MAX && edge.to_node != SIZE_MAX;
        if (ok) {
            const rm_manifest_node_t *from = &m->nodes[edge.from_node];
            const rm_manifest_node_t *to = &m->nodes[edge.to_node];
            const cJSON *fp = cJSON_GetObjectItemCaseSensitive(c, "from_port");
            const cJSON *tp = cJSON_GetObjectItemCaseSensitive(c, "to_port");
            size_t pmark = rm__path_key(&path, fp ? "from_port" : "from");
            ok = rm__resolve_port(loader, from, 1, fp, &path, to,
                                  &edge.from_port);
            rm__sb_truncate(&path, pmark);
            pmark = rm__path_key(&path, tp ? "to_port" : "to");
            ok = rm__resolve_port(loader, to, 0, tp, &path, from,
                                  &edge.to_port) && ok;
            rm__sb_truncate(&path, pmark);
            ok = ok && rm__check_kinds(loader, from, edge.from_port, to,
                                       edge.to_port, path.s);
        }
        if (ok) {
            origin[m->edge_count] = i;
            m->edges[m->edge_count++] = edge;
        }
        rm__sb_truncate(&path, mark);
    }
    rm__sb_free(&path);
    rm__check_duplicate_edges(loader, origin);
    free(origin);
}
