/*
 * test_audio_file.c — AudioFileSource / AudioFileSink through their
 * vtables: WAV/FLAC/OGG round trips, chunking and layouts, truncated and
 * corrupt files, and the atomic write (no file under the final name after
 * a failed run).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_host.h"
#include "rm_test.h"

const rm_plugin_descriptor_t *rm_plugin_entry(void);

static const rm_node_type_t *type_named(const char *name) {
    const rm_node_type_t *t = fake_find_type(rm_plugin_entry(), name);
    ASSERT_NOT_NULL(t);
    return t;
}

static char temp_dir[64];
static void make_temp_dir(void) {
    strcpy(temp_dir, "/tmp/rm-audio-file-XXXXXX");
    ASSERT_NOT_NULL(mkdtemp(temp_dir));
}
static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}
static size_t count_dir_entries(const char *dir) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    if (p && fscanf(p, "%zu", &n) != 1) n = 999;
    if (p) pclose(p);
    return n;
}

/* stereo test signal, planar f32 */
static float *stereo_signal(size_t frames, uint32_t rate) {
    float *x = malloc(frames * 2 * sizeof(float));
    for (size_t i = 0; i < frames; i++) {
        x[i] = (float)(0.5 * sin(2 * 3.14159265358979 * 440 * i / rate));
        x[frames + i] = (float)(0.25 * sin(2 * 3.14159265358979 * 660 * i / rate));
    }
    return x;
}

/* Write `x` (planar stereo) in chunks through the sink; returns flush's
 * JSON. */
static cJSON *write_file(const char *path, const char *format,
                         const char *subtype, const float *x, size_t frames,
                         uint32_t rate) {
    fake_host_t fh;
    char path_json[300];
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, "format", format,
                                  "subtype", subtype, NULL};
    if (fake_create(&fh, type_named("AudioFileSink"), params) != RM_OK)
        RM__FAIL("create: %s", fh.err.message);
    const size_t chunk = 1000;
    for (size_t at = 0; at < frames; at += chunk) {
        size_t n = frames - at < chunk ? frames - at : chunk;
        rm_item_t *in = fake_audio(&fh, rate, 2, RM_SAMPLE_F32,
                                   RM_LAYOUT_PLANAR, n, NULL);
        float *d = in->data;
        for (size_t i = 0; i < n; i++) {
            d[i] = x[at + i];
            d[n + i] = x[frames + at + i];
        }
        if (fake_process(&fh, in) != RM_OK) RM__FAIL("%s", fh.err.message);
        fake_unref(in);
        ASSERT_TRUE(!exists(path)); /* not under the final name yet */
    }
    if (fake_flush(&fh) != RM_OK) RM__FAIL("flush: %s", fh.err.message);
    ASSERT_TRUE(exists(path));
    cJSON *j = cJSON_Parse(fake_emitted_on(&fh, 0, 0)->data);
    fake_destroy(&fh);
    return j;
}

/* Read the whole file back as planar f32 through the source. */
static float *read_file(const char *path, double chunk_seconds,
                        size_t *frames_out, uint32_t *rate_out,
                        size_t *items_out) {
    fake_host_t fh;
    char path_json[300], chunk_json[32];
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    snprintf(chunk_json, sizeof chunk_json, "%g", chunk_seconds);
    const char *const params[] = {"path", path_json, "chunk_seconds",
                                  chunk_json, NULL};
    if (fake_create(&fh, type_named("AudioFileSource"), params) != RM_OK)
        RM__FAIL("create: %s", fh.err.message);
    int finished = 0;
    for (int guard = 0; !finished && guard < 100000; guard++)
        if (fake_generate(&fh, &finished) != RM_OK)
            RM__FAIL("generate: %s", fh.err.message);
    size_t total = 0, items = fake_count_on(&fh, 0);
    for (size_t k = 0; k < items; k++)
        total += fake_emitted_on(&fh, 0, k)->audio.frames;
    float *x = malloc(total * 2 * sizeof(float));
    size_t at = 0;
    for (size_t k = 0; k < items; k++) {
        rm_item_t *it = fake_emitted_on(&fh, 0, k);
        ASSERT_EQ_INT(it->audio.channels, 2);
        ASSERT_EQ_INT(it->audio.layout, RM_LAYOUT_PLANAR);
        ASSERT_EQ_INT(it->audio.sample_format, RM_SAMPLE_F32);
        size_t n = (size_t)it->audio.frames;
        const float *d = it->data;
        for (size_t i = 0; i < n; i++) {
            x[at + i] = d[i];
            x[total + at + i] = d[n + i];
        }
        at += n;
        *rate_out = it->audio.sample_rate;
    }
    fake_destroy(&fh);
    *frames_out = total;
    *items_out = items;
    return x;
}

