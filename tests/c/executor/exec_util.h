/*
 * exec_util.h — helpers shared by the executor tests: a registry of the
 * math plugin + the test-only nodes, manifest building, running with JSON
 * inputs and reading sinks back as text.
 */
#ifndef RM_EXEC_UTIL_H
#define RM_EXEC_UTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <remotemedia/runtime.h>

#include "rm_test.h"
#include "rm_test_runtime.h"

static inline rm_registry_t *exec_registry(void) {
    static const char *const dirs[] = {RM_TEST_PLUGIN_DIR,
                                       RM_TEST_EXEC_PLUGIN_DIR};
    rm_registry_options_t options = {sizeof(options), dirs, 2, 0, 0, NULL, 0};
    rm_registry_t *registry = NULL;
    ASSERT_EQ_INT(rm_registry_open(&options, &registry), RM_OK);
    ASSERT_NOT_NULL(rm_registry_find(registry, "MultiplyNode"));
    ASSERT_NOT_NULL(rm_registry_find(registry, "Sleep"));
    return registry;
}

/* A growing string for manifests. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf_t;

static inline void sb_addf(sbuf_t *b, const char *fmt, ...) RM_PRINTF_LIKE(2, 3);
static inline void sb_addf(sbuf_t *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        ASSERT_NOT_NULL(b->s);
    }
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    va_end(ap);
}

/* Run with inputs given as JSON texts. */
static inline int run_json(rm_pipeline_t *p, const rm_run_options_t *options,
                    const char *const *inputs, size_t count,
                    rm_run_result_t **result) {
    rm_item_t **items = calloc(count ? count : 1, sizeof(*items));
    for (size_t i = 0; i < count; i++) {
        items[i] = rm_item_new_json(inputs[i], strlen(inputs[i]));
        ASSERT_NOT_NULL(items[i]);
    }
    int status = rm_pipeline_run(p, options, items, count, result);
    for (size_t i = 0; i < count; i++) rm_item_unref(items[i]);
    free(items);
    return status;
}

/* Sink `sink`'s items joined as "[a,b,c]" (JSON items only). Caller frees. */
static inline char *sink_text(const rm_run_result_t *r, size_t sink) {
    sbuf_t b = {0};
    sb_addf(&b, "[");
    for (size_t i = 0; i < rm_run_result_item_count(r, sink); i++) {
        rm_item_t *item = rm_run_result_item(r, sink, i);
        ASSERT_EQ_INT(item->kind, RM_KIND_JSON);
        sb_addf(&b, "%s%s", i ? "," : "", (const char *)item->data);
    }
    sb_addf(&b, "]");
    return b.s;
}

static inline size_t sink_index(const rm_run_result_t *r, const char *id) {
    for (size_t s = 0; s < rm_run_result_sink_count(r); s++)
        if (strcmp(rm_run_result_sink_id(r, s), id) == 0) return s;
    RM__FAIL("no sink named %s", id);
    return 0;
}

static inline const rm_node_stats_t *stats_of(const rm_run_result_t *r,
                                       const char *id) {
    for (size_t i = 0; i < rm_run_result_node_count(r); i++)
        if (strcmp(rm_run_result_node_stats(r, i)->node_id, id) == 0)
            return rm_run_result_node_stats(r, i);
    RM__FAIL("no node named %s", id);
    return NULL;
}

static inline double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline size_t count_dir(const char *path) {
    DIR *dir = opendir(path);
    ASSERT_NOT_NULL(dir);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)))
        if (e->d_name[0] != '.') n++;
    closedir(dir);
    return n;
}

/* One run that goes to the worker pool, so one-time process resources
 * exist before a test counts fds/threads: the pool's threads and libuv's
 * global signal pipe (2 fds, created at the first uv_loop_init, by design
 * never closed). */
static inline void warm_up_runtime(rm_registry_t *registry) {
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\":\"v1\",\"nodes\":[{\"id\":\"w\",\"node_type\":\"Sleep\"}]}");
    rm_run_options_t pool = {sizeof(pool), 0, RM_EXEC_POOL, 0, 0, 0};
    const char *in[] = {"0"};
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(run_json(p, &pool, in, 1, &r), RM_OK);
    rm_run_result_free(r);
    rm_pipeline_free(p);
}

#endif /* RM_EXEC_UTIL_H */
