/*
 * bad.c — a plugin whose node types each break one rule of the ABI, for
 * testing `rmrun check-plugin` (every one must be reported). Never
 * installed; built into its own directory.
 */
#include <signal.h>
#include <stddef.h>
#include <remotemedia/plugin.h>

static int any_create(const rm_host_t *host, const rm_params_t *params,
                      void **instance, rm_error_t *err) {
    (void)params;
    (void)err;
    *instance = (void *)host;
    return RM_OK;
}
static void any_destroy(void *instance) { (void)instance; }

/* Crashes on any input. */
static int crash_process(void *instance, uint32_t port, rm_item_t *item,
                         rm_emit_t *out, rm_error_t *err) {
    (void)instance; (void)port; (void)item; (void)out; (void)err;
    raise(SIGSEGV);
    return RM_OK;
}

/* Fails without saying why. */
static int silent_process(void *instance, uint32_t port, rm_item_t *item,
                          rm_emit_t *out, rm_error_t *err) {
    (void)instance; (void)port; (void)item; (void)out; (void)err;
    return RM_EINVAL;
}

/* Makes a new item and forgets it. */
static int leak_process(void *instance, uint32_t port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    const rm_host_t *host = instance;
    (void)port; (void)item; (void)out; (void)err;
    host->item_new_json(host, "1", 1);
    return RM_OK;
}

/* Keeps a reference to the borrowed input forever. */
static int keep_process(void *instance, uint32_t port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    const rm_host_t *host = instance;
    (void)port; (void)out; (void)err;
    host->item_ref(item);
    return RM_OK;
}

/* Emits NULL and ignores emit's status. */
static int null_process(void *instance, uint32_t port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    const rm_host_t *host = instance;
    (void)port; (void)item; (void)err;
    host->emit(out, 0, NULL);
    return RM_OK;
}

/* Never returns. */
static int hang_process(void *instance, uint32_t port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    (void)instance; (void)port; (void)item; (void)out; (void)err;
    for (volatile int spin = 1; spin;) {
    }
    return RM_OK;
}

/* Allocates through the host at create and never frees it. */
static int alloc_create(const rm_host_t *host, const rm_params_t *params,
                        void **instance, rm_error_t *err) {
    (void)params;
    void **state = host->alloc(host, 64);
    if (!state) return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    *state = (void *)host;
    *instance = state;
    return RM_OK;
}
static int alloc_process(void *instance, uint32_t port, rm_item_t *item,
                         rm_emit_t *out, rm_error_t *err) {
    const rm_host_t *host = *(void **)instance;
    (void)port; (void)err;
    return host->emit(out, 0, host->item_ref(item));
}

/* A source that never says finished (legal: a live capture), one small
 * item per call. */
static int endless_generate(void *instance, rm_emit_t *out, int *finished,
                            rm_error_t *err) {
    const rm_host_t *host = instance;
    (void)err;
    *finished = 0;
    return host->emit(out, 0, host->item_new_json(host, "0", 1));
}

static const rm_port_spec_t json_in[] = {{"in", RM_KIND_BIT(RM_KIND_JSON), ""}};
static const rm_port_spec_t json_out[] = {{"out", RM_KIND_BIT(RM_KIND_JSON), ""}};

#define BAD_TYPE(var, type_name, process_fn)                                  \
    static const rm_node_type_t var = {                                      \
        .struct_size = sizeof(rm_node_type_t),                               \
        .name = type_name,                                                   \
        .description = "breaks a rule on purpose",                           \
        .version = "1.0.0",                                                  \
        .inputs = json_in, .input_count = 1,                                 \
        .outputs = json_out, .output_count = 1,                              \
        .create = any_create, .process = process_fn,                         \
        .destroy = any_destroy}

BAD_TYPE(crash_type, "BadCrash", crash_process);
BAD_TYPE(silent_type, "BadSilentError", silent_process);
BAD_TYPE(leak_type, "BadLeak", leak_process);
BAD_TYPE(keep_type, "BadKeepsInput", keep_process);
BAD_TYPE(null_type, "BadNullEmit", null_process);
BAD_TYPE(hang_type, "BadHang", hang_process);

static const rm_node_type_t endless_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "SourceEndless",
    .description = "generates forever",
    .version = "1.0.0",
    .capabilities = RM_CAP_SOURCE,
    .outputs = json_out, .output_count = 1,
    .create = any_create, .generate = endless_generate,
    .destroy = any_destroy};

static const rm_node_type_t alloc_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "BadAllocLeak",
    .description = "never frees its instance",
    .version = "1.0.0",
    .inputs = json_in, .input_count = 1,
    .outputs = json_out, .output_count = 1,
    .create = alloc_create, .process = alloc_process,
    .destroy = any_destroy};

static const rm_node_type_t *const types[] = {
    &crash_type, &silent_type, &leak_type, &keep_type, &null_type, &hang_type,
    &endless_type, &alloc_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.check-bad",
    .name = "check-plugin test: broken node types",
    .version = "1.0.0",
    .description = "each node type breaks one ABI rule",
    .node_types = types,
    .node_type_count = sizeof(types) / sizeof(types[0]),
};

RM_PLUGIN_DEFINE(descriptor)
