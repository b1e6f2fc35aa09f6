/*
 * scheduler.c — one run of a pipeline: queues, back-pressure, end-of-stream
 * and where each node call executes.
 *
 * The scheduler is a single-threaded state machine on the run's loop
 * thread, driven by its session (session.c): items pushed into the entry
 * nodes' rings, rm__run_drive until quiescent or a condition holds,
 * end-of-stream, then rm__run_finish. A node is re-checked ("dirty")
 * whenever something that decides whether it can run changed: it finished
 * a task and still has work (has_work), an item arrived at its input, an
 * input ended, or a consumer took an item while the node waited for room
 * on that output (wants_room: otherwise room changes nothing).
 * A node can start a task when it is idle and either
 *   - has queued input and every output edge has room      → process batch
 *   - is a source that has not finished and outputs have room → generate
 *   - every input has ended (queue empty, source finished)  → flush
 * After a node's flush completes it is done and its output edges end.
 *
 * Back-pressure: each edge counts the items queued on it; a producer may
 * start only while every output edge holds fewer than `queue_capacity`
 * items, and takes at most that much room per task, so a queue holds at
 * most `queue_capacity` items (plus any extra a single call emits beyond
 * one item per input).
 *
 * Where a task runs (RM_EXEC_AUTO): on this thread, except on the worker
 * pool when the node's calls are long (see RM__LONG_CALL_NS: a thread hop
 * costs more than the pipelining it buys for shorter calls, measured) and
 * another task could run meanwhile, or when the node has a timeout (the
 * loop must watch the call). A node not measured yet runs here in a single
 * chain, and on the pool in a graph with parallel branches (it might be
 * long and block a sibling); its first call's cost decides from then on.
 * (`rmrun --batch` runs files in parallel and asks for RM_EXEC_INLINE.)
 * A flush of a node without flush() calls nothing and completes at once.
 * So a short chain on a short list never leaves the calling thread, and
 * the event loop is created only when the first task goes to the pool.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "item/item.h"

static rm__node_t *node_of(rm__run_t *run, size_t n) {
    return &run->pipeline->nodes[n];
}

void rm__sched_fail(rm__run_t *run, size_t n, rm__op_t op, int status,
                    int transient, const char *message, uint32_t attempt) {
    if (run->failed) return; /* the first error is the one reported */
    run->failed = 1;
    rm_run_result_t *result = run->result;
    const rm__node_t *node = node_of(run, n);
    result->status = status;
    result->error.status = status;
    result->error.transient = transient;
    result->error.node_id = node->m->id;
    result->error.node_type = node->m->type_name;
    result->error.operation = rm__op_name(op);
    uint32_t max_attempts = attempt ? node->m->retry.max_retries + 1u : 0;
    if (max_attempts < attempt) max_attempts = attempt; /* u32 wrap */
    result->error.attempt = attempt;
    result->error.max_attempts = max_attempts;
    if (!message) message = rm_strerror(status);
    if (attempt && (transient || attempt > 1)) {
        size_t len = strlen(message) + 64;
        result->error_message = malloc(len);
        if (result->error_message)
            snprintf(result->error_message, len, "%s (attempt %u of %u)",
                     message, attempt, max_attempts);
    } else {
        result->error_message = strdup(message);
    }
    result->error.message =
        result->error_message ? result->error_message : rm_strerror(status);
    rm__retry_cancel_all(run);
}

static void rm__fail(rm__run_t *run, size_t n, rm__op_t op, int status,
                     int transient, const char *message) {
    rm__sched_fail(run, n, op, status, transient, message, 0);
}

static inline void mark_dirty(rm__run_t *run, size_t n) {
    rm__node_run_t *nr = &run->nodes[n];
    if (nr->dirty) return;
    nr->dirty = 1;
    /* At most node_count nodes are dirty at once: head + count wraps once
     * at most (a compare, not a division per node per call). */
    size_t at = run->dirty_head + run->dirty_count;
    if (at >= run->pipeline->node_count) at -= run->pipeline->node_count;
    run->dirty[at] = n;
    run->dirty_count++;
}

static size_t pop_dirty(rm__run_t *run) {
    size_t n = run->dirty[run->dirty_head];
    if (++run->dirty_head == run->pipeline->node_count) run->dirty_head = 0;
    run->dirty_count--;
    run->nodes[n].dirty = 0;
    return n;
}

/* ---- a node's input queue (a ring that grows when a burst needs it) ---- */

