/*
 * session.c — streaming sessions (remotemedia/session.h), and
 * rm_pipeline_run as one session: its inputs pushed, then end of stream.
 *
 * A session owns a run (scheduler.c: per-node queues, tasks, the event
 * loop), a node instance set (pipeline.c) and the result its statistics,
 * metrics and error go into. It has no thread: push, end and poll drive the
 * run on the caller's thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <remotemedia/session.h>

#include "engine/engine.h"
#include "item/item.h"

struct rm_session {
    rm__run_t run;
    rm_run_result_t *result;
    rm__instances_t *instances;
    int begun;                        /* the run is set up (instances ok) */
    char *push_error;                 /* why the last push was refused    */
};

int rm_pipeline_node_index(const rm_pipeline_t *pipeline, const char *id,
                           size_t *index) {
    if (!pipeline || !id) return RM_EINVAL;
    for (size_t i = 0; i < pipeline->node_count; i++)
        if (strcmp(pipeline->nodes[i].m->id, id) == 0) {
            if (index) *index = i;
            return RM_OK;
        }
    return RM_ENOTFOUND;
}

int rm_pipeline_node_is_entry(const rm_pipeline_t *pipeline, size_t index) {
    return pipeline && index < pipeline->node_count &&
           pipeline->nodes[index].is_entry;
}

static void options_read(rm_run_options_t *into,
                         const rm_run_options_t *options) {
    memset(into, 0, sizeof(*into));
    into->struct_size = (uint32_t)sizeof(*into);
    into->queue_capacity = RM_DEFAULT_QUEUE_CAPACITY;
    rm__budget_defaults(into);
    if (!options) return;
    if (RM_STRUCT_HAS(options, rm_run_options_t, queue_capacity) &&
        options->queue_capacity)
        into->queue_capacity = options->queue_capacity;
    if (RM_STRUCT_HAS(options, rm_run_options_t, exec_policy) &&
        options->exec_policy <= RM_EXEC_INLINE)
        into->exec_policy = options->exec_policy;
    if (RM_STRUCT_HAS(options, rm_run_options_t, flags))
        into->flags = options->flags;
    if (RM_STRUCT_HAS(options, rm_run_options_t, max_items_per_input) &&
        options->max_items_per_input)
        into->max_items_per_input = options->max_items_per_input;
    if (RM_STRUCT_HAS(options, rm_run_options_t, max_bytes_per_input) &&
        options->max_bytes_per_input)
        into->max_bytes_per_input = options->max_bytes_per_input;
}

/* Set up `s` (zeroed by the caller). `queue_outputs`: sink outputs go to
 * the caller through rm_session_next (bounded by queue_capacity), else
 * into the result's sinks (rm_pipeline_run). RM_ENOMEM or RM_OK; a failed
 * create leaves the session failed, not begun. */
static int session_init(rm_session_t *s, rm_pipeline_t *p,
                        const rm_run_options_t *options, int queue_outputs,
                        rm_run_result_t *result) {
    rm__run_t *run = &s->run;
    run->pipeline = p;
    options_read(&run->options, options);
    run->queue_outputs = queue_outputs;
    run->output_limit = queue_outputs ? run->options.queue_capacity : 0;
    s->result = result;
    run->result = result;
    result->start_ns = rm__now_ns();
    result->started_wall_us = rm__wall_now_us();
    if (rm__observers_begin(&result->obs, p->node_count,
                            run->options.flags) != RM_OK)
        return RM_ENOMEM;
    run->obs = result->obs;
    int status = RM_OK;
    size_t failed = 0;
    rm_error_t err = {0};
    s->instances = rm__instances_take(p, run->cancel, &status, &failed, &err);
    if (!s->instances) return RM_ENOMEM;
    if (status != RM_OK) {
        uint32_t attempt, max_attempts;
        rm__host_create_attempts(s->instances->hosts[failed], &attempt,
                                 &max_attempts);
        rm__result_set_error(result, &p->nodes[failed], "create", status,
                             &err, attempt, max_attempts);
        rm__error_clear(&err);
        return RM_OK;
    }
    rm__error_clear(&err);
    for (size_t i = 0; i < p->node_count; i++)
        rm__account_reset_peak(s->instances->hosts[i]->account);
    run->instances = s->instances;
    if (rm__run_begin(run) != RM_OK) return RM_ENOMEM;
    s->begun = 1;
    return RM_OK;
}

