/*
 * metrics.c — per-call duration histograms, the metrics JSON document
 * (docs/metrics.md, "remotemedia.metrics/1") and the summary table.
 *
 * The export writes numbers with its own integer formatting (no printf,
 * no locale, no floating point): a 100-node document takes tens of µs.
 */
#include <remotemedia/metrics.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "observe/observe.h"

/* ---- histogram ---------------------------------------------------------- */

static int in_arena(rm__hist_arena_t *arena, const uint32_t *p) {
    if (!arena) return 0;
    const uint32_t *base =
        atomic_load_explicit(&arena->base, memory_order_acquire);
    return base && p >= base && p < base + arena->slots;
}

static uint32_t *arena_base(rm__hist_arena_t *arena) {
    uint32_t *base = atomic_load_explicit(&arena->base, memory_order_acquire);
    if (base || !arena->slots) return base;
    uint32_t *fresh = malloc(arena->slots * sizeof(*fresh));
    if (!fresh) return NULL;
    if (atomic_compare_exchange_strong_explicit(&arena->base, &base, fresh,
                                                memory_order_acq_rel,
                                                memory_order_acquire))
        return fresh;
    free(fresh); /* another thread's arena won */
    return base;
}

uint32_t *rm__hist_block_new(rm__hist_t *hist, unsigned block) {
    size_t slots = block ? RM__HIST_SUB : RM__HIST_EXACT;
    uint32_t *counts = NULL;
    rm__hist_arena_t *arena = hist->arena;
    uint32_t *base = arena ? arena_base(arena) : NULL;
    if (base) {
        size_t at = atomic_fetch_add_explicit(&arena->used, slots,
                                              memory_order_relaxed);
        if (at + slots <= arena->slots) {
            counts = base + at;
            memset(counts, 0, slots * sizeof(*counts));
        }
    }
    if (!counts) counts = calloc(slots, sizeof(*counts));
    hist->blocks[block] = counts;
    return counts;
}

void rm__hist_free(rm__hist_t *hist) {
    for (unsigned b = 0; b < RM__HIST_BLOCKS; b++)
        if (!in_arena(hist->arena, hist->blocks[b])) free(hist->blocks[b]);
    memset(hist, 0, sizeof(*hist));
}

/* The midpoint of a bucket (exact below RM__HIST_EXACT). */
static uint64_t bucket_value(unsigned block, unsigned slot) {
    if (block == 0) return slot;
    unsigned shift = block; /* e - 6 */
    uint64_t low = (uint64_t)(slot + RM__HIST_SUB) << shift;
    return low + ((UINT64_C(1) << shift) >> 1);
}

uint64_t rm__hist_quantile(const rm__hist_t *hist, double q) {
    if (!hist->count) return 0;
    if (q <= 0) q = 1e-12;
    if (q > 1) q = 1;
    /* Nearest rank: the smallest value with at least ceil(q * n) values
     * at or below it. */
    double exact = q * (double)hist->count;
    uint64_t rank = (uint64_t)exact;
    if ((double)rank < exact) rank++;
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (unsigned b = 0; b < RM__HIST_BLOCKS; b++) {
        const uint32_t *counts = hist->blocks[b];
        if (!counts) continue;
        unsigned slots = b ? RM__HIST_SUB : RM__HIST_EXACT;
        for (unsigned s = 0; s < slots; s++) {
            seen += counts[s];
            if (seen >= rank) return bucket_value(b, s);
        }
    }
    return 0;
}

/* ---- per node: a few exact values, then the histogram ----------------- */

void rm__metrics_record_slow(rm__metrics_t *m, rm__node_metrics_t *nm,
                             uint64_t elapsed) {
    rm__hist_t *h = calloc(1, sizeof(*h));
    if (!h) return; /* keeps the exact values; this call is not counted */
    h->arena = &m->arena;
    for (uint32_t i = 0; i < nm->small_count; i++) rm__hist_add(h, nm->small[i]);
    nm->small_count = 0;
    nm->hist = h;
    rm__hist_add(h, elapsed);
}