/* A full ring of `count` elements of `size` bytes, oldest at *head: double
 * it (16 at first), oldest first at 0. Returns 0 when out of memory. So a
 * ring's capacity is a power of two, and ring_at masks instead of dividing
 * (a push and a pop per item per node). */
static int ring_grow(void **ring, size_t *capacity, size_t *head,
                     size_t count, size_t size) {
    size_t grown_capacity = *capacity ? *capacity * 2 : 16;
    char *grown = malloc(grown_capacity * size), *old = *ring;
    if (!grown) return 0;
    size_t first = *capacity - *head < count ? *capacity - *head : count;
    if (count) {
        memcpy(grown, old + *head * size, first * size);
        memcpy(grown + first * size, old, (count - first) * size);
    }
    free(old);
    *ring = grown;
    *capacity = grown_capacity;
    *head = 0;
    return 1;
}

/* The slot `k` places after `head` in a ring of `capacity` (a power of
 * two, see ring_grow). */
static size_t ring_at(size_t head, size_t k, size_t capacity) {
    return (head + k) & (capacity - 1);
}

static int ring_push(rm__node_run_t *nr, rm_item_t *item, uint32_t port,
                     uint32_t edge, size_t origin) {
    if (nr->count == nr->ring_capacity &&
        !ring_grow((void **)&nr->ring, &nr->ring_capacity, &nr->head,
                   nr->count, sizeof(*nr->ring)))
        return RM_ENOMEM;
    rm__queued_t *slot = &nr->ring[ring_at(nr->head, nr->count, nr->ring_capacity)];
    slot->item = item;
    slot->port = port;
    slot->edge = edge;
    slot->origin = origin;
    nr->count++;
    if (nr->count > nr->stats.queue_high_water)
        nr->stats.queue_high_water = nr->count;
    return RM_OK;
}

static rm__queued_t ring_pop(rm__node_run_t *nr) {
    rm__queued_t q = nr->ring[nr->head];
    nr->head = ring_at(nr->head, 1, nr->ring_capacity);
    nr->count--;
    return q;
}

/* ---- data movement ------------------------------------------------------ */

static void push_to_edge(rm__run_t *run, size_t from, size_t e,
                         rm_item_t *item, size_t origin) {
    const rm_manifest_edge_t *edge = &run->pipeline->manifest->edges[e];
    if (ring_push(&run->nodes[edge->to_node], item, edge->to_port,
                  (uint32_t)e, origin) != RM_OK) {
        rm__item_unref(item);
        rm__fail(run, from, RM__OP_PROCESS, RM_ENOMEM, 0,
                 "out of memory queueing an item");
        return;
    }
    run->edge_queued[e]++;
    mark_dirty(run, edge->to_node);
}

/* A session's output queue (a ring that grows). */
static int output_push(rm__run_t *run, size_t n, uint32_t port,
                       rm_item_t *item) {
    if (run->out_count == run->out_capacity &&
        !ring_grow((void **)&run->outputs, &run->out_capacity, &run->out_head,
                   run->out_count, sizeof(*run->outputs)))
        return RM_ENOMEM;
    rm__output_t *slot =
        &run->outputs[ring_at(run->out_head, run->out_count, run->out_capacity)];
    slot->item = item;
    slot->node = n;
    slot->port = port;
    run->out_count++;
    return RM_OK;
}

int rm__run_outputs_full(const rm__run_t *run) {
    return run->output_limit && run->out_count >= run->output_limit;
}

int rm__run_pop_output(rm__run_t *run, rm__output_t *out) {
    if (!run->out_count) return 0;
    int was_full = rm__run_outputs_full(run);
    *out = run->outputs[run->out_head];
    run->out_head = ring_at(run->out_head, 1, run->out_capacity);
    run->out_count--;
    if (was_full) /* the sinks may run again */
        for (size_t i = 0; i < run->pipeline->node_count; i++)
            if (node_of(run, i)->is_sink) mark_dirty(run, i);
    return 1;
}

/* Route one emitted item (its reference is ours): to the result for a
 * sink; else to every edge leaving `port`, sharing it by reference. */
