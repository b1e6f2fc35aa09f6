/*
 * test_exec_nodes.c — node types that exist only to test the executor.
 *
 *   TestSource(count, per_call)  source: emits 0..count-1 as JSON numbers
 *   Sleep(ms, us)                sleeps, then passes the item on
 *   ThreadId()                   emits the calling thread's id
 *   Fail(fail_at, delay_ms, transient, where)
 *                                fails create/process/flush on purpose
 *   Tag()                        two inputs a, b; emits {"port":P,"value":V}
 *   Sum()                        stateful: adds numbers, emits the total at
 *                                flush (shows flush and fresh state per run)
 *   PortsUsed()                  three outputs; emits on each, per input,
 *                                "[u0,u1,u2]": what the host's output-use
 *                                extension said at create (1 = used)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* syscall, nanosleep */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <remotemedia/plugin.h>

typedef struct test_node {
    const rm_host_t *host;
    int64_t a, b, c;
    int flag;
    int64_t seen;
    double total;
} test_node_t;

static test_node_t *node_new(const rm_host_t *host) {
    test_node_t *node = host->alloc(host, sizeof(*node));
    if (node) {
        memset(node, 0, sizeof(*node));
        node->host = host;
    }
    return node;
}

static void node_destroy(void *instance) {
    test_node_t *node = instance;
    if (node) node->host->free(node->host, node);
}

static int emit_number(test_node_t *node, rm_emit_t *out, double value) {
    char text[64];
    int n = snprintf(text, sizeof(text), "%.17g", value);
    rm_item_t *item = node->host->item_new_json(node->host, text, (size_t)n);
    if (!item) return RM_ENOMEM;
    return node->host->emit(out, 0, item);
}

