/*
 * segmenter.c — SpeechSegmenter's detector (see segmenter.h for the model).
 * kiss_fftr does the transform; this file computes the features, the
 * noise floor, the score and the segment state machine.
 */
#include "segmenter.h"
#include "segmenter_model.h"

#include <kiss_fftr.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLOOR_BLOCKS 12          /* minimum statistics: 12 blocks ...   */
#define FLOOR_BLOCK_SECONDS 0.25 /* ... of 0.25 s = a 3 s window          */
#define HYSTERESIS 0.1
#define SPEECH_LOW_HZ 300.0
#define SPEECH_HIGH_HZ 3400.0
#define TOTAL_LOW_HZ 80.0
#define TOTAL_HIGH_HZ 8000.0
#define QUIET_GATE_DB (-65.0)
#define FLOOR_SMOOTHING_SECONDS 0.08
#define PI 3.14159265358979323846
#define ANALYSIS_RATE 16000     /* decimate by floor(rate / this) first  */
#define NEAR_FLOOR_DB 6.0       /* frames this close to the floor teach  */
#define BACKGROUND_SECONDS 0.5  /* ... the background level and shape   */
#define SNR_AVERAGE_SECONDS 0.05
#define SNR_MIN_DB (-5.0)
#define SNR_MAX_DB 30.0
#define PEAK_RANGE 1e-3         /* peaks counted within 30 dB of the top */
#define TONAL_PEAKS 2           /* <= this many peaks: a tone, not speech */
#define TONAL_CONCENTRATION 0.6 /* ... holding this much of the band   */
#define TONAL_PENALTY 40.0
#define NOISY_FLATNESS 0.25     /* noise-like frames (flat, little of the */
#define NOISY_RATIO 0.7         /* power in the speech band) far above    */
#define NOISY_SNR_DB 10.0       /* the floor are bursts, not speech       */
#define NOISY_WEIGHT 3.0
#define AT_FLOOR_DB 2.0         /* a frame at the floor is not speech,    */
#define AT_FLOOR_WEIGHT 3.0     /* whatever the averages still say       */
/* Context averages of the model's inputs (seconds) and clips. */
#define SNR_LONG_SECONDS 0.3
#define FLATNESS_AVERAGE_SECONDS 0.1
#define FLUX_SECONDS 0.2
#define DELTA_MAX_DB 20.0
#define BACKGROUND_EXCESS_MAX_DB 20.0
#define MODEL_FRAME_SECONDS 0.03 /* the frame-length input: 1 at 30 ms   */

struct rm_segmenter {
    rm_segmenter_config_t config;
    size_t frame_length, fft_length;
    size_t decimation, analysis_length; /* analysed: frame_length /
                                           decimation means of samples */
    double frame_seconds;
    size_t speech_bin_lo, speech_bin_hi, total_bin_lo, total_bin_hi;
    double power_to_ms; /* band power -> mean square */
    kiss_fftr_cfg fft;
    float *window, *frame_in, *pending;
    kiss_fft_cpx *spectrum;
    double *power;
    size_t pending_count;

    /* background: level and shape of frames near the floor */
    int background_started;
    double noise_db, background_flatness, background_ratio;
    double background_rate, snr_average, ratio_excess, snr_rate;
    /* context of the model's inputs */
    double snr_long, snr_long_rate, flatness_average, flatness_rate;
    double flux, flux_rate, previous_band_db;

    /* noise floor */
    double block_min[FLOOR_BLOCKS];
    size_t blocks_filled, block_next, frames_in_block, frames_per_block;
    double current_block_min;
    uint64_t floor_frames;      /* frames the floor has seen */
    uint64_t floor_warmup_frames; /* the smoother's warm-up: ~80 ms */
    double smoothed_power, smoothing; /* floor input: band power averaged
                                         over ~80 ms, so the minimum does
                                         not chase single low frames */

    /* per-push results */
    uint8_t *decisions;
    float *scores;
    size_t frame_count, frame_capacity;
    uint64_t first_frame, frames_total;