static void deliver(rm__run_t *run, size_t n, uint32_t port, rm_item_t *item,
                    size_t origin) {
    const rm__node_t *node = node_of(run, n);
    if (node->is_sink && run->queue_outputs) {
        if (output_push(run, n, port, item) != RM_OK) {
            rm__item_unref(item);
            rm__fail(run, n, RM__OP_PROCESS, RM_ENOMEM, 0,
                     "out of memory queueing an output");
        }
        return;
    }
    if (node->is_sink) {
        rm__sink_items_t *sink = &run->result->sinks[node->sink_index];
        if (sink->count == sink->capacity) {
            size_t capacity = sink->capacity ? sink->capacity * 2 : 16;
            rm_item_t **grown =
                realloc(sink->items, capacity * sizeof(*grown));
            if (!grown) {
                rm__item_unref(item);
                rm__fail(run, n, RM__OP_PROCESS, RM_ENOMEM, 0,
                         "out of memory collecting results");
                return;
            }
            sink->items = grown;
            sink->capacity = capacity;
        }
        sink->items[sink->count++] = item;
        return;
    }
    const rm_manifest_t *m = run->pipeline->manifest;
    size_t pending = SIZE_MAX; /* hand the last edge our own reference */
    for (size_t i = 0; i < node->m->output_count; i++) {
        size_t e = node->m->outputs[i];
        if (m->edges[e].from_port != port) continue;
        if (pending != SIZE_MAX)
            push_to_edge(run, n, pending, rm__item_ref(item), origin);
        pending = e;
    }
    if (pending == SIZE_MAX) rm__item_unref(item); /* unconnected port */
    else push_to_edge(run, n, pending, item, origin);
}

/* ---- readiness ---------------------------------------------------------- */

static size_t out_room(rm__run_t *run, size_t n) {
    const rm__node_t *node = node_of(run, n);
    uint32_t capacity = run->options.queue_capacity;
    size_t room = RM__MAX_BATCH;
    if (node->is_sink && run->output_limit) /* the caller's queue */
        room = run->out_count >= run->output_limit
                   ? 0
                   : run->output_limit - run->out_count;
    for (size_t i = 0; i < node->m->output_count && room; i++) {
        uint32_t queued = run->edge_queued[node->m->outputs[i]];
        size_t free_slots = queued >= capacity ? 0 : capacity - queued;
        if (free_slots < room) room = free_slots;
    }
    return room;
}

/* Measured long: worth a thread hop when something else could run. */
static int node_is_long(const rm__node_t *node) {
    if (atomic_load_explicit(&node->slow_penalty, memory_order_relaxed))
        return 1;
    return atomic_load_explicit(&node->avg_call_ns, memory_order_relaxed) >=
           RM__LONG_CALL_NS;
}

static int node_is_fast(const rm__node_t *node) {
    if (atomic_load_explicit(&node->slow_penalty, memory_order_relaxed))
        return 0;
    uint64_t avg = atomic_load_explicit(&node->avg_call_ns,
                                        memory_order_relaxed);
    return avg != 0 && avg < RM__FAST_CALL_NS;
}

static int ensure_batch(rm__task_t *task, size_t wanted) {
    if (task->batch_capacity >= wanted) return RM_OK;
    rm__queued_t *grown = realloc(task->batch, wanted * sizeof(*grown));
    if (!grown) return RM_ENOMEM;
    task->batch = grown;
    task->batch_capacity = wanted;
    return RM_OK;
}

/* How many items node n's next task may take or generate: 0 when an
 * output has no room. A slow node takes one item at a time so its output
 * flows on to the next node at once (pipelining); a fast one takes what
 * fits. A node with a timeout makes one call per task (the timeout is per
 * task). */
static size_t task_limit(rm__run_t *run, size_t n) {
    const rm__node_t *node = node_of(run, n);
    size_t room = out_room(run, n);
    return node_is_fast(node) && !node->timeout_ms ? room : (room ? 1 : 0);
}

/* Build node n's next task, or NULL when it cannot run now. The room on
 * its outputs is looked at only when it has something to process or
 * generate (a node re-checked after its own task mostly has not). */
