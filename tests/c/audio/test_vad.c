/*
 * test_vad.c — VADNode / VoiceActivityDetector against a double-precision
 * reference of the contract's formulas written here, and the
 * SpeechSegmenter kernel and node on synthetic input.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "energy_vad.h"
#include "fake_host.h"
#include "rm_test.h"
#include "segmenter.h"

const rm_plugin_descriptor_t *rm_plugin_entry(void);

static const rm_node_type_t *type_named(const char *name) {
    const rm_node_type_t *t = fake_find_type(rm_plugin_entry(), name);
    ASSERT_NOT_NULL(t);
    return t;
}

/* ---- reference (the SDK's numpy code, in plain double C) -------------- */

typedef struct ref_result {
    long total_frames, speech_frames;
    double energies[4096];
} ref_result_t;

/* planar double channels -> mean -> frames -> RMS */
static void ref_energies(const double *planar, int channels, size_t frames,
                         uint32_t rate, double ms, ref_result_t *r) {
    size_t frame = (size_t)((double)rate * ms / 1000.0);
    r->total_frames = frame ? (long)(frames / frame) : 0;
    for (long f = 0; f < r->total_frames; f++) {
        double sum = 0;
        for (size_t i = 0; i < frame; i++) {
            double m = 0;
            for (int c = 0; c < channels; c++)
                m += planar[(size_t)c * frames + (size_t)f * frame + i];
            m /= channels;
            sum += m * m;
        }
        r->energies[f] = sqrt(sum / (double)frame);
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Signal with a different loudness per frame-ish block. */
static double *make_signal(int channels, size_t frames, uint32_t seed) {
    double *x = malloc((size_t)channels * frames * sizeof(double));
    for (size_t i = 0; i < frames; i++) {
        double amp = ((i / 397) % 3 == 0) ? 0.001 : ((i / 397) % 3 == 1 ? 0.03 : 0.2);
        for (int c = 0; c < channels; c++) {
            seed = seed * 1664525u + 1013904223u;
            x[(size_t)c * frames + i] =
                amp * ((double)seed / 4294967296.0 * 2.0 - 1.0) * (c + 1) / channels;
        }
    }
    return x;
}

static cJSON *json_of(rm_item_t *item) {
    ASSERT_NOT_NULL(item);
    ASSERT_EQ_INT(item->kind, RM_KIND_JSON);
    cJSON *j = cJSON_Parse(item->data);
    ASSERT_NOT_NULL(j);
    return j;
}

RM_TEST(vadnode_matches_reference_formats_layouts) {
    const uint32_t rate = 16000;
    const size_t frames = 16000 + 123; /* tail dropped */
    double *x = make_signal(2, frames, 3);
    ref_result_t ref;
    ref_energies(x, 2, frames, rate, 30, &ref);
    long want_speech = 0;
    for (long f = 0; f < ref.total_frames; f++)
        if (ref.energies[f] > 0.02) want_speech++;
    ASSERT_TRUE(want_speech > 0 && want_speech < ref.total_frames);

    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, type_named("VADNode"), NULL), RM_OK);
    /* f64 planar, f32 interleaved */
    rm_item_t *a = fake_audio(&fh, rate, 2, RM_SAMPLE_F64, RM_LAYOUT_PLANAR,
                              frames, x);
    float *inter = malloc(frames * 2 * sizeof(float));
    for (size_t i = 0; i < frames; i++)
        for (int c = 0; c < 2; c++)
            inter[2 * i + c] = (float)x[(size_t)c * frames + i];
    rm_item_t *b = fake_audio(&fh, rate, 2, RM_SAMPLE_F32,
                              RM_LAYOUT_INTERLEAVED, frames, inter);
    ASSERT_EQ_INT(fake_process(&fh, a), RM_OK);
    ASSERT_EQ_INT(fake_process(&fh, b), RM_OK);
    ASSERT_TRUE(fake_emitted_on(&fh, 0, 0) == a); /* same audio item */
    ASSERT_TRUE(fake_emitted_on(&fh, 0, 1) == b);
    for (int k = 0; k < 2; k++) {
        cJSON *info = json_of(fake_emitted_on(&fh, 1, (size_t)k));
        ASSERT_EQ_INT(cJSON_GetObjectItem(info, "total_frames")->valuedouble,
                      ref.total_frames);
        /* f32 rounding of the input may only move frames that sit within
         * 1e-6 of the threshold; none do in this signal */
        ASSERT_EQ_INT(cJSON_GetObjectItem(info, "speech_frames")->valuedouble,
                      want_speech);
        ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(info, "is_speech")));
        /* the SDK's info dict: ratio, mean frame energy, frame length */
        ASSERT_NEAR(cJSON_GetObjectItem(info, "speech_ratio")->valuedouble,
                    (double)want_speech / (double)ref.total_frames, 1e-15);
        double sum = 0;
        for (long f = 0; f < ref.total_frames; f++) sum += ref.energies[f];
        ASSERT_NEAR(cJSON_GetObjectItem(info, "avg_energy")->valuedouble,
                    sum / (double)ref.total_frames, 1e-6);
        ASSERT_NEAR(
            cJSON_GetObjectItem(info, "frame_duration_ms")->valuedouble, 30,
            0);
        cJSON_Delete(info);
    }
    fake_unref(a);
    fake_unref(b);
    free(inter);
    free(x);
    fake_destroy(&fh);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(vadnode_short_inputs_and_errors) {
    fake_host_t fh;
    const char *const params[] = {"frame_duration_ms", "30",
                                  "energy_threshold", "0.0", NULL};
    ASSERT_EQ_INT(fake_create(&fh, type_named("VADNode"), params), RM_OK);
    float one = 1.0f;
    rm_item_t *a = fake_audio(&fh, 16000, 1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                              1, &one);
    ASSERT_EQ_INT(fake_process(&fh, a), RM_OK);
    cJSON *info = json_of(fake_emitted_on(&fh, 1, 0));
    ASSERT_EQ_INT(cJSON_GetObjectItem(info, "total_frames")->valuedouble, 0);
    ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(info, "is_speech")));
    ASSERT_NEAR(cJSON_GetObjectItem(info, "speech_ratio")->valuedouble, 0, 0);
    ASSERT_NEAR(cJSON_GetObjectItem(info, "avg_energy")->valuedouble, 0, 0);
    cJSON_Delete(info);
    fake_clear_emitted(&fh);
    /* NaN samples: that frame's energy counts as 0, never UB */
    float nans[480 * 2];
    for (int i = 0; i < 960; i++) nans[i] = i < 480 ? NAN : 0.5f;
    rm_item_t *n = fake_audio(&fh, 16000, 1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                              960, nans);
    ASSERT_EQ_INT(fake_process(&fh, n), RM_OK);
    info = json_of(fake_emitted_on(&fh, 1, 0));
    ASSERT_EQ_INT(cJSON_GetObjectItem(info, "speech_frames")->valuedouble, 1);
    cJSON_Delete(info);
    rm_item_t *j = fh.host.item_new_json(&fh.host, "[]", 2);
    ASSERT_EQ_INT(fake_process(&fh, j), RM_EKIND);
    ASSERT_STR_STARTS_WITH(fh.err.message, "node 'node_under_test' (VADNode): ");
    a->audio.sample_rate = 0;
    ASSERT_EQ_INT(fake_process(&fh, a), RM_EINVAL);
    ASSERT_STR_CONTAINS(fh.err.message, "sample_rate");
    fake_unref(j);
    fake_unref(a);
    fake_unref(n);
    fake_destroy(&fh);
    /* A negative energy_threshold never reaches create: the host
     * validates params against the specs (plugin.h). */
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(detector_adaptive_threshold_matches_reference_over_chunks) {
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, type_named("VoiceActivityDetector"), NULL),
                  RM_OK);
    double history[100000];
    size_t history_count = 0;
    const uint32_t rate = 8000;
    for (int chunk = 0; chunk < 12; chunk++) {
        size_t frames = 2400 + (size_t)chunk * 37; /* 10+ frames, tails */
        double *x = make_signal(1, frames, 100u + (uint32_t)chunk);
        for (size_t i = 0; i < frames; i++) x[i] *= 1.0 + chunk % 4;
        ref_result_t ref;
        ref_energies(x, 1, frames, rate, 30, &ref);
        /* reference (the SDK's rule): the threshold comes from the last 100
         * energies before the chunk (none: energy_threshold), then the
         * chunk's energies join the history */
        size_t n = history_count < 100 ? history_count : 100;
        double sorted[100];
        memcpy(sorted, history + history_count - n, n * sizeof(double));
        qsort(sorted, n, sizeof(double), cmp_double);
        double threshold = n ? 0.7 * 2.5 * sorted[(size_t)(0.3 * (double)n)] +
                                   0.3 * 0.02
                             : 0.02;
        for (long f = 0; f < ref.total_frames; f++)
            history[history_count++] = ref.energies[f];
        long speech = 0;
        double sum = 0;
        for (long f = 0; f < ref.total_frames; f++) {
            if (ref.energies[f] > threshold) speech++;
            sum += ref.energies[f];
        }
        double ratio = (double)speech / (double)ref.total_frames;
        rm_item_t *in = fake_audio(&fh, rate, 1, RM_SAMPLE_F64,
                                   RM_LAYOUT_PLANAR, frames, x);
        ASSERT_EQ_INT(fake_process(&fh, in), RM_OK);
        cJSON *meta = json_of(fake_emitted_on(&fh, 1, 0));
        ASSERT_NEAR(cJSON_GetObjectItem(meta, "speech_ratio")->valuedouble,
                    ratio, 1e-12);
        ASSERT_NEAR(cJSON_GetObjectItem(meta, "avg_energy")->valuedouble,
                    sum / (double)ref.total_frames, 1e-12);
        ASSERT_EQ_INT(cJSON_IsTrue(cJSON_GetObjectItem(meta, "is_speech")),
                      ratio >= 0.3);
        ASSERT_NEAR(cJSON_GetObjectItem(meta, "frame_duration_ms")->valuedouble,
                    30, 0);
        cJSON_Delete(meta);
        ASSERT_TRUE(fake_emitted_on(&fh, 0, 0) == in);
        fake_clear_emitted(&fh);
        fake_unref(in);
        free(x);
    }
    fake_destroy(&fh);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(detector_filter_mode_emits_speech_chunks_only) {
    fake_host_t fh;
    const char *const params[] = {"filter_mode", "true", NULL};
    ASSERT_EQ_INT(fake_create(&fh, type_named("VoiceActivityDetector"), params),
                  RM_OK);
    float quiet[4800] = {0}, loud[4800];
    for (int i = 0; i < 4800; i++) loud[i] = (i % 2) ? 0.5f : -0.5f;
    rm_item_t *q = fake_audio(&fh, 16000, 1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                              4800, quiet);
    rm_item_t *l = fake_audio(&fh, 16000, 1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                              4800, loud);
    ASSERT_EQ_INT(fake_process(&fh, q), RM_OK);
    ASSERT_EQ_INT(fh.out.count, 0);
    ASSERT_EQ_INT(fake_process(&fh, l), RM_OK);
    ASSERT_EQ_INT(fake_count_on(&fh, 0), 1);
    ASSERT_EQ_INT(fake_count_on(&fh, 1), 0); /* no metadata in filter mode */
    ASSERT_TRUE(fake_emitted_on(&fh, 0, 0) == l);
    fake_unref(q);
    fake_unref(l);
    fake_destroy(&fh);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(rms_kernel_and_threshold_helpers) {
    float x[1000];
    double d[1000], sum = 0;
    for (int i = 0; i < 1000; i++) {
        x[i] = (float)sin(i * 0.1) * 0.3f;
        d[i] = x[i];
        sum += d[i] * d[i];
    }
    ASSERT_NEAR(rm_vad_rms_f32(x, 1000), sqrt(sum / 1000), 1e-15);
    ASSERT_NEAR(rm_vad_rms_f64(d, 1000), sqrt(sum / 1000), 1e-15);
    ASSERT_NEAR(rm_vad_rms_f32(x, 0), 0, 0);
    ASSERT_EQ_INT(rm_vad_frame_length(16000, 30), 480);
    ASSERT_EQ_INT(rm_vad_frame_length(44100, 30), 1323);
    ASSERT_EQ_INT(rm_vad_frame_length(10, 30), 0);
    ASSERT_NEAR(rm_vad_adaptive_threshold(NULL, 0, 0.02), 0.02, 0);
    double e[] = {5, 1, 4, 2, 3};
    ASSERT_NEAR(rm_vad_adaptive_threshold(e, 5, 0.02),
                0.7 * 2.5 * 2 + 0.3 * 0.02, 1e-15);
    rm_vad_history_t h = {0};
    for (int i = 0; i < 250; i++) rm_vad_history_add(&h, i);
    double copy[100];
    ASSERT_EQ_INT(rm_vad_history_copy(&h, copy), 100);
    ASSERT_NEAR(copy[0], 150, 0);
    ASSERT_NEAR(copy[99], 249, 0);
}

/* ---- SpeechSegmenter on synthetic tones + noise -------------------------- */

/* Voiced-speech stand-in: 140 Hz harmonics with a syllable envelope. */
static void add_voice(float *x, size_t from, size_t to, uint32_t rate) {
    for (size_t i = from; i < to; i++) {
        double t = (double)(i - from) / rate;
        double env = 0.5 + 0.5 * sin(2 * 3.14159265 * 4 * t);
        double v = 0;
        for (int h = 1; h <= 20; h++)
            if (140.0 * h < rate / 2.0)
                v += sin(2 * 3.14159265 * 140 * h * t) / h;
        x[i] += (float)(0.15 * env * v);
    }
}

RM_TEST(segmenter_finds_voiced_regions_in_noise_any_rate) {
    const uint32_t rates[] = {8000, 16000, 32000, 44100, 48000};
    const uint32_t frame_ms[] = {10, 20, 30};
    for (size_t r = 0; r < 5; r++)
        for (size_t f = 0; f < 3; f++) {
            uint32_t rate = rates[r];
            size_t n = rate * 6;
            float *x = malloc(n * sizeof(float));
            uint32_t seed = 1;
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1664525u + 1013904223u;
                x[i] = (float)(0.01 * ((double)seed / 4294967296.0 - 0.5));
            }
            add_voice(x, rate * 1, rate * 2, rate);       /* 1.0 - 2.0 s */
            add_voice(x, rate * 3, rate * 9 / 2, rate);   /* 3.0 - 4.5 s */
            /* the node's default threshold: at 0.5, single white-noise
             * frames (10 ms at 48 kHz) pass and can join a segment up to
             * min_silence_ms before its onset */
            rm_segmenter_config_t cfg = {rate, frame_ms[f], 0.7, 100, 300, 0, 0, 0};
            char error[128];
            rm_segmenter_t *s = rm_segmenter_create(&cfg, error, sizeof error);
            ASSERT_NOT_NULL(s);
            for (size_t at = 0; at < n; at += 1234) /* odd chunks */
                ASSERT_EQ_INT(rm_segmenter_push(s, x + at,
                                                n - at < 1234 ? n - at : 1234),
                              0);
            ASSERT_EQ_INT(rm_segmenter_finish(s), 0);
            size_t count = 0;
            const rm_segment_t *seg = rm_segmenter_segments(s, &count, NULL);
            if (count != 2)
                RM__FAIL("rate %u frame %u ms: %zu segments", rate,
                         frame_ms[f], count);
            ASSERT_NEAR(seg[0].start_s, 1.0, 0.1);
            ASSERT_NEAR(seg[0].end_s, 2.0, 0.35);
            ASSERT_NEAR(seg[1].start_s, 3.0, 0.1);
            ASSERT_NEAR(seg[1].end_s, 4.5, 0.35);
            rm_segmenter_destroy(s);
            free(x);
        }
}

