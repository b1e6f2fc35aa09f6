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
#include "cli_options.h"
#include "safe_output.h"

static const rm_cli_option_t rm__run_options[] = {
    {"input", 0, "JSON|@FILE", "input: a JSON list is fed item by item, any other\n"
     "value as one item; @FILE reads it from FILE\n"
     "(@- from stdin). Without it no item is fed (for\n"
     "pipelines that start with a source node)."},
    {"output", 0, "FILE", "write the results to FILE instead of stdout"},
    {"metrics", 0, "FILE", "write the run's metrics as JSON (schema\n"
     "remotemedia.metrics/1, see docs/metrics.md)"},
    {"trace", 0, "FILE", "write a Chrome trace-event JSON of the run (open\n"
     "it in ui.perfetto.dev or chrome://tracing)"},
    {"summary", 0, NULL, "print a per-node table to stderr at the end,\n"
     "sorted by time"},
    {"queue-capacity", 0, "N", "items per connection before the producer waits\n"
     "(default 16)"},
    {"exec", 0, "auto|pool|inline", "where node calls run (default auto)"},
    {"set", 0, "NODE.PARAM=VALUE", "override a parameter of the manifest's node\n"
     "NODE (repeatable), typed by its parameter spec"},
    {"no-overwrite", 'n', NULL, "refuse to write over an existing output (exit 5)"},
    {"overwrite", 'y', NULL, "write over existing outputs (the default)"},
    {"max-items-per-input", 0, "N", "run budget: the most items the nodes may\n"
     "produce per item entering the run (default\n"
     "1000000; docs/manifest.md)"},
    {"max-bytes-per-input", 0, "N", "run budget: the most bytes per item entering\n"
     "the run (default 16 GiB)"},
};
static const rm_cli_options_t rm__run_table = RM_CLI_OPTIONS(rm__run_options);
const rm_cli_options_t *const rm_cli_run_options = &rm__run_table;

static const char rm__run_help[] =
    "  --batch DIR|GLOB|@LIST --out DIR [-j N] [--no-progress] [--resume]\n"
    "                        run it once per input file (see batch)\n";