    /* decisions -> segments */
    int speaking;   /* hysteresis state */
    int in_segment;
    uint64_t segment_start, last_speech, silence_run;
    uint64_t segment_speech_frames; /* speech frames inside the open one */
    size_t min_speech_frames, min_silence_frames;
    uint64_t max_segment_frames; /* 0 = no limit */
    rm_segment_t *segments;
    size_t segment_count, segment_capacity, new_segments;

    /* kept audio: history from absolute sample `history_origin` */
    float *history;
    size_t history_count, history_capacity;
    uint64_t history_origin, samples_total;
    float *segment_audio;    /* audio of the new segments, concatenated */
    size_t segment_audio_count, segment_audio_capacity;
    size_t *segment_audio_offsets; /* new_segments + 1 entries */
    size_t offsets_capacity;
};

static void set_error(char *error, size_t error_len, const char *fmt, ...) {
    if (!error || !error_len) return;
    va_list args;
    va_start(args, fmt);
    vsnprintf(error, error_len, fmt, args);
    va_end(args);
}

/* Smallest even n >= want whose only prime factors are 2, 3, 5 (fast in
 * kissfft). */
static size_t nice_fft_length(size_t want) {
    for (size_t n = want + (want & 1);; n += 2) {
        size_t m = n;
        while (m % 2 == 0) m /= 2;
        while (m % 3 == 0) m /= 3;
        while (m % 5 == 0) m /= 5;
        if (m == 1) return n;
    }
}

static size_t hz_to_bin(double hz, double bin_hz, size_t max_bin) {
    double bin = floor(hz / bin_hz + 0.5);
    if (bin < 1) bin = 1;
    return bin > (double)max_bin ? max_bin : (size_t)bin;
}

static int grow(void **buffer, size_t *capacity, size_t needed,
                size_t element) {
    if (*capacity >= needed) return 0;
    size_t capacity_new = *capacity ? *capacity : 64;
    while (capacity_new < needed) capacity_new *= 2;
    void *grown = realloc(*buffer, capacity_new * element);
    if (!grown) return -1;
    *buffer = grown;
    *capacity = capacity_new;
    return 0;
}

