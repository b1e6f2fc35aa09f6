/*
 * bench_executor.c — what the executor costs per node execution.
 *
 * Every case compiles once and runs many times (as the Python bridge
 * does), after a warm-up; the median run time is divided by the number of
 * node executions (process calls) in the run. Nodes are PassThroughNode,
 * so what is measured is the scheduling, not the work. The `auto` policy
 * is the default (inline fast path where it costs nothing); `pool` forces
 * every call through a worker thread, which shows what a thread hop costs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <remotemedia/runtime.h>

#include "bench_util.h"







static char *fan_manifest(int width) {
    bench_text_t t = {0};
    bench_add(&t, "{\"version\":\"v1\",\"nodes\":[{\"id\":\"root\",\"node_type\":"
            "\"PassThroughNode\"},{\"id\":\"join\",\"node_type\":"
            "\"PassThroughNode\"}");
    for (int i = 0; i < width; i++)
        bench_add(&t, ",{\"id\":\"b%d\",\"node_type\":\"PassThroughNode\"}", i);
    bench_add(&t, "],\"connections\":[");
    for (int i = 0; i < width; i++)
        bench_add(&t, "%s{\"from\":\"root\",\"to\":\"b%d\"},{\"from\":\"b%d\","
                "\"to\":\"join\"}", i ? "," : "", i, i);
    bench_add(&t, "]}");
    return t.s;
}

static char *independent_manifest(int count) {
    bench_text_t t = {0};
    bench_add(&t, "{\"version\":\"v1\",\"nodes\":[");
    for (int i = 0; i < count; i++)
        bench_add(&t, "%s{\"id\":\"n%d\",\"node_type\":\"PassThroughNode\"}",
            i ? "," : "", i);
    bench_add(&t, "],\"connections\":[]}");
    return t.s;
}

/* Compile a generated manifest and free it. */
static rm_pipeline_t *compile(rm_registry_t *registry, char *manifest) {
    rm_pipeline_t *p = bench_compile(registry, manifest);
    free(manifest);
    return p;
}

/* Median µs per run over `reps` runs (after `warmup`). */
static double time_runs(rm_pipeline_t *p, rm_exec_policy_t policy,
                        rm_item_t **inputs, size_t input_count, int warmup,
                        int reps) {
    rm_run_options_t options = {sizeof(options), 0, policy, 0, 0, 0};
    double *samples = malloc((size_t)reps * sizeof(*samples));
    for (int i = 0; i < warmup + reps; i++) {
        rm_run_result_t *r = NULL;
        double start = bench_now_us();
        int status = rm_pipeline_run(p, &options, inputs, input_count, &r);
        double elapsed = bench_now_us() - start;
        rm_run_result_free(r);
        if (status != RM_OK) {
            fprintf(stderr, "run failed: %s\n", rm_strerror(status));
            exit(1);
        }
        if (i >= warmup) samples[i - warmup] = elapsed;
    }
    double m = bench_median(samples, (size_t)reps);
    free(samples);
    return m;
}

static size_t count_dir(const char *path) {
    DIR *dir = opendir(path);
    size_t n = 0;
    struct dirent *e;
    while (dir && (e = readdir(dir)))
        if (e->d_name[0] != '.') n++;
    if (dir) closedir(dir);
    return n;
}

