/*
 * roles.c — a test plugin with a source and a file sink of its own, whose
 * path parameters declare their roles (RM_PARAM_INPUT_PATH,
 * RM_PARAM_OUTPUT_PATH) under names no shipped plugin uses, so the tests
 * show that `rmrun --batch` and `-n` find them by role, not by node type:
 *
 *   TestFileSource  from=PATH  emits one JSON item: the file's size
 *   TestFileSink    to=PATH    writes "<item JSON>\n" per item to PATH
 *
 * and node types with the roles `rmrun --batch --segments` looks for
 * (RM_CAP_SPEECH_SEGMENTS, RM_CAP_PASS_THROUGH):
 *
 *   TestSizeMarks   per number N in: {"scores":[0.25,0.75],"first_frame":0,
 *                   "frame_s":0.5}; at flush {"segments":[[0,N/10]],
 *                   "final":true} (N the last number seen)
 *   TestRelay       emits its input unchanged
 */
#include <remotemedia/plugin.h>

#include <stdio.h>
#include <stdlib.h>
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

/* ---- TestSizeMarks ---------------------------------------------------- */

typedef struct marks {
    const rm_host_t *host;
    double last;
} marks_t;

static const rm_port_spec_t json_in[] = {
    {"in", RM_KIND_BIT(RM_KIND_JSON), "a number"},
};
static const rm_port_spec_t marks_outputs[] = {
    {"marks", RM_KIND_BIT(RM_KIND_JSON), "frame scores, then the segments"},
};

static int marks_create(const rm_host_t *host, const rm_params_t *params,
                        void **instance, rm_error_t *err) {
    (void)params;
    marks_t *marks = host->alloc(host, sizeof(*marks));
    if (!marks) return host->error_set(err, RM_ENOMEM, 0, "out of memory");
    marks->host = host;
    marks->last = 0;
    *instance = marks;
    return RM_OK;
}

static int marks_emit(marks_t *marks, rm_emit_t *out, const char *text,
                      rm_error_t *err) {
    rm_item_t *item = marks->host->item_new_json(marks->host, text,
                                                 strlen(text));
    if (!item) return marks->host->error_set(err, RM_ENOMEM, 0, "out of memory");
    return marks->host->emit(out, 0, item);
}

static int marks_process(void *instance, uint32_t input_port, rm_item_t *item,
                         rm_emit_t *out, rm_error_t *err) {
    (void)input_port;
    marks_t *marks = instance;
    char text[64];
    size_t n = item->size < sizeof text - 1 ? item->size : sizeof text - 1;
    memcpy(text, item->data, n);
    text[n] = '\0';
    marks->last = strtod(text, NULL);
    return marks_emit(marks, out,
                      "{\"scores\":[0.25,0.75],\"first_frame\":0,"
                      "\"frame_s\":0.5}", err);
}

static int marks_flush(void *instance, rm_emit_t *out, rm_error_t *err) {
    marks_t *marks = instance;
    char text[96];
    snprintf(text, sizeof text, "{\"segments\":[[0,%g]],\"final\":true}",
             marks->last / 10);
    return marks_emit(marks, out, text, err);
}

static void marks_destroy(void *instance) {
    marks_t *marks = instance;
    marks->host->free(marks->host, marks);
}

static const rm_node_type_t marks_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "TestSizeMarks",
    .description = "Speech segments from numbers (test plugin)",
    .version = "1.0.0",
    .capabilities = RM_CAP_STATEFUL | RM_CAP_STREAMING | RM_CAP_SPEECH_SEGMENTS,
    .input_count = 1,
    .inputs = json_in,
    .outputs = marks_outputs,
    .output_count = 1,
    .create = marks_create,
    .process = marks_process,
    .flush = marks_flush,
    .destroy = marks_destroy,
};

/* ---- TestRelay --------------------------------------------------------- */

static const rm_port_spec_t relay_out[] = {
    {"out", RM_KINDS_ANY, "the input, unchanged"},
};
static const rm_port_spec_t relay_in[] = {
    {"in", RM_KINDS_ANY, "any item"},
};

static int relay_create(const rm_host_t *host, const rm_params_t *params,
                        void **instance, rm_error_t *err) {
    (void)params;
    (void)err;
    *instance = (void *)host;
    return RM_OK;
}

static int relay_process(void *instance, uint32_t input_port, rm_item_t *item,
                         rm_emit_t *out, rm_error_t *err) {
    (void)input_port;
    (void)err;
    const rm_host_t *host = instance;
    return host->emit(out, 0, host->item_ref(item));
}

static void relay_destroy(void *instance) { (void)instance; }

static const rm_node_type_t relay_type = {
    .struct_size = sizeof(rm_node_type_t),
    .name = "TestRelay",
    .description = "Emits its input unchanged (test plugin)",
    .version = "1.0.0",
    .capabilities = RM_CAP_CONCURRENT | RM_CAP_PASS_THROUGH,
    .input_count = 1,
    .inputs = relay_in,
    .outputs = relay_out,
    .output_count = 1,
    .create = relay_create,
    .process = relay_process,
    .destroy = relay_destroy,
};

/* ---- the plugin -------------------------------------------------------- */

static const rm_node_type_t *const types[] = {&source_type, &sink_type,
                                              &marks_type, &relay_type};

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    .id = "org.remotemedia.test.roles",
    .name = "Test plugin (path roles)",
    .version = "1.0.0",
    .description = "Sources, sinks and segments found by their declared roles",
    .node_types = types,
    .node_type_count = 4,
};

RM_PLUGIN_DEFINE(descriptor)
