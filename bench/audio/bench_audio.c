/*
 * bench_audio.c — the audio plugins against their targets and peers
 * (shared BENCHMARKS.md): format conversion vs memcpy and a scalar loop,
 * resampling (our kernel and node layer vs raw libsoxr and libsamplerate,
 * with quality figures), and VAD time per frame.
 *
 * Every comparison runs side by side in one process, interleaved
 * (A B C A B C ...), and reports medians and ratios: the machines are
 * shared and noisy. Usage: bench_audio [convert|resample|ratio|latency|vad]...
 */
#include <math.h>
#include <samplerate.h>
#include <soxr.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../bench_cpu.h"
#include "convert.h"
#include "energy_vad.h"
#include "fake_host.h"
#include "resample_quality.h"
#include "resampler.h"
#include "segmenter.h"

const rm_plugin_descriptor_t *rm_plugin_entry(void);

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this thread: on a shared, loaded machine the wall clock
 * counts other processes' time slices; the VAD figures use this. */
static double cpu_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, size_t n) {
    qsort(values, n, sizeof *values, compare_double);
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

static volatile float sink_float; /* keeps results observable */

/* ---- format conversion ------------------------------------------------- */

/* The naive loop a user would write, kept scalar on purpose. */
__attribute__((optimize("no-tree-vectorize"), noinline)) static void
scalar_i16_to_f32(const int16_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = (float)src[i] / 32768.0f;
}

__attribute__((optimize("no-tree-vectorize"), noinline)) static void
scalar_f32_to_i16(const float *src, int16_t *dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = src[i] * 32768.0f;
        v = v != v ? 0.0f : v;
        v = v < -32768.0f ? -32768.0f : v > 32767.0f ? 32767.0f : v;
        dst[i] = (int16_t)lrintf(v);
    }
}

static void bench_convert(void) {
    enum { N = 1000000, REPS = 201 };
    int16_t *pcm = malloc(N * sizeof(int16_t));
    float *f32 = malloc(N * sizeof(float));
    float *copy_src = malloc(N * sizeof(float));
    float *copy_dst = malloc(N * sizeof(float));
    int16_t *pcm_out = malloc(N * sizeof(int16_t));
    for (size_t i = 0; i < N; i++) {
        pcm[i] = (int16_t)((i * 7919) % 65536 - 32768);
        copy_src[i] = (float)sin((double)i * 0.01);
    }
    /* warm every buffer (no first-touch page faults in the timings) */
    memset(f32, 0, N * sizeof(float));
    memset(copy_dst, 0, N * sizeof(float));
    memset(pcm_out, 0, N * sizeof(int16_t));
    static double t_ours[REPS], t_memcpy[REPS], t_scalar[REPS],
        t_ours_back[REPS], t_scalar_back[REPS];
    for (int r = 0; r < REPS; r++) {
        double t0 = now_s();
        rm_convert_samples(pcm, RM_SAMPLE_I16, f32, RM_SAMPLE_F32, N);
        double t1 = now_s();
        memcpy(copy_dst, copy_src, N * sizeof(float));
        double t2 = now_s();
        scalar_i16_to_f32(pcm, copy_dst, N);
        double t3 = now_s();
        rm_convert_samples(f32, RM_SAMPLE_F32, pcm_out, RM_SAMPLE_I16, N);
        double t4 = now_s();
        scalar_f32_to_i16(f32, pcm_out, N);
        double t5 = now_s();
        t_ours[r] = t1 - t0;
        t_memcpy[r] = t2 - t1;
        t_scalar[r] = t3 - t2;
        t_ours_back[r] = t4 - t3;
        t_scalar_back[r] = t5 - t4;
        sink_float = f32[r] + copy_dst[r];
    }
    double ours = median(t_ours, REPS), mc = median(t_memcpy, REPS),
           scalar = median(t_scalar, REPS), back = median(t_ours_back, REPS),
           scalar_back = median(t_scalar_back, REPS);
    /* The variants the hot kernels' target_clones resolvers pick here
     * (plugins/common/convert.c: to-float AVX2; to-int also x86-64-v4). */
#if defined(RM_CONVERT_VARIANT) /* bench_audio_variant_N: one variant */
    static const char *const built[] = {"", "x86-64 baseline only",
                                        "avx2 only", "x86-64-v4 only"};
    const char *variant = built[RM_CONVERT_VARIANT], *variant_back = variant;
    if ((RM_CONVERT_VARIANT == 2 && !__builtin_cpu_supports("avx2")) ||
        (RM_CONVERT_VARIANT == 3 && !__builtin_cpu_supports("x86-64-v4"))) {
        printf("\n(%s: this CPU cannot run it)\n", variant);
        return;
    }
#elif defined(__x86_64__) && defined(__GNUC__)
    const char *variant = __builtin_cpu_supports("avx2") ? "avx2 clone"
                                                         : "x86-64 baseline";
    const char *variant_back = __builtin_cpu_supports("x86-64-v4")
                                   ? "x86-64-v4 (AVX-512) clone"
                                   : variant;
#else
    const char *variant = "portable build", *variant_back = variant;
#endif
    printf("\n### Format conversion, 1,000,000 samples (median of %d, "
           "interleaved)\n\nCPU: %s; dispatched kernels: i16→f32 %s, "
           "f32→i16 %s\n\n",
           REPS, bench_cpu_model(), variant, variant_back);
    printf("| operation | median µs | vs memcpy of the 4 MB output |\n");
    printf("|---|---:|---:|\n");
    printf("| i16→f32, ours (rm_convert_samples, %s) | %.1f | %.2f× |\n",
           variant, ours * 1e6, ours / mc);
    printf("| memcpy 4 MB (reused buffers) | %.1f | 1.00× |\n", mc * 1e6);
    printf("| i16→f32, scalar loop | %.1f | %.2f× |\n", scalar * 1e6,
           scalar / mc);
    printf("| f32→i16 clamp+round, ours (%s) | %.1f | %.2f× |\n",
           variant_back, back * 1e6, back / mc);
    printf("| f32→i16 clamp+round, scalar lrintf loop | %.1f | %.2f× |\n",
           scalar_back * 1e6, scalar_back / mc);
    free(pcm);
    free(f32);
    free(copy_src);
    free(copy_dst);
    free(pcm_out);
}