static rm__task_t *try_start(rm__run_t *run, size_t n) {
    rm__node_run_t *nr = &run->nodes[n];
    const rm__node_t *node = node_of(run, n);
    if (run->failed || run->stopping || nr->running || nr->done)
        return NULL;
    rm__task_t *task = nr->task;
    int generate = !nr->count && node->is_source && !nr->source_finished;
    size_t limit = nr->count || generate ? task_limit(run, n) : 0;
    if (nr->count > 0) {
        if (!limit) { /* woken again when a consumer takes one */
            nr->wants_room = 1;
            return NULL;
        }
        if (ensure_batch(task, limit) != RM_OK) {
            rm__fail(run, n, RM__OP_PROCESS, RM_ENOMEM, 0,
                     "out of memory building a task");
            return NULL;
        }
        const rm_manifest_t *m = run->pipeline->manifest;
        while (task->batch_count < limit && nr->count > 0) {
            rm__queued_t q = ring_pop(nr);
            nr->stats.items_in++;
            nr->stats.bytes_in += q.item->size;
            if (q.edge == RM__INPUT_EDGE) {
                nr->input_queued--;
            } else {
                run->edge_queued[q.edge]--;
                rm__node_run_t *from = &run->nodes[m->edges[q.edge].from_node];
                if (from->wants_room) { /* else room does not matter now */
                    from->wants_room = 0;
                    mark_dirty(run, m->edges[q.edge].from_node);
                }
            }
            task->batch[task->batch_count++] = q;
        }
        task->op = RM__OP_PROCESS;
    } else if (generate) {
        if (!limit) {
            nr->wants_room = 1;
            return NULL;
        }
        task->op = RM__OP_GENERATE;
        task->budget = limit;
    } else if (nr->open_inputs == 0) {
        task->op = RM__OP_FLUSH;
    } else {
        return NULL;
    }
    nr->running = 1;
    run->in_flight++;
    return task;
}

/* ---- completion ---------------------------------------------------------- */

/* Node n has something a task could be started for (try_start decides
 * the rest: room, running, the run's state): queued input, a source not
 * finished, or every input ended and no flush yet. A node without is
 * marked again by what gives it some (an item arriving, an input ending). */
static int has_work(rm__run_t *run, size_t n) {
    const rm__node_run_t *nr = &run->nodes[n];
    return !nr->done &&
           (nr->count || (node_of(run, n)->is_source && !nr->source_finished) ||
            nr->open_inputs == 0);
}

static void deliver_out(rm__run_t *run, rm__task_t *task, size_t upto) {
    char message[RM__BUDGET_MESSAGE_MAX];
    if (upto && !run->failed &&
        !rm__budget_charge(run, task, upto, message, sizeof(message))) {
        rm__sched_fail(run, task->node, task->op, RM_EBUDGET, 0, message, 0);
        upto = 0; /* over budget: the run failed, the items go */
    }
    for (size_t i = 0; i < task->out.count; i++) {
        rm__emitted_t *e = &task->out.items[i];
        if (i < upto) deliver(run, task->node, e->port, e->item, e->origin);
        else rm__item_unref(e->item);
    }
    task->out.count = 0;
    task->out_bytes = 0;
}

/* The earliest input a failed task loses: its failed call's and those of
 * the inputs it still holds. */
static void note_lost_inputs(rm__run_t *run, const rm__task_t *task) {
    size_t origin = task->failed_origin;
    for (size_t i = task->batch_next; i < task->batch_count; i++)
        if (task->batch[i].origin < origin) origin = task->batch[i].origin;
    if (origin < run->fail_origin) run->fail_origin = origin;
}

/* A task came back (or timed out): deliver, retry or fail, end the node. */
static void complete(rm__run_t *run, rm__task_t *task) {
    size_t n = task->node;
    rm__node_run_t *nr = &run->nodes[n];
    if (nr->timer) uv_timer_stop(nr->timer); /* the timeout check */
    if (task->status != RM_OK && !run->failed && !run->stopping &&
        (rm__retry_maybe(run, task) || rm__skip_maybe(run, task))) {
        /* The calls before the failed one stand; the failed call's own
         * outputs go (its retry emits them again; a skipped item's never
         * count). The node stays busy. */
        deliver_out(run, task, task->failed_mark);
        rm__error_clear(&task->err);
        task->status = RM_OK;
        return;
    }
    nr->running = 0;
    run->in_flight--;
    /* Items emitted before a failure are kept (delivered). */
    deliver_out(run, task, task->out.count);
    if (task->status != RM_OK) {
        note_lost_inputs(run, task);
        rm__sched_fail(run, n, task->failed_op, task->status,
                       task->err.transient, task->err.message,
                       task->attempt);
    } else if (task->op == RM__OP_GENERATE && task->finished) {
        nr->source_finished = 1;
    } else if (task->op == RM__OP_FLUSH) {
        nr->done = 1;
        run->nodes_done++;
        const rm__node_t *node = node_of(run, n);
        const rm_manifest_t *m = run->pipeline->manifest;
        for (size_t i = 0; i < node->m->output_count; i++) {
            size_t to = m->edges[node->m->outputs[i]].to_node;
            run->nodes[to].open_inputs--;
            mark_dirty(run, to);
        }
    }
    rm__task_reset(task);
    if (has_work(run, n)) mark_dirty(run, n); /* else an arrival will */
}

