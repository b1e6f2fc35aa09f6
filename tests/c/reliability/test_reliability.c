/*
 * test_reliability.c — retries with back-off, timeouts, the circuit
 * breaker, error context, partial results and bad plugin behaviour, driven
 * by the fault-injection node type (fault_nodes.c).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <remotemedia/metrics.h>

#include "fault_util.h"

static cJSON *sink_json(const rm_run_result_t *r, size_t index) {
    rm_item_t *item = rm_run_result_item(r, 0, index);
    ASSERT_NOT_NULL(item);
    ASSERT_EQ_INT(item->kind, RM_KIND_JSON);
    cJSON *json = cJSON_Parse((const char *)item->data);
    ASSERT_NOT_NULL(json);
    return json;
}

static double json_num(const cJSON *object, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(object, key);
    ASSERT_TRUE(cJSON_IsNumber(v));
    return v->valuedouble;
}

/* The gaps between the attempts of report item `index`: at least the
 * back-off (a timer never fires early). How late it fires depends on the
 * machine's load, so there is no upper bound here; the exact delays asked
 * for are checked through retry_delay_ns. */
static void expect_gaps(const rm_run_result_t *r, size_t index,
                        const double *gaps_ms, int count) {
    cJSON *report = sink_json(r, index);
    ASSERT_EQ_INT(json_num(report, "attempts"), count + 1);
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(report, "at_ms");
    ASSERT_EQ_INT(cJSON_GetArraySize(at), count + 1);
    for (int i = 0; i < count; i++) {
        double gap = cJSON_GetArrayItem(at, i + 1)->valuedouble -
                     cJSON_GetArrayItem(at, i)->valuedouble;
        if (gap < gaps_ms[i] - 1.0)
            RM__FAIL("gap %d: %.3f ms, expected at least %.0f ms", i, gap,
                     gaps_ms[i]);
    }
    cJSON_Delete(report);
}

/* ---- retry ---------------------------------------------------------------- */

