/*
 * validate.h — reading a manifest's nodes and connections (internal;
 * validate.c). The top of the loader's layers (report.h lists them):
 * uses resolve.h, params.h and report.h; manifest.c calls it.
 */
#ifndef RM_VALIDATE_H
#define RM_VALIDATE_H

#include "manifest/report.h"

/* Index of the node with this id, or SIZE_MAX. Needs rm__read_nodes. */
size_t rm__node_by_id(const rm_loader_t *loader, const char *id);

/* Read "nodes" (already known to be an array) into manifest->nodes. */
void rm__read_nodes(rm_loader_t *loader, const cJSON *nodes);
/* Read "connections" into manifest->edges; NULL = absent = a linear chain
 * in node order. Needs the nodes read first. */
void rm__read_connections(rm_loader_t *loader, const cJSON *connections);

#endif /* RM_VALIDATE_H */
