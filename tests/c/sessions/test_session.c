/*
 * test_session.c — streaming sessions (remotemedia/session.h): independent
 * state per session, back-pressure and would-block, tagged outputs, flush
 * order, close mid-stream, errors with attempt info, retries, bounded
 * outputs of a source, metrics per session.
 */
#include <cjson/cJSON.h>
#include <pthread.h>

#include "../executor/exec_util.h"

#define V1 "\"version\":\"v1\""

static rm_registry_t *session_registry(void) {
    static const char *const dirs[] = {RM_TEST_PLUGIN_DIR,
                                       RM_TEST_EXEC_PLUGIN_DIR,
                                       RM_TEST_FAULT_PLUGIN_DIR};
    rm_registry_options_t options = {sizeof(options), dirs, 3, 0, 0, NULL, 0};
    rm_registry_t *registry = NULL;
    ASSERT_EQ_INT(rm_registry_open(&options, &registry), RM_OK);
    ASSERT_NOT_NULL(rm_registry_find(registry, "Fault"));
    ASSERT_NOT_NULL(rm_registry_find(registry, "Parity"));
    return registry;
}

static int push_json(rm_session_t *s, size_t entry, uint32_t port,
                     const char *text, unsigned flags) {
    rm_item_t *item = rm_item_new_json(text, strlen(text));
    ASSERT_NOT_NULL(item);
    int status = rm_session_push(s, entry, port, item, flags);
    rm_item_unref(item);
    return status;
}

/* The waiting outputs as "node:port=value,..." (JSON items). Caller frees. */
static char *take_outputs(rm_session_t *s) {
    sbuf_t b = {0};
    sb_addf(&b, "%s", "");
    rm_session_output_t out;
    while (rm_session_next(s, &out)) {
        ASSERT_EQ_INT(out.item->kind, RM_KIND_JSON);
        sb_addf(&b, "%s%s:%u=%s", b.len ? "," : "", out.node_id, out.port,
                (const char *)out.item->data);
        rm_item_unref(out.item);
    }
    return b.s;
}

/* end of stream, then drive to the end, collecting every output. */
static char *finish(rm_session_t *s) {
    ASSERT_EQ_INT(rm_session_end(s), RM_OK);
    sbuf_t all = {0};
    sb_addf(&all, "%s", "");
    for (int rounds = 0; !rm_session_finished(s); rounds++) {
        ASSERT_TRUE(rounds < 100000); /* a hang, not a slow machine */
        rm_session_poll(s, RM_POLL_WAIT);
        char *part = take_outputs(s);
        if (*part) sb_addf(&all, "%s%s", all.len ? "," : "", part);
        free(part);
    }
    char *rest = take_outputs(s);
    if (*rest) sb_addf(&all, "%s%s", all.len ? "," : "", rest);
    free(rest);
    return all.s;
}

