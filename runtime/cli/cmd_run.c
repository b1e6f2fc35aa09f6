/*
 * cmd_run.c — `rmrun [OPTIONS] MANIFEST.json [--input JSON|@FILE] ...`
 *
 * Compiles the manifest, feeds the input (a JSON list: its elements one by
 * one, like the SDK's run(list); anything else: one item; no --input: no
 * items, for pipelines that start with a source), and prints what the sinks
 * emitted as JSON: one sink → a list of its items; several → an object
 * keyed by sink node id. JSON items are printed as their JSON value; audio,
 * tensor and bytes items as a summary object.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <remotemedia/runtime.h>

#include "cli.h"
#include "safe_output.h"

static const char rm__run_help[] =
    "  --input JSON|@FILE    input: a JSON list is fed item by item, any other\n"
    "                        value as one item; @FILE reads it from FILE\n"
    "                        (@- from stdin). Without it no item is fed (for\n"
    "                        pipelines that start with a source node).\n"
    "  --output FILE         write the results to FILE instead of stdout\n"
    "  --metrics FILE        write the run's metrics as JSON (schema\n"
    "                        remotemedia.metrics/1, see docs/metrics.md)\n"
    "  --trace FILE          write a Chrome trace-event JSON of the run (open\n"
    "                        it in ui.perfetto.dev or chrome://tracing)\n"
    "  --summary             print a per-node table to stderr at the end,\n"
    "                        sorted by time\n"
    "  --queue-capacity N    items per connection before the producer waits\n"
    "                        (default 16)\n"
    "  --exec auto|pool|inline\n"
    "                        where node calls run (default auto)\n"
    "  --max-items-per-input N, --max-bytes-per-input N\n"
    "                        run budgets: most items (bytes) the nodes may\n"
    "                        produce per item entering the run (defaults\n"
    "                        1000000 and 16 GiB; docs/manifest.md)\n"
    "  --set NODE.PARAM=VALUE  override a parameter of the manifest's node\n"
    "                        NODE (repeatable), typed by its parameter spec\n"
    "  -n, --no-overwrite    refuse to write over an existing output (exit 5)\n"
    "  -y, --overwrite       write over existing outputs (the default)\n"
    "  --batch DIR|GLOB --out DIR [-j N] [--no-progress] [--resume]\n"
    "                        run it once per input file (see batch)\n";

typedef struct rm__run_args {
    const char *manifest_path;
    const char *input;
    const char *output_path;
    const char *metrics_path;
    const char *trace_path;
    int summary;
    int no_clobber;         /* -n */
    uint32_t queue_capacity;
    uint32_t exec_policy;
    uint64_t max_items_per_input, max_bytes_per_input; /* 0: default */
    const char **sets;      /* --set NODE.PARAM=VALUE, in order */
    size_t set_count;
} rm__run_args_t;

/* A run budget: a whole number >= 1. */
static int rm__parse_budget(const rm_cli_t *cli, const char *option,
                            const char *value, uint64_t *out) {
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(value, &end, 10);
    if (end == value || *end || errno || n < 1 || value[0] == '-') {
        fprintf(stderr, "%s run: %s takes a whole number >= 1, got '%s'\n",
                cli->program, option, value);
        return RM_EXIT_USAGE;
    }
    *out = (uint64_t)n;
    return RM_EXIT_OK;
}

