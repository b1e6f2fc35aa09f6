/*
 * resample_quality.h — quality measures of a resampler configuration
 * (shared BENCHMARKS.md): aliasing rejection, passband SNR against the
 * exact analytic sine, and the 0.1 dB bandwidth. Used by the benchmark and
 * by tests/c/audio (which asserts floors on them).
 */
#ifndef RM_RESAMPLE_QUALITY_H
#define RM_RESAMPLE_QUALITY_H

#include <stddef.h>

#include "resampler.h"

/* One-shot resample of mono f32 `in`; returns the output frame count and
 * a malloc'd buffer in *out (NULL and 0 on failure). */
size_t rq_resample_mono(const rm_resampler_config_t *config, const float *in,
                        size_t frames, float **out);

/* dB of a `freq` Hz sine (above the output Nyquist) removed by resampling:
 * 20 log10(input RMS / output RMS), output edges (10 %) excluded. */
double rq_aliasing_db(const rm_resampler_config_t *config, double freq);

/* SNR in dB of a resampled `freq` Hz sine against the exact sine at the
 * output rate (the filters are linear phase and delay-compensated by the
 * engines), 10 % edges excluded. */
double rq_passband_snr_db(const rm_resampler_config_t *config, double freq);

/* Highest frequency (Hz) whose gain is within 0.1 dB, scanning upward
 * from 0.5 x the lower Nyquist in steps of 0.25 % of it. */
double rq_bandwidth_hz(const rm_resampler_config_t *config);

#endif /* RM_RESAMPLE_QUALITY_H */
