/*
 * observe.h — the observers of node calls: detailed per-run metrics and
 * the trace (internal).
 *
 * The engine tells them about each node call with one small event
 * (rm__call_event_t, below) and about reliability decisions with instants
 * and spans; observe/ knows nothing of the engine's tasks and runs, and
 * reads a finished run through rm__run_report_t. observe/ uses manifest/
 * (node ids, types, params) and util/ only (docs/architecture.md).
 *
 * Both are off unless a run asks (rm_run_options_t.flags: RM_RUN_METRICS,
 * RM_RUN_TRACE); off, the engine pays one pointer test per call each.
 * Both objects belong to the run result from the start of the run; the
 * run points at them (rm__observers_t).
 *
 * Threads. Per-node state here is written only by the thread that owns the
 * node at that moment: the thread executing its task (a worker, or the
 * loop thread inline), or the loop thread while the node has no task in
 * flight. Task hand-offs go through the pool's / run's mutexes, which give
 * the happens-before; so no locks and no atomics here. The result is read
 * after the run ended.
 *
 * metrics.c  histogram of call durations (log-linear buckets, ≤ 0.8 %
 *            relative error), first start / last end per node, the JSON
 *            document (docs/metrics.md) and the summary table;
 * trace.c    one event per node call and instants/spans from the
 *            reliability code, exported as Chrome trace-event JSON.
 */
#ifndef RM_OBSERVE_H
#define RM_OBSERVE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <remotemedia/pipeline.h>

#include "manifest/manifest.h"
#include "util/util.h"

/* ---- the call event ----------------------------------------------------
 * What the engine tells its observers about each node call (the seam of
 * docs/architecture.md): nothing of the engine's task or run. */
typedef enum rm__op {
    RM__OP_CREATE = 0, RM__OP_PROCESS, RM__OP_GENERATE, RM__OP_FLUSH
} rm__op_t;
const char *rm__op_name(rm__op_t op);

typedef struct rm__call_event {
    size_t node;                      /* index in the pipeline              */
    rm__op_t op;
    uint64_t start_ns;                /* rm__now_ns() when the call began   */
    uint64_t dur_ns;
    int status;                       /* RM_OK or what the call returned    */
    uint32_t attempt;                 /* 1-based (retries count up)         */
    uint32_t thread;                  /* rm__thread_id() of the caller      */
    int inline_exec;                  /* on the run's calling thread        */
} rm__call_event_t;

/* ---- histogram ------------------------------------------------------------
 * Values (ns) below 128 are counted exactly (block 0, 128 slots). A value
 * v >= 128 with e = floor(log2 v) goes to block e - 6 (64 slots), slot
 * (v >> (e - 6)) - 64: a bucket is 1/64 of its power of two wide, so the
 * bucket's midpoint is within 1/128 (0.78 %) of any value in it. Values
 * of 2^41 ns (~37 min) and more share the last bucket. Blocks are
 * allocated on first use, so a node whose calls span a few powers of two
 * costs a few hundred bytes; in a run they come from one arena shared by
 * the run's nodes (one malloc per run, not one per block). Counts are
 * 32-bit and saturate (4 billion calls in one bucket of one run). */
#define RM__HIST_EXACT 128u
#define RM__HIST_SUB 64u
#define RM__HIST_MAX_EXP 40u
#define RM__HIST_BLOCKS (RM__HIST_MAX_EXP - 6u + 1u)

/* Blocks for the histograms of one run, handed out by an atomic bump
 * (nodes run on several threads); beyond it, calloc. Allocated when the
 * first histogram needs a block (a short run never pays for it). */
typedef struct rm__hist_arena {
    _Atomic(uint32_t *) base;
    size_t slots;                     /* capacity, in counts                */
    atomic_size_t used;
} rm__hist_arena_t;

typedef struct rm__hist {
    uint32_t *blocks[RM__HIST_BLOCKS];
    rm__hist_arena_t *arena;          /* NULL: blocks come from calloc      */
    uint64_t count;
    uint64_t dropped;                 /* out of memory for a block          */
} rm__hist_t;

uint32_t *rm__hist_block_new(rm__hist_t *hist, unsigned block);

static inline void rm__hist_add(rm__hist_t *hist, uint64_t ns) {
    unsigned block, slot;
    if (ns < RM__HIST_EXACT) {
        block = 0;
        slot = (unsigned)ns;
    } else {
        unsigned e = 63u - (unsigned)__builtin_clzll(ns);
        if (e > RM__HIST_MAX_EXP) {
            e = RM__HIST_MAX_EXP;
            ns = (UINT64_C(2) << RM__HIST_MAX_EXP) - 1u;
        }
        block = e - 6u;
        slot = (unsigned)(ns >> (e - 6u)) - RM__HIST_SUB;
    }
    uint32_t *counts = hist->blocks[block];
    if (__builtin_expect(!counts, 0)) {
        counts = rm__hist_block_new(hist, block);
        if (!counts) {
            hist->dropped++;
            return;
        }
    }
    if (__builtin_expect(counts[slot] != UINT32_MAX, 1)) {
        counts[slot]++;
        hist->count++;
    } else {
        hist->dropped++;
    }
}
/* The nearest-rank quantile q (0 < q <= 1) as the bucket midpoint; 0
 * when empty. */