static int rm__parse_args(const rm_cli_t *cli, int argc, char **argv,
                          rm__run_args_t *args) {
    int options_done = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
            continue;
        }
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            if (args->manifest_path) {
                fprintf(stderr, "%s run: one manifest at a time; got '%s' "
                        "and '%s'\n", cli->program, args->manifest_path, arg);
                return RM_EXIT_USAGE;
            }
            args->manifest_path = arg;
            continue;
        }
        if (strcmp(arg, "--summary") == 0) {
            args->summary = 1;
            continue;
        }
        if (strcmp(arg, "-n") == 0 || strcmp(arg, "--no-overwrite") == 0 ||
            strcmp(arg, "-y") == 0 || strcmp(arg, "--overwrite") == 0) {
            args->no_clobber = arg[1] == 'n' || arg[2] == 'n';
            continue;
        }
        static const char *const valued[] = {"--input", "--output",
                                             "--metrics", "--queue-capacity",
                                             "--exec", "--trace", "--set",
                                             "--max-items-per-input",
                                             "--max-bytes-per-input"};
        enum { valued_count = sizeof(valued) / sizeof(valued[0]) };
        const char *value = NULL;
        size_t which = 0;
        for (; which < valued_count; which++) {
            size_t len = strlen(valued[which]);
            if (strncmp(arg, valued[which], len) != 0) continue;
            if (arg[len] == '=') value = arg + len + 1;
            else if (arg[len] == '\0' && i + 1 < argc) value = argv[++i];
            else if (arg[len] != '\0') continue;
            break;
        }
        if (which == valued_count) {
            fprintf(stderr, "%s run: unknown option '%s' (run options: "
                    "--input, --output, --metrics, --trace, --summary, "
                    "--set, -n, -y, --queue-capacity, --exec, "
                    "--max-items-per-input, --max-bytes-per-input; see '%s "
                    "help run')\n",
                    cli->program, arg, cli->program);
            return RM_EXIT_USAGE;
        }
        if (!value || !*value) {
            fprintf(stderr, "%s run: %s needs a value\n", cli->program,
                    valued[which]);
            return RM_EXIT_USAGE;
        }
        switch (which) {
        case 0: args->input = value; break;
        case 1: args->output_path = value; break;
        case 2: args->metrics_path = value; break;
        case 5: args->trace_path = value; break;
        case 6: args->sets[args->set_count++] = value; break;
        case 3:
            if (rm_cli_parse_queue_capacity(cli, "run", value,
                                            &args->queue_capacity))
                return RM_EXIT_USAGE;
            break;
        case 4:
            if (rm_cli_parse_exec(cli, "run", value, &args->exec_policy))
                return RM_EXIT_USAGE;
            break;
        case 7:
        case 8:
            if (rm__parse_budget(cli, valued[which], value,
                                 which == 7 ? &args->max_items_per_input
                                            : &args->max_bytes_per_input))
                return RM_EXIT_USAGE;
            break;
        }
    }
    if (!args->manifest_path) {
        fprintf(stderr, "%s run: which manifest? usage: %s [OPTIONS] "
                "MANIFEST.json [--input JSON|@FILE]\n",
                cli->program, cli->program);
        return RM_EXIT_USAGE;
    }
    return RM_EXIT_OK;
}