rm_segmenter_t *rm_segmenter_create(const rm_segmenter_config_t *config,
                                    char *error, size_t error_len) {
    if (config->frame_ms != 10 && config->frame_ms != 20 &&
        config->frame_ms != 30) {
        set_error(error, error_len, "frame_ms %u is not 10, 20 or 30",
                  config->frame_ms);
        return NULL;
    }
    if (config->sample_rate < 1000 || config->sample_rate > 768000) {
        set_error(error, error_len,
                  "sample_rate %u Hz is outside 1000..768000",
                  config->sample_rate);
        return NULL;
    }
    if (!(config->threshold >= 0.0 && config->threshold <= 1.0)) {
        set_error(error, error_len, "threshold %g is outside 0..1",
                  config->threshold);
        return NULL;
    }
    rm_segmenter_t *s = calloc(1, sizeof *s);
    if (!s) goto oom;
    s->config = *config;
    s->frame_length = (size_t)config->sample_rate * config->frame_ms / 1000;
    s->frame_seconds = (double)s->frame_length / config->sample_rate;
    s->decimation = config->sample_rate / ANALYSIS_RATE;
    if (s->decimation < 1) s->decimation = 1;
    s->analysis_length = s->frame_length / s->decimation;
    s->fft_length = nice_fft_length(s->analysis_length);
    double bin_hz = (double)config->sample_rate / (double)s->decimation /
                    (double)s->fft_length;
    size_t nyquist_bin = s->fft_length / 2;
    s->speech_bin_lo = hz_to_bin(SPEECH_LOW_HZ, bin_hz, nyquist_bin);
    s->speech_bin_hi = hz_to_bin(SPEECH_HIGH_HZ, bin_hz, nyquist_bin);
    s->total_bin_lo = hz_to_bin(TOTAL_LOW_HZ, bin_hz, nyquist_bin);
    s->total_bin_hi = hz_to_bin(TOTAL_HIGH_HZ, bin_hz, nyquist_bin);
    s->fft = kiss_fftr_alloc((int)s->fft_length, 0, NULL, NULL);
    s->window = malloc(s->analysis_length * sizeof(float));
    s->frame_in = calloc(s->fft_length, sizeof(float));
    s->pending = malloc(s->frame_length * sizeof(float));
    s->spectrum = malloc((nyquist_bin + 1) * sizeof(kiss_fft_cpx));
    s->power = malloc((nyquist_bin + 1) * sizeof(double));
    if (!s->fft || !s->window || !s->frame_in || !s->pending ||
        !s->spectrum || !s->power)
        goto oom;
    double window_energy = 0.0;
    for (size_t i = 0; i < s->analysis_length; i++) {
        double w = 0.5 - 0.5 * cos(2.0 * PI * (double)i /
                                   (double)s->analysis_length);
        s->window[i] = (float)w;
        window_energy += w * w;
    }
    /* Parseval: one-sided sum |X|^2 ~ fft_length * sum (w x)^2 / 2. */
    s->power_to_ms = 2.0 / ((double)s->fft_length * window_energy);
    s->frames_per_block =
        (size_t)ceil(FLOOR_BLOCK_SECONDS / s->frame_seconds);
    s->current_block_min = INFINITY;
    s->smoothing = exp(-s->frame_seconds / FLOOR_SMOOTHING_SECONDS);
    s->floor_warmup_frames =
        (uint64_t)ceil(FLOOR_SMOOTHING_SECONDS / s->frame_seconds);
    s->smoothed_power = -1.0;
    s->background_rate = 1.0 - exp(-s->frame_seconds / BACKGROUND_SECONDS);
    s->snr_rate = 1.0 - exp(-s->frame_seconds / SNR_AVERAGE_SECONDS);
    s->snr_long_rate = 1.0 - exp(-s->frame_seconds / SNR_LONG_SECONDS);
    s->flatness_rate =
        1.0 - exp(-s->frame_seconds / FLATNESS_AVERAGE_SECONDS);
    s->flux_rate = 1.0 - exp(-s->frame_seconds / FLUX_SECONDS);
    s->min_speech_frames =
        (size_t)ceil(config->min_speech_ms / 1000.0 / s->frame_seconds);
    s->min_silence_frames =
        (size_t)ceil(config->min_silence_ms / 1000.0 / s->frame_seconds);
    if (s->min_silence_frames < 1) s->min_silence_frames = 1;
    s->max_segment_frames =
        config->max_segment_ms
            ? (uint64_t)ceil(config->max_segment_ms / 1000.0 / s->frame_seconds)
            : 0;
    return s;
oom:
    set_error(error, error_len, "out of memory");
    rm_segmenter_destroy(s);
    return NULL;
}

void rm_segmenter_destroy(rm_segmenter_t *s) {
    if (!s) return;
    kiss_fftr_free(s->fft);
    free(s->window);
    free(s->frame_in);
    free(s->pending);
    free(s->spectrum);
    free(s->power);
    free(s->decisions);
    free(s->scores);
    free(s->segments);
    free(s->history);
    free(s->segment_audio);
    free(s->segment_audio_offsets);
    free(s);
}

/* ---- noise floor --------------------------------------------------------- */

