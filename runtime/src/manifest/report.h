/*
 * report.h — the manifest loader's shared state and how its steps report
 * problems (internal; report.c).
 *
 * The loader's files form layers, each using only those below it:
 *
 *   manifest.c  the text and the top level
 *   validate.c  nodes and connections (validate.h)
 *   resolve.c   nodes claimed by a plugin's node resolver (resolve.h)
 *   params.c    params checked against a node type's specs (params.h)
 *   report.c    reporting a problem, an object's keys (this header)
 *
 * graph.c orders the result. Every step reports each problem it finds to
 * the loader's rm_diag_t and carries on, so one load reports all problems
 * at once.
 */
#ifndef RM_MANIFEST_REPORT_H
#define RM_MANIFEST_REPORT_H

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
     * duplicate detection and id lookup for connections (validate.c). */
    size_t *ids_sorted;
    size_t ids_count;
    /* The fields a node object may have: the manifest's own plus the keys
     * the registry's node resolvers claim (rm__read_nodes). */
    const char **node_fields;
    size_t node_field_count;
} rm_loader_t;

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

/* The runtime_hint values, by rm_runtime_hint_t, NULL-terminated. A hint
 * other than auto and native asks for the node resolver that declares it
 * (resolve.c). */
extern const char *const rm__hint_names[];
/* The text of a runtime_hint ("auto", "native", "python"). */
const char *rm__hint_name(rm_runtime_hint_t hint);

#endif /* RM_MANIFEST_REPORT_H */
