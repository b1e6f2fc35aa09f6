/* wire_item.c — see wire_item.h. */
#include "wire_item.h"

#include <stdio.h>
#include <string.h>

/* a * b into *out unless it overflows or exceeds `limit`. */
static int mul_within(uint64_t a, uint64_t b, uint64_t limit, uint64_t *out) {
    if (a && b > limit / a) return 0;
    *out = a * b;
    return *out <= limit;
}

static int decode_audio(const Remotemedia__Remote__V1__AudioFormat *a,
                        size_t size, size_t max_payload, rm_wire_item_t *out,
                        char *why, size_t len) {
    if (!a) {
        snprintf(why, len, "audio item without its format");
        return -1;
    }
    size_t sample = rm_sample_size(a->sample_format);
    if (!sample || a->layout > RM_LAYOUT_PLANAR || a->sample_rate < 1 ||
        a->sample_rate > RM_MAX_SAMPLE_RATE || a->channels < 1 ||
        a->channels > RM_MAX_CHANNELS) {
        snprintf(why, len,
                 "audio format out of range: %u Hz, %u channels, sample "
                 "format %u, layout %u (expected 1..%d Hz, 1..%d channels, "
                 "format 1..4, layout 0/1)",
                 a->sample_rate, a->channels, a->sample_format, a->layout,
                 RM_MAX_SAMPLE_RATE, RM_MAX_CHANNELS);
        return -1;
    }
    uint64_t per_frame = (uint64_t)sample * a->channels, bytes = 0;
    if (!mul_within(a->frames, per_frame, max_payload, &bytes) ||
        bytes != size) {
        snprintf(why, len,
                 "audio of %llu frames x %u channels x %zu bytes does not "
                 "match its payload of %zu bytes",
                 (unsigned long long)a->frames, a->channels, sample, size);
        return -1;
    }
    out->audio = (rm_audio_format_t){a->sample_rate, (uint16_t)a->channels,
                                     (uint8_t)a->sample_format,
                                     (uint8_t)a->layout, a->frames};
    return 0;
}

static int decode_tensor(const Remotemedia__Remote__V1__TensorInfo *t,
                         size_t size, size_t max_payload, rm_wire_item_t *out,
                         char *why, size_t len) {
    size_t elem = t ? rm_dtype_size(t->dtype) : 0;
    if (!t || !elem || t->n_shape > RM_TENSOR_MAX_DIMS) {
        snprintf(why, len,
                 "tensor header invalid: dtype %u, %zu dimensions "
                 "(expected dtype 1..11, at most %d dimensions)",
                 t ? t->dtype : 0u, t ? t->n_shape : (size_t)0,
                 RM_TENSOR_MAX_DIMS);
        return -1;
    }
    uint64_t total = elem;
    for (size_t d = 0; d < t->n_shape; d++) {
        if (t->shape[d] < 0 ||
            !mul_within(total, (uint64_t)t->shape[d], max_payload, &total)) {
            snprintf(why, len,
                     "tensor dimension %zu of %lld does not fit (negative, "
                     "or over %zu bytes in all)",
                     d, (long long)t->shape[d], max_payload);
            return -1;
        }
    }
    if (total != size) {
        snprintf(why, len,
                 "tensor shape needs %llu bytes, its payload has %zu",
                 (unsigned long long)total, size);
        return -1;
    }
    memset(&out->tensor, 0, sizeof out->tensor);
    out->tensor.dtype = (uint8_t)t->dtype;
    out->tensor.ndim = (uint8_t)t->n_shape;
    int64_t stride = (int64_t)elem;
    for (size_t d = t->n_shape; d-- > 0;) {
        out->tensor.shape[d] = t->shape[d];
        out->tensor.strides[d] = stride;
        stride *= t->shape[d] ? t->shape[d] : 1;
    }
    return 0;
}

int rm_wire_item_decode(const Remotemedia__Remote__V1__Item *pb,
                        size_t max_payload, rm_wire_item_t *out, char *why,
                        size_t why_len) {
    memset(out, 0, sizeof *out);
    if (!pb) {
        snprintf(why, why_len, "message without an item");
        return -1;
    }
    size_t size = pb->payload.len;
    if (size > max_payload) {
        snprintf(why, why_len, "item of %zu bytes is over the limit of %zu",
                 size, max_payload);
        return -1;
    }
    out->kind = pb->kind;
    out->data = pb->payload.data;
    out->size = size;
    switch (pb->kind) {
    case RM_KIND_AUDIO:
        return decode_audio(pb->audio, size, max_payload, out, why, why_len);
    case RM_KIND_TENSOR:
        return decode_tensor(pb->tensor, size, max_payload, out, why,
                             why_len);
    case RM_KIND_JSON:
        if (size && memchr(pb->payload.data, '\0', size)) {
            snprintf(why, why_len, "JSON item holds a NUL byte");
            return -1;
        }
        return 0;
    case RM_KIND_BYTES:
        return 0;
    default:
        snprintf(why, why_len,
                 "item kind %u is not one that crosses the network (1 "
                 "audio, 2 tensor, 3 json, 4 bytes)",
                 pb->kind);
        return -1;
    }
}

int rm_wire_item_encode(const rm_item_t *item, rm_wire_pb_item_t *storage,
                        char *why, size_t why_len) {
    memset(storage, 0, sizeof *storage);
    remotemedia__remote__v1__item__init(&storage->item);
    Remotemedia__Remote__V1__Item *pb = &storage->item;
    pb->kind = item->kind;
    pb->payload.data = (uint8_t *)item->data;
    pb->payload.len = item->size;
    switch (item->kind) {
    case RM_KIND_AUDIO:
        remotemedia__remote__v1__audio_format__init(&storage->audio);
        storage->audio.sample_rate = item->audio.sample_rate;
        storage->audio.channels = item->audio.channels;
        storage->audio.sample_format = item->audio.sample_format;
        storage->audio.layout = item->audio.layout;
        storage->audio.frames = item->audio.frames;
        pb->audio = &storage->audio;
        return 0;
    case RM_KIND_TENSOR: {
        const rm_tensor_info_t *t = &item->tensor;
        int64_t stride = (int64_t)rm_dtype_size(t->dtype);
        if (!stride || t->ndim > RM_TENSOR_MAX_DIMS) {
            snprintf(why, why_len, "tensor dtype %u / %u dimensions cannot "
                                   "be sent", t->dtype, t->ndim);
            return -1;
        }
        for (int d = t->ndim; d-- > 0;) {
            if (t->shape[d] > 1 && t->strides[d] != stride) {
                snprintf(why, why_len, "tensor is not C-contiguous (make it "
                                       "contiguous before a remote node)");
                return -1;
            }
            stride *= t->shape[d] ? t->shape[d] : 1;
        }
        remotemedia__remote__v1__tensor_info__init(&storage->tensor);
        storage->tensor.dtype = t->dtype;
        storage->tensor.n_shape = t->ndim;
        memcpy(storage->shape, t->shape, sizeof(int64_t) * t->ndim);
        storage->tensor.shape = storage->shape;
        pb->tensor = &storage->tensor;
        return 0;
    }
    case RM_KIND_JSON:
    case RM_KIND_BYTES:
        return 0;
    default:
        snprintf(why, why_len,
                 "item kind %u cannot cross the network (a Python object "
                 "only exists in its process)",
                 item->kind);
        return -1;
    }
}
