/*
 * test_audio_format.c — conversion kernels (convert.c) against a
 * double-precision reference written here, and FormatConverterNode
 * through its vtable on the fake host.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "convert.h"
#include "fake_host.h"
#include "rm_test.h"

const rm_plugin_descriptor_t *rm_plugin_entry(void);

#ifdef RM_CONVERT_VARIANT
/* Built once per kernel variant (convert.c with RM_CONVERT_VARIANT): a CPU
 * that cannot run this one skips the test (exit 77, ctest's SKIP). */
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void variant_runs_here(void) {
    static const char *const names[] = {"", "x86-64 baseline", "avx2",
                                        "x86-64-v4 (AVX-512)"};
    int ok = RM_CONVERT_VARIANT == 1 ||
             (RM_CONVERT_VARIANT == 2 && __builtin_cpu_supports("avx2")) ||
             (RM_CONVERT_VARIANT == 3 && __builtin_cpu_supports("x86-64-v4"));
    printf("conversion kernels built for %s only: %s\n",
           names[RM_CONVERT_VARIANT], ok ? "this CPU runs them" : "skipped, this CPU cannot run them");
    if (!ok) exit(77);
}
#endif

/* ---- reference: everything through double, rounding by nearbyint ------ */

static double ref_read(const void *buf, uint32_t fmt, size_t i) {
    switch (fmt) {
    case RM_SAMPLE_F32: return ((const float *)buf)[i];
    case RM_SAMPLE_F64: return ((const double *)buf)[i];
    case RM_SAMPLE_I16: return ((const int16_t *)buf)[i] / 32768.0;
    default: return ((const int32_t *)buf)[i] / 2147483648.0;
    }
}

static double ref_int(double v, double scale, double lo, double hi) {
    if (isnan(v)) return 0;
    v *= scale;
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    return nearbyint(v); /* default rounding mode: ties to even */
}

/* The expected bits of one converted sample, as a double for comparison
 * (NaN compared separately). */
static double ref_convert(double v, uint32_t to) {
    switch (to) {
    case RM_SAMPLE_F32: return (float)v;
    case RM_SAMPLE_F64: return v;
    case RM_SAMPLE_I16: return ref_int(v, 32768.0, -32768.0, 32767.0);
    default: return ref_int(v, 2147483648.0, -2147483648.0, 2147483647.0);
    }
}

static double read_raw(const void *buf, uint32_t fmt, size_t i) {
    switch (fmt) {
    case RM_SAMPLE_F32: return ((const float *)buf)[i];
    case RM_SAMPLE_F64: return ((const double *)buf)[i];
    case RM_SAMPLE_I16: return ((const int16_t *)buf)[i];
    default: return ((const int32_t *)buf)[i];
    }
}

static void write_raw(void *buf, uint32_t fmt, size_t i, double v) {
    switch (fmt) {
    case RM_SAMPLE_F32: ((float *)buf)[i] = (float)v; break;
    case RM_SAMPLE_F64: ((double *)buf)[i] = v; break;
    case RM_SAMPLE_I16: ((int16_t *)buf)[i] = (int16_t)v; break;
    default: ((int32_t *)buf)[i] = (int32_t)v; break;
    }
}

/* Boundary values in each source format's raw units. */
static size_t boundary_values(uint32_t fmt, double *out) {
    size_t n = 0;
    if (fmt == RM_SAMPLE_I16) {
        const double v[] = {0, 1, -1, 32767, -32768, 16384, -16385, 255};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) out[n++] = v[i];
    } else if (fmt == RM_SAMPLE_I32) {
        const double v[] = {0, 1, -1, 2147483647.0, -2147483648.0, 65536,
                            32768, -32768, 98304, 163840, 2147450880.0,
                            2147483520.0, 12345678};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) out[n++] = v[i];
    } else {
        const double v[] = {0.0, -0.0, 1.0, -1.0, 1.5, -1.5, 0.5, -0.5,
                            32767.0 / 32768, -32768.0 / 32768,
                            32767.5 / 32768, 0.5 / 32768, 1.5 / 32768,
                            2.5 / 32768, -0.5 / 32768, 1e-30, 1e30, -1e30,
                            INFINITY, -INFINITY, NAN, 0.999999, 0.1,
                            -0.70710678118654752};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) out[n++] = v[i];
    }
    return n;
}

