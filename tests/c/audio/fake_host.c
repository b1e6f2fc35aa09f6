/* fake_host.c — see fake_host.h. */
#include "fake_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long fake_live_items;

typedef struct fake_item {
    rm_item_t item; /* FIRST */
    int refs;
    int owns_data;
    rm_release_cb release;
    void *user_data;
} fake_item_t;

static void *h_alloc(const rm_host_t *h, size_t n) { (void)h; return malloc(n ? n : 1); }
static void *h_realloc(const rm_host_t *h, void *p, size_t n) { (void)h; return realloc(p, n ? n : 1); }
static void h_free(const rm_host_t *h, void *p) { (void)h; free(p); }
static void h_log(const rm_host_t *h, rm_log_level_t level, const char *fmt, ...) {
    (void)h; (void)level; (void)fmt;
}
static uint64_t h_now(const rm_host_t *h) { (void)h; return 0; }

static int h_error_set(rm_error_t *err, int status, int transient,
                       const char *fmt, ...) {
    err->status = status;
    err->transient = transient;
    va_list args;
    va_start(args, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, args);
    va_end(args);
    return status;
}

static int param_index(const rm_params_t *p, const char *name) {
    for (uint32_t i = 0; i < p->type->param_count; i++)
        if (strcmp(p->type->params[i].name, name) == 0) return (int)i;
    return -1;
}

static int h_param_bool(const rm_params_t *p, const char *name, int *out) {
    int i = param_index(p, name);
    if (i < 0 || !p->values[i]) return RM_ENOTFOUND;
    if (p->type->params[i].type != RM_PARAM_BOOL) return RM_EKIND;
    *out = strcmp(p->values[i], "true") == 0;
    return RM_OK;
}
static int h_param_int(const rm_params_t *p, const char *name, int64_t *out) {
    int i = param_index(p, name);
    if (i < 0 || !p->values[i]) return RM_ENOTFOUND;
    if (p->type->params[i].type != RM_PARAM_INT) return RM_EKIND;
    *out = strtoll(p->values[i], NULL, 10);
    return RM_OK;
}
static int h_param_float(const rm_params_t *p, const char *name, double *out) {
    int i = param_index(p, name);
    if (i < 0 || !p->values[i]) return RM_ENOTFOUND;
    uint32_t t = p->type->params[i].type;
    if (t != RM_PARAM_FLOAT && t != RM_PARAM_INT) return RM_EKIND;
    *out = strtod(p->values[i], NULL);
    return RM_OK;
}
static int h_param_string(const rm_params_t *p, const char *name, const char **out) {
    int i = param_index(p, name);
    if (i < 0 || !p->values[i]) return RM_ENOTFOUND;
    uint32_t t = p->type->params[i].type;
    if (t != RM_PARAM_STRING && t != RM_PARAM_ENUM) return RM_EKIND;
    *out = p->strings[i];
    return RM_OK;
}
/* Like the host: the value's index in the spec's enum_values (the fake
 * does not validate overrides: a value not declared reads as RM_EINVAL). */
static int h_param_enum(const rm_params_t *p, const char *name, uint32_t *out) {
    int i = param_index(p, name);
    if (i < 0 || !p->values[i]) return RM_ENOTFOUND;
    const rm_param_spec_t *spec = &p->type->params[i];
    if (spec->type != RM_PARAM_ENUM) return RM_EKIND;
    for (uint32_t k = 0; spec->enum_values[k]; k++)
        if (strcmp(spec->enum_values[k], p->strings[i]) == 0) {
            *out = k;
            return RM_OK;
        }
    return RM_EINVAL;
}
static int h_param_json(const rm_params_t *p, const char *name, const char **out) {
    int i = param_index(p, name);
    if (i < 0 || !p->values[i]) return RM_ENOTFOUND;
    *out = p->values[i];
    return RM_OK;
}

static fake_item_t *new_item(uint32_t kind, size_t size) {
    fake_item_t *it = calloc(1, sizeof *it);
    if (!it) return NULL;
    it->item.struct_size = sizeof(rm_item_t);
    it->item.kind = kind;
    it->item.size = size;
    it->item.data = calloc(1, size ? size : 1);
    it->owns_data = 1;
    it->refs = 1;
    fake_live_items++;
    return it;
}