static double noise_floor_update(rm_segmenter_t *s, double band_power) {
    s->smoothed_power = s->smoothed_power < 0
                            ? band_power
                            : s->smoothing * s->smoothed_power +
                                  (1.0 - s->smoothing) * band_power;
    double band_db = 10.0 * log10(s->smoothed_power + 1e-12);
    /* The smoother's warm-up frames (all in the first block) gave a
     * minimum within NEAR_FLOOR_DB of the first settled level: the
     * background's own wobble (one frame of steady noise can sit a few dB
     * below its level), not a quieter start (silence, a speech onset):
     * forget it, or it holds the floor down for the whole window. */
    if (++s->floor_frames == s->floor_warmup_frames + 1 &&
        s->current_block_min >= band_db - NEAR_FLOOR_DB)
        s->current_block_min = INFINITY;
    if (band_db < s->current_block_min) s->current_block_min = band_db;
    double floor_db = s->current_block_min;
    for (size_t b = 0; b < s->blocks_filled; b++)
        if (s->block_min[b] < floor_db) floor_db = s->block_min[b];
    if (++s->frames_in_block >= s->frames_per_block) {
        s->block_min[s->block_next] = s->current_block_min;
        s->block_next = (s->block_next + 1) % FLOOR_BLOCKS;
        if (s->blocks_filled < FLOOR_BLOCKS) s->blocks_filled++;
        s->current_block_min = INFINITY;
        s->frames_in_block = 0;
    }
    return floor_db;
}

/* ---- one frame ------------------------------------------------------------ */

