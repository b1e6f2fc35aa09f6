/*
 * bench_reliability.c — the SC-002-style batch: 1,000 items through a
 * chain whose middle node fails 10 % of its calls transiently (seeded
 * random, the fault-injection plugin of tests/c/reliability), recovered by
 * the retry policy alone; and the cost of the retry/breaker machinery on
 * the success path (a trivial chain, no failures).
 *
 *   bench_reliability [SEED]
 *
 * Prints a Markdown table (bench/results-reliability.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <remotemedia/runtime.h>

#include "bench_util.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const rm_node_stats_t *stats_of(const rm_run_result_t *r,
                                       const char *id) {
    for (size_t i = 0; i < rm_run_result_node_count(r); i++)
        if (strcmp(rm_run_result_node_stats(r, i)->node_id, id) == 0)
            return rm_run_result_node_stats(r, i);
    return NULL;
}

/* One run of `count` items; prints a table row. */
static void batch_one_run(rm_registry_t *registry, const char *label,
                          const char *retry, long seed, size_t count) {
    char text[1024];
    snprintf(text, sizeof(text),
             "{\"version\":\"v1\",\"nodes\":["
             "{\"id\":\"pre\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":2}},"
             "{\"id\":\"flaky\",\"node_type\":\"Fault\",\"params\":{\"mode\":"
             "\"random\",\"rate\":0.1,\"seed\":%ld},\"retry\":%s},"
             "{\"id\":\"post\",\"node_type\":\"AddNode\",\"params\":{\"addend\":1}}]}",
             seed, retry);
    rm_pipeline_t *p = bench_compile(registry, text);
    rm_item_t **items = calloc(count, sizeof(*items));
    for (size_t i = 0; i < count; i++) {
        char number[32];
        int n = snprintf(number, sizeof(number), "%zu", i);
        items[i] = rm_item_new_json(number, (size_t)n);
    }
    rm_run_result_t *r = NULL;
    double start = now_ms();
    int status = rm_pipeline_run(p, NULL, items, count, &r);
    double took = now_ms() - start;
    const rm_node_stats_t *s = stats_of(r, "flaky");
    size_t done = rm_run_result_first_unprocessed(r);
    size_t out = rm_run_result_item_count(r, 0);
    printf("| %s | one run of %zu items | %s | %zu / %zu (%.1f %%) | %llu | "
           "%u | %.0f ms | %s |\n",
           label, count, retry, out, count, 100.0 * (double)out / count,
           (unsigned long long)s->calls, s->retries, took,
           status == RM_OK ? "ok" : rm_run_result_error(r)->message);
    (void)done;
    rm_run_result_free(r);
    for (size_t i = 0; i < count; i++) rm_item_unref(items[i]);
    free(items);
    rm_pipeline_free(p);
}

/* `count` runs of one item each (a batch of files): one compiled pipeline,
 * so the breaker sees them all. */
static void batch_many_runs(rm_registry_t *registry, const char *label,
                            const char *retry, long seed, size_t count) {
    char text[1024];
    snprintf(text, sizeof(text),
             "{\"version\":\"v1\",\"nodes\":["
             "{\"id\":\"flaky\",\"node_type\":\"Fault\",\"params\":{\"mode\":"
             "\"random\",\"rate\":0.1,\"seed\":%ld},\"retry\":%s}]}",
             seed, retry);
    rm_pipeline_t *p = bench_compile(registry, text);
    size_t ok = 0;
    unsigned long long calls = 0, retries = 0;
    double start = now_ms();
    for (size_t i = 0; i < count; i++) {
        char number[32];
        int n = snprintf(number, sizeof(number), "%zu", i);
        rm_item_t *item = rm_item_new_json(number, (size_t)n);
        rm_run_result_t *r = NULL;
        if (rm_pipeline_run(p, NULL, &item, 1, &r) == RM_OK) ok++;
        calls += stats_of(r, "flaky")->calls;
        retries += stats_of(r, "flaky")->retries;
        rm_run_result_free(r);
        rm_item_unref(item);
    }
    double took = now_ms() - start;
    printf("| %s | %zu runs of 1 item | %s | %zu / %zu (%.1f %%) | %llu | "
           "%llu | %.0f ms | - |\n",
           label, count, retry, ok, count, 100.0 * (double)ok / count, calls,
           retries, took);
    rm_pipeline_free(p);
}

