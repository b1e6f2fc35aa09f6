/* executor.c — node calls: every plugin call goes through one function. */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/contract.h"
#include "item/item.h"
#include "observe/observe.h"

const char *rm__op_name(rm__op_t op) {
    switch (op) {
    case RM__OP_CREATE: return "create";
    case RM__OP_PROCESS: return "process";
    case RM__OP_GENERATE: return "generate";
    case RM__OP_FLUSH: return "flush";
    }
    return "?";
}

int rm__item_consistent(const rm_item_t *item, char *why, size_t why_len) {
    size_t bytes = 0;
    switch (item->kind) {
    case RM_KIND_AUDIO:
        if (rm__audio_format_check(&item->audio, &bytes) != RM_OK) {
            snprintf(why, why_len,
                     "invalid audio format (rate %u Hz, %u channels, sample "
                     "format %u, layout %u)",
                     item->audio.sample_rate, item->audio.channels,
                     item->audio.sample_format, item->audio.layout);
            return RM_EKIND;
        }
        break;
    case RM_KIND_TENSOR:
        if (rm__tensor_info_check(&item->tensor, &bytes) != RM_OK) {
            snprintf(why, why_len, "invalid tensor (dtype %u, %u dims)",
                     item->tensor.dtype, item->tensor.ndim);
            return RM_EKIND;
        }
        break;
    case RM_KIND_JSON:
    case RM_KIND_BYTES:
    case RM_KIND_PYOBJECT:
        return RM_OK;
    default:
        snprintf(why, why_len, "unknown item kind %u", item->kind);
        return RM_EKIND;
    }
    if (bytes > item->size) {
        snprintf(why, why_len,
                 "its %s format needs %zu bytes, but the item has %zu",
                 item->kind == RM_KIND_AUDIO ? "audio" : "tensor", bytes,
                 item->size);
        return RM_EKIND;
    }
    return RM_OK;
}

/* The first bad emit of a call is remembered: the call fails with it even
 * when the plugin ignores emit's status (execute_node_call). */
static void rm__emit_reject(rm_emit_t *out, uint32_t port, uint32_t kind) {
    if (out->rejected) return;
    out->rejected = 1;
    out->rejected_port = port;
    out->rejected_kind = kind;
}