/* Steady tones, beeps, a chord, DTMF and noise bursts after 1 s of
 * near-silence are not speech: no segment, at 16 and 48 kHz, 30 and 10 ms
 * frames, default threshold and durations. */
static size_t segments_of_sound(uint32_t rate, uint32_t frame_ms, int sound) {
    size_t n = (size_t)rate * 4, start = rate, len = (size_t)rate * 2;
    float *x = malloc(n * sizeof(float));
    uint32_t seed = 7;
    const double dtmf_rows[] = {697, 770, 852, 941};
    const double dtmf_cols[] = {1209, 1336, 1477};
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        double white = (double)seed / 4294967296.0 - 0.5;
        double v = 1e-4 * white;
        if (i >= start && i < start + len) {
            double t = (double)(i - start) / rate;
            double w = 2 * 3.14159265358979 * t;
            int digit = (int)(t / 0.2);
            switch (sound) {
            case 0: v += 0.3 * sin(w * 440); break;
            case 1: v += 0.3 * sin(w * 1000); break;
            case 2: v += 0.3 * sin(w * 3000); break;
            case 3: /* beeps: 150 ms on, 150 ms off */
                if ((int)(t / 0.15) % 2 == 0) v += 0.3 * sin(w * 1000);
                break;
            case 4: v += 0.15 * (sin(w * 1000) + sin(w * 1500)); break;
            case 5: /* DTMF: 100 ms digits, 100 ms apart */
                if (t - digit * 0.2 < 0.1)
                    v += 0.15 * (sin(w * dtmf_rows[digit % 4]) +
                                 sin(w * dtmf_cols[digit % 3]));
                break;
            case 6: /* white noise burst, 0.5 s */
                if (t < 0.5) v += 0.6 * white;
                break;
            }
        }
        x[i] = (float)v;
    }
    rm_segmenter_config_t cfg = {rate, frame_ms, 0.7, 100, 300, 100, 0, 0};
    char error[128];
    rm_segmenter_t *s = rm_segmenter_create(&cfg, error, sizeof error);
    ASSERT_NOT_NULL(s);
    for (size_t at = 0; at < n; at += rate / 10)
        ASSERT_EQ_INT(rm_segmenter_push(s, x + at, rate / 10), 0);
    ASSERT_EQ_INT(rm_segmenter_finish(s), 0);
    size_t count = 0;
    rm_segmenter_segments(s, &count, NULL);
    rm_segmenter_destroy(s);
    free(x);
    return count;
}

