/*
 * bench_metrics.c — what metrics and traces cost, and how long exports take.
 *
 * Each pipeline compiles once and runs many times (as the SDK does). The
 * variants — off, RM_RUN_METRICS, RM_RUN_METRICS | RM_RUN_TRACE — run
 * interleaved (A B C A B C ...) so machine noise hits them alike; the
 * median run time of each is reported, and the difference to "off"
 * divided by the node executions of a run. Exports are timed on one
 * result, median of many.
 *
 *   bench_metrics [REPS]      (default 400 runs per variant and case)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <remotemedia/runtime.h>

#include "bench_util.h"
#include "observe/observe.h"







static const char audio_manifest[] =
    "{\"version\":\"v1\",\"nodes\":["
    "{\"id\":\"fmt\",\"node_type\":\"FormatConverterNode\","
    "\"params\":{\"target_format\":\"f32\"}},"
    "{\"id\":\"rs\",\"node_type\":\"AudioResampleNode\","
    "\"params\":{\"target_sample_rate\":16000}},"
    "{\"id\":\"vad\",\"node_type\":\"VADNode\"}]}";


static double run_once(rm_pipeline_t *p, uint32_t flags, rm_item_t **inputs,
                       size_t count) {
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_AUTO, flags, 0, 0};
    rm_run_result_t *r = NULL;
    double start = bench_now_us();
    int status = rm_pipeline_run(p, &options, inputs, count, &r);
    double elapsed = bench_now_us() - start;
    rm_run_result_free(r);
    if (status != RM_OK) {
        fprintf(stderr, "run failed: %s\n", rm_strerror(status));
        exit(1);
    }
    return elapsed;
}

#define VARIANTS 3
static const uint32_t variant_flags[VARIANTS] = {
    0, RM_RUN_METRICS, RM_RUN_METRICS | RM_RUN_TRACE};
static const char *const variant_names[VARIANTS] = {"off", "metrics",
                                                    "metrics + trace"};

static void bench_case(const char *name, rm_pipeline_t *p, rm_item_t **inputs,
                       size_t count, size_t executions, int reps) {
    double *t[VARIANTS];
    for (int v = 0; v < VARIANTS; v++)
        t[v] = malloc((size_t)reps * sizeof(double));
    for (int i = 0; i < reps / 10 + 5; i++) /* warm-up */
        for (int v = 0; v < VARIANTS; v++)
            run_once(p, variant_flags[v], inputs, count);
    for (int i = 0; i < reps; i++)
        for (int v = 0; v < VARIANTS; v++)
            t[v][i] = run_once(p, variant_flags[v], inputs, count);
    double off = bench_median(t[0], (size_t)reps);
    for (int v = 0; v < VARIANTS; v++) {
        double m = v ? bench_median(t[v], (size_t)reps) : off;
        if (v == 0)
            printf("| %s | %zu | %s | %.1f | | |\n", name, executions,
                   variant_names[v], m);
        else
            printf("| %s | %zu | %s | %.1f | %+.1f | %+.3f |\n", name,
                   executions, variant_names[v], m, m - off,
                   (m - off) / (double)executions);
        free(t[v]);
    }
}

typedef char *(*export_fn)(const rm_run_result_t *r);
static char *export_metrics(const rm_run_result_t *r) {
    return rm_run_result_metrics_json(r, 0, NULL);
}
static char *export_trace(const rm_run_result_t *r) {
    return rm_run_result_trace_json(r, NULL);
}

