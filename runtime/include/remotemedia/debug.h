/*
 * remotemedia/debug.h — what tools that check plugins read from the
 * runtime (rmrun check-plugin, tests): counters of plugin ABI violations,
 * live items and host blocks, the names of parameter types. Documented in
 * docs/plugin-abi.md ("Building and checking a plugin"). Not needed to run pipelines.
 */
#ifndef REMOTEMEDIA_DEBUG_H
#define REMOTEMEDIA_DEBUG_H

#include <remotemedia/export.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Rules of the ABI the runtime tolerates a plugin breaking (a run goes
 * on), counted process-wide so a checker can name the bug. */
typedef enum rm_violation {
    RM_VIOLATION_NULL_EMIT = 0,   /* host->emit(out, port, NULL)             */
    RM_VIOLATION_BAD_PORT,        /* emit on a port >= output_count          */
    RM_VIOLATION_NO_MESSAGE,      /* failed without calling error_set        */
    RM_VIOLATION_POSITIVE_STATUS, /* returned a status > 0                   */
    RM_VIOLATION_COUNT
} rm_violation_t;

/* How often `what` happened in this process so far. [thread-safe] */
RM_API uint64_t rm_violation_count(rm_violation_t what);

/* Count items (rm_item_t) and host->alloc blocks made from now on that are
 * not yet freed (off by default: counting costs a shared atomic per
 * allocation). [thread-safe] */
RM_API void rm_track_live(int on);
RM_API size_t rm_live_item_count(void);
RM_API size_t rm_live_host_blocks(void);

/* "bool", "int", "float", "string", "enum", "json" for an RM_PARAM_* type;
 * "unknown" for another value. */
RM_API const char *rm_param_type_name(uint32_t type);

#ifdef __cplusplus
}
#endif

#endif /* REMOTEMEDIA_DEBUG_H */
