/*
 * energy_vad.c — frame RMS and the adaptive threshold (energy_vad.h).
 *
 * The sums of squares run in RM_VAD_LANES interleaved partial sums (sample
 * i into lane i % 8, each lane in sample order) combined pairwise at the
 * end: a fixed order, so the SDK's numpy twin (remotemedia.dsp.energy.
 * frame_rms) gives bit-identical energies, and one the compiler vectorises
 * without reassociating (a single scalar sum is 10-15x slower, shared
 * BENCHMARKS.md).
 */
#include "energy_vad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t rm_vad_frame_length(uint32_t sample_rate, double frame_ms) {
    double samples = (double)sample_rate * frame_ms / 1000.0;
    return samples >= 1.0 ? (size_t)samples : 0;
}

#define RM_VAD_LANES 8

static double lanes_total(const double lanes[RM_VAD_LANES]) {
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
           ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

double rm_vad_rms_f32(const float *samples, size_t n) {
    if (n == 0) return 0.0;
    double lanes[RM_VAD_LANES] = {0};
    size_t i = 0;
    for (; i + RM_VAD_LANES <= n; i += RM_VAD_LANES)
        for (size_t l = 0; l < RM_VAD_LANES; l++) {
            double v = samples[i + l];
            lanes[l] += v * v;
        }
    for (size_t l = 0; i < n; i++, l++) {
        double v = samples[i];
        lanes[l] += v * v;
    }
    return sqrt(lanes_total(lanes) / (double)n);
}

double rm_vad_rms_f64(const double *samples, size_t n) {
    if (n == 0) return 0.0;
    double lanes[RM_VAD_LANES] = {0};
    size_t i = 0;
    for (; i + RM_VAD_LANES <= n; i += RM_VAD_LANES)
        for (size_t l = 0; l < RM_VAD_LANES; l++)
            lanes[l] += samples[i + l] * samples[i + l];
    for (size_t l = 0; i < n; i++, l++) lanes[l] += samples[i] * samples[i];
    return sqrt(lanes_total(lanes) / (double)n);
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double rm_vad_adaptive_threshold(const double *energies, size_t n,
                                 double energy_threshold) {
    if (n == 0) return energy_threshold;
    double sorted[RM_VAD_HISTORY];
    if (n > RM_VAD_HISTORY) {
        energies += n - RM_VAD_HISTORY;
        n = RM_VAD_HISTORY;
    }
    memcpy(sorted, energies, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_doubles);
    size_t index = (size_t)(0.3 * (double)n);
    return 0.7 * 2.5 * sorted[index] + 0.3 * energy_threshold;
}

void rm_vad_history_add(rm_vad_history_t *history, double energy) {
    history->energies[history->next] = energy;
    history->next = (history->next + 1) % RM_VAD_HISTORY;
    if (history->count < RM_VAD_HISTORY) history->count++;
}

size_t rm_vad_history_copy(const rm_vad_history_t *history, double *out) {
    size_t oldest = (history->next + RM_VAD_HISTORY - history->count) %
                    RM_VAD_HISTORY;
    for (size_t i = 0; i < history->count; i++)
        out[i] = history->energies[(oldest + i) % RM_VAD_HISTORY];
    return history->count;
}
