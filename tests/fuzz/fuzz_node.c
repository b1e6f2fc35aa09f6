/*
 * fuzz_node.c — libFuzzer target: every node type of the native plugins
 * (math, audio-format, resample, vad; built with coverage into the fuzz
 * plugin directory) with fuzzed params and fuzzed input items, through the
 * real runtime (validation, create, process, flush, destroy).
 *
 * The input is read as a little program:
 *   byte        which node type (modulo the count)
 *   per param   a choice: default / min / max / fuzzed number / fuzzed int
 *               / an enum value / a string / a bool / null
 *   byte        how many items (1..4), then per item:
 *               audio (odd frame counts, every sample format and layout,
 *               NaN/Inf/denormal samples, absurd rates and channel counts —
 *               through rm_item_new_audio, or rm_item_wrap whose fields the
 *               caller fills, as the Python bridge does) or JSON text.
 * Properties: no crash, leak or UB; a failed run names its node; a run
 * never reports success for a pipeline whose compile failed.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <remotemedia/runtime.h>

typedef struct reader {
    const uint8_t *data;
    size_t size, at;
} reader_t;

static uint8_t next_u8(reader_t *r) {
    return r->at < r->size ? r->data[r->at++] : 0;
}

static uint32_t next_u32(reader_t *r) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = v << 8 | next_u8(r);
    return v;
}

static double next_f64(reader_t *r) {
    uint64_t bits = (uint64_t)next_u32(r) << 32 | next_u32(r);
    double v;
    memcpy(&v, &bits, sizeof(v));
    return v;
}

static rm_registry_t *registry;
static const rm_node_type_t **types;
static size_t type_count;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    static const char *const dirs[] = {RM_FUZZ_PLUGIN_DIR};
    rm_registry_options_t options = {sizeof(options), dirs, 1, 0, 0, NULL, 0};
    if (rm_registry_open(&options, &registry) != RM_OK) abort();
    type_count = rm_registry_count(registry);
    types = calloc(type_count ? type_count : 1, sizeof(*types));
    for (size_t i = 0; i < type_count; i++)
        types[i] = rm_registry_at(registry, i)->type;
    if (!type_count) abort();
    return 0;
}

typedef struct text {
    char buf[8192];
    size_t len;
} text_t;

static void add(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text_t *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
    va_end(ap);
    if (n > 0) t->len += (size_t)n;
    if (t->len >= sizeof(t->buf)) t->len = sizeof(t->buf) - 1;
}

static void add_number(text_t *t, double v) {
    if (isfinite(v)) add(t, "%.17g", v);
    else add(t, "0"); /* JSON has no NaN/Inf; the validator sees text */
}

static void add_param(text_t *t, reader_t *r, const rm_param_spec_t *spec,
                      int *first) {
    uint8_t choice = next_u8(r) % 9;
    if (choice == 0) return; /* default */
    add(t, "%s\"%s\":", *first ? "" : ",", spec->name);
    *first = 0;
    switch (choice) {
    case 1: add_number(t, spec->min); break;
    case 2: add_number(t, spec->max); break;
    case 3: add_number(t, next_f64(r)); break;
    case 4: add(t, "%d", (int32_t)next_u32(r)); break;
    case 5: {
        size_t n = 0;
        while (spec->enum_values && spec->enum_values[n]) n++;
        if (n) add(t, "\"%s\"", spec->enum_values[next_u8(r) % n]);
        else add(t, "\"x\"");
        break;
    }
    case 6: add(t, "\"%c\"", 'a' + next_u8(r) % 26); break;
    case 7: add(t, next_u8(r) & 1 ? "true" : "false"); break;
    default: add(t, "null"); break;
    }
}

static const uint32_t rates[] = {0, 1, 7, 8000, 16000, 22050, 44100,
                                 48000, 96000, 192000, 384000, 768000};
static const uint16_t channel_counts[] = {0, 1, 2, 3, 6, 8, 64, 255, 1024,
                                          65535};

static void fill_samples(reader_t *r, uint8_t *data, size_t bytes,
                         uint8_t sample_format) {
    uint8_t special = next_u8(r);
    for (size_t i = 0; i < bytes; i++) data[i] = next_u8(r);
    if (sample_format == RM_SAMPLE_F32 && bytes >= sizeof(float)) {
        float *f = (float *)data;
        size_t n = bytes / sizeof(float);
        if (special & 1) f[special % n] = NAN;
        if (special & 2) f[(special * 7u) % n] = INFINITY;
        if (special & 4) f[(special * 13u) % n] = -INFINITY;
        if (special & 8) f[(special * 3u) % n] = 1e-42f;
    } else if (sample_format == RM_SAMPLE_F64 && bytes >= sizeof(double)) {
        double *d = (double *)data;
        size_t n = bytes / sizeof(double);
        if (special & 1) d[special % n] = NAN;
        if (special & 2) d[(special * 7u) % n] = INFINITY;
    }
}

