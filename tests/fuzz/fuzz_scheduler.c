/*
 * fuzz_scheduler.c — libFuzzer target: the scheduler's retry, timeout,
 * skip, budget and cancellation machinery under random fault schedules
 * (#21.8), through the real runtime and the test Fault plugin (built with
 * coverage into its own directory: its "crash" mode is never chosen).
 *
 * The input is read as a little program:
 *   byte        node count (1..6)
 *   per node    a mode (pass, transient, random, permanent, hang of 0-2 ms)
 *               and its numbers; retry max_retries 0..3 with a 0 or 1 ms
 *               back-off; timeout_ms none or 1..3; on_error fail/skip;
 *               one or two upstream nodes among the earlier ones
 *   byte        exec policy, input count (0..40), a small item budget or
 *               none, and whether to run it through a session that is
 *               closed (cancelled) after a fuzzed number of pushes
 * Properties: no crash, hang, leak or UB; a failed run names one of its
 * nodes and says why; first_unprocessed is within the inputs; a cancelled
 * session reports RM_ECANCELED or its failure; a run whose nodes all pass,
 * untimed, with on_error fail never fails, short of its budget.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <remotemedia/runtime.h>
#include <remotemedia/session.h>

typedef struct reader {
    const uint8_t *data;
    size_t size, at;
} reader_t;

static uint8_t next_u8(reader_t *r) {
    return r->at < r->size ? r->data[r->at++] : 0;
}

static rm_registry_t *registry;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    static const char *const dirs[] = {RM_FUZZ_FAULT_PLUGIN_DIR};
    rm_registry_options_t options = {sizeof(options), dirs, 1, 0, 0, NULL, 0};
    if (rm_registry_open(&options, &registry) != RM_OK) abort();
    if (!rm_registry_find(registry, "Fault")) abort();
    return 0;
}

typedef struct text {
    char s[8192];
    size_t n;
} text_t;

static void add(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text_t *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t->s + t->n, sizeof(t->s) - t->n, fmt, ap);
    va_end(ap);
    if (k > 0) t->n += (size_t)k < sizeof(t->s) - t->n ? (size_t)k : 0;
}

/* Returns 1 when every node just passes its items with on_error fail. */
static int build_manifest(reader_t *r, text_t *t, size_t *count_out) {
    static const char *const modes[] = {"pass", "transient", "random",
                                        "permanent", "hang"};
    size_t count = 1 + next_u8(r) % 6;
    int all_pass = 1;
    add(t, "{\"version\":\"v1\",\"nodes\":[");
    for (size_t i = 0; i < count; i++) {
        uint8_t m = next_u8(r) % 5, a = next_u8(r), b = next_u8(r);
        uint8_t policy = next_u8(r);
        int skip = policy & 1, timeout = (policy >> 1) % 4;
        /* A 1-3 ms timeout can fire on a busy machine even for "pass"
         * (it covers the wait for a worker): only untimed runs must pass. */
        if (m != 0 || skip || timeout) all_pass = 0;
        add(t, "%s{\"id\":\"n%zu\",\"node_type\":\"Fault\",\"params\":"
               "{\"mode\":\"%s\",\"fail_times\":%u,\"fail_from\":%u,"
               "\"rate\":%.3f,\"seed\":%u,\"hang_ms\":%u},"
               "\"retry\":{\"max_retries\":%u,\"initial_delay_ms\":%u},"
               "\"on_error\":\"%s\"",
            i ? "," : "", i, modes[m], a % 4, b % 8, (a % 128) / 255.0,
            b + 1u, (unsigned)(a % 3), (policy >> 3) % 4,
            (policy >> 5) & 1, skip ? "skip" : "fail");
        if (timeout) add(t, ",\"timeout_ms\":%d", timeout);
        add(t, "}");
    }
    add(t, "],\"connections\":[");
    int first = 1;
    for (size_t i = 1; i < count; i++) {
        uint8_t c = next_u8(r);
        size_t from = c % i;
        add(t, "%s{\"from\":\"n%zu\",\"to\":\"n%zu\"}", first ? "" : ",",
            from, i);
        first = 0;
        size_t second = (c >> 4) % i;
        if ((c & 8) && second != from)
            add(t, ",{\"from\":\"n%zu\",\"to\":\"n%zu\"}", second, i);
    }
    add(t, "]}");
    *count_out = count;
    return all_pass;
}

static void check_error(const rm_run_error_t *e, size_t count) {
    if (!e || !e->message || !*e->message) abort();
    if (!e->node_id) return; /* a failure of the run, not of a node */
    if (e->node_id[0] != 'n' || (size_t)atoi(e->node_id + 1) >= count)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader_t r = {data, size, 0};
    text_t t = {{0}, 0};
    size_t count = 0;
    int all_pass = build_manifest(&r, &t, &count);
    uint8_t how = next_u8(&r);
    size_t inputs = next_u8(&r) % 41;
    uint8_t budget = next_u8(&r);
    uint8_t cancel_after = next_u8(&r);
    if (getenv("RM_FUZZ_VERBOSE")) fprintf(stderr, "%s\n", t.s);

    rm_pipeline_t *p = NULL;
    if (rm_pipeline_compile(registry, t.s, t.n, "<fuzz>", NULL, &p) != RM_OK)
        abort(); /* the manifest is always valid */
    rm_run_options_t options = {sizeof(options), 1 + how % 4,
                                (uint32_t)((how >> 2) % 3), 0,
                                (budget & 1) ? 1 + budget / 8 : 0, 0};
    rm_item_t **items = calloc(inputs ? inputs : 1, sizeof(*items));
    for (size_t i = 0; i < inputs; i++) {
        char number[16];
        int len = snprintf(number, sizeof(number), "%zu", i);
        items[i] = rm_item_new_json(number, (size_t)len);
        if (!items[i]) abort();
    }
    rm_run_result_t *result = NULL;
    int status;
    if (how & 0x20) {
        /* A session closed (cancelled) after some pushes. */
        rm_session_t *s = NULL;
        if (rm_session_open(p, &options, &s) != RM_OK) abort();
        size_t pushes = cancel_after % (inputs + 1);
        for (size_t i = 0; i < pushes; i++) {
            if (rm_session_push(s, RM_SESSION_ALL_ENTRIES, 0, items[i], 0) !=
                RM_OK)
                break;
            rm_session_output_t out;
            while (rm_session_next(s, &out)) rm_item_unref(out.item);
        }
        if (how & 0x40) {
            rm_session_end(s);
            rm_session_poll(s, RM_POLL_WAIT);
            rm_session_output_t out;
            while (rm_session_next(s, &out)) rm_item_unref(out.item);
        }
        status = rm_session_close(s, &result);
        if (status != RM_OK) {
            check_error(rm_run_result_error(result), count);
            if (!(how & 0x40) && status != RM_ECANCELED &&
                !rm_run_result_error(result)->node_id)
                abort();
        }
    } else {
        status = rm_pipeline_run(p, &options, items, inputs, &result);
        if (!result) abort();
        if (status != RM_OK) {
            check_error(rm_run_result_error(result), count);
            if (rm_run_result_first_unprocessed(result) > inputs) abort();
            if (all_pass && status != RM_EBUDGET) abort();
        }
    }
    rm_run_result_free(result);
    for (size_t i = 0; i < inputs; i++) rm_item_unref(items[i]);
    free(items);
    rm_pipeline_free(p);
    return 0;
}
