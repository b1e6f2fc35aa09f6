/*
 * test_metrics.c — the metrics document and the trace against reality:
 * a node that sleeps 20 ms shows ~20 ms, one that allocates 8 MB shows
 * >= 8 MB peak, the execution order respects the graph, p50/p99 on a known
 * distribution, the histogram's error bound, one trace event per call on
 * the thread that ran it, and what metrics cost.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <remotemedia/runtime.h>

#include "observe/observe.h"
#include "rm_test.h"
#include "rm_test_runtime.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static rm_registry_t *registry_open(void) {
    static const char *const dirs[] = {RM_TEST_PLUGIN_DIR,
                                       RM_TEST_METRICS_PLUGIN_DIR};
    rm_registry_options_t options = {sizeof(options), dirs, 2, 0, 0, NULL, 0};
    rm_registry_t *registry = NULL;
    ASSERT_EQ_INT(rm_registry_open(&options, &registry), RM_OK);
    ASSERT_NOT_NULL(rm_registry_find(registry, "PassThroughNode"));
    ASSERT_NOT_NULL(rm_registry_find(registry, "MetSleep"));
    return registry;
}

static int run(rm_pipeline_t *p, uint32_t policy, uint32_t flags,
               const char *const *inputs, size_t count, rm_run_result_t **r) {
    rm_item_t *items[256];
    ASSERT_TRUE(count <= 256);
    for (size_t i = 0; i < count; i++) {
        items[i] = rm_item_new_json(inputs[i], strlen(inputs[i]));
        ASSERT_NOT_NULL(items[i]);
    }
    rm_run_options_t options = {sizeof(options), 0, policy, flags, 0, 0};
    int status = rm_pipeline_run(p, &options, items, count, r);
    for (size_t i = 0; i < count; i++) rm_item_unref(items[i]);
    return status;
}

static cJSON *metrics_of(const rm_run_result_t *r) {
    size_t len = 0;
    char *text = rm_run_result_metrics_json(r, RM_METRICS_JSON_PRETTY, &len);
    ASSERT_NOT_NULL(text);
    ASSERT_EQ_INT(strlen(text), len);
    cJSON *doc = cJSON_Parse(text);
    if (!doc) RM__FAIL("metrics JSON does not parse:\n%s", text);
    rm_free_string(text);
    ASSERT_STR_EQ(cJSON_GetObjectItem(doc, "schema")->valuestring,
                  "remotemedia.metrics/1");
    return doc;
}

static cJSON *node_of(cJSON *doc, const char *id) {
    cJSON *node;
    cJSON_ArrayForEach(node, cJSON_GetObjectItem(doc, "node_metrics")) {
        if (strcmp(cJSON_GetObjectItem(node, "node_id")->valuestring, id) == 0)
            return node;
    }
    RM__FAIL("no node %s in the metrics", id);
    return NULL;
}

static double num(cJSON *obj, const char *key) {
    cJSON *v = cJSON_GetObjectItem(obj, key);
    if (!cJSON_IsNumber(v)) RM__FAIL("%s is not a number", key);
    return v->valuedouble;
}

static const char *str(cJSON *obj, const char *key) {
    cJSON *v = cJSON_GetObjectItem(obj, key);
    if (!cJSON_IsString(v)) RM__FAIL("%s is not a string", key);
    return v->valuestring;
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- times and memory --------------------------------------------------- */

