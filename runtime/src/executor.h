/*
 * executor.h — compiled pipelines, runs and node calls (internal).
 *
 * pipeline.c   compile (manifest → nodes → instances), the public API;
 * scheduler.c  one run: queues, readiness, back-pressure, end-of-stream,
 *              the event loop, inline-or-pool decisions;
 * executor.c   one task on one node (a batch of calls), emit, and
 *              execute_node_call — the single place every plugin call goes
 *              through (timing and counts now; retry/breaker/timeout later);
 * scheduler_pool.c  the worker threads.
 *
 * Threads and locks. All run state (queues, counters, node states) belongs
 * to the run's loop thread — the thread that called rm_pipeline_run — and
 * is touched nowhere else, so it needs no lock. A task is owned by exactly
 * one thread at a time: the loop thread builds it, a worker (or the loop
 * thread itself, inline) executes it, the loop thread completes it. Two
 * mutexes exist, never nested: the pool's queue lock and each run's
 * `done_lock` (completed tasks); both are leaves, and no plugin code ever
 * runs while either is held. Lock order is therefore trivial: take at most
 * one. Mutex hand-offs give the happens-before a [serial] plugin needs.
 */
#ifndef RM_EXECUTOR_H
#define RM_EXECUTOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <remotemedia/pipeline.h>

#include "host.h"
#include "manifest.h"
#include "scheduler_pool.h"

/* A node call cheaper than this (moving average) runs inline on the loop
 * thread: a worker round trip (futex wake + eventfd + epoll) costs about
 * as much. A call slower than RM__SLOW_CALL_NS bars the node from running
 * inline until RM__SLOW_PENALTY fast calls have followed: a node that is
 * sometimes slow stalls the loop at most once per RM__SLOW_PENALTY calls,
 * and a trivial node that was preempted mid-call once (noisy machines) is
 * trusted again rather than sent to the pool for good. */
#define RM__FAST_CALL_NS 20000u
#define RM__SLOW_PENALTY 1024u
#define RM__SLOW_CALL_NS 2000000u
/* Most input items one task takes (a batch amortizes the hop). */
#define RM__MAX_BATCH 64u

typedef enum rm__op {
    RM__OP_CREATE = 0, RM__OP_PROCESS, RM__OP_GENERATE, RM__OP_FLUSH
} rm__op_t;
const char *rm__op_name(rm__op_t op);

/* A compiled node (immutable after compile, except the learned timing). */
typedef struct rm__node {
    const rm_manifest_node_t *m;      /* id, type, params, edges            */
    const rm_node_type_t *type;
    int is_entry;                     /* gets the run's input stream        */
    int is_source;
    int is_sink;                      /* no outgoing edge: output = result  */
    size_t sink_index;                /* when is_sink                       */
    /* What the scheduler has learned about this node's call cost, shared
     * by all runs (relaxed atomics: an estimate, races are harmless). */
    atomic_uint_fast64_t avg_call_ns; /* 0 = never measured                 */
    atomic_uint slow_penalty;         /* fast calls until trusted again     */
} rm__node_t;

/* Node instances plus their hosts: owned by one run at a time. */
typedef struct rm__instances {
    size_t count;
    rm__host_t *hosts;
    void **instances;
    unsigned char *created;           /* 0 = not created (yet, or again)    */
} rm__instances_t;

struct rm_pipeline {
    const rm_registry_t *registry;
    rm_manifest_t *manifest;
    rm__node_t *nodes;
    size_t node_count;
    size_t sink_count;
    size_t entry_count;
    int is_chain;                     /* one path: each node <= 1 in, 1 out */
    _Atomic(rm__instances_t *) cached; /* reused by the next run            */
};

typedef struct rm__emitted {
    rm_item_t *item;
    uint32_t port;
} rm__emitted_t;

/* The `out` of one task: items emitted by its calls, in order. */
struct rm_emit {
    rm__emitted_t *items;
    size_t count, capacity;
    uint32_t port_count;              /* the node type's output_count       */
    int overflow;                     /* an emit failed (out of memory)     */
};

/* One queued input item (a reference owned by the queue). */
typedef struct rm__queued {
    rm_item_t *item;
    uint32_t port;
    uint32_t edge;                    /* RM__INPUT_EDGE: the run's inputs   */
} rm__queued_t;
#define RM__INPUT_EDGE UINT32_MAX

struct rm__run;

typedef struct rm__task {
    rm__pool_task_t pool;             /* FIRST: the pool queues this        */
    struct rm__run *run;
    size_t node;
    rm__op_t op;
    rm__queued_t *batch;              /* PROCESS: the inputs (owned)        */
    size_t batch_count, batch_capacity;
    size_t budget;                    /* GENERATE: most items to produce    */
    int finished;                     /* GENERATE: the source said so       */
    int status;                       /* RM_OK or the failing call's        */
    rm__op_t failed_op;
    int inline_exec;
    rm_emit_t out;
    rm_error_t err;
    struct rm__task *next_done;       /* run->done list                     */
} rm__task_t;

typedef struct rm__node_run {
    rm__queued_t *ring;               /* input queue (grows; bounded in use
                                         by back-pressure)                  */
    size_t ring_capacity, head, count;
    size_t open_inputs;               /* producers not ended (+ input)      */
    size_t input_cursor;              /* entry: next input to enqueue       */
    size_t input_queued;              /* entry: inputs waiting in the ring  */
    uint8_t running, done, source_finished, dirty, input_ended;
    rm__task_t task;                  /* nodes are [serial]: one task each  */
    rm_node_stats_t stats;
} rm__node_run_t;

typedef struct rm__sink_items {
    rm_item_t **items;
    size_t count, capacity;
} rm__sink_items_t;

struct rm_run_result {
    int status;
    rm_run_error_t error;             /* valid when status != RM_OK         */
    char *error_message;
    const rm_pipeline_t *pipeline;
    rm__sink_items_t *sinks;          /* sink_count                         */
    size_t sink_count;
    rm_node_stats_t *stats;           /* node_count                         */
    size_t node_count;
    uint64_t total_ns;
};

typedef struct rm__run {
    rm_pipeline_t *pipeline;
    rm__instances_t *instances;
    rm_run_options_t options;
    rm_item_t *const *inputs;
    size_t input_count;
    rm__node_run_t *nodes;
    uint32_t *edge_queued;            /* items on each edge not yet taken   */
    size_t *dirty;                    /* FIFO of node indices to re-check   */
    size_t dirty_head, dirty_count;
    rm__task_t **ready;               /* scratch: tasks built this round    */
    size_t in_flight;
    size_t nodes_done;
    int failed;
    rm_run_result_t *result;
    /* Event loop, set up only when a task first goes to the pool. */
    int loop_ready;
    uv_loop_t loop;
    uv_async_t async;
    pthread_mutex_t done_lock;        /* guards done_head/done_tail         */
    rm__task_t *done_head, *done_tail;
} rm__run_t;

/* executor.c */
int rm__emit(rm_emit_t *out, uint32_t port, rm_item_t *item);
/* Run the task's calls on the current thread. */
void rm__task_execute(rm__task_t *task);
/* Drop whatever the task still holds (emitted items, inputs, error). */
void rm__task_reset(rm__task_t *task);
/* Create node `index`'s instance into instances; on failure fills `err`. */
int rm__node_create(const rm_pipeline_t *pipeline,
                    rm__instances_t *instances, size_t index,
                    rm_error_t *err);

/* scheduler.c: run to completion; fills run->result. */
int rm__run_execute(rm__run_t *run);

#endif /* RM_EXECUTOR_H */
