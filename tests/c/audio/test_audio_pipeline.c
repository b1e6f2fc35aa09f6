/*
 * test_audio_pipeline.c — the audio plugins loaded by the real runtime
 * (registry, executor, host items): a file → convert → resample → sink /
 * segmenter pipeline, a one-shot resample, and errors naming the node.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <remotemedia/runtime.h>

#include "rm_test.h"
#include "rm_test_runtime.h"

static rm_registry_t *audio_registry(void) {
    static const char *const dirs[] = {RM_TEST_PLUGIN_DIR};
    rm_registry_options_t options = {sizeof(options), dirs, 1, 0, 0, NULL, 0};
    rm_registry_t *registry = NULL;
    ASSERT_EQ_INT(rm_registry_open(&options, &registry), RM_OK);
    const char *types[] = {"FormatConverterNode", "AudioResampleNode",
                           "VADNode", "VoiceActivityDetector",
                           "SpeechSegmenter", "AudioFileSource",
                           "AudioFileSink"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!rm_registry_find(registry, types[i]))
            RM__FAIL("node type %s not registered", types[i]);
    return registry;
}

static size_t sink_index(rm_run_result_t *r, const char *id) {
    for (size_t s = 0; s < rm_run_result_sink_count(r); s++)
        if (strcmp(rm_run_result_sink_id(r, s), id) == 0) return s;
    RM__FAIL("no sink %s", id);
}

RM_TEST(file_convert_resample_sink_and_segmenter) {
    char dir[] = "/tmp/rm-audio-pipe-XXXXXX";
    ASSERT_NOT_NULL(mkdtemp(dir));
    char in_path[128], out_path[128];
    snprintf(in_path, sizeof in_path, "%s/in.wav", dir);
    snprintf(out_path, sizeof out_path, "%s/out.flac", dir);
    /* 3 s stereo 48 kHz: a voiced-like tone from 1.0 to 2.0 s */
    SF_INFO info = {.samplerate = 48000, .channels = 2,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(in_path, SFM_WRITE, &info);
    ASSERT_NOT_NULL(f);
    static float frames[48000 * 3 * 2];
    uint32_t seed = 1;
    for (size_t i = 0; i < 48000 * 3; i++) {
        seed = seed * 1664525u + 1013904223u;
        double v = 0.002 * ((double)seed / 4294967296.0 - 0.5);
        if (i >= 48000 && i < 96000)
            for (int h = 1; h <= 15; h++)
                v += 0.1 * sin(2 * 3.14159265 * 150 * h * (double)i / 48000) / h;
        frames[2 * i] = frames[2 * i + 1] = (float)v;
    }
    ASSERT_EQ_INT(sf_writef_float(f, frames, 48000 * 3), 48000 * 3);
    sf_close(f);

    char manifest[2048];
    snprintf(manifest, sizeof manifest,
             "{\"version\": \"v1\", \"metadata\": {\"name\": \"audio\"},"
             " \"nodes\": ["
             "  {\"id\": \"read\", \"node_type\": \"AudioFileSource\","
             "   \"params\": {\"path\": \"%s\", \"chunk_seconds\": 0.25}},"
             "  {\"id\": \"mono\", \"node_type\": \"FormatConverterNode\","
             "   \"params\": {\"channels\": 1}},"
             "  {\"id\": \"resample\", \"node_type\": \"AudioResampleNode\","
             "   \"params\": {\"target_sample_rate\": 16000}},"
             "  {\"id\": \"write\", \"node_type\": \"AudioFileSink\","
             "   \"params\": {\"path\": \"%s\"}},"
             "  {\"id\": \"segments\", \"node_type\": \"SpeechSegmenter\"}"
             " ],"
             " \"connections\": ["
             "  {\"from\": \"read\", \"to\": \"mono\"},"
             "  {\"from\": \"mono\", \"to\": \"resample\"},"
             "  {\"from\": \"resample\", \"to\": \"write\"},"
             "  {\"from\": \"resample\", \"to\": \"segments\"}"
             " ]}",
             in_path, out_path);
    rm_registry_t *registry = audio_registry();
    rm_pipeline_t *p = rm_test_compile(registry, manifest);
    rm_run_result_t *r = NULL;
    int status = rm_pipeline_run(p, NULL, NULL, 0, &r);
    if (status != RM_OK)
        RM__FAIL("run: %s", rm_run_result_error(r)->message);
    size_t write = sink_index(r, "write"), seg = sink_index(r, "segments");
    ASSERT_EQ_INT(rm_run_result_item_count(r, write), 1);
    cJSON *j = cJSON_Parse(rm_run_result_item(r, write, 0)->data);
    ASSERT_EQ_INT(cJSON_GetObjectItem(j, "frames")->valuedouble, 16000 * 3);
    ASSERT_EQ_INT(cJSON_GetObjectItem(j, "channels")->valuedouble, 1);
    ASSERT_EQ_INT(cJSON_GetObjectItem(j, "sample_rate")->valuedouble, 16000);
    cJSON_Delete(j);
    struct stat st;
    ASSERT_EQ_INT(stat(out_path, &st), 0);
    size_t n = rm_run_result_item_count(r, seg);
    ASSERT_TRUE(n >= 2);
    cJSON *final = cJSON_Parse(rm_run_result_item(r, seg, n - 1)->data);
    ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(final, "final")));
    cJSON *segments = cJSON_GetObjectItem(final, "segments");
    ASSERT_EQ_INT(cJSON_GetArraySize(segments), 1);
    ASSERT_NEAR(cJSON_GetArrayItem(cJSON_GetArrayItem(segments, 0), 0)->valuedouble,
                0.9, 0.15);
    ASSERT_NEAR(cJSON_GetArrayItem(cJSON_GetArrayItem(segments, 0), 1)->valuedouble,
                2.1, 0.4);
    cJSON_Delete(final);
    rm_run_result_free(r);
    rm_pipeline_free(p);
    rm_registry_close(registry);
    unlink(in_path);
    unlink(out_path);
    rmdir(dir);
}