RM_TEST(sleep_20ms_shows_20ms) {
    rm_registry_t *registry = registry_open();
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\":\"v1\",\"metadata\":{\"name\":\"sleepy\"},\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"s\",\"node_type\":\"MetSleep\",\"params\":{\"ms\":20}},"
        "{\"id\":\"b\",\"node_type\":\"PassThroughNode\"}]}");
    const char *in[] = {"1"};
    for (uint32_t policy = RM_EXEC_AUTO; policy <= RM_EXEC_INLINE; policy++) {
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run(p, policy, RM_RUN_METRICS, in, 1, &r), RM_OK);
        cJSON *doc = metrics_of(r);
        ASSERT_STR_EQ(str(doc, "pipeline_id"), "sleepy");
        ASSERT_STR_EQ(str(doc, "runtime"), "native");
        ASSERT_STR_EQ(str(doc, "status"), "ok");
        ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(doc, "error")));
        ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(doc, "detailed")));
        /* Speed-independent bounds only: a 20 ms sleep lasts at least
         * 20 ms (nanosleep never returns early) and no call lasts longer
         * than the span it ran in; how much longer than 20 ms it took
         * depends on the machine's load and is not checked. */
        double total = num(doc, "total_duration_us");
        ASSERT_TRUE(total >= 18000);
        cJSON *s = node_of(doc, "s");
        ASSERT_STR_EQ(str(s, "implementation"), "native");
        ASSERT_STR_CONTAINS(str(s, "plugin"), "rm_test_metrics_nodes");
        ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(s, "python_class")));
        ASSERT_STR_EQ(str(s, "status"), "ok");
        ASSERT_EQ_INT(num(s, "calls"), 1);
        const char *keys[] = {"total_duration_us", "min_duration_us",
                              "max_duration_us", "avg_duration_us",
                              "p50_duration_us", "p99_duration_us"};
        double s_start = num(s, "first_start_us"), s_end = num(s, "last_end_us");
        for (size_t k = 0; k < 6; k++) {
            double v = num(s, keys[k]);
            if (!(v >= 18000 && v <= s_end - s_start + 1))
                RM__FAIL("policy %u: %s = %.3f, expected >= 20000 and within "
                         "the call's span %.3f", policy, keys[k], v,
                         s_end - s_start);
        }
        ASSERT_TRUE(num(s, "total_duration_us") <= total);
        /* One call: its percentiles are that call, exactly. */
        ASSERT_NEAR(num(s, "p50_duration_us"), num(s, "max_duration_us"), 0.0005);
        ASSERT_NEAR(num(s, "p99_duration_us"), num(s, "min_duration_us"), 0.0005);
        /* Timestamps: a ends before s starts, s before b; within the run
         * (so a's and s's times add up to no more than the run's). */
        double a_end = num(node_of(doc, "a"), "last_end_us");
        double b_start = num(node_of(doc, "b"), "first_start_us");
        ASSERT_TRUE(num(node_of(doc, "a"), "total_duration_us") +
                        num(s, "total_duration_us") <= total + 1);
        ASSERT_TRUE(a_end <= s_start && s_start < s_end && s_end <= b_start);
        ASSERT_TRUE(s_end - s_start >= 18000 && b_start <= total);
        /* Wall-clock start: µs since the epoch, close to now. */
        double started = num(doc, "started_at_us");
        ASSERT_TRUE(fabs(started / 1e6 - (double)time(NULL)) < 60);
        ASSERT_TRUE(strlen(str(doc, "started_at")) == 27);
        ASSERT_TRUE(str(doc, "started_at")[26] == 'Z');
        cJSON_Delete(doc);
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

RM_TEST(alloc_8mb_shows_peak) {
    rm_registry_t *registry = registry_open();
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"m\",\"node_type\":\"MetAlloc\",\"params\":{\"bytes\":8388608}}"
        "]}");
    const char *in[] = {"1", "2"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run(p, RM_EXEC_AUTO, 0, in, 2, &r), RM_OK);
    cJSON *doc = metrics_of(r);
    /* Without RM_RUN_METRICS: counts and peaks are there, details not. */
    ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(doc, "detailed")));
    cJSON *m = node_of(doc, "m");
    ASSERT_TRUE(num(m, "peak_memory_bytes") >= 8388608.0);
    ASSERT_TRUE(num(m, "peak_memory_bytes") < 3 * 8388608.0);
    ASSERT_TRUE(num(node_of(doc, "a"), "peak_memory_bytes") < 1048576.0);
    ASSERT_EQ_INT(num(m, "calls"), 2);
    ASSERT_EQ_INT(num(m, "items_in"), 2);
    ASSERT_EQ_INT(num(m, "items_out"), 2);
    ASSERT_TRUE(num(m, "bytes_in") > 0);
    ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(m, "p50_duration_us")));
    ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(m, "first_start_us")));
    ASSERT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "execution_order")), 0);
    /* No trace was asked for. */
    ASSERT_TRUE(rm_run_result_trace_json(r, NULL) == NULL);
    cJSON_Delete(doc);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

/* ---- execution order ---------------------------------------------------- */

static int position(cJSON *order, const char *id) {
    int i = 0;
    cJSON *e;
    cJSON_ArrayForEach(e, order) {
        if (strcmp(e->valuestring, id) == 0) return i;
        i++;
    }
    return -1;
}

