/* item.c — reference-counted items: one block for header + payload. */
#include "item/item.h"
#include "item/block_cache.h"

#include <remotemedia/pipeline.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Header size rounded up so the inline payload is RM__ITEM_ALIGN-aligned
 * (malloc itself returns 16-byte aligned blocks on every target we build). */
#define RM__ITEM_HEADER \
    ((sizeof(rm__item_t) + RM__ITEM_ALIGN - 1) & ~(size_t)(RM__ITEM_ALIGN - 1))

static rm__item_t *rm__from_pub(const rm_item_t *item) {
    return (rm__item_t *)item;
}

int rm__audio_format_check(const rm_audio_format_t *format, size_t *bytes) {
    if (!format) return RM_EINVAL;
    if (format->sample_rate < 1 || format->sample_rate > RM_MAX_SAMPLE_RATE)
        return RM_EINVAL;
    if (format->channels < 1 || format->channels > RM_MAX_CHANNELS)
        return RM_EINVAL;
    if (format->layout != RM_LAYOUT_INTERLEAVED &&
        format->layout != RM_LAYOUT_PLANAR)
        return RM_EINVAL;
    size_t sample = rm_sample_size(format->sample_format);
    if (!sample) return RM_EKIND;
    size_t per_frame = sample * format->channels;
    if (format->frames > SIZE_MAX / 2 / per_frame) return RM_EINVAL;
    if (bytes) *bytes = (size_t)format->frames * per_frame;
    return RM_OK;
}

int rm__tensor_info_check(const rm_tensor_info_t *info, size_t *bytes) {
    if (!info) return RM_EINVAL;
    size_t elem = rm_dtype_size(info->dtype);
    if (!elem) return RM_EKIND;
    if (info->ndim > RM_TENSOR_MAX_DIMS) return RM_EINVAL;
    size_t total = elem;
    for (unsigned d = 0; d < info->ndim; d++) {
        if (info->shape[d] < 0) return RM_EINVAL;
        size_t n = (size_t)info->shape[d];
        if (n && total > SIZE_MAX / 2 / n) return RM_EINVAL;
        total *= n;
    }
    if (bytes) *bytes = total;
    return RM_OK;
}

static atomic_int rm__track_live;
static atomic_size_t rm__live_items;

void rm__item_track_live(int on) {
    atomic_store_explicit(&rm__track_live, on ? 1 : 0, memory_order_relaxed);
}

size_t rm_live_item_count(void) {
    return atomic_load_explicit(&rm__live_items, memory_order_relaxed);
}

/* One block: header, then `payload` bytes (+ `extra` zero bytes, used for
 * the NUL after JSON text). */
static rm__item_t *rm__item_alloc(rm__account_t *account, uint32_t kind,
                                  size_t payload, size_t extra) {
    if (payload > SIZE_MAX - RM__ITEM_HEADER - extra) return NULL;
    size_t total = RM__ITEM_HEADER + payload + extra;
    size_t capacity = 0;
    rm__item_t *it = rm__block_take(total, &capacity);
    if (!it) return NULL;
    /* Only the header is cleared: the payload is the caller's to fill, and
     * clearing megabytes of audio it will overwrite costs bandwidth. */
    memset(it, 0, sizeof(*it));
    it->pub.struct_size = (uint32_t)sizeof(rm_item_t);
    it->pub.kind = kind;
    it->pub.data = (char *)it + RM__ITEM_HEADER;
    it->pub.size = payload;
    it->capacity = capacity;
    atomic_init(&it->refs, 1u);
    if (atomic_load_explicit(&rm__track_live, memory_order_relaxed)) {
        it->tracked = 1;
        atomic_fetch_add_explicit(&rm__live_items, 1u, memory_order_relaxed);
    }
    if (account) {
        it->account = rm__account_ref(account);
        it->charged = total;
        rm__account_charge(account, total);
    }
    return it;
}

