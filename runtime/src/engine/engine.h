/*
 * engine.h — compiled pipelines, runs and node calls (engine/, internal).
 *
 * engine/ uses manifest/, registry/, host/, item/, policy/, observe/ and
 * util/; nothing below uses engine/ (docs/architecture.md).
 *
 * pipeline.c   compile (manifest → nodes → instances), results, the public
 *              API;
 * session.c    sessions (push, poll, end, close) and rm_pipeline_run as one;
 * scheduler.c  one run's state machine: queues, readiness, back-pressure,
 *              end-of-stream, the event loop and the drive loop,
 *              inline-or-pool decisions;
 * node_call.c  tasks (one task on one node: a batch of calls; init,
 *              reset, release when abandoned) and execute_node_call —
 *              the single place every plugin call goes through: admit
 *              (policy/ breaker) → call → settle → notify (observe/ gets
 *              one rm__call_event_t);
 * watchdog.c   retry timers and call timeouts (the loop-thread side of
 *              reliability; the arithmetic is policy/); it reaches the
 *              scheduler only through hooks (rm__watchdog_hooks_t);
 * budget.c     run budgets: items and bytes produced per item entering a
 *              run (RM_EBUDGET);
 * scheduler_pool.c  the worker threads (and replacements for workers stuck
 *              in abandoned calls).
 *
 * Threads and locks. All run state (queues, counters, node states) belongs
 * to the run's loop thread — the thread that called rm_pipeline_run, or
 * the one calling into the session now (one at a time) — and is touched
 * nowhere else, so it needs no lock. A task is owned by exactly
 * one thread at a time: the loop thread builds it, a worker (or the loop
 * thread itself, inline) executes it, the loop thread completes it. Two
 * mutexes exist, never nested: the pool's queue lock and each run's
 * `done_lock` (completed tasks); both are leaves, and no plugin code ever
 * runs while either is held. Lock order is therefore trivial: take at most
 * one. Mutex hand-offs give the happens-before a [serial] plugin needs.
 */
#ifndef RM_ENGINE_H
#define RM_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <remotemedia/pipeline.h>

#include "engine/scheduler_pool.h"
#include "host/host.h"
#include "manifest/manifest.h"
#include "observe/observe.h"
#include "policy/policy.h"
#include "registry/registry_private.h"

/* Where a node's calls run under RM_EXEC_AUTO (scheduler.c should_inline).
 * Measured (bench/batch, issue #14): a hop to the worker pool costs more
 * than the pipelining it buys for calls of up to ~1 ms, on a chain and on
 * a fan-out alike (-j 2 batch 2.4x slower, one file 1.5x). So calls run on
 * the calling thread unless the node's calls are LONG: an average (moving,
 * 1/8) of RM__LONG_CALL_NS or more, or a call slower than RM__SLOW_CALL_NS
 * within its last RM__SLOW_PENALTY calls — and then only when another task
 * could run meanwhile. A node cheaper than RM__FAST_CALL_NS also takes its
 * queued items in one task (a batch amortizes the per-task work). */
#define RM__FAST_CALL_NS 20000u
#define RM__LONG_CALL_NS 1000000u
#define RM__SLOW_PENALTY 64u
#define RM__SLOW_CALL_NS 20000000u
/* Most input items one task takes (a batch amortizes the hop). */
#define RM__MAX_BATCH 64u

/* A compiled node (immutable after compile, except the learned timing). */
typedef struct rm__node {
    const rm_manifest_node_t *m;      /* id, type, params, edges            */
    const rm_node_type_t *type;
    int is_entry;                     /* gets the run's input stream        */
    int is_source;
    int is_sink;                      /* no outgoing edge: output = result  */
    size_t sink_index;                /* when is_sink                       */
    uint64_t unused_ports;            /* bit p: no edge leaves output p of a
                                         node that is not a sink (host.h)   */
    /* What the scheduler has learned about this node's call cost, shared
     * by all runs (relaxed atomics: an estimate, races are harmless). */
    atomic_uint_fast64_t avg_call_ns; /* 0 = never measured                 */
    atomic_uint slow_penalty;         /* fast calls until trusted again     */
    uint32_t timeout_ms;              /* m->retry.timeout_ms, kept hot: the
                                         scheduler reads it on every task   */
    rm__breaker_t breaker;
} rm__node_t;

/* Node instances plus their hosts: owned by one run at a time. */
typedef struct rm__instances {
    size_t count;
    rm__host_t **hosts;               /* one allocation each: a timed-out
                                         call takes its host with it        */
    void **instances;
    unsigned char *created;           /* 0 = not created (yet, or again)    */
} rm__instances_t;