/* ---- the worker side ----------------------------------------------------- */

static void on_worker(rm__pool_task_t *pool_task) {
    rm__task_t *task = (rm__task_t *)pool_task;
    rm__run_t *run = task->run;
    if (rm__task_execute(task)) return; /* timed out: no longer the run's */
    pthread_mutex_lock(&run->done_lock);
    task->next_done = NULL;
    if (run->done_tail) run->done_tail->next_done = task;
    else run->done_head = task;
    run->done_tail = task;
    /* Signal under the lock: once the loop thread has taken this task the
     * run may end and free `async`; it cannot take it before we unlock. */
    uv_async_send(&run->async);
    pthread_mutex_unlock(&run->done_lock);
}

static void schedule(rm__run_t *run);

static void on_completions(uv_async_t *async) {
    rm__run_t *run = async->data;
    /* Whatever this changes, uv_run returns to the drive loop, which
     * decides whether to wait again (it must never sleep in epoll once
     * the run is finished or quiescent). */
    uv_stop(&run->loop);
    pthread_mutex_lock(&run->done_lock);
    rm__task_t *task = run->done_head;
    run->done_head = run->done_tail = NULL;
    pthread_mutex_unlock(&run->done_lock);
    while (task) {
        rm__task_t *next = task->next_done;
        complete(run, task);
        task = next;
    }
    schedule(run);
}

static int ensure_loop(rm__run_t *run) {
    if (run->loop_ready) return RM_OK;
    int status = rm__pool_start();
    if (status != RM_OK) return status;
    if (uv_loop_init(&run->loop) != 0) return RM_EINTERNAL;
    if (uv_async_init(&run->loop, &run->async, on_completions) != 0) {
        uv_loop_close(&run->loop);
        return RM_EINTERNAL;
    }
    run->async.data = run;
    pthread_mutex_init(&run->done_lock, NULL);
    run->loop_ready = 1;
    return RM_OK;
}

static int should_inline(rm__run_t *run, const rm__task_t *task, int solo) {
    const rm__node_t *node = node_of(run, task->node);
    /* A call that may be abandoned must not block the loop that watches
     * it: timeouts win over RM_EXEC_INLINE. */
    if (node->timeout_ms) return 0;
    switch (run->options.exec_policy) {
    case RM_EXEC_INLINE: return 1;
    case RM_EXEC_POOL: return 0;
    default: break;
    }
    if (solo) return 1; /* alone, nothing is lost by running here */
    /* Not measured yet: here in a chain (only pipelining could be lost);
     * in a graph with parallel branches on the pool, since it might be
     * long and block a sibling. Its first call's cost decides from then
     * on. */
    if (atomic_load_explicit(&node->avg_call_ns, memory_order_relaxed) == 0)
        return run->pipeline->is_chain;
    return !node_is_long(node);
}

static void dispatch(rm__run_t *run, rm__task_t *task, int solo) {
    int run_here = should_inline(run, task, solo);
    if (!run_here && ensure_loop(run) != RM_OK) run_here = 1;
    if (run_here) {
        task->inline_exec = 1;
        rm__task_execute(task);
        complete(run, task);
    } else {
        if (node_of(run, task->node)->timeout_ms) {
            task->queued_ns = rm__now_ns();
            atomic_store_explicit(&task->call_start_ns, 0,
                                  memory_order_relaxed);
            atomic_store_explicit(&task->call_state, RM__CALL_RUNNING,
                                  memory_order_relaxed);
            rm__timeout_watch(run, task->node);
        }
        task->pool.fn = on_worker;
        rm__pool_submit(&task->pool);
    }
}

/* rm_cancel_request on the run's token: fail the run as cancelled (no new
 * call starts; calls in flight return; unflushed nodes are destroyed). */
static int run_cancelled(rm__run_t *run) {
    if (!run->cancel || run->failed || !rm_cancel_requested(run->cancel))
        return 0;
    rm__sched_fail(run, 0, RM__OP_PROCESS, RM_ECANCELED, 0,
                   "the run was cancelled (rm_cancel_request)", 0);
    rm_run_error_t *e = &run->result->error;
    e->node_id = e->node_type = NULL;
    e->operation = "cancel";
    return 1;
}

