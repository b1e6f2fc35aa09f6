/*
 * watchdog.c — the loop-thread side of reliability: retry timers, per-call
 * timeouts, abandoned calls. The breaker's state machine and the back-off
 * arithmetic are policy/ (policy.h). The design is in
 * docs/architecture.md (Reliability); in short:
 *
 * The watchdog sits below the scheduler: the scheduler calls it, and it
 * reaches the scheduler only through the hooks registered in run->watchdog
 * (engine.h).
 *
 * Retry. A task whose call failed comes back to the loop thread as usual
 * (the scheduler's completion). If the error is transient, the node has
 * retries left and the run has not failed, the task keeps the failing input (and
 * those after it), the node stays busy — its items stay in order — and a
 * uv_timer on the run's loop re-dispatches the task after the back-off.
 * Nothing sleeps: other nodes and other runs go on meanwhile.
 *
 * Timeout. A node with timeout_ms makes one call per task, always on the
 * pool, watched by a timer. timeout_ms counts from the moment the task
 * goes to the pool: a task still queued when it runs out (every worker
 * busy) is taken back out of the queue and fails with RM_ETIMEDOUT
 * ("waiting for a worker"), like a call that timed out. When the call
 * has started and runs past the deadline, the loop abandons it (CAS on task->call_state, see engine.h): the
 * worker keeps running the stuck call — a thread cannot be killed — but it
 * now owns that call's instance and host and destroys them when the call
 * returns (deferred destroy: an instance is never destroyed under a running
 * call, and never called again after it was abandoned), discarding the
 * call's outputs. The loop gives the node a fresh task and host; the next
 * attempt creates a fresh instance on its worker. The abandoned call is
 * then an ordinary transient failure (RM_ETIMEDOUT): retried, or it ends
 * the run. So the run, its result and the pipeline can all be freed while
 * the call is still stuck. The stuck worker is replaced by a new one
 * (scheduler_pool.h) while fewer than REMOTEMEDIA_MAX_ABANDONED calls are
 * stuck; past that cap the timeout is a permanent error naming the node
 * and the cap: the process has lost that many threads to hung calls. While such a call runs, rm_registry_close keeps
 * the plugins mapped (rm__orphan_calls), so the call returns into code.
 *
 * Breaker. Per compiled node (spans runs). `failure_threshold` consecutive
 * failed calls open it; while open every call fails at once (RM_EBREAKER,
 * naming the node and the last error, never retried); after `cooldown_ms`
 * the next call is let through as a trial (half-open; calls meanwhile are
 * rejected): success closes it, failure opens it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "item/item.h"

/* ---- retry -------------------------------------------------------------- */

static void on_retry_timer(uv_timer_t *timer) {
    rm__node_run_t *nr = timer->data;
    rm__task_t *task = nr->task;
    rm__run_t *run = task->run;
    uv_stop(&run->loop); /* back to the drive loop (scheduler.c) */
    nr->retry_wait = 0;
    run->watchdog->resume(run, task);
}

/* The node's timer, made on first need: most nodes never wait, and a
 * uv_timer_t per node per run made every run's state bigger (measured:
 * glibc then trimmed and regrew the heap every run). Freed by its close
 * callback (scheduler.c, run teardown). */
static int ensure_timer(rm__run_t *run, rm__node_run_t *nr) {
    if (nr->timer) return RM_OK;
    if (run->watchdog->ensure_loop(run) != RM_OK) return RM_EINTERNAL;
    uv_timer_t *timer = malloc(sizeof(*timer));
    if (!timer) return RM_ENOMEM;
    if (uv_timer_init(&run->loop, timer) != 0) {
        free(timer);
        return RM_EINTERNAL;
    }
    timer->data = nr;
    nr->timer = timer;
    return RM_OK;
}

int rm__retry_maybe(rm__run_t *run, rm__task_t *task) {
    size_t n = task->node;
    const rm_manifest_node_t *m = run->pipeline->nodes[n].m;
    rm__node_run_t *nr = &run->nodes[n];
    if (!task->err.transient || task->status == RM_EBREAKER ||
        task->attempt > m->retry.max_retries)
        return 0;
    if (ensure_timer(run, nr) != RM_OK) return 0;
    uint64_t delay_ms = rm__retry_delay_ms(&m->retry, task->attempt,
                                           &run->rng);
    nr->stats.retries++;
    nr->stats.retry_delay_ns += delay_ms * 1000000u;
    task->attempt++;
    if (run->obs.trace) { /* the decision, then the wait it starts */
        uint64_t now = rm__now_ns();
        rm__trace_instant_arg(&run->obs, n, "retry", "attempt", task->attempt);
        rm__trace_span_arg(&run->obs, n, "backoff", now, now + delay_ms * 1000000u,
                           "delay_ms", delay_ms);
    }
    nr->retry_wait = 1;
    /* A timer counts from the loop's cached time, taken when this loop
     * iteration began: after a failing call that ran long (or a slow
     * machine) it is stale, and the back-off would be that much shorter
     * than configured. Count from now. */
    uv_update_time(nr->timer->loop);
    uv_timer_start(nr->timer, on_retry_timer, delay_ms, 0);
    return 1;
}

