/*
 * convert.c — sample format, layout and channel conversion kernels.
 *
 * The contiguous kernels (same layout and channels, only the sample format
 * changes) are the hot path. They are built with target_clones (AVX2 and
 * the x86-64 baseline; the float -> integer ones also for x86-64-v4 =
 * AVX-512, which measured 0.65-0.72x the AVX2 time on an AVX-512 AMD EPYC,
 * while integer -> float measured 1.45x slower there and stays AVX2) and
 * never call libm: rounding to nearest is the CPU's rounding conversion
 * of an already clamped value (GCC's __builtin_irint[f], see RM_ROUND_INT),
 * or the "add and subtract 1.5 * 2^mantissa_bits" trick then a truncating
 * conversion; both vectorize on SSE2 and AVX2 alike (a plain lrintf turned
 * into a libm call per sample in generic builds; see shared BENCHMARKS.md). Which clone runs is the CPU's
 * choice, so the tests also build each variant alone (RM_CONVERT_VARIANT:
 * 1 baseline, 2 AVX2, 3 x86-64-v4) and run it where the CPU can
 * (tests/c/audio, test_convert_variant_*).
 */
#include "convert.h"

#include <string.h>

#if defined(RM_CONVERT_VARIANT) /* tests: one variant built alone */
#if RM_CONVERT_VARIANT == 2
#define RM_HOT_CLONES __attribute__((target("avx2")))
#elif RM_CONVERT_VARIANT == 3
#define RM_HOT_CLONES __attribute__((target("arch=x86-64-v4")))
#else
#define RM_HOT_CLONES /* "default": the baseline build */
#endif
#define RM_HOT_CLONES_TO_INT RM_HOT_CLONES
#elif defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    !defined(__SANITIZE_ADDRESS__)
#define RM_HOT_CLONES __attribute__((target_clones("avx2", "default")))
#if __GNUC__ >= 12 /* target_clones("arch=x86-64-v4"): GCC 12 on */
#define RM_HOT_CLONES_TO_INT \
    __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define RM_HOT_CLONES_TO_INT RM_HOT_CLONES
#endif
#else
#define RM_HOT_CLONES
#define RM_HOT_CLONES_TO_INT
#endif

/* Adding then subtracting these rounds to nearest, ties to even, for any
 * |v| below 2^22 (float) / 2^51 (double); clamped values always are. */
#define RM_ROUND_MAGIC_F32 12582912.0f
#define RM_ROUND_MAGIC_F64 6755399441055744.0

/* A clamped value rounded to nearest (ties to even) as an int. With GCC,
 * the CPU's own rounding conversion (cvtps2dq / cvtpd2dq: one instruction,
 * vectorized at every x86-64 level; -fno-math-errno keeps it inline),
 * measured 0.74x the time of the magic-number sequence for f32 -> i16 on
 * AVX2; elsewhere the magic numbers, which round the same way. Both use
 * the current rounding mode; the kernels assume the default (nearest),
 * as they are not built with -frounding-math. */
#if defined(__GNUC__) && !defined(__clang__)
#define RM_ROUND_INT(v, magic) \
    _Generic((v), float: __builtin_irintf, default: __builtin_irint)(v)
#else
#define RM_ROUND_INT(v, magic) (((v) + (magic)) - (magic))
#endif

#define RM_I16_SCALE 32768.0
#define RM_I32_SCALE 2147483648.0

typedef void (*rm_convert_fn)(const void *src, void *dst, size_t count);

/* float-like source -> float-like target: one multiply, no clamping. */
#define RM_DEFINE_TO_FLOAT(fn_name, src_t, dst_t, calc_t, scale)              \
    RM_HOT_CLONES static void fn_name(const void *src_v, void *dst_v,        \
                                      size_t count) {                         \
        const src_t *restrict src = src_v;                                    \
        dst_t *restrict dst = dst_v;                                          \
        for (size_t i = 0; i < count; i++)                                    \
            dst[i] = (dst_t)((calc_t)src[i] * (calc_t)(scale));               \
    }

