/*
 * resampler.h — a streaming resampler with an exact output length, over
 * libsoxr (default) or libsamplerate. Host-independent.
 *
 * Length contract: after the input of a stream (all chunks) and
 * rm_resampler_finish, exactly ceil(total_in_frames * out_rate / in_rate)
 * frames per channel have been made available: the engine's own output is
 * trimmed or zero-padded at the end to hit it. While streaming, the frames
 * available never exceed ceil(in_so_far * out_rate / in_rate); anything
 * the engine produced beyond that waits in the FIFO for the next call.
 *
 * Formats: input f32, f64, i16 or i32 (soxr reads all four natively),
 * interleaved or planar; output is f64 for f64 input, else f32, in the
 * input's layout.
 */
#ifndef RM_RESAMPLER_H
#define RM_RESAMPLER_H

#include <stddef.h>
#include <stdint.h>

/* The libsamplerate backend is optional: the build leaves
 * resample_samplerate.c out when libsamplerate was not found, and then
 * backend "samplerate" is refused with RM_RESAMPLE_NO_SAMPLERATE. */
#define RM_RESAMPLE_NO_SAMPLERATE                                          \
    "backend \"samplerate\" is not available: this build has no "         \
    "libsamplerate (install libsamplerate0-dev and rebuild, or use "       \
    "backend \"soxr\")"

typedef enum rm_resample_backend {
    RM_RESAMPLE_SOXR = 0,
    RM_RESAMPLE_SAMPLERATE = 1
} rm_resample_backend_t;

typedef enum rm_resample_quality {
    RM_RESAMPLE_LOW = 0,       /* soxr LQ  / SRC_SINC_FASTEST        */
    RM_RESAMPLE_MEDIUM = 1,    /* soxr MQ  / SRC_SINC_MEDIUM_QUALITY */
    RM_RESAMPLE_HIGH = 2,      /* soxr HQ  / SRC_SINC_BEST_QUALITY   */
    RM_RESAMPLE_VERY_HIGH = 3  /* soxr VHQ / SRC_SINC_BEST_QUALITY   */
} rm_resample_quality_t;

typedef enum rm_resample_phase {
    RM_RESAMPLE_LINEAR_PHASE = 0,       /* soxr default: symmetric filter   */
    RM_RESAMPLE_INTERMEDIATE_PHASE = 1,
    RM_RESAMPLE_MINIMUM_PHASE = 2       /* lowest latency (soxr only)       */
} rm_resample_phase_t;

typedef struct rm_resampler_config {
    rm_resample_backend_t backend;
    rm_resample_quality_t quality;
    rm_resample_phase_t phase;
    uint32_t in_rate, out_rate;  /* Hz, 1..768000 */
    uint32_t channels;           /* 1..64 */
    uint32_t sample_format;      /* input rm_sample_format_t */
    uint32_t layout;             /* rm_audio_layout_t, input and output */
} rm_resampler_config_t;

typedef struct rm_resampler rm_resampler_t;

/* Whether this build has `backend` (libsamplerate is optional). */
int rm_resampler_backend_available(rm_resample_backend_t backend);

/* NULL on failure, with a message in `error` (size error_len). */
rm_resampler_t *rm_resampler_create(const rm_resampler_config_t *config,
                                    char *error, size_t error_len);
void rm_resampler_destroy(rm_resampler_t *resampler);

/* Feed `frames` input frames (layout/format of the config; planar input is
 * channel-major with `frames` samples per channel). 0 or -1 (message). */
int rm_resampler_push(rm_resampler_t *resampler, const void *input,
                      size_t frames, char *error, size_t error_len);

/* End of stream: drain the engine and pad/trim to the exact length. After
 * this only pop/available are allowed. 0 or -1 (message). */
int rm_resampler_finish(rm_resampler_t *resampler, char *error,
                        size_t error_len);

/* Frames ready to pop (within the length contract above). */
size_t rm_resampler_available(const rm_resampler_t *resampler);

/* Move `frames` (<= available) to `output` in the output layout (planar:
 * channel-major with `frames` per channel). */
void rm_resampler_pop(rm_resampler_t *resampler, void *output,
                      size_t frames);

/* Output sample format (RM_SAMPLE_F32 or RM_SAMPLE_F64). */
uint32_t rm_resampler_output_format(const rm_resampler_t *resampler);

/* ceil(frames * out_rate / in_rate) without overflow for realistic input. */
uint64_t rm_resampled_length(uint64_t frames, uint32_t in_rate,
                             uint32_t out_rate);

#endif /* RM_RESAMPLER_H */
