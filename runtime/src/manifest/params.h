/*
 * params.h — a node's params checked against its node type's specs
 * (internal; params.c). Reports through report.h; rm__params_to_json and
 * rm__params_free are in manifest.h.
 */
#ifndef RM_MANIFEST_PARAMS_H
#define RM_MANIFEST_PARAMS_H

#include "manifest/report.h"

/* Check `params` (an object, or NULL for none) against `type`'s specs and
 * build the validated set with defaults filled in. `type` NULL = no spec
 * known (a resolver's RM_RESOLVER_CHECK_PARAMS): the values are kept as
 * given, typed by their JSON type. Reports problems at `path` (the params
 * object's path); *out is NULL when any were found. */
void rm__params_build(rm_loader_t *loader, const rm_node_type_t *type,
                      const cJSON *params, rm_strbuf_t *path,
                      const char *node_id, rm_params_t **out);

#endif /* RM_MANIFEST_PARAMS_H */
