/*
 * test_hung_calls.c — one hung node must not starve the process (#21.2):
 * a timed-out call that keeps its worker thread gets a replacement worker,
 * up to REMOTEMEDIA_MAX_ABANDONED, then a clear error; a node's timeout_ms
 * covers the wait for a worker. Each case runs in its own process (rm_test
 * forks), so each starts its own worker pool with REMOTEMEDIA_WORKERS=2.
 * No timing asserts: counts and statuses; a regression hangs and is caught
 * by rm_test's alarm.
 */
#include <pthread.h>

#include <remotemedia/metrics.h>

#include "fault_util.h"

static const rm_run_options_t pool_exec = {sizeof(pool_exec), 0,
                                           RM_EXEC_POOL, 0, 0, 0};

static int count_lines(const char *path, const char *line) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char buffer[64];
    int n = 0;
    while (fgets(buffer, sizeof(buffer), f))
        if (strcmp(buffer, line) == 0) n++;
    fclose(f);
    return n;
}

/* An unrelated two-node pipeline on the pool: it must complete. */
static void unrelated_pipeline_completes(rm_registry_t *reg) {
    rm_pipeline_t *p = rm_test_compile(reg,
        "{\"version\":\"v1\",\"nodes\":["
        "{\"id\":\"a\",\"node_type\":\"Fault\"},"
        "{\"id\":\"b\",\"node_type\":\"Fault\"}],"
        "\"connections\":[{\"from\":\"a\",\"to\":\"b\"}]}");
    const char *in[] = {"1", "2", "3", "4"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, &pool_exec, in, 4, &r), RM_OK);
    char *text = sink_text(r, 0);
    ASSERT_STR_EQ(text, "[1,2,3,4]");
    free(text);
    rm_run_result_free(r);
    rm_pipeline_free(p);
}

/* A node that hangs (far longer than the test) with a 50 ms timeout. */
static rm_pipeline_t *hung_node(rm_registry_t *reg) {
    return fault_pipeline(reg, "{\"mode\":\"hang\",\"hang_ms\":600000}",
                          "\"timeout_ms\":50,\"retry\":{\"max_retries\":0}");
}

static rm_run_result_t *run_once(rm_pipeline_t *p, int expect) {
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), expect);
    return r;
}

RM_TEST(hung_calls_get_replacement_workers_up_to_the_cap) {
    setenv("REMOTEMEDIA_WORKERS", "2", 1);
    setenv("REMOTEMEDIA_MAX_ABANDONED", "3", 1);
    rm_registry_t *reg = fault_registry();
    rm_pipeline_t *p = hung_node(reg);
    /* Three hung calls on a pool of two workers: each is abandoned and its
     * worker replaced (before the fix the third waited for a worker
     * forever, and so did every later pool call of the process). */
    for (int i = 0; i < 3; i++) {
        rm_run_result_t *r = run_once(p, RM_ETIMEDOUT);
        const rm_run_error_t *e = rm_run_result_error(r);
        ASSERT_EQ_INT(e->transient, 1);
        ASSERT_STR_CONTAINS(e->message, "timed out after 50 ms");
        const rm_node_stats_t *s = stats_of(r, "flaky");
        ASSERT_EQ_INT(s->timeouts, 1);
        ASSERT_EQ_INT(s->abandoned_calls, 1);
        ASSERT_EQ_INT(s->workers_replaced, 1);
        char *metrics = rm_run_result_metrics_json(r, 0, NULL);
        ASSERT_NOT_NULL(metrics);
        ASSERT_STR_CONTAINS(metrics, "\"abandoned_calls\": 1");
        ASSERT_STR_CONTAINS(metrics, "\"workers_replaced\": 1");
        rm_free_string(metrics);
        rm_run_result_free(r);
        unrelated_pipeline_completes(reg);
    }
    /* The fourth stuck call is over the cap: no replacement, and an error
     * naming the node and the cap, not retried. */
    rm_run_result_t *r = run_once(p, RM_ETIMEDOUT);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_EQ_INT(e->transient, 0);
    ASSERT_STR_CONTAINS(e->message, "node 'flaky' (Fault)");
    ASSERT_STR_CONTAINS(e->message, "4 abandoned calls");
    ASSERT_STR_CONTAINS(e->message, "cap of 3");
    ASSERT_STR_CONTAINS(e->message, "REMOTEMEDIA_MAX_ABANDONED");
    ASSERT_EQ_INT(stats_of(r, "flaky")->abandoned_calls, 1);
    ASSERT_EQ_INT(stats_of(r, "flaky")->workers_replaced, 0);
    rm_run_result_free(r);
    /* Five threads, four stuck: the fifth still serves other pipelines. */
    unrelated_pipeline_completes(reg);
    rm_pipeline_free(p);
    rm_registry_close(reg);
}