/* any source -> integer target: scale, NaN -> 0, clamp, round, truncate. */
#define RM_DEFINE_TO_INT(fn_name, src_t, dst_t, calc_t, scale, lo, hi, magic) \
    RM_HOT_CLONES_TO_INT static void fn_name(const void *src_v, void *dst_v,        \
                                      size_t count) {                         \
        const src_t *restrict src = src_v;                                    \
        dst_t *restrict dst = dst_v;                                          \
        for (size_t i = 0; i < count; i++) {                                  \
            calc_t v = (calc_t)src[i] * (calc_t)(scale);                      \
            v = v == v ? v : (calc_t)0;                                       \
            v = v < (calc_t)(lo) ? (calc_t)(lo) : v;                          \
            v = v > (calc_t)(hi) ? (calc_t)(hi) : v;                          \
            dst[i] = (dst_t)RM_ROUND_INT(v, magic);                           \
        }                                                                     \
    }

RM_DEFINE_TO_FLOAT(i16_to_f32, int16_t, float, float, 1.0 / RM_I16_SCALE)
RM_DEFINE_TO_FLOAT(i16_to_f64, int16_t, double, double, 1.0 / RM_I16_SCALE)
RM_DEFINE_TO_FLOAT(i32_to_f32, int32_t, float, float, 1.0 / RM_I32_SCALE)
RM_DEFINE_TO_FLOAT(i32_to_f64, int32_t, double, double, 1.0 / RM_I32_SCALE)
RM_DEFINE_TO_FLOAT(f32_to_f64, float, double, double, 1.0)
RM_DEFINE_TO_FLOAT(f64_to_f32, double, float, double, 1.0)
RM_DEFINE_TO_FLOAT(i16_to_i32, int16_t, int32_t, int32_t, 65536)

RM_DEFINE_TO_INT(f32_to_i16, float, int16_t, float, RM_I16_SCALE, -32768.0,
                 32767.0, RM_ROUND_MAGIC_F32)
RM_DEFINE_TO_INT(f64_to_i16, double, int16_t, double, RM_I16_SCALE, -32768.0,
                 32767.0, RM_ROUND_MAGIC_F64)
RM_DEFINE_TO_INT(i32_to_i16, int32_t, int16_t, double, 1.0 / 65536.0,
                 -32768.0, 32767.0, RM_ROUND_MAGIC_F64)
RM_DEFINE_TO_INT(f32_to_i32, float, int32_t, double, RM_I32_SCALE,
                 -2147483648.0, 2147483647.0, RM_ROUND_MAGIC_F64)
RM_DEFINE_TO_INT(f64_to_i32, double, int32_t, double, RM_I32_SCALE,
                 -2147483648.0, 2147483647.0, RM_ROUND_MAGIC_F64)

/* Index by (format - 1): F32, I16, I32, F64. NULL on the diagonal. */
static const rm_convert_fn rm_convert_table[4][4] = {
    /* from F32 */ {NULL, f32_to_i16, f32_to_i32, f32_to_f64},
    /* from I16 */ {i16_to_f32, NULL, i16_to_i32, i16_to_f64},
    /* from I32 */ {i32_to_f32, i32_to_i16, NULL, i32_to_f64},
    /* from F64 */ {f64_to_f32, f64_to_i16, f64_to_i32, NULL},
};

static int rm_format_known(uint32_t format) {
    return format >= RM_SAMPLE_F32 && format <= RM_SAMPLE_F64;
}

void rm_convert_samples(const void *src, uint32_t src_format, void *dst,
                        uint32_t dst_format, size_t count) {
    if (!rm_format_known(src_format) || !rm_format_known(dst_format) ||
        count == 0)
        return;
    if (src_format == dst_format) {
        memcpy(dst, src, count * rm_sample_size(src_format));
        return;
    }
    rm_convert_table[src_format - 1][dst_format - 1](src, dst, count);
}