static void schedule(rm__run_t *run) {
    for (;;) {
        if (run_cancelled(run)) return;
        size_t ready = 0;
        while (run->dirty_count) {
            rm__task_t *task = try_start(run, pop_dirty(run));
            if (!task) continue;
            if (task->op == RM__OP_FLUSH &&
                !node_of(run, task->node)->type->flush) {
                /* Nothing to call: end the node now, so it does not count
                 * as a competitor when deciding whether a task is alone. */
                complete(run, task);
                continue;
            }
            run->ready[ready++] = task;
        }
        if (!ready) return;
        int solo = ready == 1 && run->in_flight == 1;
        for (size_t i = 0; i < ready; i++) dispatch(run, run->ready[i], solo);
    }
}

/* The hooks of watchdog.c, whose timer callbacks call uv_stop themselves
 * (see on_completions). */
static void watchdog_resume(rm__run_t *run, rm__task_t *task) {
    dispatch(run, task, run->in_flight == 1);
    schedule(run);
}

static void watchdog_complete(rm__run_t *run, rm__task_t *task) {
    complete(run, task);
    schedule(run);
}

static const rm__watchdog_hooks_t watchdog_hooks = {
    .ensure_loop = ensure_loop,
    .resume = watchdog_resume,
    .complete = watchdog_complete,
};

/* ---- the run ------------------------------------------------------------- */

/* A run's per-node state is one block (nodes, tasks, dirty FIFO, ready
 * list, edge counts) that the pipeline keeps for its next run. Allocating
 * and freeing ~600 bytes per node every run made glibc trim and regrow
 * the heap top each time (page faults; measured 2x on a 100-node chain,
 * bench/results-reliability.md). The block keeps each node's buffers too
 * (its input ring, its task's batch and emit list, emptied): three
 * malloc/free pairs per node and run otherwise, a fifth of a 100-node,
 * 1-item chain's run (bench/RESULTS.md). */
static size_t scratch_layout(const rm_pipeline_t *p, size_t offset[4]) {
    size_t n = p->node_count ? p->node_count : 1;
    size_t e = p->manifest->edge_count ? p->manifest->edge_count : 1;
#define RM__ALIGN16(x) (((x) + 15) & ~(size_t)15)
    size_t at = RM__ALIGN16(n * sizeof(rm__node_run_t));
    offset[0] = at; /* tasks */
    at += RM__ALIGN16(n * sizeof(rm__task_t));
    offset[1] = at; /* dirty */
    at += RM__ALIGN16(n * sizeof(size_t));
    offset[2] = at; /* ready */
    at += RM__ALIGN16(n * sizeof(rm__task_t *));
    offset[3] = at; /* edge_queued */
    at += RM__ALIGN16(e * sizeof(uint32_t));
#undef RM__ALIGN16
    return at;
}

/* A buffer grown beyond this many elements (a burst, a call that emitted
 * thousands of items) is freed at the end of the run, not kept. */
#define RM__KEPT_MAX 1024u

/* Zero a node's state and task from a previous run, keeping their
 * (empty) buffers. */
static void node_state_clear(rm__node_run_t *nr, rm__task_t *task) {
    rm__queued_t *ring = nr->ring;
    size_t ring_capacity = nr->ring_capacity;
    rm__queued_t *batch = task->batch;
    size_t batch_capacity = task->batch_capacity;
    rm__emitted_t *out_items = task->out.items;
    size_t out_capacity = task->out.capacity;
    memset(nr, 0, sizeof(*nr));
    memset(task, 0, sizeof(*task));
    nr->ring = ring;
    nr->ring_capacity = ring_capacity;
    task->batch = batch;
    task->batch_capacity = batch_capacity;
    task->out.items = out_items;
    task->out.capacity = out_capacity;
}

void rm__run_scratch_free(const rm_pipeline_t *p, void *block) {
    if (!block) return;
    size_t offset[4];
    scratch_layout(p, offset);
    rm__node_run_t *nodes = block;
    rm__task_t *tasks = (rm__task_t *)((char *)block + offset[0]);
    for (size_t i = 0; i < p->node_count; i++) {
        free(nodes[i].ring);
        free(tasks[i].batch);
        free(tasks[i].out.items);
    }
    free(block);
}