RM_TEST(sessions_keep_independent_state) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"x2\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":2}},"
        "{\"id\":\"sum\",\"node_type\":\"Sum\"}]}");
    rm_session_t *a = NULL, *b = NULL;
    ASSERT_EQ_INT(rm_session_open(p, NULL, &a), RM_OK);
    ASSERT_EQ_INT(rm_session_open(p, NULL, &b), RM_OK);
    for (int i = 1; i <= 10; i++) { /* interleaved pushes */
        char text[16];
        snprintf(text, sizeof(text), "%d", i);
        ASSERT_EQ_INT(push_json(a, RM_SESSION_ALL_ENTRIES, 0, text, 0),
                      RM_OK);
        snprintf(text, sizeof(text), "%d", 100 * i);
        ASSERT_EQ_INT(push_json(b, RM_SESSION_ALL_ENTRIES, 0, text, 0),
                      RM_OK);
    }
    ASSERT_EQ_INT(rm_session_pending(a), 0); /* Sum emits at its flush */
    char *out_a = finish(a), *out_b = finish(b);
    ASSERT_STR_EQ(out_a, "sum:0=110");
    ASSERT_STR_EQ(out_b, "sum:0=11000");
    free(out_a);
    free(out_b);
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_session_close(a, &r), RM_OK);
    ASSERT_EQ_INT(stats_of(r, "x2")->items_in, 10);
    ASSERT_EQ_INT(rm_run_result_input_count(r), 10);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 0); /* went out by next */
    rm_run_result_free(r);
    ASSERT_EQ_INT(rm_session_close(b, NULL), RM_OK);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(outputs_tagged_with_node_and_port_as_produced) {
    rm_registry_t *reg = session_registry();
    /* in -> parity; even (port 0) -> evens sink; odd (port 1) unconnected
     * here would be dropped, so it goes to its own sink. parity is not a
     * sink itself; a second pipeline checks a multi-port sink. */
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"parity\",\"node_type\":\"Parity\"},"
        "{\"id\":\"evens\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"odds\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":10}}],"
        "\"connections\":[{\"from\":\"parity\",\"to\":\"evens\",\"from_port\":0},"
        "{\"from\":\"parity\",\"to\":\"odds\",\"from_port\":1}]}");
    rm_session_t *s = NULL;
    ASSERT_EQ_INT(rm_session_open(p, NULL, &s), RM_OK);
    const char *expect[] = {"odds:0=10", "evens:0=2", "odds:0=30",
                            "evens:0=4"};
    for (int i = 1; i <= 4; i++) {
        char text[8];
        snprintf(text, sizeof(text), "%d", i);
        ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, text, 0),
                      RM_OK);
        ASSERT_EQ_INT(rm_session_poll(s, RM_POLL_WAIT), RM_OK);
        char *got = take_outputs(s); /* out before the next push */
        ASSERT_STR_EQ(got, expect[i - 1]);
        free(got);
    }
    char *rest = finish(s);
    ASSERT_STR_EQ(rest, "");
    free(rest);
    ASSERT_EQ_INT(rm_session_close(s, NULL), RM_OK);
    rm_pipeline_free(p);

    p = rm_test_compile(reg, "{" V1 ",\"nodes\":["
                             "{\"id\":\"split\",\"node_type\":\"Parity\"}]}");
    ASSERT_EQ_INT(rm_session_open(p, NULL, &s), RM_OK);
    for (int i = 1; i <= 3; i++) {
        char text[8];
        snprintf(text, sizeof(text), "%d", i);
        ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, text, 0),
                      RM_OK);
    }
    char *all = finish(s);
    ASSERT_STR_EQ(all, "split:1=1,split:0=2,split:1=3");
    free(all);
    ASSERT_EQ_INT(rm_session_close(s, NULL), RM_OK);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(push_would_block_when_outputs_are_not_taken) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"out\",\"node_type\":\"PassThroughNode\"}]}");
    rm_run_options_t options = {sizeof(options), 2, RM_EXEC_AUTO, 0, 0, 0};
    rm_session_t *s = NULL;
    ASSERT_EQ_INT(rm_session_open(p, &options, &s), RM_OK);
    /* 2 outputs fill the caller's queue, 2 more fill the input queue. */
    int accepted = 0, status = RM_OK;
    for (int i = 0; i < 10; i++) {
        char text[8];
        snprintf(text, sizeof(text), "%d", i);
        status = push_json(s, RM_SESSION_ALL_ENTRIES, 0, text,
                           RM_PUSH_NOWAIT);
        if (status != RM_OK) break;
        accepted++;
    }
    ASSERT_EQ_INT(status, RM_EAGAIN);
    ASSERT_EQ_INT(accepted, 4);
    ASSERT_EQ_INT(rm_session_pending(s), 2);
    /* A waiting push cannot make room either: the caller must take. */
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "4", 0), RM_EAGAIN);
    char *got = take_outputs(s);
    ASSERT_STR_EQ(got, "out:0=0,out:0=1");
    free(got);
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "4", 0), RM_OK);
    char *rest = finish(s);
    ASSERT_STR_EQ(rest, "out:0=2,out:0=3,out:0=4");
    free(rest);
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_session_close(s, &r), RM_OK);
    ASSERT_TRUE(stats_of(r, "out")->queue_high_water <= 2);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* A waiting push into a full queue of a node on the worker pool waits for
 * its calls, then goes in: every item comes out, in order. */