rm_item_t *rm__item_new_audio(rm__account_t *account,
                              const rm_audio_format_t *format) {
    size_t bytes = 0;
    if (rm__audio_format_check(format, &bytes) != RM_OK) return NULL;
    rm__item_t *it = rm__item_alloc(account, RM_KIND_AUDIO, bytes, 0);
    if (!it) return NULL;
    it->pub.audio = *format;
    return &it->pub;
}

rm_item_t *rm__item_new_tensor(rm__account_t *account,
                               const rm_tensor_info_t *info) {
    size_t bytes = 0;
    if (rm__tensor_info_check(info, &bytes) != RM_OK) return NULL;
    rm__item_t *it = rm__item_alloc(account, RM_KIND_TENSOR, bytes, 0);
    if (!it) return NULL;
    it->pub.tensor = *info;
    /* A new tensor is C-contiguous whatever strides the caller passed. */
    int64_t stride = (int64_t)rm_dtype_size(info->dtype);
    for (int d = (int)info->ndim - 1; d >= 0; d--) {
        it->pub.tensor.strides[d] = stride;
        stride *= info->shape[d];
    }
    for (unsigned d = info->ndim; d < RM_TENSOR_MAX_DIMS; d++) {
        it->pub.tensor.shape[d] = 0;
        it->pub.tensor.strides[d] = 0;
    }
    return &it->pub;
}

rm_item_t *rm__item_new_json(rm__account_t *account, const char *json,
                             size_t len) {
    if (!json && len) return NULL;
    if (len && memchr(json, '\0', len)) return NULL; /* size = strlen */
    rm__item_t *it = rm__item_alloc(account, RM_KIND_JSON, len, 1);
    if (!it) return NULL;
    if (len) memcpy(it->pub.data, json, len);
    ((char *)it->pub.data)[len] = '\0';
    return &it->pub;
}

rm_item_t *rm__item_new_bytes(rm__account_t *account, const void *bytes,
                              size_t size) {
    if (!bytes && size) return NULL;
    rm__item_t *it = rm__item_alloc(account, RM_KIND_BYTES, size, 0);
    if (!it) return NULL;
    if (size) memcpy(it->pub.data, bytes, size);
    return &it->pub;
}

rm_item_t *rm__item_wrap(rm__account_t *account, uint32_t kind, void *data,
                         size_t size, uint32_t flags, rm_release_cb release,
                         void *user_data) {
    if (kind < RM_KIND_AUDIO || kind > RM_KIND_PYOBJECT) return NULL;
    if (flags & ~RM_ITEM_READONLY) return NULL;
    if (!data && size) return NULL;
    /* The foreign payload is not charged: the node did not allocate it. */
    rm__item_t *it = rm__item_alloc(account, kind, 0, 0);
    if (!it) return NULL;
    it->pub.data = data;
    it->pub.size = size;
    it->pub.flags = flags;
    it->wrapped = 1;
    it->release = release;
    it->release_data = user_data;
    return &it->pub;
}

rm_item_t *rm__item_ref(rm_item_t *item) {
    if (item)
        atomic_fetch_add_explicit(&rm__from_pub(item)->refs, 1u,
                                  memory_order_relaxed);
    return item;
}

void rm__item_unref(rm_item_t *item) {
    if (!item) return;
    rm__item_t *it = rm__from_pub(item);
    /* acq_rel: every write to the payload by a former holder
     * happens-before the free/release. (A release decrement plus an acquire
     * fence would do, but ThreadSanitizer does not model fences; on x86 the
     * two compile to the same instruction.) */
    if (atomic_fetch_sub_explicit(&it->refs, 1u, memory_order_acq_rel) != 1u)
        return;
    if (it->wrapped && it->release) it->release(it->release_data, item->data);
    if (it->account) {
        rm__account_discharge(it->account, it->charged);
        rm__account_unref(it->account);
    }
    if (it->tracked)
        atomic_fetch_sub_explicit(&rm__live_items, 1u, memory_order_relaxed);
    rm__block_give(it, it->capacity);
}

int rm__item_is_writable(const rm_item_t *item) {
    if (!item || (item->flags & RM_ITEM_READONLY)) return 0;
    return atomic_load_explicit(&rm__from_pub(item)->refs,
                                memory_order_acquire) == 1u;
}