static const uint32_t formats[] = {RM_SAMPLE_F32, RM_SAMPLE_I16,
                                   RM_SAMPLE_I32, RM_SAMPLE_F64};

static void check_pair(uint32_t from, uint32_t to, const void *src,
                       const void *dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double in = ref_read(src, from, i);
        double want = ref_convert(in, to);
        double got = read_raw(dst, to, i);
        if (isnan(want) ? !isnan(got) : got != want)
            RM__FAIL("%s -> %s sample %zu: input %.17g gives %.17g, want "
                     "%.17g",
                     rm_sample_format_name(from), rm_sample_format_name(to),
                     i, read_raw(src, from, i), got, want);
    }
}

RM_TEST(every_pair_on_boundary_values) {
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++) {
            double values[64];
            size_t n = boundary_values(formats[a], values);
            /* repeat to 67 samples so vector bodies and tails both run */
            unsigned char src[67 * 8], dst[67 * 8];
            for (size_t i = 0; i < 67; i++)
                write_raw(src, formats[a], i, values[i % n]);
            rm_convert_samples(src, formats[a], dst, formats[b], 67);
            check_pair(formats[a], formats[b], src, dst, 67);
        }
}

RM_TEST(documented_boundaries) {
    float in[] = {1.0f, -1.0f, NAN, INFINITY, -INFINITY, 2.0f,
                  0.5f / 32768, 1.5f / 32768};
    int16_t out[8];
    rm_convert_samples(in, RM_SAMPLE_F32, out, RM_SAMPLE_I16, 8);
    ASSERT_EQ_INT(out[0], 32767);
    ASSERT_EQ_INT(out[1], -32768);
    ASSERT_EQ_INT(out[2], 0);
    ASSERT_EQ_INT(out[3], 32767);
    ASSERT_EQ_INT(out[4], -32768);
    ASSERT_EQ_INT(out[5], 32767);
    ASSERT_EQ_INT(out[6], 0); /* tie -> even */
    ASSERT_EQ_INT(out[7], 2);
    int32_t out32[8];
    rm_convert_samples(in, RM_SAMPLE_F32, out32, RM_SAMPLE_I32, 8);
    ASSERT_EQ_INT(out32[0], 2147483647);
    ASSERT_EQ_INT(out32[1], INT32_MIN);
    ASSERT_EQ_INT(out32[2], 0);
    int16_t pcm[] = {32767, -32768, 1};
    float back[3];
    rm_convert_samples(pcm, RM_SAMPLE_I16, back, RM_SAMPLE_F32, 3);
    ASSERT_TRUE(back[0] == 32767.0f / 32768.0f);
    ASSERT_TRUE(back[1] == -1.0f);
    ASSERT_TRUE(back[2] == 1.0f / 32768.0f);
}

RM_TEST(random_long_buffers_all_pairs) {
    enum { N = 10007 };
    static unsigned char src[N * 8], dst[N * 8];
    uint32_t seed = 12345;
    for (size_t a = 0; a < 4; a++) {
        for (size_t i = 0; i < N; i++) {
            seed = seed * 1664525u + 1013904223u;
            double v = ((double)seed / 4294967296.0) * 2.4 - 1.2;
            if (formats[a] == RM_SAMPLE_I16) v = floor(v * 30000);
            if (formats[a] == RM_SAMPLE_I32) v = floor(v * 2e9);
            write_raw(src, formats[a], i, v);
        }
        for (size_t b = 0; b < 4; b++) {
            rm_convert_samples(src, formats[a], dst, formats[b], N);
            check_pair(formats[a], formats[b], src, dst, N);
        }
    }
}

