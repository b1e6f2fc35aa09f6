/* node_call.c — tasks and node calls: a task's life (init, reset, the
 * release of an abandoned one) and its calls, every plugin call going
 * through one function. */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/contract.h"
#include "item/item.h"

/* Learn the node's call cost for the inline policy (scheduler.c). */
static void rm__learn(rm__node_t *node, uint64_t ns) {
    uint64_t avg = atomic_load_explicit(&node->avg_call_ns,
                                        memory_order_relaxed);
    /* An exponential moving average (1/8): one preemption spike fades. */
    avg = avg ? avg - avg / 8 + ns / 8 : ns;
    atomic_store_explicit(&node->avg_call_ns, avg ? avg : 1,
                          memory_order_relaxed);
    if (ns > RM__SLOW_CALL_NS) {
        atomic_store_explicit(&node->slow_penalty, RM__SLOW_PENALTY,
                              memory_order_relaxed);
    } else {
        /* Load + store, not fetch_sub: concurrent runs may lose a
         * decrement, never wrap below zero. */
        unsigned penalty = atomic_load_explicit(&node->slow_penalty,
                                                memory_order_relaxed);
        if (penalty)
            atomic_store_explicit(&node->slow_penalty, penalty - 1,
                                  memory_order_relaxed);
    }
}

static const char *rm__kind_word(uint32_t kind) {
    switch (kind) {
    case RM_KIND_AUDIO: return "audio";
    case RM_KIND_TENSOR: return "tensor";
    case RM_KIND_JSON: return "json";
    case RM_KIND_BYTES: return "bytes";
    case RM_KIND_PYOBJECT: return "pyobject";
    default: return "unknown-kind";
    }
}

/* The call emitted something its type does not allow: RM_EKIND, saying
 * what. */
static int bad_emit(rm_error_t *err, const rm__node_t *node,
                    const rm_emit_t *out) {
    char kinds[96] = "";
    uint32_t port = out->rejected_port;
    if (out->ports && port < out->port_count) {
        for (uint32_t k = 0; k < 32; k++)
            if (out->ports[port].kinds & RM_KIND_BIT(k)) {
                size_t len = strlen(kinds);
                snprintf(kinds + len, sizeof(kinds) - len, "%s%s",
                         len ? "|" : "", rm__kind_word(k));
            }
    }
    if (out->rejected_kind == UINT32_MAX)
        return rm__error_set(err, RM_EKIND, 0,
                             "node '%s' (%s) emitted a NULL item on output "
                             "port %u; emit a valid item",
                             node->m->id, node->m->type_name, port);
    if (port >= out->port_count)
        return rm__error_set(err, RM_EKIND, 0,
                             "node '%s' (%s) emitted on output port %u, but "
                             "the type has %u output port(s)", node->m->id,
                             node->m->type_name, port, out->port_count);
    if (out->rejected_kind >= 32 || !out->ports || !out->ports[port].kinds ||
        (out->ports[port].kinds & RM_KIND_BIT(out->rejected_kind)))
        return rm__error_set(err, RM_EKIND, 0,
                             "node '%s' (%s) emitted a malformed %s item on "
                             "output port %u (format invalid or larger than "
                             "its payload)", node->m->id, node->m->type_name,
                             rm__kind_word(out->rejected_kind), port);
    return rm__error_set(err, RM_EKIND, 0,
                         "node '%s' (%s) emitted a %s item on output port %u "
                         "'%s', which carries %s", node->m->id,
                         node->m->type_name, rm__kind_word(out->rejected_kind),
                         port, out->ports[port].name ? out->ports[port].name
                                                     : "?", kinds);
}

/* The failing call's error, made complete: a plugin returning a positive
 * code broke the ABI contract; a failure without error_set gets the
 * status's text. */
static int complete_error(rm_error_t *err, int status, int clear) {
    if (status > 0) {
        rm__violation_note(RM_VIOLATION_POSITIVE_STATUS);
        if (clear) rm__error_clear(err);
        status = RM_EINTERNAL;
    }
    if (!err->is_set) {
        rm__violation_note(RM_VIOLATION_NO_MESSAGE);
        rm__error_set(err, status, 0, "%s", rm_strerror(status));
    }
    return status;
}