/* ---- resampling -------------------------------------------------------- */

typedef struct rate_pair {
    uint32_t from, to;
} rate_pair_t;

static const char *const quality_names[] = {"low", "medium", "high",
                                            "very_high"};

/* Our kernel, one-shot: push all, finish, pop. */
static double time_ours(const rm_resampler_config_t *cfg, const float *in,
                        size_t frames, float *out) {
    char error[256];
    double t0 = now_s();
    rm_resampler_t *r = rm_resampler_create(cfg, error, sizeof error);
    rm_resampler_push(r, in, frames, error, sizeof error);
    rm_resampler_finish(r, error, sizeof error);
    rm_resampler_pop(r, out, rm_resampler_available(r));
    rm_resampler_destroy(r);
    return now_s() - t0;
}

/* Raw libsoxr, the way its examples drive it: one process + drain. */
static double time_raw_soxr(uint32_t from, uint32_t to, int quality,
                            const float *in, size_t frames, float *out,
                            size_t out_capacity) {
    static const unsigned long recipes[] = {SOXR_LQ, SOXR_MQ, SOXR_HQ,
                                            SOXR_VHQ};
    double t0 = now_s();
    soxr_quality_spec_t q = soxr_quality_spec(recipes[quality], 0);
    soxr_runtime_spec_t rt = soxr_runtime_spec(1);
    soxr_error_t error = NULL;
    soxr_t s = soxr_create(from, to, 1, &error, NULL, &q, &rt);
    size_t idone = 0, odone = 0, total = 0;
    soxr_process(s, in, frames, &idone, out, out_capacity, &odone);
    total += odone;
    do {
        soxr_process(s, NULL, 0, NULL, out + total, out_capacity - total,
                     &odone);
        total += odone;
    } while (odone > 0 && total < out_capacity);
    soxr_delete(s);
    return now_s() - t0;
}