RM_TEST(backoff_default_delays_100_200_400) {
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = fault_pipeline(
        reg, "{\"mode\":\"transient\",\"fail_times\":3,\"report\":true}", NULL);
    const char *in[] = {"7"};
    rm_run_result_t *r = NULL;
    double start = now_ms();
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_OK);
    double took = now_ms() - start;
    /* the waits happened (each at most 1 ms early: libuv's timers count
     * from the loop's cached millisecond time) */
    ASSERT_TRUE(took >= 700.0 - 3.0);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 1);
    const double gaps[] = {100, 200, 400};
    expect_gaps(r, 0, gaps, 3);
    const rm_node_stats_t *s = stats_of(r, "flaky");
    ASSERT_EQ_INT(s->calls, 4);
    ASSERT_EQ_INT(s->failures, 3);
    ASSERT_EQ_INT(s->retries, 3);
    ASSERT_EQ_INT(s->retry_delay_ns, 700000000ull);
    ASSERT_EQ_INT(s->breaker_state, RM_BREAKER_CLOSED);
    ASSERT_EQ_INT(rm_run_result_first_unprocessed(r), 1);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(backoff_multiplier_and_cap) {
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = fault_pipeline(
        reg, "{\"mode\":\"transient\",\"fail_times\":4,\"report\":true}",
        "\"retry\":{\"max_retries\":4,\"initial_delay_ms\":20,"
        "\"multiplier\":3,\"max_delay_ms\":100}");
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_OK);
    const double gaps[] = {20, 60, 100, 100};
    expect_gaps(r, 0, gaps, 4);
    ASSERT_EQ_INT(stats_of(r, "flaky")->retry_delay_ns, 280000000ull);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(backoff_jitter_stays_within_its_fraction) {
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = fault_pipeline(
        reg, "{\"mode\":\"transient\",\"fail_times\":6,\"report\":true}",
        "\"retry\":{\"max_retries\":6,\"initial_delay_ms\":40,"
        "\"multiplier\":1,\"jitter\":0.5},"
        "\"breaker\":{\"failure_threshold\":0}");
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_OK);
    cJSON *report = sink_json(r, 0);
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(report, "at_ms");
    ASSERT_EQ_INT(cJSON_GetArraySize(at), 7);
    double total = 0;
    int distinct = 0;
    double first_gap = -1;
    for (int i = 0; i < 6; i++) {
        double gap = cJSON_GetArrayItem(at, i + 1)->valuedouble -
                     cJSON_GetArrayItem(at, i)->valuedouble;
        ASSERT_TRUE(gap >= 19.0); /* the upper bound: retry_delay_ns below */
        if (first_gap < 0) first_gap = gap;
        else if (gap < first_gap - 2 || gap > first_gap + 2) distinct = 1;
        total += gap;
    }
    ASSERT_TRUE(distinct); /* randomised, not a constant delay */
    uint64_t waited = stats_of(r, "flaky")->retry_delay_ns;
    ASSERT_TRUE(waited >= 6 * 20000000ull && waited <= 6 * 40000000ull);
    (void)total;
    cJSON_Delete(report);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(retries_exhausted_error_names_node_and_attempt) {
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = fault_pipeline(
        reg, "{\"mode\":\"transient\"}",
        "\"retry\":{\"max_retries\":3,\"initial_delay_ms\":5}");
    const char *in[] = {"1", "2"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 2, &r), RM_EAGAIN);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_NOT_NULL(e);
    ASSERT_STR_EQ(e->node_id, "flaky");
    ASSERT_STR_EQ(e->node_type, "Fault");
    ASSERT_STR_EQ(e->operation, "process");
    ASSERT_EQ_INT(e->transient, 1);
    ASSERT_EQ_INT(e->attempt, 4);
    ASSERT_EQ_INT(e->max_attempts, 4);
    ASSERT_STR_CONTAINS(e->message, "injected transient failure 4 of item 0");
    ASSERT_STR_CONTAINS(e->message, "(attempt 4 of 4)");
    const rm_node_stats_t *s = stats_of(r, "flaky");
    ASSERT_EQ_INT(s->calls, 4);
    ASSERT_EQ_INT(s->retries, 3);
    ASSERT_EQ_INT(s->retry_delay_ns, (5 + 10 + 20) * 1000000ull);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 0);
    ASSERT_EQ_INT(rm_run_result_first_unprocessed(r), 0);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(permanent_error_is_not_retried) {
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = fault_pipeline(
        reg, "{\"mode\":\"permanent\",\"fail_from\":2}", NULL);
    const char *in[] = {"1", "2", "3", "4"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 4, &r), RM_EINVAL);
    /* no back-off */
    ASSERT_EQ_INT(stats_of(r, "flaky")->retries, 0);
    ASSERT_EQ_INT(stats_of(r, "flaky")->retry_delay_ns, 0);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_EQ_INT(e->transient, 0);
    ASSERT_EQ_INT(e->attempt, 1);
    ASSERT_STR_CONTAINS(e->message, "injected permanent failure at item 2");
    const rm_node_stats_t *s = stats_of(r, "flaky");
    ASSERT_EQ_INT(s->calls, 3);
    ASSERT_EQ_INT(s->retries, 0);
    ASSERT_EQ_INT(s->failures, 1);
    /* Partial results: items 0 and 1 completed, 2 did not. */
    char *text = sink_text(r, 0);
    ASSERT_STR_EQ(text, "[1,2]");
    free(text);
    ASSERT_EQ_INT(rm_run_result_first_unprocessed(r), 2);
    ASSERT_EQ_INT(rm_run_result_input_count(r), 4);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(every_item_retried_in_order) {
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = fault_pipeline(
        reg, "{\"mode\":\"transient\",\"fail_times\":1}",
        "\"retry\":{\"initial_delay_ms\":1}");
    const char *in[20];
    char texts[20][8];
    for (int i = 0; i < 20; i++) {
        snprintf(texts[i], sizeof(texts[i]), "%d", i);
        in[i] = texts[i];
    }
    static const uint32_t policies[] = {RM_EXEC_AUTO, RM_EXEC_POOL,
                                        RM_EXEC_INLINE};
    for (int k = 0; k < 3; k++) {
        rm_run_options_t options = {sizeof(options), 0, policies[k], 0, 0, 0};
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run_json(p, &options, in, 20, &r), RM_OK);
        char *text = sink_text(r, 0);
        ASSERT_STR_EQ(text,
                      "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]");
        free(text);
        ASSERT_EQ_INT(stats_of(r, "flaky")->retries, 20);
        ASSERT_EQ_INT(rm_run_result_first_unprocessed(r), 20);
        rm_run_result_free(r);
    }
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* With one worker thread, a back-off that slept on the worker would hold
 * up the other branch for the whole delay. */
