/*
 * graph.h — the pipeline graph of a manifest: per-node edge lists, a
 * topological order, and a named cycle when there is none (internal).
 */
#ifndef RM_GRAPH_H
#define RM_GRAPH_H

#include "manifest/manifest.h"

/* Fill every node's inputs/outputs (edge indices, in edge order) and
 * manifest->order: Kahn's algorithm where, among the nodes whose inputs are
 * all placed, the one earliest in the manifest goes first (so a manifest
 * already in order keeps it). Iterative, O((V + E) log V).
 *
 * On a cycle, reports one as "a -> b -> c -> a" (RM_ECYCLE, where
 * "connections"), starting at its earliest node, leaves order NULL and
 * returns RM_ECYCLE. Returns RM_ENOMEM (reported) or RM_OK. */
int rm__graph_build(rm_manifest_t *manifest, rm_diag_t *diag);

#endif /* RM_GRAPH_H */