static void sleep_us(int64_t us) {
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* ---- TestSource ---------------------------------------------------------- */

static int source_create(const rm_host_t *host, const rm_params_t *params,
                         void **instance, rm_error_t *err) {
    test_node_t *node = node_new(host);
    if (!node) return host->error_set(err, RM_ENOMEM, 0, "oom");
    host->param_int(params, "count", &node->a);
    host->param_int(params, "per_call", &node->b);
    *instance = node;
    return RM_OK;
}

static int source_generate(void *instance, rm_emit_t *out, int *finished,
                           rm_error_t *err) {
    (void)err;
    test_node_t *node = instance;
    for (int64_t i = 0; i < node->b && node->seen < node->a; i++) {
        int status = emit_number(node, out, (double)node->seen++);
        if (status != RM_OK) return status;
    }
    if (node->seen >= node->a) *finished = 1;
    return RM_OK;
}

/* ---- Sleep --------------------------------------------------------------- */

static int sleep_create(const rm_host_t *host, const rm_params_t *params,
                        void **instance, rm_error_t *err) {
    test_node_t *node = node_new(host);
    if (!node) return host->error_set(err, RM_ENOMEM, 0, "oom");
    host->param_int(params, "ms", &node->a);
    host->param_int(params, "us", &node->b);
    *instance = node;
    return RM_OK;
}

static int sleep_process(void *instance, uint32_t port, rm_item_t *item,
                         rm_emit_t *out, rm_error_t *err) {
    (void)port;
    (void)err;
    test_node_t *node = instance;
    sleep_us(node->a * 1000 + node->b);
    return node->host->emit(out, 0, node->host->item_ref(item));
}

/* ---- ThreadId ------------------------------------------------------------ */

static int plain_create(const rm_host_t *host, const rm_params_t *params,
                        void **instance, rm_error_t *err) {
    (void)params;
    test_node_t *node = node_new(host);
    if (!node) return host->error_set(err, RM_ENOMEM, 0, "oom");
    *instance = node;
    return RM_OK;
}

static int tid_process(void *instance, uint32_t port, rm_item_t *item,
                       rm_emit_t *out, rm_error_t *err) {
    (void)port;
    (void)item;
    (void)err;
    return emit_number(instance, out, (double)syscall(SYS_gettid));
}

/* ---- Fail ---------------------------------------------------------------- */

static int fail_create(const rm_host_t *host, const rm_params_t *params,
                       void **instance, rm_error_t *err) {
    const char *where = "process";
    host->param_string(params, "where", &where);
    if (strcmp(where, "create") == 0)
        return host->error_set(err, RM_EINVAL, 0, "refusing to be created");
    test_node_t *node = node_new(host);
    if (!node) return host->error_set(err, RM_ENOMEM, 0, "oom");
    host->param_int(params, "fail_at", &node->a);
    host->param_int(params, "delay_ms", &node->b);
    host->param_bool(params, "transient", &node->flag);
    node->c = strcmp(where, "flush") == 0;
    *instance = node;
    return RM_OK;
}

static int fail_process(void *instance, uint32_t port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    (void)port;
    test_node_t *node = instance;
    if (!node->c && node->seen++ == node->a) {
        sleep_us(node->b * 1000);
        return node->host->error_set(err, node->flag ? RM_ETIMEDOUT : RM_EIO,
                                     node->flag, "item %lld is cursed",
                                     (long long)node->a);
    }
    return node->host->emit(out, 0, node->host->item_ref(item));
}

static int fail_flush(void *instance, rm_emit_t *out, rm_error_t *err) {
    (void)out;
    test_node_t *node = instance;
    if (node->c)
        return node->host->error_set(err, RM_EIO, 0, "cannot flush");
    return RM_OK;
}

/* ---- Tag ----------------------------------------------------------------- */

static int tag_process(void *instance, uint32_t port, rm_item_t *item,
                       rm_emit_t *out, rm_error_t *err) {
    (void)err;
    test_node_t *node = instance;
    size_t cap = item->size + 32;
    char *text = malloc(cap);
    if (!text) return RM_ENOMEM;
    int n = snprintf(text, cap, "{\"port\":%u,\"value\":%s}", port,
                     (const char *)item->data);
    rm_item_t *tagged = node->host->item_new_json(node->host, text, (size_t)n);
    free(text);
    if (!tagged) return RM_ENOMEM;
    return node->host->emit(out, 0, tagged);
}

/* ---- Sum ----------------------------------------------------------------- */

static int sum_process(void *instance, uint32_t port, rm_item_t *item,
                       rm_emit_t *out, rm_error_t *err) {
    (void)port;
    (void)out;
    test_node_t *node = instance;
    char *end = NULL;
    double v = strtod(item->data, &end);
    if (end == item->data)
        return node->host->error_set(err, RM_EKIND, 0, "not a number: %s",
                                     (const char *)item->data);
    node->total += v;
    return RM_OK;
}

static int sum_flush(void *instance, rm_emit_t *out, rm_error_t *err) {
    (void)err;
    test_node_t *node = instance;
    return emit_number(node, out, node->total);
}

/* ---- Parity: even numbers on port 0 "even", odd ones on port 1 "odd" ---- */

static int parity_process(void *instance, uint32_t port, rm_item_t *item,
                          rm_emit_t *out, rm_error_t *err) {
    (void)port;
    test_node_t *node = instance;
    long long v = strtoll(item->data, NULL, 10);
    (void)err;
    return node->host->emit(out, (v % 2 != 0) ? 1u : 0u,
                            node->host->item_ref(item));
}

/* ---- PortsUsed: the output-use extension as seen at create ------------- */

static int ports_used_create(const rm_host_t *host, const rm_params_t *params,
                             void **instance, rm_error_t *err) {
    int status = plain_create(host, params, instance, err);
    if (status) return status;
    test_node_t *node = *instance;
    node->a = rm_output_port_used(host, 0);
    node->b = rm_output_port_used(host, 1);
    node->c = rm_output_port_used(host, 2);
    return RM_OK;
}

static int ports_used_process(void *instance, uint32_t port, rm_item_t *item,
                              rm_emit_t *out, rm_error_t *err) {
    (void)port;
    (void)item;
    (void)err;
    test_node_t *node = instance;
    char text[32];
    int n = snprintf(text, sizeof(text), "[%d,%d,%d]", (int)node->a,
                     (int)node->b, (int)node->c);
    for (uint32_t p = 0; p < 3; p++) {
        rm_item_t *made = node->host->item_new_json(node->host, text, (size_t)n);
        if (!made) return RM_ENOMEM;
        int status = node->host->emit(out, p, made);
        if (status) return status;
    }
    return RM_OK;
}

/* ---- declarations -------------------------------------------------------- */

static const rm_port_spec_t in_any[] = {{"in", RM_KINDS_ANY, "any"}};
static const rm_port_spec_t in_ab[] = {{"a", RM_KINDS_ANY, "first"},
                                       {"b", RM_KINDS_ANY, "second"}};
static const rm_port_spec_t out_any[] = {{"out", RM_KINDS_ANY, "any"}};
static const rm_port_spec_t out_parity[] = {{"even", RM_KINDS_ANY, "even"},
                                            {"odd", RM_KINDS_ANY, "odd"}};
static const rm_port_spec_t out_three[] = {{"p0", RM_KINDS_ANY, "first"},
                                           {"p1", RM_KINDS_ANY, "second"},
                                           {"p2", RM_KINDS_ANY, "third"}};

static const rm_param_spec_t source_params[] = {
    {"count", RM_PARAM_INT, 0, "10", 0, 0, NULL, "items to emit"},
    {"per_call", RM_PARAM_INT, 0, "1", 0, 0, NULL, "items per generate"}};
static const rm_param_spec_t sleep_params[] = {
    {"ms", RM_PARAM_INT, 0, "0", 0, 0, NULL, "milliseconds per item"},
    {"us", RM_PARAM_INT, 0, "0", 0, 0, NULL, "microseconds per item"}};
static const char *const fail_where[] = {"process", "flush", "create", NULL};
static const rm_param_spec_t fail_params[] = {
    {"fail_at", RM_PARAM_INT, 0, "0", 0, 0, NULL, "index of the bad item"},
    {"delay_ms", RM_PARAM_INT, 0, "0", 0, 0, NULL, "sleep before failing"},
    {"transient", RM_PARAM_BOOL, 0, "false", 0, 0, NULL, "transient error"},
    {"where", RM_PARAM_ENUM, 0, "\"process\"", 0, 0, fail_where,
     "which call fails"}};

#define TYPE(tname, caps, prm, nprm, ins, nins, create_fn, process_fn,       \
             generate_fn, flush_fn)                                          \
    {.struct_size = sizeof(rm_node_type_t), .name = tname,                  \
     .description = "test node", .version = "1.0.0", .capabilities = caps,  \
     .params = prm, .param_count = nprm, .input_count = nins,               \
     .inputs = ins, .outputs = out_any, .output_count = 1,                  \
     .create = create_fn, .process = process_fn, .generate = generate_fn,   \
     .flush = flush_fn, .destroy = node_destroy}