static int settle_error(rm__task_t *task, int status, rm__op_t op) {
    status = complete_error(&task->err, status, 1);
    task->status = status;
    task->failed_op = op;
    return status;
}

/* ---- one node call: admit → call → settle → notify ----------------------- */

/* The call failed (or was refused): remember what a retry needs — the
 * outputs it made are dropped, its input is sent again. */
static int mark_failed(rm__task_t *task, rm_node_stats_t *stats, int status,
                       rm__op_t op, size_t emitted_before, size_t origin) {
    stats->failures++;
    task->failed_mark = emitted_before;
    task->failed_origin = origin;
    return settle_error(task, status, op);
}

/* A call that can time out: the call borrows `item`; if the watchdog
 * abandons it, the loop takes the queue's reference back, so the call
 * keeps its own until it returns. Everything the call uses is read before
 * `start` is published: from then on the watchdog may abandon the call and
 * give the node a new instance and task. */
static void timed_call_begin(rm__task_t *task, const rm_node_type_t *type,
                             void *instance, rm_item_t *item,
                             uint64_t start) {
    task->call_type = type;
    task->call_instance = instance;
    task->call_host = task->run->instances->hosts[task->node];
    task->call_item = item ? rm__item_ref(item) : NULL;
    atomic_store_explicit(&task->call_start_ns, start, memory_order_release);
}

/* The timed call returned: claim it from the watchdog. Returns 1 when it
 * was abandoned meanwhile — the loop has moved on (new instance, new
 * task); this call's instance, host and outputs are ours to drop, and the
 * task goes when both sides let go. */
static int timed_call_end(rm__task_t *task) {
    rm_item_t *call_item = task->call_item;
    task->call_item = NULL;
    int expected = RM__CALL_RUNNING;
    if (atomic_compare_exchange_strong_explicit(
            &task->call_state, &expected, RM__CALL_FINISHED,
            memory_order_acq_rel, memory_order_acquire)) {
        rm__item_unref(call_item);
        return 0;
    }
    for (size_t i = 0; i < task->out.count; i++)
        rm__item_unref(task->out.items[i].item);
    task->out.count = 0;
    rm__error_clear(&task->err);
    rm__item_unref(call_item);
    if (task->call_type->destroy)
        task->call_type->destroy(task->call_instance);
    rm__host_destroy(task->call_host);
    free(task->call_host);
    rm__orphan_calls_add(-1);
    rm__orphan_release(task);
    rm__pool_abandoned_call_returned();
    return 1;
}

/* The plugin's own code (touches the task, never the run: a timed call
 * may be abandoned while it runs). */
static int call_plugin(const rm_node_type_t *type, void *instance,
                       rm__task_t *task, rm__op_t op, uint32_t port,
                       rm_item_t *item) {
    switch (op) {
    case RM__OP_PROCESS:
        return type->process(instance, port, item, &task->out, &task->err);
    case RM__OP_GENERATE: {
        int finished = 0;
        int status =
            type->generate(instance, &task->out, &finished, &task->err);
        if (finished) task->finished = 1;
        return status;
    }
    case RM__OP_FLUSH:
        return type->flush ? type->flush(instance, &task->out, &task->err)
                           : RM_OK;
    case RM__OP_CREATE:
        break;
    }
    return RM_EINTERNAL;
}

/* The node's own counts (rm_node_stats_t) and learned cost. */
static void count_call(rm__task_t *task, rm__node_t *node,
                       rm_node_stats_t *stats, size_t emitted_before,
                       size_t origin, uint64_t elapsed) {
    stats->calls++;
    stats->total_ns += elapsed;
    if (stats->calls == 1 || elapsed < stats->min_ns) stats->min_ns = elapsed;
    if (elapsed > stats->max_ns) stats->max_ns = elapsed;
    if (task->inline_exec) stats->inline_calls++;
    uint64_t bytes = 0;
    for (size_t i = emitted_before; i < task->out.count; i++) {
        bytes += task->out.items[i].item->size;
        task->out.items[i].origin = origin;
    }
    stats->items_out += task->out.count - emitted_before;
    stats->bytes_out += bytes;
    task->out_bytes += bytes;
    rm__learn(node, elapsed);
}

