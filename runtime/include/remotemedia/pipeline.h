/*
 * remotemedia/pipeline.h — compile a manifest once, run it many times.
 *
 * The public C API of the executor, used by `rmrun` and the Python bridge.
 *
 *   rm_pipeline_t *p;
 *   if (rm_pipeline_compile(registry, text, len, "pipe.json", diag, &p))
 *       ... print rm_diag_text(diag) ...
 *   rm_item_t *in = rm_item_new_json("[1,2,3]", 7);
 *   rm_run_result_t *r;
 *   int status = rm_pipeline_run(p, NULL, &in, 1, &r);
 *   ... rm_run_result_item(r, 0, 0) ...; on failure rm_run_result_error(r)
 *   rm_run_result_free(r); rm_item_unref(in); rm_pipeline_free(p);
 *
 * rm_pipeline_run is one streaming session (remotemedia/session.h) that is
 * given all its inputs and then end of stream: for live streams, open a
 * session and push items as they come.
 *
 * Data flow. Inputs are fed, one item after the other and then
 * end-of-stream, to every ENTRY node: a node with no incoming edge that is
 * not a source (RM_CAP_SOURCE). Source nodes generate their own items. A
 * SINK is a node with no outgoing edge; what sinks emit is the result, per
 * sink, in emission order. Items a non-sink node emits on a port with no
 * edge are dropped. Fan-out shares one item by reference; a node with
 * several inputs receives each edge's items in order, interleaved across
 * edges in arrival order, with the input port as the destination port.
 *
 * Errors. A call that fails with a transient error is retried after a
 * back-off (the node's retry policy; a timer, nothing sleeps); a call over
 * the node's timeout_ms fails as transient (the stuck call keeps its worker
 * but the run goes on); a node's circuit breaker fails calls at once after
 * repeated failures. The first failure that is not retried ends the run (no
 * new calls start; calls already running finish). The result keeps what
 * sinks emitted until then, the first unprocessed input, and the error names
 * the node id, type, operation, attempt and message.
 *
 * Threads. A compiled pipeline is immutable except for a cache of node
 * instances. rm_pipeline_run may be called from several threads at once,
 * on the same or on different pipelines: each run has its own event loop
 * (driven on the calling thread) and its own node instances. Node calls run
 * on a process-wide worker pool (REMOTEMEDIA_WORKERS threads, default
 * max(4, CPUs), at most 256) or inline on the calling thread when that is
 * cheaper (see docs/architecture.md). rm_pipeline_free must not race a run
 * of the same pipeline. Do not run a pipeline from inside a node call.
 * From Python, release the GIL around rm_pipeline_run: Python nodes take
 * it on the threads that run them.
 */
#ifndef REMOTEMEDIA_PIPELINE_H
#define REMOTEMEDIA_PIPELINE_H

#include <remotemedia/export.h>
#include <stddef.h>
#include <stdint.h>
#include <remotemedia/diag.h>
#include <remotemedia/plugin.h>
#include <remotemedia/registry.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Items (not attributed to any node). [thread-safe]                        */
/* Each constructor returns one reference owned by the caller, or NULL on   */
/* out-of-memory or an invalid format. Semantics as the rm_host_t item_*.   */
/* ------------------------------------------------------------------------ */

RM_API rm_item_t *rm_item_new_audio(const rm_audio_format_t *format);
RM_API rm_item_t *rm_item_new_tensor(const rm_tensor_info_t *info);
RM_API rm_item_t *rm_item_new_json(const char *json, size_t len);
RM_API rm_item_t *rm_item_new_bytes(const void *bytes, size_t size);
/* Zero-copy: release(user_data, data) runs exactly once, on whichever
 * thread drops the last reference. Fill audio/tensor fields afterwards. */
RM_API rm_item_t *rm_item_wrap(uint32_t kind, void *data, size_t size,
                        uint32_t flags, rm_release_cb release,
                        void *user_data);