static const rm_node_type_t source_type =
    TYPE("TestSource", RM_CAP_SOURCE, source_params, 2, NULL, 0,
         source_create, NULL, source_generate, NULL);
static const rm_node_type_t sleep_type =
    TYPE("Sleep", 0, sleep_params, 2, in_any, 1, sleep_create, sleep_process,
         NULL, NULL);
static const rm_node_type_t tid_type =
    TYPE("ThreadId", 0, NULL, 0, in_any, 1, plain_create, tid_process, NULL,
         NULL);
static const rm_node_type_t fail_type =
    TYPE("Fail", RM_CAP_STATEFUL, fail_params, 4, in_any, 1, fail_create,
         fail_process, NULL, fail_flush);
static const rm_node_type_t tag_type =
    TYPE("Tag", 0, NULL, 0, in_ab, 2, plain_create, tag_process, NULL, NULL);
static const rm_node_type_t sum_type =
    TYPE("Sum", RM_CAP_STATEFUL, NULL, 0, in_any, 1, plain_create,
         sum_process, NULL, sum_flush);

static const rm_node_type_t parity_type = {
    .struct_size = sizeof(rm_node_type_t), .name = "Parity",
    .description = "test node", .version = "1.0.0", .input_count = 1,
    .inputs = in_any, .outputs = out_parity, .output_count = 2,
    .create = plain_create, .process = parity_process,
    .destroy = node_destroy};

static const rm_node_type_t ports_used_type = {
    .struct_size = sizeof(rm_node_type_t), .name = "PortsUsed",
    .description = "test node", .version = "1.0.0", .input_count = 1,
    .inputs = in_any, .outputs = out_three, .output_count = 3,
    .create = ports_used_create, .process = ports_used_process,
    .destroy = node_destroy};

static const rm_node_type_t *const types[] = {
    &source_type, &sleep_type, &tid_type, &fail_type, &tag_type, &sum_type,
    &parity_type, &ports_used_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.executor",
    .name = "executor test nodes",
    .version = "1.0.0",
    .description = "test-only node types for the executor tests",
    .node_types = types,
    .node_type_count = sizeof(types) / sizeof(types[0]),
};

RM_PLUGIN_DEFINE(descriptor)