/* Settle the run and fill the result; release instances. */
static void session_teardown(rm_session_t *s) {
    rm__run_t *run = &s->run;
    rm_run_result_t *r = s->result;
    rm_pipeline_t *p = run->pipeline;
    if (s->begun) {
        if (!rm__run_finished(run) || !(run->ended || run->failed)) {
            int cancelled = !run->failed;
            rm__run_stop(run);
            if (cancelled && r->status == RM_OK) {
                r->status = RM_ECANCELED;
                r->error.status = RM_ECANCELED;
                r->error.operation = "close";
                r->error.message = "the session was closed before its end "
                                   "of stream was processed";
            }
        }
        rm__run_finish(run);
        for (size_t i = 0; i < p->node_count; i++)
            r->stats[i].peak_bytes = atomic_load_explicit(
                &s->instances->hosts[i]->account->peak,
                memory_order_relaxed);
        s->begun = 0;
    } else {
        r->input_count = run->pushed;
        r->first_unprocessed = 0;
    }
    if (s->instances) rm__instances_give_back(p, s->instances);
    s->instances = NULL;
    r->total_ns = rm__now_ns() - r->start_ns;
    free(s->push_error);
    s->push_error = NULL;
}

int rm_session_open(rm_pipeline_t *pipeline, const rm_run_options_t *options,
                    rm_session_t **out) {
    if (!out) return RM_EINVAL;
    *out = NULL;
    if (!pipeline) return RM_EINVAL;
    rm_session_t *s = calloc(1, sizeof(*s));
    rm_run_result_t *r = rm__result_new(pipeline);
    if (!s || !r) {
        free(s);
        rm_run_result_free(r);
        return RM_ENOMEM;
    }
    if (session_init(s, pipeline, options, 1, r) != RM_OK) {
        session_teardown(s);
        rm_run_result_free(r);
        free(s);
        return RM_ENOMEM;
    }
    *out = s;
    return RM_OK;
}

int rm_session_set_cancel(rm_session_t *s, rm_cancel_t *cancel) {
    if (!s) return RM_EINVAL;
    s->run.cancel = cancel;
    return RM_OK;
}

int rm_session_status(const rm_session_t *s) {
    return s ? s->result->status : RM_EINVAL;
}

const rm_run_error_t *rm_session_error(const rm_session_t *s) {
    return s ? rm_run_result_error(s->result) : NULL;
}

const char *rm_session_push_error(const rm_session_t *s) {
    return s ? s->push_error : NULL;
}

size_t rm_session_pushed(const rm_session_t *s) {
    return s ? s->run.pushed : 0;
}