RM_API rm_item_t *rm_item_ref(rm_item_t *item);
RM_API void rm_item_unref(rm_item_t *item);
RM_API int rm_item_is_writable(const rm_item_t *item);
RM_API rm_item_t *rm_item_make_writable(rm_item_t *item);
/* The current reference count (for tests and debugging; racy by nature). */
RM_API unsigned rm_item_refcount(const rm_item_t *item);
/* RM_OK when `format` is a valid audio format (rate, channels, sample
 * format, layout); writes the payload size to *bytes when non-NULL. */
RM_API int rm_audio_format_check(const rm_audio_format_t *format, size_t *bytes);

/* ------------------------------------------------------------------------ */
/* Pipelines                                                                */
/* ------------------------------------------------------------------------ */

typedef struct rm_pipeline rm_pipeline_t;
typedef struct rm_run_result rm_run_result_t;
typedef struct rm_cancel rm_cancel_t; /* see rm_cancel_new below */

/* Parse and validate `manifest_text` (`len` bytes) against `registry`, then
 * create every node instance (so bad params a plugin rejects surface now).
 * `source_name` names the text in messages (a path or "<string>"). On
 * failure returns RM_EPARSE / RM_EVALIDATE / RM_ECYCLE (all problems in
 * `diag`) or the failing create's status (diag entry at the node id,
 * naming its type); *out stays NULL. `registry` must outlive the pipeline.
 * `diag` may be NULL. */
RM_API int rm_pipeline_compile(const rm_registry_t *registry,
                        const char *manifest_text, size_t len,
                        const char *source_name, rm_diag_t *diag,
                        rm_pipeline_t **out);
/* rm_pipeline_compile that rm_cancel_request(`cancel`) stops (see
 * rm_cancel_t below; NULL: none) while it creates the instances: a create
 * waiting to retry (RemoteNode, "remotemedia.retry/1" in plugin.h) ends
 * within 10 ms, the compile returns its RM_ECANCELED (diag entry at the
 * node id). A create in progress is not interrupted. */
RM_API int rm_pipeline_compile_cancellable(const rm_registry_t *registry,
                                           const char *manifest_text,
                                           size_t len,
                                           const char *source_name,
                                           rm_diag_t *diag,
                                           rm_cancel_t *cancel,
                                           rm_pipeline_t **out);
RM_API void rm_pipeline_free(rm_pipeline_t *pipeline);

RM_API const char *rm_pipeline_name(const rm_pipeline_t *pipeline);
RM_API size_t rm_pipeline_node_count(const rm_pipeline_t *pipeline);
/* Node ids and types in manifest order; owned by the pipeline. */
RM_API const char *rm_pipeline_node_id(const rm_pipeline_t *pipeline, size_t index);
RM_API const char *rm_pipeline_node_type(const rm_pipeline_t *pipeline,
                                  size_t index);

/* Where node calls execute. AUTO runs a call inline on the calling thread
 * when nothing else could run meanwhile, or when the node's calls have been
 * measured cheaper than a thread hop; POOL always uses the worker pool;
 * INLINE runs everything on the calling thread (no concurrency). */
typedef enum rm_exec_policy {
    RM_EXEC_AUTO = 0,
    RM_EXEC_POOL = 1,
    RM_EXEC_INLINE = 2
} rm_exec_policy_t;

#define RM_DEFAULT_QUEUE_CAPACITY 16

/* rm_run_options_t.flags. Both are off by default and cost one branch per
 * node call when off (see remotemedia/metrics.h, docs/metrics.md). */
#define RM_RUN_METRICS (1u << 0) /* per-call percentiles, timestamps,
                                    execution order                    */
#define RM_RUN_TRACE (1u << 1)   /* record a Chrome trace of the run   */