int rm__skip_maybe(rm__run_t *run, rm__task_t *task) {
    size_t n = task->node;
    rm__node_run_t *nr = &run->nodes[n];
    if (run->pipeline->nodes[n].m->on_error != RM_ON_ERROR_SKIP ||
        task->failed_op != RM__OP_PROCESS ||
        task->batch_next >= task->batch_count)
        return 0;
    if (ensure_timer(run, nr) != RM_OK) return 0;
    rm__queued_t *q = &task->batch[task->batch_next++];
    rm__item_unref(q->item);
    q->item = NULL;
    nr->stats.skipped++;
    rm__trace_instant(&run->obs, n, "skipped");
    task->attempt = 1;
    /* Through the loop, like a retry with no back-off: a node whose every
     * item fails must not recurse once per item. */
    nr->retry_wait = 1;
    uv_timer_start(nr->timer, on_retry_timer, 0, 0);
    return 1;
}

void rm__retry_cancel_all(rm__run_t *run) {
    for (size_t n = 0; n < run->pipeline->node_count; n++) {
        rm__node_run_t *nr = &run->nodes[n];
        if (!nr->retry_wait) continue;
        uv_timer_stop(nr->timer);
        nr->retry_wait = 0;
        rm__task_t *task = nr->task;
        /* The inputs it still holds are lost to this run. */
        for (size_t i = task->batch_next; i < task->batch_count; i++)
            if (task->batch[i].origin < run->fail_origin)
                run->fail_origin = task->batch[i].origin;
        nr->running = 0;
        run->in_flight--;
        rm__task_reset(task);
    }
}

/* ---- timeout ------------------------------------------------------------ */

static void on_timeout_check(uv_timer_t *timer);

void rm__timeout_watch(rm__run_t *run, size_t n) {
    rm__node_run_t *nr = &run->nodes[n];
    if (ensure_timer(run, nr) != RM_OK) return; /* not watched: no timeout */
    uv_timer_start(nr->timer, on_timeout_check,
                   run->pipeline->nodes[n].m->retry.timeout_ms, 0);
}

/* The call has run past its time: hand it to its worker for good and
 * continue with a fresh task (and, at the next attempt, instance). */
