/*
 * roles.c — a test plugin with a source and a file sink of its own, whose
 * path parameters declare their roles (RM_PARAM_INPUT_PATH,
 * RM_PARAM_OUTPUT_PATH) under names no shipped plugin uses, so the tests
 * show that `rmrun --batch` and `-n` find them by role, not by node type:
 *
 *   TestFileSource  from=PATH  emits one JSON item: the file's size
 *   TestFileSink    to=PATH    writes "<item JSON>\n" per item to PATH
 */
#include <remotemedia/plugin.h>

#include <stdio.h>
#include <string.h>

/* ---- TestFileSource ---------------------------------------------------- */

typedef struct source {
    const rm_host_t *host;
    long size;
} source_t;

static const rm_param_spec_t source_params[] = {
    {"from", RM_PARAM_STRING, RM_PARAM_REQUIRED | RM_PARAM_INPUT_PATH, NULL,
     0, 0, NULL, "the file to read"},
};

static const rm_port_spec_t source_outputs[] = {
    {"out", RM_KIND_BIT(RM_KIND_JSON), "the file's size in bytes"},
};

static int source_create(const rm_host_t *host, const rm_params_t *params,
                         void **instance, rm_error_t *err) {
    const char *path = NULL;
    host->param_string(params, "from", &path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return host->error_set(err, RM_EIO, 0, "TestFileSource: cannot read %s",
                               path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    source_t *source = host->alloc(host, sizeof(*source));
    if (!source) return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    source->host = host;
    source->size = size;
    *instance = source;
    return RM_OK;
}

static int source_generate(void *instance, rm_emit_t *out, int *finished,
                           rm_error_t *err) {
    source_t *source = instance;
    const rm_host_t *host = source->host;
    char text[32];
    int len = snprintf(text, sizeof(text), "%ld", source->size);
    rm_item_t *item = host->item_new_json(host, text, (size_t)len);
    if (!item) return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    *finished = 1;
    return host->emit(out, 0, item);
}

static void source_destroy(void *instance) {
    source_t *source = instance;
    source->host->free(source->host, source);
}

static const rm_node_type_t source_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "TestFileSource",
    .description = "Emit the size of the file `from` (test plugin)",
    .version = "1.0.0",
    .capabilities = RM_CAP_SOURCE | RM_CAP_STATEFUL,
    .params = source_params,
    .param_count = 1,
    .outputs = source_outputs,
    .output_count = 1,
    .create = source_create,
    .generate = source_generate,
    .destroy = source_destroy,
};

/* ---- TestFileSink ------------------------------------------------------ */

/* Opens `to` at the first item, not at create: rmrun checks -n after the
 * pipeline is compiled (created), and an existing file must stay intact. */
typedef struct sink {
    const rm_host_t *host;
    FILE *file;
    char path[4096];
} sink_t;

static const rm_param_spec_t sink_params[] = {
    {"to", RM_PARAM_STRING, RM_PARAM_REQUIRED | RM_PARAM_OUTPUT_PATH, NULL,
     0, 0, NULL, "the file to write"},
};

static const rm_port_spec_t sink_inputs[] = {
    {"in", RM_KIND_BIT(RM_KIND_JSON), "written one per line"},
};

static int sink_create(const rm_host_t *host, const rm_params_t *params,
                       void **instance, rm_error_t *err) {
    const char *path = NULL;
    host->param_string(params, "to", &path);
    if (strlen(path) >= sizeof(((sink_t *)0)->path))
        return host->error_set(err, RM_EINVAL, 0, "TestFileSink: path too long");
    sink_t *sink = host->alloc(host, sizeof(*sink));
    if (!sink) return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    sink->host = host;
    sink->file = NULL;
    strcpy(sink->path, path);
    *instance = sink;
    return RM_OK;
}

static int sink_process(void *instance, uint32_t input_port, rm_item_t *item,
                        rm_emit_t *out, rm_error_t *err) {
    (void)input_port;
    (void)out;
    sink_t *sink = instance;
    if (!sink->file && !(sink->file = fopen(sink->path, "w")))
        return sink->host->error_set(err, RM_EIO, 0,
                                     "TestFileSink: cannot write %s",
                                     sink->path);
    fwrite(item->data, 1, item->size, sink->file);
    fputc('\n', sink->file);
    return RM_OK;
}

static void sink_destroy(void *instance) {
    sink_t *sink = instance;
    if (sink->file) fclose(sink->file);
    sink->host->free(sink->host, sink);
}

static const rm_node_type_t sink_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "TestFileSink",
    .description = "Write each JSON item as a line of `to` (test plugin)",
    .version = "1.0.0",
    .capabilities = RM_CAP_STATEFUL,
    .params = sink_params,
    .param_count = 1,
    .input_count = 1,
    .inputs = sink_inputs,
    .create = sink_create,
    .process = sink_process,
    .destroy = sink_destroy,
};

/* ---- the plugin -------------------------------------------------------- */

static const rm_node_type_t *const types[] = {&source_type, &sink_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.roles",
    .name = "Test plugin (path roles)",
    .version = "1.0.0",
    .description = "A source and a file sink found by their parameters' roles",
    .node_types = types,
    .node_type_count = 2,
};

RM_PLUGIN_DEFINE(descriptor)