RM_TEST(waiting_push_with_pool_calls) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"slow\",\"node_type\":\"Sleep\",\"params\":{\"ms\":2}},"
        "{\"id\":\"x3\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":3}}]}");
    rm_run_options_t options = {sizeof(options), 1, RM_EXEC_POOL, 0, 0, 0};
    rm_session_t *s = NULL;
    ASSERT_EQ_INT(rm_session_open(p, &options, &s), RM_OK);
    sbuf_t all = {0};
    sb_addf(&all, "%s", "");
    for (int i = 0; i < 20; i++) {
        char text[8];
        snprintf(text, sizeof(text), "%d", i);
        int status;
        while ((status = push_json(s, RM_SESSION_ALL_ENTRIES, 0, text, 0)) ==
               RM_EAGAIN) {
            char *part = take_outputs(s);
            if (*part) sb_addf(&all, "%s%s", all.len ? "," : "", part);
            free(part);
        }
        ASSERT_EQ_INT(status, RM_OK);
    }
    char *rest = finish(s);
    if (*rest) sb_addf(&all, "%s%s", all.len ? "," : "", rest);
    free(rest);
    sbuf_t want = {0};
    for (int i = 0; i < 20; i++)
        sb_addf(&want, "%sx3:0=%d", i ? "," : "", 3 * i);
    ASSERT_STR_EQ(all.s, want.s);
    free(all.s);
    free(want.s);
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_session_close(s, &r), RM_OK);
    ASSERT_EQ_INT(stats_of(r, "slow")->inline_calls, 0);
    ASSERT_TRUE(stats_of(r, "slow")->queue_high_water <= 1);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(end_of_stream_flushes_in_topological_order) {
    rm_registry_t *reg = session_registry();
    /* s1 sums its inputs and emits at flush; s2 sums what s1 emitted: it
     * can only see 6 when s1 flushed before it. */
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"s1\",\"node_type\":\"Sum\"},"
        "{\"id\":\"s2\",\"node_type\":\"Sum\"}]}");
    rm_session_t *s = NULL;
    ASSERT_EQ_INT(rm_session_open(p, NULL, &s), RM_OK);
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "1", 0), RM_OK);
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "2", 0), RM_OK);
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "3", 0), RM_OK);
    ASSERT_EQ_INT(rm_session_poll(s, RM_POLL_WAIT), RM_OK);
    ASSERT_EQ_INT(rm_session_pending(s), 0);
    ASSERT_TRUE(!rm_session_finished(s));
    char *all = finish(s);
    ASSERT_STR_EQ(all, "s2:0=6");
    free(all);
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "4", 0), RM_EINVAL);
    ASSERT_STR_CONTAINS(rm_session_push_error(s), "after end of stream");
    ASSERT_EQ_INT(rm_session_close(s, NULL), RM_OK);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(close_mid_stream_releases_everything) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"slow\",\"node_type\":\"Sleep\",\"params\":{\"ms\":5}},"
        "{\"id\":\"sum\",\"node_type\":\"Sum\"}]}");
    rm_run_options_t pool = {sizeof(pool), 4, RM_EXEC_POOL, 0, 0, 0};
    for (int round = 0; round < 3; round++) {
        rm_session_t *s = NULL;
        ASSERT_EQ_INT(rm_session_open(p, &pool, &s), RM_OK);
        for (int i = 0; i < 4; i++)
            ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "1", 0),
                          RM_OK);
        /* calls on the pool still in flight, items queued, no end */
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(rm_session_close(s, &r), RM_ECANCELED);
        ASSERT_STR_EQ(rm_run_result_error(r)->operation, "close");
        rm_run_result_free(r);
    }
    /* The pipeline is still usable: a run sums from fresh state. */
    const char *in[] = {"1", "2"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 2, &r), RM_OK);
    char *text = sink_text(r, 0);
    ASSERT_STR_EQ(text, "[3]");
    free(text);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(error_names_node_operation_and_attempt) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"flaky\",\"node_type\":\"Fault\","
        "\"params\":{\"mode\":\"transient\",\"fail_times\":10},"
        "\"retry\":{\"max_retries\":2,\"initial_delay_ms\":1}}]}");
    rm_session_t *s = NULL;
    ASSERT_EQ_INT(rm_session_open(p, NULL, &s), RM_OK);
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "1", 0), RM_OK);
    ASSERT_EQ_INT(rm_session_poll(s, RM_POLL_WAIT), RM_EAGAIN);
    const rm_run_error_t *e = rm_session_error(s);
    ASSERT_NOT_NULL(e);
    ASSERT_STR_EQ(e->node_id, "flaky");
    ASSERT_STR_EQ(e->node_type, "Fault");
    ASSERT_STR_EQ(e->operation, "process");
    ASSERT_EQ_INT(e->attempt, 3);
    ASSERT_EQ_INT(e->max_attempts, 3);
    ASSERT_STR_CONTAINS(e->message, "(attempt 3 of 3)");
    ASSERT_TRUE(rm_session_finished(s));
    /* later pushes report the failure */
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "2", 0), RM_EAGAIN);
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_session_close(s, &r), RM_EAGAIN);
    ASSERT_EQ_INT(stats_of(r, "flaky")->retries, 2);
    ASSERT_EQ_INT(rm_run_result_first_unprocessed(r), 0);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(retry_inside_a_session_succeeds) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"flaky\",\"node_type\":\"Fault\","
        "\"params\":{\"mode\":\"transient\",\"fail_times\":2,\"fail_from\":1},"
        "\"retry\":{\"max_retries\":3,\"initial_delay_ms\":1}}]}");
    for (int policy = RM_EXEC_AUTO; policy <= RM_EXEC_INLINE; policy++) {
        rm_run_options_t options = {sizeof(options), 0, (uint32_t)policy, 0, 0, 0};
        rm_session_t *s = NULL;
        ASSERT_EQ_INT(rm_session_open(p, &options, &s), RM_OK);
        sbuf_t all = {0};
        sb_addf(&all, "%s", "");
        for (int i = 0; i < 3; i++) {
            char text[8];
            snprintf(text, sizeof(text), "%d", i);
            ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, text, 0),
                          RM_OK);
            ASSERT_EQ_INT(rm_session_poll(s, RM_POLL_WAIT), RM_OK);
            char *part = take_outputs(s);
            ASSERT_TRUE(*part); /* each item's output before the next push */
            sb_addf(&all, "%s%s", all.len ? "," : "", part);
            free(part);
        }
        char *rest = finish(s);
        ASSERT_STR_EQ(rest, "");
        free(rest);
        ASSERT_STR_EQ(all.s, "flaky:0=0,flaky:0=1,flaky:0=2");
        free(all.s);
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(rm_session_close(s, &r), RM_OK);
        ASSERT_TRUE(stats_of(r, "flaky")->retries >= 2);
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* Issue #21 item 1: a back-off timer already due when the drive loop enters
 * uv_run(UV_RUN_ONCE) fires at the start of that iteration; its callback
 * retries inline and finishes the run. Without uv_stop in the callback the
 * loop then sleeps in epoll forever (no timer left, the async handle
 * active). Delay 0 makes the timer due at once: a hang here is the bug
 * (the test harness's alarm ends it). */
RM_TEST(retry_timer_finishing_the_run_does_not_leave_the_loop_asleep) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"flaky\",\"node_type\":\"Fault\","
        "\"params\":{\"mode\":\"transient\",\"fail_times\":1},"
        "\"retry\":{\"max_retries\":2,\"initial_delay_ms\":0}}]}");
    for (int policy = RM_EXEC_AUTO; policy <= RM_EXEC_INLINE; policy++) {
        rm_run_options_t options = {sizeof(options), 0, (uint32_t)policy, 0, 0, 0};
        for (int round = 0; round < 20; round++) {
            const char *in[] = {"1", "2"};
            rm_run_result_t *r = NULL;
            ASSERT_EQ_INT(run_json(p, &options, in, 2, &r), RM_OK);
            char *text = sink_text(r, 0);
            ASSERT_STR_EQ(text, "[1,2]");
            free(text);
            rm_run_result_free(r);
        }
    }
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(refused_pushes_name_the_problem) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"PassThroughNode\"},"
        "{\"id\":\"b\",\"node_type\":\"PassThroughNode\"}]}");
    size_t a = 9, b = 9;
    ASSERT_EQ_INT(rm_pipeline_node_index(p, "a", &a), RM_OK);
    ASSERT_EQ_INT(rm_pipeline_node_index(p, "b", &b), RM_OK);
    ASSERT_EQ_INT(rm_pipeline_node_index(p, "zz", NULL), RM_ENOTFOUND);
    ASSERT_TRUE(rm_pipeline_node_is_entry(p, a));
    ASSERT_TRUE(!rm_pipeline_node_is_entry(p, b));
    rm_session_t *s = NULL;
    ASSERT_EQ_INT(rm_session_open(p, NULL, &s), RM_OK);
    ASSERT_EQ_INT(push_json(s, b, 0, "1", 0), RM_EINVAL);
    ASSERT_STR_CONTAINS(rm_session_push_error(s), "'b'");
    ASSERT_STR_CONTAINS(rm_session_push_error(s), "not an entry node");
    ASSERT_EQ_INT(push_json(s, a, 3, "1", 0), RM_EINVAL);
    ASSERT_STR_CONTAINS(rm_session_push_error(s), "port 3");
    /* "Every entry" of a one-entry pipeline is that node (session.c takes
     * it directly): the same check, naming it. */
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 3, "1", 0), RM_EINVAL);
    ASSERT_STR_CONTAINS(rm_session_push_error(s), "node 'a'");
    ASSERT_STR_CONTAINS(rm_session_push_error(s), "port 3");
    ASSERT_EQ_INT(push_json(s, 42, 0, "1", 0), RM_EINVAL);
    ASSERT_STR_CONTAINS(rm_session_push_error(s), "out of range");
    ASSERT_EQ_INT(rm_session_push(s, a, 0, NULL, 0), RM_EINVAL);
    /* a wrapped audio item whose format needs more bytes than it has */
    float samples[4] = {0};
    rm_item_t *bad = rm_item_wrap(RM_KIND_AUDIO, samples, sizeof(samples), 0,
                                  NULL, NULL);
    ASSERT_NOT_NULL(bad);
    bad->audio.sample_rate = 16000;
    bad->audio.channels = 1;
    bad->audio.sample_format = RM_SAMPLE_F32;
    bad->audio.layout = RM_LAYOUT_INTERLEAVED;
    bad->audio.frames = 1000;
    ASSERT_EQ_INT(rm_session_push(s, a, 0, bad, 0), RM_EINVAL);
    ASSERT_STR_CONTAINS(rm_session_push_error(s), "input item 0");
    rm_item_unref(bad);
    /* still usable */
    ASSERT_EQ_INT(push_json(s, a, 0, "7", 0), RM_OK);
    char *all = finish(s);
    ASSERT_STR_EQ(all, "b:0=7");
    free(all);
    ASSERT_EQ_INT(rm_session_close(s, NULL), RM_OK);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(source_session_outputs_are_bounded) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":["
        "{\"id\":\"src\",\"node_type\":\"TestSource\",\"params\":{\"count\":100}},"
        "{\"id\":\"x2\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":2}}]}");
    rm_run_options_t options = {sizeof(options), 4, RM_EXEC_AUTO, 0, 0, 0};
    rm_session_t *s = NULL;
    ASSERT_EQ_INT(rm_session_open(p, &options, &s), RM_OK);
    ASSERT_EQ_INT(rm_session_end(s), RM_OK);
    double expect = 0, got = 0;
    for (int i = 0; i < 100; i++) expect += 2 * i;
    size_t count = 0;
    for (int rounds = 0; !rm_session_finished(s) || rm_session_pending(s);
         rounds++) {
        ASSERT_TRUE(rounds < 100000);
        ASSERT_EQ_INT(rm_session_poll(s, RM_POLL_WAIT), RM_OK);
        ASSERT_TRUE(rm_session_pending(s) <= 4);
        rm_session_output_t out;
        while (rm_session_next(s, &out)) {
            got += strtod(out.item->data, NULL);
            count++;
            rm_item_unref(out.item);
        }
    }
    ASSERT_EQ_INT(count, 100);
    ASSERT_NEAR(got, expect, 0);
    ASSERT_EQ_INT(rm_session_close(s, NULL), RM_OK);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(metrics_per_session) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"m\",\"node_type\":\"MultiplyNode\"}]}");
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_AUTO,
                                RM_RUN_METRICS, 0, 0};
    rm_session_t *s = NULL;
    ASSERT_EQ_INT(rm_session_open(p, &options, &s), RM_OK);
    for (int i = 0; i < 5; i++)
        ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "1", 0), RM_OK);
    free(finish(s));
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_session_close(s, &r), RM_OK);
    char *json = rm_run_result_metrics_json(r, 0, NULL);
    ASSERT_NOT_NULL(json);
    cJSON *doc = cJSON_Parse(json);
    ASSERT_NOT_NULL(doc);
    ASSERT_STR_CONTAINS(json, "\"m\"");
    cJSON_Delete(doc);
    rm_free_string(json);
    ASSERT_EQ_INT(stats_of(r, "m")->calls, 5);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(flush_failure_fails_the_session) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"f\",\"node_type\":\"Fail\","
        "\"params\":{\"where\":\"flush\"}}]}");
    rm_session_t *s = NULL;
    ASSERT_EQ_INT(rm_session_open(p, NULL, &s), RM_OK);
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "1", 0), RM_OK);
    int status = rm_session_end(s); /* the flush may run inline, now */
    ASSERT_TRUE(status == RM_OK || status == RM_EIO);
    ASSERT_EQ_INT(rm_session_poll(s, RM_POLL_WAIT), RM_EIO);
    ASSERT_STR_EQ(rm_session_error(s)->operation, "flush");
    char *got = take_outputs(s);
    ASSERT_STR_EQ(got, "f:0=1");
    free(got);
    ASSERT_EQ_INT(rm_session_close(s, NULL), RM_EIO);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* ---- cancellation (rm_cancel_t in the run options) ----------------------- */