/* Items out of `node` when 10 x 30 ms of 16 kHz noise run through
 * `nodes_json` (a node list) wired by `connections_json`. */
static uint64_t items_out_of(rm_registry_t *registry, const char *nodes_json,
                             const char *connections_json, const char *node) {
    char manifest[1024];
    snprintf(manifest, sizeof manifest,
             "{\"version\": \"v1\", \"nodes\": [%s], \"connections\": [%s]}",
             nodes_json, connections_json);
    rm_pipeline_t *p = rm_test_compile(registry, manifest);
    rm_item_t *in[10];
    rm_audio_format_t format = {16000, 1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR, 480};
    uint32_t seed = 3;
    for (int i = 0; i < 10; i++) {
        in[i] = rm_item_new_audio(&format);
        ASSERT_NOT_NULL(in[i]);
        float *x = in[i]->data;
        for (int k = 0; k < 480; k++) {
            seed = seed * 1664525u + 1013904223u;
            x[k] = 0.001f * ((float)seed / 4294967296.0f - 0.5f);
        }
    }
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(p, NULL, in, 10, &r), RM_OK);
    uint64_t count = UINT64_MAX;
    for (size_t i = 0; i < rm_run_result_node_count(r); i++)
        if (strcmp(rm_run_result_node_stats(r, i)->node_id, node) == 0)
            count = rm_run_result_node_stats(r, i)->items_out;
    ASSERT_TRUE(count != UINT64_MAX);
    rm_run_result_free(r);
    for (int i = 0; i < 10; i++) rm_item_unref(in[i]);
    rm_pipeline_free(p);
    return count;
}

/* The VADs' and the segmenter's JSON side outputs are made only when
 * something takes them (the host's output-use extension): a sink's every
 * port counts, a middle node's unconnected port does not. */
RM_TEST(json_side_outputs_only_when_taken) {
    rm_registry_t *registry = audio_registry();
    /* VADNode: the audio on port 0 and a JSON item on port 1 per chunk */
    ASSERT_EQ_INT(items_out_of(registry,
                               "{\"id\": \"vad\", \"node_type\": \"VADNode\"}",
                               "", "vad"), 20);
    ASSERT_EQ_INT(items_out_of(registry,
                               "{\"id\": \"vad\", \"node_type\": \"VADNode\"},"
                               "{\"id\": \"next\", \"node_type\": \"FormatConverterNode\"}",
                               "{\"from\": \"vad\", \"to\": \"next\"}", "vad"),
                  10);
    /* SpeechSegmenter: per chunk JSON on port 0 (10 of them) and the
     * flush's final JSON, and any segment audio on port 1 */
    const char *seg = "{\"id\": \"seg\", \"node_type\": \"SpeechSegmenter\","
                      " \"params\": {\"emit_audio\": true}}";
    uint64_t all = items_out_of(registry, seg, "", "seg");
    char nodes[512];
    snprintf(nodes, sizeof nodes,
             "%s, {\"id\": \"next\", \"node_type\": \"FormatConverterNode\"}",
             seg);
    uint64_t audio_only = items_out_of(
        registry, nodes, "{\"from\": \"seg\", \"from_port\": 1, \"to\": \"next\"}",
        "seg");
    /* the 10 per-chunk lists and the flush's final one: none made when
     * port 0 is not taken */
    ASSERT_EQ_INT(all - audio_only, 11);
    rm_registry_close(registry);
}