uint64_t rm__hist_quantile(const rm__hist_t *hist, double q);
void rm__hist_free(rm__hist_t *hist);

/* ---- detailed metrics --------------------------------------------------- */

/* One cache line per node: a node's first RM__SMALL_CALLS call times are
 * kept exactly, inline (percentiles of a few calls are then exact, and a
 * short run touches one line per node); from the next call on they all
 * go to a histogram allocated then. */
#define RM__SMALL_CALLS 8u

typedef struct rm__node_metrics {
    uint64_t first_start_ns;          /* absolute (rm__now_ns); 0 = never   */
    uint64_t last_end_ns;
    uint32_t small[RM__SMALL_CALLS];  /* ns, while hist is NULL             */
    uint32_t small_count;
    uint32_t reserved;
    rm__hist_t *hist;                 /* NULL until small is full           */
} rm__node_metrics_t;

typedef struct rm__metrics {
    size_t node_count;
    rm__node_metrics_t *nodes;
    rm__hist_arena_t arena;
} rm__metrics_t;

/* Moves `small` into a new histogram and adds `elapsed` (metrics.c). */
void rm__metrics_record_slow(rm__metrics_t *m, rm__node_metrics_t *nm,
                             uint64_t elapsed);

static inline void rm__metrics_record(rm__metrics_t *m, size_t node,
                                      uint64_t start_ns, uint64_t elapsed) {
    rm__node_metrics_t *nm = &m->nodes[node];
    if (!nm->first_start_ns) nm->first_start_ns = start_ns;
    nm->last_end_ns = start_ns + elapsed;
    if (__builtin_expect(!nm->hist, 1) && nm->small_count < RM__SMALL_CALLS &&
        elapsed <= UINT32_MAX) {
        nm->small[nm->small_count++] = (uint32_t)elapsed;
        return;
    }
    if (nm->hist) rm__hist_add(nm->hist, elapsed);
    else rm__metrics_record_slow(m, nm, elapsed);
}

/* Calls recorded for the node, and its nearest-rank quantile q (exact
 * while the calls fit in `small`, else within 0.8 %); 0 without calls. */
uint64_t rm__node_metrics_count(const rm__node_metrics_t *nm);
uint64_t rm__node_metrics_quantile(const rm__node_metrics_t *nm, double q);

/* ---- trace -------------------------------------------------------------- */

typedef enum rm__trace_kind {
    RM__TRACE_CALL = 0,               /* a node call ("X")                  */
    RM__TRACE_INSTANT = 1,            /* "i", e.g. a retry decision         */
    RM__TRACE_SPAN = 2                /* "X" not a call, e.g. a back-off    */
} rm__trace_kind_t;

typedef struct rm__trace_event {
    uint64_t start_ns;                /* absolute (rm__now_ns)              */
    uint64_t dur_ns;
    const char *name;                 /* static; INSTANT/SPAN               */
    const char *arg_name;             /* static or NULL                     */
    int64_t arg_value;
    int64_t item;                     /* CALL: item index, -1 = none        */
    uint32_t tid;
    uint8_t kind;                     /* rm__trace_kind_t                   */
    uint8_t op;                       /* rm__op_t                           */
    uint8_t inline_exec;              /* on the run's calling thread        */
    int8_t status;                    /* CALL: 0 or a negative rm_status    */
} rm__trace_event_t;

typedef struct rm__node_trace {
    rm__trace_event_t *events;        /* first in the run's shared block    */
    size_t count, capacity;
    int owned;                        /* events is its own allocation       */
    int64_t process_calls, generate_calls;
    uint64_t dropped;
} rm__node_trace_t;

/* Most events kept per node (a 1M-item stream through a node traces
 * ~48 MB for it); the rest are counted as dropped. */
#define RM__TRACE_MAX_EVENTS_PER_NODE (1u << 20)

#define RM__TRACE_FIRST_EVENTS 4u      /* per node, from one block per run   */

typedef struct rm__trace {
    size_t node_count;
    rm__node_trace_t *nodes;
    rm__trace_event_t *first_events;  /* node_count * RM__TRACE_FIRST_EVENTS */
    uint32_t caller_tid;              /* the run's calling (loop) thread    */
} rm__trace_t;

int rm__trace_new(rm__trace_t **out, size_t node_count);
void rm__trace_free(rm__trace_t *trace);

/* The calling thread's kernel thread id (cached per thread). */
uint32_t rm__thread_id(void);