/* Cancelling a run from outside it (another thread, a signal handler).
 * Give a token to rm_pipeline_run_cancellable (or rm_session_set_cancel,
 * or rm_pipeline_compile_cancellable); rm_cancel_request stops every run,
 * session or compile using it: no new node call starts, calls in flight
 * return, nodes that were not flushed are destroyed (AudioFileSink removes
 * its temporary file: nothing appears under the final name), and the run
 * returns RM_ECANCELED (error operation "cancel", no node). A back-off wait
 * (retry) ends at its timer; a create waiting to retry (at a run's start
 * or in a compile) within 10 ms. request is [thread-safe] and
 * async-signal-safe (one atomic store); a token may serve several runs at
 * once and stays requested until rm_cancel_reset. */
RM_API rm_cancel_t *rm_cancel_new(void);                /* NULL: out of memory */
RM_API void rm_cancel_free(rm_cancel_t *cancel);        /* no run may use it   */
RM_API void rm_cancel_request(rm_cancel_t *cancel);
RM_API int rm_cancel_requested(const rm_cancel_t *cancel);
RM_API void rm_cancel_reset(rm_cancel_t *cancel);

typedef struct rm_run_options {
    uint32_t struct_size;     /* sizeof(rm_run_options_t)                   */
    uint32_t queue_capacity;  /* items per edge before the producer waits;
                                 0 = RM_DEFAULT_QUEUE_CAPACITY              */
    uint32_t exec_policy;     /* rm_exec_policy_t                           */
    uint32_t flags;           /* RM_RUN_*: was `reserved` (always 0), so
                                 callers built before it stay valid  */
    /* Run budgets (appended; docs/manifest.md "Run budgets"). The items
     * (bytes) the nodes of a run may produce, per item that enters it (a
     * run input, or an item a source node generates): a run over budget
     * stops with RM_EBUDGET naming the budget and the node. 0 = the
     * REMOTEMEDIA_MAX_ITEMS_PER_INPUT / REMOTEMEDIA_MAX_BYTES_PER_INPUT
     * environment variable, else the default below. */
    uint64_t max_items_per_input;
    uint64_t max_bytes_per_input;
} rm_run_options_t;

#define RM_DEFAULT_MAX_ITEMS_PER_INPUT 1000000u
#define RM_DEFAULT_MAX_BYTES_PER_INPUT (16ull << 30) /* 16 GiB */

/* Per node, per run. Strings are owned by the pipeline. */
typedef struct rm_node_stats {
    const char *node_id;
    const char *node_type;
    uint64_t calls;           /* process + generate + flush calls           */
    uint64_t total_ns, min_ns, max_ns; /* per call                          */
    uint64_t items_in, items_out;
    uint64_t bytes_in, bytes_out;
    uint64_t queue_high_water; /* most items ever waiting at its input      */
    uint64_t peak_bytes;      /* peak memory attributed to the node         */
    uint32_t failures;        /* failed calls, retried ones included        */
    uint32_t inline_calls;    /* calls run on the calling thread            */
    /* Reliability (appended; see docs/architecture.md, Reliability). */
    uint32_t retries;         /* calls re-attempted after a transient error */
    uint32_t timeouts;        /* calls that exceeded the node's timeout_ms  */
    uint64_t retry_delay_ns;  /* total back-off waited before the retries   */
    uint32_t breaker_state;   /* rm_breaker_state_t at the end of the run   */
    uint32_t breaker_rejections; /* calls failed at once: breaker open      */
    /* Hung calls (appended). A timed-out call still running is abandoned
     * on its worker thread; the pool starts a replacement worker for it
     * unless REMOTEMEDIA_MAX_ABANDONED stuck calls are reached. */
    uint32_t abandoned_calls; /* timed-out calls left running on a worker   */
    uint32_t workers_replaced; /* replacement workers started for them      */
    uint32_t skipped;         /* input items dropped by "on_error": "skip"
                                 after their retries (appended)             */
} rm_node_stats_t;

