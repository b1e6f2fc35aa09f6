/* test_executor.c — topologies, data at the sinks, errors, reuse. */
#include <cjson/cJSON.h>

#include "exec_util.h"

#define V1 "\"version\":\"v1\""

RM_TEST(linear_chain_math) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"mul\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":2}},"
        "{\"id\":\"add\",\"node_type\":\"AddNode\",\"params\":{\"addend\":1}},"
        "{\"id\":\"out\",\"node_type\":\"PassThroughNode\"}]}");
    const char *in[] = {"1", "2.5", "[1,2,3]", "-4"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 4, &r), RM_OK);
    ASSERT_EQ_INT(rm_run_result_sink_count(r), 1);
    ASSERT_STR_EQ(rm_run_result_sink_id(r, 0), "out");
    char *text = sink_text(r, 0);
    ASSERT_STR_EQ(text, "[3,6,[3,5,7],-7]");
    free(text);
    const rm_node_stats_t *s = stats_of(r, "mul");
    ASSERT_EQ_INT(s->calls, 4); /* no flush(): not a call */
    ASSERT_EQ_INT(s->items_in, 4);
    ASSERT_EQ_INT(s->items_out, 4);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(integral_results_print_as_int) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"m\",\"node_type\":\"MultiplyNode\","
        "\"params\":{\"factor\":1.5}}]}");
    const char *in[] = {"3", "4", "[0.1,2]", "1e20", "0.2"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 5, &r), RM_OK);
    char *text = sink_text(r, 0);
    ASSERT_STR_EQ(text,
                  "[4.5,6,[0.15000000000000002,3],1.5e+20,"
                  "0.30000000000000004]");
    free(text);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(math_rejects_non_numbers) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"times3\",\"node_type\":\"MultiplyNode\","
        "\"params\":{\"factor\":3}}]}");
    const char *in[] = {"[1,\"two\",3]"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_EKIND);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_NOT_NULL(e);
    ASSERT_STR_EQ(e->node_id, "times3");
    ASSERT_STR_EQ(e->node_type, "MultiplyNode");
    ASSERT_STR_EQ(e->operation, "process");
    ASSERT_EQ_INT(e->transient, 0);
    ASSERT_STR_CONTAINS(e->message, "element [1]");
    ASSERT_STR_CONTAINS(e->message, "string");
    ASSERT_STR_CONTAINS(e->message, "times3");
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* in -> p0 -> {a: x2, b: +10}; p0 also feeds c (a pass-through sink),
 * whose items must be the very input items (fan-out shares references). */
RM_TEST(fan_out_shares_items) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"p0\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"a\",\"node_type\":\"MultiplyNode\"},"
        "{\"id\":\"b\",\"node_type\":\"AddNode\",\"params\":{\"addend\":10}},"
        "{\"id\":\"c\",\"node_type\":\"PassThroughNode\"}],"
        "\"connections\":[{\"from\":\"p0\",\"to\":\"a\"},"
        "{\"from\":\"p0\",\"to\":\"b\"},{\"from\":\"p0\",\"to\":\"c\"}]}");
    rm_item_t *in[3] = {rm_item_new_json("1", 1), rm_item_new_json("2", 1),
                        rm_item_new_json("[3]", 3)};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(p, NULL, in, 3, &r), RM_OK);
    ASSERT_EQ_INT(rm_run_result_sink_count(r), 3);
    char *a = sink_text(r, sink_index(r, "a"));
    char *b = sink_text(r, sink_index(r, "b"));
    ASSERT_STR_EQ(a, "[2,4,[6]]");
    ASSERT_STR_EQ(b, "[11,12,[13]]");
    free(a);
    free(b);
    size_t c = sink_index(r, "c");
    for (size_t i = 0; i < 3; i++)
        ASSERT_TRUE(rm_run_result_item(r, c, i) == in[i]); /* zero copy */
    ASSERT_EQ_INT(rm_item_refcount(in[0]), 2); /* ours + the result's */
    rm_run_result_free(r);
    ASSERT_EQ_INT(rm_item_refcount(in[0]), 1);
    for (int i = 0; i < 3; i++) rm_item_unref(in[i]);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* Two producers into the two ports of Tag: every item arrives, tagged
 * with its port, in order per port. */