RM_TEST(backoff_blocks_no_worker) {
    setenv("REMOTEMEDIA_WORKERS", "1", 1);
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"in\",\"node_type\":\"Fault\"},"
        "{\"id\":\"slow\",\"node_type\":\"Fault\",\"params\":{\"mode\":"
        "\"transient\",\"fail_times\":1,\"report\":true},"
        "\"retry\":{\"initial_delay_ms\":500}},"
        "{\"id\":\"fast\",\"node_type\":\"Fault\",\"params\":"
        "{\"report\":true}}],"
        "\"connections\":[{\"from\":\"in\",\"to\":\"slow\"},"
        "{\"from\":\"in\",\"to\":\"fast\"}]}");
    const char *in[] = {"1", "2", "3", "4", "5", "6", "7", "8"};
    rm_run_options_t pool = {sizeof(pool), 0, RM_EXEC_POOL, 0, 0, 0};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, &pool, in, 8, &r), RM_OK);
    size_t slow = sink_index(r, "slow"), fast = sink_index(r, "fast");
    ASSERT_EQ_INT(rm_run_result_item_count(r, slow), 8);
    ASSERT_EQ_INT(rm_run_result_item_count(r, fast), 8);
    /* When the slow branch's first item finally succeeded, the fast branch
     * had long finished every item. */
    cJSON *first_slow = cJSON_Parse(
        (const char *)rm_run_result_item(r, slow, 0)->data);
    cJSON *last_fast = cJSON_Parse(
        (const char *)rm_run_result_item(r, fast, 7)->data);
    double slow_t = json_num(first_slow, "t_ms");
    double fast_t = json_num(last_fast, "t_ms");
    if (!(fast_t < slow_t - 300.0))
        RM__FAIL("fast branch done at %.1f ms, slow's first at %.1f ms",
                 fast_t, slow_t);
    cJSON_Delete(first_slow);
    cJSON_Delete(last_fast);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* ---- timeout -------------------------------------------------------------- */

static int file_says_destroyed(const char *path) {
    char buffer[64] = "";
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buffer, 1, sizeof(buffer) - 1, f);
    fclose(f);
    buffer[n] = '\0';
    return strstr(buffer, "destroyed") != NULL;
}

RM_TEST(timeout_hung_node_does_not_hang_the_run) {
    char marker[] = "/tmp/rm-fault-marker-XXXXXX";
    int fd = mkstemp(marker);
    ASSERT_TRUE(fd >= 0);
    close(fd);
    rm_registry_t *reg = fault_registry();
    sbuf_t params = {0};
    sb_addf(&params, "{\"mode\":\"hang\",\"hang_ms\":2000,\"marker\":\"%s\"}",
            marker);
    rm_pipeline_t *p = fault_pipeline(reg, params.s,
                                      "\"timeout_ms\":100,"
                                      "\"retry\":{\"max_retries\":0}");
    free(params.s);
    const char *in[] = {"1", "2"};
    rm_run_result_t *r = NULL;
    double start = now_ms();
    ASSERT_EQ_INT(run_json(p, NULL, in, 2, &r), RM_ETIMEDOUT);
    double took = now_ms() - start;
    /* That the run did not wait out the 2 s hang is shown below: it is
     * freed while the call is still stuck (no wall-clock budget here). */
    ASSERT_TRUE(took >= 99.0);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_EQ_INT(e->transient, 1);
    ASSERT_STR_EQ(e->node_id, "flaky");
    ASSERT_STR_CONTAINS(e->message, "node 'flaky' (Fault)");
    ASSERT_STR_CONTAINS(e->message, "timed out after 100 ms");
    ASSERT_STR_CONTAINS(e->message, "(attempt 1 of 1)");
    ASSERT_EQ_INT(stats_of(r, "flaky")->timeouts, 1);
    ASSERT_EQ_INT(rm_run_result_first_unprocessed(r), 0);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 0);
    /* Everything can be freed while the call is still stuck... */
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
    ASSERT_TRUE(!file_says_destroyed(marker));
    /* ...and when it returns, its instance is destroyed (deferred). */
    for (int i = 0; i < 300 && !file_says_destroyed(marker); i++)
        usleep(10000);
    ASSERT_TRUE(file_says_destroyed(marker));
    unlink(marker);
}

RM_TEST(timeout_then_retry_on_a_fresh_instance) {
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = fault_pipeline(
        reg, "{\"mode\":\"hang_once\",\"hang_ms\":600}",
        "\"timeout_ms\":100,\"retry\":{\"initial_delay_ms\":10}");
    const char *in[] = {"1", "2", "3"};
    rm_run_result_t *r = NULL;
    /* The hung call (600 ms) was given up after 100 ms and retried: the
     * counts say so, whatever the machine's speed. */
    ASSERT_EQ_INT(run_json(p, NULL, in, 3, &r), RM_OK);
    char *text = sink_text(r, 0);
    ASSERT_STR_EQ(text, "[1,2,3]");
    free(text);
    const rm_node_stats_t *s = stats_of(r, "flaky");
    ASSERT_EQ_INT(s->timeouts, 1);
    ASSERT_EQ_INT(s->retries, 1);
    rm_run_result_free(r);
    /* The pipeline runs again normally (a new instance was made). */
    ASSERT_EQ_INT(run_json(p, NULL, in, 3, &r), RM_OK);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 3);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    usleep(700000); /* let the stuck call finish before the registry goes */
    rm_registry_close(reg);
}

/* ---- circuit breaker ------------------------------------------------------ */