static double time_raw_samplerate(uint32_t from, uint32_t to, int quality,
                                  const float *in, size_t frames, float *out,
                                  size_t out_capacity) {
    static const int converters[] = {SRC_SINC_FASTEST, SRC_SINC_MEDIUM_QUALITY,
                                     SRC_SINC_BEST_QUALITY,
                                     SRC_SINC_BEST_QUALITY};
    double t0 = now_s();
    SRC_DATA data = {0};
    data.data_in = in;
    data.input_frames = (long)frames;
    data.data_out = out;
    data.output_frames = (long)out_capacity;
    data.src_ratio = (double)to / from;
    src_simple(&data, converters[quality], 1);
    return now_s() - t0;
}

/* The node layer: AudioResampleNode through the fake host, 1 s chunks. */
static double time_node(uint32_t from, uint32_t to, const float *in,
                        size_t frames) {
    const rm_plugin_descriptor_t *plugin = rm_plugin_entry();
    const rm_node_type_t *type = fake_find_type(plugin, "AudioResampleNode");
    char rate[32];
    snprintf(rate, sizeof rate, "%u", to);
    const char *const params[] = {"target_sample_rate", rate, NULL};
    static fake_host_t fh;
    double t0 = now_s();
    fake_create(&fh, type, params);
    for (size_t at = 0; at < frames; at += from) {
        size_t n = frames - at < from ? frames - at : from;
        rm_item_t *item = fake_audio(&fh, from, 1, RM_SAMPLE_F32,
                                     RM_LAYOUT_PLANAR, 0, NULL);
        /* wrap the input without copying it (as the runtime does) */
        item->audio.frames = n;
        free(item->data);
        item->data = (void *)(in + at);
        item->size = n * sizeof(float);
        fake_process(&fh, item);
        item->data = NULL;
        fake_unref(item);
        fake_clear_emitted(&fh); /* consumers drop the outputs */
    }
    fake_flush(&fh);
    fake_destroy(&fh);
    return now_s() - t0;
}