/* The input items: a list's elements, or the one value. */
static int rm__make_inputs(const rm_cli_t *cli, const char *spec,
                           rm_item_t ***items, size_t *count) {
    *items = NULL;
    *count = 0;
    if (!spec) return RM_EXIT_OK;
    size_t len = strlen(spec);
    char *owned = NULL;
    const char *text = spec, *origin = "--input";
    if (spec[0] == '@') {
        owned = rm_cli_read_file(spec + 1, &len);
        if (!owned) {
            fprintf(stderr, "%s: --input %s: %s\n", cli->program, spec,
                    strerror(errno));
            return RM_EXIT_IO;
        }
        text = owned;
        origin = spec + 1;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    /* Only whitespace may follow the value. */
    while (root && end && end < text + len &&
           (*end == ' ' || *end == '\n' || *end == '\t' || *end == '\r'))
        end++;
    if (!root || (end && end < text + len)) {
        size_t at = end ? (size_t)(end - text) : 0;
        fprintf(stderr, "%s: %s is not valid JSON (near byte %zu); give a "
                "JSON value, e.g. --input '[1, 2, 3]'\n",
                cli->program, origin, at);
        cJSON_Delete(root);
        free(owned);
        return RM_EXIT_USAGE;
    }
    /* cJSON would cut "a\u0000b" and turn 1e400 into null: refuse. */
    if (rm_cli_json_flawed(cli, origin, text, len, 1)) {
        cJSON_Delete(root);
        free(owned);
        return RM_EXIT_USAGE;
    }
    free(owned);
    size_t n = cJSON_IsArray(root) ? (size_t)cJSON_GetArraySize(root) : 1;
    *items = calloc(n ? n : 1, sizeof(**items));
    int status = *items ? RM_EXIT_OK : RM_EXIT_FAILED;
    const cJSON *element = cJSON_IsArray(root) ? root->child : root;
    for (size_t i = 0; i < n && status == RM_EXIT_OK; i++) {
        char *json = cJSON_PrintUnformatted(element);
        (*items)[i] = json ? rm_item_new_json(json, strlen(json)) : NULL;
        free(json);
        if (!(*items)[i]) status = RM_EXIT_FAILED;
        else (*count)++;
        element = element->next;
    }
    cJSON_Delete(root);
    if (status != RM_EXIT_OK)
        fprintf(stderr, "%s: out of memory reading the input\n", cli->program);
    return status;
}

static const char *rm__sample_format_name(uint32_t format) {
    switch (format) {
    case RM_SAMPLE_F32: return "f32";
    case RM_SAMPLE_I16: return "i16";
    case RM_SAMPLE_I32: return "i32";
    case RM_SAMPLE_F64: return "f64";
    default: return "unknown";
    }
}

static const char *rm__dtype_name(uint32_t dtype) {
    static const char *const names[] = {"?", "float32", "float64", "int8",
                                        "int16", "int32", "int64", "uint8",
                                        "uint16", "uint32", "uint64", "bool"};
    return dtype < sizeof(names) / sizeof(names[0]) ? names[dtype] : "?";
}

static void rm__print_item(FILE *out, const rm_item_t *item) {
    switch (item->kind) {
    case RM_KIND_JSON:
        fputs(item->size ? (const char *)item->data : "null", out);
        break;
    case RM_KIND_AUDIO:
        fprintf(out,
                "{\"kind\":\"audio\",\"sample_rate\":%u,\"channels\":%u,"
                "\"frames\":%llu,\"format\":\"%s\",\"layout\":\"%s\"}",
                item->audio.sample_rate, item->audio.channels,
                (unsigned long long)item->audio.frames,
                rm__sample_format_name(item->audio.sample_format),
                item->audio.layout == RM_LAYOUT_PLANAR ? "planar"
                                                       : "interleaved");
        break;
    case RM_KIND_TENSOR:
        fprintf(out, "{\"kind\":\"tensor\",\"dtype\":\"%s\",\"shape\":[",
                rm__dtype_name(item->tensor.dtype));
        for (unsigned d = 0; d < item->tensor.ndim; d++)
            fprintf(out, "%s%lld", d ? "," : "",
                    (long long)item->tensor.shape[d]);
        fputs("]}", out);
        break;
    default:
        fprintf(out, "{\"kind\":\"%s\",\"size\":%zu}",
                rm_cli_kind_name(item->kind), item->size);
        break;
    }
}

static void rm__print_sink(FILE *out, const rm_run_result_t *r, size_t sink) {
    fputc('[', out);
    for (size_t i = 0; i < rm_run_result_item_count(r, sink); i++) {
        if (i) fputs(", ", out);
        rm__print_item(out, rm_run_result_item(r, sink, i));
    }
    fputc(']', out);
}

static void rm__print_results(FILE *out, const rm_run_result_t *r) {
    size_t sinks = rm_run_result_sink_count(r);
    if (sinks == 1) {
        rm__print_sink(out, r, 0);
    } else {
        fputc('{', out);
        for (size_t s = 0; s < sinks; s++) {
            fputs(s ? ", " : "", out);
            rm_cli_json_string(out, rm_run_result_sink_id(r, s));
            fputs(": ", out);
            rm__print_sink(out, r, s);
        }
        fputc('}', out);
    }
    fputc('\n', out);
}

/* The metrics document (docs/metrics.md), one node per line. */
static void rm__print_metrics(FILE *out, const rm_run_result_t *r) {
    char *json = rm_run_result_metrics_json(r, RM_METRICS_JSON_PRETTY, NULL);
    fputs(json ? json : "null\n", out);
    rm_free_string(json);
}

/* The Chrome trace (the run recorded one: --trace asks for it). */
static void rm__print_trace(FILE *out, const rm_run_result_t *r) {
    char *json = rm_run_result_trace_json(r, NULL);
    fputs(json ? json : "{\"traceEvents\": []}\n", out);
    rm_free_string(json);
}

/* Writes with `print` to `path` (or stdout when NULL) through
 * safe_output.h: atomically for a file, never replacing a FIFO, device or
 * symlink. */
static int rm__write_to(const rm_cli_t *cli, const char *path,
                        void (*print)(FILE *, const rm_run_result_t *),
                        const rm_run_result_t *r) {
    if (!path) {
        print(stdout, r);
        return RM_EXIT_OK;
    }
    rm_safe_output_t target;
    char why[PATH_MAX + 256];
    FILE *out = rm_safe_output_fopen(&target, path, why, sizeof why);
    if (out) print(out, r);
    if (!out || rm_safe_output_fclose(&target, out, why, sizeof why) != 0) {
        fprintf(stderr, "%s: %s\n", cli->program, why);
        return RM_EXIT_IO;
    }
    return RM_EXIT_OK;
}

/* Reads the manifest, applies the --set overrides and compiles it. With
 * no --set the file's own text is compiled (its line numbers in the
 * messages). *parsed: the manifest as JSON (NULL when it is not JSON: the
 * compiler says why). */
static int rm__compile(const rm_cli_t *cli, const rm_registry_t *registry,
                       const rm__run_args_t *args, cJSON **parsed,
                       rm_pipeline_t **pipeline) {
    const char *path = args->manifest_path;
    size_t len = 0;
    char *text = rm_cli_read_manifest(cli, path, &len);
    if (!text) {
        fprintf(stderr, "%s: cannot read manifest %s: %s\n", cli->program,
                path, strerror(errno));
        return RM_EXIT_IO;
    }
    *parsed = cJSON_ParseWithLength(text, len);
    if (args->set_count && !*parsed) {
        fprintf(stderr, "%s: %s: invalid manifest: not JSON, so --set cannot "
                "apply\n", cli->program, path);
        free(text);
        return RM_EXIT_MANIFEST;
    }
    if (args->set_count && rm_cli_json_flawed(cli, path, text, len, 1)) {
        free(text);
        return RM_EXIT_MANIFEST;
    }
    for (size_t i = 0; i < args->set_count; i++) {
        int status = rm_cli_apply_set(cli, registry, *parsed, path,
                                      args->sets[i]);
        if (status != RM_EXIT_OK) {
            free(text);
            return status;
        }
    }
    if (args->set_count) {
        free(text);
        text = cJSON_PrintUnformatted(*parsed);
        if (!text) return RM_EXIT_FAILED;
        len = strlen(text);
    }
    rm_diag_t *diag = rm_diag_new();
    int status = rm_pipeline_compile(registry, text, len, path, diag,
                                     pipeline);
    free(text);
    if (status == RM_OK) {
        rm_diag_free(diag);
        return RM_EXIT_OK;
    }
    int manifest_problem = status == RM_EPARSE || status == RM_EVALIDATE ||
                           status == RM_ECYCLE;
    fprintf(stderr, "%s: %s: %s (%zu problem%s):\n", cli->program, path,
            manifest_problem ? "invalid manifest" : "cannot create the pipeline",
            rm_diag_count(diag), rm_diag_count(diag) == 1 ? "" : "s");
    for (size_t i = 0; i < rm_diag_count(diag); i++) {
        const rm_diag_entry_t *e = rm_diag_at(diag, i);
        fprintf(stderr, "  %s%s%s\n", e->where ? e->where : "",
                e->where ? ": " : "", e->message);
    }
    rm_diag_free(diag);
    if (manifest_problem && rm_registry_failure_count(registry) > 0)
        rm_cli_warn_failures(cli, registry);
    return manifest_problem ? RM_EXIT_MANIFEST : RM_EXIT_FAILED;
}

/* Ctrl-C / SIGTERM during a run (the runtime cannot stop a run halfway):
 * the outputs being written are abandoned, their temporaries removed, and
 * rmrun exits 130 at once. */
typedef struct rm__run_stop {
    const rm_cli_t *cli;
    char *dirs[64];
    size_t dir_count;
} rm__run_stop_t;

static void rm__interrupt(void *ctx, int count, int signo) {
    rm__run_stop_t *stop = ctx;
    (void)count;
    size_t removed = 0;
    for (size_t i = 0; i < stop->dir_count; i++)
        removed += rm_safe_output_clean_own(stop->dirs[i], 0);
    if (stop->cli->verbosity >= 0)
        fprintf(stderr, "%s: %s: run stopped; outputs not written (%zu "
                "temporar%s removed)\n", stop->cli->program,
                rm_cli_signal_name(signo), removed,
                removed == 1 ? "y" : "ies");
    fflush(stderr);
    _exit(RM_EXIT_INTERRUPTED);
}

/* -n: an output file that exists is refused before the run (a FIFO or a
 * device, /dev/null, is written as a stream: never overwritten). */
static int rm__refuse_existing(const rm_cli_t *cli, const char *const *paths,
                               size_t count) {
    struct stat st;
    for (size_t i = 0; i < count; i++)
        if (paths[i] && strcmp(paths[i], "-") != 0 &&
            stat(paths[i], &st) == 0 && S_ISREG(st.st_mode)) {
            fprintf(stderr, "%s: output %s exists and -n refuses to overwrite "
                    "it (-y overwrites)\n", cli->program, paths[i]);
            return RM_EXIT_IO;
        }
    return RM_EXIT_OK;
}

static int rm__cmd_run(const rm_cli_t *cli, int argc, char **argv) {
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--batch") == 0 ||
            strncmp(argv[i], "--batch=", 8) == 0)
            return rm_cli_run_batch(cli, argc, argv);
    rm__run_args_t args = {0};
    args.sets = calloc((size_t)argc + 1, sizeof(*args.sets));
    if (!args.sets) return RM_EXIT_FAILED;
    int status = rm__parse_args(cli, argc, argv, &args);
    if (status != RM_EXIT_OK) {
        free(args.sets);
        return status;
    }

    rm_item_t **inputs = NULL;
    size_t input_count = 0;
    status = rm__make_inputs(cli, args.input, &inputs, &input_count);
    if (status != RM_EXIT_OK) {
        free(args.sets);
        return status;
    }

    rm_registry_t *registry = NULL;
    rm_pipeline_t *pipeline = NULL;
    rm_run_result_t *result = NULL;
    cJSON *manifest = NULL;
    rm__run_stop_t stop = {cli, {NULL}, 0};
    status = rm_cli_open_registry(cli, &registry);
    if (status == RM_EXIT_OK)
        status = rm__compile(cli, registry, &args, &manifest, &pipeline);
    const char *outputs[64 + 3] = {args.output_path, args.metrics_path,
                                   args.trace_path};
    size_t output_count = 3;
    if (status == RM_EXIT_OK) {
        stop.dir_count = manifest ? rm_cli_sink_dirs(manifest, stop.dirs, 61)
                                  : 0;
        /* the sinks' paths, for -n */
        const cJSON *node;
        cJSON_ArrayForEach(node, cJSON_GetObjectItemCaseSensitive(manifest,
                                                                  "nodes")) {
            const cJSON *type = cJSON_GetObjectItemCaseSensitive(node,
                                                                 "node_type");
            const cJSON *path = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(node, "params"), "path");
            if (output_count < 64 + 3 && cJSON_IsString(type) &&
                cJSON_IsString(path) &&
                strcmp(type->valuestring, "AudioFileSink") == 0)
                outputs[output_count++] = path->valuestring;
        }
        for (size_t i = 0; i < 3; i++)
            if (outputs[i] && stop.dir_count < 64)
                stop.dirs[stop.dir_count++] = rm_cli_dirname(outputs[i]);
        if (args.no_clobber)
            status = rm__refuse_existing(cli, outputs, output_count);
    }
    int catching = 0;
    if (status == RM_EXIT_OK) {
        catching = rm_cli_interrupts_start(rm__interrupt, &stop) == 0;
        uint32_t flags =
            (args.metrics_path || args.summary ? RM_RUN_METRICS : 0u) |
            (args.trace_path ? RM_RUN_TRACE : 0u);
        rm_run_options_t options = {sizeof(options), args.queue_capacity,
                                    args.exec_policy, flags,
                                    args.max_items_per_input,
                                    args.max_bytes_per_input};
        int run_status = rm_pipeline_run(pipeline, &options, inputs,
                                         input_count, &result);
        if (!result) {
            fprintf(stderr, "%s: cannot run: %s\n", cli->program,
                    rm_strerror(run_status));
            status = RM_EXIT_FAILED;
        }
    }
    if (result) {
        /* Partial results are printed too; the exit code says it failed. */
        status = rm__write_to(cli, args.output_path, rm__print_results,
                              result);
        if (args.metrics_path) {
            int metrics = rm__write_to(cli, args.metrics_path,
                                       rm__print_metrics, result);
            if (status == RM_EXIT_OK) status = metrics;
        }
        if (args.trace_path) {
            int trace = rm__write_to(cli, args.trace_path, rm__print_trace,
                                     result);
            if (status == RM_EXIT_OK) status = trace;
        }
        if (args.summary) {
            char *table = rm_run_result_summary_text(result);
            if (table) fputs(table, stderr);
            rm_free_string(table);
        }
        const rm_run_error_t *e = rm_run_result_error(result);
        if (e) {
            fprintf(stderr, "%s: node '%s' (%s) failed in %s: %s [%s%s]\n",
                    cli->program, e->node_id ? e->node_id : "?",
                    e->node_type ? e->node_type : "?", e->operation,
                    e->message, rm_err_name(e->status),
                    e->transient ? ", transient" : "");
            size_t first = rm_run_result_first_unprocessed(result);
            size_t count = rm_run_result_input_count(result);
            if (first < count)
                fprintf(stderr, "%s: input items %zu..%zu of %zu were not "
                        "processed (0-based; items before %zu completed)\n",
                        cli->program, first, count - 1, count, first);
            status = rm_cli_exit_for_error(e);
        }
    }
    /* A signal while the outputs are written waits (blocked) until exit. */
    if (catching && rm_cli_interrupts_stop() > 0) status = RM_EXIT_INTERRUPTED;
    rm_run_result_free(result);
    rm_pipeline_free(pipeline);
    rm_registry_close(registry);
    cJSON_Delete(manifest);
    for (size_t i = 0; i < stop.dir_count; i++) free(stop.dirs[i]);
    for (size_t i = 0; i < input_count; i++) rm_item_unref(inputs[i]);
    free(inputs);
    free(args.sets);
    return status;
}

const rm_cli_command_t rm_cli_command_run = {
    "run", NULL, "MANIFEST.json [--input JSON|@FILE] [RUN OPTIONS]",
    "run a pipeline manifest and print the sinks' outputs as JSON",
    rm__run_help, 1, rm__cmd_run};
