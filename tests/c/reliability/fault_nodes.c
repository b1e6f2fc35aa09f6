/*
 * fault_nodes.c — a fault-injection node type for the reliability tests
 * (test-only plugin directory, never installed).
 *
 *   Fault(mode, fail_times, fail_from, hang_ms, rate, seed, report, marker)
 *
 * mode:
 *   "pass"       emit the input (or a report, see below)
 *   "transient"  from item `fail_from` on, each item's call fails with a
 *                transient RM_EAGAIN `fail_times` times, then succeeds
 *   "permanent"  item `fail_from` fails with a permanent RM_EINVAL
 *   "random"     each call fails transiently with probability `rate`
 *                (seeded xorshift: the same seed fails the same calls)
 *   "hang"       every call sleeps `hang_ms`, then succeeds
 *   "hang_once"  the first call in the process sleeps `hang_ms`
 *   "crash"      the call dies of SIGSEGV (run it in a forked child)
 *   "wrong_kind" emits an audio item on the JSON-only output port
 *   "null_item"  emits NULL, and returns RM_OK regardless
 * report: emit {"v": input, "attempts": n, "at_ms": [...], "t_ms": now}
 *   instead of the input: n calls for this item, their start times in ms
 *   relative to the first (back-off delays), and the success time.
 * marker: a file to which destroy appends "destroyed\n" (deferred destroy
 *   of an instance whose call timed out), and a hang mode's call "hang\n"
 *   before it sleeps (a test can wait until workers are busy).
 *
 * The type is stateless for the executor (instances are reused across
 * runs), so counters continue across the runs of one compiled pipeline —
 * which is what the circuit-breaker tests need.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <remotemedia/plugin.h>

#define FAULT_MAX_ATTEMPTS 64

typedef struct fault {
    const rm_host_t *host;
    char mode[16];
    int64_t fail_times, fail_from, hang_ms, seed;
    double rate;
    int report;
    char marker[256];
    int64_t items_done;      /* successful calls                          */
    int64_t failed_here;     /* failed calls for the current item         */
    uint64_t at_ns[FAULT_MAX_ATTEMPTS];
    uint64_t rng;
} fault_t;

static atomic_int hang_once_used;