RM_TEST(execution_order_matches_graph) {
    rm_registry_t *registry = registry_open();
    /* Manifest order deliberately unlike the graph's order. */
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"join\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"right\",\"node_type\":\"MetSleep\",\"params\":{\"ms\":3}},"
        "{\"id\":\"left\",\"node_type\":\"MetSleep\",\"params\":{\"ms\":1}},"
        "{\"id\":\"src\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"tail\",\"node_type\":\"PassThroughNode\"}],"
        "\"connections\":[{\"from\":\"src\",\"to\":\"left\"},"
        "{\"from\":\"src\",\"to\":\"right\"},{\"from\":\"left\",\"to\":\"join\"},"
        "{\"from\":\"right\",\"to\":\"join\"},{\"from\":\"join\",\"to\":\"tail\"}]}");
    static const char *const edges[][2] = {{"src", "left"}, {"src", "right"},
                                           {"left", "join"}, {"right", "join"},
                                           {"join", "tail"}};
    const char *in[] = {"1", "2", "3"};
    for (uint32_t policy = RM_EXEC_AUTO; policy <= RM_EXEC_INLINE; policy++) {
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run(p, policy, RM_RUN_METRICS, in, 3, &r), RM_OK);
        cJSON *doc = metrics_of(r);
        cJSON *order = cJSON_GetObjectItem(doc, "execution_order");
        ASSERT_EQ_INT(cJSON_GetArraySize(order), 5);
        ASSERT_EQ_INT(position(order, "src"), 0);
        ASSERT_EQ_INT(position(order, "tail"), 4);
        for (size_t e = 0; e < 5; e++) {
            int from = position(order, edges[e][0]);
            int to = position(order, edges[e][1]);
            if (!(from >= 0 && to >= 0 && from < to))
                RM__FAIL("policy %u: %s (%d) should start before %s (%d)",
                         policy, edges[e][0], from, edges[e][1], to);
            /* And its first start is no later. */
            ASSERT_TRUE(num(node_of(doc, edges[e][0]), "first_start_us") <=
                        num(node_of(doc, edges[e][1]), "first_start_us"));
        }
        cJSON_Delete(doc);
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

/* ---- percentiles ---------------------------------------------------------- */

RM_TEST(percentiles_on_known_distribution) {
    rm_registry_t *registry = registry_open();
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"d\",\"node_type\":\"MetDelay\"}]}");
    /* 98 calls of ~300 µs and 2 of ~20 ms: nearest-rank p50 is a short
     * one, p99 (the 99th of 100) a long one. */
    const char *in[100];
    for (size_t i = 0; i < 100; i++) in[i] = (i == 17 || i == 71) ? "20000" : "300";
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run(p, RM_EXEC_AUTO, RM_RUN_METRICS | RM_RUN_TRACE, in, 100,
                      &r), RM_OK);
    cJSON *doc = metrics_of(r);
    cJSON *d = node_of(doc, "d");
    ASSERT_EQ_INT(num(d, "calls"), 100);
    double p50 = num(d, "p50_duration_us"), p99 = num(d, "p99_duration_us");
    double mn = num(d, "min_duration_us"), mx = num(d, "max_duration_us");
    double avg = num(d, "avg_duration_us");
    /* How long a sleep overshoots depends on the machine's load, so the
     * reported percentiles are checked against the exact nearest-rank
     * percentiles of the same 100 measured calls (the trace has each
     * call's duration, from the same clock reads), within the histogram's
     * resolution (< 0.8 %) plus the trace's 1 ns rounding. Only lower
     * bounds are absolute: 98 sleeps >= 300 us, 2 >= 20 ms, so p50 (the
     * 50th smallest) >= 300 us and p99 (the 2nd largest) >= 20 ms. */
    char *trace = rm_run_result_trace_json(r, NULL);
    ASSERT_NOT_NULL(trace);
    cJSON *trace_doc = cJSON_Parse(trace);
    rm_free_string(trace);
    ASSERT_NOT_NULL(trace_doc);
    cJSON *events = cJSON_GetObjectItem(trace_doc, "traceEvents");
    ASSERT_NOT_NULL(events);
    double durs[100];
    size_t n = 0;
    cJSON *e;
    cJSON_ArrayForEach(e, events)
        if (strcmp(str(e, "ph"), "X") == 0 && n < 100) durs[n++] = num(e, "dur");
    cJSON_Delete(trace_doc);
    ASSERT_EQ_INT(n, 100);
    qsort(durs, n, sizeof(double), cmp_double);
    double exact50 = durs[49], exact99 = durs[98]; /* ranks 50 and 99 */
    if (fabs(p50 - exact50) > exact50 * 0.008 + 0.002)
        RM__FAIL("p50 = %.3f, the calls' 50th is %.3f", p50, exact50);
    if (fabs(p99 - exact99) > exact99 * 0.008 + 0.002)
        RM__FAIL("p99 = %.3f, the calls' 99th is %.3f", p99, exact99);
    if (!(p50 >= 290)) RM__FAIL("p50 = %.3f", p50);
    if (!(p99 >= 18000)) RM__FAIL("p99 = %.3f", p99);
    ASSERT_TRUE(mn <= p50 && p50 <= p99 && p99 <= mx);
    ASSERT_TRUE(mn <= avg && avg <= mx);
    ASSERT_NEAR(avg * 100, num(d, "total_duration_us"), 1.0);
    uint64_t q = 0;
    ASSERT_EQ_INT(rm_run_result_node_quantile_ns(r, 0, 0.99, &q), RM_OK);
    ASSERT_TRUE(q >= 18000000u);
    ASSERT_EQ_INT(rm_run_result_node_quantile_ns(r, 0, 0.0, &q), RM_EINVAL);
    ASSERT_EQ_INT(rm_run_result_node_quantile_ns(r, 1, 0.5, &q), RM_EINVAL);
    cJSON_Delete(doc);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