static double snr_db(const float *ref, const float *got, size_t n) {
    double s = 0, e = 0;
    for (size_t i = 0; i < n; i++) {
        s += (double)ref[i] * ref[i];
        e += ((double)got[i] - ref[i]) * ((double)got[i] - ref[i]);
    }
    return e > 0 ? 10 * log10(s / e) : 400;
}

static void round_trip(const char *name, const char *format,
                       const char *subtype, double max_error,
                       double min_snr) {
    make_temp_dir();
    char path[256];
    snprintf(path, sizeof path, "%s/%s", temp_dir, name);
    const uint32_t rate = 44100;
    const size_t frames = 44100 + 777;
    float *x = stereo_signal(frames, rate);
    cJSON *j = write_file(path, format, subtype, x, frames, rate);
    ASSERT_NOT_NULL(j);
    ASSERT_STR_EQ(cJSON_GetObjectItem(j, "path")->valuestring, path);
    ASSERT_EQ_INT(cJSON_GetObjectItem(j, "frames")->valuedouble, frames);
    ASSERT_EQ_INT(cJSON_GetObjectItem(j, "sample_rate")->valuedouble, rate);
    ASSERT_EQ_INT(cJSON_GetObjectItem(j, "channels")->valuedouble, 2);
    cJSON_Delete(j);
    size_t got_frames = 0, items = 0;
    uint32_t got_rate = 0;
    float *y = read_file(path, 0.1, &got_frames, &got_rate, &items);
    ASSERT_EQ_INT(got_frames, frames);
    ASSERT_EQ_INT(got_rate, rate);
    ASSERT_EQ_INT(items, (frames + 4409) / 4410); /* 0.1 s chunks */
    double worst = 0;
    for (size_t i = 0; i < frames * 2; i++)
        if (fabs((double)x[i] - y[i]) > worst) worst = fabs((double)x[i] - y[i]);
    double snr = snr_db(x, y, frames * 2);
    printf("  %s: max error %.3g, SNR %.1f dB\n", name, worst, snr);
    ASSERT_TRUE(worst <= max_error);
    ASSERT_TRUE(snr >= min_snr);
    ASSERT_EQ_INT(count_dir_entries(temp_dir), 1); /* no temp file left */
    unlink(path);
    rmdir(temp_dir);
    free(x);
    free(y);
}

RM_TEST(wav_pcm16_round_trip) { round_trip("a.wav", "\"auto\"", "\"pcm16\"", 0.50001 / 32768, 85); }
RM_TEST(wav_float_round_trip) { round_trip("a.wav", "\"wav\"", "\"float\"", 0, 400); }
RM_TEST(flac_pcm24_round_trip) { round_trip("a.flac", "\"auto\"", "\"pcm24\"", 1.0 / 8388608, 130); }
RM_TEST(ogg_vorbis_round_trip) { round_trip("a.ogg", "\"auto\"", "\"pcm16\"", 0.05, 25); }

RM_TEST(source_formats_and_layouts) {
    make_temp_dir();
    char path[256];
    snprintf(path, sizeof path, "%s/b.wav", temp_dir);
    float *x = stereo_signal(1000, 8000);
    cJSON_Delete(write_file(path, "\"auto\"", "\"pcm16\"", x, 1000, 8000));
    fake_host_t fh;
    char path_json[300];
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, "format", "\"i16\"",
                                  "layout", "\"interleaved\"",
                                  "chunk_seconds", "0.001", NULL};
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSource"), params), RM_OK);
    int finished = 0;
    ASSERT_EQ_INT(fake_generate(&fh, &finished), RM_OK);
    rm_item_t *it = fake_emitted_on(&fh, 0, 0);
    ASSERT_EQ_INT(it->audio.frames, 8); /* 1 ms at 8 kHz */
    ASSERT_EQ_INT(it->audio.layout, RM_LAYOUT_INTERLEAVED);
    ASSERT_EQ_INT(it->audio.sample_format, RM_SAMPLE_I16);
    const int16_t *s = it->data;
    ASSERT_EQ_INT(s[2], lrint(x[1] * 32768.0)); /* frame 1, left */
    ASSERT_EQ_INT(s[3], lrint(x[1001] * 32768.0)); /* frame 1, right */
    fake_destroy(&fh);
    unlink(path);
    rmdir(temp_dir);
    free(x);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(truncated_file_names_file_and_frame) {
    make_temp_dir();
    char path[256];
    snprintf(path, sizeof path, "%s/cut.wav", temp_dir);
    float *x = stereo_signal(8000, 8000);
    cJSON_Delete(write_file(path, "\"auto\"", "\"pcm16\"", x, 8000, 8000));
    ASSERT_EQ_INT(truncate(path, 44 + 3000 * 4), 0); /* 3000 of 8000 frames */
    fake_host_t fh;
    char path_json[300];
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, "chunk_seconds", "0.25",
                                  NULL};
    int status = fake_create(&fh, type_named("AudioFileSource"), params);
    if (status == RM_OK) {
        int finished = 0;
        for (int guard = 0; guard < 100 && status == RM_OK && !finished; guard++)
            status = fake_generate(&fh, &finished);
    }
    ASSERT_EQ_INT(status, RM_EIO);
    ASSERT_STR_CONTAINS(fh.err.message, "AudioFileSource 'node_under_test'");
    ASSERT_STR_CONTAINS(fh.err.message, path);
    ASSERT_STR_CONTAINS(fh.err.message, "frame 3000");
    fake_destroy(&fh);
    unlink(path);
    rmdir(temp_dir);
    free(x);
}

