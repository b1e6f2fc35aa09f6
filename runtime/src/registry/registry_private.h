/*
 * registry_private.h — what the registry shares with the rest of the core
 * (internal). registry/ is a leaf: it uses util/ only; manifest/ and
 * engine/ use it (docs/architecture.md).
 */
#ifndef RM_REGISTRY_PRIVATE_H
#define RM_REGISTRY_PRIVATE_H

#include <remotemedia/registry.h>


/* Timed-out calls whose plugin code is still running (process-wide). The
 * registry does not dlclose plugins while this is non-zero. */
unsigned rm__orphan_calls(void);
void rm__orphan_calls_add(int delta);

/* The node resolvers of the loaded plugins (RM_NODE_RESOLVER_ID in
 * plugin.h), highest precedence first: the manifest layer asks them about
 * nodes that carry their manifest_key (manifest/resolve.c). `resolver` is
 * a copy of the plugin's struct, zero past its struct_size (an older
 * plugin's), so readers need no struct_size checks. */
typedef struct rm__resolver {
    rm_node_resolver_t resolver;
    const char *plugin_path;          /* the file that declared it          */
    /* 1: the registry refuses what it claims (it needs Python and the
     * registry refuses Python node types): a claimed node is an error. */
    int refused;
} rm__resolver_t;
const rm__resolver_t *rm__registry_resolvers(const rm_registry_t *registry,
                                             size_t *count);
/* The resolver of the plugin that declared `entry`'s node type, or NULL. */
const rm__resolver_t *rm__registry_resolver_of(
    const rm_registry_t *registry, const rm_registry_entry_t *entry);

#endif /* RM_REGISTRY_PRIVATE_H */