RM_TEST(fan_in_tags_ports) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"x2\",\"node_type\":\"MultiplyNode\"},"
        "{\"id\":\"plus100\",\"node_type\":\"AddNode\",\"params\":{\"addend\":100}},"
        "{\"id\":\"tag\",\"node_type\":\"Tag\"}],"
        "\"connections\":[{\"from\":\"x2\",\"to\":\"tag\",\"to_port\":\"a\"},"
        "{\"from\":\"plus100\",\"to\":\"tag\",\"to_port\":\"b\"}]}");
    const char *in[] = {"1", "2", "3", "4", "5"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 5, &r), RM_OK);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 10);
    int next_a = 1, next_b = 1;
    for (size_t i = 0; i < 10; i++) {
        const char *t = rm_run_result_item(r, 0, i)->data;
        int port = -1, value = -1;
        ASSERT_EQ_INT(sscanf(t, "{\"port\":%d,\"value\":%d}", &port, &value), 2);
        if (port == 0) ASSERT_EQ_INT(value, 2 * next_a++);
        else { ASSERT_EQ_INT(port, 1); ASSERT_EQ_INT(value, 100 + next_b++); }
    }
    ASSERT_EQ_INT(next_a, 6);
    ASSERT_EQ_INT(next_b, 6);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* in -> top -> {left x2, right +1} -> sum: the diamond ends with one total
 * emitted at flush, after both branches ended. */
RM_TEST(diamond_flushes_after_both_branches) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"top\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"left\",\"node_type\":\"MultiplyNode\"},"
        "{\"id\":\"right\",\"node_type\":\"AddNode\",\"params\":{\"addend\":1}},"
        "{\"id\":\"sum\",\"node_type\":\"Sum\"}],"
        "\"connections\":[{\"from\":\"top\",\"to\":\"left\"},"
        "{\"from\":\"top\",\"to\":\"right\"},{\"from\":\"left\",\"to\":\"sum\"},"
        "{\"from\":\"right\",\"to\":\"sum\"}]}");
    const char *in[] = {"1", "2", "3"}; /* x2: 12, +1: 9 */
    for (int round = 0; round < 3; round++) { /* fresh Sum state each run */
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run_json(p, NULL, in, 3, &r), RM_OK);
        char *text = sink_text(r, 0);
        ASSERT_STR_EQ(text, "[21]");
        free(text);
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(source_feeds_chain_without_inputs) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"src\",\"node_type\":\"TestSource\",\"params\":{\"count\":5}},"
        "{\"id\":\"m\",\"node_type\":\"MultiplyNode\"}]}");
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(p, NULL, NULL, 0, &r), RM_OK);
    char *text = sink_text(r, 0);
    ASSERT_STR_EQ(text, "[0,2,4,6,8]");
    free(text);
    rm_run_result_free(r);
    /* Sources are re-created per run: the second run starts from 0. */
    ASSERT_EQ_INT(rm_pipeline_run(p, NULL, NULL, 0, &r), RM_OK);
    text = sink_text(r, 0);
    ASSERT_STR_EQ(text, "[0,2,4,6,8]");
    free(text);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* A pipeline keeps each node's buffers for its next run (scheduler.c);
 * a burst grows them past what is kept (one call emitting 3,000 items:
 * the source's emit list and the next node's ring), so the end of the
 * run frees those and the next run grows them again. Three runs, each
 * complete and in order. */