static void bench_resample(void) {
    const rate_pair_t pairs[] = {{48000, 16000}, {44100, 16000},
                                 {16000, 48000}, {8000, 16000}};
    enum { SECONDS = 10, REPS = 15 };
    printf("\n### Resampling: ms per second of audio (median of %d runs of "
           "%d s mono f32, interleaved ours / raw libsoxr / libsamplerate)\n",
           REPS, SECONDS);
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        uint32_t from = pairs[p].from, to = pairs[p].to;
        size_t frames = (size_t)from * SECONDS;
        float *in = malloc(frames * sizeof(float));
        uint32_t seed = 3;
        for (size_t i = 0; i < frames; i++) {
            seed = seed * 1664525u + 1013904223u;
            in[i] = (float)(0.3 * sin(i * 0.05) +
                            0.1 * ((double)seed / 4294967296.0 - 0.5));
        }
        size_t out_capacity = (size_t)rm_resampled_length(frames, from, to) +
                              4096;
        float *out = malloc(out_capacity * sizeof(float));
        memset(out, 0, out_capacity * sizeof(float));
        printf("\n#### %u → %u Hz\n\n", from, to);
        printf("| quality | ours (soxr) | raw libsoxr | ours / raw | "
               "libsamplerate (raw) | ours (samplerate backend) | "
               "aliasing dB (soxr) | 1 kHz SNR dB (soxr) | 0.1 dB band Hz "
               "(soxr) | aliasing dB (samplerate) | 1 kHz SNR dB "
               "(samplerate) |\n");
        printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int q = 0; q < 4; q++) {
            rm_resampler_config_t cfg = {RM_RESAMPLE_SOXR,
                                         (rm_resample_quality_t)q,
                                         RM_RESAMPLE_LINEAR_PHASE, from, to,
                                         1, RM_SAMPLE_F32,
                                         RM_LAYOUT_PLANAR};
            rm_resampler_config_t src_cfg = cfg;
            src_cfg.backend = RM_RESAMPLE_SAMPLERATE;
            double t_ours[REPS], t_raw[REPS], t_src[REPS], t_src_ours[REPS];
            for (int r = 0; r < REPS; r++) {
                t_ours[r] = time_ours(&cfg, in, frames, out);
                t_raw[r] = time_raw_soxr(from, to, q, in, frames, out,
                                         out_capacity);
                t_src[r] = q == 3 ? 0
                                  : time_raw_samplerate(from, to, q, in,
                                                        frames, out,
                                                        out_capacity);
                t_src_ours[r] =
                    q == 3 ? 0 : time_ours(&src_cfg, in, frames, out);
            }
            double ours = median(t_ours, REPS) * 1e3 / SECONDS;
            double raw = median(t_raw, REPS) * 1e3 / SECONDS;
            double src = median(t_src, REPS) * 1e3 / SECONDS;
            double src_ours = median(t_src_ours, REPS) * 1e3 / SECONDS;
            int downsampling = to < from;
            double alias = downsampling ? rq_aliasing_db(&cfg, 10000.0) : NAN;
            double snr = rq_passband_snr_db(&cfg, 1000.0);
            double band = rq_bandwidth_hz(&cfg);
            double src_alias = NAN, src_snr = NAN;
            if (q < 3) {
                src_alias = downsampling ? rq_aliasing_db(&src_cfg, 10000.0)
                                         : NAN;
                src_snr = rq_passband_snr_db(&src_cfg, 1000.0);
            }
            printf("| %s | %.3f | %.3f | %.2f× | ", quality_names[q], ours,
                   raw, ours / raw);
            if (q < 3)
                printf("%.3f | %.3f | ", src, src_ours);
            else
                printf("(= high) | (= high) | ");
            printf(downsampling ? "%.1f | " : "n/a | ", alias);
            printf("%.1f | %.0f | ", snr, band);
            if (q < 3) {
                printf(downsampling ? "%.1f | " : "n/a | ", src_alias);
                printf("%.1f |\n", src_snr);
            } else {
                printf("— | — |\n");
            }
            fflush(stdout);
        }
        /* node layer at high: 1 s chunks through AudioResampleNode */
        double t_node[REPS], t_kernel[REPS];
        rm_resampler_config_t cfg = {RM_RESAMPLE_SOXR, RM_RESAMPLE_HIGH,
                                     RM_RESAMPLE_LINEAR_PHASE, from, to, 1,
                                     RM_SAMPLE_F32, RM_LAYOUT_PLANAR};
        for (int r = 0; r < REPS; r++) {
            t_node[r] = time_node(from, to, in, frames);
            t_kernel[r] = time_raw_soxr(from, to, 2, in, frames, out,
                                        out_capacity);
        }
        (void)cfg;
        double node = median(t_node, REPS) * 1e3 / SECONDS;
        double raw = median(t_kernel, REPS) * 1e3 / SECONDS;
        printf("\nNode layer (AudioResampleNode, high, 1 s chunks, fake "
               "host, output items allocated per chunk): %.3f ms per s of "
               "audio; raw libsoxr HQ one-shot in the same runs: %.3f; "
               "ratio %.2f×\n",
               node, raw, node / raw);
        free(in);
        free(out);
    }
}

/* Raw libsoxr fed 1 s chunks into a reused output buffer: the streaming
 * equivalent of the node layer. */
static double time_raw_soxr_chunked(uint32_t from, uint32_t to,
                                    const float *in, size_t frames,
                                    float *out, size_t out_capacity) {
    double t0 = now_s();
    soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
    soxr_runtime_spec_t rt = soxr_runtime_spec(1);
    soxr_error_t error = NULL;
    soxr_t s = soxr_create(from, to, 1, &error, NULL, &q, &rt);
    size_t idone = 0, odone = 0;
    for (size_t at = 0; at < frames; at += from) {
        size_t n = frames - at < from ? frames - at : from;
        soxr_process(s, in + at, n, &idone, out, out_capacity, &odone);
    }
    do soxr_process(s, NULL, 0, NULL, out, out_capacity, &odone);
    while (odone > 0);
    soxr_delete(s);
    return now_s() - t0;
}

/* Ratios of adjacent A/B runs (robust to load drifting during the run):
 * the median of per-pair ratios, high quality, 48 -> 16 kHz. */