static void sleep_ms(int64_t ms) {
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static double uniform(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

static int fault_create(const rm_host_t *host, const rm_params_t *params,
                        void **instance, rm_error_t *err) {
    fault_t *f = host->alloc(host, sizeof(*f));
    if (!f) return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    memset(f, 0, sizeof(*f));
    f->host = host;
    const char *text = "pass";
    host->param_string(params, "mode", &text);
    snprintf(f->mode, sizeof(f->mode), "%s", text);
    host->param_int(params, "fail_times", &f->fail_times);
    host->param_int(params, "fail_from", &f->fail_from);
    host->param_int(params, "hang_ms", &f->hang_ms);
    host->param_int(params, "seed", &f->seed);
    host->param_float(params, "rate", &f->rate);
    host->param_bool(params, "report", &f->report);
    text = "";
    host->param_string(params, "marker", &text);
    snprintf(f->marker, sizeof(f->marker), "%s", text);
    f->rng = (uint64_t)f->seed * 0x9E3779B97F4A7C15ull + 1;
    *instance = f;
    return RM_OK;
}

static void note_marker(const fault_t *f, const char *line) {
    if (!f->marker[0]) return;
    FILE *file = fopen(f->marker, "a");
    if (file) {
        fputs(line, file);
        fclose(file);
    }
}

static void fault_destroy(void *instance) {
    fault_t *f = instance;
    if (!f) return;
    note_marker(f, "destroyed\n");
    f->host->free(f->host, f);
}

static int emit_success(fault_t *f, rm_item_t *item, rm_emit_t *out) {
    int64_t attempts = f->failed_here + 1;
    f->failed_here = 0;
    f->items_done++;
    if (!f->report) return f->host->emit(out, 0, f->host->item_ref(item));
    char text[2048];
    size_t len = (size_t)snprintf(text, sizeof(text), "{\"v\":%s,\"attempts\":%lld,\"at_ms\":[",
                                  item->kind == RM_KIND_JSON && item->size
                                      ? (const char *)item->data
                                      : "null",
                                  (long long)attempts);
    for (int64_t i = 0; i < attempts && i < FAULT_MAX_ATTEMPTS; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%.3f",
                                i ? "," : "",
                                (double)(f->at_ns[i] - f->at_ns[0]) / 1e6);
    len += (size_t)snprintf(text + len, sizeof(text) - len, "],\"t_ms\":%.3f}",
                            (double)f->host->now_ns(f->host) / 1e6);
    rm_item_t *report = f->host->item_new_json(f->host, text, len);
    if (!report) return RM_ENOMEM;
    return f->host->emit(out, 0, report);
}

static int fault_process(void *instance, uint32_t port, rm_item_t *item,
                         rm_emit_t *out, rm_error_t *err) {
    (void)port;
    fault_t *f = instance;
    if (f->failed_here < FAULT_MAX_ATTEMPTS)
        f->at_ns[f->failed_here] = f->host->now_ns(f->host);
    const char *mode = f->mode;
    if (strcmp(mode, "transient") == 0 && f->items_done >= f->fail_from &&
        f->failed_here < f->fail_times) {
        f->failed_here++;
        return f->host->error_set(err, RM_EAGAIN, 1,
                                  "injected transient failure %lld of item %lld",
                                  (long long)f->failed_here,
                                  (long long)f->items_done);
    }
    if (strcmp(mode, "permanent") == 0 && f->items_done >= f->fail_from) {
        f->failed_here++;
        return f->host->error_set(err, RM_EINVAL, 0,
                                  "injected permanent failure at item %lld",
                                  (long long)f->items_done);
    }
    if (strcmp(mode, "random") == 0 && uniform(&f->rng) < f->rate) {
        f->failed_here++;
        return f->host->error_set(err, RM_EAGAIN, 1,
                                  "injected random transient failure");
    }
    if (strcmp(mode, "hang") == 0) {
        note_marker(f, "hang\n");
        sleep_ms(f->hang_ms);
    }
    if (strcmp(mode, "hang_once") == 0 &&
        atomic_exchange(&hang_once_used, 1) == 0)
        sleep_ms(f->hang_ms);
    if (strcmp(mode, "crash") == 0) raise(SIGSEGV); /* a plugin bug */
    if (strcmp(mode, "wrong_kind") == 0) {
        rm_audio_format_t format = {16000, 1, RM_SAMPLE_F32,
                                    RM_LAYOUT_INTERLEAVED, 4};
        rm_item_t *audio = f->host->item_new_audio(f->host, &format);
        if (!audio) return RM_ENOMEM;
        return f->host->emit(out, 0, audio);
    }
    if (strcmp(mode, "null_item") == 0) {
        f->host->emit(out, 0, NULL);
        return RM_OK;
    }
    return emit_success(f, item, out);
}

static const rm_param_spec_t fault_params[] = {
    {"mode", RM_PARAM_STRING, 0, "\"pass\"", 0, 0, NULL, "what to do"},
    {"fail_times", RM_PARAM_INT, 0, "1000000", 0, 0, NULL,
     "failing calls per item (transient)"},
    {"fail_from", RM_PARAM_INT, 0, "0", 0, 0, NULL,
     "first item that fails"},
    {"hang_ms", RM_PARAM_INT, 0, "2000", 0, 0, NULL, "sleep (hang modes)"},
    {"seed", RM_PARAM_INT, 0, "1", 0, 0, NULL, "random mode's seed"},
    {"rate", RM_PARAM_FLOAT, 0, "0", 0, 0, NULL, "random mode's rate"},
    {"report", RM_PARAM_BOOL, 0, "false", 0, 0, NULL,
     "emit attempts and times"},
    {"marker", RM_PARAM_STRING, 0, "\"\"", 0, 0, NULL,
     "file destroy appends to"},
};

static const rm_port_spec_t fault_in[] = {{"in", RM_KINDS_ANY, "anything"}};
static const rm_port_spec_t fault_out[] = {
    {"out", RM_KIND_BIT(RM_KIND_JSON), "the input or a report (JSON only)"}};

static const rm_node_type_t fault_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "Fault",
    .description = "Injects failures (test plugin)",
    .version = "1.0.0",
    .capabilities = 0,
    .params = fault_params,
    .param_count = (uint32_t)(sizeof(fault_params) / sizeof(fault_params[0])),
    .input_count = 1,
    .inputs = fault_in,
    .outputs = fault_out,
    .output_count = 1,
    .create = fault_create,
    .process = fault_process,
    .destroy = fault_destroy,
};

static const rm_node_type_t *const fault_types[] = {&fault_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.fault",
    .name = "fault injection",
    .version = "1.0.0",
    .description = "nodes that fail on purpose (reliability tests)",
    .node_types = fault_types,
    .node_type_count = 1,
};

RM_PLUGIN_DEFINE(descriptor)