RM_TEST(runs_after_a_burst_reuse_or_regrow_node_buffers) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"src\",\"node_type\":\"TestSource\",\"params\":"
        "{\"count\":3000,\"per_call\":3000}},"
        "{\"id\":\"m\",\"node_type\":\"MultiplyNode\"}]}");
    for (int run = 0; run < 3; run++) {
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(rm_pipeline_run(p, NULL, NULL, 0, &r), RM_OK);
        ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 3000);
        const rm_item_t *last = rm_run_result_item(r, 0, 2999);
        ASSERT_NOT_NULL(last);
        ASSERT_STR_EQ((const char *)last->data, "5998");
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(no_inputs_gives_empty_result) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"m\",\"node_type\":\"MultiplyNode\"}]}");
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(p, NULL, NULL, 0, &r), RM_OK);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 0);
    ASSERT_TRUE(rm_run_result_error(r) == NULL);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

static void run_twice_same(rm_exec_policy_t policy) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":3}},"
        "{\"id\":\"b\",\"node_type\":\"AddNode\",\"params\":{\"addend\":0.5}},"
        "{\"id\":\"c\",\"node_type\":\"PassThroughNode\"}]}");
    const char *in[] = {"1", "[2,3]", "0"};
    rm_run_options_t options = {sizeof(options), 0, policy, 0, 0, 0};
    char *first = NULL;
    for (int i = 0; i < 5; i++) {
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run_json(p, &options, in, 3, &r), RM_OK);
        char *text = sink_text(r, 0);
        if (!first) first = text;
        else { ASSERT_STR_EQ(text, first); free(text); }
        rm_run_result_free(r);
    }
    ASSERT_STR_EQ(first, "[3.5,[6.5,9.5],0.5]");
    free(first);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(compiled_pipeline_runs_many_times) {
    run_twice_same(RM_EXEC_AUTO);
    run_twice_same(RM_EXEC_POOL);
    run_twice_same(RM_EXEC_INLINE);
}

/* The small-input fast path: a short chain on one item runs entirely on
 * the calling thread (each step is the only thing that can run: no thread
 * hop can help); forced onto the pool it does not. */
RM_TEST(short_chain_runs_on_calling_thread) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"b\",\"node_type\":\"MultiplyNode\"},"
        "{\"id\":\"tid\",\"node_type\":\"ThreadId\"}]}");
    const char *in[] = {"[1,2,3]"};
    char me[32];
    snprintf(me, sizeof(me), "%ld", (long)syscall(SYS_gettid));
    rm_run_result_t *r = NULL;
    for (int round = 0; round < 3; round++) {
        ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_OK);
        ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 1);
        ASSERT_STR_EQ((const char *)rm_run_result_item(r, 0, 0)->data, me);
        ASSERT_EQ_INT(stats_of(r, "a")->inline_calls, 1);
        ASSERT_EQ_INT(stats_of(r, "b")->inline_calls, 1);
        rm_run_result_free(r);
    }
    rm_run_options_t pool = {sizeof(pool), 0, RM_EXEC_POOL, 0, 0, 0};
    ASSERT_EQ_INT(run_json(p, &pool, in, 1, &r), RM_OK);
    ASSERT_TRUE(strcmp(rm_run_result_item(r, 0, 0)->data, me) != 0);
    ASSERT_EQ_INT(stats_of(r, "b")->inline_calls, 0);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* When node `id` ran, from the run's metrics (RM_RUN_METRICS): its first
 * call's start and last call's end, µs from the run's start. */
static void node_span(const rm_run_result_t *r, const char *id, double *start,
                      double *end) {
    char *json = rm_run_result_metrics_json(r, 0, NULL);
    ASSERT_NOT_NULL(json);
    cJSON *doc = cJSON_Parse(json);
    rm_free_string(json);
    ASSERT_NOT_NULL(doc);
    const cJSON *node;
    int found = 0;
    cJSON_ArrayForEach(node, cJSON_GetObjectItem(doc, "node_metrics")) {
        if (strcmp(cJSON_GetObjectItem(node, "node_id")->valuestring, id))
            continue;
        *start = cJSON_GetObjectItem(node, "first_start_us")->valuedouble;
        *end = cJSON_GetObjectItem(node, "last_end_us")->valuedouble;
        found = 1;
    }
    cJSON_Delete(doc);
    if (!found) RM__FAIL("no node %s in the metrics", id);
}

