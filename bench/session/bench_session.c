/*
 * bench_session.c — what a streaming session costs per pushed item.
 *
 * For each pipeline: push N items one by one into an open session (push,
 * poll until quiescent, take the outputs: what Pipeline.process() does per
 * item) against one rm_pipeline_run per item, interleaved in rounds (A B A
 * B ...), medians over the rounds. Reported per item and per item per node.
 * Nodes are PassThroughNode / MultiplyNode on a JSON number, so what is
 * measured is the session machinery, not the work.
 *
 * `bench_session calls N` instead streams N items once through a session
 * of a 10 × PassThroughNode chain (default policy), for counting
 * instructions per node call under valgrind --tool=callgrind: the
 * difference between two N, divided by the extra items × 10.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <remotemedia/runtime.h>

#include "bench_util.h"

enum { ITEMS = 2000, ROUNDS = 15 };

static char *math_chain(int length) {
    bench_text_t t = {0};
    bench_add(&t, "{\"version\":\"v1\",\"nodes\":[");
    for (int i = 0; i < length; i++)
        bench_add(&t, "%s{\"id\":\"m%d\",\"node_type\":\"MultiplyNode\","
                      "\"params\":{\"factor\":1}}", i ? "," : "", i);
    bench_add(&t, "]}");
    return t.s;
}

/* µs per item through one session (push + poll + take outputs). */
static double session_round(rm_pipeline_t *p, rm_item_t *item,
                            rm_exec_policy_t policy) {
    rm_run_options_t options = {sizeof(options), 0, policy, 0, 0, 0};
    rm_session_t *s = NULL;
    if (rm_session_open(p, &options, &s) != RM_OK) exit(1);
    size_t outputs = 0;
    double start = bench_now_us();
    for (int i = 0; i < ITEMS; i++) {
        if (rm_session_push(s, RM_SESSION_ALL_ENTRIES, 0, item, 0) != RM_OK)
            exit(1);
        rm_session_poll(s, RM_POLL_WAIT);
        rm_session_output_t out;
        while (rm_session_next(s, &out)) {
            rm_item_unref(out.item);
            outputs++;
        }
    }
    double elapsed = bench_now_us() - start;
    rm_session_end(s);
    while (!rm_session_finished(s)) rm_session_poll(s, RM_POLL_WAIT);
    rm_session_close(s, NULL);
    if (outputs != ITEMS) {
        fprintf(stderr, "session lost items: %zu of %d\n", outputs, ITEMS);
        exit(1);
    }
    return elapsed / ITEMS;
}

/* µs per item with one rm_pipeline_run per item. */
static double run_round(rm_pipeline_t *p, rm_item_t *item,
                        rm_exec_policy_t policy) {
    rm_run_options_t options = {sizeof(options), 0, policy, 0, 0, 0};
    double start = bench_now_us();
    for (int i = 0; i < ITEMS; i++) {
        rm_run_result_t *r = NULL;
        if (rm_pipeline_run(p, &options, &item, 1, &r) != RM_OK) exit(1);
        rm_run_result_free(r);
    }
    return (bench_now_us() - start) / ITEMS;
}

/* One session, `count` items, 10 PassThroughNode calls each. */
static int count_calls(rm_registry_t *registry, rm_item_t *item, int count) {
    char *manifest = bench_chain_manifest(10);
    rm_pipeline_t *p = bench_compile(registry, manifest);
    free(manifest);
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_AUTO, 0, 0, 0};
    rm_session_t *s = NULL;
    if (rm_session_open(p, &options, &s) != RM_OK) return 1;
    size_t outputs = 0;
    for (int i = 0; i < count; i++) {
        if (rm_session_push(s, RM_SESSION_ALL_ENTRIES, 0, item, 0) != RM_OK)
            return 1;
        rm_session_poll(s, RM_POLL_WAIT);
        rm_session_output_t out;
        while (rm_session_next(s, &out)) {
            rm_item_unref(out.item);
            outputs++;
        }
    }
    rm_session_end(s);
    while (!rm_session_finished(s)) rm_session_poll(s, RM_POLL_WAIT);
    rm_session_close(s, NULL);
    rm_pipeline_free(p);
    printf("%zu items through 10 nodes\n", outputs);
    return outputs == (size_t)count ? 0 : 1;
}

int main(int argc, char **argv) {
    const char *dirs[] = {RM_BENCH_PLUGIN_DIR};
    rm_registry_options_t ro = {sizeof(ro), dirs, 1, 0, 0, NULL, 0};
    rm_registry_t *registry = NULL;
    if (rm_registry_open(&ro, &registry) != RM_OK) return 1;
    rm_item_t *item = rm_item_new_json("1.5", 3);
    if (argc == 3 && !strcmp(argv[1], "calls")) {
        int status = count_calls(registry, item, atoi(argv[2]));
        rm_item_unref(item);
        rm_registry_close(registry);
        return status;
    }

    struct {
        const char *name;
        char *manifest;
        int nodes;
    } cases[] = {
        {"1 × PassThroughNode", bench_chain_manifest(1), 1},
        {"3 × PassThroughNode", bench_chain_manifest(3), 3},
        {"3 × MultiplyNode", math_chain(3), 3},
        {"10 × MultiplyNode", math_chain(10), 10},
    };
    printf("| pipeline | policy | session µs/item | µs per item per node | "
           "run() per item µs | session / run |\n");
    printf("|---|---|---:|---:|---:|---:|\n");
    static const char *const policy_names[] = {"auto", "pool", "inline"};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        rm_pipeline_t *p = bench_compile(registry, cases[c].manifest);
        free(cases[c].manifest);
        for (int policy = RM_EXEC_AUTO; policy <= RM_EXEC_POOL; policy++) {
            double s[ROUNDS], r[ROUNDS];
            session_round(p, item, (rm_exec_policy_t)policy); /* warm-up */
            run_round(p, item, (rm_exec_policy_t)policy);
            for (int k = 0; k < ROUNDS; k++) {
                s[k] = session_round(p, item, (rm_exec_policy_t)policy);
                r[k] = run_round(p, item, (rm_exec_policy_t)policy);
            }
            double sm = bench_median(s, ROUNDS), rm = bench_median(r, ROUNDS);
            printf("| %s | %s | %.3f | %.3f | %.3f | %.2f |\n", cases[c].name,
                   policy_names[policy], sm, sm / cases[c].nodes, rm, sm / rm);
            fflush(stdout);
        }
        rm_pipeline_free(p);
    }
    rm_item_unref(item);
    rm_registry_close(registry);
    return 0;
}