struct rm_pipeline {
    const rm_registry_t *registry;
    rm_manifest_t *manifest;
    rm__node_t *nodes;
    size_t node_count;
    size_t sink_count;
    size_t *entries;                  /* the entry nodes' indices, lowest
                                         first (compile): what a push to
                                         every entry walks                  */
    size_t entry_count;
    int is_chain;                     /* one path: each node <= 1 in, 1 out */
    _Atomic(rm__instances_t *) cached; /* reused by the next run            */
    _Atomic(void *) scratch;          /* a run's state block, reused (see
                                         scheduler.c run_setup)             */
};

/* One queued input item (a reference owned by the queue). */
typedef struct rm__queued {
    rm_item_t *item;
    uint32_t port;
    uint32_t edge;                    /* RM__INPUT_EDGE: the run's inputs   */
    size_t origin;                    /* see RM__NO_ORIGIN                  */
} rm__queued_t;
#define RM__INPUT_EDGE UINT32_MAX

struct rm__run;

typedef struct rm__task {
    rm__pool_task_t pool;             /* FIRST: the pool queues this        */
    struct rm__run *run;
    size_t node;
    rm__op_t op;
    rm__queued_t *batch;              /* PROCESS: the inputs (owned from
                                         batch_next on; earlier ones are
                                         done and NULL)                     */
    size_t batch_count, batch_capacity, batch_next;
    size_t budget;                    /* GENERATE: most items to produce    */
    uint64_t out_bytes;               /* bytes of out.items (node_call.c
                                         counts them; budget.c reuses it)   */
    int finished;                     /* GENERATE: the source said so       */
    int status;                       /* RM_OK or the failing call's        */
    rm__op_t failed_op;
    int inline_exec;
    rm_emit_t out;
    rm_error_t err;
    struct rm__task *next_done;       /* run->done list                     */
    /* Reliability. `attempt` is the 1-based attempt of the call at the head
     * of the task (reset to 1 by a success). `failed_mark`: out.count
     * before the failed call (its own outputs are dropped when retried). */
    uint32_t attempt;
    size_t failed_mark;
    size_t failed_origin;             /* input the failed call derived from */
    int heap;                         /* allocated alone (timeout nodes)    */
    /* Timeout hand-off (nodes with timeout_ms; one call per task). The
     * worker stores call_start_ns just before the plugin call and, after
     * it, CASes call_state RUNNING -> FINISHED; the loop's timeout check
     * CASes RUNNING -> ABANDONED. Whoever wins owns what follows: after
     * ABANDONED the worker touches nothing of the run; it destroys the
     * instance and host it called (call_*) and drops its orphan_refs. */
    uint64_t queued_ns;               /* sent to the pool (loop thread):
                                         timeout_ms counts from here, the
                                         wait for a worker included        */
    atomic_uint_fast64_t call_start_ns;
    atomic_int call_state;
    atomic_uint orphan_refs;
    const rm_node_type_t *call_type;
    void *call_instance;
    rm__host_t *call_host;
    rm_item_t *call_item;             /* the call's own reference to its
                                         input: the loop takes the queue's
                                         back when it abandons the call     */
} rm__task_t;

enum { RM__CALL_RUNNING = 0, RM__CALL_FINISHED = 1, RM__CALL_ABANDONED = 2 };

typedef struct rm__node_run {
    rm__queued_t *ring;               /* input queue (grows; bounded in use
                                         by back-pressure)                  */
    size_t ring_capacity, head, count;
    size_t open_inputs;               /* producers not ended (+ input)      */
    size_t input_queued;              /* entry: inputs waiting in the ring  */
    uint8_t running, done, source_finished, dirty, input_ended;
    uint8_t retry_wait;               /* task waits for its back-off timer  */
    uint8_t wants_room;               /* could not start for want of room on
                                         an output edge: a consumer taking
                                         an item re-checks it (only then)   */
    rm__task_t *task;                 /* nodes are [serial]: one task each  */
    uv_timer_t *timer;                /* back-off or timeout check; made on
                                         first need (watchdog.c)            */
    rm_node_stats_t stats;
} rm__node_run_t;

typedef struct rm__sink_items {
    rm_item_t **items;
    size_t count, capacity;
} rm__sink_items_t;