/* Two independent 200 ms nodes run at the same time: their calls overlap
 * (checked on the run's own timestamps, not against a wall-clock budget,
 * which a loaded machine would miss). */
RM_TEST(independent_branches_run_concurrently) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"s1\",\"node_type\":\"Sleep\",\"params\":{\"ms\":200}},"
        "{\"id\":\"s2\",\"node_type\":\"Sleep\",\"params\":{\"ms\":200}}],"
        "\"connections\":[]}");
    const char *in[] = {"7"};
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_AUTO,
                                RM_RUN_METRICS, 0, 0};
    for (int round = 0; round < 2; round++) { /* also once "learned" slow */
        double start = now_ms();
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run_json(p, &options, in, 1, &r), RM_OK);
        double elapsed = now_ms() - start;
        ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 1);
        ASSERT_EQ_INT(rm_run_result_item_count(r, 1), 1);
        double start1, end1, start2, end2;
        node_span(r, "s1", &start1, &end1);
        node_span(r, "s2", &start2, &end2);
        if (!(start2 < end1 && start1 < end2))
            RM__FAIL("round %d: s1 ran %.0f..%.0f us, s2 %.0f..%.0f us: not "
                     "at the same time", round, start1, end1, start2, end2);
        ASSERT_TRUE(elapsed >= 199.0); /* a sleep never ends early */
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* A chain of slow nodes pipelines: 3 stages x 10 items x 20 ms would take
 * 600 ms sequentially, ~240 ms pipelined. Checked on the run's own
 * timestamps: the last stage starts (item 0) before the first stage has
 * finished (item 9, >= 200 ms of sleeping), which a sequential run cannot
 * do; no wall-clock budget. */
RM_TEST(slow_chain_pipelines) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"s1\",\"node_type\":\"Sleep\",\"params\":{\"ms\":20}},"
        "{\"id\":\"s2\",\"node_type\":\"Sleep\",\"params\":{\"ms\":20}},"
        "{\"id\":\"s3\",\"node_type\":\"Sleep\",\"params\":{\"ms\":20}}]}");
    const char *in[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_AUTO,
                                RM_RUN_METRICS, 0, 0};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, &options, in, 10, &r), RM_OK);
    char *text = sink_text(r, 0);
    ASSERT_STR_EQ(text, "[0,1,2,3,4,5,6,7,8,9]");
    free(text);
    double start1, end1, start3, end3;
    node_span(r, "s1", &start1, &end1);
    node_span(r, "s3", &start3, &end3);
    if (!(start3 < end1))
        RM__FAIL("s3 started at %.0f us, after s1's last call ended (%.0f "
                 "us): not pipelined", start3, end1);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* 10,000 items from a source into a slow sink: the queue never holds more
 * than its capacity. */
RM_TEST(back_pressure_bounds_queue) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"src\",\"node_type\":\"TestSource\",\"params\":{\"count\":10000}},"
        "{\"id\":\"slow\",\"node_type\":\"Sleep\",\"params\":{\"us\":30}}]}");
    for (uint32_t capacity = 4; capacity <= 16; capacity += 12) {
        rm_run_options_t options = {sizeof(options), capacity, RM_EXEC_AUTO, 0, 0, 0};
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(rm_pipeline_run(p, &options, NULL, 0, &r), RM_OK);
        ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 10000);
        for (size_t i = 0; i < 10000; i += 997) {
            char want[16];
            snprintf(want, sizeof(want), "%zu", i);
            ASSERT_STR_EQ((const char *)rm_run_result_item(r, 0, i)->data, want);
        }
        const rm_node_stats_t *s = stats_of(r, "slow");
        ASSERT_TRUE(s->queue_high_water >= 1);
        if (s->queue_high_water > capacity)
            RM__FAIL("queue high water %llu > capacity %u",
                     (unsigned long long)s->queue_high_water, capacity);
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* A node between a source and a slow sink, with one slot per edge: it
 * has input but no room on its output after every item, and must be
 * re-checked when the sink takes one (only then: scheduler.c wants_room).
 * A missed wake-up ends the run as "scheduler stalled"; every item must
 * arrive, in order, with no queue over its capacity. */
