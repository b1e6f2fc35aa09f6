/*
 * test_segmenter_espeak.c — SpeechSegmenter on real synthetic speech:
 * espeak-ng renders two sentences at test time; they are placed between
 * stretches of noise (white, and mains hum + white) at 20 and 10 dB SNR,
 * streamed through the node in 100 ms chunks, and the segments must cover
 * the true speech regions (from the clean signal) with no segment in the
 * noise-only stretches.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "fake_host.h"
#include "rm_test.h"
#include "segmenter.h"

const rm_plugin_descriptor_t *rm_plugin_entry(void);

static float *speak_voice(const char *text, const char *voice, int *rate,
                          size_t *frames) {
    char path[] = "/tmp/rm-espeak-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -v %s -w %s \"%s\"", ESPEAK_NG_PATH, voice,
             path, text);
    ASSERT_EQ_INT(system(cmd), 0);
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    ASSERT_NOT_NULL(f);
    float *x = malloc((size_t)info.frames * sizeof(float));
    ASSERT_EQ_INT(sf_readf_float(f, x, info.frames), info.frames);
    sf_close(f);
    unlink(path);
    *rate = info.samplerate;
    *frames = (size_t)info.frames;
    return x;
}

static float *speak(const char *text, int *rate, size_t *frames) {
    return speak_voice(text, "en", rate, frames);
}

typedef struct region { size_t from, to; } region_t;

/* Where the clean clip is audible: first/last sample above 1 % of peak. */
static region_t audible(const float *x, size_t n, size_t offset) {
    float peak = 0;
    for (size_t i = 0; i < n; i++) peak = fabsf(x[i]) > peak ? fabsf(x[i]) : peak;
    size_t a = 0, b = n;
    while (a < n && fabsf(x[a]) < 0.01f * peak) a++;
    while (b > a && fabsf(x[b - 1]) < 0.01f * peak) b--;
    region_t r = {offset + a, offset + b};
    return r;
}

static double overlap(double a0, double a1, double b0, double b1) {
    double lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
    return hi > lo ? hi - lo : 0;
}