struct rm_run_result {
    rm__observers_t obs;              /* metrics, trace (observe/)          */
    uint64_t start_ns;                /* rm__now_ns() at the run's start  */
    int64_t started_wall_us;          /* wall clock then, µs since epoch  */
    int status;
    rm_run_error_t error;             /* valid when status != RM_OK         */
    char *error_message;
    const rm_pipeline_t *pipeline;
    rm__sink_items_t *sinks;          /* sink_count                         */
    size_t sink_count;
    rm_node_stats_t *stats;           /* node_count                         */
    size_t node_count;
    uint64_t total_ns;
    size_t input_count;
    size_t first_unprocessed;         /* see rm_run_result_first_unprocessed */
};

/* One output of a sink, waiting for the session's caller. */
typedef struct rm__output {
    rm_item_t *item;                  /* the queue's reference              */
    size_t node;
    uint32_t port;
} rm__output_t;

typedef struct rm__run {
    rm_pipeline_t *pipeline;
    rm__instances_t *instances;
    rm_run_options_t options;
    /* Inputs are pushed (session.c) into the entry nodes' rings; `pushed`
     * counts them (the next input's origin). After `ended` no more come. */
    size_t pushed;
    int ended;
    int stopping;                     /* closed mid-stream: start nothing   */
    rm_cancel_t *cancel;              /* rm_cancel_request: fail, cancelled */
    size_t wait_entry;                /* the entry a waiting push needs     */
    /* Sink outputs: collected into result->sinks (rm_pipeline_run), or
     * queued for the session's caller, at most `output_limit` before the
     * sinks wait (0: unbounded). */
    int queue_outputs;
    size_t output_limit;
    rm__output_t *outputs;
    size_t out_head, out_count, out_capacity;
    rm__node_run_t *nodes;
    rm__task_t *tasks;                /* the tasks of nodes without timeout */
    const struct rm__watchdog_hooks *watchdog; /* the scheduler's hooks
                                         for watchdog.c (see there)         */
    uint64_t rng;                     /* back-off jitter (xorshift64*)      */
    size_t fail_origin;               /* first input the failure lost       */
    uint32_t *edge_queued;            /* items on each edge not yet taken   */
    size_t *dirty;                    /* FIFO of node indices to re-check   */
    size_t dirty_head, dirty_count;
    rm__task_t **ready;               /* scratch: tasks built this round    */
    /* Run budgets (budget.c): items entering the run (inputs pushed are
     * `pushed`; items sources generated) and items/bytes nodes produced. */
    uint64_t generated, produced_items, produced_bytes;
    uint64_t budget_entered;          /* the allowances below are for this
                                         many items entered (0: none yet)   */
    uint64_t items_allowed, bytes_allowed;
    size_t in_flight;
    size_t nodes_done;
    int failed;
    rm_run_result_t *result;
    rm__observers_t obs;              /* = result->obs                      */
    /* Event loop, set up only when a task first goes to the pool. */
    int loop_ready;
    uv_loop_t loop;
    uv_async_t async;
    pthread_mutex_t done_lock;        /* guards done_head/done_tail         */
    rm__task_t *done_head, *done_tail;
} rm__run_t;

/* node_call.c */
/* Run the task's calls on the current thread. Returns 1 when the task was
 * abandoned by a timeout meanwhile: it then belongs to nobody the caller
 * knows (do not touch it or its run), else 0. A failed call stops the
 * task: the failing input and those after it stay in batch[batch_next..]. */
int rm__task_execute(rm__task_t *task);
/* Drop one owner's reference to an abandoned task; the last frees it. */
void rm__orphan_release(rm__task_t *task);

/* Make `task` node n's task in `run` (zeroed before: attempt 1, nothing
 * held); new: the same, allocated alone (heap = 1; NULL when out of
 * memory). The scheduler sets task->pool.fn when it sends one to the pool. */
void rm__task_init(rm__run_t *run, rm__task_t *task, size_t n);
rm__task_t *rm__task_new(rm__run_t *run, size_t n);
/* Drop whatever the task still holds (emitted items, inputs, error). */
void rm__task_reset(rm__task_t *task);
/* Create node `index`'s instance into instances; on failure fills `err`.
 * `cancel`: the token of the run or compile it is created for (NULL:
 * none); a create that retries (host extension "remotemedia.retry/1")
 * stops waiting when it is requested. */
int rm__node_create(const rm_pipeline_t *pipeline,
                    rm__instances_t *instances, size_t index,
                    const rm_cancel_t *cancel, rm_error_t *err);

/* pipeline.c, for session.c. take: the cached instance set or a new one,
 * every instance created for the run `cancel` stops (NULL only when out of
 * memory; on a failed create *status, *failed_node and `err` say which). */
rm__instances_t *rm__instances_take(rm_pipeline_t *p,
                                    const rm_cancel_t *cancel, int *status,
                                    size_t *failed_node, rm_error_t *err);
