/*
 * manifest.h — a parsed, fully validated pipeline manifest (internal).
 *
 * Produced by rm__manifest_load (manifest.c + validate.c + graph.c), consumed
 * by the executor. Everything in an rm_manifest_t is owned by it and freed by
 * rm__manifest_free. A manifest that loaded successfully has: unique node
 * ids, every node type resolved in the registry (directly or through a
 * plugin's node resolver, see below), params validated against
 * the node type's specs with defaults filled in, edges between existing
 * nodes/ports, and no cycle; `order` is a topological order.
 *
 * The format is documented in docs/manifest.md (schema:
 * docs/manifest.schema.json).
 *
 * Changes since the first draft (all additive; field names unchanged):
 *  - A node carrying a key a plugin's node resolver claims (plugin.h,
 *    RM_NODE_RESOLVER_ID; resolve.c) gets the resolver's node type as its
 *    `entry` and the resolver's params, checked against that type; a
 *    fallback resolver (the CPython adapter's "python") claims only nodes
 *    whose type no plugin provides or whose runtime_hint is its own.
 *    `type_name` keeps the user's type. So in a loaded manifest `entry` is
 *    never NULL.
 *  - rm__param_json returns the JSON text of a param of ANY type (not only
 *    RM_PARAM_JSON).
 *  - rm__params_to_json: all params of a node (defaults filled in) as one
 *    JSON object text.
 *  - `label`: what the node runs in a word for metrics (the Python class
 *    "pkg.mod.Class"), from the node_label of its plugin's resolver.
 *  - The node-level "timeout_ms" field lands in retry.timeout_ms.
 *  - The node-level "breaker" object lands in `breaker`.
 *  - Return codes of rm__manifest_load spelled out below.
 */
#ifndef RM_MANIFEST_H
#define RM_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <remotemedia/plugin.h>
#include <remotemedia/registry.h>

#include <remotemedia/diag.h>

typedef enum rm_runtime_hint {
    RM_HINT_AUTO = 0,
    RM_HINT_NATIVE = 1,
    RM_HINT_PYTHON = 2
} rm_runtime_hint_t;

typedef struct rm_retry_policy {
    uint32_t max_retries;      /* default 3                                  */
    uint32_t initial_delay_ms; /* default 100                                */
    double multiplier;         /* default 2.0                                */
    uint32_t max_delay_ms;     /* cap; 0 = none                              */
    double jitter;             /* 0..1, fraction of the delay; default 0     */
    uint32_t timeout_ms;       /* per call; 0 = none                         */
} rm_retry_policy_t;

/* Node-level "breaker": {"failure_threshold", "cooldown_ms"}. */
typedef struct rm_breaker_policy {
    uint32_t failure_threshold; /* consecutive failed calls that open it;
                                   default 5; 0 = no breaker               */
    uint32_t cooldown_ms;       /* open → half-open after; default 30000   */
} rm_breaker_policy_t;

/* Node-level "on_error": what a process call that still fails after its
 * retries does (docs/manifest.md "on_error"). */
typedef enum rm_on_error {
    RM_ON_ERROR_FAIL = 0,      /* the run fails (default)                    */
    RM_ON_ERROR_SKIP = 1       /* the item is dropped and counted; the
                                  stream goes on                            */
} rm_on_error_t;

typedef struct rm_manifest_node {
    char *id;
    char *type_name;
    const rm_registry_entry_t *entry;   /* resolved implementation (a
                                           resolver's type for claimed
                                           nodes, see top); never NULL      */
    rm_params_t *params;                /* validated, defaults filled; never
                                           NULL in a loaded manifest        */
    rm_runtime_hint_t hint;
    rm_retry_policy_t retry;
    rm_breaker_policy_t breaker;
    rm_on_error_t on_error;
    int is_streaming;
    char *label;                        /* display label from the plugin's
                                           node resolver ("pkg.mod.Class"),
                                           or NULL                          */
    size_t *inputs;  size_t input_count;  /* edge indices into edges[], in
                                             edge order; NULL when 0      */
    size_t *outputs; size_t output_count; /* edge indices into edges[]      */
} rm_manifest_node_t;

typedef struct rm_manifest_edge {
    size_t from_node, to_node;          /* indices into nodes[]             */
    uint32_t from_port, to_port;        /* port indices                     */
} rm_manifest_edge_t;

typedef struct rm_manifest {
    char *name;                         /* metadata.name or "pipeline"      */
    rm_manifest_node_t *nodes; size_t node_count;
    rm_manifest_edge_t *edges; size_t edge_count;
    size_t *order;                      /* topological order of node indices:
                                           among ready nodes, the earliest
                                           in the manifest first            */
    char *json;                         /* the manifest text, NUL-terminated */
} rm_manifest_t;

/* Edges: "connections" as given (ports by name or index resolved to
 * indices), or, when "connections" is absent, the linear chain
 * nodes[0] -> nodes[1] -> ... on ports 0. Present but empty = no edges. */

/* Parse and validate `text` (`len` bytes; NULs inside are an error).
 * `source` names it in messages (a file path or "<string>"). On any problem
 * leaves *out NULL, appends every problem found to `diag` and returns:
 * RM_EPARSE (not JSON text: one entry, where "source:line:col"),
 * RM_ECYCLE (the only problem is a cycle), RM_ENOMEM, else RM_EVALIDATE.
 * `registry` may be NULL (then no node type resolves); the
 * manifest borrows from it (entries, specs): close the registry after
 * freeing the manifest. [thread-safe] (no global state). */
int rm__manifest_load(const rm_registry_t *registry, const char *text,
                      size_t len, const char *source, rm_diag_t *diag,
                      rm_manifest_t **out);
void rm__manifest_free(rm_manifest_t *manifest);

/* Validated params (params.c). Read through the host's param_* functions,
 * which are these: */
int rm__param_bool(const rm_params_t *params, const char *name, int *out);
int rm__param_int(const rm_params_t *params, const char *name, int64_t *out);
int rm__param_float(const rm_params_t *params, const char *name, double *out);
int rm__param_string(const rm_params_t *params, const char *name,
                     const char **out);
int rm__param_json(const rm_params_t *params, const char *name,
                   const char **out);
int rm__param_enum(const rm_params_t *params, const char *name,
                   uint32_t *out);
/* All present params as one JSON object text, e.g. {"factor":2}. Owned by
 * `params`. */
const char *rm__params_to_json(const rm_params_t *params);
void rm__params_free(rm_params_t *params);

#endif /* RM_MANIFEST_H */