/* Eight branches on the worker pool, 40 calls each: every node moves to
 * its histogram at once, sharing the run's block arena across threads. */
RM_TEST(concurrent_histograms) {
    rm_registry_t *registry = registry_open();
    char manifest[4096];
    size_t n = (size_t)snprintf(manifest, sizeof(manifest),
        "{\"version\":\"v1\",\"nodes\":[{\"id\":\"src\",\"node_type\":"
        "\"PassThroughNode\"}");
    for (int b = 0; b < 8; b++)
        n += (size_t)snprintf(manifest + n, sizeof(manifest) - n,
                              ",{\"id\":\"d%d\",\"node_type\":\"MetDelay\"}", b);
    n += (size_t)snprintf(manifest + n, sizeof(manifest) - n, "],\"connections\":[");
    for (int b = 0; b < 8; b++)
        n += (size_t)snprintf(manifest + n, sizeof(manifest) - n,
                              "%s{\"from\":\"src\",\"to\":\"d%d\"}", b ? "," : "", b);
    snprintf(manifest + n, sizeof(manifest) - n, "]}");
    rm_pipeline_t *p = rm_test_compile(registry, manifest);
    const char *in[40];
    for (int i = 0; i < 40; i++) in[i] = (i % 10 == 9) ? "2000" : "50";
    for (int round = 0; round < 3; round++) {
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run(p, RM_EXEC_POOL, RM_RUN_METRICS, in, 40, &r), RM_OK);
        cJSON *doc = metrics_of(r);
        for (int b = 0; b < 8; b++) {
            char id[8];
            snprintf(id, sizeof(id), "d%d", b);
            cJSON *d = node_of(doc, id);
            ASSERT_EQ_INT(num(d, "calls"), 40);
            double p50 = num(d, "p50_duration_us"), p99 = num(d, "p99_duration_us");
            /* 36 calls of ~50 µs, 4 of ~2 ms: p50 short, p99 long. */
            if (!(p50 >= 45 && p50 < 1900 && p99 >= 1900))
                RM__FAIL("node %s: p50 %.3f p99 %.3f", id, p50, p99);
        }
        cJSON_Delete(doc);
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The histogram against exact nearest-rank quantiles: <= 1 % off, exact
 * below 128 ns, on a spread of distributions. */
RM_TEST(histogram_error_bound) {
    enum { N = 20000 };
    static uint64_t values[N];
    uint64_t seed = 0x9E3779B97F4A7C15u;
    for (int dist = 0; dist < 4; dist++) {
        rm__hist_t h;
        memset(&h, 0, sizeof(h));
        for (int i = 0; i < N; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            double u = (double)(seed >> 11) / 9007199254740992.0;
            uint64_t v;
            switch (dist) {
            case 0: v = (uint64_t)(u * 127); break;                 /* exact */
            case 1: v = 100 + (uint64_t)(u * 1e6); break;           /* uniform */
            case 2: v = (uint64_t)exp(4 + u * 18); break;           /* log-uniform */
            default: v = (uint64_t)(1e9 * (1 + u)); break;          /* seconds */
            }
            values[i] = v;
            rm__hist_add(&h, v);
        }
        qsort(values, N, sizeof(values[0]), cmp_u64);
        ASSERT_EQ_INT(h.count, N);
        const double qs[] = {0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0};
        for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
            size_t rank = (size_t)ceil(qs[k] * N);
            uint64_t exact = values[rank - 1];
            uint64_t got = rm__hist_quantile(&h, qs[k]);
            double err = exact ? fabs((double)got - (double)exact) / (double)exact
                               : (double)got;
            if (dist == 0) ASSERT_EQ_INT(got, exact);
            if (err > 0.01)
                RM__FAIL("dist %d q %.3f: %llu vs exact %llu (%.2f %%)", dist,
                         qs[k], (unsigned long long)got,
                         (unsigned long long)exact, err * 100);
        }
        rm__hist_free(&h);
    }
    /* Every single value comes back within half a bucket: 1/128 of it
     * (exact below 128 ns), from 1 ns to 2^40 ns. */
    for (uint64_t v = 1; v < (UINT64_C(1) << 40); v += 1 + v / 97) {
        rm__hist_t one;
        memset(&one, 0, sizeof(one));
        rm__hist_add(&one, v);
        uint64_t got = rm__hist_quantile(&one, 0.5);
        double err = fabs((double)got - (double)v) / (double)v;
        if (v < 128 ? got != v : err > 1.0 / 128 + 1e-12)
            RM__FAIL("value %llu comes back as %llu (%.3f %%)",
                     (unsigned long long)v, (unsigned long long)got,
                     err * 100);
        rm__hist_free(&one);
    }
    /* Huge values land in the last bucket instead of overflowing. */
    rm__hist_t h;
    memset(&h, 0, sizeof(h));
    rm__hist_add(&h, UINT64_MAX);
    ASSERT_TRUE(rm__hist_quantile(&h, 1.0) >= (UINT64_C(1) << 40));
    rm__hist_free(&h);
}

