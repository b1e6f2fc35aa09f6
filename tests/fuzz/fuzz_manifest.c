/*
 * fuzz_manifest.c — libFuzzer target: the manifest parser and validator
 * (rm__manifest_load: JSON, fields, retry/breaker policies, node types
 * and their params against the real plugins' specs, nodes claimed by the
 * CPython adapter's node resolver, connections, cycles).
 *
 * Properties checked beyond "no crash, no leak, no UB": a rejected
 * manifest always says why (at least one diagnostic); an accepted one has
 * a topological order that is a permutation of its nodes, every edge
 * between existing nodes and goes forward in that order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <remotemedia/diag.h>
#include <remotemedia/registry.h>

#include "manifest/manifest.h"

static rm_registry_t *registry;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    /* The native plugins, and the CPython adapter's shim for its node
     * resolver ("python" locations). */
    static const char *const dirs[] = {RM_FUZZ_PLUGIN_DIR,
                                       RM_FUZZ_RESOLVER_PLUGIN_DIR};
    rm_registry_options_t options = {sizeof(options), dirs, 2, 0, 0, NULL, 0};
    if (rm_registry_open(&options, &registry) != RM_OK) abort();
    /* Fuzzing without the plugins it is meant to reach finds nothing. */
    if (rm_registry_failure_count(registry) ||
        !rm_registry_find(registry, "PythonNode")) {
        const rm_load_failure_t *f = rm_registry_failure_at(registry, 0);
        fprintf(stderr, "fuzz_manifest: a plugin did not load: %s\n",
                f ? f->reason : "no PythonNode");
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rm_diag_t *diag = rm_diag_new();
    rm_manifest_t *m = NULL;
    int status = rm__manifest_load(registry, (const char *)data, size,
                                   "<fuzz>", diag, &m);
    if (status == RM_OK) {
        if (!m) abort();
        unsigned char *seen = calloc(m->node_count + 1, 1);
        size_t *rank = calloc(m->node_count + 1, sizeof(*rank));
        for (size_t k = 0; k < m->node_count; k++) {
            size_t i = m->order[k];
            if (i >= m->node_count || seen[i]) abort();
            seen[i] = 1;
            rank[i] = k;
            if (!m->nodes[i].entry || !m->nodes[i].params) abort();
        }
        for (size_t e = 0; e < m->edge_count; e++) {
            const rm_manifest_edge_t *edge = &m->edges[e];
            if (edge->from_node >= m->node_count ||
                edge->to_node >= m->node_count ||
                rank[edge->from_node] >= rank[edge->to_node])
                abort();
        }
        free(seen);
        free(rank);
        rm__manifest_free(m);
    } else {
        if (m || rm_diag_count(diag) == 0) abort();
        if (!rm_diag_text(diag)) abort();
    }
    rm_diag_free(diag);
    return 0;
}