static void run_case(double snr_db, int hum) {
    int rate = 0;
    size_t n1 = 0, n2 = 0;
    float *s1 = speak("The quick brown fox jumps over the lazy dog.", &rate, &n1);
    int rate2 = 0;
    float *s2 = speak("Speech segments should be found in noise.", &rate2, &n2);
    ASSERT_EQ_INT(rate, rate2);
    size_t gap0 = (size_t)rate, gap1 = (size_t)(1.5 * rate), gap2 = (size_t)rate;
    size_t n = gap0 + n1 + gap1 + n2 + gap2;
    float *x = calloc(n, sizeof(float));
    memcpy(x + gap0, s1, n1 * sizeof(float));
    memcpy(x + gap0 + n1 + gap1, s2, n2 * sizeof(float));
    region_t truth[2] = {audible(s1, n1, gap0), audible(s2, n2, gap0 + n1 + gap1)};
    double speech_power = 0;
    size_t speech_samples = 0;
    for (int r = 0; r < 2; r++)
        for (size_t i = truth[r].from; i < truth[r].to; i++) {
            speech_power += (double)x[i] * x[i];
            speech_samples++;
        }
    speech_power /= (double)speech_samples;
    double noise_rms = sqrt(speech_power / pow(10, snr_db / 10));
    uint32_t seed = 42;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        double white = ((double)seed / 4294967296.0 - 0.5) * sqrt(12.0);
        double v = white;
        if (hum) v = 0.5 * white + 1.0 * sin(2 * 3.14159265 * 50 * (double)i / rate) +
                     0.5 * sin(2 * 3.14159265 * 150 * (double)i / rate);
        x[i] += (float)(noise_rms * v);
    }

    fake_host_t fh;
    ASSERT_NOT_NULL(fake_find_type(rm_plugin_entry(), "SpeechSegmenter"));
    ASSERT_EQ_INT(fake_create(&fh, fake_find_type(rm_plugin_entry(), "SpeechSegmenter"),
                              NULL),
                  RM_OK);
    size_t chunk = (size_t)rate / 10;
    for (size_t at = 0; at < n; at += chunk) {
        size_t len = n - at < chunk ? n - at : chunk;
        rm_item_t *in = fake_audio(&fh, (uint32_t)rate, 1, RM_SAMPLE_F32,
                                   RM_LAYOUT_PLANAR, len, x + at);
        ASSERT_EQ_INT(fake_process(&fh, in), RM_OK);
        fake_unref(in);
    }
    /* frame accuracy against the truth (a frame is speech if its middle
     * is inside a true region) */
    size_t correct = 0, total = 0, false_alarms = 0, misses = 0;
    for (size_t k = 0; k < fake_count_on(&fh, 0); k++) {
        cJSON *j = cJSON_Parse(fake_emitted_on(&fh, 0, k)->data);
        double frame_s = cJSON_GetObjectItem(j, "frame_s")->valuedouble;
        double first = cJSON_GetObjectItem(j, "first_frame")->valuedouble;
        cJSON *frames = cJSON_GetObjectItem(j, "frames");
        for (int i = 0; i < cJSON_GetArraySize(frames); i++) {
            double mid = (first + i + 0.5) * frame_s * rate;
            int want = (mid >= truth[0].from && mid < truth[0].to) ||
                       (mid >= truth[1].from && mid < truth[1].to);
            int got = cJSON_GetArrayItem(frames, i)->valueint != 0;
            correct += got == want;
            false_alarms += got && !want;
            misses += !got && want;
            total++;
        }
        cJSON_Delete(j);
    }
    fake_clear_emitted(&fh);
    ASSERT_EQ_INT(fake_flush(&fh), RM_OK);
    cJSON *final = cJSON_Parse(fake_emitted_on(&fh, 0, 0)->data);
    cJSON *segments = cJSON_GetObjectItem(final, "segments");
    int count = cJSON_GetArraySize(segments);
    printf("  snr %.0f dB%s: %d segments, frame accuracy %.3f (%zu false "
           "alarms, %zu misses of %zu);",
           snr_db, hum ? " (hum)" : "", count, (double)correct / (double)total,
           false_alarms, misses, total);
    double covered[2] = {0, 0};
    for (int s = 0; s < count; s++) {
        double a = cJSON_GetArrayItem(cJSON_GetArrayItem(segments, s), 0)->valuedouble;
        double b = cJSON_GetArrayItem(cJSON_GetArrayItem(segments, s), 1)->valuedouble;
        printf(" [%.2f, %.2f]", a, b);
        double hit = 0;
        for (int r = 0; r < 2; r++) {
            double o = overlap(a, b, (double)truth[r].from / rate,
                               (double)truth[r].to / rate);
            covered[r] += o;
            hit += o;
        }
        if (hit <= 0) RM__FAIL("segment [%.2f, %.2f] lies in noise only", a, b);
    }
    printf("  truth [%.2f, %.2f] [%.2f, %.2f]\n", (double)truth[0].from / rate,
           (double)truth[0].to / rate, (double)truth[1].from / rate,
           (double)truth[1].to / rate);
    for (int r = 0; r < 2; r++) {
        double length = (double)(truth[r].to - truth[r].from) / rate;
        if (covered[r] < 0.9 * length)
            RM__FAIL("true region %d covered %.2f of %.2f s", r, covered[r], length);
    }
    /* raw frame decisions: pauses between words count as speech in the
     * truth, so this floor is looser than the segment checks */
    ASSERT_TRUE((double)correct / (double)total >= 0.75);
    cJSON_Delete(final);
    fake_destroy(&fh);
    free(x);
    free(s1);
    free(s2);
}

/* ---- babble ---------------------------------------------------------------
 * Six espeak-ng talkers (other voices and sentences than the foreground),
 * each talking without pause, summed at equal level: 8 s of babble. Alone
 * it must give few segments (at most 1.6 s in all); with a foreground sentence 10 dB above
 * it, the segments must cover the sentence and little else. */
static const char *babble_voices[] = {"en+m3", "en+f2", "en-us", "en+m5",
                                      "en+f4", "en-gb-scotland"};