static int refuse(rm_session_t *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int refuse(rm_session_t *s, const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    free(s->push_error);
    s->push_error = strdup(text);
    return RM_EINVAL;
}

static int entry_takes_port(rm_session_t *s, size_t n, uint32_t port) {
    const rm__node_t *node = &s->run.pipeline->nodes[n];
    if (port < node->type->input_count) return RM_OK;
    return refuse(s, "node '%s' (%s) has %u input port(s); port %u does "
                     "not exist", node->m->id, node->m->type_name,
                  node->type->input_count, port);
}

/* The push's arguments, checked: RM_OK or RM_EINVAL (push_error says). */
static int push_check(rm_session_t *s, size_t entry, uint32_t port,
                      rm_item_t *item) {
    const rm_pipeline_t *p = s->run.pipeline;
    if (!item) return refuse(s, "push: the item is NULL");
    if (s->run.ended)
        return refuse(s, "push after end of stream (rm_session_end)");
    char why[200];
    if (rm__item_consistent(item, why, sizeof(why)) != RM_OK)
        return refuse(s, "input item %zu: %s", s->run.pushed, why);
    if (entry == RM_SESSION_ALL_ENTRIES) {
        if (!p->entry_count)
            return refuse(s, "pipeline '%s' has no entry node (its first "
                             "nodes are sources): nothing to push into",
                          p->manifest->name ? p->manifest->name : "?");
        for (size_t k = 0; k < p->entry_count; k++)
            if (entry_takes_port(s, p->entries[k], port) != RM_OK)
                return RM_EINVAL;
        return RM_OK;
    }
    if (entry >= p->node_count)
        return refuse(s, "push: node index %zu out of range (%zu nodes)",
                      entry, p->node_count);
    if (!p->nodes[entry].is_entry)
        return refuse(s, "node '%s' (%s) is not an entry node: %s",
                      p->nodes[entry].m->id, p->nodes[entry].m->type_name,
                      p->nodes[entry].is_source
                          ? "it is a source"
                          : "connections lead to it");
    return entry_takes_port(s, entry, port);
}

static int wait_entry_room_or_failed(const rm__run_t *run) {
    return run->failed || rm__run_has_room(run, run->wait_entry);
}

int rm_session_push(rm_session_t *s, size_t entry, uint32_t port,
                    rm_item_t *item, unsigned flags) {
    if (!s) return RM_EINVAL;
    rm__run_t *run = &s->run;
    if (!s->begun || run->failed) return s->result->status;
    if (push_check(s, entry, port, item) != RM_OK) return RM_EINVAL;
    for (;;) {
        int status = rm__run_push(run, entry, port, item);
        if (status == RM_OK) {
            rm__run_drive(run, 0, NULL);
            return s->result->status;
        }
        if (status != RM_EAGAIN) return s->result->status;
        /* Full. Make room if calls in flight or ready can; a session
         * stopped only by its full output queue needs the caller. */
        if ((flags & RM_PUSH_NOWAIT) || run->in_flight == 0) {
            rm__run_drive(run, 0, NULL);
            if (run->failed) return s->result->status;
            if (!rm__run_has_room(run, entry)) return RM_EAGAIN;
            continue;
        }
        run->wait_entry = entry;
        rm__run_drive(run, 1, wait_entry_room_or_failed);
        if (run->failed) return s->result->status;
    }
}

int rm_session_end(rm_session_t *s) {
    if (!s) return RM_EINVAL;
    if (!s->begun) return s->result->status;
    rm__run_end_input(&s->run);
    rm__run_drive(&s->run, 0, NULL);
    return s->result->status;
}

int rm_session_poll(rm_session_t *s, unsigned flags) {
    if (!s) return RM_EINVAL;
    if (!s->begun) return s->result->status;
    rm__run_drive(&s->run, (flags & RM_POLL_WAIT) != 0, NULL);
    return s->result->status;
}

int rm_session_next(rm_session_t *s, rm_session_output_t *out) {
    if (!s || !out || !s->begun) return 0;
    rm__output_t o;
    if (!rm__run_pop_output(&s->run, &o)) return 0;
    out->item = o.item;
    out->node = o.node;
    out->node_id = s->run.pipeline->nodes[o.node].m->id;
    out->port = o.port;
    return 1;
}

size_t rm_session_pending(const rm_session_t *s) {
    return s && s->begun ? s->run.out_count : 0;
}

int rm_session_finished(const rm_session_t *s) {
    if (!s) return 1;
    if (!s->begun) return 1;
    return rm__run_finished(&s->run) && (s->run.ended || s->run.failed);
}

int rm_session_close(rm_session_t *s, rm_run_result_t **result) {
    if (result) *result = NULL;
    if (!s) return RM_EINVAL;
    session_teardown(s);
    rm_run_result_t *r = s->result;
    int status = r->status;
    free(s);
    if (result) *result = r;
    else rm_run_result_free(r);
    return status;
}

/* ---- rm_pipeline_run: one session ---------------------------------------- */

int rm_pipeline_run(rm_pipeline_t *pipeline, const rm_run_options_t *options,
                    rm_item_t *const *inputs, size_t input_count,
                    rm_run_result_t **result) {
    return rm_pipeline_run_cancellable(pipeline, options, NULL, inputs,
                                       input_count, result);
}

int rm_pipeline_run_cancellable(rm_pipeline_t *pipeline,
                                const rm_run_options_t *options,
                                rm_cancel_t *cancel,
                                rm_item_t *const *inputs, size_t input_count,
                                rm_run_result_t **result) {
    if (result) *result = NULL;
    if (!pipeline || (input_count && !inputs)) return RM_EINVAL;
    for (size_t i = 0; i < input_count; i++)
        if (!inputs[i]) return RM_EINVAL;
    rm_run_result_t *r = rm__result_new(pipeline);
    if (!r) return RM_ENOMEM;
    /* Wrapped items carry caller-filled audio/tensor fields: a format that
     * does not fit its payload would make nodes read out of bounds. */
    for (size_t i = 0; i < input_count; i++) {
        char why[200], message[260];
        if (rm__item_consistent(inputs[i], why, sizeof(why)) == RM_OK)
            continue;
        snprintf(message, sizeof(message), "input item %zu: %s", i, why);
        rm_error_t err = {RM_EINVAL, 0, 1, message};
        rm__result_set_error(r, NULL, "run", RM_EINVAL, &err, 0, 0);
        r->input_count = input_count;
        r->first_unprocessed = 0;
        if (result) *result = r;
        else rm_run_result_free(r);
        return RM_EINVAL;
    }

    rm_session_t s;
    memset(&s, 0, sizeof(s));
    s.run.cancel = cancel;
    int status = session_init(&s, pipeline, options, 0, r);
    if (status == RM_OK && s.begun) {
        rm__run_t *run = &s.run;
        size_t next = 0;
        while (next < input_count && !run->failed) {
            /* Queue what fits (entries batch it), then run until there
             * is room again. */
            while (next < input_count && rm__run_has_room(run, SIZE_MAX) &&
                   rm__run_push(run, SIZE_MAX, 0, inputs[next]) == RM_OK)
                next++;
            run->wait_entry = SIZE_MAX; /* every entry */
            rm__run_drive(run, 1, wait_entry_room_or_failed);
        }
        rm__run_end_input(run);
        rm__run_drive(run, 1, NULL);
    }
    session_teardown(&s);
    r->input_count = input_count;
    if (r->status == RM_OK) r->first_unprocessed = input_count;
    if (status == RM_ENOMEM && r->status == RM_OK)
        rm__result_set_error(r, NULL, "run", status, NULL, 0, 0);
    status = r->status;
    if (result) *result = r;
    else rm_run_result_free(r);
    return status;
}