static void bench_ratio(void) {
    enum { SECONDS = 10, PAIRS = 41 };
    const uint32_t from = 48000, to = 16000;
    size_t frames = (size_t)from * SECONDS;
    float *in = malloc(frames * sizeof(float));
    for (size_t i = 0; i < frames; i++) in[i] = (float)(0.3 * sin(i * 0.05));
    size_t cap = (size_t)rm_resampled_length(frames, from, to) + 4096;
    float *out = malloc(cap * sizeof(float));
    memset(out, 0, cap * sizeof(float));
    rm_resampler_config_t cfg = {RM_RESAMPLE_SOXR, RM_RESAMPLE_HIGH,
                                 RM_RESAMPLE_LINEAR_PHASE, from, to, 1,
                                 RM_SAMPLE_F32, RM_LAYOUT_PLANAR};
    double kernel[PAIRS], node[PAIRS], raw_one[PAIRS], raw_chunked[PAIRS];
    double r_kernel[PAIRS], r_node_chunked[PAIRS], r_node_one[PAIRS];
    for (int i = 0; i < PAIRS; i++) {
        raw_one[i] = time_raw_soxr(from, to, 2, in, frames, out, cap);
        kernel[i] = time_ours(&cfg, in, frames, out);
        raw_chunked[i] = time_raw_soxr_chunked(from, to, in, frames, out, cap);
        node[i] = time_node(from, to, in, frames);
        r_kernel[i] = kernel[i] / raw_one[i];
        r_node_chunked[i] = node[i] / raw_chunked[i];
        r_node_one[i] = node[i] / raw_one[i];
    }
    printf("\n### Resampling overhead vs raw libsoxr HQ, 48 → 16 kHz, 10 s "
           "mono (%d adjacent pairs; median of per-pair ratios)\n\n", PAIRS);
    printf("| ours | peer | ours ms/s | peer ms/s | median ratio |\n"
           "|---|---|---:|---:|---:|\n");
    printf("| kernel one-shot (push, finish, pop) | raw soxr one-shot into a "
           "warm buffer | %.3f | %.3f | %.2f× |\n",
           median(kernel, PAIRS) * 1e3 / SECONDS,
           median(raw_one, PAIRS) * 1e3 / SECONDS, median(r_kernel, PAIRS));
    printf("| AudioResampleNode, 1 s chunks (fake host) | raw soxr fed 1 s "
           "chunks, warm buffer | %.3f | %.3f | %.2f× |\n",
           median(node, PAIRS) * 1e3 / SECONDS,
           median(raw_chunked, PAIRS) * 1e3 / SECONDS,
           median(r_node_chunked, PAIRS));
    printf("| AudioResampleNode, 1 s chunks (fake host) | raw soxr one-shot "
           "into a warm buffer | %.3f | %.3f | %.2f× |\n",
           median(node, PAIRS) * 1e3 / SECONDS,
           median(raw_one, PAIRS) * 1e3 / SECONDS, median(r_node_one, PAIRS));
    free(in);
    free(out);
}

/* ---- resampler latency on live-sized chunks ------------------------------ */

static void bench_latency(void) {
    const char *phase_names[] = {"linear", "intermediate", "minimum"};
    const uint32_t from = 48000, to = 16000;
    const size_t chunk = from / 100; /* 10 ms */
    const size_t frames = (size_t)from * 10;
    float *in = malloc(frames * sizeof(float));
    for (size_t i = 0; i < frames; i++) in[i] = (float)(0.3 * sin(i * 0.05));
    float *out = malloc(frames * sizeof(float));
    printf("\n### Resampler latency, 48 → 16 kHz fed 10 ms chunks (kernel, "
           "emit as soon as ready): audio held back after each chunk\n\n");
    printf("| quality | phase | mean ms | max ms |\n|---|---|---:|---:|\n");
    for (int q = 0; q < 4; q++)
        for (int ph = 0; ph < 3; ph++) {
            rm_resampler_config_t cfg = {RM_RESAMPLE_SOXR,
                                         (rm_resample_quality_t)q,
                                         (rm_resample_phase_t)ph, from, to,
                                         1, RM_SAMPLE_F32, RM_LAYOUT_PLANAR};
            char error[256];
            rm_resampler_t *r = rm_resampler_create(&cfg, error, sizeof error);
            double sum = 0, worst = 0;
            size_t in_total = 0, out_total = 0, pushes = 0;
            for (size_t at = 0; at + chunk <= frames; at += chunk) {
                rm_resampler_push(r, in + at, chunk, error, sizeof error);
                size_t n = rm_resampler_available(r);
                rm_resampler_pop(r, out, n);
                in_total += chunk;
                out_total += n;
                double held = ((double)in_total / from -
                               (double)out_total / to) * 1e3;
                if (at >= frames / 10) { /* after the start-up */
                    sum += held;
                    pushes++;
                    if (held > worst) worst = held;
                }
            }
            rm_resampler_destroy(r);
            printf("| %s | %s | %.1f | %.1f |\n", quality_names[q],
                   phase_names[ph], sum / (double)pushes, worst);
        }
    free(in);
    free(out);
}

