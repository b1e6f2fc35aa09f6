/* audio_check.c — see audio_check.h. */
#include "audio_check.h"

#include "convert.h"
#include "node_error.h"

/* What a non-audio item is, in the words of the one who sent it. */
static const char *kind_phrase(uint32_t kind) {
    switch (kind) {
    case RM_KIND_TENSOR: return "a tensor (an array without a sample rate)";
    case RM_KIND_JSON: return "JSON (a number, string, list or dict)";
    case RM_KIND_BYTES: return "bytes";
    case RM_KIND_PYOBJECT:
        return "a Python object (a tuple is audio only as (numpy array of "
               "float32/float64/int16/int32, 1-D or (channels, frames), int "
               "rate 1..768000))";
    default: return "an item of unknown kind";
    }
}

int rm_audio_item_check(const rm_host_t *host, const char *node_name,
                        const rm_item_t *item, rm_error_t *err) {
    if (item->kind != RM_KIND_AUDIO)
        return rm_node_error(host, err, RM_EKIND, 0, node_name,
                             "input is %s, not audio; expected (samples, "
                             "sample_rate) audio", kind_phrase(item->kind));
    const rm_audio_format_t *f = &item->audio;
    if (!rm_sample_size(f->sample_format))
        return rm_node_error(host, err, RM_EKIND, 0, node_name,
                             "input sample_format %u is not one of f32, i16, "
                             "i32, f64", f->sample_format);
    if (f->channels < 1 || f->channels > RM_MAX_CHANNELS)
        return rm_node_error(host, err, RM_EINVAL, 0, node_name,
                             "input channels %u is outside 1..%d",
                             f->channels, RM_MAX_CHANNELS);
    if (f->sample_rate < 1 || f->sample_rate > RM_MAX_SAMPLE_RATE)
        return rm_node_error(host, err, RM_EINVAL, 0, node_name,
                             "input sample_rate %u is outside 1..%d Hz",
                             f->sample_rate, RM_MAX_SAMPLE_RATE);
    if (f->layout > RM_LAYOUT_PLANAR)
        return rm_node_error(host, err, RM_EINVAL, 0, node_name,
                             "input layout %u is neither interleaved (0) nor "
                             "planar (1)", f->layout);
    size_t needed = rm_audio_bytes(f);
    if ((f->frames && needed == 0) || item->size < needed ||
        (needed && !item->data))
        return rm_node_error(host, err, RM_EINVAL, 0, node_name,
                             "input buffer holds %zu bytes, frames %llu x "
                             "channels %u needs %zu",
                             item->size, (unsigned long long)f->frames,
                             f->channels, needed);
    return RM_OK;
}
