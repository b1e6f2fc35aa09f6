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

const rm_plugin_descriptor_t *rm_plugin_entry(void);

static float *speak(const char *text, int *rate, size_t *frames) {
    char path[] = "/tmp/rm-espeak-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -w %s \"%s\"", ESPEAK_NG_PATH, path, text);
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

RM_TEST(espeak_white_noise_20db) { run_case(20, 0); }
RM_TEST(espeak_white_noise_10db) { run_case(10, 0); }
RM_TEST(espeak_mains_hum_10db) { run_case(10, 1); }

RM_TEST_LIST(RM_TEST_ENTRY(espeak_white_noise_20db),
             RM_TEST_ENTRY(espeak_white_noise_10db),
             RM_TEST_ENTRY(espeak_mains_hum_10db))