static double clamp(double v, double lo, double hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* A tone, a chord or DTMF: at most TONAL_PEAKS spectral peaks (local
 * maxima, strictly above the left neighbour and at least the right one) in
 * the speech band within 30 dB of its largest bin, with at least
 * TONAL_CONCENTRATION of the band power within +-2 bins of them. Voiced
 * speech has many peaks (harmonics) at 30 ms; at 10 ms, where harmonics
 * are not resolved, its few formant peaks are wide. */
static int is_tonal(const rm_segmenter_t *s, double band) {
    const double *p = s->power;
    double top = 0.0;
    for (size_t k = s->speech_bin_lo; k <= s->speech_bin_hi; k++)
        if (p[k] > top) top = p[k];
    double least = top * PEAK_RANGE; /* power ratio */
    size_t peaks = 0, at[TONAL_PEAKS];
    for (size_t k = s->speech_bin_lo + 1; k < s->speech_bin_hi; k++)
        if (p[k] > p[k - 1] && p[k] >= p[k + 1] && p[k] > least) {
            if (peaks == TONAL_PEAKS) return 0;
            at[peaks++] = k;
        }
    double near = 0.0;
    for (size_t k = s->speech_bin_lo; k <= s->speech_bin_hi; k++)
        for (size_t j = 0; j < peaks; j++)
            if (k + 2 >= at[j] && k <= at[j] + 2) {
                near += p[k];
                break;
            }
    return near >= TONAL_CONCENTRATION * band;
}

/* The learnt logit: one tanh hidden layer (segmenter_model.h, fitted by
 * bench/vad/train_vad.py; the twin's _model_score()). */
static double model_score(const double inputs[MODEL_INPUTS]) {
    double hidden[MODEL_HIDDEN];
    for (size_t j = 0; j < MODEL_HIDDEN; j++) hidden[j] = MODEL_B1[j];
    for (size_t i = 0; i < MODEL_INPUTS; i++)
        for (size_t j = 0; j < MODEL_HIDDEN; j++)
            hidden[j] += inputs[i] * MODEL_W1[i][j];
    double z = 0.0;
    for (size_t j = 0; j < MODEL_HIDDEN; j++)
        z += tanh(hidden[j]) * MODEL_W2[j];
    return z + MODEL_B2;
}

static double frame_score(rm_segmenter_t *s, const float *frame) {
    size_t d = s->decimation;
    for (size_t i = 0; i < s->analysis_length; i++) {
        float v = 0.0f;
        for (size_t j = 0; j < d; j++) {
            float x = frame[i * d + j];
            v += isfinite(x) ? x : 0.0f;
        }
        if (d > 1) v /= (float)d;
        s->frame_in[i] = v * s->window[i];
    }
    kiss_fftr(s->fft, s->frame_in, s->spectrum);
    /* The speech band lies inside the total band (hz_to_bin is monotone,
     * both capped at the same bin): one pass computes every power. */
    double total = 0.0;
    for (size_t k = s->total_bin_lo; k <= s->total_bin_hi; k++) {
        s->power[k] = (double)s->spectrum[k].r * s->spectrum[k].r +
                      (double)s->spectrum[k].i * s->spectrum[k].i;
        total += s->power[k];
    }
    /* log of the geometric mean: one log per 8 bins (a product of 8 powers
     * in [1e-20, 1e12] cannot leave double's range) */
    double band = 0.0, log_sum = 0.0, product = 1.0;
    size_t in_product = 0;
    for (size_t k = s->speech_bin_lo; k <= s->speech_bin_hi; k++) {
        double p = s->power[k];
        band += p;
        product *= p + 1e-20;
        if (++in_product == 8) {
            log_sum += log(product);
            product = 1.0;
            in_product = 0;
        }
    }
    log_sum += log(product);
    size_t band_bins = s->speech_bin_hi - s->speech_bin_lo + 1;
    double band_mean = band / (double)band_bins;
    double flatness = band_mean > 0.0
                          ? exp(log_sum / (double)band_bins) / band_mean
                          : 1.0;
    if (!(flatness <= 1.0)) flatness = 1.0;
    double ratio = total > 0.0 ? band / total : 0.0;
    double band_db = 10.0 * log10(band * s->power_to_ms + 1e-12);
    double floor_db = noise_floor_update(s, band * s->power_to_ms);

    /* background level and shape, learnt from frames near the floor
     * (stationary noise, or babble, which never leaves it for long) */
    if (!s->background_started) {
        s->background_started = 1;
        s->noise_db = band_db;
        s->background_flatness = flatness;
        s->background_ratio = ratio;
        s->previous_band_db = band_db;
    } else if (band_db < floor_db + NEAR_FLOOR_DB) {
        double a = s->background_rate;
        s->noise_db += a * (band_db - s->noise_db);
        s->background_flatness += a * (flatness - s->background_flatness);
        s->background_ratio += a * (ratio - s->background_ratio);
    }
    if (s->noise_db < floor_db) s->noise_db = floor_db;
    double snr = clamp(band_db - s->noise_db, SNR_MIN_DB, SNR_MAX_DB);
    s->snr_average += s->snr_rate * (snr - s->snr_average);
    s->ratio_excess += s->snr_rate * (ratio - s->background_ratio -
                                      s->ratio_excess);
    double floor_snr = clamp(band_db - floor_db, SNR_MIN_DB, SNR_MAX_DB);

    s->snr_long += s->snr_long_rate * (snr - s->snr_long);
    s->flatness_average += s->flatness_rate * (flatness - s->flatness_average);
    double delta =
        clamp(band_db - s->previous_band_db, -DELTA_MAX_DB, DELTA_MAX_DB);
    s->previous_band_db = band_db;
    s->flux += s->flux_rate * (fabs(delta) - s->flux);
    double background = s->background_flatness;
    double inputs[MODEL_INPUTS] = {
        floor_snr / 10.0,
        snr / 10.0,
        s->snr_average / 10.0,
        s->snr_long / 10.0,
        flatness,
        s->flatness_average,
        background,
        ratio - s->background_ratio,
        s->ratio_excess,
        s->background_ratio,
        delta / 10.0,
        s->flux / 10.0,
        clamp(s->noise_db - floor_db, 0.0, BACKGROUND_EXCESS_MAX_DB) / 10.0,
        (background - flatness) * background,
        floor_snr * background / 10.0,
        s->frame_seconds / MODEL_FRAME_SECONDS,
    };
    double z = model_score(inputs);
    if (flatness > NOISY_FLATNESS && ratio < NOISY_RATIO &&
        floor_snr > NOISY_SNR_DB)
        z -= NOISY_WEIGHT * (flatness - NOISY_FLATNESS) * 100.0 *
             (floor_snr - NOISY_SNR_DB) / (SNR_MAX_DB - NOISY_SNR_DB);
    if (floor_snr < AT_FLOOR_DB)
        z -= AT_FLOOR_WEIGHT * (AT_FLOOR_DB - floor_snr);
    if (is_tonal(s, band)) z -= TONAL_PENALTY;
    if (band_db < QUIET_GATE_DB) z -= 0.5 * (QUIET_GATE_DB - band_db);
    return 1.0 / (1.0 + exp(-z));
}

/* ---- segments ------------------------------------------------------------- */

static int keep_segment_audio(rm_segmenter_t *s, const rm_segment_t *seg) {
    uint64_t from = seg->start_sample < s->history_origin
                        ? s->history_origin
                        : seg->start_sample;
    uint64_t to = seg->end_sample;
    if (to > s->history_origin + s->history_count)
        to = s->history_origin + s->history_count;
    size_t n = to > from ? (size_t)(to - from) : 0;
    if (grow((void **)&s->segment_audio, &s->segment_audio_capacity,
             s->segment_audio_count + n, sizeof(float)) ||
        grow((void **)&s->segment_audio_offsets, &s->offsets_capacity,
             s->new_segments + 2, sizeof(size_t)))
        return -1;
    memcpy(s->segment_audio + s->segment_audio_count,
           s->history + (from - s->history_origin), n * sizeof(float));
    s->segment_audio_offsets[s->new_segments] = s->segment_audio_count;
    s->segment_audio_count += n;
    s->segment_audio_offsets[s->new_segments + 1] = s->segment_audio_count;
    return 0;
}

static int close_segment(rm_segmenter_t *s) {
    s->in_segment = 0;
    /* Count speech frames, not the span: two isolated false frames a few
     * frames apart must not make a segment. */
    if (s->segment_speech_frames < s->min_speech_frames) return 0;
    uint64_t pad = (uint64_t)s->config.padding_ms * s->config.sample_rate /
                   1000;
    uint64_t start = s->segment_start * s->frame_length;
    uint64_t end = (s->last_speech + 1) * s->frame_length;
    start = start > pad ? start - pad : 0;
    end += pad;
    if (end > s->samples_total) end = s->samples_total;
    if (s->segment_count) {
        uint64_t previous_end = s->segments[s->segment_count - 1].end_sample;
        if (start < previous_end) start = previous_end;
    }
    if (grow((void **)&s->segments, &s->segment_capacity,
             s->segment_count + 1, sizeof(rm_segment_t)))
        return -1;
    rm_segment_t *seg = &s->segments[s->segment_count];
    seg->start_sample = start;
    seg->end_sample = end;
    seg->start_s = (double)start / s->config.sample_rate;
    seg->end_s = (double)end / s->config.sample_rate;
    if (s->config.keep_audio && keep_segment_audio(s, seg)) return -1;
    s->segment_count++;
    s->new_segments++;
    return 0;
}

static int track_decision(rm_segmenter_t *s, uint64_t frame, int speech) {
    if (speech) {
        if (!s->in_segment) {
            s->in_segment = 1;
            s->segment_start = frame;
            s->segment_speech_frames = 0;
        }
        s->segment_speech_frames++;
        s->last_speech = frame;
        s->silence_run = 0;
        if (s->max_segment_frames &&
            frame + 1 - s->segment_start >= s->max_segment_frames)
            return close_segment(s);
        return 0;
    }
    if (s->in_segment && ++s->silence_run >= s->min_silence_frames)
        return close_segment(s);
    return 0;
}

/* Drop kept audio nobody can need any more: everything before the open
 * segment's padded start, or before the last padding + frame when idle. */
static void trim_history(rm_segmenter_t *s) {
    uint64_t pad = (uint64_t)s->config.padding_ms * s->config.sample_rate /
                   1000;
    uint64_t keep_from;
    if (s->in_segment) {
        uint64_t start = s->segment_start * s->frame_length;
        keep_from = start > pad ? start - pad : 0;
    } else {
        uint64_t recent = pad + 2 * s->frame_length +
                          s->min_silence_frames * s->frame_length;
        keep_from = s->samples_total > recent ? s->samples_total - recent : 0;
    }
    if (keep_from <= s->history_origin) return;
    size_t drop = (size_t)(keep_from - s->history_origin);
    if (drop > s->history_count) drop = s->history_count;
    memmove(s->history, s->history + drop,
            (s->history_count - drop) * sizeof(float));
    s->history_count -= drop;
    s->history_origin += drop;
}

static int process_frame(rm_segmenter_t *s, const float *frame) {
    double score = frame_score(s, frame);
    double threshold = s->config.threshold;
    s->speaking = s->speaking ? score >= threshold - HYSTERESIS
                              : score >= threshold;
    if (s->frame_count == s->frame_capacity) {
        size_t capacity = s->frame_capacity ? 2 * s->frame_capacity : 64;
        uint8_t *decisions = realloc(s->decisions, capacity);
        if (!decisions) return -1;
        s->decisions = decisions;
        float *scores = realloc(s->scores, capacity * sizeof(float));
        if (!scores) return -1;
        s->scores = scores;
        s->frame_capacity = capacity;
    }
    s->decisions[s->frame_count] = (uint8_t)s->speaking;
    s->scores[s->frame_count] = (float)score;
    s->frame_count++;
    return track_decision(s, s->frames_total++, s->speaking);
}

static void begin_results(rm_segmenter_t *s) {
    s->frame_count = 0;
    s->first_frame = s->frames_total;
    s->new_segments = 0;
    s->segment_audio_count = 0;
}

int rm_segmenter_push(rm_segmenter_t *s, const float *mono, size_t count) {
    begin_results(s);
    if (s->config.keep_audio) {
        if (grow((void **)&s->history, &s->history_capacity,
                 s->history_count + count, sizeof(float)))
            return -1;
        memcpy(s->history + s->history_count, mono, count * sizeof(float));
        s->history_count += count;
    }
    size_t used = 0;
    while (used < count) {
        size_t take = s->frame_length - s->pending_count;
        if (take > count - used) take = count - used;
        memcpy(s->pending + s->pending_count, mono + used,
               take * sizeof(float));
        s->pending_count += take;
        used += take;
        s->samples_total += take;
        if (s->pending_count == s->frame_length) {
            s->pending_count = 0;
            if (process_frame(s, s->pending)) return -1;
        }
    }
    if (s->config.keep_audio) trim_history(s);
    return 0;
}

int rm_segmenter_finish(rm_segmenter_t *s) {
    begin_results(s);
    if (s->in_segment) return close_segment(s);
    return 0;
}

size_t rm_segmenter_frame_count(const rm_segmenter_t *s) {
    return s->frame_count;
}
const uint8_t *rm_segmenter_decisions(const rm_segmenter_t *s) {
    return s->decisions;
}
const float *rm_segmenter_scores(const rm_segmenter_t *s) {
    return s->scores;
}
uint64_t rm_segmenter_first_frame(const rm_segmenter_t *s) {
    return s->first_frame;
}

const rm_segment_t *rm_segmenter_segments(const rm_segmenter_t *s,
                                          size_t *count, size_t *new_count) {
    if (count) *count = s->segment_count;
    if (new_count) *new_count = s->new_segments;
    return s->segments;
}

const float *rm_segmenter_segment_audio(const rm_segmenter_t *s,
                                        size_t new_index, size_t *samples) {
    if (!s->config.keep_audio || new_index >= s->new_segments) {
        *samples = 0;
        return NULL;
    }
    size_t from = s->segment_audio_offsets[new_index];
    *samples = s->segment_audio_offsets[new_index + 1] - from;
    return s->segment_audio + from;
}

size_t rm_segmenter_frame_length(const rm_segmenter_t *s) {
    return s->frame_length;
}
double rm_segmenter_frame_seconds(const rm_segmenter_t *s) {
    return s->frame_seconds;
}