static int run_setup(rm__run_t *run) {
    rm_pipeline_t *p = run->pipeline;
    size_t n = p->node_count;
    size_t offset[4];
    size_t total = scratch_layout(p, offset);
    char *block = atomic_exchange(&p->scratch, NULL);
    if (block) {
        for (size_t i = 0; i < n; i++)
            node_state_clear(&((rm__node_run_t *)block)[i],
                             &((rm__task_t *)(block + offset[0]))[i]);
        memset(block + offset[1], 0, total - offset[1]);
    } else if (!(block = calloc(1, total))) {
        return RM_ENOMEM;
    }
    run->nodes = (rm__node_run_t *)block;
    run->tasks = (rm__task_t *)(block + offset[0]);
    run->dirty = (size_t *)(block + offset[1]);
    run->ready = (rm__task_t **)(block + offset[2]);
    run->edge_queued = (uint32_t *)(block + offset[3]);
    run->watchdog = &watchdog_hooks;
    run->fail_origin = RM__NO_ORIGIN;
    run->rng = rm__retry_seed(run);
    for (size_t i = 0; i < n; i++) {
        rm__node_run_t *nr = &run->nodes[i];
        const rm__node_t *node = &p->nodes[i];
        nr->open_inputs = node->m->input_count + (node->is_entry ? 1 : 0);
        /* A task that may be abandoned to a stuck worker is its own
         * allocation (it outlives the run then). */
        nr->task = node->timeout_ms ? rm__task_new(run, i) : &run->tasks[i];
        if (!nr->task) return RM_ENOMEM;
        if (!nr->task->heap) rm__task_init(run, nr->task, i);
        nr->stats.node_id = node->m->id;
        nr->stats.node_type = node->m->type_name;
    }
    /* First look at every node in topological order. */
    for (size_t i = 0; i < n; i++) mark_dirty(run, p->manifest->order[i]);
    return RM_OK;
}

static void free_handle(uv_handle_t *handle) { free(handle); }

/* A buffer is kept for the next run unless it grew past RM__KEPT_MAX:
 * then it is freed, its capacity zeroed, and 1 says to forget it. */
static int drop_if_big(void *buffer, size_t *capacity) {
    if (*capacity <= RM__KEPT_MAX) return 0;
    free(buffer);
    *capacity = 0;
    return 1;
}

static void run_teardown(rm__run_t *run) {
    if (run->nodes) {
        for (size_t i = 0; i < run->pipeline->node_count; i++) {
            rm__node_run_t *nr = &run->nodes[i];
            while (nr->count) rm__item_unref(ring_pop(nr).item);
            if (drop_if_big(nr->ring, &nr->ring_capacity)) nr->ring = NULL;
            if (nr->timer) uv_close((uv_handle_t *)nr->timer, free_handle);
            rm__task_t *task = nr->task;
            if (!task) continue;
            rm__task_reset(task);
            if (task->heap) {
                free(task->batch);
                free(task->out.items);
                free(task);
            } else {
                if (drop_if_big(task->batch, &task->batch_capacity))
                    task->batch = NULL;
                if (drop_if_big(task->out.items, &task->out.capacity))
                    task->out.items = NULL;
            }
            nr->task = NULL;
        }
    }
    if (run->loop_ready) {
        uv_close((uv_handle_t *)&run->async, NULL);
        uv_run(&run->loop, UV_RUN_DEFAULT);
        uv_loop_close(&run->loop);
        pthread_mutex_destroy(&run->done_lock);
        run->loop_ready = 0;
    }
    void *block = run->nodes, *expected = NULL;
    if (block &&
        !atomic_compare_exchange_strong(&run->pipeline->scratch, &expected,
                                        block))
        rm__run_scratch_free(run->pipeline, block); /* a concurrent
                                                      run's block is kept */
    run->nodes = NULL;
    run->tasks = NULL;
    run->dirty = NULL;
    run->ready = NULL;
    run->edge_queued = NULL;
}

int rm__run_finished(const rm__run_t *run) {
    if (run->failed || run->stopping) return run->in_flight == 0;
    return run->nodes_done == run->pipeline->node_count;
}

int rm__run_begin(rm__run_t *run) {
    if (run_setup(run) != RM_OK) {
        run_teardown(run);
        return RM_ENOMEM;
    }
    return RM_OK;
}

/* The entry nodes `entry` names: that one, or every entry (SIZE_MAX; the
 * pipeline's list). Returns how many, *list pointing at them. */
static size_t entries_named(const rm__run_t *run, const size_t *entry,
                            const size_t **list) {
    if (*entry != SIZE_MAX) {
        *list = entry;
        return 1;
    }
    *list = run->pipeline->entries;
    return run->pipeline->entry_count;
}

