/*
 * remotemedia/metrics.h — a run's metrics as JSON, its trace, a summary.
 *
 *   rm_run_options_t o = {sizeof(o)};
 *   o.flags = RM_RUN_METRICS | RM_RUN_TRACE;     (see pipeline.h)
 *   rm_pipeline_run(p, &o, inputs, n, &r);
 *   char *json = rm_run_result_metrics_json(r, 0, NULL);  docs/metrics.md
 *   char *trace = rm_run_result_trace_json(r, NULL);      Chrome trace events
 *   ... rm_free_string(json); rm_free_string(trace);
 *
 * The metrics document ("schema": "remotemedia.metrics/1", JSON Schema in
 * docs/metrics.schema.json) is the same one the Python SDK's
 * get_metrics() returns. Counts, times (total/min/max/mean), items, bytes
 * and peak memory are always there; per-call percentiles (p50/p99), the
 * per-node first start / last end and the execution order need
 * RM_RUN_METRICS (otherwise null / empty). The trace needs RM_RUN_TRACE.
 *
 * All functions here are [thread-safe] on a result no one is freeing; the
 * returned strings are the caller's (free with rm_free_string).
 */
#ifndef REMOTEMEDIA_METRICS_H
#define REMOTEMEDIA_METRICS_H

#include <remotemedia/export.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rm_run_result rm_run_result_t;

/* Flags of rm_run_result_metrics_json. */
#define RM_METRICS_JSON_PRETTY 1u /* one node per line (else one line)     */

#define RM_METRICS_SCHEMA "remotemedia.metrics/1"
#define RM_TRACE_SCHEMA "remotemedia.trace/1"

/* The metrics document of the run, NUL-terminated (its length in *len
 * when `len` is non-NULL). NULL when `result` is NULL or out of memory. */
RM_API char *rm_run_result_metrics_json(const rm_run_result_t *result,
                                 uint32_t flags, size_t *len);

/* The run's trace in the Chrome trace-event format (open it in
 * https://ui.perfetto.dev or chrome://tracing): one track per thread that
 * ran node calls, one complete event ("ph":"X") per node call, instants
 * and spans for retries and back-off waits. NULL when the run was not
 * asked to record a trace (RM_RUN_TRACE), or out of memory. */
RM_API char *rm_run_result_trace_json(const rm_run_result_t *result, size_t *len);

/* A human table, one line per node sorted by total time: node, type,
 * implementation, calls, total ms, mean / p50 / p99 µs, % of the run,
 * peak memory. NULL when out of memory. */
RM_API char *rm_run_result_summary_text(const rm_run_result_t *result);

/* Per-call percentiles of node `index` (manifest order) in nanoseconds
 * (bucket midpoints, within 0.8 %): RM_OK, or RM_EINVAL when the run
 * did not record RM_RUN_METRICS or the node made no call. `q` in (0, 1]. */
RM_API int rm_run_result_node_quantile_ns(const rm_run_result_t *result,
                                   size_t index, double q, uint64_t *out);

RM_API void rm_free_string(char *text);

#ifdef __cplusplus
}
#endif

#endif /* REMOTEMEDIA_METRICS_H */