static void assert_cancelled(const rm_run_result_t *r) {
    ASSERT_EQ_INT(rm_run_result_status(r), RM_ECANCELED);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_NOT_NULL(e);
    ASSERT_STR_EQ(e->operation, "cancel");
    ASSERT_TRUE(e->node_id == NULL);
}

RM_TEST(cancel_requested_before_the_run_starts_nothing) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"f\",\"node_type\":\"Fault\"}]}");
    rm_cancel_t *cancel = rm_cancel_new();
    ASSERT_NOT_NULL(cancel);
    ASSERT_EQ_INT(rm_cancel_requested(cancel), 0);
    rm_cancel_request(cancel);
    ASSERT_EQ_INT(rm_cancel_requested(cancel), 1);
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_INLINE, 0, 0, 0};
    rm_item_t *in = rm_item_new_json("1", 1);
    rm_item_t *inputs[3] = {in, in, in};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run_cancellable(p, &options, cancel, inputs, 3,
                                              &r),
                  RM_ECANCELED);
    assert_cancelled(r);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 0);
    ASSERT_EQ_INT(stats_of(r, "f")->calls, 0);
    ASSERT_EQ_INT(rm_run_result_first_unprocessed(r), 0);
    rm_run_result_free(r);
    /* Reset: the same token runs to the end again. */
    rm_cancel_reset(cancel);
    ASSERT_EQ_INT(rm_pipeline_run_cancellable(p, &options, cancel, inputs, 3,
                                              &r),
                  RM_OK);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 3);
    rm_run_result_free(r);
    rm_item_unref(in);
    rm_cancel_free(cancel);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