/* ---- failures --------------------------------------------------------------- */

RM_TEST(failure_is_reported) {
    rm_registry_t *registry = registry_open();
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"f\",\"node_type\":\"MetFail\",\"params\":{\"at\":1}},"
        "{\"id\":\"z\",\"node_type\":\"MetSleep\"}]}");
    const char *in[] = {"1", "2", "3"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run(p, RM_EXEC_INLINE, RM_RUN_METRICS | RM_RUN_TRACE, in, 3,
                      &r),
                  RM_EIO);
    cJSON *doc = metrics_of(r);
    ASSERT_STR_EQ(str(doc, "status"), "failed");
    cJSON *error = cJSON_GetObjectItem(doc, "error");
    ASSERT_STR_EQ(str(error, "node_id"), "f");
    ASSERT_STR_EQ(str(error, "code"), "EIO");
    ASSERT_STR_EQ(str(error, "operation"), "process");
    ASSERT_STR_CONTAINS(str(error, "message"), "refused");
    cJSON *f = node_of(doc, "f");
    ASSERT_STR_EQ(str(f, "status"), "failed");
    ASSERT_EQ_INT(num(f, "errors"), 1);
    ASSERT_EQ_INT(num(f, "calls"), 2);
    ASSERT_STR_EQ(str(node_of(doc, "a"), "status"), "ok");
    cJSON_Delete(doc);
    /* The trace shows the failed call with its status. */
    char *trace = rm_run_result_trace_json(r, NULL);
    ASSERT_NOT_NULL(trace);
    ASSERT_STR_CONTAINS(trace, "\"status\": \"EIO\"");
    rm_free_string(trace);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

/* ---- trace ------------------------------------------------------------------ */

typedef struct thread_info {
    double tid;
    const char *name;
} thread_info_t;

/* Parses the trace and checks its shape; returns the X events of node
 * calls per node id in `calls` (by node index of `ids`). */
