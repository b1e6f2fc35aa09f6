/*
 * validate.h — the manifest loader's shared state and its steps (internal).
 *
 * manifest.c parses the text and reads the top level; validate.c reads the
 * nodes and connections; params.c checks params against a node type's
 * specs; graph.c orders the result. Every step reports each problem it
 * finds to the loader's rm_diag_t and carries on, so one load reports all
 * problems at once.
 */
#ifndef RM_VALIDATE_H
#define RM_VALIDATE_H

#include <cjson/cJSON.h>

#include "util/json_util.h"
#include "manifest/manifest.h"

typedef struct rm_loader {
    const rm_registry_t *registry; /* may be NULL: no node type resolves   */
    rm_diag_t *diag;
    rm_manifest_t *manifest;       /* being filled                         */
    size_t problems;               /* problems reported by this load       */
    int out_of_memory;
    /* Indices of the nodes that have an id, sorted by id (then index):
     * duplicate detection and id lookup for connections. */
    size_t *ids_sorted;
    size_t ids_count;
    /* The fields a node object may have: the manifest's own plus the keys
     * the registry's node resolvers claim (rm__read_nodes). */
    const char **node_fields;
    size_t node_field_count;
} rm_loader_t;

/* Index of the node with this id, or SIZE_MAX. Needs rm__read_nodes. */
size_t rm__node_by_id(const rm_loader_t *loader, const char *id);

/* At most this many problems are listed (one more entry then says how many
 * were left out): hostile input with a million mistakes must neither fill
 * memory nor spend minutes on did-you-means nobody will read. */
#define RM_MANIFEST_MAX_PROBLEMS 200

/* 1 once the list is full: count the problem (rm__report) but skip building
 * an expensive message. */
static inline int rm__quiet(const rm_loader_t *loader) {
    return loader->problems >= RM_MANIFEST_MAX_PROBLEMS;
}

/* Report `message` (taken and freed) at `where`. */
void rm__report(rm_loader_t *loader, int status, const char *where,
                rm_strbuf_t *message);
/* Report "expected <expected>, got <description of value>" at `path`. */
void rm__report_type(rm_loader_t *loader, const char *path,
                     const char *expected, const cJSON *value);
void rm__report_oom(rm_loader_t *loader);

/* Check an object's keys: repeated keys are errors, and so are keys not in
 * `allowed` (unless allow_unknown), with a did-you-mean and the list of
 * valid keys. `what` names the object in messages ("node", "connection"). */
void rm__check_keys(rm_loader_t *loader, const cJSON *object,
                    rm_strbuf_t *path, const char *what,
                    const char *const *allowed, size_t allowed_count,
                    int allow_unknown);

/* Read "nodes" (already known to be an array) into manifest->nodes. */
void rm__read_nodes(rm_loader_t *loader, const cJSON *nodes);
/* Read "connections" into manifest->edges; NULL = absent = a linear chain
 * in node order. Needs the nodes read first. */
void rm__read_connections(rm_loader_t *loader, const cJSON *connections);

/* params.c: check `params` (an object, or NULL for none) against `type`'s
 * specs and build the validated set with defaults filled in. `type` NULL =
 * no spec known (a resolver's RM_RESOLVER_CHECK_PARAMS): the values are
 * kept as given, typed by their JSON type. Reports problems at `path` (the params
 * object's path); *out is NULL when any were found. */
void rm__params_build(rm_loader_t *loader, const rm_node_type_t *type,
                      const cJSON *params, rm_strbuf_t *path,
                      const char *node_id, rm_params_t **out);

/* The text of a runtime_hint ("auto", "native", "python"). */
const char *rm__hint_name(rm_runtime_hint_t hint);

/* resolve.c: nodes claimed by a plugin's node resolver.
 * claiming_resolver: the highest-precedence resolver whose manifest_key
 * `node` carries and that takes it (a fallback resolver only when `native`,
 * the registry's entry for the node's type, is NULL or the hint is its
 * own; never under "native"), or NULL.
 * check_claimed_keys: every claimed key the node carries checked (repeated
 * keys, the resolver's check), problems at path.<key>...; 0 when `claim`'s
 * own key had problems (then it is not resolved).
 * resolve_claimed: entry and params from the resolver (or the refusal of a
 * refused one), problems reported at path.<key> naming the node.
 * carries_fallback_key: 1 when the node carries a fallback resolver's key.
 * sb_resolver_advice: "; to run a <implementation> implementation add
 * <usage>" for each fallback resolver that says how.
 * report_unserved_hint: the node's runtime_hint asks for a resolver whose
 * key it does not carry (reported at path.runtime_hint).
 * label_node: node->label from the node_label of its plugin's resolver.
 * node_field_list: `fields` plus every resolver's key (malloc'd; NULL when
 * out of memory). */
struct rm__resolver;
const struct rm__resolver *rm__claiming_resolver(
    const rm_loader_t *loader, const cJSON *node, rm_runtime_hint_t hint,
    const rm_registry_entry_t *native);
int rm__check_claimed_keys(rm_loader_t *loader, const cJSON *node,
                           rm_strbuf_t *path,
                           const struct rm__resolver *claim);
void rm__resolve_claimed(rm_loader_t *loader,
                         const struct rm__resolver *claim, const cJSON *json,
                         rm_strbuf_t *path, rm_manifest_node_t *node);
int rm__carries_fallback_key(const rm_loader_t *loader, const cJSON *node);
void rm__sb_resolver_advice(const rm_loader_t *loader, rm_strbuf_t *msg);
void rm__report_unserved_hint(rm_loader_t *loader, rm_strbuf_t *path,
                              const rm_manifest_node_t *node);
void rm__label_node(rm_loader_t *loader, rm_manifest_node_t *node);
const char **rm__node_field_list(const rm_loader_t *loader,
                                 const char *const *fields, size_t count,
                                 size_t *out_count);

#endif /* RM_VALIDATE_H */
