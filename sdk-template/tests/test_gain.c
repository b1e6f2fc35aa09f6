/*
 * test_gain.c — GainNode through the real (installed) runtime: open a
 * registry on the build's plugin directory only, compile a manifest, run
 * it on audio, check the samples. Each case is a function; main runs them
 * all (or the one named on the command line) and exits 1 on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <remotemedia/runtime.h>

static int failures;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                      \
            failures++;                                                    \
            return;                                                        \
        }                                                                  \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                              \
    do {                                                                   \
        double a_ = (a), b_ = (b);                                         \
        if (!(fabs(a_ - b_) <= (tol))) {                                   \
            fprintf(stderr, "%s:%d: %s = %.9g, expected %.9g (+-%g)\n",    \
                    __FILE__, __LINE__, #a, a_, b_, (double)(tol));        \
            failures++;                                                    \
            return;                                                        \
        }                                                                  \
    } while (0)

static rm_registry_t *registry;

/* Only our build directory: never the user's or the installed plugins. */
static void open_registry(void) {
    const char *dirs[] = {GAIN_PLUGIN_DIR};
    rm_registry_options_t options = {0};
    options.struct_size = sizeof(options);
    options.dirs = dirs;
    options.dir_count = 1;
    options.use_env = 0;
    options.use_default = 0;
    if (rm_registry_open(&options, &registry) != RM_OK) {
        fprintf(stderr, "cannot open the registry\n");
        exit(1);
    }
    for (size_t i = 0; i < rm_registry_failure_count(registry); i++) {
        const rm_load_failure_t *f = rm_registry_failure_at(registry, i);
        fprintf(stderr, "load failure: %s: %s\n", f->path, f->reason);
    }
    if (!rm_registry_find(registry, "GainNode")) {
        fprintf(stderr, "GainNode not found in %s\n", GAIN_PLUGIN_DIR);
        exit(1);
    }
}

/* A one-node pipeline: GainNode with `params` (a JSON object's text). */
static int compile_gain(const char *params, rm_pipeline_t **out,
                        rm_diag_t *diag) {
    char manifest[512];
    snprintf(manifest, sizeof(manifest),
             "{\"version\": \"v1\", \"nodes\": [{\"id\": \"gain\", "
             "\"node_type\": \"GainNode\", \"params\": %s}], "
             "\"connections\": []}",
             params);
    return rm_pipeline_compile(registry, manifest, strlen(manifest),
                               "<test>", diag, out);
}

static rm_item_t *f32_audio(const float *samples, uint64_t frames,
                            uint16_t channels) {
    rm_audio_format_t format = {48000, channels, RM_SAMPLE_F32,
                                RM_LAYOUT_INTERLEAVED, frames};
    rm_item_t *item = rm_item_new_audio(&format);
    if (item) memcpy(item->data, samples, item->size);
    return item;
}

static void test_gain_scales(void) {
    rm_pipeline_t *pipeline = NULL;
    CHECK(compile_gain("{\"gain_db\": 6.020599913}", &pipeline, NULL) == RM_OK);
    const float in[] = {0.1f, -0.2f, 0.3f, -0.4f, 0.0f, 0.25f};
    rm_item_t *input = f32_audio(in, 3, 2);
    CHECK(input != NULL);
    rm_run_result_t *result = NULL;
    int status = rm_pipeline_run(pipeline, NULL, &input, 1, &result);
    CHECK(status == RM_OK);
    CHECK(rm_run_result_sink_count(result) == 1);
    CHECK(rm_run_result_item_count(result, 0) == 1);
    const rm_item_t *output = rm_run_result_item(result, 0, 0);
    CHECK(output->kind == RM_KIND_AUDIO);
    CHECK(output->audio.frames == 3 && output->audio.channels == 2);
    CHECK(output->audio.sample_rate == 48000);
    const float *out = output->data;
    for (int i = 0; i < 6; i++) CHECK_NEAR(out[i], 2.0 * in[i], 1e-6);
    /* The input was shared (we still hold it): copy-on-write left it
     * untouched. */
    CHECK(output != input);
    for (int i = 0; i < 6; i++) CHECK(((float *)input->data)[i] == in[i]);
    rm_run_result_free(result);
    rm_item_unref(input);
    rm_pipeline_free(pipeline);
}