RM_TEST(in_place_equals_out_of_place) {
    enum { N = 5000 };
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++) {
            if (rm_sample_size(formats[b]) > rm_sample_size(formats[a]))
                continue;
            static unsigned char src[N * 8], dst[N * 8], buf[N * 8];
            for (size_t i = 0; i < N; i++)
                write_raw(src, formats[a], i,
                          formats[a] == RM_SAMPLE_I16   ? (double)(i * 13 % 65536) - 32768
                          : formats[a] == RM_SAMPLE_I32 ? (double)i * 400000.0 - 1e9
                                                        : sin((double)i) * 1.1);
            rm_convert_samples(src, formats[a], dst, formats[b], N);
            memcpy(buf, src, N * rm_sample_size(formats[a]));
            ASSERT_EQ_INT(rm_convert_samples_in_place(buf, formats[a],
                                                      formats[b], N), 0);
            ASSERT_TRUE(memcmp(buf, dst, N * rm_sample_size(formats[b])) == 0);
        }
    int16_t small[4];
    ASSERT_EQ_INT(rm_convert_samples_in_place(small, RM_SAMPLE_I16,
                                              RM_SAMPLE_F32, 4), -1);
}

RM_TEST(layout_and_channel_mixing) {
    /* stereo planar f32: L = 0.1 * i, R = -0.3 */
    enum { F = 300 };
    float planar[2 * F], interleaved[2 * F], back[2 * F];
    for (size_t i = 0; i < F; i++) {
        planar[i] = 0.001f * (float)i;
        planar[F + i] = -0.3f;
    }
    rm_audio_format_t p = {16000, 2, RM_SAMPLE_F32, RM_LAYOUT_PLANAR, F};
    rm_audio_format_t il = p;
    il.layout = RM_LAYOUT_INTERLEAVED;
    ASSERT_EQ_INT(rm_convert_audio(planar, &p, interleaved, &il), 0);
    for (size_t i = 0; i < F; i++) {
        ASSERT_TRUE(interleaved[2 * i] == planar[i]);
        ASSERT_TRUE(interleaved[2 * i + 1] == planar[F + i]);
    }
    ASSERT_EQ_INT(rm_convert_audio(interleaved, &il, back, &p), 0);
    ASSERT_TRUE(memcmp(back, planar, sizeof planar) == 0);

    /* down-mix to mono i16: mean in double, then rounded */
    int16_t mono[F];
    rm_audio_format_t m = {16000, 1, RM_SAMPLE_I16, RM_LAYOUT_PLANAR, F};
    ASSERT_EQ_INT(rm_convert_audio(interleaved, &il, mono, &m), 0);
    for (size_t i = 0; i < F; i++)
        ASSERT_EQ_INT(mono[i],
                      nearbyint(((double)planar[i] + planar[F + i]) / 2 * 32768));

    /* mono -> 3 channels repeats; 3 -> 2 keeps the first two; 2 -> 3
     * repeats cyclically */
    float one[F], three[3 * F], two[2 * F], cyc[3 * F];
    for (size_t i = 0; i < F; i++) one[i] = (float)i;
    rm_audio_format_t f1 = {8000, 1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR, F};
    rm_audio_format_t f3 = {8000, 3, RM_SAMPLE_F32, RM_LAYOUT_INTERLEAVED, F};
    rm_audio_format_t f2 = {8000, 2, RM_SAMPLE_F32, RM_LAYOUT_PLANAR, F};
    rm_audio_format_t f3p = {8000, 3, RM_SAMPLE_F32, RM_LAYOUT_PLANAR, F};
    ASSERT_EQ_INT(rm_convert_audio(one, &f1, three, &f3), 0);
    for (size_t i = 0; i < F; i++)
        for (size_t c = 0; c < 3; c++) ASSERT_TRUE(three[3 * i + c] == one[i]);
    for (size_t i = 0; i < F; i++) three[3 * i + 1] = -1.0f * (float)i;
    ASSERT_EQ_INT(rm_convert_audio(three, &f3, two, &f2), 0);
    for (size_t i = 0; i < F; i++) {
        ASSERT_TRUE(two[i] == (float)i);
        ASSERT_TRUE(two[F + i] == -1.0f * (float)i);
    }
    ASSERT_EQ_INT(rm_convert_audio(two, &f2, cyc, &f3p), 0);
    for (size_t i = 0; i < F; i++) ASSERT_TRUE(cyc[2 * F + i] == two[i]);

    rm_audio_format_t wrong = f2;
    wrong.frames = F - 1;
    ASSERT_EQ_INT(rm_convert_audio(two, &f2, cyc, &wrong), -1);
}

