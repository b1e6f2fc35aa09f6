/* resample_quality.c — see resample_quality.h. */
#include "resample_quality.h"

#include <math.h>
#include <stdlib.h>

#include <remotemedia/plugin.h>

#define TWO_PI 6.283185307179586476925

size_t rq_resample_mono(const rm_resampler_config_t *config, const float *in,
                        size_t frames, float **out) {
    *out = NULL;
    rm_resampler_config_t mono = *config;
    mono.channels = 1;
    mono.sample_format = RM_SAMPLE_F32;
    char error[256];
    rm_resampler_t *r = rm_resampler_create(&mono, error, sizeof error);
    if (!r) return 0;
    size_t n = 0;
    if (rm_resampler_push(r, in, frames, error, sizeof error) == 0 &&
        rm_resampler_finish(r, error, sizeof error) == 0) {
        n = rm_resampler_available(r);
        *out = malloc((n ? n : 1) * sizeof(float));
        if (*out) rm_resampler_pop(r, *out, n);
        else n = 0;
    }
    rm_resampler_destroy(r);
    return n;
}

static float *sine(double freq, double rate, size_t frames, double amp) {
    float *x = malloc((frames ? frames : 1) * sizeof(float));
    if (!x) abort();
    for (size_t i = 0; i < frames; i++)
        x[i] = (float)(amp * sin(TWO_PI * freq * (double)i / rate));
    return x;
}

static double rms(const float *x, size_t from, size_t to) {
    double sum = 0.0;
    for (size_t i = from; i < to; i++) sum += (double)x[i] * x[i];
    return to > from ? sqrt(sum / (double)(to - from)) : 0.0;
}

/* Output RMS of a sine through the resampler, edges excluded. */
static double output_rms(const rm_resampler_config_t *config, double freq,
                         double seconds, double amp) {
    size_t frames = (size_t)(config->in_rate * seconds);
    float *x = sine(freq, config->in_rate, frames, amp);
    float *y = NULL;
    size_t n = rq_resample_mono(config, x, frames, &y);
    double value = rms(y, n / 10, n - n / 10);
    free(x);
    free(y);
    return value;
}

double rq_aliasing_db(const rm_resampler_config_t *config, double freq) {
    double amp = 0.5;
    double out = output_rms(config, freq, 1.0, amp);
    double in = amp / sqrt(2.0);
    return out > 0 ? 20.0 * log10(in / out) : 300.0;
}

double rq_passband_snr_db(const rm_resampler_config_t *config, double freq) {
    size_t frames = config->in_rate; /* 1 s */
    float *x = sine(freq, config->in_rate, frames, 0.5);
    float *y = NULL;
    size_t n = rq_resample_mono(config, x, frames, &y);
    double signal = 0.0, noise = 0.0;
    for (size_t i = n / 10; i < n - n / 10; i++) {
        double want = 0.5 * sin(TWO_PI * freq * (double)i / config->out_rate);
        signal += want * want;
        noise += (y[i] - want) * (y[i] - want);
    }
    free(x);
    free(y);
    return noise > 0 ? 10.0 * log10(signal / noise) : 300.0;
}

double rq_bandwidth_hz(const rm_resampler_config_t *config) {
    double nyquist = 0.5 * (config->in_rate < config->out_rate
                                ? config->in_rate
                                : config->out_rate);
    double step = nyquist * 0.0025, passed = 0.0;
    for (double f = 0.5 * nyquist; f < nyquist; f += step) {
        double in = 0.5 / sqrt(2.0);
        double gain_db = 20.0 * log10(output_rms(config, f, 0.25, 0.5) / in);
        if (fabs(gain_db) > 0.1) break;
        passed = f;
    }
    return passed;
}