/* A node's circuit breaker (per compiled pipeline, so it spans runs). */
typedef enum rm_breaker_state {
    RM_BREAKER_CLOSED = 0,    /* calls go through                           */
    RM_BREAKER_OPEN = 1,      /* calls fail at once with RM_EBREAKER        */
    RM_BREAKER_HALF_OPEN = 2  /* cool-down over: one trial call is let in   */
} rm_breaker_state_t;

/* What failed. Strings are owned by the result (message) or the pipeline
 * (node_id, node_type, operation is static). */
typedef struct rm_run_error {
    int status;               /* negative rm_status_t                       */
    int transient;            /* the node said retrying may succeed         */
    const char *node_id;
    const char *node_type;
    const char *operation;    /* "create", "process", "generate", "flush"   */
    const char *message;      /* the node's message (a Python node's
                                 includes the traceback); ends with
                                 "(attempt N of M)" after retries           */
    uint32_t attempt;         /* 1-based attempt of the failing call        */
    uint32_t max_attempts;    /* 1 + the node's max_retries                 */
} rm_run_error_t;

/* Run once: feed `inputs` (borrowed; each item is shared, not copied) to
 * the entry nodes, then end-of-stream; wait until every sink has ended or
 * a node failed. Returns RM_OK or the failure's status. *result (when
 * `result` is non-NULL) is always set on return unless out of memory, also
 * on failure, with the partial outputs. `options` may be NULL. */
RM_API int rm_pipeline_run(rm_pipeline_t *pipeline, const rm_run_options_t *options,
                    rm_item_t *const *inputs, size_t input_count,
                    rm_run_result_t **result);

/* rm_pipeline_run that rm_cancel_request(`cancel`) stops (see rm_cancel_t;
 * NULL: not cancellable, as rm_pipeline_run). A token already requested
 * starts no node call: RM_ECANCELED. */
RM_API int rm_pipeline_run_cancellable(rm_pipeline_t *pipeline,
                                const rm_run_options_t *options,
                                rm_cancel_t *cancel,
                                rm_item_t *const *inputs, size_t input_count,
                                rm_run_result_t **result);

RM_API void rm_run_result_free(rm_run_result_t *result);
RM_API int rm_run_result_status(const rm_run_result_t *result);
/* NULL when the run succeeded. Owned by the result. */
RM_API const rm_run_error_t *rm_run_result_error(const rm_run_result_t *result);
/* Sinks in manifest order. */
RM_API size_t rm_run_result_sink_count(const rm_run_result_t *result);
RM_API const char *rm_run_result_sink_id(const rm_run_result_t *result,
                                  size_t sink);
RM_API size_t rm_run_result_item_count(const rm_run_result_t *result, size_t sink);
/* Borrowed: valid until rm_run_result_free (rm_item_ref to keep it). */
RM_API rm_item_t *rm_run_result_item(const rm_run_result_t *result, size_t sink,
                              size_t index);
/* Per-node statistics, in manifest order. */
RM_API size_t rm_run_result_node_count(const rm_run_result_t *result);
RM_API const rm_node_stats_t *rm_run_result_node_stats(const rm_run_result_t *result,
                                                size_t index);
/* Wall time of the run, nanoseconds. */
RM_API uint64_t rm_run_result_total_ns(const rm_run_result_t *result);
/* Partial results: the index of the first input item that did not complete
 * (its own or a derived item failed or was still queued when the run
 * ended); the input count when every input completed. Inputs before it are
 * fully processed and their outputs are in the result. Items a stateful
 * node holds internally (to emit at flush) are not tracked. */
RM_API size_t rm_run_result_first_unprocessed(const rm_run_result_t *result);
/* The number of input items the run was given. */
RM_API size_t rm_run_result_input_count(const rm_run_result_t *result);

#ifdef __cplusplus
}
#endif

#endif /* REMOTEMEDIA_PIPELINE_H */