typedef struct rm__run_args {
    const rm_cli_t *cli;
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

static int rm__run_option(void *ctx, const rm_cli_option_t *o,
                          const char *value) {
    rm__run_args_t *args = ctx;
    switch (o - rm__run_options) {
    case 0: args->input = value; break;
    case 1: args->output_path = value; break;
    case 2: args->metrics_path = value; break;
    case 3: args->trace_path = value; break;
    case 4: args->summary = 1; break;
    case 5:
        return rm_cli_parse_queue_capacity(args->cli, "run", value,
                                           &args->queue_capacity);
    case 6:
        return rm_cli_parse_exec(args->cli, "run", value, &args->exec_policy);
    case 7: args->sets[args->set_count++] = value; break;
    case 8: args->no_clobber = 1; break;
    case 9: args->no_clobber = 0; break;
    case 10:
        return rm__parse_budget(args->cli, "--max-items-per-input", value,
                                &args->max_items_per_input);
    case 11:
        return rm__parse_budget(args->cli, "--max-bytes-per-input", value,
                                &args->max_bytes_per_input);
    }
    return RM_EXIT_OK;
}

static int rm__parse_args(const rm_cli_t *cli, int argc, char **argv,
                          rm__run_args_t *args) {
    args->cli = cli;
    int status = rm_cli_parse_options(cli, "run", &rm__run_table, &argc, argv,
                                      rm__run_option, args);
    if (status != RM_EXIT_OK) return status;
    if (argc > 1) {
        fprintf(stderr, "%s run: one manifest at a time; got '%s' "
                "and '%s'\n", cli->program, argv[0], argv[1]);
        return RM_EXIT_USAGE;
    }
    args->manifest_path = argc ? argv[0] : NULL;
    if (!args->manifest_path) {
        fprintf(stderr, "%s run: which manifest? usage: %s [OPTIONS] "
                "MANIFEST.json [--input JSON|@FILE]\n",
                cli->program, cli->program);
        return RM_EXIT_USAGE;
    }
    return rm_cli_refuse_two_stdin(cli, "run", args->manifest_path, "--input",
                                   args->input);
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
                    rm_cli_read_error(errno));
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

static void rm__print_sink(FILE *out, const rm_run_result_t *r, size_t sink) {
    fputc('[', out);
    for (size_t i = 0; i < rm_run_result_item_count(r, sink); i++) {
        if (i) fputs(", ", out);
        rm_cli_print_item(out, rm_run_result_item(r, sink, i));
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

/* A node reading its input file from stdin (its input-path parameter
 * '-', AudioFileSource's path) and --input @- would both read it: the
 * first would take it all. Refused before either reads a byte. */
static int rm__refuse_stdin_twice(const rm_cli_t *cli,
                                  const rm_registry_t *registry,
                                  const cJSON *manifest, const char *input) {
    if (!input || strcmp(input, "@-") != 0) return RM_EXIT_OK;
    const cJSON *node;
    cJSON_ArrayForEach(node,
                       cJSON_GetObjectItemCaseSensitive(manifest, "nodes")) {
        const char *key =
            rm_cli_role_param(registry, node, RM_PARAM_INPUT_PATH);
        const cJSON *params = cJSON_GetObjectItemCaseSensitive(node, "params");
        const cJSON *path =
            key ? cJSON_GetObjectItemCaseSensitive(params, key) : NULL;
        if (!cJSON_IsString(path) || strcmp(path->valuestring, "-") != 0)
            continue;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(node, "id");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "node_type");
        fprintf(stderr, "%s: node '%s' (%s) reads its %s '-' from stdin, and "
                "so would --input @- (the first would take it all); give one "
                "of them as a file\n", cli->program,
                cJSON_IsString(id) ? id->valuestring : "?",
                cJSON_IsString(type) ? type->valuestring : "?", key);
        return RM_EXIT_USAGE;
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
                path, rm_cli_read_error(errno));
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
    /* before the compile: a source opens its file (stdin) at create */
    if (*parsed) {
        int refused = rm__refuse_stdin_twice(cli, registry, *parsed,
                                             args->input);
        if (refused != RM_EXIT_OK) {
            free(text);
            return refused;
        }
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
    rm_cli_print_diag(cli, path,
                      manifest_problem ? "invalid manifest"
                                       : "cannot create the pipeline",
                      diag);
    rm_diag_free(diag);
    if (manifest_problem && rm_registry_failure_count(registry) > 0)
        rm_cli_warn_failures(cli, registry);
    /* A node that cannot open its file (RM_EIO) is an I/O failure. */
    return manifest_problem   ? RM_EXIT_MANIFEST
           : status == RM_EIO ? RM_EXIT_IO
                              : RM_EXIT_FAILED;
}

/* Ctrl-C / SIGTERM during a run. The first cancels the run (its token):
 * no new node call starts, calls in flight return, the sinks abandon their
 * temporary files, and rmrun exits 130 without writing outputs. An output
 * that is a FIFO nobody reads is released (cli_fifo.c), so a call or
 * rmrun blocked opening it goes on; one with a reader keeps rmrun's probe
 * open until the run and the outputs are done. A second one does not wait for calls
 * in flight: the temporaries are removed and rmrun exits 130 at once. */
typedef struct rm__run_stop {
    const rm_cli_t *cli;
    rm_cancel_t *cancel;
    char *dirs[64];
    size_t dir_count;
    const char *const *outputs; /* the options' and the nodes' outputs */
    size_t output_count;
} rm__run_stop_t;

static void rm__interrupt(void *ctx, int count, int signo) {
    rm__run_stop_t *stop = ctx;
    if (count == 1 && stop->cancel) {
        rm_cancel_request(stop->cancel);
        rm_cli_release_fifos(stop->cli->program, stop, stop->outputs,
                             stop->output_count, stop->cli->verbosity < 0);
        if (stop->cli->verbosity >= 0)
            fprintf(stderr, "%s: %s: cancelling the run (calls in flight "
                    "finish; again to exit at once)\n", stop->cli->program,
                    rm_cli_signal_name(signo));
        fflush(stderr);
        return;
    }
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

/* How an error names outputs[i]: an option, or the node whose param it is. */
static void rm__output_label(const cJSON *manifest, const char *const *outputs,
                             size_t i, char *label, size_t size) {
    static const char *const options[] = {"--output", "--metrics", "--trace"};
    if (i < 3) {
        snprintf(label, size, "%s", options[i]);
        return;
    }
    snprintf(label, size, "a node");
    const cJSON *node;
    cJSON_ArrayForEach(node, cJSON_GetObjectItemCaseSensitive(manifest, "nodes")) {
        const cJSON *param;
        cJSON_ArrayForEach(param, cJSON_GetObjectItemCaseSensitive(node, "params"))
            if (param->valuestring == outputs[i]) {
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(node, "id");
                snprintf(label, size, "node '%s'",
                         cJSON_IsString(id) ? id->valuestring : "?");
                return;
            }
    }
}

/* Whether two paths that do not exist yet name one file: their folders
 * resolve to one (./out.json, dir/../out.json) and the last parts match. */
static int rm__same_new_file(const char *a, const char *b) {
    const char *base_a = strrchr(a, '/'), *base_b = strrchr(b, '/');
    if (strcmp(base_a ? base_a + 1 : a, base_b ? base_b + 1 : b) != 0)
        return 0;
    char *dir_a = rm_cli_dirname(a), *dir_b = rm_cli_dirname(b);
    char real_a[PATH_MAX], real_b[PATH_MAX];
    int same = dir_a && dir_b && realpath(dir_a, real_a) &&
                       realpath(dir_b, real_b)
                   ? strcmp(real_a, real_b) == 0
                   : strcmp(a, b) == 0;
    free(dir_a);
    free(dir_b);
    return same;
}

/* Two outputs that are one file: the later would overwrite the earlier
 * (the metrics lost in the trace). FIFOs and devices (/dev/null) are
 * streams, written by each in turn, and stdout is '-': those are fine. */
static int rm__refuse_shared_outputs(const rm_cli_t *cli,
                                     const cJSON *manifest,
                                     const char *const *outputs,
                                     size_t count) {
    for (size_t i = 0; i < count; i++)
        for (size_t j = i + 1; j < count; j++) {
            const char *a = outputs[i], *b = outputs[j];
            if (!a || !b || strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
                continue;
            struct stat sa, sb;
            int a_there = stat(a, &sa) == 0, b_there = stat(b, &sb) == 0;
            int same = a_there && b_there
                           ? sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
                                 S_ISREG(sa.st_mode)
                           : !a_there && !b_there && rm__same_new_file(a, b);
            if (!same) continue;
            char la[160], lb[160];
            rm__output_label(manifest, outputs, i, la, sizeof la);
            rm__output_label(manifest, outputs, j, lb, sizeof lb);
            fprintf(stderr, "%s: %s and %s both write '%s'; give each output "
                    "its own file\n", cli->program, la, lb, b);
            return RM_EXIT_USAGE;
        }
    return RM_EXIT_OK;
}

/* A node writing its file to stdout ('-': AudioFileSink's audio) while
 * the results (no --output), --metrics - or --trace - go there too: the
 * JSON would land inside the audio stream. outputs[0] is --output. */
static int rm__refuse_shared_stdout(const rm_cli_t *cli, const cJSON *manifest,
                                    const char *const *outputs, size_t count) {
    for (size_t i = 3; i < count; i++) {
        if (!outputs[i] || strcmp(outputs[i], "-") != 0) continue;
        for (size_t j = 0; j < count; j++) {
            int to_stdout = j == 0 ? !outputs[0] || strcmp(outputs[0], "-") == 0
                                   : outputs[j] && strcmp(outputs[j], "-") == 0;
            if (j == i || !to_stdout) continue;
            char node[160], other[160];
            rm__output_label(manifest, outputs, i, node, sizeof node);
            if (j == 0) snprintf(other, sizeof other, "the results (no --output)");
            else rm__output_label(manifest, outputs, j, other, sizeof other);
            fprintf(stderr, "%s: %s writes its file to stdout ('-') and so "
                    "would %s: the two would be mixed; give %s a file "
                    "(--output /dev/null drops the results)\n", cli->program,
                    node, other, j == 0 ? "--output" : other);
            return RM_EXIT_USAGE;
        }
    }
    return RM_EXIT_OK;
}

/* An output that is the manifest, or the --input @FILE, being run:
 * `rmrun m.json --output m.json` replaced the manifest with its results. */
static int rm__refuse_overwriting_sources(const rm_cli_t *cli,
                                          const cJSON *manifest,
                                          const rm__run_args_t *args,
                                          const char *const *outputs,
                                          size_t count) {
    const char *sources[2] = {args->manifest_path,
                              args->input && args->input[0] == '@'
                                  ? args->input + 1 : NULL};
    static const char *const roles[2] = {"the manifest being run",
                                         "the --input file being read"};
    for (int k = 0; k < 2; k++) {
        struct stat src, out;
        if (!sources[k] || strcmp(sources[k], "-") == 0 ||
            stat(sources[k], &src) != 0 || !S_ISREG(src.st_mode))
            continue;
        for (size_t i = 0; i < count; i++) {
            if (!outputs[i] || stat(outputs[i], &out) != 0 ||
                out.st_dev != src.st_dev || out.st_ino != src.st_ino)
                continue;
            char label[160];
            rm__output_label(manifest, outputs, i, label, sizeof label);
            fprintf(stderr, "%s: %s writes '%s', which is %s: it would be "
                    "overwritten; give another file\n", cli->program,
                    label, outputs[i], roles[k]);
            return RM_EXIT_USAGE;
        }
    }
    return RM_EXIT_OK;
}

/* --output, --metrics, --trace are written after the run: a folder that
 * is missing (or not one, or not writable) would lose a long run's
 * results at the end. Checked before it starts (exit 5). */
static int rm__refuse_unwritable_folders(const rm_cli_t *cli,
                                         const char *const *outputs) {
    static const char *const options[] = {"--output", "--metrics", "--trace"};
    for (size_t i = 0; i < 3; i++)
        if (outputs[i] && strcmp(outputs[i], "-") != 0 &&
            rm_cli_output_folder_ok(cli, options[i], outputs[i],
                                    "before the run") != RM_EXIT_OK)
            return RM_EXIT_IO;
    return RM_EXIT_OK;
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
    rm_registry_t *registry = NULL;
    rm_pipeline_t *pipeline = NULL;
    rm_run_result_t *result = NULL;
    cJSON *manifest = NULL;
    rm__run_stop_t stop = {cli, rm_cancel_new(), {NULL}, 0, NULL, 0};
    /* `launch` hands over the registry it opened (and closes it). */
    if (cli->registry) registry = cli->registry;
    else status = rm_cli_open_registry(cli, &registry);
    /* The items before the compile (a typo in --input costs no RemoteNode
     * connect, no Python start), but --input @- after it: a node of the
     * manifest that reads stdin is refused (rm__refuse_stdin_twice)
     * before --input @- reads it. */
    int items_from_stdin = args.input && strcmp(args.input, "@-") == 0;
    if (status == RM_EXIT_OK && !items_from_stdin)
        status = rm__make_inputs(cli, args.input, &inputs, &input_count);
    if (status == RM_EXIT_OK)
        status = rm__compile(cli, registry, &args, &manifest, &pipeline);
    if (status == RM_EXIT_OK && items_from_stdin)
        status = rm__make_inputs(cli, args.input, &inputs, &input_count);
    const char *outputs[64 + 3] = {args.output_path, args.metrics_path,
                                   args.trace_path};
    size_t output_count = 3;
    if (status == RM_EXIT_OK) {
        /* the nodes' output paths, for -n; their folders and those of the
         * options' outputs, for the temporaries Ctrl-C removes */
        output_count += rm_cli_output_paths(registry, manifest,
                                            outputs + output_count, 64);
        for (size_t i = 0; i < output_count && stop.dir_count < 64; i++)
            if (outputs[i]) {
                stop.dirs[stop.dir_count] = rm_cli_dirname(outputs[i]);
                if (stop.dirs[stop.dir_count]) stop.dir_count++;
            }
        status = rm__refuse_shared_outputs(cli, manifest, outputs,
                                           output_count);
        if (status == RM_EXIT_OK)
            status = rm__refuse_shared_stdout(cli, manifest, outputs,
                                              output_count);
        if (status == RM_EXIT_OK)
            status = rm__refuse_overwriting_sources(cli, manifest, &args,
                                                    outputs, output_count);
        if (status == RM_EXIT_OK)
            status = rm__refuse_unwritable_folders(cli, outputs);
        if (status == RM_EXIT_OK && args.no_clobber)
            status = rm__refuse_existing(cli, outputs, output_count);
    }
    int catching = 0;
    if (status == RM_EXIT_OK) {
        stop.outputs = outputs;
        stop.output_count = output_count;
        catching = rm_cli_interrupts_start(rm__interrupt, &stop) == 0;
        uint32_t flags =
            (args.metrics_path || args.summary ? RM_RUN_METRICS : 0u) |
            (args.trace_path ? RM_RUN_TRACE : 0u);
        rm_run_options_t options = {sizeof(options), args.queue_capacity,
                                    args.exec_policy, flags,
                                    args.max_items_per_input,
                                    args.max_bytes_per_input};
        int run_status = rm_pipeline_run_cancellable(
            pipeline, &options, stop.cancel, inputs, input_count, &result);
        if (!result) {
            fprintf(stderr, "%s: cannot run: %s\n", cli->program,
                    rm_strerror(run_status));
            status = RM_EXIT_FAILED;
        }
    }
    if (result && rm_run_result_status(result) == RM_ECANCELED &&
        rm_cancel_requested(stop.cancel)) {
        /* Cancelled by a signal: no outputs (exit 130 below). */
        if (cli->verbosity >= 0)
            fprintf(stderr, "%s: run cancelled; outputs not written\n",
                    cli->program);
        status = RM_EXIT_INTERRUPTED;
    } else if (result) {
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
    rm_cli_fifo_probes_close(&stop); /* the outputs are written: EOF */
    rm_run_result_free(result);
    rm_pipeline_free(pipeline);
    if (registry != cli->registry) rm_registry_close(registry);
    cJSON_Delete(manifest);
    for (size_t i = 0; i < stop.dir_count; i++) free(stop.dirs[i]);
    rm_cancel_free(stop.cancel);
    for (size_t i = 0; i < input_count; i++) rm_item_unref(inputs[i]);
    free(inputs);
    free(args.sets);
    return status;
}

const rm_cli_command_t rm_cli_command_run = {
    "run", NULL, "MANIFEST.json [--input JSON|@FILE] [RUN OPTIONS]",
    "run a pipeline manifest and print the sinks' outputs as JSON",
    rm__run_help, 1, rm__cmd_run, &rm__run_table};