typedef struct {
    rm_registry_t *reg;
    const char *marker;
    int status;
} busy_args_t;

/* Two branches hanging 3 s each (no timeout): both workers are busy. */
static void *keep_workers_busy(void *arg) {
    busy_args_t *a = arg;
    sbuf_t b = {0};
    sb_addf(&b,
            "{\"version\":\"v1\",\"nodes\":["
            "{\"id\":\"in\",\"node_type\":\"Fault\"},"
            "{\"id\":\"h1\",\"node_type\":\"Fault\",\"params\":{\"mode\":"
            "\"hang\",\"hang_ms\":3000,\"marker\":\"%s\"}},"
            "{\"id\":\"h2\",\"node_type\":\"Fault\",\"params\":{\"mode\":"
            "\"hang\",\"hang_ms\":3000,\"marker\":\"%s\"}}],"
            "\"connections\":[{\"from\":\"in\",\"to\":\"h1\"},"
            "{\"from\":\"in\",\"to\":\"h2\"}]}",
            a->marker, a->marker);
    rm_pipeline_t *p = rm_test_compile(a->reg, b.s);
    free(b.s);
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    a->status = run_json(p, &pool_exec, in, 1, &r);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    return NULL;
}

RM_TEST(timeout_covers_the_wait_for_a_worker) {
    setenv("REMOTEMEDIA_WORKERS", "2", 1);
    char marker[] = "/tmp/rm-busy-marker-XXXXXX";
    int fd = mkstemp(marker);
    ASSERT_TRUE(fd >= 0);
    close(fd);
    rm_registry_t *reg = fault_registry();
    busy_args_t args = {reg, marker, -1};
    pthread_t busy;
    ASSERT_EQ_INT(pthread_create(&busy, NULL, keep_workers_busy, &args), 0);
    /* Until both workers are inside their 3 s calls (a bound on hangs). */
    for (int i = 0; i < 5000 && count_lines(marker, "hang\n") < 2; i++)
        usleep(10000);
    ASSERT_EQ_INT(count_lines(marker, "hang\n"), 2);
    /* A 200 ms node: its call never starts within its time, so it fails
     * without running (before the fix it waited for a worker, then ran and
     * succeeded). */
    rm_pipeline_t *p = fault_pipeline(reg, "{}",
        "\"timeout_ms\":200,\"retry\":{\"max_retries\":0}");
    const char *in[] = {"1"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_ETIMEDOUT);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_EQ_INT(e->transient, 1);
    ASSERT_STR_CONTAINS(e->message, "node 'flaky' (Fault)");
    ASSERT_STR_CONTAINS(e->message, "timed out after 200 ms");
    ASSERT_STR_CONTAINS(e->message, "waiting for a worker");
    const rm_node_stats_t *s = stats_of(r, "flaky");
    ASSERT_EQ_INT(s->timeouts, 1);
    ASSERT_EQ_INT(s->calls, 0);
    ASSERT_EQ_INT(s->abandoned_calls, 0);
    ASSERT_EQ_INT(rm_run_result_first_unprocessed(r), 0);
    rm_run_result_free(r);
    pthread_join(busy, NULL);
    ASSERT_EQ_INT(args.status, RM_OK);
    /* With the workers free again the same node runs. */
    ASSERT_EQ_INT(run_json(p, NULL, in, 1, &r), RM_OK);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 1);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(reg);
    unlink(marker);
}

RM_TEST_LIST(
    RM_TEST_ENTRY(hung_calls_get_replacement_workers_up_to_the_cap),
    RM_TEST_ENTRY(timeout_covers_the_wait_for_a_worker))