static void *cancel_soon(void *arg) {
    rm_cancel_request(arg);
    return NULL;
}

/* A run that would take 1000 x 20 ms is cancelled from another thread:
 * whenever the request lands (before the first call or during any), the
 * run stops early with RM_ECANCELED and a partial result. */
RM_TEST(cancel_from_another_thread_stops_a_long_run) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"slow\",\"node_type\":\"Fault\","
        "\"params\":{\"mode\":\"hang\",\"hang_ms\":20}},"
        "{\"id\":\"after\",\"node_type\":\"Fault\"}]}");
    enum { N = 1000 };
    rm_item_t *in = rm_item_new_json("7", 1);
    rm_item_t *inputs[N];
    for (size_t i = 0; i < N; i++) inputs[i] = in;
    rm_cancel_t *cancel = rm_cancel_new();
    for (uint32_t policy = RM_EXEC_AUTO; policy <= RM_EXEC_INLINE; policy++) {
        rm_cancel_reset(cancel);
        rm_run_options_t options = {sizeof(options), 0, policy, 0, 0, 0};
        pthread_t thread;
        ASSERT_EQ_INT(pthread_create(&thread, NULL, cancel_soon, cancel), 0);
        rm_run_result_t *r = NULL;
        int status =
            rm_pipeline_run_cancellable(p, &options, cancel, inputs, N, &r);
        pthread_join(thread, NULL);
        ASSERT_EQ_INT(status, RM_ECANCELED);
        assert_cancelled(r);
        ASSERT_TRUE(stats_of(r, "slow")->calls < N);
        ASSERT_TRUE(rm_run_result_item_count(r, 0) < N);
        ASSERT_TRUE(rm_run_result_first_unprocessed(r) < N);
        rm_run_result_free(r);
    }
    rm_cancel_free(cancel);
    rm_item_unref(in);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(cancel_a_session_fails_its_pushes) {
    rm_registry_t *reg = session_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"sum\",\"node_type\":\"Sum\"}]}");
    rm_cancel_t *cancel = rm_cancel_new();
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_INLINE, 0, 0, 0};
    rm_session_t *s = NULL;
    ASSERT_EQ_INT(rm_session_open(p, &options, &s), RM_OK);
    ASSERT_EQ_INT(rm_session_set_cancel(s, cancel), RM_OK);
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "1", 0), RM_OK);
    rm_cancel_request(cancel);
    ASSERT_EQ_INT(push_json(s, RM_SESSION_ALL_ENTRIES, 0, "2", 0),
                  RM_ECANCELED);
    ASSERT_EQ_INT(rm_session_status(s), RM_ECANCELED);
    ASSERT_TRUE(rm_session_finished(s));
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_session_close(s, &r), RM_ECANCELED);
    assert_cancelled(r);
    /* Sum never flushed: no total came out. */
    ASSERT_EQ_INT(stats_of(r, "sum")->items_out, 0);
    rm_run_result_free(r);
    rm_cancel_free(cancel);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST_LIST(
    RM_TEST_ENTRY(sessions_keep_independent_state),
    RM_TEST_ENTRY(outputs_tagged_with_node_and_port_as_produced),
    RM_TEST_ENTRY(push_would_block_when_outputs_are_not_taken),
    RM_TEST_ENTRY(waiting_push_with_pool_calls),
    RM_TEST_ENTRY(end_of_stream_flushes_in_topological_order),
    RM_TEST_ENTRY(close_mid_stream_releases_everything),
    RM_TEST_ENTRY(error_names_node_operation_and_attempt),
    RM_TEST_ENTRY(retry_inside_a_session_succeeds),
    RM_TEST_ENTRY(retry_timer_finishing_the_run_does_not_leave_the_loop_asleep),
    RM_TEST_ENTRY(refused_pushes_name_the_problem),
    RM_TEST_ENTRY(source_session_outputs_are_bounded),
    RM_TEST_ENTRY(metrics_per_session),
    RM_TEST_ENTRY(flush_failure_fails_the_session),
    RM_TEST_ENTRY(cancel_requested_before_the_run_starts_nothing),
    RM_TEST_ENTRY(cancel_from_another_thread_stops_a_long_run),
    RM_TEST_ENTRY(cancel_a_session_fails_its_pushes))