RM_TEST(segmenter_rejects_tones_beeps_dtmf_and_noise_bursts) {
    static const char *names[] = {"sine 440 Hz", "sine 1 kHz", "sine 3 kHz",
                                  "beeps",       "chord",      "DTMF",
                                  "white burst"};
    const uint32_t rates[] = {16000, 48000};
    const uint32_t frames[] = {30, 10};
    for (int r = 0; r < 2; r++)
        for (int f = 0; f < 2; f++)
            for (int sound = 0; sound < 7; sound++) {
                size_t count = segments_of_sound(rates[r], frames[f], sound);
                if (count)
                    RM__FAIL("%s at %u Hz, %u ms frames: %zu segments",
                             names[sound], rates[r], frames[f], count);
            }
}

RM_TEST(segmenter_silence_and_bad_config) {
    rm_segmenter_config_t cfg = {16000, 30, 0.5, 100, 300, 100, 1, 0};
    char error[128];
    rm_segmenter_t *s = rm_segmenter_create(&cfg, error, sizeof error);
    ASSERT_NOT_NULL(s);
    static float zeros[16000 * 3];
    zeros[100] = NAN;
    zeros[200] = INFINITY;
    ASSERT_EQ_INT(rm_segmenter_push(s, zeros, 16000 * 3), 0);
    ASSERT_EQ_INT(rm_segmenter_frame_count(s), 100);
    ASSERT_EQ_INT(rm_segmenter_finish(s), 0);
    size_t count = 1;
    rm_segmenter_segments(s, &count, NULL);
    ASSERT_EQ_INT(count, 0);
    rm_segmenter_destroy(s);
    cfg.frame_ms = 25;
    ASSERT_TRUE(rm_segmenter_create(&cfg, error, sizeof error) == NULL);
    ASSERT_STR_CONTAINS(error, "frame_ms");
    cfg.frame_ms = 10;
    cfg.sample_rate = 100;
    ASSERT_TRUE(rm_segmenter_create(&cfg, error, sizeof error) == NULL);
    ASSERT_STR_CONTAINS(error, "sample_rate");
}