/* The call's outcome: a bad emit or an emit out of memory fails it; the
 * breaker hears how it went; a failure is marked for a retry (decided on
 * the loop thread, watchdog.c). */
static int settle(rm__task_t *task, rm__node_t *node, rm_node_stats_t *stats,
                  int status, rm__op_t op, size_t emitted_before,
                  size_t origin) {
    if (task->out.rejected) {
        /* Permanent: the same call would emit the same garbage. */
        task->out.rejected = 0;
        status = bad_emit(&task->err, node, &task->out);
    }
    if (status == RM_OK && task->out.overflow) {
        task->out.overflow = 0;
        status = rm__error_set(&task->err, RM_ENOMEM, 0,
                               "out of memory while emitting an item");
    }
    if (status == RM_OK) {
        task->attempt = 1;
        rm__breaker_success(&node->breaker);
        return RM_OK;
    }
    status = mark_failed(task, stats, status, op, emitted_before, origin);
    rm__breaker_failure(&node->breaker, node->m->breaker.failure_threshold,
                        task->err.message, rm__now_ns());
    return status;
}

static void notify(const rm__task_t *task, rm__op_t op, uint64_t start,
                   uint64_t elapsed, int status) {
    rm__call_event_t event = {
        .node = task->node, .op = op, .start_ns = start, .dur_ns = elapsed,
        .status = status, .attempt = task->attempt,
        .thread = rm__thread_id(), .inline_exec = task->inline_exec};
    rm__observe_call(&task->run->obs, &event);
}

/*
 * The one function every process/generate/flush call goes through: admit
 * (the node's circuit breaker) → call (timed; a node with timeout_ms hands
 * the call to the watchdog while it runs) → settle (counts, bad emits, the
 * breaker, what a retry needs) → notify the run's observers. When the
 * watchdog abandoned the call meanwhile, nothing of the run is touched
 * after it returns (RM__ABANDONED_CALL). Runs on a worker or inline on the
 * loop thread; it only touches the node's own stats fields written by
 * calls (see rm__node_run_t).
 */
#define RM__ABANDONED_CALL 1
static int execute_node_call(rm__task_t *task, rm__op_t op, uint32_t port,
                             rm_item_t *item, size_t origin) {
    rm__run_t *run = task->run;
    rm__node_t *node = &run->pipeline->nodes[task->node];
    rm_node_stats_t *stats = &run->nodes[task->node].stats;
    size_t emitted_before = task->out.count;

    int status = rm__breaker_admit(&node->breaker, &node->m->breaker,
                                   node->m->id, node->m->type_name,
                                   &task->err);
    if (status != RM_OK) {
        stats->breaker_rejections++;
        rm__trace_instant(&run->obs, task->node, "breaker_rejected");
        return mark_failed(task, stats, status, op, emitted_before, origin);
    }
    const rm_node_type_t *type = node->type;
    void *instance = run->instances->instances[task->node];
    int timed = node->timeout_ms != 0; /* the node may be gone after it */
    uint64_t start = rm__now_ns();
    if (timed) timed_call_begin(task, type, instance, item, start);
    status = call_plugin(type, instance, task, op, port, item);
    uint64_t elapsed = rm__now_ns() - start;
    if (timed && timed_call_end(task)) return RM__ABANDONED_CALL;

    count_call(task, node, stats, emitted_before, origin, elapsed);
    if (rm__observing(&run->obs)) notify(task, op, start, elapsed, status);
    return settle(task, node, stats, status, op, emitted_before, origin);
}

/* Create the node's instance if a timeout took the previous one away. */
static int ensure_instance(rm__task_t *task) {
    rm__run_t *run = task->run;
    if (run->instances->created[task->node]) return RM_OK;
    int status = rm__node_create(run->pipeline, run->instances, task->node,
                                 run->cancel, &task->err);
    if (status != RM_OK) {
        task->failed_mark = task->out.count;
        task->failed_origin = RM__NO_ORIGIN;
        settle_error(task, status, RM__OP_CREATE);
    }
    return status;
}