int rm__run_has_room(const rm__run_t *run, size_t entry) {
    uint32_t capacity = run->options.queue_capacity;
    const size_t *list;
    size_t count = entries_named(run, &entry, &list);
    for (size_t k = 0; k < count; k++)
        if (run->nodes[list[k]].input_queued >= capacity) return 0;
    return 1;
}

static int push_one(rm__run_t *run, size_t n, uint32_t port,
                    rm_item_t *item) {
    rm__node_run_t *nr = &run->nodes[n];
    rm_item_t *ref = rm__item_ref(item);
    if (ring_push(nr, ref, port, RM__INPUT_EDGE, run->pushed) != RM_OK) {
        rm__item_unref(ref);
        return RM_ENOMEM;
    }
    nr->input_queued++;
    mark_dirty(run, n);
    return RM_OK;
}

int rm__run_push(rm__run_t *run, size_t entry, uint32_t port,
                 rm_item_t *item) {
    if (!rm__run_has_room(run, entry)) return RM_EAGAIN;
    const size_t *list;
    size_t count = entries_named(run, &entry, &list);
    for (size_t k = 0; k < count; k++) {
        int status = push_one(run, list[k], port, item);
        if (status != RM_OK) {
            rm__fail(run, list[k], RM__OP_PROCESS, status, 0,
                     "out of memory queueing an input item");
            return status;
        }
    }
    run->pushed++;
    return RM_OK;
}

void rm__run_end_input(rm__run_t *run) {
    if (run->ended) return;
    run->ended = 1;
    for (size_t k = 0; k < run->pipeline->entry_count; k++) {
        size_t i = run->pipeline->entries[k];
        rm__node_run_t *nr = &run->nodes[i];
        if (nr->input_ended) continue;
        nr->input_ended = 1;
        nr->open_inputs--;
        mark_dirty(run, i);
    }
}

/* Nothing running and nothing can start although the caller's output
 * queue has room and the input has ended, or no more input fits: a
 * scheduler bug, not a plugin's. Name a node that did not finish. */
static void check_stall(rm__run_t *run) {
    if (run->in_flight || run->dirty_count || rm__run_finished(run) ||
        rm__run_outputs_full(run) ||
        !(run->ended || !rm__run_has_room(run, SIZE_MAX)))
        return;
    size_t stuck = 0;
    while (stuck + 1 < run->pipeline->node_count && run->nodes[stuck].done)
        stuck++;
    rm__fail(run, stuck, RM__OP_PROCESS, RM_EINTERNAL, 0,
             "scheduler stalled: no node can run and none is running");
}

void rm__run_drive(rm__run_t *run, int wait,
                   int (*until)(const rm__run_t *run)) {
    schedule(run);
    while (run->in_flight > 0 && !(until && until(run))) {
        /* Every callback (completions, timers) calls uv_stop, so
         * UV_RUN_ONCE returns after any event it handled and the
         * condition is checked again before sleeping. */
        uv_run(&run->loop, wait ? UV_RUN_ONCE : UV_RUN_NOWAIT);
        if (!wait) break;
    }
    check_stall(run);
}

void rm__run_stop(rm__run_t *run) {
    run->stopping = 1;
    rm__retry_cancel_all(run);
    while (run->in_flight > 0) uv_run(&run->loop, UV_RUN_ONCE);
}

void rm__run_finish(rm__run_t *run) {
    size_t n = run->pipeline->node_count;
    size_t first_unprocessed = run->pushed;
    if (run->failed) {
        /* Partial results: the earliest input the failure lost, or still
         * queued somewhere, or never fed. */
        first_unprocessed = run->fail_origin;
        for (size_t i = 0; i < n; i++) {
            const rm__node_run_t *nr = &run->nodes[i];
            for (size_t k = 0; k < nr->count; k++) {
                size_t origin =
                    nr->ring[ring_at(nr->head, k, nr->ring_capacity)].origin;
                if (origin < first_unprocessed) first_unprocessed = origin;
            }
        }
        if (first_unprocessed > run->pushed) first_unprocessed = run->pushed;
    }
    run->result->input_count = run->pushed;
    run->result->first_unprocessed = first_unprocessed;
    for (size_t i = 0; i < n; i++) {
        run->result->stats[i] = run->nodes[i].stats;
        run->result->stats[i].breaker_state = atomic_load_explicit(
            &run->pipeline->nodes[i].breaker.state, memory_order_relaxed);
    }
    rm__output_t out;
    while (rm__run_pop_output(run, &out)) rm__item_unref(out.item);
    free(run->outputs);
    run->outputs = NULL;
    run_teardown(run);
}
