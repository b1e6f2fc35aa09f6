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
 *             blocks of 0.25 s) of the band power smoothed over ~80 ms
 *   flatness  spectral flatness (geometric / arithmetic mean) of the same
 *             band, at most 1: ~0.56 for white noise, ~0.1 for voiced speech
 *   ratio     band power / power in 80 Hz..min(8 kHz, Nyquist)
 *   tonal     <= 2 spectral peaks within 30 dB of the band's largest bin,
 *             holding >= 60 % of the band power within +-2 bins (tones,
 *             chords, DTMF)
 *   background: noise_db, background flatness and ratio, averaged (0.5 s)
 *             over frames less than 6 dB above the floor (stationary noise
 *             and babble), so the score is relative to the background
 *   floor_snr = clip(band_db - floor_db, -5, 30); snr_average = ~50 ms
 *             average of clip(band_db - noise_db, -5, 30); ratio_excess =
 *             ~50 ms average of ratio - background ratio
 *   z = -2.800 + 0.199 floor_snr + 0.347 snr_average + 4.351 flatness
 *       - 2.172 bg_flat - 7.045 ratio_excess
 *       + 5.932 (bg_flat - flatness) bg_flat + 0.385 floor_snr bg_flat
 *       (bg_flat: the background flatness; the products let the weight of
 *       a flatness drop and of the level grow with how noise-like, i.e.
 *       flat, the background is: large in white noise, small in babble)
 *       (logistic regression on generated speech: bench/vad/train_vad.py)
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
    double threshold;         /* score threshold, 0..1 (node default 0.7) */
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