RM_TEST(breaker_opens_on_5th_failure_half_opens_and_closes) {
    rm_registry_t *reg = fault_registry();
    /* Calls 1-6 fail, 7 on succeed; no retries: one call per run. */
    rm_pipeline_t *p = fault_pipeline(
        reg, "{\"mode\":\"transient\",\"fail_times\":6}",
        "\"retry\":{\"max_retries\":0},"
        "\"breaker\":{\"failure_threshold\":5,\"cooldown_ms\":1000}");
    /* The cool-down is long enough that "open: fails at once" right after
     * the 5th failure holds on a slow, loaded machine too. */
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    for (int run = 1; run <= 5; run++) {
        ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_EAGAIN);
        ASSERT_EQ_INT(stats_of(r, "flaky")->breaker_state,
                      run < 5 ? RM_BREAKER_CLOSED : RM_BREAKER_OPEN);
        rm_run_result_free(r);
    }
    /* Open: fails at once, without calling the node. */
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_EBREAKER);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_STR_CONTAINS(e->message, "circuit breaker open for node 'flaky' "
                                    "(Fault) after 5 consecutive failures");
    ASSERT_STR_CONTAINS(e->message, "injected transient failure 5 of item 0");
    ASSERT_EQ_INT(e->transient, 0);
    ASSERT_EQ_INT(stats_of(r, "flaky")->calls, 0);
    ASSERT_EQ_INT(stats_of(r, "flaky")->breaker_rejections, 1);
    rm_run_result_free(r);
    /* Cool-down over: one trial call (fails: call 6) → open again. */
    usleep(1050000);
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_EAGAIN);
    ASSERT_EQ_INT(stats_of(r, "flaky")->calls, 1);
    ASSERT_EQ_INT(stats_of(r, "flaky")->breaker_state, RM_BREAKER_OPEN);
    rm_run_result_free(r);
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_EBREAKER);
    rm_run_result_free(r);
    /* Next trial succeeds (call 7) → closed; calls go through again. */
    usleep(1050000);
    int status = run_json(p, NULL, in, 1, &r);
    if (status != RM_OK)
        RM__FAIL("trial: %s: %s", rm_err_name(status),
                 rm_run_result_error(r)->message);
    ASSERT_EQ_INT(stats_of(r, "flaky")->breaker_state, RM_BREAKER_CLOSED);
    rm_run_result_free(r);
    /* Closed: the next call reaches the node again (whose next item fails
     * once more, the count starting from zero). */
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_EAGAIN);
    ASSERT_EQ_INT(stats_of(r, "flaky")->calls, 1);
    ASSERT_EQ_INT(stats_of(r, "flaky")->breaker_state, RM_BREAKER_CLOSED);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(breaker_opening_mid_retries_stops_the_retries) {
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = fault_pipeline(
        reg, "{\"mode\":\"transient\"}",
        "\"retry\":{\"max_retries\":10,\"initial_delay_ms\":1},"
        "\"breaker\":{\"failure_threshold\":3}");
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_EBREAKER);
    const rm_node_stats_t *s = stats_of(r, "flaky");
    ASSERT_EQ_INT(s->calls, 3);
    ASSERT_EQ_INT(s->retries, 3);
    ASSERT_EQ_INT(s->breaker_rejections, 1);
    ASSERT_EQ_INT(rm_run_result_error(r)->attempt, 4);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* A plugin refusing its params fails at compile, naming node and type. */
RM_TEST(create_failure_carries_context) {
    rm_registry_t *reg = fault_registry();
    const char *text =
        "{\"version\":\"v1\",\"nodes\":[{\"id\":\"c\",\"node_type\":"
        "\"Fail\",\"params\":{\"where\":\"create\"}}]}";
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *p = NULL;
    ASSERT_EQ_INT(rm_pipeline_compile(reg, text, strlen(text), "<t>", diag, &p),
                  RM_EINVAL);
    ASSERT_TRUE(p == NULL);
    ASSERT_STR_CONTAINS(rm_diag_text(diag), "node 'c' (Fail): create failed: "
                                            "refusing to be created");
    rm_diag_free(diag);
    rm_registry_close(reg);
}

RM_TEST(breaker_config_is_validated) {
    rm_registry_t *reg = fault_registry();
    const char *text =
        "{\"version\":\"v1\",\"nodes\":[{\"id\":\"f\",\"node_type\":"
        "\"Fault\",\"breaker\":{\"failure_treshold\":2,\"cooldown_ms\":-1}}]}";
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *p = NULL;
    ASSERT_EQ_INT(rm_pipeline_compile(reg, text, strlen(text), "<t>", diag, &p),
                  RM_EVALIDATE);
    ASSERT_STR_CONTAINS(rm_diag_text(diag), "failure_treshold");
    ASSERT_STR_CONTAINS(rm_diag_text(diag), "cooldown_ms");
    rm_diag_free(diag);
    rm_registry_close(reg);
}

/* ---- on_error (#21.8) ----------------------------------------------------- */

