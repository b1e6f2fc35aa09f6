/*
 * exports.c — a healthy node type in a plugin built WITHOUT hidden
 * visibility and the version script: check-plugin must report the
 * symbols it exports besides rm_plugin_entry.
 */
#include <remotemedia/plugin.h>

int check_plugin_leaked_helper(int x);
int check_plugin_leaked_helper(int x) { return x + 1; }

static int pass_create(const rm_host_t *host, const rm_params_t *params,
                       void **instance, rm_error_t *err) {
    (void)params;
    (void)err;
    *instance = (void *)host;
    return RM_OK;
}
static int pass_process(void *instance, uint32_t port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    const rm_host_t *host = instance;
    (void)port;
    (void)err;
    return host->emit(out, 0, host->item_ref(item));
}
static void pass_destroy(void *instance) { (void)instance; }

static const rm_port_spec_t any_in[] = {{"in", RM_KINDS_ANY, ""}};
static const rm_port_spec_t any_out[] = {{"out", RM_KINDS_ANY, ""}};
static const rm_node_type_t pass_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "ExportsPass",
    .description = "passes items through",
    .version = "1.0.0",
    .inputs = any_in, .input_count = 1,
    .outputs = any_out, .output_count = 1,
    .create = pass_create, .process = pass_process, .destroy = pass_destroy};
static const rm_node_type_t *const types[] = {&pass_type};
static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.check-exports",
    .name = "check-plugin test: exports too much",
    .version = "1.0.0",
    .description = "",
    .node_types = types,
    .node_type_count = 1,
};
RM_PLUGIN_DEFINE(descriptor)