RM_TEST(segmenter_node_streams_json_and_audio) {
    fake_host_t fh;
    const char *const params[] = {"emit_audio", "true", "padding_ms", "50",
                                  NULL};
    ASSERT_EQ_INT(fake_create(&fh, type_named("SpeechSegmenter"), params),
                  RM_OK);
    const uint32_t rate = 16000;
    size_t n = rate * 4;
    float *x = calloc(n, sizeof(float));
    uint32_t seed = 9;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(0.003 * ((double)seed / 4294967296.0 - 0.5));
    }
    add_voice(x, rate, rate * 2, rate);
    /* stereo interleaved i16 input, analysed as the channel mean */
    int16_t *pcm = malloc(n * 2 * sizeof(int16_t));
    for (size_t i = 0; i < n; i++)
        pcm[2 * i] = pcm[2 * i + 1] = (int16_t)lrint(x[i] * 32767);
    size_t frames_seen = 0;
    for (size_t at = 0; at < n; at += 1600) {
        rm_item_t *in = fake_audio(&fh, rate, 2, RM_SAMPLE_I16,
                                   RM_LAYOUT_INTERLEAVED, 1600, pcm + 2 * at);
        ASSERT_EQ_INT(fake_process(&fh, in), RM_OK);
        fake_unref(in);
    }
    for (size_t k = 0; k < fake_count_on(&fh, 0); k++) {
        cJSON *j = json_of(fake_emitted_on(&fh, 0, k));
        ASSERT_EQ_INT(cJSON_GetObjectItem(j, "first_frame")->valuedouble,
                      frames_seen);
        size_t count = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(j, "frames"));
        ASSERT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "scores")),
                      count);
        frames_seen += count;
        cJSON_Delete(j);
    }
    ASSERT_EQ_INT(frames_seen, n / 480);
    /* the segment closed mid-stream: its audio is already on port 1 */
    ASSERT_EQ_INT(fake_count_on(&fh, 1), 1);
    rm_item_t *speech = fake_emitted_on(&fh, 1, 0);
    ASSERT_EQ_INT(speech->audio.channels, 1);
    ASSERT_EQ_INT(speech->audio.sample_format, RM_SAMPLE_F32);
    ASSERT_EQ_INT(speech->audio.sample_rate, rate);
    double speech_s = (double)speech->audio.frames / rate;
    fake_clear_emitted(&fh);
    ASSERT_EQ_INT(fake_flush(&fh), RM_OK);
    cJSON *final = json_of(fake_emitted_on(&fh, 0, 0));
    ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(final, "final")));
    cJSON *segments = cJSON_GetObjectItem(final, "segments");
    ASSERT_EQ_INT(cJSON_GetArraySize(segments), 1);
    double start = cJSON_GetArrayItem(cJSON_GetArrayItem(segments, 0), 0)->valuedouble;
    double end = cJSON_GetArrayItem(cJSON_GetArrayItem(segments, 0), 1)->valuedouble;
    ASSERT_NEAR(start, 0.95, 0.1);
    ASSERT_NEAR(end, 2.05, 0.35);
    ASSERT_NEAR(speech_s, end - start, 1.0 / rate);
    cJSON_Delete(final);
    fake_destroy(&fh);
    free(x);
    free(pcm);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST_LIST(RM_TEST_ENTRY(vadnode_matches_reference_formats_layouts),
             RM_TEST_ENTRY(vadnode_short_inputs_and_errors),
             RM_TEST_ENTRY(detector_adaptive_threshold_matches_reference_over_chunks),
             RM_TEST_ENTRY(detector_filter_mode_emits_speech_chunks_only),
             RM_TEST_ENTRY(rms_kernel_and_threshold_helpers),
             RM_TEST_ENTRY(segmenter_finds_voiced_regions_in_noise_any_rate),
             RM_TEST_ENTRY(segmenter_rejects_tones_beeps_dtmf_and_noise_bursts),
             RM_TEST_ENTRY(segmenter_silence_and_bad_config),
             RM_TEST_ENTRY(segmenter_node_streams_json_and_audio))