static rm_item_t *h_new_audio(const rm_host_t *h, const rm_audio_format_t *f) {
    (void)h;
    size_t ss = rm_sample_size(f->sample_format);
    if (!ss || f->channels < 1 || f->sample_rate < 1) return NULL;
    fake_item_t *it = new_item(RM_KIND_AUDIO, (size_t)f->frames * f->channels * ss);
    if (!it) return NULL;
    it->item.audio = *f;
    return &it->item;
}
/* C-contiguous: the strides are the host's, whatever info says. */
static rm_item_t *h_new_tensor(const rm_host_t *h, const rm_tensor_info_t *info) {
    (void)h;
    size_t elem = rm_dtype_size(info->dtype), count = 1;
    if (!elem || info->ndim > RM_TENSOR_MAX_DIMS) return NULL;
    for (int d = 0; d < info->ndim; d++) {
        if (info->shape[d] < 0) return NULL;
        count *= (size_t)info->shape[d];
    }
    fake_item_t *it = new_item(RM_KIND_TENSOR, count * elem);
    if (!it) return NULL;
    it->item.tensor = *info;
    int64_t stride = (int64_t)elem;
    for (int d = info->ndim - 1; d >= 0; d--) {
        it->item.tensor.strides[d] = stride;
        stride *= info->shape[d];
    }
    return &it->item;
}
static rm_item_t *h_new_json(const rm_host_t *h, const char *json, size_t len) {
    (void)h;
    fake_item_t *it = new_item(RM_KIND_JSON, len + 1);
    if (!it) return NULL;
    memcpy(it->item.data, json, len);
    ((char *)it->item.data)[len] = '\0';
    it->item.size = len;
    return &it->item;
}
static rm_item_t *h_new_bytes(const rm_host_t *h, const void *b, size_t n) {
    (void)h;
    fake_item_t *it = new_item(RM_KIND_BYTES, n);
    if (it && n) memcpy(it->item.data, b, n);
    return it ? &it->item : NULL;
}
static rm_item_t *h_wrap(const rm_host_t *h, uint32_t kind, void *data,
                         size_t size, uint32_t flags, rm_release_cb release,
                         void *user_data) {
    (void)h;
    fake_item_t *it = calloc(1, sizeof *it);
    if (!it) return NULL;
    it->item.struct_size = sizeof(rm_item_t);
    it->item.kind = kind;
    it->item.flags = flags;
    it->item.data = data;
    it->item.size = size;
    it->refs = 1;
    it->release = release;
    it->user_data = user_data;
    fake_live_items++;
    return &it->item;
}
static rm_item_t *h_ref(rm_item_t *item) {
    ((fake_item_t *)item)->refs++;
    return item;
}
void fake_unref(rm_item_t *item) {
    if (!item) return;
    fake_item_t *it = (fake_item_t *)item;
    if (--it->refs > 0) return;
    if (it->owns_data) free(it->item.data);
    if (it->release) it->release(it->user_data, it->item.data);
    free(it);
    fake_live_items--;
}
static int h_is_writable(const rm_item_t *item) {
    const fake_item_t *it = (const fake_item_t *)item;
    return it->refs == 1 && !(item->flags & RM_ITEM_READONLY);
}
static rm_item_t *h_make_writable(const rm_host_t *h, rm_item_t *item) {
    if (h_is_writable(item)) return item;
    fake_item_t *copy = new_item(item->kind, item->size);
    if (copy) {
        memcpy(copy->item.data, item->data, item->size);
        copy->item.audio = item->audio;
        copy->item.tensor = item->tensor;
    }
    fake_unref(item);
    (void)h;
    return copy ? &copy->item : NULL;
}
static int h_emit(rm_emit_t *out, uint32_t port, rm_item_t *item) {
    if (!item) return RM_EINVAL;
    if (out->count >= sizeof out->items / sizeof out->items[0]) {
        fake_unref(item);
        return RM_ENOMEM;
    }
    out->items[out->count].port = port;
    out->items[out->count].item = item;
    out->count++;
    return RM_OK;
}
static const void *h_get_extension(const rm_host_t *h, const char *id) {
    (void)h; (void)id;
    return NULL;
}

static void set_value(rm_params_t *p, int i, const char *json) {
    p->values[i] = json;
    const char *s = json;
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '"') { s++; n -= 2; }
    if (n >= sizeof p->strings[i]) n = sizeof p->strings[i] - 1;
    memcpy(p->strings[i], s, n);
    p->strings[i][n] = '\0';
}