RM_TEST(back_pressure_wakes_a_blocked_middle_node) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"src\",\"node_type\":\"TestSource\",\"params\":{\"count\":2000}},"
        "{\"id\":\"mid\",\"node_type\":\"Sleep\",\"params\":{\"us\":0}},"
        "{\"id\":\"slow\",\"node_type\":\"Sleep\",\"params\":{\"us\":5}}]}");
    static const uint32_t policies[] = {RM_EXEC_AUTO, RM_EXEC_INLINE,
                                        RM_EXEC_POOL};
    for (size_t k = 0; k < 3; k++) {
        rm_run_options_t options = {sizeof(options), 1, policies[k], 0, 0, 0};
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(rm_pipeline_run(p, &options, NULL, 0, &r), RM_OK);
        ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 2000);
        for (size_t i = 0; i < 2000; i += 191) {
            char want[16];
            snprintf(want, sizeof(want), "%zu", i);
            ASSERT_STR_EQ((const char *)rm_run_result_item(r, 0, i)->data,
                          want);
        }
        ASSERT_TRUE(stats_of(r, "mid")->queue_high_water <= 1);
        ASSERT_TRUE(stats_of(r, "slow")->queue_high_water <= 1);
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* Inputs are pulled through the same bounded queue. */
RM_TEST(back_pressure_on_inputs) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"slow\",\"node_type\":\"Sleep\","
        "\"params\":{\"us\":10}}]}");
    enum { N = 500 };
    const char *in[N];
    for (int i = 0; i < N; i++) in[i] = "1";
    rm_run_options_t options = {sizeof(options), 8, RM_EXEC_AUTO, 0, 0, 0};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, &options, in, N, &r), RM_OK);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), N);
    ASSERT_TRUE(stats_of(r, "slow")->queue_high_water <= 8);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