int rm__emit(rm_emit_t *out, uint32_t port, rm_item_t *item) {
    if (!out || !item) {
        rm__violation_note(RM__VIOLATION_NULL_EMIT);
        if (out) rm__emit_reject(out, port, UINT32_MAX);
        rm__item_unref(item);
        return RM_EINVAL;
    }
    if (port >= out->port_count) {
        rm__violation_note(RM__VIOLATION_BAD_PORT);
        rm__emit_reject(out, port, item->kind);
        rm__item_unref(item);
        return RM_EINVAL;
    }
    /* A typed port only carries what it declares, and audio or a tensor
     * must fit its payload: garbage stops here, not in the next node. */
    if ((out->ports && out->ports[port].kinds &&
         (item->kind >= 32 ||
          !(out->ports[port].kinds & RM_KIND_BIT(item->kind)))) ||
        ((item->kind == RM_KIND_AUDIO || item->kind == RM_KIND_TENSOR ||
          item->kind > RM_KIND_PYOBJECT) &&
         rm__item_consistent(item, (char[160]){0}, 160) != RM_OK)) {
        rm__emit_reject(out, port, item->kind);
        rm__item_unref(item);
        return RM_EKIND;
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

static char *rm__bad_emit_message(const rm__node_t *node,
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
    char text[512];
    if (out->rejected_kind == UINT32_MAX)
        snprintf(text, sizeof(text),
                 "node '%s' (%s) emitted a NULL item on output port %u; "
                 "emit a valid item", node->m->id, node->m->type_name, port);
    else if (port >= out->port_count)
        snprintf(text, sizeof(text),
                 "node '%s' (%s) emitted on output port %u, but the type has "
                 "%u output port(s)", node->m->id, node->m->type_name, port,
                 out->port_count);
    else if (out->rejected_kind >= 32 || !out->ports ||
             !out->ports[port].kinds ||
             (out->ports[port].kinds & RM_KIND_BIT(out->rejected_kind)))
        snprintf(text, sizeof(text),
                 "node '%s' (%s) emitted a malformed %s item on output port "
                 "%u (format invalid or larger than its payload)",
                 node->m->id, node->m->type_name,
                 rm__kind_word(out->rejected_kind), port);
    else
        snprintf(text, sizeof(text),
                 "node '%s' (%s) emitted a %s item on output port %u '%s', "
                 "which carries %s", node->m->id, node->m->type_name,
                 rm__kind_word(out->rejected_kind), port,
                 out->ports[port].name ? out->ports[port].name : "?", kinds);
    return strdup(text);
}

/* The failing call's error, made complete: a plugin returning a positive
 * code broke the ABI contract; a failure without error_set gets the
 * status's text. */
static int settle_error(rm__task_t *task, int status, rm__op_t op) {
    if (status > 0) {
        rm__violation_note(RM__VIOLATION_POSITIVE_STATUS);
        rm__error_clear(&task->err);
        status = RM_EINTERNAL;
    }
    if (!task->err.is_set) {
        rm__violation_note(RM__VIOLATION_NO_MESSAGE);
        task->err.status = status;
        task->err.is_set = 1;
        task->err.message = strdup(rm_strerror(status));
    }
    task->status = status;
    task->failed_op = op;
    return status;
}

/*
 * The one function every process/generate/flush call goes through. It
 * times the call and keeps the per-node counts, asks the node's circuit
 * breaker first and tells it the outcome, and marks what a retry needs
 * (the failed call's outputs, its input's origin). Whether to retry is
 * decided on the loop thread (reliability.c). For a node with timeout_ms,
 * the call may be abandoned by the loop while it runs: then nothing of the
 * run is touched after it returns (RM__ABANDONED_CALL). Runs on a worker or
 * inline on the loop thread; it only touches the node's own stats fields
 * written by calls (see rm__node_run_t).
 */
#define RM__ABANDONED_CALL 1
static int execute_node_call(rm__task_t *task, rm__op_t op, uint32_t port,
                             rm_item_t *item, size_t origin) {
    rm__run_t *run = task->run;
    rm__node_t *node = &run->pipeline->nodes[task->node];
    rm__node_run_t *nr = &run->nodes[task->node];
    const rm_node_type_t *type = node->type;
    void *instance = run->instances->instances[task->node];
    size_t emitted_before = task->out.count;
    rm_node_stats_t *stats = &nr->stats;
    int timed = node->timeout_ms != 0;

    int status = rm__breaker_admit(node, &task->err);
    if (status != RM_OK) {
        stats->breaker_rejections++;
        if (run->trace)
            rm__trace_instant_(run->trace, task->node, "breaker_rejected",
                               NULL, 0);
        stats->failures++;
        task->failed_mark = emitted_before;
        task->failed_origin = origin;
        return settle_error(task, status, op);
    }
    if (timed) {
        task->call_type = type;
        task->call_instance = instance;
        task->call_host = run->instances->hosts[task->node];
        /* The call borrows `item`; if it is abandoned, the loop takes the
         * queue's reference back, so the call keeps its own until it
         * returns. */
        task->call_item = item ? rm__item_ref(item) : NULL;
    }
    uint64_t start = rm__now_ns();
    if (timed)
        atomic_store_explicit(&task->call_start_ns, start,
                              memory_order_release);
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
    if (timed) {
        rm_item_t *call_item = task->call_item;
        task->call_item = NULL;
        int expected = RM__CALL_RUNNING;
        if (!atomic_compare_exchange_strong_explicit(
                &task->call_state, &expected, RM__CALL_FINISHED,
                memory_order_acq_rel, memory_order_acquire)) {
            /* Timed out meanwhile: the loop has moved on (new instance,
             * new task); this call's instance, host and outputs are ours
             * to drop, and the task goes when both sides let go. */
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
            return RM__ABANDONED_CALL;
        }
        rm__item_unref(call_item);
    }

    stats->calls++;
    stats->total_ns += elapsed;
    if (stats->calls == 1 || elapsed < stats->min_ns) stats->min_ns = elapsed;
    if (elapsed > stats->max_ns) stats->max_ns = elapsed;
    if (task->inline_exec) stats->inline_calls++;
    for (size_t i = emitted_before; i < task->out.count; i++) {
        stats->items_out++;
        stats->bytes_out += task->out.items[i].item->size;
        task->out.items[i].origin = origin;
    }
    rm__learn(node, elapsed);
    if (run->metrics)
        rm__metrics_record(run->metrics, task->node, start, elapsed);
    if (run->trace)
        rm__trace_call(run->trace, task, op, start, elapsed, status);

    if (task->out.rejected) {
        /* Permanent: the same call would emit the same garbage. */
        task->out.rejected = 0;
        rm__error_clear(&task->err);
        task->err.status = RM_EKIND;
        task->err.is_set = 1;
        task->err.message = rm__bad_emit_message(node, &task->out);
        status = RM_EKIND;
    }
    if (status == RM_OK && task->out.overflow) {
        task->out.overflow = 0;
        rm__error_clear(&task->err);
        task->err.status = RM_ENOMEM;
        task->err.is_set = 1;
        task->err.message = strdup("out of memory while emitting an item");
        status = RM_ENOMEM;
    }
    if (status == RM_OK) {
        task->attempt = 1;
        rm__breaker_record(node, 1, NULL);
        return RM_OK;
    }
    stats->failures++;
    task->failed_mark = emitted_before;
    task->failed_origin = origin;
    status = settle_error(task, status, op);
    rm__breaker_record(node, 0, task->err.message);
    return status;
}

/* Create the node's instance if a timeout took the previous one away. */
static int ensure_instance(rm__task_t *task) {
    rm__run_t *run = task->run;
    if (run->instances->created[task->node]) return RM_OK;
    int status = rm__node_create(run->pipeline, run->instances, task->node,
                                 &task->err);
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

void rm__task_reset(rm__task_t *task) {
    for (size_t i = 0; i < task->out.count; i++)
        rm__item_unref(task->out.items[i].item);
    task->out.count = 0;
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
                    rm_error_t *err) {
    const rm__node_t *node = &pipeline->nodes[index];
    void *instance = NULL;
    int status = node->type->create(&instances->hosts[index]->pub,
                                    node->m->params, &instance, err);
    if (status != RM_OK) {
        if (status > 0) {
            rm__violation_note(RM__VIOLATION_POSITIVE_STATUS);
            status = RM_EINTERNAL;
        }
        if (!err->is_set) {
            rm__violation_note(RM__VIOLATION_NO_MESSAGE);
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