int fake_create(fake_host_t *fh, const rm_node_type_t *type,
                const char *const *overrides) {
    memset(fh, 0, sizeof *fh);
    rm_host_t *h = &fh->host;
    h->struct_size = sizeof *h;
    h->abi_major = RM_ABI_MAJOR;
    h->abi_minor = RM_ABI_MINOR;
    h->node_id = "node_under_test";
    h->alloc = h_alloc;
    h->realloc = h_realloc;
    h->free = h_free;
    h->log = h_log;
    h->now_ns = h_now;
    h->error_set = h_error_set;
    h->param_bool = h_param_bool;
    h->param_int = h_param_int;
    h->param_float = h_param_float;
    h->param_string = h_param_string;
    h->param_json = h_param_json;
    h->param_enum = h_param_enum;
    h->item_new_audio = h_new_audio;
    h->item_new_tensor = h_new_tensor;
    h->item_new_json = h_new_json;
    h->item_new_bytes = h_new_bytes;
    h->item_wrap = h_wrap;
    h->item_ref = h_ref;
    h->item_unref = fake_unref;
    h->item_is_writable = h_is_writable;
    h->item_make_writable = h_make_writable;
    h->emit = h_emit;
    h->get_extension = h_get_extension;
    fh->type = type;
    fh->params.type = type;
    for (uint32_t i = 0; i < type->param_count; i++)
        if (type->params[i].default_json)
            set_value(&fh->params, (int)i, type->params[i].default_json);
    for (const char *const *o = overrides; o && o[0]; o += 2) {
        int i = param_index(&fh->params, o[0]);
        if (i < 0) {
            snprintf(fh->err.message, sizeof fh->err.message,
                     "fake host: unknown param %s", o[0]);
            return RM_EINVAL;
        }
        set_value(&fh->params, i, o[1]);
    }
    return type->create(h, &fh->params, &fh->instance, &fh->err);
}

int fake_process(fake_host_t *fh, rm_item_t *item) {
    return fh->type->process(fh->instance, 0, item, &fh->out, &fh->err);
}
int fake_generate(fake_host_t *fh, int *finished) {
    return fh->type->generate(fh->instance, &fh->out, finished, &fh->err);
}
int fake_flush(fake_host_t *fh) {
    return fh->type->flush ? fh->type->flush(fh->instance, &fh->out, &fh->err)
                           : RM_OK;
}
void fake_clear_emitted(fake_host_t *fh) {
    for (size_t i = 0; i < fh->out.count; i++) fake_unref(fh->out.items[i].item);
    fh->out.count = 0;
}
void fake_destroy(fake_host_t *fh) {
    if (fh->instance) fh->type->destroy(fh->instance);
    fh->instance = NULL;
    fake_clear_emitted(fh);
}

rm_item_t *fake_audio(fake_host_t *fh, uint32_t rate, uint16_t channels,
                      uint32_t sample_format, uint32_t layout, size_t frames,
                      const void *data) {
    rm_audio_format_t f = {rate, channels, (uint8_t)sample_format,
                           (uint8_t)layout, frames};
    rm_item_t *item = h_new_audio(&fh->host, &f);
    if (item && data && item->size) memcpy(item->data, data, item->size);
    return item;
}

rm_item_t *fake_tensor(fake_host_t *fh, uint8_t dtype, size_t count,
                       const void *data) {
    rm_tensor_info_t info = {.dtype = dtype, .ndim = 1};
    info.shape[0] = (int64_t)count;
    rm_item_t *item = h_new_tensor(&fh->host, &info);
    if (item && data && item->size) memcpy(item->data, data, item->size);
    return item;
}

rm_item_t *fake_emitted_on(fake_host_t *fh, uint32_t port, size_t n) {
    for (size_t i = 0; i < fh->out.count; i++)
        if (fh->out.items[i].port == port && n-- == 0)
            return fh->out.items[i].item;
    return NULL;
}
size_t fake_count_on(fake_host_t *fh, uint32_t port) {
    size_t n = 0;
    for (size_t i = 0; i < fh->out.count; i++)
        if (fh->out.items[i].port == port) n++;
    return n;
}

const rm_node_type_t *fake_find_type(const rm_plugin_descriptor_t *plugin,
                                     const char *name) {
    for (uint32_t i = 0; i < plugin->node_type_count; i++)
        if (strcmp(plugin->node_types[i]->name, name) == 0)
            return plugin->node_types[i];
    return NULL;
}