static void check_trace(const rm_run_result_t *r, const char *const *ids,
                        size_t id_count, int expect_caller, int expect_worker) {
    size_t len = 0;
    char *text = rm_run_result_trace_json(r, &len);
    ASSERT_NOT_NULL(text);
    ASSERT_EQ_INT(strlen(text), len);
    cJSON *doc = cJSON_Parse(text);
    if (!doc) RM__FAIL("trace JSON does not parse:\n%.2000s", text);
    rm_free_string(text);
    cJSON *events = cJSON_GetObjectItem(doc, "traceEvents");
    ASSERT_TRUE(cJSON_IsArray(events));
    thread_info_t threads[64];
    size_t thread_count = 0;
    cJSON *e;
    cJSON_ArrayForEach(e, events) {
        if (strcmp(str(e, "ph"), "M") == 0 &&
            strcmp(str(e, "name"), "thread_name") == 0) {
            ASSERT_TRUE(thread_count < 64);
            threads[thread_count].tid = num(e, "tid");
            threads[thread_count].name =
                str(cJSON_GetObjectItem(e, "args"), "name");
            thread_count++;
        }
    }
    size_t counts[16] = {0};
    ASSERT_TRUE(id_count <= 16);
    int saw_caller = 0, saw_worker = 0;
    double total = num(cJSON_GetObjectItem(doc, "otherData"),
                       "total_duration_us");
    cJSON_ArrayForEach(e, events) {
        if (strcmp(str(e, "ph"), "X") != 0) continue;
        cJSON *args = cJSON_GetObjectItem(e, "args");
        const char *id = str(args, "node_id");
        size_t k = 0;
        while (k < id_count && strcmp(ids[k], id) != 0) k++;
        ASSERT_TRUE(k < id_count);
        counts[k]++;
        ASSERT_STR_EQ(str(e, "name"), id);
        ASSERT_STR_EQ(str(args, "operation"), "process");
        ASSERT_TRUE(cJSON_IsNumber(cJSON_GetObjectItem(args, "item")));
        ASSERT_TRUE(num(e, "ts") >= 0 && num(e, "ts") <= total);
        ASSERT_TRUE(num(e, "dur") >= 0);
        /* Its thread has a name, and the name says what the thread is. */
        double tid = num(e, "tid");
        size_t t = 0;
        while (t < thread_count && threads[t].tid != tid) t++;
        if (t == thread_count) RM__FAIL("tid %.0f has no thread_name", tid);
        int is_inline = cJSON_IsTrue(cJSON_GetObjectItem(args, "inline"));
        if (is_inline) {
            ASSERT_STR_EQ(threads[t].name, "caller (inline calls)");
            saw_caller = 1;
        } else {
            ASSERT_TRUE(strncmp(threads[t].name, "worker ", 7) == 0);
            saw_worker = 1;
        }
    }
    for (size_t k = 0; k < id_count; k++) {
        const rm_node_stats_t *s = NULL;
        for (size_t i = 0; i < rm_run_result_node_count(r); i++)
            if (strcmp(rm_run_result_node_stats(r, i)->node_id, ids[k]) == 0)
                s = rm_run_result_node_stats(r, i);
        ASSERT_NOT_NULL(s);
        if (counts[k] != s->calls)
            RM__FAIL("node %s: %zu X events for %llu calls", ids[k],
                     counts[k], (unsigned long long)s->calls);
    }
    ASSERT_EQ_INT(saw_caller, expect_caller);
    ASSERT_EQ_INT(saw_worker, expect_worker);
    ASSERT_STR_EQ(str(cJSON_GetObjectItem(doc, "otherData"), "schema"),
                  "remotemedia.trace/1");
    cJSON_Delete(doc);
}

RM_TEST(trace_one_event_per_call_on_its_thread) {
    rm_registry_t *registry = registry_open();
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"s1\",\"node_type\":\"MetSleep\",\"params\":{\"ms\":1}},"
        "{\"id\":\"s2\",\"node_type\":\"MetSleep\",\"params\":{\"ms\":1}},"
        "{\"id\":\"b\",\"node_type\":\"PassThroughNode\"}],"
        "\"connections\":[{\"from\":\"a\",\"to\":\"s1\"},{\"from\":\"a\",\"to\":\"s2\"},"
        "{\"from\":\"s1\",\"to\":\"b\"},{\"from\":\"s2\",\"to\":\"b\"}]}");
    const char *ids[] = {"a", "s1", "s2", "b"};
    const char *in[] = {"1", "2", "3", "4", "5"};
    rm_run_result_t *r = NULL;
    /* Everything inline: one track, the caller's. */
    ASSERT_EQ_INT(run(p, RM_EXEC_INLINE, RM_RUN_TRACE, in, 5, &r), RM_OK);
    check_trace(r, ids, 4, 1, 0);
    rm_run_result_free(r);
    /* Everything on the pool: worker tracks only. */
    ASSERT_EQ_INT(run(p, RM_EXEC_POOL, RM_RUN_TRACE, in, 5, &r), RM_OK);
    check_trace(r, ids, 4, 0, 1);
    /* The trace flag alone does not make detailed metrics. */
    cJSON *doc = metrics_of(r);
    ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(doc, "detailed")));
    cJSON_Delete(doc);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

