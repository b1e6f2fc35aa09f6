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
 * nodes that carry their manifest_key (manifest/resolve.c). */
typedef struct rm__resolver {
    const rm_node_resolver_t *resolver;
    const char *plugin_path;          /* the file that declared it          */
} rm__resolver_t;
const rm__resolver_t *rm__registry_resolvers(const rm_registry_t *registry,
                                             size_t *count);

#endif /* RM_REGISTRY_PRIVATE_H */