RM_TEST(on_error_is_validated_naming_the_path) {
    rm_registry_t *reg = fault_registry();
    const char *text =
        "{\"version\":\"v1\",\"nodes\":[{\"id\":\"f\",\"node_type\":"
        "\"Fault\",\"on_error\":\"ignore\"}]}";
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *p = NULL;
    ASSERT_EQ_INT(rm_pipeline_compile(reg, text, strlen(text), "<t>", diag, &p),
                  RM_EVALIDATE);
    ASSERT_STR_CONTAINS(rm_diag_text(diag), "nodes[0].on_error");
    ASSERT_STR_CONTAINS(rm_diag_text(diag), "\"fail\", \"skip\"");
    ASSERT_STR_CONTAINS(rm_diag_text(diag), "ignore");
    rm_diag_free(diag);
    rm_registry_close(reg);
}

/* Items whose calls fail for good (here: every item from the 3rd on,
 * permanently) are dropped and counted; the stream goes on. */
RM_TEST(on_error_skip_drops_failed_items_and_goes_on) {
    rm_registry_t *reg = fault_registry();
    const char *in[] = {"0", "1", "2", "3", "4", "5", "6", "7"};
    for (int skip = 0; skip <= 1; skip++) {
        for (int policy = RM_EXEC_AUTO; policy <= RM_EXEC_INLINE; policy++) {
            /* A new pipeline each time: the plugin counts items per
             * compiled pipeline, across its runs. */
            rm_pipeline_t *p = fault_pipeline(reg,
                "{\"mode\":\"permanent\",\"fail_from\":2}",
                skip ? "\"on_error\":\"skip\"" : "\"on_error\":\"fail\"");
            rm_run_options_t options = {sizeof(options), 0, (uint32_t)policy,
                                        0, 0, 0};
            rm_run_result_t *r = NULL;
            int status = run_json(p, &options, in, 8, &r);
            char *text = sink_text(r, 0);
            if (skip) {
                ASSERT_EQ_INT(status, RM_OK);
                ASSERT_STR_EQ(text, "[0,1]");
                ASSERT_EQ_INT(stats_of(r, "flaky")->skipped, 6);
                char *metrics = rm_run_result_metrics_json(r, 0, NULL);
                ASSERT_STR_CONTAINS(metrics, "\"skipped_items\": 6");
                rm_free_string(metrics);
            } else {
                ASSERT_EQ_INT(status, RM_EINVAL);
                ASSERT_EQ_INT(stats_of(r, "flaky")->skipped, 0);
            }
            free(text);
            rm_run_result_free(r);
            rm_pipeline_free(p);
        }
    }
    rm_registry_close(reg);
}

/* Transient failures: retried first; only an item whose retries are all
 * spent is skipped. Seeded, so the same calls fail every time. */
RM_TEST(on_error_skip_after_retries_and_timeouts) {
    rm_registry_t *reg = fault_registry();
    enum { count = 400 };
    rm_item_t *items[count];
    for (int i = 0; i < count; i++) items[i] = rm_item_new_json("1", 1);
    rm_pipeline_t *p = fault_pipeline(reg,
        "{\"mode\":\"random\",\"rate\":0.5,\"seed\":7}",
        "\"on_error\":\"skip\",\"retry\":{\"max_retries\":1,"
        "\"initial_delay_ms\":0}");
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(p, NULL, items, count, &r), RM_OK);
    const rm_node_stats_t *s = stats_of(r, "flaky");
    /* Every item either came out or was skipped after 2 failed attempts. */
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0) + s->skipped, count);
    ASSERT_TRUE(s->skipped > 0 && s->skipped < count);
    ASSERT_EQ_INT(s->failures, s->retries + s->skipped);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    for (int i = 0; i < count; i++) rm_item_unref(items[i]);
    /* A call that hangs past timeout_ms: abandoned, then its item skipped. */
    p = fault_pipeline(reg, "{\"mode\":\"hang_once\",\"hang_ms\":2000}",
                       "\"timeout_ms\":100,\"on_error\":\"skip\","
                       "\"retry\":{\"max_retries\":0}");
    const char *in[] = {"1", "2", "3"};
    ASSERT_EQ_INT(run_json(p, NULL, in, 3, &r), RM_OK);
    char *text = sink_text(r, 0);
    ASSERT_STR_EQ(text, "[2,3]");
    free(text);
    ASSERT_EQ_INT(stats_of(r, "flaky")->skipped, 1);
    ASSERT_EQ_INT(stats_of(r, "flaky")->abandoned_calls, 1);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* ---- partial results ------------------------------------------------------ */