int rm_convert_samples_in_place(void *buffer, uint32_t src_format,
                                uint32_t dst_format, size_t count) {
    if (!rm_format_known(src_format) || !rm_format_known(dst_format))
        return -1;
    size_t src_size = rm_sample_size(src_format);
    size_t dst_size = rm_sample_size(dst_format);
    if (dst_size > src_size) return -1;
    if (src_format == dst_format) return 0;
    /* Writes never overtake reads (dst_size <= src_size), but the kernels
     * take restrict pointers: stage each block through the stack. */
    enum { BLOCK_BYTES = 8192 };
    unsigned char staged[BLOCK_BYTES];
    size_t block = BLOCK_BYTES / src_size;
    unsigned char *bytes = buffer;
    for (size_t done = 0; done < count; done += block) {
        size_t n = count - done < block ? count - done : block;
        memcpy(staged, bytes + done * src_size, n * src_size);
        rm_convert_samples(staged, src_format, bytes + done * dst_size,
                           dst_format, n);
    }
    return 0;
}

/* ---- general path: layout and channel changes, through double ---------- */

enum { RM_MIX_BLOCK = 256 };

/* Read `count` samples starting at sample index `first`, `stride` samples
 * apart, as doubles in the format's nominal [-1, 1] scale. */
static void read_strided(const void *src, uint32_t format, size_t first,
                         size_t stride, size_t count, double *out) {
    switch (format) {
    case RM_SAMPLE_F32: {
        const float *s = (const float *)src + first;
        for (size_t i = 0; i < count; i++) out[i] = s[i * stride];
        break;
    }
    case RM_SAMPLE_F64: {
        const double *s = (const double *)src + first;
        for (size_t i = 0; i < count; i++) out[i] = s[i * stride];
        break;
    }
    case RM_SAMPLE_I16: {
        const int16_t *s = (const int16_t *)src + first;
        for (size_t i = 0; i < count; i++)
            out[i] = s[i * stride] * (1.0 / RM_I16_SCALE);
        break;
    }
    case RM_SAMPLE_I32: {
        const int32_t *s = (const int32_t *)src + first;
        for (size_t i = 0; i < count; i++)
            out[i] = s[i * stride] * (1.0 / RM_I32_SCALE);
        break;
    }
    default: break;
    }
}

static double scale_round_clamp(double v, double scale, double lo,
                                double hi) {
    v *= scale;
    v = v == v ? v : 0.0;
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    return (v + RM_ROUND_MAGIC_F64) - RM_ROUND_MAGIC_F64;
}

static void write_strided(const double *in, size_t count, void *dst,
                          uint32_t format, size_t first, size_t stride) {
    switch (format) {
    case RM_SAMPLE_F32: {
        float *d = (float *)dst + first;
        for (size_t i = 0; i < count; i++) d[i * stride] = (float)in[i];
        break;
    }
    case RM_SAMPLE_F64: {
        double *d = (double *)dst + first;
        for (size_t i = 0; i < count; i++) d[i * stride] = in[i];
        break;
    }
    case RM_SAMPLE_I16: {
        int16_t *d = (int16_t *)dst + first;
        for (size_t i = 0; i < count; i++)
            d[i * stride] = (int16_t)scale_round_clamp(in[i], RM_I16_SCALE,
                                                       -32768.0, 32767.0);
        break;
    }
    case RM_SAMPLE_I32: {
        int32_t *d = (int32_t *)dst + first;
        for (size_t i = 0; i < count; i++)
            d[i * stride] = (int32_t)scale_round_clamp(
                in[i], RM_I32_SCALE, -2147483648.0, 2147483647.0);
        break;
    }
    default: break;
    }
}

/* Sample index of (channel, frame) in a buffer, and the step between
 * consecutive frames of one channel. */
static size_t channel_first(const rm_audio_format_t *f, size_t channel) {
    return f->layout == RM_LAYOUT_PLANAR ? channel * (size_t)f->frames
                                         : channel;
}
static size_t channel_stride(const rm_audio_format_t *f) {
    return f->layout == RM_LAYOUT_PLANAR ? 1 : f->channels;
}