static void test_clip(void) {
    rm_pipeline_t *pipeline = NULL;
    CHECK(compile_gain("{\"gain_db\": 24, \"clip\": true}", &pipeline,
                       NULL) == RM_OK);
    const float in[] = {0.5f, -0.5f, 0.01f};
    rm_item_t *input = f32_audio(in, 3, 1);
    rm_run_result_t *result = NULL;
    CHECK(rm_pipeline_run(pipeline, NULL, &input, 1, &result) == RM_OK);
    const float *out = rm_run_result_item(result, 0, 0)->data;
    CHECK_NEAR(out[0], 1.0, 0);
    CHECK_NEAR(out[1], -1.0, 0);
    CHECK_NEAR(out[2], 0.01 * pow(10.0, 24.0 / 20.0), 1e-6);
    rm_run_result_free(result);
    rm_item_unref(input);
    rm_pipeline_free(pipeline);
}

static void test_param_out_of_range_is_rejected_before_running(void) {
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *pipeline = NULL;
    int status = compile_gain("{\"gain_db\": 30}", &pipeline, diag);
    CHECK(status == RM_EVALIDATE);
    CHECK(pipeline == NULL);
    CHECK(strstr(rm_diag_text(diag), "gain_db") != NULL);
    rm_diag_free(diag);
}

static void test_wrong_format_is_a_permanent_error(void) {
    rm_pipeline_t *pipeline = NULL;
    CHECK(compile_gain("{}", &pipeline, NULL) == RM_OK);
    rm_audio_format_t format = {16000, 1, RM_SAMPLE_I16,
                                RM_LAYOUT_INTERLEAVED, 4};
    rm_item_t *input = rm_item_new_audio(&format);
    memset(input->data, 0, input->size);
    rm_run_result_t *result = NULL;
    CHECK(rm_pipeline_run(pipeline, NULL, &input, 1, &result) == RM_EKIND);
    const rm_run_error_t *error = rm_run_result_error(result);
    CHECK(error != NULL);
    CHECK(!error->transient);
    CHECK(strcmp(error->node_id, "gain") == 0);
    CHECK(strstr(error->message, "f32") != NULL);
    rm_run_result_free(result);
    rm_item_unref(input);
    rm_pipeline_free(pipeline);
}

static void test_fail_every_is_transient(void) {
    rm_pipeline_t *pipeline = NULL;
    /* Every call fails, so retries (if the pipeline has any) cannot
     * succeed: the run fails, and says the failure was transient. */
    CHECK(compile_gain("{\"fail_every\": 1}", &pipeline, NULL) == RM_OK);
    const float in[] = {0.5f};
    rm_item_t *input = f32_audio(in, 1, 1);
    rm_run_result_t *result = NULL;
    CHECK(rm_pipeline_run(pipeline, NULL, &input, 1, &result) == RM_EAGAIN);
    const rm_run_error_t *error = rm_run_result_error(result);
    CHECK(error != NULL);
    CHECK(error->transient);
    CHECK(strstr(error->message, "transient") != NULL);
    rm_run_result_free(result);
    rm_item_unref(input);
    rm_pipeline_free(pipeline);
}

static const struct {
    const char *name;
    void (*fn)(void);
} cases[] = {
    {"gain_scales", test_gain_scales},
    {"clip", test_clip},
    {"param_out_of_range", test_param_out_of_range_is_rejected_before_running},
    {"wrong_format", test_wrong_format_is_a_permanent_error},
    {"fail_every", test_fail_every_is_transient},
};

int main(int argc, char **argv) {
    open_registry();
    int ran = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0) continue;
        int before = failures;
        cases[i].fn();
        printf("%s %s\n", failures == before ? "ok  " : "FAIL", cases[i].name);
        ran++;
    }
    rm_registry_close(registry);
    if (!ran) {
        fprintf(stderr, "no case named '%s'\n", argc > 1 ? argv[1] : "");
        return 2;
    }
    return failures ? 1 : 0;
}