/* Planar f32 -> mono f32 has a path of its own (downmix_planar_f32); it
 * must give the general path's bits (interleaved input still takes that
 * one): a double sum from 0.0 in channel order, divided by the count —
 * so -0.0 + -0.0 is +0.0, 1e30 - 1e30 + 1 is 1, NaN and inf pass, and
 * 3 channels divide (not multiply by 1/3). */
RM_TEST(planar_f32_downmix_equals_general_path_bit_for_bit) {
    enum { F = 1000 + 7 };
    static float planar[3 * F], interleaved[3 * F];
    static const float specials[] = {-0.0f, 0.0f, 1e30f, -1e30f, 1.0f,
                                     INFINITY, -INFINITY, NAN, 1e-45f,
                                     -1e-45f, 0.1f, 1.0f / 3.0f};
    enum { NSPECIAL = sizeof specials / sizeof specials[0] };
    uint32_t seed = 7;
    for (size_t ch = 2; ch <= 3; ch++) {
        for (size_t i = 0; i < F; i++)
            for (size_t c = 0; c < ch; c++) {
                seed = seed * 1664525u + 1013904223u;
                float v = i < NSPECIAL * NSPECIAL
                              ? specials[(c ? i / NSPECIAL : i) % NSPECIAL]
                              : (float)((double)(seed >> 8) / 8388608.0 - 1.0);
                planar[c * F + i] = v;
                interleaved[i * ch + c] = v;
            }
        float fast[F], general[F];
        rm_audio_format_t p = {16000, (uint16_t)ch, RM_SAMPLE_F32,
                               RM_LAYOUT_PLANAR, F};
        rm_audio_format_t il = p;
        il.layout = RM_LAYOUT_INTERLEAVED;
        rm_audio_format_t m = {16000, 1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR, F};
        ASSERT_EQ_INT(rm_convert_audio(planar, &p, fast, &m), 0);
        ASSERT_EQ_INT(rm_convert_audio(interleaved, &il, general, &m), 0);
        ASSERT_TRUE(memcmp(fast, general, sizeof fast) == 0);
        for (size_t i = 0; i < F; i++) {
            double sum = 0.0;
            for (size_t c = 0; c < ch; c++) sum += (double)planar[c * F + i];
            float want = (float)(sum / (double)ch);
            ASSERT_TRUE(memcmp(&fast[i], &want, sizeof want) == 0);
        }
        ASSERT_TRUE(!signbit(fast[0])); /* -0.0 + -0.0 from 0.0: +0.0 */
    }
}

/* Interleaved i16 / i32 / f32 -> planar f32 has a path of its own
 * (AudioFileSource's default); it must give the general path's values:
 * each sample as a double times 2^-15 / 2^-31 / 1, rounded to float —
 * every i16 value, i32 extremes and values wider than a float's 24 bits,
 * float specials; 2, 3 and 5 channels. */
RM_TEST(interleaved_to_planar_f32_equals_general_arithmetic) {
    enum { F = 65536 + 3 };
    static int16_t i16[5 * F];
    static int32_t i32[5 * F];
    static float f32[5 * F], got[5 * F];
    static const float specials[] = {-0.0f, 0.0f, 1e30f, -1e30f, INFINITY,
                                     -INFINITY, NAN, 1e-45f, 0.1f};
    uint32_t seed = 11;
    static const size_t channel_counts[] = {2, 3, 5};
    for (size_t k = 0; k < 3; k++) {
        size_t ch = channel_counts[k];
        for (size_t n = 0; n < F * ch; n++) {
            seed = seed * 1664525u + 1013904223u;
            i16[n] = (int16_t)(n < 65536 ? (int)n - 32768 : (int)(seed >> 16) - 32768);
            i32[n] = n == 0 ? INT32_MIN : n == 1 ? INT32_MAX : (int32_t)seed;
            f32[n] = n < 9 ? specials[n] : (float)((double)seed / 4294967296.0 - 0.5);
        }
        rm_audio_format_t planar = {48000, (uint16_t)ch, RM_SAMPLE_F32,
                                    RM_LAYOUT_PLANAR, F};
        static const uint32_t src_formats[] = {RM_SAMPLE_I16, RM_SAMPLE_I32,
                                           RM_SAMPLE_F32};
        for (int f = 0; f < 3; f++) {
            rm_audio_format_t il = planar;
            il.layout = RM_LAYOUT_INTERLEAVED;
            il.sample_format = (uint8_t)src_formats[f];
            const void *src = f == 0 ? (const void *)i16 : f == 1 ? (const void *)i32 : (const void *)f32;
            ASSERT_EQ_INT(rm_convert_audio(src, &il, got, &planar), 0);
            for (size_t i = 0; i < F; i++)
                for (size_t c = 0; c < ch; c++) {
                    size_t n = i * ch + c;
                    double v = f == 0 ? i16[n] * (1.0 / 32768.0)
                             : f == 1 ? i32[n] * (1.0 / 2147483648.0)
                                      : (double)f32[n];
                    float want = (float)v;
                    if (memcmp(&got[c * F + i], &want, sizeof want) != 0)
                        RM__FAIL("format %u, %zu channels, frame %zu channel "
                                 "%zu: %a, want %a", src_formats[f], ch, i, c,
                                 (double)got[c * F + i], (double)want);
                }
        }
    }
}

