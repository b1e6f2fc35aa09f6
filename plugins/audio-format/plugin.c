/*
 * plugin.c — FormatConverterNode: the plugin ABI layer over convert.c.
 *
 * One audio input, one audio output. Sample format, layout and channel
 * count of the output are chosen by the params; "keep" / 0 keep the
 * input's. When nothing changes the input item itself is emitted (a new
 * reference, zero copy). When the input is writable and the target is not
 * larger, the conversion runs in place and the payload is re-wrapped with
 * the new format (no allocation).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <remotemedia/plugin.h>

#include "audio_check.h"
#include "convert.h"
#include "node_error.h"

#define NODE_NAME "FormatConverterNode"

typedef struct format_converter {
    const rm_host_t *host;
    uint32_t target_format;   /* rm_sample_format_t */
    int target_layout;        /* -1 keep, else rm_audio_layout_t */
    uint32_t target_channels; /* 0 keep */
} format_converter_t;

static const char *const format_values[] = {"f32", "i16", "i32", "f64",
                                             NULL};
static const char *const layout_values[] = {"keep", "interleaved", "planar",
                                            NULL};
/* layout_values by index: -1 keeps the input's layout. */
static const int layout_by_index[] = {-1, RM_LAYOUT_INTERLEAVED,
                                      RM_LAYOUT_PLANAR};

static const rm_param_spec_t converter_params[] = {
    {"target_format", RM_PARAM_ENUM, 0, "\"f32\"", 0, 0, format_values,
     "output sample format: f32/f64 in [-1, 1], i16 (x32768), i32 (x2^31); "
     "float->int rounds to nearest and clamps (+1.0 -> 32767), NaN -> 0"},
    {"layout", RM_PARAM_ENUM, 0, "\"keep\"", 0, 0, layout_values,
     "output layout: keep the input's, interleaved (L R L R) or planar "
     "(numpy (channels, frames))"},
    {"channels", RM_PARAM_INT, RM_PARAM_HAS_MIN | RM_PARAM_HAS_MAX, "0", 0,
     RM_MAX_CHANNELS, NULL,
     "output channels, 0 = keep; N->1 = mean, 1->M = repeat, N->M<N = "
     "first M, N->M>N = repeat cyclically"},
};

static const rm_port_spec_t audio_in[] = {
    {"in", RM_KIND_BIT(RM_KIND_AUDIO), "audio, any format/layout/channels"},
};
static const rm_port_spec_t audio_out[] = {
    {"out", RM_KIND_BIT(RM_KIND_AUDIO), "converted audio (same rate)"},
};

static int converter_create(const rm_host_t *host, const rm_params_t *params,
                            void **instance, rm_error_t *err) {
    /* Present, typed and in range: the host validated them (plugin.h). */
    const char *format_name;
    uint32_t layout_index;
    int64_t channels;
    host->param_string(params, "target_format", &format_name);
    host->param_enum(params, "layout", &layout_index);
    host->param_int(params, "channels", &channels);
    uint32_t target_format = rm_sample_format_from_name(format_name);
    int layout = layout_by_index[layout_index];

    format_converter_t *self = host->alloc(host, sizeof *self);
    if (!self)
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "out of memory");
    self->host = host;
    self->target_format = target_format;
    self->target_layout = layout;
    self->target_channels = (uint32_t)channels;
    *instance = self;
    return RM_OK;
}

/* An in-place conversion re-wraps the input's payload in a new item that
 * keeps the input alive; the release drops that reference. Only the unref
 * function is kept, not the host: items may outlive the node instance. */
typedef struct payload_owner {
    void (*item_unref)(rm_item_t *item);
    rm_item_t *item;
} payload_owner_t;

static void release_payload_owner(void *user_data, void *data) {
    (void)data;
    payload_owner_t *owner = user_data;
    owner->item_unref(owner->item);
    free(owner);
}

/* Converts `item` in place when it is writable and the target is not
 * larger; returns the re-wrapped item, or NULL to take the copying path. */
static rm_item_t *convert_in_place(const rm_host_t *host, rm_item_t *item,
                                   const rm_audio_format_t *target) {
    const rm_audio_format_t *src = &item->audio;
    int same_order = src->channels == target->channels &&
                     (src->layout == target->layout || src->channels == 1);
    if (!same_order || !host->item_is_writable(item) ||
        (item->flags & RM_ITEM_READONLY) ||
        rm_sample_size(target->sample_format) >
            rm_sample_size(src->sample_format))
        return NULL;
    payload_owner_t *owner = malloc(sizeof *owner);
    if (!owner) return NULL;
    owner->item_unref = host->item_unref;
    owner->item = host->item_ref(item);
    rm_item_t *wrapped =
        host->item_wrap(host, RM_KIND_AUDIO, item->data, rm_audio_bytes(target),
                        0, release_payload_owner, owner);
    if (!wrapped) {
        host->item_unref(item);
        free(owner);
        return NULL;
    }
    rm_convert_samples_in_place(item->data, src->sample_format,
                                target->sample_format,
                                (size_t)src->frames * src->channels);
    wrapped->audio = *target;
    return wrapped;
}

static int converter_process(void *instance, uint32_t input_port,
                             rm_item_t *item, rm_emit_t *out,
                             rm_error_t *err) {
    format_converter_t *self = instance;
    const rm_host_t *host = self->host;
    int status = rm_audio_item_check(host, NODE_NAME, item, err);
    if (status) return status;

    rm_audio_format_t target = item->audio;
    target.sample_format = (uint8_t)self->target_format;
    if (self->target_layout >= 0) target.layout = (uint8_t)self->target_layout;
    if (self->target_channels) target.channels = (uint16_t)self->target_channels;

    if (item->audio.frames == 0) return RM_OK; /* documented: emits nothing */
    if (memcmp(&target, &item->audio, sizeof target) == 0)
        return host->emit(out, 0, host->item_ref(item));

    rm_item_t *converted = convert_in_place(host, item, &target);
    if (converted) return host->emit(out, 0, converted);
    converted = host->item_new_audio(host, &target);
    if (!converted)
        return rm_node_error(host, err, RM_ENOMEM, 0, NODE_NAME,
                             "cannot allocate %llu frames x %u channels of %s",
                             (unsigned long long)target.frames,
                             target.channels,
                             rm_sample_format_name(target.sample_format));
    if (rm_convert_audio(item->data, &item->audio, converted->data, &target)) {
        host->item_unref(converted);
        return rm_node_error(host, err, RM_EINTERNAL, 0, NODE_NAME,
                             "conversion failed");
    }
    return host->emit(out, 0, converted);
}

static void converter_destroy(void *instance) {
    format_converter_t *self = instance;
    if (self) self->host->free(self->host, self);
}

static const rm_node_type_t format_converter_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = NODE_NAME,
    .description = "Convert audio sample format (f32/i16/i32/f64), layout "
                   "and channel count",
    .version = "1.0.0",
    .capabilities = RM_CAP_CONCURRENT,
    .params = converter_params,
    .param_count = sizeof converter_params / sizeof converter_params[0],
    .input_count = 1,
    .inputs = audio_in,
    .outputs = audio_out,
    .output_count = 1,
    .create = converter_create,
    .process = converter_process,
    .destroy = converter_destroy,
};

static const rm_node_type_t *const node_types[] = {&format_converter_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.audio-format",
    .name = "Audio format conversion",
    .version = "1.0.0",
    .description = "FormatConverterNode: sample format, layout, channels",
    .node_types = node_types,
    .node_type_count = 1,
};

RM_PLUGIN_DEFINE(descriptor)
