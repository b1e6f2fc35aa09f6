/*
 * segmenter.h — SpeechSegmenter's detector: spectral features per frame
 * (kiss_fftr), an adaptive noise floor, a combined score with hysteresis,
 * and segments with minimum speech / silence durations and padding.
 * Host-independent; streaming (state carried across pushes).
 *
 * Per frame (frame_ms of mono audio, no overlap): at 32 kHz and up the
 * frame is first decimated by d = rate / 16000 (means of d consecutive
 * samples), then Hann-windowed and transformed (kiss_fftr).
 *   band_db   power in 300..3400 Hz (clipped to Nyquist), dB re full scale
 *   floor_db  minimum over the last ~3 s (minimum statistics, kept as 12
 *             blocks of 0.25 s) of the band power smoothed over ~80 ms;
 *             the minimum of the smoother's first ~80 ms (its warm-up) is
 *             forgotten at the first settled frame unless it lies more than
 *             6 dB below it (a quiet start, a speech onset): a single low
 *             frame of steady noise must not hold the floor down for 3 s
 *   flatness  spectral flatness (geometric / arithmetic mean) of the same
 *             band, at most 1: ~0.56 for white noise, ~0.1 for voiced speech
 *   ratio     band power / power in 80 Hz..min(8 kHz, Nyquist)
 *   tonal     <= 2 spectral peaks within 30 dB of the band's largest bin,
 *             holding >= 60 % of the band power within +-2 bins (tones,
 *             chords, DTMF)
 *   background: noise_db, background flatness and ratio, averaged (0.5 s)
 *             over frames less than 6 dB above the floor (stationary noise
 *             and babble), so the score is relative to the background
 *   floor_snr = clip(band_db - floor_db, -5, 30); snr = clip(band_db -
 *             noise_db, -5, 30); snr_average / snr_long = its averages over
 *             ~50 ms / ~300 ms; ratio_excess = ~50 ms average of ratio -
 *             background ratio; flatness_average = ~100 ms average of the
 *             flatness; delta = clip(band_db - previous frame's, -20, 20)
 *             and flux = ~200 ms average of |delta| (syllabic modulation);
 *             background_excess = clip(noise_db - floor_db, 0, 20) (babble
 *             sits above the minimum, stationary noise at it)
 *   z = a small MLP (segmenter_model.h: 16 inputs -> 32 tanh units ->
 *       logit, fitted by bench/vad/train_vad.py on generated speech,
 *       numpy only) of: floor_snr/10, snr/10, snr_average/10,
 *       snr_long/10, flatness, flatness_average, bg_flat, ratio - bg_ratio,
 *       ratio_excess, bg_ratio, delta/10, flux/10, background_excess/10,
 *       (bg_flat - flatness) bg_flat, floor_snr bg_flat / 10, and
 *       frame_seconds / 30 ms (bg_flat, bg_ratio: the background's
 *       flatness and ratio); then the hand rules:
 *       - 3 (flatness - 0.25) 100 (floor_snr - 10) / 20   noise burst: flat,
 *             ratio < 0.7, more than 10 dB over the floor
 *       - 3 (2 - floor_snr)              below 2 dB over the floor
 *       - 40                             tonal
 *       - 0.5 max(0, -65 - band_db)      quiet-signal gate
 *   score = 1 / (1 + exp(-z)) in [0, 1]
 * A frame turns speech at score >= threshold and stays speech until score
 * < threshold - 0.1 (hysteresis). Bands map to FFT bins at any rate, so no
 * resampling is needed (rates >= 32 kHz are decimated by an integer factor
 * first).
 *
 * Segments: a run of speech frames, allowing silences shorter than
 * min_silence_ms inside; closed after min_silence_ms of silence (or at
 * finish); dropped when it holds fewer than min_speech_ms of speech
 * frames; then widened by
 * padding_ms on each side, clamped to [end of the previous segment, audio
 * processed so far]. A segment that reaches max_segment_ms is closed at
 * that frame (no padding after it) and, if speech goes on, the next one
 * starts right there: the pieces are contiguous.
 */
#ifndef RM_SEGMENTER_H
#define RM_SEGMENTER_H

#include <stddef.h>
#include <stdint.h>

typedef struct rm_segmenter_config {
    uint32_t sample_rate;     /* Hz, >= 1000 */
    uint32_t frame_ms;        /* 10, 20 or 30 */
    double threshold;         /* score threshold, 0..1 (node default 0.5) */
    uint32_t min_speech_ms;
    uint32_t min_silence_ms;
    uint32_t padding_ms;
    int keep_audio;           /* keep the segments' audio (see below) */
    uint32_t max_segment_ms;  /* close a segment this long even in speech
                                 (the next starts where it ends); 0 = no
                                 limit. Bounds the audio kept for
                                 keep_audio, so memory does not grow with
                                 the length of continuous speech */
} rm_segmenter_config_t;

typedef struct rm_segment {
    double start_s, end_s;
    uint64_t start_sample, end_sample; /* [start, end) at the input rate */
} rm_segment_t;

typedef struct rm_segmenter rm_segmenter_t;

rm_segmenter_t *rm_segmenter_create(const rm_segmenter_config_t *config,
                                    char *error, size_t error_len);
void rm_segmenter_destroy(rm_segmenter_t *segmenter);

/* Feed mono samples. Clears the per-push results below first.
 * 0 or -1 (out of memory). NaN/Inf samples are treated as 0. */
int rm_segmenter_push(rm_segmenter_t *segmenter, const float *mono,
                      size_t count);

/* End of stream: closes the open segment. The partial last frame (shorter
 * than a frame) is not analysed. 0 or -1. */
int rm_segmenter_finish(rm_segmenter_t *segmenter);

/* Results of the last push: frame decisions (0/1) and scores, in order;
 * the index of the first of them in the stream. */
size_t rm_segmenter_frame_count(const rm_segmenter_t *segmenter);
const uint8_t *rm_segmenter_decisions(const rm_segmenter_t *segmenter);
const float *rm_segmenter_scores(const rm_segmenter_t *segmenter);
uint64_t rm_segmenter_first_frame(const rm_segmenter_t *segmenter);

/* All segments closed so far (stable pointer until the next push/finish),
 * and how many of them were closed by the last push/finish (the last
 * `new_count` of the list). */
const rm_segment_t *rm_segmenter_segments(const rm_segmenter_t *segmenter,
                                          size_t *count, size_t *new_count);

/* With keep_audio: the mono samples of segment `index` among the new ones
 * (0..new_count-1), valid until the next push/finish. */
const float *rm_segmenter_segment_audio(const rm_segmenter_t *segmenter,
                                        size_t new_index, size_t *samples);

/* Frame length in samples, and seconds per frame. */
size_t rm_segmenter_frame_length(const rm_segmenter_t *segmenter);
double rm_segmenter_frame_seconds(const rm_segmenter_t *segmenter);

#endif /* RM_SEGMENTER_H */
