/*
 * fake_host.h — a minimal rm_host_t for driving plugin vtables in tests
 * without the runtime: malloc'd reference-counted items, emitted items
 * collected in order, the last error kept as text, params built from a
 * node type's specs (defaults) plus overrides given as JSON text.
 */
#ifndef RM_TEST_FAKE_HOST_H
#define RM_TEST_FAKE_HOST_H

#include <stddef.h>

#include <remotemedia/plugin.h>

typedef struct fake_emitted {
    uint32_t port;
    rm_item_t *item; /* one reference, owned by the fake host */
} fake_emitted_t;

struct rm_error {
    int status, transient;
    char message[2048];
};

struct rm_emit {
    fake_emitted_t items[4096];
    size_t count;
};

struct rm_params {
    const rm_node_type_t *type;
    const char *values[32]; /* JSON text per declared param, NULL = absent */
    char strings[32][512];  /* unquoted string values */
};

typedef struct fake_host {
    rm_host_t host;
    rm_error_t err;
    rm_emit_t out;
    rm_params_t params;
    const rm_node_type_t *type;
    void *instance;
} fake_host_t;

/* Live items made by any fake host (leak check). */
extern long fake_live_items;

/* Create the host and an instance of `type`; `overrides` is a
 * NULL-terminated list of name, json-value pairs. Returns the create
 * status; on failure fh->err.message says why. */
int fake_create(fake_host_t *fh, const rm_node_type_t *type,
                const char *const *overrides);
int fake_process(fake_host_t *fh, rm_item_t *item); /* borrowed item */
int fake_generate(fake_host_t *fh, int *finished);
int fake_flush(fake_host_t *fh);
void fake_destroy(fake_host_t *fh); /* destroys instance, drops emitted */
void fake_clear_emitted(fake_host_t *fh);

/* A new audio item (one reference to the caller) filled from `data`
 * (may be NULL: zeroed). */
rm_item_t *fake_audio(fake_host_t *fh, uint32_t rate, uint16_t channels,
                      uint32_t sample_format, uint32_t layout, size_t frames,
                      const void *data);
/* A new 1-D C-contiguous tensor of `count` elements, filled from `data`
 * (may be NULL: zeroed). */
rm_item_t *fake_tensor(fake_host_t *fh, uint8_t dtype, size_t count,
                       const void *data);
void fake_unref(rm_item_t *item);

/* The n-th emitted item on `port`, NULL if none. */
rm_item_t *fake_emitted_on(fake_host_t *fh, uint32_t port, size_t n);
size_t fake_count_on(fake_host_t *fh, uint32_t port);

/* The entry point's node type by name, from a plugin descriptor getter. */
const rm_node_type_t *fake_find_type(const rm_plugin_descriptor_t *plugin,
                                     const char *name);

#endif /* RM_TEST_FAKE_HOST_H */