RM_TEST(one_shot_resample_is_one_exact_item) {
    rm_registry_t *registry = audio_registry();
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\": \"v1\", \"metadata\": {\"name\": \"rs\"}, \"nodes\": ["
        "{\"id\": \"rs\", \"node_type\": \"AudioResampleNode\","
        " \"params\": {\"target_sample_rate\": 16000, \"quality\": \"very_high\"}}],"
        " \"connections\": []}");
    rm_audio_format_t format = {44100, 2, RM_SAMPLE_I16, RM_LAYOUT_PLANAR, 44107};
    rm_item_t *in = rm_item_new_audio(&format);
    ASSERT_NOT_NULL(in);
    memset(in->data, 0, in->size);
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(p, NULL, &in, 1, &r), RM_OK);
    ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 1);
    const rm_item_t *out = rm_run_result_item(r, 0, 0);
    ASSERT_EQ_INT(out->audio.frames, (44107ull * 16000 + 44099) / 44100);
    ASSERT_EQ_INT(out->audio.channels, 2);
    ASSERT_EQ_INT(out->audio.sample_format, RM_SAMPLE_F32);
    rm_run_result_free(r);
    rm_item_unref(in);
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

RM_TEST(bad_input_error_names_node) {
    rm_registry_t *registry = audio_registry();
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\": \"v1\", \"metadata\": {\"name\": \"bad\"}, \"nodes\": ["
        "{\"id\": \"conv\", \"node_type\": \"FormatConverterNode\"}],"
        " \"connections\": []}");
    rm_item_t *in = rm_item_new_json("[1, 2]", 6);
    rm_run_result_t *r = NULL;
    ASSERT_EQ_INT(rm_pipeline_run(p, NULL, &in, 1, &r), RM_EKIND);
    const rm_run_error_t *e = rm_run_result_error(r);
    ASSERT_NOT_NULL(e);
    ASSERT_STR_EQ(e->node_id, "conv");
    ASSERT_STR_STARTS_WITH(e->message, "node 'conv' (FormatConverterNode): ");
    ASSERT_STR_CONTAINS(e->message, "not audio");
    rm_run_result_free(r);
    rm_item_unref(in);
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

/* The second converter gets a unique item from the first: it converts in
 * place (item_wrap over the same payload) through the real host. */
RM_TEST(chained_converters_in_place) {
    rm_registry_t *registry = audio_registry();
    rm_pipeline_t *p = rm_test_compile(registry,
        "{\"version\": \"v1\", \"metadata\": {\"name\": \"conv\"}, \"nodes\": ["
        "{\"id\": \"to_f32\", \"node_type\": \"FormatConverterNode\","
        " \"params\": {\"target_format\": \"f32\"}},"
        "{\"id\": \"to_i16\", \"node_type\": \"FormatConverterNode\","
        " \"params\": {\"target_format\": \"i16\"}}],"
        " \"connections\": [{\"from\": \"to_f32\", \"to\": \"to_i16\"}]}");
    rm_audio_format_t format = {16000, 2, RM_SAMPLE_F64, RM_LAYOUT_INTERLEAVED, 1000};
    rm_item_t *in = rm_item_new_audio(&format);
    ASSERT_NOT_NULL(in);
    double *x = in->data;
    for (size_t i = 0; i < 2000; i++) x[i] = (double)i / 2000.0 - 0.5;
    x[0] = 1.0;
    x[1] = NAN;
    for (int run = 0; run < 3; run++) {
        rm_run_result_t *r = NULL;
        ASSERT_EQ_INT(rm_pipeline_run(p, NULL, &in, 1, &r), RM_OK);
        ASSERT_EQ_INT(rm_run_result_item_count(r, 0), 1);
        const rm_item_t *out = rm_run_result_item(r, 0, 0);
        ASSERT_EQ_INT(out->audio.sample_format, RM_SAMPLE_I16);
        ASSERT_EQ_INT(out->size, 4000);
        const int16_t *s = out->data;
        ASSERT_EQ_INT(s[0], 32767);
        ASSERT_EQ_INT(s[1], 0);
        ASSERT_EQ_INT(s[2], lrint((2.0 / 2000.0 - 0.5) * 32768));
        /* in place: to_i16 allocated no 4000-byte payload of its own */
        const rm_node_stats_t *to_i16 = rm_run_result_node_stats(r, 1);
        ASSERT_STR_EQ(to_i16->node_id, "to_i16");
        if (to_i16->peak_bytes >= 4000)
            RM__FAIL("to_i16 peak %llu bytes: not converted in place",
                     (unsigned long long)to_i16->peak_bytes);
        rm_run_result_free(r);
    }
    rm_item_unref(in);
    rm_pipeline_free(p);
    rm_registry_close(registry);
}

RM_TEST_LIST(RM_TEST_ENTRY(file_convert_resample_sink_and_segmenter),
             RM_TEST_ENTRY(chained_converters_in_place),
             RM_TEST_ENTRY(json_side_outputs_only_when_taken),
             RM_TEST_ENTRY(one_shot_resample_is_one_exact_item),
             RM_TEST_ENTRY(bad_input_error_names_node))