/* Retries show in the metrics and, with their back-off, in the trace. */
RM_TEST(retries_in_metrics_and_trace) {
    rm_registry_t *registry = registry_open();
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"f\",\"node_type\":\"MetFlaky\",\"params\":{\"times\":2},"
        "\"retry\":{\"max_retries\":3,\"initial_delay_ms\":5}}]}");
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run(p, RM_EXEC_AUTO, RM_RUN_METRICS | RM_RUN_TRACE, in, 1,
                      &r),
                  RM_OK);
    cJSON *doc = metrics_of(r);
    cJSON *f = node_of(doc, "f");
    ASSERT_STR_EQ(str(f, "status"), "ok"); /* its failures were retried */
    ASSERT_EQ_INT(num(f, "retries"), 2);
    ASSERT_EQ_INT(num(f, "calls"), 3);
    ASSERT_EQ_INT(num(f, "errors"), 2);
    ASSERT_EQ_INT(num(f, "items_out"), 1);
    ASSERT_STR_EQ(str(f, "circuit_state"), "closed");
    ASSERT_TRUE(num(f, "retry_wait_us") >= 15000); /* 5 + 10 ms */
    /* libuv timers count from the loop's cached time (ms resolution), so
     * each wait may end up to 1 ms before its nominal length. */
    ASSERT_TRUE(num(doc, "total_duration_us") >= 15000 - 2 * 1000);
    cJSON_Delete(doc);
    char *trace = rm_run_result_trace_json(r, NULL);
    ASSERT_NOT_NULL(trace);
    cJSON *t = cJSON_Parse(trace);
    ASSERT_NOT_NULL(t);
    int retries = 0, backoffs = 0, failed_calls = 0;
    double backoff_total = 0;
    cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(t, "traceEvents")) {
        const char *name = str(e, "name"), *ph = str(e, "ph");
        if (strcmp(name, "retry") == 0 && strcmp(ph, "i") == 0) retries++;
        if (strcmp(name, "backoff") == 0 && strcmp(ph, "X") == 0) {
            backoffs++;
            backoff_total += num(e, "dur");
        }
        if (strcmp(name, "f") == 0 && strcmp(ph, "X") == 0 &&
            strcmp(str(cJSON_GetObjectItem(e, "args"), "status"), "EAGAIN") == 0)
            failed_calls++;
    }
    ASSERT_EQ_INT(retries, 2);
    ASSERT_EQ_INT(backoffs, 2);
    ASSERT_EQ_INT(failed_calls, 2);
    ASSERT_NEAR(backoff_total, 15000, 1);
    cJSON_Delete(t);
    rm_free_string(trace);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

/* ---- the summary -------------------------------------------------------------- */

RM_TEST(summary_sorted_by_time) {
    rm_registry_t *registry = registry_open();
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"fast\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"slow\",\"node_type\":\"MetSleep\",\"params\":{\"ms\":5}},"
        "{\"id\":\"mem\",\"node_type\":\"MetAlloc\",\"params\":{\"bytes\":1048576}}]}");
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run(p, RM_EXEC_AUTO, RM_RUN_METRICS, in, 1, &r), RM_OK);
    char *text = rm_run_result_summary_text(r);
    ASSERT_NOT_NULL(text);
    ASSERT_STR_CONTAINS(text, "node");
    ASSERT_STR_CONTAINS(text, "p99 us");
    ASSERT_STR_CONTAINS(text, "1.0 MiB");
    /* Sorted by the measured times (a loaded machine may stall even the
     * pass-through for longer than the 5 ms sleep): compare with them. */
    const char *slow = strstr(text, "\nslow "), *fast = strstr(text, "\nfast ");
    ASSERT_TRUE(slow && fast);
    uint64_t slow_ns = rm_run_result_node_stats(r, 1)->total_ns;
    uint64_t fast_ns = rm_run_result_node_stats(r, 0)->total_ns;
    ASSERT_TRUE(slow_ns >= 5000000u); /* a sleep never ends early */
    if (slow_ns > fast_ns) ASSERT_TRUE(slow < fast);
    else if (slow_ns < fast_ns) ASSERT_TRUE(fast < slow);
    rm_free_string(text);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

/* ---- cost ----------------------------------------------------------------------- */