static void long_chain(size_t length) {
    rm_registry_t *reg = exec_registry();
    sbuf_t m = {0};
    sb_addf(&m, "{" V1 ",\"nodes\":[");
    for (size_t i = 0; i < length; i++)
        sb_addf(&m, "%s{\"id\":\"n%zu\",\"node_type\":\"%s\"}", i ? "," : "",
                i, i % 10 == 5 ? "AddNode" : "PassThroughNode");
    sb_addf(&m, "]}");
    rm_pipeline_t *p = rm_test_compile(reg, m.s);
    free(m.s);
    const char *in[] = {"1", "2", "3", "4", "5", "6", "7"};
    for (int policy = RM_EXEC_AUTO; policy <= RM_EXEC_INLINE; policy++) {
        rm_run_options_t options = {sizeof(options), 0, (uint32_t)policy, 0, 0, 0};
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run_json(p, &options, in, 7, &r), RM_OK);
        char *text = sink_text(r, 0);
        ASSERT_STR_EQ(text, "[1,2,3,4,5,6,7]"); /* AddNode adds 0.0 */
        free(text);
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(chain_of_100) { long_chain(100); }
RM_TEST(chain_of_1000) { long_chain(1000); }

/* in -> root -> 1,000 branches -> join (all into one port). */
RM_TEST(fan_out_fan_in_1000_wide) {
    rm_registry_t *reg = exec_registry();
    enum { WIDTH = 1000 };
    sbuf_t m = {0};
    sb_addf(&m, "{" V1 ",\"nodes\":[{\"id\":\"root\",\"node_type\":\"PassThroughNode\"},"
                "{\"id\":\"join\",\"node_type\":\"Sum\"}");
    for (int i = 0; i < WIDTH; i++)
        sb_addf(&m, ",{\"id\":\"b%d\",\"node_type\":\"MultiplyNode\","
                    "\"params\":{\"factor\":%d}}", i, i);
    sb_addf(&m, "],\"connections\":[");
    for (int i = 0; i < WIDTH; i++)
        sb_addf(&m, "%s{\"from\":\"root\",\"to\":\"b%d\"},{\"from\":\"b%d\",\"to\":\"join\"}",
                i ? "," : "", i, i);
    sb_addf(&m, "]}");
    rm_pipeline_t *p = rm_test_compile(reg, m.s);
    free(m.s);
    const char *in[] = {"1", "2", "3"};
    for (int policy = RM_EXEC_AUTO; policy <= RM_EXEC_INLINE; policy++) {
        rm_run_options_t options = {sizeof(options), 0, (uint32_t)policy, 0, 0, 0};
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run_json(p, &options, in, 3, &r), RM_OK);
        /* sum over i of i*(1+2+3) = 6 * 999*1000/2 */
        char *text = sink_text(r, 0);
        ASSERT_STR_EQ(text, "[2997000]");
        free(text);
        ASSERT_EQ_INT(stats_of(r, "join")->items_in, 3 * WIDTH);
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* The ids arriving at a 1,000-wide fan-in keep each branch's order. */
RM_TEST(fan_in_keeps_order_per_branch) {
    rm_registry_t *reg = exec_registry();
    enum { WIDTH = 1000, ITEMS = 4 };
    sbuf_t m = {0};
    sb_addf(&m, "{" V1 ",\"nodes\":[{\"id\":\"root\",\"node_type\":\"PassThroughNode\"},"
                "{\"id\":\"join\",\"node_type\":\"PassThroughNode\"}");
    for (int i = 0; i < WIDTH; i++)
        sb_addf(&m, ",{\"id\":\"b%d\",\"node_type\":\"AddNode\","
                    "\"params\":{\"addend\":%d}}", i, i * 100);
    sb_addf(&m, "],\"connections\":[");
    for (int i = 0; i < WIDTH; i++)
        sb_addf(&m, "%s{\"from\":\"root\",\"to\":\"b%d\"},{\"from\":\"b%d\",\"to\":\"join\"}",
                i ? "," : "", i, i);
    sb_addf(&m, "]}");
    rm_pipeline_t *p = rm_test_compile(reg, m.s);
    free(m.s);
    const char *in[ITEMS] = {"0", "1", "2", "3"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, ITEMS, &r), RM_OK);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), WIDTH * ITEMS);
    int next[WIDTH] = {0};
    for (size_t i = 0; i < WIDTH * ITEMS; i++) {
        long v = strtol(rm_run_result_item(r, 0, i)->data, NULL, 10);
        long branch = v / 100, k = v % 100;
        ASSERT_TRUE(branch >= 0 && branch < WIDTH);
        ASSERT_EQ_INT(k, next[branch]);
        next[branch]++;
    }
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* A middle node fails: the error names it; the other sink keeps its
 * items. */