rm_item_t *rm__item_make_writable(rm__account_t *account, rm_item_t *item) {
    if (!item) return NULL;
    if (rm__item_is_writable(item)) return item;
    /* A Python object handle cannot be duplicated by copying its bytes. */
    if (item->kind == RM_KIND_PYOBJECT) {
        rm__item_unref(item);
        return NULL;
    }
    /* JSON keeps its NUL terminator in the copy. */
    size_t extra = item->kind == RM_KIND_JSON ? 1 : 0;
    rm__item_t *copy = rm__item_alloc(account, item->kind, item->size, extra);
    if (copy) {
        if (item->size) memcpy(copy->pub.data, item->data, item->size);
        if (extra) ((char *)copy->pub.data)[item->size] = '\0';
        copy->pub.flags = item->flags & ~RM_ITEM_READONLY;
        copy->pub.audio = item->audio;
        /* Same bytes, same layout: a strided view's strides stay valid. */
        copy->pub.tensor = item->tensor;
    }
    rm__item_unref(item);
    return copy ? &copy->pub : NULL;
}

/* ---- public API (not attributed to a node) ---------------------------- */

rm_item_t *rm_item_new_audio(const rm_audio_format_t *format) {
    return rm__item_new_audio(NULL, format);
}
rm_item_t *rm_item_new_tensor(const rm_tensor_info_t *info) {
    return rm__item_new_tensor(NULL, info);
}
rm_item_t *rm_item_new_json(const char *json, size_t len) {
    return rm__item_new_json(NULL, json, len);
}
rm_item_t *rm_item_new_bytes(const void *bytes, size_t size) {
    return rm__item_new_bytes(NULL, bytes, size);
}
rm_item_t *rm_item_wrap(uint32_t kind, void *data, size_t size,
                        uint32_t flags, rm_release_cb release,
                        void *user_data) {
    return rm__item_wrap(NULL, kind, data, size, flags, release, user_data);
}
rm_item_t *rm_item_ref(rm_item_t *item) { return rm__item_ref(item); }
void rm_item_unref(rm_item_t *item) { rm__item_unref(item); }
int rm_item_is_writable(const rm_item_t *item) {
    return rm__item_is_writable(item);
}
rm_item_t *rm_item_make_writable(rm_item_t *item) {
    return rm__item_make_writable(NULL, item);
}
unsigned rm_item_refcount(const rm_item_t *item) {
    return item ? atomic_load_explicit(&rm__from_pub(item)->refs,
                                       memory_order_relaxed)
                : 0u;
}
int rm_audio_format_check(const rm_audio_format_t *format, size_t *bytes) {
    return rm__audio_format_check(format, bytes);
}

int rm__item_consistent(const rm_item_t *item, char *why, size_t why_len) {
    size_t bytes = 0;
    switch (item->kind) {
    case RM_KIND_AUDIO:
        if (rm__audio_format_check(&item->audio, &bytes) != RM_OK) {
            snprintf(why, why_len,
                     "invalid audio format (rate %u Hz, %u channels, sample "
                     "format %u, layout %u)",
                     item->audio.sample_rate, item->audio.channels,
                     item->audio.sample_format, item->audio.layout);
            return RM_EKIND;
        }
        break;
    case RM_KIND_TENSOR:
        if (rm__tensor_info_check(&item->tensor, &bytes) != RM_OK) {
            snprintf(why, why_len, "invalid tensor (dtype %u, %u dims)",
                     item->tensor.dtype, item->tensor.ndim);
            return RM_EKIND;
        }
        break;
    case RM_KIND_JSON:
    case RM_KIND_BYTES:
    case RM_KIND_PYOBJECT:
        return RM_OK;
    default:
        snprintf(why, why_len, "unknown item kind %u", item->kind);
        return RM_EKIND;
    }
    if (bytes > item->size) {
        snprintf(why, why_len,
                 "its %s format needs %zu bytes, but the item has %zu",
                 item->kind == RM_KIND_AUDIO ? "audio" : "tensor", bytes,
                 item->size);
        return RM_EKIND;
    }
    return RM_OK;
}