uint64_t rm__node_metrics_count(const rm__node_metrics_t *nm) {
    return nm->hist ? nm->hist->count : nm->small_count;
}

static int cmp_u32(const void *pa, const void *pb) {
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

uint64_t rm__node_metrics_quantile(const rm__node_metrics_t *nm, double q) {
    if (nm->hist) return rm__hist_quantile(nm->hist, q);
    uint32_t n = nm->small_count;
    if (!n) return 0;
    uint32_t sorted[RM__SMALL_CALLS];
    memcpy(sorted, nm->small, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_u32);
    if (q > 1) q = 1;
    double exact = q * n;
    uint32_t rank = (uint32_t)exact;
    if ((double)rank < exact) rank++;
    if (rank == 0) rank = 1;
    return sorted[rank - 1];
}

/* ---- the observers of a run --------------------------------------------- */
int rm__observers_begin(rm__observers_t *obs, size_t n, uint32_t flags) {
    obs->metrics = NULL;
    obs->trace = NULL;
    if (flags & RM_RUN_METRICS) {
        rm__metrics_t *m = calloc(1, sizeof(*m));
        if (!m) return RM_ENOMEM;
        m->node_count = n;
        m->nodes = calloc(n ? n : 1, sizeof(*m->nodes));
        if (!m->nodes) {
            free(m);
            return RM_ENOMEM;
        }
        /* Room for two 64-slot blocks per node (calls of one node mostly
         * fall within two powers of two), allocated on first use. */
        m->arena.slots = (n ? n : 1) * 2 * RM__HIST_SUB;
        atomic_init(&m->arena.base, NULL);
        atomic_init(&m->arena.used, 0);
        obs->metrics = m;
    }
    if (flags & RM_RUN_TRACE) {
        if (rm__trace_new(&obs->trace, n) != RM_OK) return RM_ENOMEM;
    }
    return RM_OK;
}

void rm__observers_free(rm__observers_t *obs) {
    rm__metrics_t *m = obs->metrics;
    if (m) {
        for (size_t i = 0; i < m->node_count; i++) {
            if (!m->nodes[i].hist) continue;
            rm__hist_free(m->nodes[i].hist);
            free(m->nodes[i].hist);
        }
        free(atomic_load(&m->arena.base));
        free(m->nodes);
        free(m);
        obs->metrics = NULL;
    }
    rm__trace_free(obs->trace);
    obs->trace = NULL;
}


/* ---- a small JSON writer ------------------------------------------------ */

typedef struct jb {
    char *s;
    size_t len, cap;
    int oom;
} jb_t;

static int jb_reserve(jb_t *b, size_t more) {
    if (b->oom) return 0;
    if (b->len + more + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1) cap *= 2;
    char *grown = realloc(b->s, cap);
    if (!grown) {
        b->oom = 1;
        return 0;
    }
    b->s = grown;
    b->cap = cap;
    return 1;
}

static void jb_raw(jb_t *b, const char *text, size_t n) {
    if (!jb_reserve(b, n)) return;
    memcpy(b->s + b->len, text, n);
    b->len += n;
}
#define jb_lit(b, literal) jb_raw((b), literal, sizeof(literal) - 1)

static void jb_u64(jb_t *b, uint64_t v) {
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (!jb_reserve(b, n)) return;
    for (size_t i = 0; i < n; i++) b->s[b->len + i] = tmp[n - 1 - i];
    b->len += n;
}

static void jb_i64(jb_t *b, int64_t v) {
    if (v < 0) {
        jb_lit(b, "-");
        jb_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        jb_u64(b, (uint64_t)v);
    }
}

/* Nanoseconds as microseconds with three decimals: 12345 -> 12.345. */
static void jb_us(jb_t *b, uint64_t ns) {
    jb_u64(b, ns / 1000);
    if (!jb_reserve(b, 4)) return;
    unsigned frac = (unsigned)(ns % 1000);
    char *p = b->s + b->len;
    p[0] = '.';
    p[1] = (char)('0' + frac / 100);
    p[2] = (char)('0' + frac / 10 % 10);
    p[3] = (char)('0' + frac % 10);
    b->len += 4;
}

static void jb_escaped(jb_t *b, const char *s) {
    static const char hex[] = "0123456789abcdef";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\') {
            const unsigned char *run = p;
            while (p[1] >= 0x20 && p[1] != '"' && p[1] != '\\') p++;
            jb_raw(b, (const char *)run, (size_t)(p - run) + 1);
            continue;
        }
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        switch (c) {
        case '"': jb_lit(b, "\\\""); break;
        case '\\': jb_lit(b, "\\\\"); break;
        case '\n': jb_lit(b, "\\n"); break;
        case '\t': jb_lit(b, "\\t"); break;
        case '\r': jb_lit(b, "\\r"); break;
        default: jb_raw(b, esc, 6); break;
        }
    }
}

