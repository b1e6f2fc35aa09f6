/*
 * resolve.h — manifest nodes claimed by a plugin's node resolver
 * (internal; resolve.c). Builds on params.h and report.h; validate.c
 * calls it while it reads a node.
 */
#ifndef RM_MANIFEST_RESOLVE_H
#define RM_MANIFEST_RESOLVE_H

#include "manifest/report.h"

/* claiming_resolver: the highest-precedence resolver whose manifest_key
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

#endif /* RM_MANIFEST_RESOLVE_H */