/* ---- VAD ------------------------------------------------------------------ */

static void bench_vad(void) {
    enum { SECONDS = 20, REPS = 15 };
    printf("\n### VAD: µs per frame, thread CPU time (median of %d runs over %d s of audio)\n\n",
           REPS, SECONDS);
    printf("| detector | rate | frame | µs per frame |\n|---|---:|---:|---:|\n");
    const uint32_t rates[] = {16000, 48000};
    for (size_t ri = 0; ri < 2; ri++) {
        uint32_t rate = rates[ri];
        size_t n = (size_t)rate * SECONDS;
        float *x = malloc(n * sizeof(float));
        uint32_t seed = 5;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1664525u + 1013904223u;
            x[i] = (float)(((i / rate) % 2 ? 0.2 : 0.01) *
                           ((double)seed / 4294967296.0 - 0.5));
        }
        /* energy RMS kernel */
        size_t frame = rm_vad_frame_length(rate, 30);
        size_t frames = n / frame;
        double t[REPS], t_seg30[REPS], t_seg10[REPS];
        for (int r = 0; r < REPS; r++) {
            double acc = 0, t0 = cpu_now_s();
            for (size_t f = 0; f < frames; f++)
                acc += rm_vad_rms_f32(x + f * frame, frame);
            t[r] = (cpu_now_s() - t0) / (double)frames;
            sink_float = (float)acc;
            const uint32_t frame_ms[] = {30, 10};
            for (int k = 0; k < 2; k++) {
                rm_segmenter_config_t cfg = {rate, frame_ms[k], 0.5, 100,
                                             300, 100, 0, 0};
                char error[128];
                rm_segmenter_t *s = rm_segmenter_create(&cfg, error,
                                                        sizeof error);
                double s0 = cpu_now_s();
                for (size_t at = 0; at < n; at += rate / 10)
                    rm_segmenter_push(s, x + at, rate / 10);
                rm_segmenter_finish(s);
                double per = (cpu_now_s() - s0) /
                             (double)(n / rm_segmenter_frame_length(s));
                if (k == 0) t_seg30[r] = per;
                else t_seg10[r] = per;
                rm_segmenter_destroy(s);
            }
        }
        printf("| energy RMS (VADNode kernel) | %u | 30 ms | %.3f |\n", rate,
               median(t, REPS) * 1e6);
        printf("| SpeechSegmenter kernel (100 ms chunks) | %u | 30 ms | "
               "%.3f |\n",
               rate, median(t_seg30, REPS) * 1e6);
        printf("| SpeechSegmenter kernel (100 ms chunks) | %u | 10 ms | "
               "%.3f |\n",
               rate, median(t_seg10, REPS) * 1e6);
        free(x);
    }
}

int main(int argc, char **argv) {
    int all = argc < 2;
    for (int i = 0; i < (all ? 1 : argc - 1); i++) {
        const char *what = all ? "" : argv[i + 1];
        if (all || strcmp(what, "convert") == 0) bench_convert();
        if (all || strcmp(what, "resample") == 0) bench_resample();
        if (all || strcmp(what, "ratio") == 0) bench_ratio();
        if (all || strcmp(what, "latency") == 0) bench_latency();
        if (all || strcmp(what, "vad") == 0) bench_vad();
    }
    return 0;
}