static int same_sample_order(const rm_audio_format_t *a,
                             const rm_audio_format_t *b) {
    if (a->channels != b->channels) return 0;
    return a->channels == 1 || a->layout == b->layout || a->frames <= 1;
}

/* Planar f32 -> mono f32 (the batch's usual down-mix) with the general
 * path's arithmetic exactly — a double sum from 0.0 in channel order,
 * divided by the channel count — but without its per-sample strided
 * copies through double blocks (~11 % of a WAV batch's CPU). */
RM_HOT_CLONES static void downmix_planar_f32(const float *restrict src,
                                             size_t frames, size_t channels,
                                             float *restrict dst) {
    const double count = (double)channels;
    if (channels == 2) {
        const float *left = src, *right = src + frames;
        for (size_t i = 0; i < frames; i++)
            dst[i] = (float)(((0.0 + (double)left[i]) + (double)right[i]) /
                             count);
        return;
    }
    for (size_t i = 0; i < frames; i++) {
        double sum = 0.0;
        for (size_t c = 0; c < channels; c++)
            sum += (double)src[c * frames + i];
        dst[i] = (float)(sum / count);
    }
}

/* Interleaved i16 / i32 / f32 -> planar f32, same channels: what
 * AudioFileSource does with every decoded chunk by default (decoders give
 * L R L R, items are numpy-shaped). The general path's values exactly —
 * an integer times 2^-15 / 2^-31 rounds to float the same whether the
 * product is taken in double or in float — without its strided copies
 * through double. A float is copied as it is (the double path would turn
 * a signalling NaN quiet): deinterleave_f32_f32 below. */
#define RM_DEFINE_DEINTERLEAVE_F32(fn_name, src_t, scale)                     \
    RM_HOT_CLONES static void fn_name(const src_t *restrict src,             \
                                      size_t frames, size_t channels,         \
                                      float *restrict dst) {                  \
        const float k = (float)(scale);                                       \
        if (channels == 2) {                                                  \
            float *restrict left = dst, *restrict right = dst + frames;       \
            for (size_t i = 0; i < frames; i++) {                             \
                left[i] = (float)src[2 * i] * k;                              \
                right[i] = (float)src[2 * i + 1] * k;                         \
            }                                                                 \
            return;                                                           \
        }                                                                     \
        for (size_t c = 0; c < channels; c++)                                 \
            for (size_t i = 0; i < frames; i++)                               \
                dst[c * frames + i] = (float)src[i * channels + c] * k;       \
    }

RM_DEFINE_DEINTERLEAVE_F32(deinterleave_i16_f32, int16_t, 1.0 / RM_I16_SCALE)
RM_DEFINE_DEINTERLEAVE_F32(deinterleave_i32_f32, int32_t, 1.0 / RM_I32_SCALE)
/* Float to float: a copy, no arithmetic (a signalling NaN stays one). */
RM_HOT_CLONES static void deinterleave_f32_f32(const float *restrict src,
                                               size_t frames, size_t channels,
                                               float *restrict dst) {
    for (size_t c = 0; c < channels; c++)
        for (size_t i = 0; i < frames; i++)
            dst[c * frames + i] = src[i * channels + c];
}

/* 1 if the interleaved -> planar f32 path took it. */
static int deinterleave_to_f32(const void *src,
                               const rm_audio_format_t *src_format,
                               void *dst, const rm_audio_format_t *dst_format) {
    if (src_format->layout != RM_LAYOUT_INTERLEAVED ||
        dst_format->layout != RM_LAYOUT_PLANAR ||
        dst_format->sample_format != RM_SAMPLE_F32 ||
        src_format->channels != dst_format->channels)
        return 0;
    size_t frames = (size_t)src_format->frames;
    size_t channels = src_format->channels;
    switch (src_format->sample_format) {
    case RM_SAMPLE_I16: deinterleave_i16_f32(src, frames, channels, dst); return 1;
    case RM_SAMPLE_I32: deinterleave_i32_f32(src, frames, channels, dst); return 1;
    case RM_SAMPLE_F32: deinterleave_f32_f32(src, frames, channels, dst); return 1;
    default: return 0;
    }
}