RM_TEST(partial_results_say_what_was_not_processed) {
    rm_registry_t *reg = fault_registry();
    const char *manifest =
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"Fault\"},"
        "{\"id\":\"b\",\"node_type\":\"Fault\"},"
        "{\"id\":\"c\",\"node_type\":\"Fault\",\"params\":"
        "{\"mode\":\"permanent\",\"fail_from\":5}}]}";
    rm_pipeline_t *p = rm_test_compile(reg, manifest);
    const char *in[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    static const uint32_t policies[] = {RM_EXEC_AUTO, RM_EXEC_POOL,
                                        RM_EXEC_INLINE};
    for (int k = 0; k < 3; k++) {
        /* Fault's counters live in its (reused) instance: a fresh one. */
        if (k) p = rm_test_compile(reg, manifest);
        rm_run_options_t options = {sizeof(options), 2, policies[k], 0, 0, 0};
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run_json(p, &options, in, 10, &r), RM_EINVAL);
        char *text = sink_text(r, 0);
        ASSERT_STR_EQ(text, "[0,1,2,3,4]");
        free(text);
        ASSERT_EQ_INT(rm_run_result_first_unprocessed(r), 5);
        ASSERT_STR_EQ(rm_run_result_error(r)->node_id, "c");
        rm_run_result_free(r);
        rm_pipeline_free(p);
    }
    rm_registry_close(reg);
}

/* ---- bad plugins ---------------------------------------------------------- */

RM_TEST(emit_of_wrong_kind_is_rejected_naming_the_node) {
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = fault_pipeline(reg, "{\"mode\":\"wrong_kind\"}", NULL);
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_EKIND);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_STR_CONTAINS(e->message, "node 'flaky' (Fault) emitted a audio "
                                    "item on output port 0 'out', which "
                                    "carries json");
    ASSERT_EQ_INT(e->transient, 0);
    ASSERT_EQ_INT(stats_of(r, "flaky")->retries, 0);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 0);
    rm_run_result_free(r);
    rm_pipeline_free(p);

    p = fault_pipeline(reg, "{\"mode\":\"null_item\"}", NULL);
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_EKIND);
    ASSERT_STR_CONTAINS(rm_run_result_error(r)->message,
                        "node 'flaky' (Fault) emitted a NULL item");
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(crashing_node_is_contained_in_a_child) {
    pid_t pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL);
        rm_registry_t *reg = fault_registry();
        rm_pipeline_t *p = fault_pipeline(reg, "{\"mode\":\"crash\"}", NULL);
        const char *in[] = {"1"};
        rm_run_result_t *r = NULL;
        run_json(p, NULL, in, 1, &r);
        _exit(0); /* not reached */
    }
    int status = 0;
    ASSERT_EQ_INT(waitpid(pid, &status, 0), pid);
    /* The crash is the plugin's; nothing in the runtime can survive it in
     * process, but it does not hang and it does not corrupt the parent. */
    ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) &&
                                        WEXITSTATUS(status) != 0));
}

/* ---- fuzzer findings (tests/fuzz) ------------------------------------------- */

/* MultiplyNode formatted a whole number >= 2^63 into a 40-byte buffer and
 * copied the untruncated length: a stack overflow (fuzz_node). */