/* ---- the node ------------------------------------------------------------ */

static const rm_node_type_t *converter_type(void) {
    const rm_node_type_t *t = fake_find_type(rm_plugin_entry(),
                                             "FormatConverterNode");
    ASSERT_NOT_NULL(t);
    return t;
}

RM_TEST(node_noop_emits_same_item) {
    fake_host_t fh;
    const char *const params[] = {"target_format", "\"f32\"", NULL};
    ASSERT_EQ_INT(fake_create(&fh, converter_type(), params), RM_OK);
    rm_item_t *in = fake_audio(&fh, 16000, 2, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                               10, NULL);
    ASSERT_EQ_INT(fake_process(&fh, in), RM_OK);
    ASSERT_TRUE(fake_emitted_on(&fh, 0, 0) == in);
    fake_unref(in);
    fake_destroy(&fh);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(node_converts_i16_to_f32_planar_mono) {
    fake_host_t fh;
    const char *const params[] = {"target_format", "\"f32\"", "channels", "1",
                                  "layout", "\"planar\"", NULL};
    ASSERT_EQ_INT(fake_create(&fh, converter_type(), params), RM_OK);
    int16_t pcm[] = {32767, -32768, 100, 300, -2, 2};
    rm_item_t *in = fake_audio(&fh, 48000, 2, RM_SAMPLE_I16,
                               RM_LAYOUT_INTERLEAVED, 3, pcm);
    ASSERT_EQ_INT(fake_process(&fh, in), RM_OK);
    rm_item_t *out = fake_emitted_on(&fh, 0, 0);
    ASSERT_NOT_NULL(out);
    ASSERT_EQ_INT(out->audio.channels, 1);
    ASSERT_EQ_INT(out->audio.sample_format, RM_SAMPLE_F32);
    ASSERT_EQ_INT(out->audio.sample_rate, 48000);
    const float *f = out->data;
    ASSERT_TRUE(f[0] == (float)((32767.0 - 32768.0) / 2 / 32768));
    ASSERT_TRUE(f[1] == (float)(400.0 / 2 / 32768));
    ASSERT_TRUE(f[2] == 0.0f);
    fake_unref(in);
    fake_destroy(&fh);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(node_in_place_when_unique) {
    fake_host_t fh;
    const char *const params[] = {"target_format", "\"i16\"", NULL};
    ASSERT_EQ_INT(fake_create(&fh, converter_type(), params), RM_OK);
    float samples[] = {1.0f, -1.0f, 0.25f, NAN};
    rm_item_t *in = fake_audio(&fh, 8000, 1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                               4, samples);
    void *payload = in->data;
    ASSERT_EQ_INT(fake_process(&fh, in), RM_OK);
    rm_item_t *out = fake_emitted_on(&fh, 0, 0);
    ASSERT_TRUE(out != in);
    ASSERT_TRUE(out->data == payload); /* no copy */
    ASSERT_EQ_INT(out->audio.sample_format, RM_SAMPLE_I16);
    ASSERT_EQ_INT(out->size, 8);
    const int16_t *s = out->data;
    ASSERT_EQ_INT(s[0], 32767);
    ASSERT_EQ_INT(s[1], -32768);
    ASSERT_EQ_INT(s[2], 8192);
    ASSERT_EQ_INT(s[3], 0);
    fake_unref(in); /* the emitted item still keeps the payload alive */
    ASSERT_EQ_INT(((int16_t *)out->data)[2], 8192);
    fake_destroy(&fh);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(node_shared_input_is_copied) {
    fake_host_t fh;
    const char *const params[] = {"target_format", "\"i16\"", NULL};
    ASSERT_EQ_INT(fake_create(&fh, converter_type(), params), RM_OK);
    float samples[] = {0.5f, -0.5f};
    rm_item_t *in = fake_audio(&fh, 8000, 1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR,
                               2, samples);
    fh.host.item_ref(in); /* a second holder: not writable */
    ASSERT_EQ_INT(fake_process(&fh, in), RM_OK);
    rm_item_t *out = fake_emitted_on(&fh, 0, 0);
    ASSERT_TRUE(out->data != in->data);
    ASSERT_TRUE(((float *)in->data)[0] == 0.5f);
    fake_unref(in);
    fake_unref(in);
    fake_destroy(&fh);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(node_bad_input_errors_name_node_and_field) {
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, converter_type(), NULL), RM_OK);
    rm_item_t *json = fh.host.item_new_json(&fh.host, "{}", 2);
    ASSERT_EQ_INT(fake_process(&fh, json), RM_EKIND);
    ASSERT_STR_STARTS_WITH(fh.err.message,
                           "node 'node_under_test' (FormatConverterNode): ");
    ASSERT_STR_CONTAINS(fh.err.message, "input is JSON");
    ASSERT_EQ_INT(fh.err.transient, 0);
    fake_unref(json);

    rm_item_t *a = fake_audio(&fh, 8000, 2, RM_SAMPLE_F32, RM_LAYOUT_PLANAR, 4,
                              NULL);
    a->size = 8; /* too short for 4 x 2 floats */
    ASSERT_EQ_INT(fake_process(&fh, a), RM_EINVAL);
    ASSERT_STR_CONTAINS(fh.err.message, "bytes");
    a->size = 32;
    a->audio.sample_format = 9;
    ASSERT_EQ_INT(fake_process(&fh, a), RM_EKIND);
    ASSERT_STR_CONTAINS(fh.err.message, "sample_format");
    a->audio.sample_format = RM_SAMPLE_F32;
    a->audio.sample_rate = 0;
    ASSERT_EQ_INT(fake_process(&fh, a), RM_EINVAL);
    ASSERT_STR_CONTAINS(fh.err.message, "sample_rate");
    a->audio.sample_rate = 8000;
    a->audio.channels = 0;
    ASSERT_EQ_INT(fake_process(&fh, a), RM_EINVAL);
    ASSERT_STR_CONTAINS(fh.err.message, "channels");
    a->audio.channels = 2;
    a->audio.frames = 0; /* zero frames: nothing, no error */
    ASSERT_EQ_INT(fake_process(&fh, a), RM_OK);
    ASSERT_EQ_INT(fh.out.count, 0);
    fake_unref(a);
    fake_destroy(&fh);

    /* Bad params ("u8") never reach create: the host validates them
     * against the specs (plugin.h; tests/c/executor, test_params.py). */
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST_LIST(RM_TEST_ENTRY(every_pair_on_boundary_values),
             RM_TEST_ENTRY(planar_f32_downmix_equals_general_path_bit_for_bit),
             RM_TEST_ENTRY(interleaved_to_planar_f32_equals_general_arithmetic),
             RM_TEST_ENTRY(documented_boundaries),
             RM_TEST_ENTRY(random_long_buffers_all_pairs),
             RM_TEST_ENTRY(in_place_equals_out_of_place),
             RM_TEST_ENTRY(layout_and_channel_mixing),
             RM_TEST_ENTRY(node_noop_emits_same_item),
             RM_TEST_ENTRY(node_converts_i16_to_f32_planar_mono),
             RM_TEST_ENTRY(node_in_place_when_unique),
             RM_TEST_ENTRY(node_shared_input_is_copied),
             RM_TEST_ENTRY(node_bad_input_errors_name_node_and_field))