RM_TEST(error_in_middle_node_keeps_partial_results) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"head\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"bad\",\"node_type\":\"Fail\",\"params\":{\"fail_at\":0,\"delay_ms\":150}},"
        "{\"id\":\"tail\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"other\",\"node_type\":\"MultiplyNode\"}],"
        "\"connections\":[{\"from\":\"head\",\"to\":\"bad\"},"
        "{\"from\":\"bad\",\"to\":\"tail\"}]}");
    const char *in[] = {"1", "2", "3", "4"};
    for (int round = 0; round < 2; round++) {
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run_json(p, NULL, in, 4, &r), RM_EIO);
        ASSERT_EQ_INT(rm_run_result_status(r), RM_EIO);
        const rm_run_error_t *e = rm_run_result_error(r);
        ASSERT_NOT_NULL(e);
        ASSERT_STR_EQ(e->node_id, "bad");
        ASSERT_STR_EQ(e->node_type, "Fail");
        ASSERT_STR_EQ(e->operation, "process");
        ASSERT_STR_CONTAINS(e->message, "item 0 is cursed");
        ASSERT_EQ_INT(e->transient, 0);
        char *other = sink_text(r, sink_index(r, "other"));
        ASSERT_STR_EQ(other, "[2,4,6,8]");
        free(other);
        ASSERT_TRUE(rm_run_result_item_count(r, sink_index(r, "tail")) <= 2);
        ASSERT_EQ_INT(stats_of(r, "bad")->failures, 1);
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(error_transient_flag_and_flush_operation) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"t\",\"node_type\":\"Fail\","
        "\"retry\":{\"max_retries\":0},"
        "\"params\":{\"transient\":true}}]}");
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_ETIMEDOUT);
    ASSERT_EQ_INT(rm_run_result_error(r)->transient, 1);
    rm_run_result_free(r);
    rm_pipeline_free(p);

    p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"f\",\"node_type\":\"Fail\","
        "\"params\":{\"where\":\"flush\"}}]}");
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_EIO);
    ASSERT_STR_EQ(rm_run_result_error(r)->operation, "flush");
    ASSERT_STR_EQ(rm_run_result_error(r)->node_id, "f");
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 1); /* emitted before */
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(create_failure_names_node) {
    rm_registry_t *reg = exec_registry();
    const char *text =
        "{" V1 ",\"nodes\":[{\"id\":\"ok\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"broken\",\"node_type\":\"Fail\",\"params\":{\"where\":\"create\"}}]}";
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *p = NULL;
    ASSERT_EQ_INT(rm_pipeline_compile(reg, text, strlen(text), "<t>", diag, &p),
                  RM_EINVAL);
    ASSERT_TRUE(p == NULL);
    ASSERT_STR_CONTAINS(rm_diag_text(diag), "broken");
    ASSERT_STR_CONTAINS(rm_diag_text(diag), "Fail");
    ASSERT_STR_CONTAINS(rm_diag_text(diag), "refusing to be created");
    rm_diag_free(diag);
    rm_registry_close(reg);
}

RM_TEST(invalid_manifest_reports_all) {
    rm_registry_t *reg = exec_registry();
    const char *text =
        "{" V1 ",\"nodes\":[{\"id\":\"a\",\"node_type\":\"NoSuchNode\"},"
        "{\"id\":\"b\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":\"x\"}}]}";
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *p = NULL;
    ASSERT_NE_INT(rm_pipeline_compile(reg, text, strlen(text), "<t>", diag, &p),
                  RM_OK);
    ASSERT_TRUE(rm_diag_count(diag) >= 2);
    rm_diag_free(diag);
    rm_registry_close(reg);
}

/* Memory a node allocates is attributed to it. */
RM_TEST(memory_attributed_to_nodes) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"m\",\"node_type\":\"MultiplyNode\"},"
        "{\"id\":\"p\",\"node_type\":\"PassThroughNode\"}]}");
    const char *in[] = {"[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_OK);
    ASSERT_TRUE(stats_of(r, "m")->peak_bytes >= 50);  /* the result item */
    ASSERT_EQ_INT(stats_of(r, "p")->peak_bytes, 0);   /* zero copy */
    ASSERT_TRUE(stats_of(r, "m")->bytes_in > 0);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(audio_multiply_in_place_or_copy) {
    rm_registry_t *reg = exec_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"gain\",\"node_type\":\"MultiplyNode\","
        "\"params\":{\"factor\":0.5}}]}");
    rm_audio_format_t fmt = {16000, 1, RM_SAMPLE_F32, RM_LAYOUT_INTERLEAVED, 4};
    rm_item_t *audio = rm_item_new_audio(&fmt);
    ASSERT_NOT_NULL(audio);
    float *s = audio->data;
    for (int i = 0; i < 4; i++) s[i] = (float)i;
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(p, NULL, &audio, 1, &r), RM_OK);
    rm_item_t *out = rm_run_result_item(r, 0, 0);
    ASSERT_TRUE(out != audio); /* we still hold the input: copied */
    ASSERT_NEAR(((float *)out->data)[3], 1.5, 1e-6);
    ASSERT_NEAR(s[3], 3.0, 0); /* input untouched */
    ASSERT_EQ_INT(out->audio.sample_rate, 16000);
    rm_run_result_free(r);
    rm_item_unref(audio);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* The host's "remotemedia.output-use/1" says which outputs something
 * takes: every port of a sink (its outputs are the result), only the
 * connected ones of any other node. */