/* For the reliability code (retries, back-off, breaker); `run` in the
 * macros is anything with a `trace` member (rm__observers_t).  Call from the
 * thread that owns `node` now (see Threads above). `name` and `arg_name`
 * must be string literals (kept by pointer). No-ops when the run does not
 * record a trace: a pointer test, nothing else. */
/* A node call, after it returned. */
void rm__trace_call(rm__trace_t *trace, const rm__call_event_t *event);

void rm__trace_instant_(rm__trace_t *trace, size_t node, const char *name,
                        const char *arg_name, int64_t arg_value);
void rm__trace_span_(rm__trace_t *trace, size_t node, const char *name,
                     uint64_t start_ns, uint64_t end_ns,
                     const char *arg_name, int64_t arg_value);
#define rm__trace_instant(run, node, name)                                    \
    do {                                                                      \
        if ((run)->trace)                                                     \
            rm__trace_instant_((run)->trace, (node), (name), NULL, 0);        \
    } while (0)
#define rm__trace_instant_arg(run, node, name, arg_name, arg_value)           \
    do {                                                                      \
        if ((run)->trace)                                                     \
            rm__trace_instant_((run)->trace, (node), (name), (arg_name),      \
                               (int64_t)(arg_value));                         \
    } while (0)
/* A span such as a back-off wait: start/end from rm__now_ns(). */
#define rm__trace_span(run, node, name, start_ns, end_ns)                     \
    do {                                                                      \
        if ((run)->trace)                                                     \
            rm__trace_span_((run)->trace, (node), (name), (start_ns),         \
                            (end_ns), NULL, 0);                               \
    } while (0)
#define rm__trace_span_arg(run, node, name, start_ns, end_ns, arg_name,       \
                           arg_value)                                         \
    do {                                                                      \
        if ((run)->trace)                                                     \
            rm__trace_span_((run)->trace, (node), (name), (start_ns),         \
                            (end_ns), (arg_name), (int64_t)(arg_value));      \
    } while (0)


/* ---- the observers of one run ------------------------------------------ */

/* A fixed list: each is NULL when the run does not ask for it. */
typedef struct rm__observers {
    rm__metrics_t *metrics;           /* RM_RUN_METRICS                     */
    rm__trace_t *trace;               /* RM_RUN_TRACE                       */
} rm__observers_t;

/* Allocate what `flags` asks for (RM_RUN_METRICS, RM_RUN_TRACE) for a
 * pipeline of `node_count` nodes; RM_ENOMEM when that fails (then `obs`
 * holds what was made: free it). */
int rm__observers_begin(rm__observers_t *obs, size_t node_count,
                        uint32_t flags);
void rm__observers_free(rm__observers_t *obs);

static inline int rm__observing(const rm__observers_t *obs) {
    return obs->metrics || obs->trace;
}

/* Tell the observers about a node call (the engine, on the thread that
 * made the call; cheap: call it only when rm__observing). */
static inline void rm__observe_call(const rm__observers_t *obs,
                                    const rm__call_event_t *event) {
    if (obs->metrics)
        rm__metrics_record(obs->metrics, event->node, event->start_ns,
                           event->dur_ns);
    if (obs->trace) rm__trace_call(obs->trace, event);
}

/* A call the engine gave up on (timeout): its time as far as seen, and a
 * "timeout" span in the trace. */
static inline void rm__observe_abandoned(const rm__observers_t *obs,
                                         size_t node, uint64_t start_ns,
                                         uint64_t end_ns) {
    if (obs->metrics)
        rm__metrics_record(obs->metrics, node, start_ns, end_ns - start_ns);
    if (obs->trace)
        rm__trace_span_(obs->trace, node, "timeout", start_ns, end_ns, NULL,
                        0);
}

/* ---- a finished run, as the exports read it ----------------------------- */

/* Filled by the engine from its run result (engine/pipeline.c). */
typedef struct rm__run_report {
    const rm_manifest_t *manifest;    /* node i = manifest->nodes[i]        */
    const rm_node_stats_t *stats;     /* node_count                         */
    size_t node_count;
    int status;
    const rm_run_error_t *error;      /* valid when status != RM_OK         */
    uint64_t start_ns;                /* rm__now_ns() at the run's start    */
    int64_t started_wall_us;          /* wall clock then, µs since epoch    */
    uint64_t total_ns;
    const rm__observers_t *obs;
} rm__run_report_t;

/* The documents of remotemedia/metrics.h (rm_run_result_metrics_json,
 * rm_run_result_summary_text, rm_run_result_trace_json,
 * rm_run_result_node_quantile_ns), from a report. */
char *rm__metrics_json(const rm__run_report_t *r, uint32_t flags,
                       size_t *len);
char *rm__summary_text(const rm__run_report_t *r);
char *rm__trace_json(const rm__run_report_t *r, size_t *len);
int rm__metrics_quantile(const rm__run_report_t *r, size_t index, double q,
                         uint64_t *out);

#endif /* RM_OBSERVE_H */