void rm__instances_give_back(rm_pipeline_t *p, rm__instances_t *set);
rm_run_result_t *rm__result_new(const rm_pipeline_t *p);
/* `message` past a leading "node '<id>' (<type>): " naming node `m` (the
 * built-in plugins name their node so): for the compile's diagnostic,
 * which names the node itself. A run error's message keeps it: it is read
 * alone (the runtime's own messages name the node too). */
const char *rm__past_own_label(const rm_manifest_node_t *m,
                               const char *message);
/* An error outside a node call: a create of `node` that made `attempt` of
 * `max_attempts` (rm__host_create_attempts), or a bad input (node NULL,
 * attempts 0). */
void rm__result_set_error(rm_run_result_t *r, const rm__node_t *node,
                          const char *operation, int status,
                          const rm_error_t *err, uint32_t attempt,
                          uint32_t max_attempts);

/* scheduler.c: the life of a run (a session's engine; session.c).
 * begin: set up the per-node state. push: queue `item` (a new reference)
 * at entry node `entry` (or every entry: SIZE_MAX) on `port`; RM_EAGAIN
 * when an entry's input queue is full. end_input: end-of-stream on every
 * entry. drive: run what can run; with `wait`, until nothing is in flight
 * (quiescent) or `until(run)` holds. finished: every node done, or failed
 * and settled. finish: fill the result (stats, partial results) and tear
 * the state down. */
int rm__run_begin(rm__run_t *run);
int rm__run_push(rm__run_t *run, size_t entry, uint32_t port,
                 rm_item_t *item);
int rm__run_has_room(const rm__run_t *run, size_t entry);
void rm__run_end_input(rm__run_t *run);
void rm__run_drive(rm__run_t *run, int wait,
                   int (*until)(const rm__run_t *run));
int rm__run_finished(const rm__run_t *run);
int rm__run_outputs_full(const rm__run_t *run);
void rm__run_stop(rm__run_t *run);
void rm__run_finish(rm__run_t *run);
/* Pop the oldest queued output; 0 when none. */
int rm__run_pop_output(rm__run_t *run, rm__output_t *out);
/* Free a run state block the pipeline kept (pipeline->scratch) and the
 * node buffers it keeps. */
void rm__run_scratch_free(const rm_pipeline_t *p, void *block);

/* scheduler.c: fail the run (the first failure is the one reported).
 * `attempt` 0: a failure of the runtime's own, not of a node call. */
void rm__sched_fail(rm__run_t *run, size_t n, rm__op_t op, int status,
                    int transient, const char *message, uint32_t attempt);

/* budget.c. defaults: the budgets from the environment or the built-in
 * defaults. charge: count the first `upto` items of a finished task
 * against the run's budgets: 1 within them; 0 over budget, with `message`
 * saying which budget, at which node and how to raise it (the caller fails
 * the run with RM_EBUDGET and drops the items instead of delivering them). */
#define RM__BUDGET_MESSAGE_MAX 640
void rm__budget_defaults(rm_run_options_t *options);
int rm__budget_charge(rm__run_t *run, const rm__task_t *task, size_t upto,
                      char *message, size_t size);

/* watchdog.c (loop thread). It sits below the scheduler and reaches it
 * only through the hooks the scheduler registers in run->watchdog:
 * ensure_loop: the run's event loop (the timers run on it; RM_OK or an
 * error); resume: a back-off ended, dispatch the waiting task again;
 * complete: the watchdog failed a task (timed out), settle it like any
 * task that came back. resume and complete then schedule what can run. */
typedef struct rm__watchdog_hooks {
    int (*ensure_loop)(rm__run_t *run);
    void (*resume)(rm__run_t *run, rm__task_t *task);
    void (*complete)(rm__run_t *run, rm__task_t *task);
} rm__watchdog_hooks_t;
/* A task came back failed: retry it after its back-off (returns 1; the
 * node stays busy) or not (returns 0: the caller fails the run). */
int rm__retry_maybe(rm__run_t *run, rm__task_t *task);
/* A process call failed for good on a node with "on_error": "skip": drop
 * its input (counted in stats.skipped) and go on with the task's other
 * inputs after a zero back-off (returns 1; the node stays busy), or not
 * (returns 0: the caller fails the run). */
int rm__skip_maybe(rm__run_t *run, rm__task_t *task);
/* A task of a node with timeout_ms went to the pool: watch it. */
void rm__timeout_watch(rm__run_t *run, size_t n);
/* The run failed: drop every back-off wait (their tasks end). */
void rm__retry_cancel_all(rm__run_t *run);

#endif /* RM_ENGINE_H */