/* Success path: a chain of `length` nodes, `items` items, median of runs. */
static void success_path(rm_registry_t *registry, const char *node_type,
                         int length, size_t item_count, int runs) {
    char text[8192];
    size_t len = (size_t)snprintf(text, sizeof(text),
                                  "{\"version\":\"v1\",\"nodes\":[");
    for (int i = 0; i < length; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len,
                                "%s{\"id\":\"n%d\",\"node_type\":\"%s\"}",
                                i ? "," : "", i, node_type);
    snprintf(text + len, sizeof(text) - len, "]}");
    rm_pipeline_t *p = bench_compile(registry, text);
    rm_item_t **items = calloc(item_count, sizeof(*items));
    for (size_t i = 0; i < item_count; i++) items[i] = rm_item_new_json("1", 1);
    double *t = calloc((size_t)runs, sizeof(*t));
    for (int k = 0; k < runs / 10; k++) { /* warm-up */
        rm_run_result_t *r = NULL;
        rm_pipeline_run(p, NULL, items, item_count, &r);
        rm_run_result_free(r);
    }
    for (int k = 0; k < runs; k++) {
        rm_run_result_t *r = NULL;
        double start = now_ms();
        rm_pipeline_run(p, NULL, items, item_count, &r);
        t[k] = (now_ms() - start) * 1000.0;
        rm_run_result_free(r);
    }
    qsort(t, (size_t)runs, sizeof(*t), bench_cmp_double);
    double med = t[runs / 2];
    printf("| %s x %d, %zu items | %.2f µs | %.3f µs |\n", node_type, length,
           item_count, med, med / (double)(length * (int)item_count));
    free(t);
    for (size_t i = 0; i < item_count; i++) rm_item_unref(items[i]);
    free(items);
    rm_pipeline_free(p);
}

int main(int argc, char **argv) {
    long seed = argc > 1 ? strtol(argv[1], NULL, 10) : 42;
    static const char *const dirs[] = {RM_BENCH_PLUGIN_DIR,
                                       RM_BENCH_FAULT_PLUGIN_DIR};
    rm_registry_options_t options = {sizeof(options), dirs, 2, 0, 0, NULL, 0};
    rm_registry_t *registry = NULL;
    if (rm_registry_open(&options, &registry) != RM_OK) return 1;

    printf("| policy | batch | retry | items processed | calls of the "
           "flaky node | retries | wall time | error |\n");
    printf("|---|---|---|---:|---:|---:|---:|---|\n");
    batch_one_run(registry, "default", "{}", seed, 1000);
    batch_one_run(registry, "fast back-off", "{\"initial_delay_ms\":1}",
                  seed, 1000);
    batch_one_run(registry, "no retry", "{\"max_retries\":0}", seed, 1000);
    batch_many_runs(registry, "fast back-off", "{\"initial_delay_ms\":1}",
                    seed, 1000);
    batch_many_runs(registry, "no retry", "{\"max_retries\":0}", seed, 1000);

    printf("\n| success path (no failure) | median per run | per node "
           "execution |\n|---|---:|---:|\n");
    success_path(registry, "PassThroughNode", 3, 1, 20000);
    success_path(registry, "PassThroughNode", 3, 16, 5000);
    success_path(registry, "PassThroughNode", 100, 16, 500);
    success_path(registry, "Fault", 3, 16, 5000);
    rm_registry_close(registry);
    return 0;
}