static char *ports_used_seen(rm_registry_t *reg, const char *connections,
                             const char *sink) {
    sbuf_t m = {0};
    sb_addf(&m, "{" V1 ",\"nodes\":[{\"id\":\"u\",\"node_type\":\"PortsUsed\"},"
                "{\"id\":\"a\",\"node_type\":\"PassThroughNode\"},"
                "{\"id\":\"b\",\"node_type\":\"PassThroughNode\"}],"
                "\"connections\":[%s]}", connections);
    rm_pipeline_t *p = rm_test_compile(reg, m.s);
    free(m.s);
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_OK);
    char *text = sink_text(r, sink_index(r, sink));
    rm_run_result_free(r);
    rm_pipeline_free(p);
    return text;
}

RM_TEST(host_says_which_outputs_are_used) {
    rm_registry_t *reg = exec_registry();
    char *got = ports_used_seen(
        reg, "{\"from\":\"u\",\"to\":\"a\",\"from_port\":1}", "a");
    ASSERT_STR_EQ(got, "[[0,1,0]]");
    free(got);
    got = ports_used_seen(reg,
                          "{\"from\":\"u\",\"to\":\"a\",\"from_port\":0},"
                          "{\"from\":\"u\",\"to\":\"b\",\"from_port\":2}",
                          "b");
    ASSERT_STR_EQ(got, "[[1,0,1]]");
    free(got);
    /* u is a sink itself: all three ports are its result. */
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"u\",\"node_type\":\"PortsUsed\"}]}");
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_OK);
    got = sink_text(r, 0);
    ASSERT_STR_EQ(got, "[[1,1,1],[1,1,1],[1,1,1]]");
    free(got);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST_LIST(
    RM_TEST_ENTRY(linear_chain_math),
    RM_TEST_ENTRY(runs_after_a_burst_reuse_or_regrow_node_buffers),
    RM_TEST_ENTRY(integral_results_print_as_int),
    RM_TEST_ENTRY(math_rejects_non_numbers),
    RM_TEST_ENTRY(fan_out_shares_items),
    RM_TEST_ENTRY(fan_in_tags_ports),
    RM_TEST_ENTRY(diamond_flushes_after_both_branches),
    RM_TEST_ENTRY(source_feeds_chain_without_inputs),
    RM_TEST_ENTRY(no_inputs_gives_empty_result),
    RM_TEST_ENTRY(compiled_pipeline_runs_many_times),
    RM_TEST_ENTRY(short_chain_runs_on_calling_thread),
    RM_TEST_ENTRY(independent_branches_run_concurrently),
    RM_TEST_ENTRY(slow_chain_pipelines),
    RM_TEST_ENTRY(back_pressure_bounds_queue),
    RM_TEST_ENTRY(back_pressure_wakes_a_blocked_middle_node),
    RM_TEST_ENTRY(back_pressure_on_inputs),
    RM_TEST_ENTRY(chain_of_100),
    RM_TEST_ENTRY(chain_of_1000),
    RM_TEST_ENTRY(fan_out_fan_in_1000_wide),
    RM_TEST_ENTRY(fan_in_keeps_order_per_branch),
    RM_TEST_ENTRY(error_in_middle_node_keeps_partial_results),
    RM_TEST_ENTRY(error_transient_flag_and_flush_operation),
    RM_TEST_ENTRY(create_failure_names_node),
    RM_TEST_ENTRY(invalid_manifest_reports_all),
    RM_TEST_ENTRY(memory_attributed_to_nodes),
    RM_TEST_ENTRY(audio_multiply_in_place_or_copy),
    RM_TEST_ENTRY(host_says_which_outputs_are_used))
