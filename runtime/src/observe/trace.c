/*
 * trace.c — record node calls (and retries, back-off waits) and export
 * them in the Chrome trace-event format (Perfetto UI, chrome://tracing).
 *
 * Events go into per-node arrays, appended by the thread that owns the
 * node at that moment (see observe.h): no lock. The export merges
 * them; one track (tid) per thread that ran something: the run's calling
 * thread (inline calls) first, then the workers.
 */
#include <remotemedia/metrics.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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

uint32_t rm__thread_id(void) {
    static _Thread_local uint32_t tid;
    if (!tid) tid = (uint32_t)syscall(SYS_gettid);
    return tid;
}

int rm__trace_new(rm__trace_t **out, size_t node_count) {
    rm__trace_t *t = calloc(1, sizeof(*t));
    if (!t) return RM_ENOMEM;
    t->node_count = node_count;
    size_t n = node_count ? node_count : 1;
    t->nodes = calloc(n, sizeof(*t->nodes));
    t->first_events =
        malloc(n * RM__TRACE_FIRST_EVENTS * sizeof(*t->first_events));
    if (!t->nodes || !t->first_events) {
        free(t->nodes);
        free(t->first_events);
        free(t);
        return RM_ENOMEM;
    }
    for (size_t i = 0; i < node_count; i++) {
        t->nodes[i].events = t->first_events + i * RM__TRACE_FIRST_EVENTS;
        t->nodes[i].capacity = RM__TRACE_FIRST_EVENTS;
    }
    t->caller_tid = rm__thread_id();
    *out = t;
    return RM_OK;
}

void rm__trace_free(rm__trace_t *t) {
    if (!t) return;
    for (size_t i = 0; i < t->node_count; i++)
        if (t->nodes[i].owned) free(t->nodes[i].events);
    free(t->first_events);
    free(t->nodes);
    free(t);
}

static rm__trace_event_t *push(rm__trace_t *t, size_t node) {
    if (node >= t->node_count) return NULL;
    rm__node_trace_t *nt = &t->nodes[node];
    if (nt->count == nt->capacity) {
        if (nt->capacity >= RM__TRACE_MAX_EVENTS_PER_NODE) {
            nt->dropped++;
            return NULL;
        }
        size_t capacity = nt->capacity < 64 ? 64 : nt->capacity * 2;
        rm__trace_event_t *grown =
            nt->owned ? realloc(nt->events, capacity * sizeof(*grown))
                      : malloc(capacity * sizeof(*grown));
        if (!grown) {
            nt->dropped++;
            return NULL;
        }
        if (!nt->owned) memcpy(grown, nt->events, nt->count * sizeof(*grown));
        nt->owned = 1;
        nt->events = grown;
        nt->capacity = capacity;
    }
    rm__trace_event_t *e = &nt->events[nt->count++];
    memset(e, 0, sizeof(*e));
    e->tid = rm__thread_id();
    return e;
}

void rm__trace_call(rm__trace_t *t, const rm__call_event_t *ev) {
    rm__node_trace_t *nt = &t->nodes[ev->node];
    int op = (int)ev->op, status = ev->status;
    int64_t item = -1;
    if (op == RM__OP_PROCESS) item = nt->process_calls++;
    else if (op == RM__OP_GENERATE) item = nt->generate_calls++;
    rm__trace_event_t *e = push(t, ev->node);
    if (!e) return;
    e->tid = ev->thread;
    e->kind = RM__TRACE_CALL;
    e->start_ns = ev->start_ns;
    e->dur_ns = ev->dur_ns;
    e->item = item;
    e->op = (uint8_t)op;
    e->inline_exec = ev->inline_exec ? 1 : 0;
    /* A positive code breaks the ABI: the executor reports EINTERNAL. */
    if (status > 0) status = RM_EINTERNAL;
    e->status = (int8_t)(status < -128 ? -128 : status);
}

void rm__trace_instant_(rm__trace_t *t, size_t node, const char *name,
                        const char *arg_name, int64_t arg_value) {
    uint64_t now = rm__now_ns();
    rm__trace_event_t *e = push(t, node);
    if (!e) return;
    e->kind = RM__TRACE_INSTANT;
    e->start_ns = now;
    e->name = name;
    e->arg_name = arg_name;
    e->arg_value = arg_value;
    e->item = -1;
}

void rm__trace_span_(rm__trace_t *t, size_t node, const char *name,
                     uint64_t start_ns, uint64_t end_ns,
                     const char *arg_name, int64_t arg_value) {
    rm__trace_event_t *e = push(t, node);
    if (!e) return;
    e->kind = RM__TRACE_SPAN;
    e->start_ns = start_ns;
    e->dur_ns = end_ns > start_ns ? end_ns - start_ns : 0;
    e->name = name;
    e->arg_name = arg_name;
    e->arg_value = arg_value;
    e->item = -1;
}

/* ---- export ------------------------------------------------------------- */

typedef struct tb {
    char *s;
    size_t len, cap;
    int oom;
} tb_t;