int rm_convert_audio(const void *src, const rm_audio_format_t *src_format,
                     void *dst, const rm_audio_format_t *dst_format) {
    if (!rm_format_known(src_format->sample_format) ||
        !rm_format_known(dst_format->sample_format) ||
        src_format->frames != dst_format->frames ||
        src_format->channels == 0 || dst_format->channels == 0)
        return -1;
    size_t frames = (size_t)src_format->frames;
    if (same_sample_order(src_format, dst_format)) {
        rm_convert_samples(src, src_format->sample_format, dst,
                           dst_format->sample_format,
                           frames * src_format->channels);
        return 0;
    }
    size_t in_channels = src_format->channels;
    size_t out_channels = dst_format->channels;
    if (out_channels == 1 && in_channels > 1 &&
        src_format->sample_format == RM_SAMPLE_F32 &&
        dst_format->sample_format == RM_SAMPLE_F32 &&
        src_format->layout == RM_LAYOUT_PLANAR) {
        downmix_planar_f32(src, frames, in_channels, dst);
        return 0;
    }
    if (deinterleave_to_f32(src, src_format, dst, dst_format)) return 0;
    double block_in[RM_MIX_BLOCK];
    double block_out[RM_MIX_BLOCK];
    for (size_t start = 0; start < frames; start += RM_MIX_BLOCK) {
        size_t n = frames - start < RM_MIX_BLOCK ? frames - start
                                                 : RM_MIX_BLOCK;
        if (out_channels == 1 && in_channels > 1) {
            /* Down-mix: mean of all channels, summed in channel order. */
            for (size_t i = 0; i < n; i++) block_out[i] = 0.0;
            for (size_t c = 0; c < in_channels; c++) {
                read_strided(src, src_format->sample_format,
                             channel_first(src_format, c) +
                                 start * channel_stride(src_format),
                             channel_stride(src_format), n, block_in);
                for (size_t i = 0; i < n; i++) block_out[i] += block_in[i];
            }
            for (size_t i = 0; i < n; i++)
                block_out[i] /= (double)in_channels;
            write_strided(block_out, n, dst, dst_format->sample_format,
                          channel_first(dst_format, 0) +
                              start * channel_stride(dst_format),
                          channel_stride(dst_format));
            continue;
        }
        for (size_t c = 0; c < out_channels; c++) {
            size_t from = c % in_channels;
            read_strided(src, src_format->sample_format,
                         channel_first(src_format, from) +
                             start * channel_stride(src_format),
                         channel_stride(src_format), n, block_in);
            write_strided(block_in, n, dst, dst_format->sample_format,
                          channel_first(dst_format, c) +
                              start * channel_stride(dst_format),
                          channel_stride(dst_format));
        }
    }
    return 0;
}

size_t rm_audio_bytes(const rm_audio_format_t *format) {
    size_t sample = rm_sample_size(format->sample_format);
    if (sample == 0) return 0;
    uint64_t samples = format->frames * (uint64_t)format->channels;
    if (format->channels && samples / format->channels != format->frames)
        return 0;
    if (samples > SIZE_MAX / sample) return 0;
    return (size_t)samples * sample;
}

uint32_t rm_sample_format_from_name(const char *name) {
    if (!name) return 0;
    if (strcmp(name, "f32") == 0) return RM_SAMPLE_F32;
    if (strcmp(name, "i16") == 0) return RM_SAMPLE_I16;
    if (strcmp(name, "i32") == 0) return RM_SAMPLE_I32;
    if (strcmp(name, "f64") == 0) return RM_SAMPLE_F64;
    return 0;
}

const char *rm_sample_format_name(uint32_t sample_format) {
    switch (sample_format) {
    case RM_SAMPLE_F32: return "f32";
    case RM_SAMPLE_I16: return "i16";
    case RM_SAMPLE_I32: return "i32";
    case RM_SAMPLE_F64: return "f64";
    default: return "?";
    }
}