static char *chain_manifest(int length) {
    size_t cap = 64 + (size_t)length * 64;
    char *s = malloc(cap);
    ASSERT_NOT_NULL(s);
    size_t n = (size_t)snprintf(s, cap, "{\"version\":\"v1\",\"nodes\":[");
    for (int i = 0; i < length; i++)
        n += (size_t)snprintf(s + n, cap - n,
                              "%s{\"id\":\"n%d\",\"node_type\":\"PassThroughNode\"}",
                              i ? "," : "", i);
    snprintf(s + n, cap - n, "]}");
    return s;
}

static double median_run_us(rm_pipeline_t *p, uint32_t flags, int runs) {
    double *t = malloc((size_t)runs * sizeof(*t));
    const char *in[] = {"1"};
    rm_item_t *item = rm_item_new_json(in[0], 1);
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_AUTO, flags, 0, 0};
    for (int i = 0; i < runs; i++) {
        rm_run_result_t *r = NULL;
        double t0 = now_us();
        ASSERT_EQ_INT(rm_pipeline_run(p, &options, &item, 1, &r), RM_OK);
        t[i] = now_us() - t0;
        rm_run_result_free(r);
    }
    rm_item_unref(item);
    qsort(t, (size_t)runs, sizeof(*t), cmp_double);
    double m = t[runs / 2];
    free(t);
    return m;
}

/* Metrics on vs off, 100 trivial nodes; and the export of 100 nodes. The
 * targets are 100 µs per run and 1 ms per export. Times depend on the
 * machine and its load, so they are printed and only asserted (3x the
 * targets) with RM_TEST_TIMING=1, e.g. on a quiet benchmark machine; the
 * export's content is always checked. */
RM_TEST(cost_100_nodes) {
    rm_registry_t *registry = registry_open();
    char *manifest = chain_manifest(100);
    rm_pipeline_t *p = rm_test_compile(registry, manifest);
    free(manifest);
    median_run_us(p, RM_RUN_METRICS, 50); /* warm-up */
    double off = 0, on = 0;
    for (int round = 0; round < 3; round++) {
        off += median_run_us(p, 0, 101);
        on += median_run_us(p, RM_RUN_METRICS, 101);
    }
    off /= 3;
    on /= 3;
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_AUTO,
                                RM_RUN_METRICS, 0, 0};
    rm_item_t *item = rm_item_new_json("1", 1);
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(p, &options, &item, 1, &r), RM_OK);
    double export_us[51];
    for (int i = 0; i < 51; i++) {
        double t0 = now_us();
        char *json = rm_run_result_metrics_json(r, 0, NULL);
        export_us[i] = now_us() - t0;
        ASSERT_NOT_NULL(json);
        if (i == 0) {
            cJSON *doc = cJSON_Parse(json);
            ASSERT_NOT_NULL(doc);
            ASSERT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "node_metrics")), 100);
            ASSERT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "execution_order")), 100);
            cJSON_Delete(doc);
        }
        rm_free_string(json);
    }
    qsort(export_us, 51, sizeof(double), cmp_double);
    rm_run_result_free(r);
    rm_item_unref(item);
    printf("100-node chain: run %.1f us off, %.1f us on (+%.1f us, %.3f us per "
           "node execution); metrics JSON export %.1f us\n",
           off, on, on - off, (on - off) / 100, export_us[25]);
    const char *timing = getenv("RM_TEST_TIMING");
    if (!UNDER_ASAN && timing && strcmp(timing, "1") == 0) {
        if (on - off > 300) RM__FAIL("metrics cost %.1f us per run", on - off);
        if (export_us[25] > 3000) RM__FAIL("export took %.1f us", export_us[25]);
    }
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

RM_TEST_LIST(
    RM_TEST_ENTRY(sleep_20ms_shows_20ms),
    RM_TEST_ENTRY(alloc_8mb_shows_peak),
    RM_TEST_ENTRY(execution_order_matches_graph),
    RM_TEST_ENTRY(percentiles_on_known_distribution),
    RM_TEST_ENTRY(histogram_error_bound),
    RM_TEST_ENTRY(concurrent_histograms),
    RM_TEST_ENTRY(failure_is_reported),
    RM_TEST_ENTRY(trace_one_event_per_call_on_its_thread),
    RM_TEST_ENTRY(retries_in_metrics_and_trace),
    RM_TEST_ENTRY(summary_sorted_by_time),
    RM_TEST_ENTRY(cost_100_nodes))