static void bench_export(const char *name, rm_pipeline_t *p, uint32_t flags,
                         rm_item_t **inputs, size_t count, export_fn fn,
                         int reps) {
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_AUTO, flags, 0, 0};
    rm_run_result_t *r = NULL;
    if (rm_pipeline_run(p, &options, inputs, count, &r) != RM_OK) exit(1);
    double *t = malloc((size_t)reps * sizeof(double));
    size_t bytes = 0;
    for (int i = 0; i < reps + 10; i++) {
        double start = bench_now_us();
        char *text = fn(r);
        double elapsed = bench_now_us() - start;
        if (!text) exit(1);
        bytes = strlen(text);
        rm_free_string(text);
        if (i >= 10) t[i - 10] = elapsed;
    }
    printf("| %s | %zu | %.1f |\n", name, bytes, bench_median(t, (size_t)reps));
    free(t);
    rm_run_result_free(r);
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 400;
    if (reps < 11) reps = 11;
    static const char *const dirs[] = {RM_BENCH_PLUGIN_DIR};
    rm_registry_options_t ro = {sizeof(ro), dirs, 1, 0, 0, NULL, 0};
    rm_registry_t *registry = NULL;
    if (rm_registry_open(&ro, &registry) != RM_OK) return 1;

    rm_item_t *one = rm_item_new_json("1", 1);
    rm_item_t *sixteen[16];
    for (int i = 0; i < 16; i++) sixteen[i] = rm_item_new_json("1", 1);
    /* Audio: 20 chunks of 100 ms, 48 kHz stereo i16 (a 440 Hz tone). */
    rm_item_t *audio[20];
    for (int c = 0; c < 20; c++) {
        rm_audio_format_t f = {48000, 2, RM_SAMPLE_I16, RM_LAYOUT_INTERLEAVED,
                               4800};
        audio[c] = rm_item_new_audio(&f);
        int16_t *s = audio[c]->data;
        for (int i = 0; i < 4800; i++) {
            double x = (c * 4800 + i) * 440.0 / 48000.0;
            int16_t v = (int16_t)(8000 * (x - (int)x < 0.5 ? 1 : -1));
            s[2 * i] = s[2 * i + 1] = v;
        }
    }

    char *chain100 = bench_chain_manifest(100);
    char *chain3 = bench_chain_manifest(3);
    rm_pipeline_t *p100 = bench_compile(registry, chain100);
    rm_pipeline_t *p3 = bench_compile(registry, chain3);
    rm_pipeline_t *pa = bench_compile(registry, audio_manifest);
    free(chain100);
    free(chain3);

    printf("### Run cost: metrics off / on (interleaved, median of %d runs "
           "each)\n\n", reps);
    printf("| case | node executions/run | recording | median µs/run | "
           "Δ µs/run vs off | Δ µs per node execution |\n");
    printf("|---|---:|---|---:|---:|---:|\n");
    bench_case("3-node chain, 1 item", p3, &one, 1, 3, reps);
    bench_case("100-node chain, 1 item", p100, &one, 1, 100, reps);
    bench_case("100-node chain, 16 items", p100, sixteen, 16, 1600, reps / 4);
    bench_case("audio: i16→f32, 48→16 kHz, VAD; 20 × 100 ms", pa, audio, 20,
               60, reps / 4);

    printf("\n### Export (median of %d)\n\n", reps);
    printf("| export | bytes | median µs |\n|---|---:|---:|\n");
    bench_export("metrics JSON, 100 nodes (detailed)", p100, RM_RUN_METRICS,
                 &one, 1, export_metrics, reps);
    bench_export("metrics JSON, 100 nodes (not detailed)", p100, 0, &one, 1,
                 export_metrics, reps);
    bench_export("trace JSON, 100 nodes x 16 items (1600 events)", p100,
                 RM_RUN_TRACE, sixteen, 16, export_trace, reps / 4);
    bench_export("summary table, 100 nodes", p100, RM_RUN_METRICS, &one, 1,
                 rm_run_result_summary_text, reps);

    /* The histogram insert alone (what each call pays with metrics on). */
    rm__hist_t h;
    memset(&h, 0, sizeof(h));
    enum { N = 10000000 };
    uint64_t x = 88172645463325252u, sink = 0;
    for (int i = 0; i < 1000; i++) rm__hist_add(&h, 100 + (uint64_t)i * 37);
    double start = bench_now_us();
    for (int i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        rm__hist_add(&h, 50 + (x & 0xFFFFF));
        sink += x;
    }
    double per = (bench_now_us() - start) * 1000.0 / N;
    printf("\n| histogram insert (values 50 ns–1 ms, random) | %.2f ns |\n",
           per);
    if (sink == 42) printf(" ");
    rm__hist_free(&h);

    rm_pipeline_free(p100);
    rm_pipeline_free(p3);
    rm_pipeline_free(pa);
    rm_item_unref(one);
    for (int i = 0; i < 16; i++) rm_item_unref(sixteen[i]);
    for (int c = 0; c < 20; c++) rm_item_unref(audio[c]);
    rm_registry_close(registry);
    return 0;
}
