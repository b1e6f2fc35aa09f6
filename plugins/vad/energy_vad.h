/*
 * energy_vad.h — the frame-RMS energy VAD of the SDK contract (VADNode,
 * VoiceActivityDetector). Host-independent; computed in double so the
 * numbers match the numpy reference implementation.
 *
 * Framing: frame = int(sample_rate * frame_ms / 1000) samples of the
 * channel mean; the tail shorter than a frame is dropped; a frame's energy
 * is its RMS, sqrt(mean(x^2)).
 */
#ifndef RM_ENERGY_VAD_H
#define RM_ENERGY_VAD_H

#include <stddef.h>
#include <stdint.h>

/* Samples per frame: int(rate * ms / 1000); 0 when that is < 1. */
size_t rm_vad_frame_length(uint32_t sample_rate, double frame_ms);

/* RMS of n samples, in double (sum of squares vectorized). 0 for n == 0. */
double rm_vad_rms_f32(const float *samples, size_t n);
double rm_vad_rms_f64(const double *samples, size_t n);

/* Adaptive threshold of VoiceActivityDetector over the last energies:
 * with none, energy_threshold; else 0.7 * 2.5 * e[int(0.3 * n)]
 * + 0.3 * energy_threshold over the energies sorted ascending. */
double rm_vad_adaptive_threshold(const double *energies, size_t n,
                                 double energy_threshold);

/* The last-100-energies history of VoiceActivityDetector. */
#define RM_VAD_HISTORY 100
typedef struct rm_vad_history {
    double energies[RM_VAD_HISTORY]; /* ring */
    size_t count, next;
} rm_vad_history_t;

void rm_vad_history_add(rm_vad_history_t *history, double energy);
/* Copies the history (oldest first) into out[RM_VAD_HISTORY]; returns n. */
size_t rm_vad_history_copy(const rm_vad_history_t *history, double *out);

#endif /* RM_ENERGY_VAD_H */