static void jb_str(jb_t *b, const char *s) {
    if (!s) {
        jb_lit(b, "null");
        return;
    }
    jb_lit(b, "\"");
    jb_escaped(b, s);
    jb_lit(b, "\"");
}

/* "2026-11-22T12:34:56.123456Z" */
static void jb_iso8601(jb_t *b, int64_t us) {
    time_t secs = (time_t)(us / 1000000);
    long micros = (long)(us % 1000000);
    if (micros < 0) {
        micros += 1000000;
        secs--;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    char text[40];
    int n = snprintf(text, sizeof(text),
                     "\"%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ\"",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, micros);
    if (n > 0) jb_raw(b, text, (size_t)n);
}

static char *jb_finish(jb_t *b, size_t *len) {
    if (b->oom || !jb_reserve(b, 0)) {
        free(b->s);
        return NULL;
    }
    b->s[b->len] = '\0';
    if (len) *len = b->len;
    return b->s;
}

/* ---- what ran ------------------------------------------------------------- */

static int node_is_python(const rm_manifest_node_t *node) {
    return (node->entry->type->capabilities & RM_CAP_NEEDS_PYTHON) != 0;
}

static const char *node_status(const rm__run_report_t *r, size_t i) {
    const rm_node_stats_t *s = &r->stats[i];
    const rm_manifest_node_t *node = &r->manifest->nodes[i];
    /* A failure that was retried (and then succeeded) is not the node's
     * status; one that ended the run or was not retried is. */
    if (s->failures > s->retries ||
        (r->status != RM_OK && r->error->node_id == node->id))
        return "failed";
    return s->calls ? "ok" : "not_run";
}

typedef struct order_key {
    uint64_t start;
    size_t rank, index;
} order_key_t;

static int cmp_order(const void *pa, const void *pb) {
    const order_key_t *a = pa, *b = pb;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    return a->rank < b->rank ? -1 : a->rank > b->rank;
}

/* Nodes that made a call, by first start (ties: topological order).
 * Returns the count; `keys` has node_count entries. */
static size_t execution_order(const rm__run_report_t *r, order_key_t *keys) {
    const rm__metrics_t *m = r->obs->metrics;
    if (!m) return 0;
    size_t n = 0;
    for (size_t k = 0; k < r->node_count; k++) {
        size_t i = r->manifest->order[k];
        if (!m->nodes[i].first_start_ns) continue;
        keys[n].start = m->nodes[i].first_start_ns;
        keys[n].rank = k;
        keys[n].index = i;
        n++;
    }
    qsort(keys, n, sizeof(*keys), cmp_order);
    return n;
}

/* p50 and p99 of node i's calls, kept within [min, max] (a bucket's
 * midpoint may fall just outside what was seen). 0 when not recorded. */
static int node_quantiles(const rm__run_report_t *r, size_t i, uint64_t *p50,
                          uint64_t *p99) {
    if (!r->obs->metrics || !rm__node_metrics_count(&r->obs->metrics->nodes[i]))
        return 0;
    const rm__node_metrics_t *nm = &r->obs->metrics->nodes[i];
    const rm_node_stats_t *s = &r->stats[i];
    uint64_t a = rm__node_metrics_quantile(nm, 0.50);
    uint64_t b = rm__node_metrics_quantile(nm, 0.99);
    if (b > s->max_ns) b = s->max_ns;
    if (b < s->min_ns) b = s->min_ns;
    if (a > b) a = b;
    if (a < s->min_ns) a = s->min_ns;
    *p50 = a;
    *p99 = b;
    return 1;
}

/* ---- the document ------------------------------------------------------- */

static void node_json(jb_t *b, const rm__run_report_t *r, size_t i) {
    const rm_node_stats_t *s = &r->stats[i];
    const rm_manifest_node_t *node = &r->manifest->nodes[i];
    const rm__node_metrics_t *nm = r->obs->metrics ? &r->obs->metrics->nodes[i] : NULL;

    jb_lit(b, "{\"node_id\": ");
    jb_str(b, node->id);
    jb_lit(b, ", \"node_type\": ");
    jb_str(b, node->type_name);
    /* A Python node's class is its label (its plugin's node resolver says
     * it: "pkg.mod.Class", or "instance:KEY" for an SDK object). */
    int python = node_is_python(node);
    jb_lit(b, ", \"implementation\": ");
    jb_str(b, python ? "python" : "native");
    jb_lit(b, ", \"plugin\": ");
    jb_str(b, node->entry->plugin_path);
    jb_lit(b, ", \"python_class\": ");
    jb_str(b, python ? node->label : NULL);
    jb_lit(b, ", \"status\": \"");
    jb_raw(b, node_status(r, i), strlen(node_status(r, i)));
    jb_lit(b, "\", \"calls\": ");
    jb_u64(b, s->calls);
    jb_lit(b, ", \"total_duration_us\": ");
    jb_us(b, s->total_ns);
    jb_lit(b, ", \"min_duration_us\": ");
    jb_us(b, s->calls ? s->min_ns : 0);
    jb_lit(b, ", \"max_duration_us\": ");
    jb_us(b, s->max_ns);
    jb_lit(b, ", \"avg_duration_us\": ");
    jb_us(b, s->calls ? (s->total_ns + s->calls / 2) / s->calls : 0);
    uint64_t p50, p99;
    if (node_quantiles(r, i, &p50, &p99)) {
        jb_lit(b, ", \"p50_duration_us\": ");
        jb_us(b, p50);
        jb_lit(b, ", \"p99_duration_us\": ");
        jb_us(b, p99);
    } else if (nm) {
        jb_lit(b, ", \"p50_duration_us\": 0.000, \"p99_duration_us\": 0.000");
    } else {
        jb_lit(b, ", \"p50_duration_us\": null, \"p99_duration_us\": null");
    }
    if (nm && nm->first_start_ns) {
        jb_lit(b, ", \"first_start_us\": ");
        jb_us(b, nm->first_start_ns - r->start_ns);
        jb_lit(b, ", \"last_end_us\": ");
        jb_us(b, nm->last_end_ns - r->start_ns);
    } else {
        jb_lit(b, ", \"first_start_us\": null, \"last_end_us\": null");
    }
    jb_lit(b, ", \"items_in\": ");
    jb_u64(b, s->items_in);
    jb_lit(b, ", \"items_out\": ");
    jb_u64(b, s->items_out);
    jb_lit(b, ", \"bytes_in\": ");
    jb_u64(b, s->bytes_in);
    jb_lit(b, ", \"bytes_out\": ");
    jb_u64(b, s->bytes_out);
    jb_lit(b, ", \"peak_memory_bytes\": ");
    jb_u64(b, s->peak_bytes);
    jb_lit(b, ", \"errors\": ");
    jb_u64(b, s->failures);
    jb_lit(b, ", \"retries\": ");
    jb_u64(b, s->retries);
    jb_lit(b, ", \"circuit_state\": ");
    switch (s->breaker_state) {
    case RM_BREAKER_OPEN: jb_lit(b, "\"open\""); break;
    case RM_BREAKER_HALF_OPEN: jb_lit(b, "\"half_open\""); break;
    default: jb_lit(b, "\"closed\""); break;
    }
    jb_lit(b, ", \"timeouts\": ");
    jb_u64(b, s->timeouts);
    jb_lit(b, ", \"abandoned_calls\": ");
    jb_u64(b, s->abandoned_calls);
    jb_lit(b, ", \"workers_replaced\": ");
    jb_u64(b, s->workers_replaced);
    jb_lit(b, ", \"skipped_items\": ");
    jb_u64(b, s->skipped);
    jb_lit(b, ", \"retry_wait_us\": ");
    jb_us(b, s->retry_delay_ns);
    jb_lit(b, ", \"breaker_rejections\": ");
    jb_u64(b, s->breaker_rejections);
    jb_lit(b, ", \"queue_high_water\": ");
    jb_u64(b, s->queue_high_water);
    jb_lit(b, ", \"inline_calls\": ");
    jb_u64(b, s->inline_calls);
    jb_lit(b, "}");
}

char *rm__metrics_json(const rm__run_report_t *r, uint32_t flags,
                                 size_t *len) {
    if (!r) return NULL;
    int pretty = (flags & RM_METRICS_JSON_PRETTY) != 0;
    jb_t b = {0};
    jb_reserve(&b, 512 + r->node_count * 700);

    jb_lit(&b, "{\"schema\": \"" RM_METRICS_SCHEMA "\", \"pipeline_id\": ");
    jb_str(&b, r->manifest->name);
    jb_lit(&b, ", \"runtime\": \"native\", \"status\": ");
    if (r->status == RM_OK) {
        jb_lit(&b, "\"ok\", \"error\": null");
    } else {
        jb_lit(&b, "\"failed\", \"error\": {\"code\": ");
        jb_str(&b, rm_err_name(r->status));
        jb_lit(&b, ", \"node_id\": ");
        jb_str(&b, r->error->node_id);
        jb_lit(&b, ", \"node_type\": ");
        jb_str(&b, r->error->node_type);
        jb_lit(&b, ", \"operation\": ");
        jb_str(&b, r->error->operation);
        jb_lit(&b, ", \"message\": ");
        jb_str(&b, r->error->message);
        jb_lit(&b, ", \"transient\": ");
        if (r->error->transient) jb_lit(&b, "true}");
        else jb_lit(&b, "false}");
    }
    jb_lit(&b, ", \"started_at\": ");
    jb_iso8601(&b, r->started_wall_us);
    jb_lit(&b, ", \"started_at_us\": ");
    jb_i64(&b, r->started_wall_us);
    jb_lit(&b, ", \"finished_at\": ");
    jb_iso8601(&b, r->started_wall_us + (int64_t)(r->total_ns / 1000));
    jb_lit(&b, ", \"total_duration_us\": ");
    jb_us(&b, r->total_ns);
    jb_lit(&b, ", \"detailed\": ");
    if (r->obs->metrics) jb_lit(&b, "true");
    else jb_lit(&b, "false");
    jb_lit(&b, ", \"execution_order\": [");
    if (r->obs->metrics && r->node_count) {
        order_key_t *keys = malloc(r->node_count * sizeof(*keys));
        if (!keys) b.oom = 1;
        size_t n = keys ? execution_order(r, keys) : 0;
        for (size_t k = 0; k < n; k++) {
            if (k) jb_lit(&b, ", ");
            jb_str(&b, r->manifest->nodes[keys[k].index].id);
        }
        free(keys);
    }
    jb_lit(&b, "], \"node_metrics\": [");
    for (size_t i = 0; i < r->node_count; i++) {
        if (i) jb_lit(&b, ",");
        if (pretty) jb_lit(&b, "\n  ");
        node_json(&b, r, i);
    }
    if (pretty) jb_lit(&b, "\n");
    jb_lit(&b, "]}");
    if (pretty) jb_lit(&b, "\n");
    return jb_finish(&b, len);
}

int rm__metrics_quantile(const rm__run_report_t *r, size_t index, double q,
                         uint64_t *out) {
    if (!r || !r->obs->metrics || index >= r->node_count || !out || !(q > 0) ||
        q > 1)
        return RM_EINVAL;
    const rm__node_metrics_t *nm = &r->obs->metrics->nodes[index];
    if (!rm__node_metrics_count(nm)) return RM_EINVAL;
    *out = rm__node_metrics_quantile(nm, q);
    return RM_OK;
}

void rm_free_string(char *text) { free(text); }

/* ---- summary table ------------------------------------------------------ */

typedef struct by_time {
    uint64_t total;
    size_t index;
} by_time_t;

static int cmp_by_time(const void *pa, const void *pb) {
    const by_time_t *a = pa, *b = pb;
    if (a->total != b->total) return a->total > b->total ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static void jb_printf(jb_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void jb_printf(jb_t *b, const char *fmt, ...) {
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n > 0 && jb_reserve(b, (size_t)n)) {
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
    }
    va_end(ap);
}

static void human_bytes(char *out, size_t size, uint64_t bytes) {
    if (bytes < 1024) snprintf(out, size, "%llu B", (unsigned long long)bytes);
    else if (bytes < 1024 * 1024) snprintf(out, size, "%.1f KiB", bytes / 1024.0);
    else if (bytes < UINT64_C(1) << 30)
        snprintf(out, size, "%.1f MiB", bytes / (1024.0 * 1024.0));
    else snprintf(out, size, "%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
}

static int clip(size_t len, int width) {
    return len > (size_t)width ? width : (int)len;
}

char *rm__summary_text(const rm__run_report_t *r) {
    if (!r) return NULL;
    size_t n = r->node_count;
    by_time_t *rows = malloc((n ? n : 1) * sizeof(*rows));
    if (!rows) return NULL;
    int id_w = 4, type_w = 4;
    for (size_t i = 0; i < n; i++) {
        rows[i].total = r->stats[i].total_ns;
        rows[i].index = i;
        size_t l = strlen(r->manifest->nodes[i].id);
        if ((int)l > id_w) id_w = l > 32 ? 32 : (int)l;
        l = strlen(r->manifest->nodes[i].type_name);
        if ((int)l > type_w) type_w = l > 28 ? 28 : (int)l;
    }
    qsort(rows, n, sizeof(*rows), cmp_by_time);
    jb_t b = {0};
    jb_printf(&b, "run '%s': %s, %.3f ms wall, %zu node%s%s\n",
              r->manifest->name, r->status == RM_OK ? "ok" : "FAILED",
              r->total_ns / 1e6, n, n == 1 ? "" : "s",
              r->obs->metrics ? "" : " (no percentiles: run without metrics)");
    jb_printf(&b, "%-*s  %-*s  %-6s  %8s  %10s  %10s  %10s  %10s  %6s  %10s\n",
              id_w, "node", type_w, "type", "impl", "calls", "total ms",
              "mean us", "p50 us", "p99 us", "% run", "peak mem");
    for (size_t k = 0; k < n; k++) {
        size_t i = rows[k].index;
        const rm_node_stats_t *s = &r->stats[i];
        const rm_manifest_node_t *node = &r->manifest->nodes[i];
        char p50[24] = "-", p99[24] = "-", peak[24];
        uint64_t v50, v99;
        if (node_quantiles(r, i, &v50, &v99)) {
            snprintf(p50, sizeof(p50), "%.3f", v50 / 1e3);
            snprintf(p99, sizeof(p99), "%.3f", v99 / 1e3);
        }
        human_bytes(peak, sizeof(peak), s->peak_bytes);
        double mean = s->calls ? (double)s->total_ns / (double)s->calls / 1e3
                               : 0.0;
        double share = r->total_ns ? 100.0 * (double)s->total_ns /
                                         (double)r->total_ns
                                   : 0.0;
        const char *id = node->id, *type = node->type_name;
        jb_printf(&b,
                  "%-*.*s  %-*.*s  %-6s  %8llu  %10.3f  %10.3f  %10s  %10s  "
                  "%5.1f%%  %10s\n",
                  id_w, clip(strlen(id), id_w), id, type_w,
                  clip(strlen(type), type_w), type,
                  node_is_python(node) ? "python" : "native",
                  (unsigned long long)s->calls, s->total_ns / 1e6, mean, p50,
                  p99, share, peak);
    }
    free(rows);
    return jb_finish(&b, NULL);
}
