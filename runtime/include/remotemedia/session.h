/*
 * remotemedia/session.h — streaming sessions on a compiled pipeline.
 *
 * A session is one live stream through a compiled pipeline: its own node
 * instances and state (two sessions never share a resampler or a VAD), on
 * the process-wide worker pool. Items are pushed into entry nodes with
 * back-pressure; outputs of sink nodes are handed out as soon as they are
 * produced, each tagged with the producing node and port, in emission
 * order; end of stream flushes the stateful nodes in topological order.
 * rm_pipeline_run is a session: its inputs pushed, then end of stream.
 *
 *   rm_session_t *s;
 *   rm_session_open(pipeline, NULL, &s);
 *   for (each item) {
 *       rm_session_push(s, RM_SESSION_ALL_ENTRIES, 0, item, 0);
 *       rm_session_poll(s, RM_POLL_WAIT);         // optional: settle
 *       rm_session_output_t out;
 *       while (rm_session_next(s, &out)) { ...; rm_item_unref(out.item); }
 *   }
 *   rm_session_end(s);
 *   while (!rm_session_finished(s)) {
 *       rm_session_poll(s, RM_POLL_WAIT);
 *       while (rm_session_next(s, &out)) { ...; rm_item_unref(out.item); }
 *   }
 *   rm_run_result_t *r;                 // stats, metrics, error
 *   rm_session_close(s, &r);
 *
 * Driving. A session has no thread of its own: push, end and poll drive it
 * on the calling thread (inline calls run there; pool calls' completions
 * are taken there). push returns once the item is queued and whatever can
 * run inline has run; calls on the pool may still be in flight: poll with
 * RM_POLL_WAIT waits until the session is quiescent (nothing in flight,
 * nothing can start: waiting for input, outputs, or finished).
 *
 * Back-pressure. Each entry node's input queue holds `queue_capacity`
 * items (rm_run_options_t). A push into a full queue waits for in-flight
 * calls to make room, or with RM_PUSH_NOWAIT returns RM_EAGAIN at once.
 * The sinks' outputs wait in the session's output queue: at most
 * `queue_capacity` items before the sinks stop (so a source reading a
 * large file runs at most that far ahead of the caller). A push that can
 * only make room once outputs are taken returns RM_EAGAIN even when
 * waiting: take the outputs (rm_session_next) and push again.
 *
 * Errors. The first node failure that is not retried fails the session
 * (rm_session_status, rm_session_error: node, type, operation, attempt);
 * push then returns that status. A refused push (unknown entry, bad port,
 * malformed item, after end of stream) returns RM_EINVAL and leaves the
 * session as it was; rm_session_push_error says why. Retries, timeouts,
 * the circuit breaker and metrics (RM_RUN_METRICS/RM_RUN_TRACE in the
 * options' flags) work as in rm_pipeline_run, per session.
 *
 * Threads. One thread at a time per session [serial]; different sessions
 * (of the same or different pipelines) may be used from different threads
 * at once. rm_pipeline_free must not race an open session.
 */
#ifndef REMOTEMEDIA_SESSION_H
#define REMOTEMEDIA_SESSION_H

#include <remotemedia/export.h>
#include <stddef.h>
#include <stdint.h>
#include <remotemedia/pipeline.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rm_session rm_session_t;

/* Push into every entry node (what rm_pipeline_run does). */
#define RM_SESSION_ALL_ENTRIES SIZE_MAX

/* rm_session_push flags */
#define RM_PUSH_NOWAIT (1u << 0) /* full input queue: RM_EAGAIN at once */
/* rm_session_poll flags */
#define RM_POLL_WAIT (1u << 0)   /* wait until quiescent                */

typedef struct rm_session_output {
    rm_item_t *item;          /* one reference, now the caller's           */
    size_t node;              /* the producing node's index (manifest order) */
    const char *node_id;      /* owned by the pipeline                     */
    uint32_t port;            /* the output port it was emitted on         */
} rm_session_output_t;

/* The index of node `id` (manifest order); RM_ENOTFOUND if none. */
RM_API int rm_pipeline_node_index(const rm_pipeline_t *pipeline, const char *id,
                           size_t *index);
/* Whether node `index` is an entry node (receives pushed items). */
RM_API int rm_pipeline_node_is_entry(const rm_pipeline_t *pipeline, size_t index);

/* Open a session: takes (or creates) node instances. Returns RM_OK and a
 * session, RM_EINVAL or RM_ENOMEM. When a node's create fails the session
 * is opened already failed: rm_session_error names the node ("create"). */
RM_API int rm_session_open(rm_pipeline_t *pipeline, const rm_run_options_t *options,
                    rm_session_t **out);

/* Make `cancel` (remotemedia/pipeline.h, rm_cancel_t; NULL: none) stop the
 * session: once requested, no new node call starts and the session fails
 * with RM_ECANCELED (push, end and poll return it). [serial] like every
 * call on the session; the request itself may come from any thread. */
RM_API int rm_session_set_cancel(rm_session_t *session, rm_cancel_t *cancel);

/* Queue `item` (borrowed: the session takes its own reference) at entry
 * node `entry` (an index, or RM_SESSION_ALL_ENTRIES), input port `port`.
 * RM_OK; RM_EAGAIN (full, see above); RM_EINVAL (refused); or the
 * session's failure status. */
RM_API int rm_session_push(rm_session_t *session, size_t entry, uint32_t port,
                    rm_item_t *item, unsigned flags);
/* End of stream on every entry; nodes flush in topological order as the
 * session is driven (poll). RM_OK or the session's failure status. */
RM_API int rm_session_end(rm_session_t *session);
/* Drive the session: take completions, start what can start; with
 * RM_POLL_WAIT until quiescent. Returns the session's status. */
RM_API int rm_session_poll(rm_session_t *session, unsigned flags);
/* Take the oldest output: 1 and *out filled, or 0 when none is waiting. */
RM_API int rm_session_next(rm_session_t *session, rm_session_output_t *out);
/* Outputs waiting to be taken. */
RM_API size_t rm_session_pending(const rm_session_t *session);
/* 1 once every node has finished after end of stream, or the session
 * failed and nothing is in flight any more. */
RM_API int rm_session_finished(const rm_session_t *session);
RM_API int rm_session_status(const rm_session_t *session);
/* NULL while the session has not failed. Valid until close. */
RM_API const rm_run_error_t *rm_session_error(const rm_session_t *session);
/* Why the last push was refused (RM_EINVAL), or NULL. */
RM_API const char *rm_session_push_error(const rm_session_t *session);
/* Items pushed so far (also the origin index of the next one). */
RM_API size_t rm_session_pushed(const rm_session_t *session);

/* Close: a session not finished is cancelled (no new call starts; calls in
 * flight finish; queued items and outputs not taken are dropped) and its
 * result's status is RM_ECANCELED unless it had failed. Releases the node
 * instances. *result (when non-NULL) gets the session's result: statistics,
 * metrics, error, no sink items (they went out through rm_session_next).
 * Returns the result's status. */
RM_API int rm_session_close(rm_session_t *session, rm_run_result_t **result);

#ifdef __cplusplus
}
#endif

#endif /* REMOTEMEDIA_SESSION_H */