static void tb_add(tb_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void tb_add(tb_t *b, const char *fmt, ...) {
    if (b->oom) return;
    for (int attempt = 0; attempt < 2; attempt++) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 8192;
        while (cap < b->len + (size_t)n + 1) cap *= 2;
        char *grown = realloc(b->s, cap);
        if (!grown) {
            b->oom = 1;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
}

/* A JSON string literal (with quotes) of `s`. */
static void tb_str(tb_t *b, const char *s) {
    tb_add(b, "\"");
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;
         p++) {
        if (*p == '"' || *p == '\\') tb_add(b, "\\%c", *p);
        else if (*p < 0x20) tb_add(b, "\\u%04x", *p);
        else {
            const unsigned char *run = p;
            while (p[1] >= 0x20 && p[1] != '"' && p[1] != '\\') p++;
            tb_add(b, "%.*s", (int)(p - run + 1), (const char *)run);
        }
    }
    tb_add(b, "\"");
}

static void tb_us(tb_t *b, uint64_t ns) {
    tb_add(b, "%llu.%03u", (unsigned long long)(ns / 1000),
           (unsigned)(ns % 1000));
}

static int cmp_u32(const void *pa, const void *pb) {
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

char *rm__trace_json(const rm__run_report_t *r, size_t *len) {
    if (!r || !r->obs->trace) return NULL;
    const rm__trace_t *t = r->obs->trace;
    int pid = (int)getpid();

    /* Threads that ran something; the caller's first. */
    size_t tid_count = 0, tid_cap = 16;
    uint32_t *tids = malloc(tid_cap * sizeof(*tids));
    if (!tids) return NULL;
    uint64_t dropped = 0;
    for (size_t i = 0; i < t->node_count; i++) {
        const rm__node_trace_t *nt = &t->nodes[i];
        dropped += nt->dropped;
        for (size_t k = 0; k < nt->count; k++) {
            uint32_t tid = nt->events[k].tid;
            size_t j = 0;
            while (j < tid_count && tids[j] != tid) j++;
            if (j < tid_count) continue;
            if (tid_count == tid_cap) {
                uint32_t *grown = realloc(tids, 2 * tid_cap * sizeof(*tids));
                if (!grown) {
                    free(tids);
                    return NULL;
                }
                tids = grown;
                tid_cap *= 2;
            }
            tids[tid_count++] = tid;
        }
    }
    qsort(tids, tid_count, sizeof(*tids), cmp_u32);

    tb_t b = {0};
    tb_add(&b, "{\"traceEvents\": [\n");
    tb_add(&b, "{\"ph\": \"M\", \"name\": \"process_name\", \"pid\": %d, "
               "\"tid\": 0, \"args\": {\"name\": ",
           pid);
    char process[256];
    snprintf(process, sizeof(process), "remotemedia: %s", r->manifest->name);
    tb_str(&b, process);
    tb_add(&b, "}}");
    unsigned worker = 0;
    for (size_t j = 0; j < tid_count; j++) {
        int caller = tids[j] == t->caller_tid;
        char name[64];
        if (caller) snprintf(name, sizeof(name), "caller (inline calls)");
        else snprintf(name, sizeof(name), "worker %u", ++worker);
        tb_add(&b, ",\n{\"ph\": \"M\", \"name\": \"thread_name\", \"pid\": %d,"
                   " \"tid\": %u, \"args\": {\"name\": \"%s\"}}",
               pid, tids[j], name);
        tb_add(&b, ",\n{\"ph\": \"M\", \"name\": \"thread_sort_index\", "
                   "\"pid\": %d, \"tid\": %u, \"args\": {\"sort_index\": %u}}",
               pid, tids[j], caller ? 0u : worker);
    }
    free(tids);

    for (size_t i = 0; i < t->node_count; i++) {
        const rm__node_trace_t *nt = &t->nodes[i];
        const char *id = r->manifest->nodes[i].id;
        const char *type = r->manifest->nodes[i].type_name;
        for (size_t k = 0; k < nt->count; k++) {
            const rm__trace_event_t *e = &nt->events[k];
            uint64_t ts = e->start_ns >= r->start_ns ? e->start_ns - r->start_ns
                                                     : 0;
            tb_add(&b, ",\n{\"ph\": \"%s\", \"name\": ",
                   e->kind == RM__TRACE_INSTANT ? "i" : "X");
            if (e->kind == RM__TRACE_CALL) tb_str(&b, id);
            else tb_str(&b, e->name);
            tb_add(&b, ", \"cat\": \"%s\", \"pid\": %d, \"tid\": %u, "
                       "\"ts\": ",
                   e->kind == RM__TRACE_CALL ? rm__op_name((rm__op_t)e->op)
                                             : "reliability",
                   pid, e->tid);
            tb_us(&b, ts);
            if (e->kind == RM__TRACE_INSTANT) {
                tb_add(&b, ", \"s\": \"t\"");
            } else {
                tb_add(&b, ", \"dur\": ");
                tb_us(&b, e->dur_ns);
            }
            tb_add(&b, ", \"args\": {\"node_id\": ");
            tb_str(&b, id);
            tb_add(&b, ", \"node_type\": ");
            tb_str(&b, type);
            if (e->kind == RM__TRACE_CALL) {
                tb_add(&b, ", \"operation\": \"%s\", \"item\": ",
                       rm__op_name((rm__op_t)e->op));
                if (e->item >= 0) tb_add(&b, "%lld", (long long)e->item);
                else tb_add(&b, "null");
                tb_add(&b, ", \"status\": \"%s\", \"inline\": %s",
                       rm_err_name(e->status),
                       e->inline_exec ? "true" : "false");
            } else if (e->arg_name) {
                tb_add(&b, ", ");
                tb_str(&b, e->arg_name);
                tb_add(&b, ": %lld", (long long)e->arg_value);
            }
            tb_add(&b, "}}");
        }
    }
    tb_add(&b, "\n],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": {"
               "\"schema\": \"" RM_TRACE_SCHEMA "\", \"pipeline_id\": ");
    tb_str(&b, r->manifest->name);
    tb_add(&b, ", \"started_at_us\": %lld, \"total_duration_us\": ",
           (long long)r->started_wall_us);
    tb_us(&b, r->total_ns);
    tb_add(&b, ", \"dropped_events\": %llu}}\n", (unsigned long long)dropped);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    if (len) *len = b.len;
    return b.s;
}
