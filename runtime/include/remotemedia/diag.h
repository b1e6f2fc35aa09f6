/*
 * remotemedia/diag.h — a list of problems found at once (validation).
 *
 * Validation reports every problem it finds, not just the first: each one
 * is a diagnostic with a location (a JSON path like "nodes[2].params.factor",
 * a node id, or "file:line:col") and a message saying what was expected and
 * what was found. Owned by the caller; not thread-safe (one per call).
 */
#ifndef REMOTEMEDIA_DIAG_H
#define REMOTEMEDIA_DIAG_H

#include <remotemedia/export.h>
#include <stddef.h>
#include <remotemedia/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rm_diag rm_diag_t;

typedef struct rm_diag_entry {
    int status;            /* RM_EPARSE, RM_EVALIDATE, RM_ECYCLE, ...        */
    const char *where;     /* JSON path / node id / "line:col"; owned        */
    const char *message;   /* owned by the rm_diag_t                         */
} rm_diag_entry_t;

RM_API rm_diag_t *rm_diag_new(void);
RM_API void rm_diag_free(rm_diag_t *diag);
/* Append one problem; `where` may be NULL. Returns `status`. */
RM_API int rm_diag_add(rm_diag_t *diag, int status, const char *where,
                const char *fmt, ...) RM_PRINTF_LIKE(4, 5);
RM_API size_t rm_diag_count(const rm_diag_t *diag);
RM_API const rm_diag_entry_t *rm_diag_at(const rm_diag_t *diag, size_t index);
/* All entries as "where: message" lines joined by '\n'; owned by `diag`,
 * valid until the next rm_diag_add or rm_diag_free. "" when empty. */
RM_API const char *rm_diag_text(rm_diag_t *diag);

#ifdef __cplusplus
}
#endif

#endif /* REMOTEMEDIA_DIAG_H */
