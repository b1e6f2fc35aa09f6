/*
 * metrics_nodes.c — node types that exist only to test metrics and traces.
 *
 *   MetSleep(ms)      sleeps `ms`, passes the item on
 *   MetDelay()        sleeps the item's value in µs (a JSON number), passes
 *                     it on: a known distribution of call durations
 *   MetAlloc(bytes)   allocates `bytes` through the host, touches every
 *                     page, frees it, passes the item on
 *   MetFail(at)       fails permanently on its `at`-th item (0-based)
 *   MetFlaky(times)   fails transiently on its first `times` calls
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <remotemedia/plugin.h>

typedef struct met_node {
    const rm_host_t *host;
    int64_t value;
    int64_t seen;
} met_node_t;

static int met_create(const rm_host_t *host, const rm_params_t *params,
                      void **instance, rm_error_t *err, const char *param) {
    met_node_t *node = host->alloc(host, sizeof(*node));
    if (!node) return host->error_set(err, RM_ENOMEM, 0, "oom");
    memset(node, 0, sizeof(*node));
    node->host = host;
    if (param) host->param_int(params, param, &node->value);
    *instance = node;
    return RM_OK;
}

static void met_destroy(void *instance) {
    met_node_t *node = instance;
    if (node) node->host->free(node->host, node);
}

static void sleep_us(int64_t us) {
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static int pass(met_node_t *node, rm_item_t *item, rm_emit_t *out) {
    return node->host->emit(out, 0, node->host->item_ref(item));
}

static int sleep_create(const rm_host_t *host, const rm_params_t *params,
                        void **instance, rm_error_t *err) {
    return met_create(host, params, instance, err, "ms");
}
static int sleep_process(void *instance, uint32_t port, rm_item_t *item,
                         rm_emit_t *out, rm_error_t *err) {
    (void)port;
    (void)err;
    met_node_t *node = instance;
    sleep_us(node->value * 1000);
    return pass(node, item, out);
}

static int delay_create(const rm_host_t *host, const rm_params_t *params,
                        void **instance, rm_error_t *err) {
    return met_create(host, params, instance, err, NULL);
}
static int delay_process(void *instance, uint32_t port, rm_item_t *item,
                         rm_emit_t *out, rm_error_t *err) {
    (void)port;
    met_node_t *node = instance;
    if (item->kind != RM_KIND_JSON || !item->size)
        return node->host->error_set(err, RM_EKIND, 0, "wants a number");
    char text[32];
    size_t n = item->size < sizeof(text) - 1 ? item->size : sizeof(text) - 1;
    memcpy(text, item->data, n);
    text[n] = '\0';
    sleep_us(strtoll(text, NULL, 10));
    return pass(node, item, out);
}

static int alloc_create(const rm_host_t *host, const rm_params_t *params,
                        void **instance, rm_error_t *err) {
    return met_create(host, params, instance, err, "bytes");
}
static int alloc_process(void *instance, uint32_t port, rm_item_t *item,
                         rm_emit_t *out, rm_error_t *err) {
    (void)port;
    met_node_t *node = instance;
    size_t bytes = (size_t)node->value;
    unsigned char *block = node->host->alloc(node->host, bytes);
    if (!block) return node->host->error_set(err, RM_ENOMEM, 0, "oom");
    for (size_t i = 0; i < bytes; i += 4096) block[i] = (unsigned char)i;
    node->host->free(node->host, block);
    return pass(node, item, out);
}

static int fail_create(const rm_host_t *host, const rm_params_t *params,
                       void **instance, rm_error_t *err) {
    return met_create(host, params, instance, err, "at");
}
static int fail_process(void *instance, uint32_t port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    (void)port;
    met_node_t *node = instance;
    if (node->seen++ == node->value)
        return node->host->error_set(err, RM_EIO, 0, "item %lld refused",
                                     (long long)node->value);
    return pass(node, item, out);
}

static int flaky_create(const rm_host_t *host, const rm_params_t *params,
                        void **instance, rm_error_t *err) {
    return met_create(host, params, instance, err, "times");
}
static int flaky_process(void *instance, uint32_t port, rm_item_t *item,
                         rm_emit_t *out, rm_error_t *err) {
    (void)port;
    met_node_t *node = instance;
    if (node->seen++ < node->value)
        return node->host->error_set(err, RM_EAGAIN, 1, "try again (%lld)",
                                     (long long)node->seen);
    return pass(node, item, out);
}

static const rm_port_spec_t in_any[] = {{"in", RM_KINDS_ANY, "any"}};
static const rm_port_spec_t out_any[] = {{"out", RM_KINDS_ANY, "any"}};
static const rm_param_spec_t sleep_params[] = {
    {"ms", RM_PARAM_INT, 0, "0", 0, 0, NULL, "milliseconds per call"}};
static const rm_param_spec_t alloc_params[] = {
    {"bytes", RM_PARAM_INT, 0, "8388608", 0, 0, NULL,
     "bytes allocated per call"}};
static const rm_param_spec_t fail_params[] = {
    {"at", RM_PARAM_INT, 0, "0", 0, 0, NULL, "item that fails"}};
static const rm_param_spec_t flaky_params[] = {
    {"times", RM_PARAM_INT, 0, "1", 0, 0, NULL, "calls that fail first"}};

#define MET_TYPE(tname, caps, prm, nprm, create_fn, process_fn)               \
    {.struct_size = sizeof(rm_node_type_t), .name = tname,                  \
     .description = "metrics test node", .version = "1.0.0",                \
     .capabilities = caps, .params = prm, .param_count = nprm,              \
     .input_count = 1, .inputs = in_any, .outputs = out_any,                \
     .output_count = 1, .create = create_fn, .process = process_fn,         \
     .destroy = met_destroy}

static const rm_node_type_t sleep_type =
    MET_TYPE("MetSleep", 0, sleep_params, 1, sleep_create, sleep_process);
static const rm_node_type_t delay_type =
    MET_TYPE("MetDelay", 0, NULL, 0, delay_create, delay_process);
static const rm_node_type_t alloc_type =
    MET_TYPE("MetAlloc", 0, alloc_params, 1, alloc_create, alloc_process);
static const rm_node_type_t fail_type =
    MET_TYPE("MetFail", RM_CAP_STATEFUL, fail_params, 1, fail_create,
             fail_process);

static const rm_node_type_t flaky_type =
    MET_TYPE("MetFlaky", RM_CAP_STATEFUL, flaky_params, 1, flaky_create,
             flaky_process);

static const rm_node_type_t *const types[] = {&sleep_type, &delay_type,
                                              &alloc_type, &fail_type,
                                              &flaky_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.metrics",
    .name = "metrics test nodes",
    .version = "1.0.0",
    .description = "test-only node types for the metrics tests",
    .node_types = types,
    .node_type_count = sizeof(types) / sizeof(types[0]),
};

RM_PLUGIN_DEFINE(descriptor)