static void abandon(rm__run_t *run, size_t n, uint64_t elapsed_ns) {
    rm__node_run_t *nr = &run->nodes[n];
    rm__node_t *node = &run->pipeline->nodes[n];
    rm__task_t *old = nr->task;
    rm__task_t *fresh = rm__task_new(run, n);
    rm__host_t *host = malloc(sizeof(*host));
    if (!fresh || !host ||
        rm__host_init(host, node->m->id, node->m->type_name,
                      node->unused_ports, &node->m->retry) != RM_OK) {
        /* Cannot replace it now: check again later. */
        free(fresh);
        if (host) rm__host_destroy(host);
        free(host);
        uv_timer_start(nr->timer, on_timeout_check, 10, 0);
        return;
    }
    if (fresh->batch_capacity < old->batch_count) {
        rm__queued_t *batch = malloc(old->batch_capacity * sizeof(*batch));
        if (!batch) {
            free(fresh);
            rm__host_destroy(host);
            free(host);
            uv_timer_start(nr->timer, on_timeout_check, 10, 0);
            return;
        }
        fresh->batch = batch;
        fresh->batch_capacity = old->batch_capacity;
    }
    atomic_store_explicit(&old->orphan_refs, 2u, memory_order_relaxed);
    int expected = RM__CALL_RUNNING;
    if (!atomic_compare_exchange_strong_explicit(
            &old->call_state, &expected, RM__CALL_ABANDONED,
            memory_order_acq_rel, memory_order_acquire)) {
        /* It just returned: its completion is on the way. */
        free(fresh->batch);
        free(fresh);
        rm__host_destroy(host);
        free(host);
        return;
    }
    rm__orphan_calls_add(1);
    rm__pool_cap_t cap;
    int replaced = rm__pool_call_abandoned(&cap);
    /* The inputs it held are ours again (the worker never touches them
     * after losing the CAS); its instance and host are the worker's. */
    for (size_t i = old->batch_next; i < old->batch_count; i++)
        fresh->batch[fresh->batch_count++] = old->batch[i];
    old->batch_count = old->batch_next = 0;
    fresh->op = old->op;
    fresh->budget = old->budget;
    fresh->attempt = old->attempt;
    fresh->failed_origin = fresh->batch_count ? fresh->batch[0].origin
                                              : RM__NO_ORIGIN;
    rm__orphan_release(old);

    rm__instances_t *set = run->instances;
    set->hosts[n] = host;
    set->instances[n] = NULL;
    set->created[n] = 0;
    nr->task = fresh;

    rm_node_stats_t *stats = &nr->stats;
    stats->calls++;
    stats->failures++;
    stats->timeouts++;
    stats->abandoned_calls++;
    stats->workers_replaced += (uint32_t)replaced;
    if (rm__observing(&run->obs)) { /* the abandoned call, as far as seen */
        uint64_t now = rm__now_ns();
        rm__observe_abandoned(&run->obs, n, now - elapsed_ns, now);
    }
    stats->total_ns += elapsed_ns;
    if (elapsed_ns > stats->max_ns) stats->max_ns = elapsed_ns;
    fresh->status = RM_ETIMEDOUT;
    fresh->failed_op = fresh->op;
    fresh->failed_mark = 0;
    if (replaced)
        rm__error_set(
            &fresh->err, RM_ETIMEDOUT, 1,
            "node '%s' (%s): %s call timed out after %u ms (timeout_ms); "
            "the call was abandoned",
            node->m->id, node->m->type_name, rm__op_name(fresh->op),
            node->m->retry.timeout_ms);
    else
        rm__error_set(
            &fresh->err, RM_ETIMEDOUT, 0,
            "node '%s' (%s): %s call timed out after %u ms (timeout_ms) and "
            "was abandoned on its worker thread; %u abandoned calls now hold "
            "worker threads, over the cap of %u that get a replacement worker "
            "(REMOTEMEDIA_MAX_ABANDONED, default %u x the pool's %u workers): "
            "fix the hanging node, or raise REMOTEMEDIA_MAX_ABANDONED",
            node->m->id, node->m->type_name, rm__op_name(fresh->op),
            node->m->retry.timeout_ms, cap.stuck, cap.cap,
            RM__MAX_ABANDONED_PER_WORKER, cap.workers);
    rm__breaker_failure(&node->breaker, node->m->breaker.failure_threshold,
                        fresh->err.message, rm__now_ns());
    run->watchdog->complete(run, fresh);
}

/* The deadline passed before any worker took the task: take it back out
 * of the pool's queue and fail it like a timed-out call (retried, or it
 * ends the run). */
static void timeout_in_queue(rm__run_t *run, size_t n, rm__task_t *task) {
    rm__node_run_t *nr = &run->nodes[n];
    if (!rm__pool_cancel(&task->pool)) {
        /* A worker has just taken it: its start time is on the way. */
        uv_timer_start(nr->timer, on_timeout_check, 1, 0);
        return;
    }
    const rm_manifest_node_t *m = run->pipeline->nodes[n].m;
    nr->stats.timeouts++;
    nr->stats.failures++;
    rm__trace_instant(&run->obs, n, "timeout_waiting_for_worker");
    task->status = RM_ETIMEDOUT;
    task->failed_op = task->op;
    task->failed_mark = task->out.count;
    task->failed_origin = task->batch_next < task->batch_count
                              ? task->batch[task->batch_next].origin
                              : RM__NO_ORIGIN;
    rm__error_set(
        &task->err, RM_ETIMEDOUT, 1,
        "node '%s' (%s): %s call timed out after %u ms (timeout_ms) waiting "
        "for a worker thread: all %u workers were busy (timeout_ms counts "
        "the wait; REMOTEMEDIA_WORKERS sets the pool's size)",
        m->id, m->type_name, rm__op_name(task->op), m->retry.timeout_ms,
        rm__pool_size());
    run->watchdog->complete(run, task);
}

static void on_timeout_check(uv_timer_t *timer) {
    rm__node_run_t *nr = timer->data;
    rm__task_t *task = nr->task;
    rm__run_t *run = task->run;
    uv_stop(&run->loop); /* back to the drive loop (scheduler.c) */
    size_t n = task->node;
    uint64_t timeout_ns =
        (uint64_t)run->pipeline->nodes[n].m->retry.timeout_ms * 1000000u;
    uint64_t now = rm__now_ns();
    uint64_t since_queued = now - task->queued_ns;
    if (since_queued < timeout_ns) {
        uv_timer_start(timer, on_timeout_check,
                       (timeout_ns - since_queued + 999999u) / 1000000u, 0);
        return;
    }
    uint64_t start =
        atomic_load_explicit(&task->call_start_ns, memory_order_acquire);
    if (!start) {
        timeout_in_queue(run, n, task);
        return;
    }
    abandon(run, n, now - start);
}