RM_TEST(corrupt_and_missing_files_name_the_file) {
    make_temp_dir();
    char path[256], path_json[300];
    snprintf(path, sizeof path, "%s/garbage.wav", temp_dir);
    FILE *f = fopen(path, "wb");
    fputs("RIFF....WAVEjunkjunkjunkjunkjunkjunk", f);
    fclose(f);
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, NULL};
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSource"), params), RM_EIO);
    ASSERT_STR_CONTAINS(fh.err.message, path);
    unlink(path);
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSource"), params), RM_EIO);
    ASSERT_STR_CONTAINS(fh.err.message, "cannot open");
    rmdir(temp_dir);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(failed_run_leaves_no_file) {
    make_temp_dir();
    char path[256], path_json[300];
    snprintf(path, sizeof path, "%s/never.flac", temp_dir);
    snprintf(path_json, sizeof path_json, "\"%s\"", path);
    const char *const params[] = {"path", path_json, NULL};
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSink"), params), RM_OK);
    rm_item_t *in = fake_audio(&fh, 16000, 1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                               1600, NULL);
    ASSERT_EQ_INT(fake_process(&fh, in), RM_OK);
    ASSERT_EQ_INT(count_dir_entries(temp_dir), 1); /* the temp file */
    ASSERT_TRUE(!exists(path));
    /* a chunk in another format fails the run ... */
    in->audio.sample_rate = 8000;
    ASSERT_EQ_INT(fake_process(&fh, in), RM_EINVAL);
    ASSERT_STR_CONTAINS(fh.err.message, "AudioFileSink 'node_under_test'");
    ASSERT_STR_CONTAINS(fh.err.message, path);
    /* ... and destroy without flush removes everything */
    fake_destroy(&fh);
    ASSERT_TRUE(!exists(path));
    ASSERT_EQ_INT(count_dir_entries(temp_dir), 0);
    fake_unref(in);
    rmdir(temp_dir);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(sink_param_errors) {
    fake_host_t fh;
    const char *const no_ext[] = {"path", "\"/tmp/x.mp3\"", NULL};
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSink"), no_ext), RM_EINVAL);
    ASSERT_STR_CONTAINS(fh.err.message, "format");
    const char *const flac_float[] = {"path", "\"/tmp/x.flac\"", "subtype",
                                      "\"float\"", NULL};
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSink"), flac_float),
                  RM_EINVAL);
    ASSERT_STR_CONTAINS(fh.err.message, "subtype");
    const char *const no_path[] = {"path", "\"\"", NULL};
    ASSERT_EQ_INT(fake_create(&fh, type_named("AudioFileSource"), no_path),
                  RM_EINVAL);
    ASSERT_STR_CONTAINS(fh.err.message, "path");
}

RM_TEST_LIST(RM_TEST_ENTRY(wav_pcm16_round_trip),
             RM_TEST_ENTRY(wav_float_round_trip),
             RM_TEST_ENTRY(flac_pcm24_round_trip),
             RM_TEST_ENTRY(ogg_vorbis_round_trip),
             RM_TEST_ENTRY(source_formats_and_layouts),
             RM_TEST_ENTRY(truncated_file_names_file_and_frame),
             RM_TEST_ENTRY(corrupt_and_missing_files_name_the_file),
             RM_TEST_ENTRY(failed_run_leaves_no_file),
             RM_TEST_ENTRY(sink_param_errors))
