/*
 * convert.h — sample format, layout and channel conversion kernels.
 *
 * Host-independent: these functions only read and write plain buffers, so
 * the FormatConverterNode (plugins/audio-format), the other audio plugins
 * and the tests link them, through the static library rm_plugin_kernels
 * (plugins/common/CMakeLists.txt).
 *
 * Scaling conventions (identical on every path, vectorized or not):
 *   int16 -> float   x / 32768          int32 -> float   x / 2^31
 *   float -> int16   x * 32768, round to nearest (ties to even), clamp to
 *                    [-32768, 32767]: +1.0 -> 32767, -1.0 -> -32768
 *   float -> int32   x * 2^31 (computed in double), same rounding, clamp to
 *                    [-2^31, 2^31 - 1]
 *   int16 -> int32   x * 65536 (exact); int32 -> int16: x / 65536 rounded
 *   NaN -> 0 and +-Inf -> the clamp limits when the target is an integer;
 *   float -> float keeps NaN and Inf as they are.
 */
#ifndef RM_AUDIO_CONVERT_H
#define RM_AUDIO_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include <remotemedia/plugin.h>

/* Convert `count` contiguous samples. `src` and `dst` must not overlap
 * (use rm_convert_samples_in_place for that). Same format is a memcpy. */
void rm_convert_samples(const void *src, uint32_t src_format, void *dst,
                        uint32_t dst_format, size_t count);

/* Convert `count` samples inside one buffer, from src_format to a format
 * whose samples are not larger (rm_sample_size(dst) <= rm_sample_size(src)).
 * Returns 0, or -1 when the target is larger (nothing is written). */
int rm_convert_samples_in_place(void *buffer, uint32_t src_format,
                                uint32_t dst_format, size_t count);

/* Full conversion: sample format, layout and channel count.
 * dst_format->frames must equal src_format->frames; dst must hold
 * frames * dst channels samples and must not overlap src.
 * Channels: N -> 1 is the mean of the N channels (computed in double);
 * 1 -> M repeats the channel; N -> M < N keeps the first M; N -> M > N
 * (N > 1) repeats the source channels cyclically (out m = in m % N).
 * Returns 0, or -1 on an unknown format or a frame count mismatch. */
int rm_convert_audio(const void *src, const rm_audio_format_t *src_format,
                     void *dst, const rm_audio_format_t *dst_format);

/* Bytes needed for an audio buffer of this format (0 if unknown or too
 * large to represent). */
size_t rm_audio_bytes(const rm_audio_format_t *format);

/* Parse "f32" / "i16" / "i32" / "f64" into an rm_sample_format_t, 0 when
 * unknown; and the reverse ("?" when unknown). */
uint32_t rm_sample_format_from_name(const char *name);
const char *rm_sample_format_name(uint32_t sample_format);

#endif /* RM_AUDIO_CONVERT_H */
