/* test_executor_scale.c — 10,000 concurrent node executions; many
 * pipelines on many threads; bounded threads, no fd leak. */
#include <pthread.h>

#include "exec_util.h"

#define V1 "\"version\":\"v1\""

/* 10,000 independent Sleep nodes (each an entry and a sink) in one
 * pipeline: 10,000 node executions ready at once. */
RM_TEST(ten_thousand_independent_nodes) {
    rm_registry_t *reg = exec_registry();
    enum { N = 10000 };
    sbuf_t m = {0};
    sb_addf(&m, "{" V1 ",\"nodes\":[");
    for (int i = 0; i < N; i++)
        sb_addf(&m, "%s{\"id\":\"s%d\",\"node_type\":\"Sleep\",\"params\":{\"us\":50}}",
                i ? "," : "", i);
    sb_addf(&m, "],\"connections\":[]}");
    warm_up_runtime(reg);
    size_t fds_before = count_dir("/proc/self/fd");
    size_t threads_before = count_dir("/proc/self/task");
    rm_pipeline_t *p = rm_test_compile(reg, m.s);
    free(m.s);
    const char *in[] = {"1", "2"};
    for (int round = 0; round < 2; round++) {
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(run_json(p, NULL, in, 2, &r), RM_OK);
        ASSERT_EQ_INT(rm_run_result_sink_count(r), N);
        for (size_t s = 0; s < N; s++)
            ASSERT_EQ_INT(rm_run_result_item_count(r, s), 2);
        rm_run_result_free(r);
    }
    size_t threads = count_dir("/proc/self/task");
    /* The pool: REMOTEMEDIA_WORKERS or max(4, CPUs), capped at 256. */
    if (threads > threads_before + 256)
        RM__FAIL("threads grew from %zu to %zu", threads_before, threads);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t pool = cpus > 4 ? (size_t)cpus : 4;
    ASSERT_TRUE(threads <= threads_before + pool);
    rm_pipeline_free(p);
    rm_registry_close(reg);
    ASSERT_EQ_INT(count_dir("/proc/self/fd"), fds_before);
}

typedef struct worker_arg {
    rm_registry_t *reg;
    int index;
    int failures;
} worker_arg_t;

/* Each thread compiles its own pipelines and runs them many times. */
static void *pipeline_worker(void *arg) {
    worker_arg_t *w = arg;
    char text[2048];
    int factor = w->index + 2;
    snprintf(text, sizeof(text),
             "{" V1 ",\"nodes\":["
             "{\"id\":\"a\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":%d}},"
             "{\"id\":\"b\",\"node_type\":\"Sleep\",\"params\":{\"us\":100}},"
             "{\"id\":\"c\",\"node_type\":\"PassThroughNode\"},"
             "{\"id\":\"d\",\"node_type\":\"AddNode\",\"params\":{\"addend\":1}}],"
             "\"connections\":[{\"from\":\"a\",\"to\":\"b\"},{\"from\":\"a\",\"to\":\"c\"},"
             "{\"from\":\"b\",\"to\":\"d\"}]}",
             factor);
    for (int round = 0; round < 20; round++) {
        rm_pipeline_t *p = NULL;
        if (rm_pipeline_compile(w->reg, text, strlen(text), "<t>", NULL, &p)) {
            w->failures++;
            continue;
        }
        for (int k = 0; k < 5; k++) {
            rm_item_t *in[3] = {rm_item_new_json("1", 1), rm_item_new_json("2", 1),
                                rm_item_new_json("3", 1)};
            rm_run_result_t *r = NULL;
            int status = rm_pipeline_run(p, NULL, in, 3, &r);
            char want[64];
            snprintf(want, sizeof(want), "%d", 3 * factor + 1);
            size_t d = rm_run_result_sink_id(r, 0)[0] == 'd' ? 0 : 1;
            if (status != RM_OK || rm_run_result_item_count(r, d) != 3 ||
                strcmp(rm_run_result_item(r, d, 2)->data, want) != 0)
                w->failures++;
            rm_run_result_free(r);
            for (int i = 0; i < 3; i++) rm_item_unref(in[i]);
        }
        rm_pipeline_free(p);
    }
    return NULL;
}

RM_TEST(many_pipelines_on_many_threads) {
    rm_registry_t *reg = exec_registry();
    enum { THREADS = 16 };
    pthread_t threads[THREADS];
    worker_arg_t args[THREADS];
    warm_up_runtime(reg);
    size_t fds_before = count_dir("/proc/self/fd");
    for (int i = 0; i < THREADS; i++) {
        args[i] = (worker_arg_t){reg, i, 0};
        ASSERT_EQ_INT(pthread_create(&threads[i], NULL, pipeline_worker, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        ASSERT_EQ_INT(args[i].failures, 0);
    }
    ASSERT_EQ_INT(count_dir("/proc/self/fd"), fds_before);
    rm_registry_close(reg);
}

/* One compiled pipeline run from several threads at once: each run gets
 * its own instances. */
static rm_pipeline_t *shared_pipeline;
static void *shared_worker(void *arg) {
    int *failures = arg;
    for (int k = 0; k < 30; k++) {
        rm_item_t *in[2] = {rm_item_new_json("5", 1), rm_item_new_json("6", 1)};
        rm_run_result_t *r = NULL;
        if (rm_pipeline_run(shared_pipeline, NULL, in, 2, &r) != RM_OK ||
            rm_run_result_item_count(r, 0) != 1 ||
            strcmp(rm_run_result_item(r, 0, 0)->data, "22") != 0)
            (*failures)++;
        rm_run_result_free(r);
        rm_item_unref(in[0]);
        rm_item_unref(in[1]);
    }
    return NULL;
}

RM_TEST(same_pipeline_from_many_threads) {
    rm_registry_t *reg = exec_registry();
    shared_pipeline = rm_test_compile(reg,
        "{" V1 ",\"nodes\":[{\"id\":\"m\",\"node_type\":\"MultiplyNode\"},"
        "{\"id\":\"s\",\"node_type\":\"Sleep\",\"params\":{\"us\":200}},"
        "{\"id\":\"sum\",\"node_type\":\"Sum\"}]}");
    enum { THREADS = 8 };
    pthread_t threads[THREADS];
    int failures[THREADS] = {0};
    for (int i = 0; i < THREADS; i++)
        ASSERT_EQ_INT(pthread_create(&threads[i], NULL, shared_worker, &failures[i]), 0);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        ASSERT_EQ_INT(failures[i], 0);
    }
    rm_pipeline_free(shared_pipeline);
    rm_registry_close(reg);
}

RM_TEST_LIST(
    RM_TEST_ENTRY(ten_thousand_independent_nodes),
    RM_TEST_ENTRY(many_pipelines_on_many_threads),
    RM_TEST_ENTRY(same_pipeline_from_many_threads))
