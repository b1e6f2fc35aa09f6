/*
 * energy_vad.c — frame RMS and the adaptive threshold (energy_vad.h).
 *
 * The sums of squares use `omp simd reduction` (compiled with
 * -fopenmp-simd): without permission to reassociate, the compiler keeps
 * the sum scalar, which is 10-15x slower (shared BENCHMARKS.md).
 */
#include "energy_vad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t rm_vad_frame_length(uint32_t sample_rate, double frame_ms) {
    double samples = (double)sample_rate * frame_ms / 1000.0;
    return samples >= 1.0 ? (size_t)samples : 0;
}

double rm_vad_rms_f32(const float *samples, size_t n) {
    if (n == 0) return 0.0;
    double sum = 0.0;
#pragma omp simd reduction(+ : sum)
    for (size_t i = 0; i < n; i++) {
        double v = samples[i];
        sum += v * v;
    }
    return sqrt(sum / (double)n);
}

double rm_vad_rms_f64(const double *samples, size_t n) {
    if (n == 0) return 0.0;
    double sum = 0.0;
#pragma omp simd reduction(+ : sum)
    for (size_t i = 0; i < n; i++) sum += samples[i] * samples[i];
    return sqrt(sum / (double)n);
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