static void release_buffer(void *user_data, void *data) {
    (void)user_data;
    free(data);
}

static rm_item_t *make_item(reader_t *r) {
    uint8_t kind = next_u8(r) % 4;
    if (kind == 3) {
        static const char *const texts[] = {"0", "1.5", "[1,2,3]", "\"s\"",
                                            "null", "{}", "[[1],[2]]",
                                            "1e308", "[]", "true"};
        uint8_t pick = next_u8(r);
        if (pick < 200) {
            const char *text = texts[pick % 10];
            return rm_item_new_json(text, strlen(text));
        }
        size_t len = next_u8(r) % 64;
        char buf[64];
        for (size_t i = 0; i < len; i++) buf[i] = (char)next_u8(r);
        return rm_item_new_json(buf, len);
    }
    rm_audio_format_t format;
    memset(&format, 0, sizeof(format));
    uint8_t pick = next_u8(r);
    format.sample_rate = pick < 240 ? rates[pick % 12] : next_u32(r);
    pick = next_u8(r);
    format.channels = pick < 240 ? channel_counts[pick % 10]
                                 : (uint16_t)next_u32(r);
    format.sample_format = (uint8_t)(next_u8(r) % 6);
    format.layout = (uint8_t)(next_u8(r) % 3);
    format.frames = next_u8(r) < 250 ? next_u32(r) % 2049 : next_u32(r);
    size_t bytes = 0;
    if (kind == 0 && rm_audio_format_check(&format, &bytes) == RM_OK &&
        bytes <= (1u << 20)) {
        rm_item_t *item = rm_item_new_audio(&format);
        if (item) fill_samples(r, item->data, item->size, format.sample_format);
        return item;
    }
    /* A wrapped buffer whose audio fields the caller fills (the bridge's
     * path for numpy arrays): any values, and a size that may not match. */
    size_t size = next_u8(r) < 200 ? bytes : next_u32(r) % 65536;
    if (size > (1u << 20)) size = next_u32(r) % 65536;
    uint8_t *buffer = malloc(size ? size : 1);
    if (!buffer) return NULL;
    fill_samples(r, buffer, size, format.sample_format);
    rm_item_t *item = rm_item_wrap(RM_KIND_AUDIO, buffer, size, 0,
                                   release_buffer, NULL);
    if (!item) {
        free(buffer);
        return NULL;
    }
    item->audio = format;
    return item;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader_t r = {data, size, 0};
    const rm_node_type_t *type = types[next_u8(&r) % type_count];
    if (type->capabilities & RM_CAP_SOURCE) return 0; /* no file sources */
    text_t manifest = {{0}, 0};
    add(&manifest, "{\"version\":\"v1\",\"nodes\":[{\"id\":\"n\","
                   "\"node_type\":\"%s\",\"params\":{", type->name);
    int first = 1;
    for (uint32_t i = 0; i < type->param_count; i++)
        add_param(&manifest, &r, &type->params[i], &first);
    add(&manifest, "}}]}");

    rm_pipeline_t *pipeline = NULL;
    if (rm_pipeline_compile(registry, manifest.buf, manifest.len, "<fuzz>",
                            NULL, &pipeline) != RM_OK) {
        if (pipeline) abort();
        return 0;
    }
    rm_item_t *items[4] = {NULL};
    size_t count = 1 + next_u8(&r) % 4, made = 0;
    for (size_t i = 0; i < count; i++) {
        rm_item_t *item = make_item(&r);
        if (item) items[made++] = item;
    }
    if (getenv("RM_FUZZ_VERBOSE")) { /* to read a finding */
        fprintf(stderr, "manifest: %s\n", manifest.buf);
        for (size_t i = 0; i < made; i++)
            fprintf(stderr, "item %zu: kind %u size %zu rate %u ch %u fmt %u "
                    "layout %u frames %llu\n", i, items[i]->kind,
                    items[i]->size, items[i]->audio.sample_rate,
                    items[i]->audio.channels, items[i]->audio.sample_format,
                    items[i]->audio.layout,
                    (unsigned long long)items[i]->audio.frames);
    }
    rm_run_options_t options = {sizeof(options), 0, RM_EXEC_INLINE, 0};
    rm_run_result_t *result = NULL;
    int status = rm_pipeline_run(pipeline, &options, items, made, &result);
    if (result) {
        const rm_run_error_t *e = rm_run_result_error(result);
        if ((status == RM_OK) != (e == NULL)) abort();
        /* A node's failure names it; a rejected input names the run. */
        if (e && (!e->message || (!e->node_id &&
                                  strcmp(e->operation, "run") != 0)))
            abort();
        if (rm_run_result_first_unprocessed(result) > made) abort();
        rm_run_result_free(result);
    }
    for (size_t i = 0; i < made; i++) rm_item_unref(items[i]);
    rm_pipeline_free(pipeline);
    return 0;
}