static const char *babble_texts[] = {
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It is easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch."};

static float *make_babble(size_t n, int *rate) {
    float *b = calloc(n, sizeof(float));
    for (int t = 0; t < 6; t++) {
        size_t len = 0;
        float *clip = speak_voice(babble_texts[t], babble_voices[t], rate, &len);
        double power = 0;
        for (size_t i = 0; i < len; i++) power += (double)clip[i] * clip[i];
        double gain = 1.0 / sqrt(power / (double)len);
        size_t offset = (size_t)t * len / 6; /* talkers out of step */
        for (size_t i = 0; i < n; i++)
            b[i] += (float)(gain * clip[(i + offset) % len]);
        free(clip);
    }
    return b;
}

/* Segments of x (segmenter defaults); total segment time inside and
 * outside [from, to). */
static int babble_segments(const float *x, size_t n, int rate, size_t from,
                           size_t to, double *inside, double *outside) {
    rm_segmenter_config_t cfg = {(uint32_t)rate, 30, 0.7, 100, 300, 100, 0,
                                 0};
    char error[128];
    rm_segmenter_t *s = rm_segmenter_create(&cfg, error, sizeof error);
    ASSERT_NOT_NULL(s);
    size_t chunk = (size_t)rate / 10;
    for (size_t at = 0; at < n; at += chunk)
        ASSERT_EQ_INT(rm_segmenter_push(s, x + at, n - at < chunk ? n - at : chunk),
                      0);
    ASSERT_EQ_INT(rm_segmenter_finish(s), 0);
    size_t count = 0;
    const rm_segment_t *seg = rm_segmenter_segments(s, &count, NULL);
    *inside = *outside = 0;
    for (size_t k = 0; k < count; k++) {
        double o = overlap(seg[k].start_s, seg[k].end_s, (double)from / rate,
                           (double)to / rate);
        *inside += o;
        *outside += seg[k].end_s - seg[k].start_s - o;
        printf(" [%.2f, %.2f]", seg[k].start_s, seg[k].end_s);
    }
    printf("\n");
    rm_segmenter_destroy(s);
    return (int)count;
}

RM_TEST(espeak_babble_alone_is_not_speech) {
    int rate = 0;
    size_t probe_len = 0;
    free(speak("a", &rate, &probe_len)); /* espeak-ng's rate */
    size_t n = (size_t)rate * 8;
    float *b = make_babble(n, &rate);
    for (size_t i = 0; i < n; i++) b[i] *= 0.02f; /* -34 dBFS per talker */
    double inside = 0, outside = 0;
    printf("  babble alone:");
    babble_segments(b, n, rate, 0, 0, &inside, &outside);
    /* "few": at most a fifth of the time (the detector before the
     * background learning called all 8 s speech) */
    if (outside > 1.6)
        RM__FAIL("%.2f s of 8 s of babble called speech", outside);
    free(b);
}

RM_TEST(espeak_speech_over_babble_10db) {
    int rate = 0;
    size_t len = 0;
    float *s1 = speak("Speech segments should be found in noise.", &rate, &len);
    size_t n = (size_t)rate * 8, at = (size_t)rate * 3;
    ASSERT_TRUE(at + len < n);
    float *x = make_babble(n, &rate);
    region_t truth = audible(s1, len, at);
    double speech_power = 0, babble_power = 0;
    for (size_t i = truth.from; i < truth.to; i++)
        speech_power += (double)s1[i - at] * s1[i - at];
    speech_power /= (double)(truth.to - truth.from);
    for (size_t i = 0; i < n; i++) babble_power += (double)x[i] * x[i];
    babble_power /= (double)n;
    double gain = sqrt(speech_power / babble_power / 10.0); /* 10 dB SNR */
    for (size_t i = 0; i < n; i++) x[i] = (float)(gain * x[i]);
    for (size_t i = 0; i < len; i++) x[at + i] += s1[i];
    double inside = 0, outside = 0;
    printf("  speech over babble, 10 dB: truth [%.2f, %.2f]:",
           (double)truth.from / rate, (double)truth.to / rate);
    babble_segments(x, n, rate, truth.from, truth.to, &inside, &outside);
    double length = (double)(truth.to - truth.from) / rate;
    if (inside < 0.8 * length)
        RM__FAIL("segments cover %.2f of the %.2f s sentence", inside, length);
    if (outside > 1.0)
        RM__FAIL("%.2f s of babble-only time called speech", outside);
    free(x);
    free(s1);
}

RM_TEST(espeak_white_noise_20db) { run_case(20, 0); }
RM_TEST(espeak_white_noise_10db) { run_case(10, 0); }
RM_TEST(espeak_mains_hum_10db) { run_case(10, 1); }

RM_TEST_LIST(RM_TEST_ENTRY(espeak_white_noise_20db),
             RM_TEST_ENTRY(espeak_white_noise_10db),
             RM_TEST_ENTRY(espeak_mains_hum_10db),
             RM_TEST_ENTRY(espeak_babble_alone_is_not_speech),
             RM_TEST_ENTRY(espeak_speech_over_babble_10db))
