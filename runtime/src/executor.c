/* executor.c — node calls: every plugin call goes through one function. */
#include "executor.h"

#include <stdlib.h>
#include <string.h>

#include "item.h"

const char *rm__op_name(rm__op_t op) {
    switch (op) {
    case RM__OP_CREATE: return "create";
    case RM__OP_PROCESS: return "process";
    case RM__OP_GENERATE: return "generate";
    case RM__OP_FLUSH: return "flush";
    }
    return "?";
}

int rm__emit(rm_emit_t *out, uint32_t port, rm_item_t *item) {
    if (!out || !item) {
        rm__item_unref(item);
        return RM_EINVAL;
    }
    if (port >= out->port_count) {
        rm__item_unref(item);
        return RM_EINVAL;
    }
    if (out->count == out->capacity) {
        size_t capacity = out->capacity ? out->capacity * 2 : 16;
        rm__emitted_t *grown = realloc(out->items, capacity * sizeof(*grown));
        if (!grown) {
            rm__item_unref(item);
            out->overflow = 1;
            return RM_ENOMEM;
        }
        out->items = grown;
        out->capacity = capacity;
    }
    out->items[out->count].item = item;
    out->items[out->count].port = port;
    out->count++;
    return RM_OK;
}

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
    } else if (ns < RM__FAST_CALL_NS) {
        /* Load + store, not fetch_sub: concurrent runs may lose a
         * decrement, never wrap below zero. */
        unsigned penalty = atomic_load_explicit(&node->slow_penalty,
                                                memory_order_relaxed);
        if (penalty)
            atomic_store_explicit(&node->slow_penalty, penalty - 1,
                                  memory_order_relaxed);
    }
}

/*
 * The one function every process/generate/flush call goes through. It
 * times the call and keeps the per-node counts; the reliability work
 * (retry with back-off, circuit breaker, per-call timeout) and metrics hook
 * in here. Runs on a worker or inline on the loop thread; it only touches
 * the node's own stats fields written by calls (see rm__node_run_t).
 */
static int execute_node_call(rm__task_t *task, rm__op_t op, uint32_t port,
                             rm_item_t *item) {
    rm__run_t *run = task->run;
    rm__node_t *node = &run->pipeline->nodes[task->node];
    rm__node_run_t *nr = &run->nodes[task->node];
    const rm_node_type_t *type = node->type;
    void *instance = run->instances->instances[task->node];
    size_t emitted_before = task->out.count;

    uint64_t start = rm__now_ns();
    int status = RM_OK;
    switch (op) {
    case RM__OP_PROCESS:
        status = type->process(instance, port, item, &task->out, &task->err);
        break;
    case RM__OP_GENERATE: {
        int finished = 0;
        status = type->generate(instance, &task->out, &finished, &task->err);
        if (finished) task->finished = 1;
        break;
    }
    case RM__OP_FLUSH:
        if (type->flush)
            status = type->flush(instance, &task->out, &task->err);
        break;
    case RM__OP_CREATE:
        status = RM_EINTERNAL;
        break;
    }
    uint64_t elapsed = rm__now_ns() - start;

    rm_node_stats_t *stats = &nr->stats;
    stats->calls++;
    stats->total_ns += elapsed;
    if (stats->calls == 1 || elapsed < stats->min_ns) stats->min_ns = elapsed;
    if (elapsed > stats->max_ns) stats->max_ns = elapsed;
    if (task->inline_exec) stats->inline_calls++;
    for (size_t i = emitted_before; i < task->out.count; i++) {
        stats->items_out++;
        stats->bytes_out += task->out.items[i].item->size;
    }
    rm__learn(node, elapsed);

    if (status == RM_OK && task->out.overflow) {
        task->out.overflow = 0;
        rm__error_clear(&task->err);
        task->err.status = RM_ENOMEM;
        task->err.is_set = 1;
        task->err.message = strdup("out of memory while emitting an item");
        status = RM_ENOMEM;
    }
    if (status != RM_OK) {
        /* A plugin returning a positive code broke the ABI contract. */
        if (status > 0) {
            rm__error_clear(&task->err);
            status = RM_EINTERNAL;
        }
        if (!task->err.is_set) {
            task->err.status = status;
            task->err.is_set = 1;
            task->err.message = strdup(rm_strerror(status));
        }
        stats->failures++;
        task->status = status;
        task->failed_op = op;
    }
    return status;
}

void rm__task_execute(rm__task_t *task) {
    switch (task->op) {
    case RM__OP_PROCESS:
        for (size_t i = 0; i < task->batch_count; i++) {
            rm__queued_t *q = &task->batch[i];
            if (task->status == RM_OK)
                execute_node_call(task, RM__OP_PROCESS, q->port, q->item);
            /* The queue's reference ends here, on this thread: freeing
             * the last reference to a large item is spread over workers. */
            rm__item_unref(q->item);
            q->item = NULL;
        }
        task->batch_count = 0;
        break;
    case RM__OP_GENERATE:
        while (task->status == RM_OK && !task->finished &&
               task->out.count < task->budget)
            execute_node_call(task, RM__OP_GENERATE, 0, NULL);
        break;
    case RM__OP_FLUSH:
        /* No flush() means nothing to call: not counted as a call. */
        if (task->run->pipeline->nodes[task->node].type->flush)
            execute_node_call(task, RM__OP_FLUSH, 0, NULL);
        break;
    case RM__OP_CREATE:
        break;
    }
}

void rm__task_reset(rm__task_t *task) {
    for (size_t i = 0; i < task->out.count; i++)
        rm__item_unref(task->out.items[i].item);
    task->out.count = 0;
    task->out.overflow = 0;
    for (size_t i = 0; i < task->batch_count; i++)
        rm__item_unref(task->batch[i].item);
    task->batch_count = 0;
    rm__error_clear(&task->err);
    task->status = RM_OK;
    task->finished = 0;
    task->inline_exec = 0;
}

int rm__node_create(const rm_pipeline_t *pipeline,
                    rm__instances_t *instances, size_t index,
                    rm_error_t *err) {
    const rm__node_t *node = &pipeline->nodes[index];
    void *instance = NULL;
    int status = node->type->create(&instances->hosts[index].pub,
                                    node->m->params, &instance, err);
    if (status != RM_OK) {
        if (status > 0) status = RM_EINTERNAL;
        if (!err->is_set) {
            err->status = status;
            err->is_set = 1;
            err->message = strdup(rm_strerror(status));
        }
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