RM_TEST(fuzz_regression_math_huge_whole_number) {
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{\"version\":\"v1\",\"nodes\":[{\"id\":\"m\",\"node_type\":"
        "\"MultiplyNode\",\"params\":{\"factor\":3}}]}");
    const char *in[] = {"1e300"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_OK);
    const char *text = (const char *)rm_run_result_item(r, 0, 0)->data;
    ASSERT_STR_EQ(text, "3e+300"); /* beyond 2^53 a whole number stays a float */
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* ---- rmrun ------------------------------------------------------------------ */

static int run_rmrun(const char *manifest, const char *input, char *err_out,
                     size_t err_size) {
    char path[] = "/tmp/rm-fault-manifest-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    ASSERT_EQ_INT(write(fd, manifest, strlen(manifest)),
                  (long long)strlen(manifest));
    close(fd);
    char errpath[] = "/tmp/rm-fault-err-XXXXXX";
    int errfd = mkstemp(errpath);
    ASSERT_TRUE(errfd >= 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(errfd, 2);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        execl(RM_TEST_RMRUN, "rmrun", "--plugins", RM_TEST_FAULT_PLUGIN_DIR,
              "--no-default-plugins", path, "--input", input, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    lseek(errfd, 0, SEEK_SET);
    ssize_t n = read(errfd, err_out, err_size - 1);
    err_out[n > 0 ? n : 0] = '\0';
    close(errfd);
    unlink(errpath);
    unlink(path);
    ASSERT_TRUE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* ---- run budgets (#21.7) --------------------------------------------------- */

/* 60 pass-through nodes, i -> i+1 and i -> i+2: fan-in adds the items of
 * both paths, so one input becomes Fibonacci(60) items (6 KB of JSON that
 * ran for minutes and grew to gigabytes before run budgets). */
static char *ladder_manifest(void) {
    sbuf_t b = {0};
    sb_addf(&b, "{\"version\":\"v1\",\"nodes\":[");
    for (int i = 0; i < 60; i++)
        sb_addf(&b, "%s{\"id\":\"n%d\",\"node_type\":\"Fault\"}",
                i ? "," : "", i);
    sb_addf(&b, "],\"connections\":[");
    for (int i = 0; i + 1 < 60; i++)
        sb_addf(&b, "%s{\"from\":\"n%d\",\"to\":\"n%d\"}", i ? "," : "", i,
                i + 1);
    for (int i = 0; i + 2 < 60; i++)
        sb_addf(&b, ",{\"from\":\"n%d\",\"to\":\"n%d\"}", i, i + 2);
    sb_addf(&b, "]}");
    return b.s;
}

RM_TEST(budget_stops_the_fibonacci_ladder) {
    rm_registry_t *reg = fault_registry();
    char *text = ladder_manifest();
    rm_pipeline_t *p = rm_test_compile(reg, text);
    free(text);
    const char *in[] = {"1"};
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_AUTO, 0, 5000, 0};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, &options, in, 1, &r), RM_EBUDGET);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_EQ_INT(e->transient, 0);
    ASSERT_STR_CONTAINS(e->message, "run budget max_items_per_input exceeded "
                                    "at node 'n");
    ASSERT_STR_CONTAINS(e->message, "over 5000 items per input");
    ASSERT_STR_CONTAINS(e->message, "rmrun --max-items-per-input N");
    ASSERT_STR_CONTAINS(e->message, "REMOTEMEDIA_MAX_ITEMS_PER_INPUT");
    /* Stopped near the budget, not after Fibonacci(60) items. */
    uint64_t produced = 0;
    for (size_t n = 0; n < 60; n++)
        produced += rm_run_result_node_stats(r, n)->items_out;
    ASSERT_TRUE(produced > 5000 && produced < 5000 + 64 * 60);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

/* A long normal stream: 2 items per input, under a budget of exactly 2. */
RM_TEST(budget_leaves_a_long_normal_run_alone) {
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = rm_test_compile(reg,
        "{\"version\":\"v1\",\"nodes\":[{\"id\":\"a\",\"node_type\":"
        "\"Fault\"},{\"id\":\"b\",\"node_type\":\"Fault\"}]}");
    enum { count = 20000 };
    rm_item_t **items = calloc(count, sizeof(*items));
    for (int i = 0; i < count; i++) items[i] = rm_item_new_json("7", 1);
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_AUTO, 0, 2, 0};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(p, &options, items, count, &r), RM_OK);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), count);
    rm_run_result_free(r);
    /* One byte per input is not enough for "7" passed twice. */
    options.max_items_per_input = 0;
    options.max_bytes_per_input = 1;
    ASSERT_EQ_INT(rm_pipeline_run(p, &options, items, count, &r), RM_EBUDGET);
    ASSERT_STR_CONTAINS(rm_run_result_error(r)->message,
                        "run budget max_bytes_per_input exceeded");
    rm_run_result_free(r);
    for (int i = 0; i < count; i++) rm_item_unref(items[i]);
    free(items);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

RM_TEST(rmrun_exit_codes_by_error_class) {
    char err[4096];
    const char *head = "{\"version\":\"v1\",\"nodes\":[{\"id\":\"f\","
                       "\"node_type\":\"Fault\",";
    sbuf_t m = {0};
    sb_addf(&m, "%s\"params\":{\"mode\":\"permanent\",\"fail_from\":1}}]}",
            head);
    ASSERT_EQ_INT(run_rmrun(m.s, "[1,2,3]", err, sizeof(err)), 1);
    ASSERT_STR_CONTAINS(err, "node 'f' (Fault) failed in process");
    ASSERT_STR_CONTAINS(err, "input items 1..2 of 3 were not processed");
    free(m.s);
    m = (sbuf_t){0};
    sb_addf(&m, "%s\"params\":{\"mode\":\"transient\"},\"retry\":"
                "{\"initial_delay_ms\":1}}]}", head);
    ASSERT_EQ_INT(run_rmrun(m.s, "[1]", err, sizeof(err)), 6);
    ASSERT_STR_CONTAINS(err, "(attempt 4 of 4)");
    free(m.s);
    m = (sbuf_t){0};
    sb_addf(&m, "%s\"params\":{\"mode\":\"hang\",\"hang_ms\":300},"
                "\"timeout_ms\":50,\"retry\":{\"max_retries\":0}}]}", head);
    ASSERT_EQ_INT(run_rmrun(m.s, "[1]", err, sizeof(err)), 7);
    ASSERT_STR_CONTAINS(err, "timed out after 50 ms");
    free(m.s);
    m = (sbuf_t){0};
    sb_addf(&m, "%s\"params\":{\"mode\":\"transient\"},\"retry\":"
                "{\"initial_delay_ms\":1,\"max_retries\":9},"
                "\"breaker\":{\"failure_threshold\":2}}]}", head);
    ASSERT_EQ_INT(run_rmrun(m.s, "[1]", err, sizeof(err)), 8);
    ASSERT_STR_CONTAINS(err, "circuit breaker open for node 'f'");
    free(m.s);
    /* The ladder under the default budget: exit 9, the budget named. */
    char *ladder = ladder_manifest();
    ASSERT_EQ_INT(run_rmrun(ladder, "[1]", err, sizeof(err)), 9);
    ASSERT_STR_CONTAINS(err, "run budget max_items_per_input exceeded");
    ASSERT_STR_CONTAINS(err, "over 1000000 items per input");
    free(ladder);
}