int rm__task_execute(rm__task_t *task) {
    if (task->status == RM_OK && ensure_instance(task) != RM_OK) return 0;
    int single = task->run->pipeline->nodes[task->node].timeout_ms != 0;
    switch (task->op) {
    case RM__OP_PROCESS: {
        size_t i = task->batch_next;
        for (; i < task->batch_count && task->status == RM_OK; i++) {
            rm__queued_t *q = &task->batch[i];
            int status = execute_node_call(task, RM__OP_PROCESS, q->port,
                                           q->item, q->origin);
            if (status == RM__ABANDONED_CALL) return 1;
            if (status != RM_OK) break; /* keep it: a retry re-sends it */
            /* The queue's reference ends here, on this thread: freeing
             * the last reference to a large item is spread over workers. */
            rm__item_unref(q->item);
            q->item = NULL;
        }
        task->batch_next = i;
        if (i == task->batch_count) task->batch_count = task->batch_next = 0;
        break;
    }
    case RM__OP_GENERATE:
        while (task->status == RM_OK && !task->finished &&
               task->out.count < task->budget) {
            if (execute_node_call(task, RM__OP_GENERATE, 0, NULL,
                                  RM__NO_ORIGIN) == RM__ABANDONED_CALL)
                return 1;
            if (single) break;
        }
        break;
    case RM__OP_FLUSH:
        /* No flush() means nothing to call: not counted as a call. */
        if (task->status == RM_OK &&
            task->run->pipeline->nodes[task->node].type->flush &&
            execute_node_call(task, RM__OP_FLUSH, 0, NULL, RM__NO_ORIGIN) ==
                RM__ABANDONED_CALL)
            return 1;
        break;
    case RM__OP_CREATE:
        break;
    }
    return 0;
}

void rm__task_init(rm__run_t *run, rm__task_t *task, size_t n) {
    const rm_node_type_t *type = run->pipeline->nodes[n].type;
    task->run = run;
    task->node = n;
    task->out.port_count = type->output_count;
    task->out.ports = type->outputs;
    task->attempt = 1;
}

rm__task_t *rm__task_new(rm__run_t *run, size_t n) {
    rm__task_t *task = calloc(1, sizeof(*task));
    if (!task) return NULL;
    rm__task_init(run, task, n);
    task->heap = 1;
    return task;
}

void rm__orphan_release(rm__task_t *task) {
    if (atomic_fetch_sub_explicit(&task->orphan_refs, 1u,
                                  memory_order_acq_rel) != 1u)
        return;
    /* Both sides are done: items were dropped by their owners already. */
    free(task->batch);
    free(task->out.items);
    rm__error_clear(&task->err);
    free(task);
}

void rm__task_reset(rm__task_t *task) {
    for (size_t i = 0; i < task->out.count; i++)
        rm__item_unref(task->out.items[i].item);
    task->out.count = 0;
    task->out_bytes = 0;
    task->out.overflow = 0;
    task->out.rejected = 0;
    for (size_t i = task->batch_next; i < task->batch_count; i++)
        rm__item_unref(task->batch[i].item);
    task->batch_count = task->batch_next = 0;
    rm__error_clear(&task->err);
    task->status = RM_OK;
    task->finished = 0;
    task->inline_exec = 0;
    task->attempt = 1;
}

int rm__node_create(const rm_pipeline_t *pipeline,
                    rm__instances_t *instances, size_t index,
                    const rm_cancel_t *cancel, rm_error_t *err) {
    const rm__node_t *node = &pipeline->nodes[index];
    rm__host_t *host = instances->hosts[index];
    void *instance = NULL;
    host->cancel = cancel;
    atomic_store_explicit(&host->create_asked, 0u, memory_order_relaxed);
    host->create_waits = 0;
    int status = node->type->create(&host->pub, node->m->params, &instance,
                                    err);
    host->cancel = NULL;
    if (status != RM_OK) {
        status = complete_error(err, status, 0);
        /* A failed create must not leave an instance behind; if the plugin
         * did, free it rather than leak it. */
        if (instance && node->type->destroy) node->type->destroy(instance);
        return status;
    }
    /* A stateless plugin may leave *instance NULL: `created` says it
     * exists, and destroy is still called with it. */
    instances->instances[index] = instance;
    instances->created[index] = 1;
    return RM_OK;
}