typedef struct scase {
    const char *name;
    rm_pipeline_t *pipeline;
    size_t inputs;
    size_t executions; /* process calls per run */
    int reps;
} scase_t;

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 1; /* more repetitions */
    if (scale < 1) scale = 1;
    const char *dirs[] = {RM_BENCH_PLUGIN_DIR};
    rm_registry_options_t ro = {sizeof(ro), dirs, 1, 0, 0, NULL, 0};
    rm_registry_t *registry = NULL;
    if (rm_registry_open(&ro, &registry) != RM_OK) return 1;

    rm_item_t *items[16];
    for (int i = 0; i < 16; i++) {
        char text[8];
        int n = snprintf(text, sizeof(text), "%d", i);
        items[i] = rm_item_new_json(text, (size_t)n);
    }

    scase_t cases[] = {
        {"3-node chain, 1 item", compile(registry, bench_chain_manifest(3)), 1, 3, 4000},
        {"3-node chain, 16 items", compile(registry, bench_chain_manifest(3)), 16, 48, 2000},
        {"100-node chain, 1 item", compile(registry, bench_chain_manifest(100)), 1, 100, 600},
        {"100-node chain, 16 items", compile(registry, bench_chain_manifest(100)), 16, 1600, 200},
        {"100-wide fan-out/fan-in, 1 item", compile(registry, fan_manifest(100)), 1, 102, 600},
    };
    size_t ncases = sizeof(cases) / sizeof(cases[0]);

    printf("| case | node executions/run | policy | median µs/run | µs per node execution |\n");
    printf("|---|---:|---|---:|---:|\n");
    for (size_t c = 0; c < ncases; c++) {
        static const char *const names[] = {"auto", "pool", "inline"};
        for (int policy = RM_EXEC_AUTO; policy <= RM_EXEC_POOL; policy++) {
            int reps = cases[c].reps * scale;
            double us = time_runs(cases[c].pipeline, (rm_exec_policy_t)policy,
                                  items, cases[c].inputs, reps / 10 + 20, reps);
            printf("| %s | %zu | %s | %.1f | %.3f |\n", cases[c].name,
                   cases[c].executions, names[policy], us,
                   us / (double)cases[c].executions);
            fflush(stdout);
        }
    }
    for (size_t c = 0; c < ncases; c++) rm_pipeline_free(cases[c].pipeline);

    /* 10,000 node executions at once: 10,000 independent nodes, forced
     * through the pool. */
    size_t threads_before = count_dir("/proc/self/task");
    double start = bench_now_us();
    rm_pipeline_t *wide = compile(registry, independent_manifest(10000));
    double compile_ms = (bench_now_us() - start) / 1e3;
    double run_ms[3];
    for (int i = 0; i < 3; i++)
        run_ms[i] = time_runs(wide, RM_EXEC_POOL, items, 1, 0, 1) / 1e3;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("\n| 10,000 independent nodes (pool) | value |\n|---|---:|\n");
    printf("| compile (manifest + 10,000 creates) | %.1f ms |\n", compile_ms);
    printf("| run, 1 item each (3 runs) | %.1f / %.1f / %.1f ms |\n",
           run_ms[0], run_ms[1], run_ms[2]);
    printf("| peak RSS of the process | %.1f MB |\n", usage.ru_maxrss / 1024.0);
    printf("| threads before / after | %zu / %zu |\n", threads_before,
           count_dir("/proc/self/task"));
    rm_pipeline_free(wide);

    /* Items: header + payload in one block; glibc's per-thread cache
     * already recycles small blocks, which is why there is no item pool. */
    enum { N = 1000000 };
    start = bench_now_us();
    for (int i = 0; i < N; i++) rm_item_unref(rm_item_new_json("[1,2,3]", 7));
    double json_ns = (bench_now_us() - start) * 1e3 / N;
    rm_audio_format_t fmt = {48000, 2, RM_SAMPLE_F32, RM_LAYOUT_INTERLEAVED,
                             524288}; /* 4 MB */
    double audio_ms[50];
    for (int i = 0; i < 50; i++) {
        start = bench_now_us();
        rm_item_t *a = rm_item_new_audio(&fmt);
        memset(a->data, i, a->size);
        rm_item_unref(a);
        audio_ms[i] = (bench_now_us() - start) / 1e3;
    }
    printf("\n| items | value |\n|---|---:|\n");
    printf("| new JSON item + unref | %.0f ns |\n", json_ns);
    printf("| new 4 MB audio item + fill + unref (median of 50) | %.3f ms |\n",
           bench_median(audio_ms, 50));

    for (int i = 0; i < 16; i++) rm_item_unref(items[i]);
    rm_registry_close(registry);
    return 0;
}