/* Issue #21.1: a retry timer whose callback finished the run inside
 * uv_run(UV_RUN_ONCE) left the loop asleep in epoll forever (0 ms back-off
 * hung 20 runs of 20). A randomized soak over back-offs of 0 and 1 ms,
 * every exec policy, many items and fault schedules: each run must end
 * with every item in order (a hang is caught by the test's alarm). */
RM_TEST(retry_soak_zero_and_one_ms_backoffs_never_hang) {
    rm_registry_t *reg = fault_registry();
    static const uint32_t policies[] = {RM_EXEC_AUTO, RM_EXEC_POOL,
                                        RM_EXEC_INLINE};
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    char texts[64][8];
    const char *in[64];
    for (int i = 0; i < 64; i++) {
        snprintf(texts[i], sizeof(texts[i]), "%d", i);
        in[i] = texts[i];
    }
    for (int round = 0; round < 120; round++) {
        rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
        uint64_t x = rng * 0x2545F4914F6CDD1Dull;
        int delay = (int)(x & 1);
        int fail_times = 1 + (int)((x >> 1) % 3);
        int items = 1 + (int)((x >> 3) % 64);
        uint32_t policy = policies[(x >> 10) % 3];
        char params[96], extra[96];
        snprintf(params, sizeof(params),
                 "{\"mode\":\"transient\",\"fail_times\":%d}", fail_times);
        snprintf(extra, sizeof(extra),
                 "\"retry\":{\"initial_delay_ms\":%d,\"max_retries\":3}",
                 delay);
        rm_pipeline_t *p = fault_pipeline(reg, params, extra);
        rm_run_options_t options = {sizeof(options), 0, policy, 0, 0, 0};
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run_json(p, &options, in, (size_t)items, &r), RM_OK);
        ASSERT_EQ_INT(rm_run_result_item_count(r, 0), items);
        ASSERT_EQ_INT(stats_of(r, "flaky")->retries, items * fail_times);
        rm_run_result_free(r);
        rm_pipeline_free(p);
    }
    rm_registry_close(reg);
}

RM_TEST_LIST(
    RM_TEST_ENTRY(backoff_default_delays_100_200_400),
    RM_TEST_ENTRY(backoff_multiplier_and_cap),
    RM_TEST_ENTRY(backoff_jitter_stays_within_its_fraction),
    RM_TEST_ENTRY(retries_exhausted_error_names_node_and_attempt),
    RM_TEST_ENTRY(permanent_error_is_not_retried),
    RM_TEST_ENTRY(every_item_retried_in_order),
    RM_TEST_ENTRY(retry_soak_zero_and_one_ms_backoffs_never_hang),
    RM_TEST_ENTRY(backoff_blocks_no_worker),
    RM_TEST_ENTRY(timeout_hung_node_does_not_hang_the_run),
    RM_TEST_ENTRY(timeout_then_retry_on_a_fresh_instance),
    RM_TEST_ENTRY(breaker_opens_on_5th_failure_half_opens_and_closes),
    RM_TEST_ENTRY(breaker_opening_mid_retries_stops_the_retries),
    RM_TEST_ENTRY(breaker_config_is_validated),
    RM_TEST_ENTRY(on_error_is_validated_naming_the_path),
    RM_TEST_ENTRY(on_error_skip_drops_failed_items_and_goes_on),
    RM_TEST_ENTRY(on_error_skip_after_retries_and_timeouts),
    RM_TEST_ENTRY(create_failure_carries_context),
    RM_TEST_ENTRY(partial_results_say_what_was_not_processed),
    RM_TEST_ENTRY(emit_of_wrong_kind_is_rejected_naming_the_node),
    RM_TEST_ENTRY(crashing_node_is_contained_in_a_child),
    RM_TEST_ENTRY(fuzz_regression_math_huge_whole_number),
    RM_TEST_ENTRY(budget_stops_the_fibonacci_ladder),
    RM_TEST_ENTRY(budget_leaves_a_long_normal_run_alone),
    RM_TEST_ENTRY(rmrun_exit_codes_by_error_class))
