/*
 * cmd_batch.c — `rmrun [OPTIONS] MANIFEST.json --batch INPUT_DIR_OR_GLOB
 *               --out OUT_DIR [-j N] [--no-progress] [--resume]`
 *
 * Runs one manifest over many audio files in one process, N files in
 * flight (threads calling rm_pipeline_run concurrently). Per input file:
 *
 *   - every node whose type declares an input-path parameter
 *     (RM_PARAM_INPUT_PATH, e.g. AudioFileSource's path) gets it set to the
 *     input;
 *   - one file sink (a node with an RM_PARAM_OUTPUT_PATH parameter, e.g.
 *     AudioFileSink's path) writes OUT_DIR/<stem>.<ext>, where <ext> is the
 *     extension of the manifest's own sink path (else its "format" param,
 *     else wav); several file sinks write OUT_DIR/<stem>.<sink id>.<ext>;
 *   - any other sink's items go to OUT_DIR/<stem>.json as
 *     {"<sink id>": [items...]} (written to a temporary name, then renamed).
 *
 * The manifest is parsed once; per file the substituted manifest is
 * compiled (the source opens its file at create, so the path is a create
 * parameter; compiling costs well under a millisecond, see docs/batch.md),
 * run once and freed. A failing file is recorded and the batch goes on; at
 * the end every failure is listed with its reason (exit 1 if any), and
 * OUT_DIR/batch-report.json has one entry per input.
 *
 * --resume skips an input whose outputs all exist (AudioFileSink and this
 * command write atomically, so an existing output is a complete one), or
 * that the previous batch-report.json lists as ok (a sink that got no
 * audio writes no file).
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <remotemedia/runtime.h>

#include "batch.h"
#include "batch_order.h"
#include "batch_output_names.h"
#include "cli.h"
#include "cli_options.h"
#include "safe_output.h"

static const rm_cli_option_t rm__batch_options[] = {
    {"batch", 0, "DIR|GLOB|@LIST", "run the manifest once per input file: a\n"
     "directory's audio files (by extension), or the\n"
     "files a quoted glob matches, or one file;\n"
     "@LIST reads paths from LIST, one a line"},
    {"recursive", 'r', NULL, "a directory's whole tree (hidden entries and\n"
     "symlinked directories skipped); a glob's '**'\n"
     "is any number of directories either way"},
    {"out", 0, "DIR", "where outputs and batch-report.json go\n"
     "(created if missing); outputs mirror the\n"
     "input tree: DIR/spk1/001.wav -> OUT/spk1/001.wav"},
    {"jobs", 'j', "N", "files in flight at once (default: CPUs, max 64)"},
    {"no-progress", 0, NULL, "no progress (on a terminal a bar of the audio\n"
     "seconds done, rate and ETA; else a plain line\n"
     "every --progress-interval seconds)"},
    {"progress-interval", 0, "S", "seconds between plain progress lines when\n"
     "stderr is no terminal (default 10; 0: a line\n"
     "per finished file)"},
    {"resume", 0, NULL, "skip inputs done before with the same manifest\n"
     "(and --set) and unchanged (size, mtime), whose\n"
     "outputs are all there; the rest run (again)"},
    {"no-overwrite", 'n', NULL, "an input whose output exists fails instead"},
    {"overwrite", 'y', NULL, "overwrite existing outputs (the default)"},
    {"set", 0, "NODE.PARAM=VALUE", "override a manifest parameter (repeatable)"},
    {"metrics", 0, NULL, "per file OUT/<stem>.metrics.json (and a summary\n"
     "per node in the report)"},
    {"trace", 0, NULL, "per file OUT/<stem>.trace.json"},
    {"segments", 0, "FORMATS", "the speech segments as files: jsonl,\n"
     "csv, rttm, audacity (labels) or all; per input\n"
     "(OUT/<stem>.segments.jsonl ...) and combined\n"
     "(OUT/segments.jsonl, .csv, .rttm)"},
    {"report", 0, "FILE", "the report (default OUT/batch-report.json)"},
    {"events", 0, NULL, "one JSON line per finished file on stdout\n"
     "({input, status, audio_s, wall_s, error})"},
    {"queue-capacity", 0, "N", "as for run"},
    {"exec", 0, "auto|pool|inline", "where node calls run (default inline: the\n"
     "files in flight are the concurrency)"},
};
static const rm_cli_options_t rm__batch_table =
    RM_CLI_OPTIONS(rm__batch_options);
const rm_cli_options_t *const rm_cli_batch_options = &rm__batch_table;

static const char rm__batch_help[] =
    "  Nodes with an input-path parameter (AudioFileSource) read the input;\n"
    "  a node with an output-path parameter (AudioFileSink) writes\n"
    "  OUT/<stem>.<ext of its manifest path> (OUT/<stem>.<id>.<ext> when\n"
    "  several); other sinks' items go to OUT/<stem>.json. See docs/batch.md.\n";


static double rm__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}


static char *rm__format(const char *fmt, ...) RM_PRINTF_LIKE(1, 2);
static char *rm__format(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *text = malloc((size_t)n + 1);
    if (!text) return NULL;
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return text;
}

/* ---- arguments ------------------------------------------------------------ */

typedef struct rm__batch_args {
    const rm_cli_t *cli;
    const char *manifest_path, *input, *out_dir, *report;
    unsigned jobs;
    int no_progress, resume, events, no_clobber, recursive, metrics, trace;
    double progress_interval;
    unsigned segment_formats;
    uint32_t queue_capacity, exec_policy;
    const char **sets;      /* --set NODE.PARAM=VALUE, in order */
    size_t set_count;
} rm__batch_args_t;

static int rm__batch_option(void *ctx, const rm_cli_option_t *o,
                            const char *value) {
    rm__batch_args_t *a = ctx;
    const rm_cli_t *cli = a->cli;
    char *end = NULL;
    long n = 0;
    switch (o - rm__batch_options) {
    case 0: a->input = value; break;
    case 1: a->recursive = 1; break;
    case 2: {
        /* "out/" would spell every output "out//a.wav" (report, errors):
         * the trailing slashes go (in place: argv, or launch's own copy) */
        size_t len = strlen(value);
        while (len > 1 && value[len - 1] == '/') ((char *)value)[--len] = '\0';
        a->out_dir = value;
        break;
    }
    case 3:
        n = strtol(value, &end, 10);
        if (*end || n < 1 || n > 64) {
            fprintf(stderr, "%s: batch: -j takes a whole number from 1 "
                    "to 64, got '%s'\n", cli->program, value);
            return RM_EXIT_USAGE;
        }
        a->jobs = (unsigned)n;
        break;
    case 4: a->no_progress = 1; break;
    case 5:
        a->progress_interval = strtod(value, &end);
        if (*end || !(a->progress_interval >= 0) ||
            a->progress_interval > 86400) {
            fprintf(stderr, "%s: batch: --progress-interval takes "
                    "seconds from 0 to 86400, got '%s'\n", cli->program,
                    value);
            return RM_EXIT_USAGE;
        }
        break;
    case 6: a->resume = 1; break;
    case 7: a->no_clobber = 1; break;
    case 8: a->no_clobber = 0; break;
    case 9: a->sets[a->set_count++] = value; break;
    case 10: a->metrics = 1; break;
    case 11: a->trace = 1; break;
    case 12:
        return rm_batch_segments_parse(cli, value, &a->segment_formats)
                   ? RM_EXIT_USAGE
                   : RM_EXIT_OK;
    case 13: a->report = value; break;
    case 14: a->events = 1; break;
    case 15:
        return rm_cli_parse_queue_capacity(cli, "batch", value,
                                           &a->queue_capacity);
    case 16:
        return rm_cli_parse_exec(cli, "batch", value, &a->exec_policy);
    }
    return RM_EXIT_OK;
}

static int rm__parse(const rm_cli_t *cli, int argc, char **argv,
                     rm__batch_args_t *a) {
    a->cli = cli;
    int status = rm_cli_parse_options(cli, "batch", &rm__batch_table, &argc,
                                      argv, rm__batch_option, a);
    if (status != RM_EXIT_OK) return status;
    if (argc > 1) {
        fprintf(stderr, "%s: batch: one manifest at a time; got "
                "'%s' and '%s' (quote a glob: --batch 'dir/*.wav')\n",
                cli->program, argv[0], argv[1]);
        return RM_EXIT_USAGE;
    }
    a->manifest_path = argc ? argv[0] : NULL;
    if (!a->manifest_path || !a->input || !a->out_dir) {
        fprintf(stderr, "%s: batch: usage: %s [OPTIONS] MANIFEST.json --batch "
                "INPUT_DIR_OR_GLOB --out OUT_DIR [-j N] [--no-progress] "
                "[--resume]\n", cli->program, cli->program);
        return RM_EXIT_USAGE;
    }
    return rm_cli_refuse_two_stdin(cli, "batch", a->manifest_path, "--batch",
                                   a->input);
}

/* "dir/a.b.wav" -> "a.b" */
static char *rm__stem(const char *path) {
    const char *base = rm_cli_basename(path);
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *stem = malloc(n + 1);
    if (stem) {
        memcpy(stem, base, n);
        stem[n] = '\0';
    }
    return stem;
}

/* ---- the manifest ------------------------------------------------------------ */

static void rm__set_path(cJSON *params, const char *key, const char *path) {
    cJSON *item = cJSON_CreateString(path);
    if (item) rm_cli_set_param(params, key, item);
}

/* The extension of a file sink's outputs: that of the path the manifest
 * gives it, else its "format" parameter's value (unless "auto"), else
 * ".wav". */
static char *rm__sink_ext(const cJSON *params, const char *key) {
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(params, key);
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(params, "format");
    const char *dot = cJSON_IsString(path) ? strrchr(path->valuestring, '.')
                                           : NULL;
    if (dot && strchr(dot, '/')) dot = NULL;
    const char *ext = dot && dot[1]                ? dot + 1
                      : cJSON_IsString(format) &&
                              strcmp(format->valuestring, "auto") != 0
                          ? format->valuestring
                          : "wav";
    return rm__format(".%s", ext);
}

/* The media-duration extension of `node`'s type, or NULL. */
static const rm_media_duration_t *rm__media_duration(
    const rm_registry_t *registry, const cJSON *node) {
    const rm_registry_entry_t *entry = rm_cli_node_entry(registry, node);
    const rm_node_type_t *type = entry ? entry->type : NULL;
    if (!type || !RM_STRUCT_HAS(type, rm_node_type_t, get_extension) ||
        !type->get_extension)
        return NULL;
    const rm_media_duration_t *d = type->get_extension(RM_MEDIA_DURATION_ID);
    return d && RM_STRUCT_HAS(d, rm_media_duration_t, seconds) && d->seconds
               ? d
               : NULL;
}

/* Finds the nodes that read the input (a parameter with the role
 * RM_PARAM_INPUT_PATH) and the file sinks (RM_PARAM_OUTPUT_PATH), by their
 * types' parameter specs. The rest of the validation is the compiler's, at
 * the first file. */
static int rm__scan_manifest(rm_batch_t *b) {
    const rm_cli_t *cli = b->cli;
    cJSON *nodes = cJSON_GetObjectItemCaseSensitive(b->manifest, "nodes");
    size_t n = cJSON_IsArray(nodes) ? (size_t)cJSON_GetArraySize(nodes) : 0;
    b->sources = calloc(n + 1, sizeof(*b->sources));
    b->sinks = calloc(n + 1, sizeof(*b->sinks));
    if (!b->sources || !b->sinks) return RM_EXIT_FAILED;
    cJSON *node;
    cJSON_ArrayForEach(node, nodes) {
        const char *in_key =
            rm_cli_role_param(b->registry, node, RM_PARAM_INPUT_PATH);
        const char *out_key =
            rm_cli_role_param(b->registry, node, RM_PARAM_OUTPUT_PATH);
        if (!in_key && !out_key) continue;
        cJSON *params = rm_cli_node_params(node);
        if (!params) continue; /* the compiler reports it */
        if (in_key) {
            b->sources[b->source_count].params = params;
            b->sources[b->source_count].duration =
                rm__media_duration(b->registry, node);
            b->sources[b->source_count++].key = in_key;
        }
        if (!out_key) continue;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(node, "id");
        rm_batch_file_sink_t *s = &b->sinks[b->sink_count++];
        s->params = params;
        s->key = out_key;
        s->id = strdup(cJSON_IsString(id) ? id->valuestring : "sink");
        s->ext = rm__sink_ext(params, out_key);
        if (!s->id || !s->ext) return RM_EXIT_FAILED;
    }
    /* Several file sinks name their outputs OUT/<stem>.<id><ext>: an id
     * must not lead out of OUT ("/../x"). */
    for (size_t i = 0; b->sink_count > 1 && i < b->sink_count; i++)
        if (strchr(b->sinks[i].id, '/')) {
            fprintf(stderr, "%s: batch: %s: the file sink id ",
                    cli->program, b->manifest_path);
            rm_cli_json_string(stderr, b->sinks[i].id);
            fprintf(stderr, " cannot name an output file: it contains '/' "
                    "and outputs stay inside --out %s (OUT/<stem>.<id>.<ext> "
                    "with several sinks); rename the node\n", b->out_dir);
            return RM_EXIT_MANIFEST;
        }
    if (b->source_count == 0) {
        fprintf(stderr, "%s: batch: %s has no node that reads an input file "
                "(a node type with an input-path parameter, such as "
                "AudioFileSource's path); --batch sets that parameter to "
                "each input file\n",
                cli->program, b->manifest_path);
        return RM_EXIT_MANIFEST;
    }
    return RM_EXIT_OK;
}

/* The output paths of one input (audio outputs, then the .json one when
 * the pipeline has other sinks; has_other_sinks is known after the first
 * compile). */
static int rm__plan_outputs(rm_batch_t *b, rm_batch_entry_t *e) {
    size_t base = b->sink_count + (b->has_other_sinks ? 1 : 0);
    size_t n = base + rm_batch_segments_outputs(b);
    e->outputs = calloc(n + 1, sizeof(*e->outputs));
    if (!e->outputs) return -1;
    const char *sep = e->subdir[0] ? "/" : "";
    for (size_t s = 0; s < b->sink_count; s++) {
        e->outputs[s] =
            b->sink_count == 1
                ? rm__format("%s/%s%s%s%s", b->out_dir, e->subdir, sep,
                             e->stem, b->sinks[s].ext)
                : rm__format("%s/%s%s%s.%s%s", b->out_dir, e->subdir, sep,
                             e->stem, b->sinks[s].id, b->sinks[s].ext);
        if (!e->outputs[s]) return -1;
    }
    if (b->has_other_sinks) {
        e->outputs[b->sink_count] = rm__format(
            "%s/%s%s%s.json", b->out_dir, e->subdir, sep, e->stem);
        if (!e->outputs[b->sink_count]) return -1;
    }
    e->output_count = n;
    return rm_batch_segments_plan(b, e, e->outputs + base);
}

/* ---- one file ------------------------------------------------------------------ */

static int rm__is_file_sink(const rm_batch_t *b, const char *id) {
    for (size_t s = 0; s < b->sink_count; s++)
        if (strcmp(b->sinks[s].id, id) == 0) return 1;
    return 0;
}

/* Writes the non-file sinks' items to `path` (atomically, see
 * safe_output.h). Returns 0, or -1 with the reason in `why`. */
static int rm__write_json(const rm_batch_t *b, const rm_run_result_t *r,
                          const char *path, char *why, size_t why_size) {
    rm_safe_output_t target;
    FILE *f = rm_safe_output_fopen(&target, path, why, why_size);
    if (!f) return -1;
    fputc('{', f);
    int first = 1;
    for (size_t s = 0; s < rm_run_result_sink_count(r); s++) {
        const char *id = rm_run_result_sink_id(r, s);
        if (rm__is_file_sink(b, id) || strcmp(id, RM_BATCH_SEGMENTS_TAP) == 0)
            continue;
        fputs(first ? "" : ",\n ", f);
        first = 0;
        rm_cli_json_string(f, id);
        fputs(": [", f);
        for (size_t i = 0; i < rm_run_result_item_count(r, s); i++) {
            if (i) fputs(", ", f);
            rm_cli_print_item(f, rm_run_result_item(r, s, i));
        }
        fputc(']', f);
    }
    fputs("}\n", f);
    return rm_safe_output_fclose(&target, f, why, why_size);
}

static char *rm__diag_message(const rm_diag_t *diag) {
    size_t total = 1;
    for (size_t i = 0; i < rm_diag_count(diag); i++) {
        const rm_diag_entry_t *e = rm_diag_at(diag, i);
        total += strlen(e->message) + (e->where ? strlen(e->where) : 0) + 4;
    }
    char *text = malloc(total);
    if (!text) return NULL;
    text[0] = '\0';
    for (size_t i = 0; i < rm_diag_count(diag); i++) {
        const rm_diag_entry_t *e = rm_diag_at(diag, i);
        if (i) strcat(text, "; ");
        if (e->where) {
            strcat(text, e->where);
            strcat(text, ": ");
        }
        strcat(text, e->message);
    }
    return text;
}

static int rm__mkdirs(const char *dir);

static void rm__process(rm_batch_t *b, rm_batch_entry_t *e) {
    double start = rm__now();
    /* The input's folder below --out (the mirrored tree). */
    if (e->subdir[0]) {
        char *dir = rm__format("%s/%s", b->out_dir, e->subdir);
        if (!dir || rm__mkdirs(dir) != 0) {
            e->error = rm__format("cannot create %s: %s", dir ? dir : "?",
                                  strerror(errno));
            free(dir);
            e->wall_s = rm__now() - start;
            return;
        }
        free(dir);
    }
    /* The manifest for this file. */
    pthread_mutex_lock(&b->lock);
    for (size_t i = 0; i < b->source_count; i++)
        rm__set_path(b->sources[i].params, b->sources[i].key, e->input);
    for (size_t s = 0; s < b->sink_count; s++)
        rm__set_path(b->sinks[s].params, b->sinks[s].key, e->outputs[s]);
    char *text = cJSON_PrintUnformatted(b->manifest);
    pthread_mutex_unlock(&b->lock);
    if (!text) {
        e->error = strdup("out of memory");
        return;
    }
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *pipeline = NULL;
    double compile_start = rm__now();
    int status = rm_pipeline_compile(b->registry, text, strlen(text),
                                     b->manifest_path, diag, &pipeline);
    e->compile_ms = (rm__now() - compile_start) * 1e3;
    free(text);
    if (status != RM_OK) {
        char *message = diag ? rm__diag_message(diag) : NULL;
        if (status == RM_EPARSE || status == RM_EVALIDATE ||
            status == RM_ECYCLE) {
            pthread_mutex_lock(&b->lock);
            if (!b->manifest_problem) {
                b->manifest_problem = 1;
                b->manifest_message = message;
                message = NULL;
            }
            pthread_mutex_unlock(&b->lock);
        }
        e->error = rm__format("%s [%s]",
                              message ? message : "cannot create the pipeline",
                              rm_err_name(status));
        free(message);
        rm_diag_free(diag);
        e->wall_s = rm__now() - start;
        return;
    }
    rm_diag_free(diag);
    rm_run_result_t *r = NULL;
    char why[PATH_MAX + 256];
    status = rm_pipeline_run(pipeline, &b->options, NULL, 0, &r);
    const rm_run_error_t *err = r ? rm_run_result_error(r) : NULL;
    if (!r) {
        e->error = rm__format("cannot run: %s", rm_strerror(status));
    } else if (err) {
        e->error = rm__format("node '%s' (%s) failed in %s: %s [%s%s]",
                              err->node_id ? err->node_id : "?",
                              err->node_type ? err->node_type : "?",
                              err->operation, err->message,
                              rm_err_name(err->status),
                              err->transient ? ", transient" : "");
    } else if (b->has_other_sinks &&
               rm__write_json(b, r, e->outputs[b->sink_count], why,
                              sizeof why) != 0) {
        e->error = strdup(why);
    } else if (b->segment_formats &&
               (e->error = rm_batch_segments_write(
                    b, e, r, e->outputs + b->sink_count +
                                 (b->has_other_sinks ? 1 : 0))) != NULL) {
        /* the reason is in e->error */
    } else {
        e->node_ns = calloc(b->node_count + 1, sizeof(*e->node_ns));
        if (b->metrics)
            e->node_calls = calloc(b->node_count + 1, sizeof(*e->node_calls));
        if (b->metrics || b->trace)
            e->error = rm_batch_write_diagnostics(b, e, r);
        for (size_t i = 0; e->node_ns && i < rm_run_result_node_count(r) &&
                           i < b->node_count;
             i++)
            e->node_ns[i] = rm_run_result_node_stats(r, i)->total_ns;
    }
    if (!e->error && status != RM_OK)
        e->error = rm__format("run failed: %s", rm_strerror(status));
    rm_run_result_free(r);
    rm_pipeline_free(pipeline);
    e->wall_s = rm__now() - start;
}

/* ---- the workers ---------------------------------------------------------------- */

static void *rm__worker(void *arg) {
    rm_batch_t *b = arg;
    for (;;) {
        /* Ctrl-C: no new file starts; the ones in flight finish. */
        if (atomic_load(&b->interrupted)) break;
        size_t k = atomic_fetch_add(&b->next, 1);
        if (k >= b->entry_count) break;
        rm_batch_entry_t *e = &b->entries[b->order ? b->order[k] : k];
        /* The plan left it to run (set before the workers started): its
         * outputs are noted outside the lock, before the signal thread
         * sees it RUNNING. */
        if (!e->runs) continue;
        rm_batch_outputs_note(e);
        pthread_mutex_lock(&b->lock);
        int run = e->status == RM_BATCH_NOT_STARTED && !b->manifest_problem;
        if (run) e->status = RM_BATCH_RUNNING;
        pthread_mutex_unlock(&b->lock);
        if (!run) continue;
        /* Read here, in parallel, not by the plan one file after another:
         * the file's length (shared with the progress display, which may
         * have read it) and (without --resume) its resume key. */
        /* A FIFO's header read would take the stream from its run. */
        double audio_s = e->streamed  ? -1
                         : b->progress ? rm_batch_header_seconds(b, e)
                                       : rm_batch_audio_seconds(b, e->input);
        char key[sizeof e->key] = "", file_id[sizeof e->file_id] = "";
        struct stat st;
        if (!b->resume)
            rm_batch_make_key(b, e, stat(e->input, &st) == 0 ? &st : NULL, key,
                              file_id);
        rm__process(b, e);
        if (!e->error) rm_batch_outputs_check(e);
        pthread_mutex_lock(&b->lock);
        e->audio_s = audio_s;
        if (!b->resume) {
            memcpy(e->key, key, sizeof key);
            memcpy(e->file_id, file_id, sizeof file_id);
        }
        rm_cli_fifo_probes_close(e); /* a reader of its FIFO sees EOF */
        if (e->fifo_released && !e->error)
            e->error = strdup("interrupted: an output is a FIFO no reader "
                              "opened; what was written to it was dropped");
        e->status = e->error ? RM_BATCH_FAILED : RM_BATCH_OK;
        b->done++;
        if (e->error) b->failed++;
        else b->ok++;
        if (e->audio_s > 0) b->audio_done += e->audio_s;
        char *line = b->events ? rm_batch_event_line(e) : NULL;
        rm_batch_progress_file_done(b);
        pthread_mutex_unlock(&b->lock);
        rm_batch_event_write(b, line);
    }
    return NULL;
}

/* The signal thread (cli_signal.c): the first Ctrl-C or SIGTERM stops
 * dispatching (the workers see `interrupted`); the second abandons the
 * files in flight: removes this process's temporaries under --out, writes
 * the report (those files "interrupted") and exits 130 at once. */
static void rm__interrupt(void *ctx, int count, int signo) {
    rm_batch_t *b = ctx;
    atomic_store(&b->interrupted, count);
    /* On a terminal, step past the "^C" it echoed (and the progress bar). */
    const char *newline = isatty(STDERR_FILENO) ? "\n" : "";
    if (count == 1) {
        if (b->cli->verbosity >= 0)
            fprintf(stderr, "%s%s: batch: %s: no new files start; finishing "
                    "the files in flight (again to stop at once)\n", newline,
                    b->cli->program, rm_cli_signal_name(signo));
        /* A file in flight blocked opening an output FIFO nobody reads
         * would never finish: rmrun reads and drops it (cli_fifo.c) and
         * that file fails. A FIFO with a reader keeps rmrun's probe open
         * until its file finished (rm__worker closes it). */
        pthread_mutex_lock(&b->lock);
        for (size_t i = 0; i < b->entry_count; i++) {
            rm_batch_entry_t *e = &b->entries[i];
            if (e->status == RM_BATCH_RUNNING &&
                rm_cli_release_fifos(b->cli->program, e,
                                     (const char *const *)e->outputs,
                                     e->output_count, b->cli->verbosity < 0))
                e->fifo_released = 1;
        }
        pthread_mutex_unlock(&b->lock);
        return;
    }
    pthread_mutex_lock(&b->lock);
    size_t removed = rm_safe_output_clean_own(b->out_dir, RM_SAFE_OUTPUT_MAX_DEPTH);
    rm_batch_write_report(b, rm__now() - b->start);
    rm_batch_outputs_drop_abandoned(b); /* last: closest to the exit */
    char *report = rm_batch_report_path(b->out_dir, b->report_path);
    if (b->cli->verbosity >= 0)
        fprintf(stderr, "%s%s: batch: %s again: stopped; %zu ok, %zu failed "
                "before it; files in flight abandoned (%zu temporar%s "
                "removed); report: %s\n", newline,
                b->cli->program, rm_cli_signal_name(signo), b->ok, b->failed,
                removed, removed == 1 ? "y" : "ies",
                report ? report : "(out of memory)");
    free(report);
    /* Not fflush(NULL): a worker may hold stdout, blocked on a full pipe. */
    fflush(stderr);
    _exit(RM_EXIT_INTERRUPTED);
}

/* ---- the command --------------------------------------------------------------- */

static int rm__mkdirs(const char *dir) {
    char *path = strdup(dir);
    if (!path) return -1;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            free(path);
            return -1;
        }
        *p = '/';
    }
    int rc = mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
    /* EEXIST is fine only for a directory (or a link to one): a file
     * there would fail every input's outputs one by one. */
    struct stat st;
    if (rc == 0 && stat(path, &st) != 0) rc = -1;
    else if (rc == 0 && !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        rc = -1;
    }
    free(path);
    return rc;
}

double rm_batch_header_seconds(rm_batch_t *b, rm_batch_entry_t *e) {
    if (e->streamed) return -1; /* read once, by its run */
    pthread_mutex_lock(&b->lock);
    double seconds = e->header_s;
    pthread_mutex_unlock(&b->lock);
    if (!isnan(seconds)) return seconds;
    seconds = rm_batch_audio_seconds(b, e->input);
    pthread_mutex_lock(&b->lock);
    if (isnan(e->header_s)) e->header_s = seconds; /* else: both read it */
    pthread_mutex_unlock(&b->lock);
    return seconds;
}

double rm_batch_audio_seconds(const rm_batch_t *b, const char *path) {
    for (size_t i = 0; i < b->source_count; i++) {
        const rm_media_duration_t *d = b->sources[i].duration;
        double seconds = d ? d->seconds(path) : -1;
        if (seconds >= 0) return seconds;
    }
    return -1;
}

/* Whether `id` sends on a connection. Without "connections" the manifest
 * is a chain (nodes[0] -> nodes[1] -> ...): every node but the last sends. */
static int rm__sends(const cJSON *manifest, const char *id, int last) {
    const cJSON *edges = cJSON_GetObjectItemCaseSensitive(manifest,
                                                          "connections");
    if (!edges) return !last;
    const cJSON *edge;
    cJSON_ArrayForEach(edge, edges) {
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(edge, "from");
        if (cJSON_IsString(from) && strcmp(from->valuestring, id) == 0)
            return 1;
    }
    return 0;
}

/* Validates the manifest by compiling it for the first input, learns the
 * node ids/types (for the report) and whether a sink other than a file
 * sink exists (its items go to OUT/<stem>.json). */
static int rm__learn_pipeline(rm_batch_t *b) {
    /* A regular file: the compile's source reads its header, which would
     * take a FIFO's stream from that file's run. Without one (every input
     * a FIFO) the sources get a path no open succeeds on: their create
     * fails, which is tolerated here, and the manifest is still checked. */
    rm_batch_entry_t *e = &b->entries[0];
    const char *source_path = "/dev/null/no-regular-input";
    for (size_t i = 0; i < b->entry_count; i++) {
        struct stat st;
        if (rm_batch_input_stat(&b->entries[i], &st) && S_ISREG(st.st_mode)) {
            e = &b->entries[i];
            source_path = e->input;
            break;
        }
    }
    for (size_t i = 0; i < b->source_count; i++)
        rm__set_path(b->sources[i].params, b->sources[i].key, source_path);
    for (size_t s = 0; s < b->sink_count; s++) {
        char *probe = rm__format("%s/%s%s", b->out_dir, e->stem,
                                 b->sinks[s].ext);
        if (probe)
            rm__set_path(b->sinks[s].params, b->sinks[s].key, probe);
        free(probe);
    }
    char *text = cJSON_PrintUnformatted(b->manifest);
    if (!text) return RM_EXIT_FAILED;
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *p = NULL;
    int status = rm_pipeline_compile(b->registry, text, strlen(text),
                                     b->manifest_path, diag, &p);
    free(text);
    if (status == RM_EPARSE || status == RM_EVALIDATE || status == RM_ECYCLE) {
        fprintf(stderr, "%s: %s: invalid manifest (%zu problem%s):\n",
                b->cli->program, b->manifest_path, rm_diag_count(diag),
                rm_diag_count(diag) == 1 ? "" : "s");
        for (size_t i = 0; i < rm_diag_count(diag); i++) {
            const rm_diag_entry_t *d = rm_diag_at(diag, i);
            fprintf(stderr, "  %s%s%s\n", d->where ? d->where : "",
                    d->where ? ": " : "", d->message);
        }
        rm_diag_free(diag);
        return RM_EXIT_MANIFEST;
    }
    rm_diag_free(diag);
    /* A create failure here is the first input's problem (e.g. corrupt):
     * its entry fails later with the reason; the node list then comes
     * from the manifest. */
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(b->manifest, "nodes");
    size_t n = (size_t)cJSON_GetArraySize(nodes);
    b->node_ids = calloc(n + 1, sizeof(char *));
    b->node_types = calloc(n + 1, sizeof(char *));
    if (!b->node_ids || !b->node_types) {
        rm_pipeline_free(p);
        return RM_EXIT_FAILED;
    }
    size_t k = 0;
    const cJSON *node;
    cJSON_ArrayForEach(node, nodes) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(node, "id");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(node, "node_type");
        const char *ids = cJSON_IsString(id) ? id->valuestring : "?";
        b->node_ids[k] = strdup(p && k < rm_pipeline_node_count(p)
                                        ? rm_pipeline_node_id(p, k)
                                        : ids);
        b->node_types[k] =
            strdup(cJSON_IsString(type) ? type->valuestring : "?");
        k++;
        b->node_count = k;
        if (!b->node_ids[k - 1] || !b->node_types[k - 1]) {
            rm_pipeline_free(p);
            return RM_EXIT_FAILED;
        }
        if (!rm__sends(b->manifest, ids, k == n) && !rm__is_file_sink(b, ids) &&
            strcmp(ids, RM_BATCH_SEGMENTS_TAP) != 0)
            b->has_other_sinks = 1;
    }
    rm_pipeline_free(p);
    return RM_EXIT_OK;
}

static void rm__free_batch(rm_batch_t *b) {
    free(b->order);
    free(b->sizes);
    for (size_t i = 0; i < b->entry_count; i++) {
        rm_batch_entry_t *e = &b->entries[i];
        free(e->input);
        free(e->subdir);
        free(e->stem);
        for (size_t o = 0; e->outputs && o < e->output_count; o++)
            free(e->outputs[o]);
        free(e->before);
        free(e->outcome);
        free(e->outputs);
        free(e->error);
        free(e->node_ns);
        free(e->node_calls);
    }
    free(b->entries);
    for (size_t i = 0; i < b->unsupported_count; i++) free(b->unsupported[i]);
    free(b->unsupported);
    for (size_t s = 0; s < b->sink_count; s++) {
        free(b->sinks[s].id);
        free(b->sinks[s].ext);
    }
    free(b->sinks);
    free(b->sources);
    for (size_t i = 0; i < b->node_count; i++) {
        if (b->node_ids) free(b->node_ids[i]);
        if (b->node_types) free(b->node_types[i]);
    }
    free(b->node_ids);
    free(b->node_types);
    free(b->manifest_message);
    cJSON_Delete(b->manifest);
}

static int rm__run(const rm_cli_t *cli, const rm__batch_args_t *a);

int rm_cli_run_batch(const rm_cli_t *cli, int argc, char **argv) {
    /* Files in flight are the batch's concurrency (-j, one per core by
     * default): node calls stay on each file's thread, since a hop to the
     * worker pool only oversubscribes the cores (measured 2.2x slower for
     * auto; bench/batch, issue #14). --exec auto|pool still chooses. */
    rm__batch_args_t args = {0};
    args.exec_policy = RM_EXEC_INLINE;
    args.progress_interval = 10;
    args.sets = calloc((size_t)argc + 1, sizeof(*args.sets));
    if (!args.sets) return RM_EXIT_FAILED;
    int status = rm__parse(cli, argc, argv, &args);
    if (status == RM_EXIT_OK) status = rm__run(cli, &args);
    free(args.sets);
    return status;
}

static void rm__on_sigpipe(int signo) { (void)signo; }

static int rm__run(const rm_cli_t *cli, const rm__batch_args_t *a) {
    rm__batch_args_t args = *a;
    int status = RM_EXIT_OK;

    rm_batch_t b;
    memset(&b, 0, sizeof b);
    b.cli = cli;
    b.manifest_path = args.manifest_path;
    b.out_dir = args.out_dir;
    b.report_path = args.report;
    b.resume = args.resume;
    b.events = args.events;
    b.progress = args.no_progress || cli->verbosity < 0 ? RM_BATCH_PROGRESS_OFF
                 : isatty(2)                           ? RM_BATCH_PROGRESS_BAR
                                                       : RM_BATCH_PROGRESS_PLAIN;
    b.progress_interval = args.progress_interval;
    b.options.struct_size = sizeof(b.options);
    b.options.queue_capacity = args.queue_capacity;
    b.options.exec_policy = args.exec_policy;
    b.options.flags = (args.metrics ? RM_RUN_METRICS : 0u) |
                      (args.trace ? RM_RUN_TRACE : 0u);
    b.no_clobber = args.no_clobber;
    b.segment_formats = args.segment_formats;
    b.metrics = args.metrics;
    b.trace = args.trace;
    pthread_mutex_init(&b.lock, NULL);
    rm_batch_progress_wake_init(&b);
    pthread_mutex_init(&b.events_lock, NULL);
    atomic_init(&b.next, 0);
    atomic_init(&b.interrupted, 0);
    atomic_init(&b.progress_stop, 0);

    size_t len = 0;
    char *text = rm_cli_read_manifest(cli, args.manifest_path, &len);
    if (!text) {
        fprintf(stderr, "%s: cannot read manifest %s: %s\n", cli->program,
                args.manifest_path, rm_cli_read_error(errno));
        return RM_EXIT_IO;
    }
    b.manifest = cJSON_ParseWithLength(text, len);
    /* The manifest is printed back per file: what cJSON changed silently
     * (a string cut at an escaped NUL, 1e400 as null) must not pass. */
    int flawed = b.manifest &&
                 rm_cli_json_flawed(cli, args.manifest_path, text, len, 1);
    if (!b.manifest) {
        /* Not JSON: the manifest parser says where and why, as for run
         * (it fails at parsing, before it would need a registry). */
        rm_diag_t *diag = rm_diag_new();
        rm_pipeline_t *none = NULL;
        if (diag && rm_pipeline_compile(NULL, text, len, args.manifest_path,
                                        diag, &none) == RM_EPARSE) {
            rm_cli_print_diag(cli, args.manifest_path, "invalid manifest",
                              diag);
            flawed = 1;
        }
        rm_pipeline_free(none);
        rm_diag_free(diag);
    }
    free(text);
    if (flawed) {
        cJSON_Delete(b.manifest);
        return RM_EXIT_MANIFEST;
    }
    if (!cJSON_IsObject(b.manifest)) {
        fprintf(stderr, "%s: %s: invalid manifest: not a JSON object\n",
                cli->program, args.manifest_path);
        cJSON_Delete(b.manifest);
        return RM_EXIT_MANIFEST;
    }
    rm_batch_inputs_t inputs;
    memset(&inputs, 0, sizeof inputs);
    /* The registry first: --set types its values by the param specs. */
    rm_registry_t *registry = cli->registry; /* `launch` opened it */
    if (!registry) status = rm_cli_open_registry(cli, &registry);
    b.registry = registry;
    for (size_t i = 0; status == RM_EXIT_OK && i < args.set_count; i++)
        status = rm_cli_apply_set(cli, registry, b.manifest, b.manifest_path,
                                  args.sets[i]);
    if (status == RM_EXIT_OK && b.segment_formats)
        status = rm_batch_segments_tap(&b);
    if (status == RM_EXIT_OK) status = rm__scan_manifest(&b);
    if (status == RM_EXIT_OK)
        status = rm_batch_list_inputs(cli, args.input, args.recursive,
                                      args.out_dir, &inputs);
    if (status == RM_EXIT_OK && rm__mkdirs(args.out_dir) != 0) {
        if (errno == ENOTDIR)
            fprintf(stderr, "%s: batch: --out %s: not a directory (it or a "
                    "folder on its path is a file; give a folder for the "
                    "outputs)\n", cli->program, args.out_dir);
        else
            fprintf(stderr, "%s: batch: cannot create %s: %s\n",
                    cli->program, args.out_dir, strerror(errno));
        status = RM_EXIT_IO;
    }
    /* An --out rmrun cannot write into would fail every input. */
    if (status == RM_EXIT_OK && access(args.out_dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "%s: batch: --out %s: %s (the outputs, the report "
                "and the resume state are written there)\n", cli->program,
                args.out_dir, strerror(errno));
        status = RM_EXIT_IO;
    }
    /* Nor would a --report whose folder is missing show up before the
     * end of a long batch: the report of every file lost. */
    if (status == RM_EXIT_OK && args.report)
        status = rm_cli_output_folder_ok(cli, "batch: --report", args.report,
                                         "before any input runs");
    /* Temporaries a killed earlier run left behind (their process is
     * gone): ours by name, see safe_output.h. */
    if (status == RM_EXIT_OK) {
        size_t stale = rm_safe_output_clean_stale(args.out_dir);
        if (stale && cli->verbosity > 0)
            fprintf(stderr, "%s: batch: removed %zu temporary file%s a "
                    "killed run left in %s\n", cli->program, stale,
                    stale == 1 ? "" : "s", args.out_dir);
    }
    if (status == RM_EXIT_OK) {
        b.entries = calloc(inputs.count + 1, sizeof(*b.entries));
        if (!b.entries) status = RM_EXIT_FAILED;
    }
    for (size_t i = 0; status == RM_EXIT_OK && i < inputs.count; i++) {
        rm_batch_entry_t *e = &b.entries[b.entry_count++];
        e->input = inputs.items[i].path;
        e->subdir = inputs.items[i].subdir;
        e->input_st = inputs.items[i].st;
        e->input_st_known = inputs.items[i].st_known;
        inputs.items[i].path = inputs.items[i].subdir = NULL;
        e->stem = rm__stem(e->input);
        if (!e->stem) status = RM_EXIT_FAILED;
    }
    b.unsupported = inputs.unsupported;
    b.unsupported_count = inputs.unsupported_count;
    inputs.unsupported = NULL;
    inputs.unsupported_count = 0;
    rm_batch_inputs_free(&inputs);
    /* Two inputs with one stem in one folder would write the same outputs. */
    if (status == RM_EXIT_OK) status = rm_batch_check_stems(&b);
    if (status == RM_EXIT_OK) {
        /* The --resume key's part from the manifest as it runs; its
         * "metadata" (a name, a creation time) does not change outputs. */
        cJSON *copy = cJSON_Duplicate(b.manifest, 1);
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "metadata");
        char *printed = copy ? cJSON_PrintUnformatted(copy) : NULL;
        cJSON_Delete(copy);
        if (!printed) status = RM_EXIT_FAILED;
        else b.manifest_hash = rm_batch_hash(0, printed, strlen(printed));
        free(printed);
    }
    if (status == RM_EXIT_OK) status = rm__learn_pipeline(&b);
    /* How long each file plays is read by the worker that runs it (and,
     * with a progress display, summed by its thread in the background):
     * reading every header here, one after the other, would hold up the
     * start of a large batch and every worker but one. */
    for (size_t i = 0; status == RM_EXIT_OK && i < b.entry_count; i++) {
        if (rm__plan_outputs(&b, &b.entries[i]) != 0) status = RM_EXIT_FAILED;
        b.entries[i].audio_s = -1;
        b.entries[i].header_s = NAN;
    }
    /* One stat per output for the checks below (names, inputs, -n). */
    if (status == RM_EXIT_OK) status = rm_batch_stat_outputs(&b);
    if (status == RM_EXIT_OK) status = rm_batch_check_output_names(&b);
    if (status == RM_EXIT_OK) status = rm_batch_plan(&b);
    rm_batch_free_output_stats(&b);
    if (status != RM_EXIT_OK) {
        if (status == RM_EXIT_FAILED)
            fprintf(stderr, "%s: batch: out of memory\n", cli->program);
        rm__free_batch(&b);
        if (registry != cli->registry) rm_registry_close(registry);
        pthread_mutex_destroy(&b.lock);
        pthread_cond_destroy(&b.progress_wake);
        pthread_mutex_destroy(&b.events_lock);
        return status;
    }
    b.todo += b.failed; /* pre-failed count as done */
    /* A reader that goes away (`--events | head`, a closed terminal) must
     * not kill the batch before its files and report, from the plan's
     * first event line on: writes to it fail with EPIPE instead, and the
     * events stop (rm_batch_event_write). A handler, not SIG_IGN: a
     * program started from here (the plugin scanner, a Python node's
     * subprocess) gets the default back at exec. */
    struct sigaction pipe_action;
    memset(&pipe_action, 0, sizeof pipe_action);
    pipe_action.sa_handler = rm__on_sigpipe;
    sigemptyset(&pipe_action.sa_mask);
    sigaction(SIGPIPE, &pipe_action, NULL);
    for (size_t i = 0; b.events && i < b.entry_count; i++)
        if (b.entries[i].status)
            rm_batch_event_write(&b, rm_batch_event_line(&b.entries[i]));
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    b.jobs = args.jobs ? args.jobs : (cpus > 0 ? (unsigned)(cpus > 64 ? 64 : cpus) : 2);
    size_t pending = b.todo - b.done;
    unsigned threads = pending < b.jobs ? (unsigned)pending : b.jobs;
    /* Several workers: the largest files first (batch_order.c). Out of
     * memory: the sorted order. */
    if (threads > 1) b.order = calloc(b.entry_count + 1, sizeof(*b.order));
    if (b.order &&
        rm_batch_dispatch_order(b.sizes, b.entry_count, threads, b.order) != 0) {
        free(b.order);
        b.order = NULL;
    }

    b.start = rm__now();
    /* Ctrl-C / SIGTERM from here on: see rm__interrupt. */
    int catching = rm_cli_interrupts_start(rm__interrupt, &b) == 0;
    pthread_t *tids = calloc(threads + 1, sizeof(*tids));
    unsigned started = 0;
    pthread_t ticker;
    int ticking = 0;
    if (b.progress && pending > 0) {
        rm_batch_progress_start(&b);
        ticking = pthread_create(&ticker, NULL, rm_batch_progress_ticker,
                                 &b) == 0;
        pthread_mutex_lock(&b.lock);
        if (b.progress == RM_BATCH_PROGRESS_BAR) rm_batch_progress_line(&b, 0);
        pthread_mutex_unlock(&b.lock);
    }
    for (unsigned t = 0; tids && t < threads; t++)
        if (pthread_create(&tids[started], NULL, rm__worker, &b) == 0) started++;
    if (started == 0 && pending > 0) rm__worker(&b); /* no threads: here */
    for (unsigned t = 0; t < started; t++) pthread_join(tids[t], NULL);
    free(tids);
    if (ticking) {
        pthread_mutex_lock(&b.lock);
        b.progress_stop = 1; /* also after a manifest problem or Ctrl-C */
        pthread_cond_signal(&b.progress_wake);
        pthread_mutex_unlock(&b.lock);
        pthread_join(ticker, NULL);
    }
    int signals = catching ? rm_cli_interrupts_stop() : 0;
    double wall = rm__now() - b.start;
    if (b.progress && pending > 0) rm_batch_progress_line(&b, 1);

    if (b.manifest_problem) {
        fprintf(stderr, "%s: %s: cannot run the manifest: %s\n", cli->program,
                b.manifest_path, b.manifest_message);
        status = RM_EXIT_MANIFEST;
    }
    int report = rm_batch_write_report(&b, wall);
    int report_written = report == RM_EXIT_OK;
    if (b.segment_formats) {
        int combined = rm_batch_segments_combine(&b);
        if (report == RM_EXIT_OK) report = combined;
    }
    if (cli->verbosity >= 0) {
        double audio = 0;
        for (size_t i = 0; i < b.entry_count; i++)
            if (b.entries[i].status == RM_BATCH_OK && b.entries[i].audio_s > 0)
                audio += b.entries[i].audio_s;
        rm_batch_print_unsupported(&b);
        rm_batch_print_not_written(&b);
        size_t not_started = 0;
        for (size_t i = 0; i < b.entry_count; i++)
            not_started += b.entries[i].status == RM_BATCH_NOT_STARTED;
        char untouched[64] = "";
        if (not_started)
            snprintf(untouched, sizeof untouched, " (%zu not started)",
                     not_started);
        char *report_path = rm_batch_report_path(b.out_dir, b.report_path);
        fprintf(stderr, "%s: batch: %s%zu ok, %zu failed, %zu skipped of "
                "%zu%s; %.1f s of audio in %.2f s (%.1fx realtime); report: "
                "%s%s\n",
                cli->program, signals ? "interrupted: " : "", b.ok, b.failed,
                b.skipped, b.entry_count, untouched, audio,
                wall, wall > 0 ? audio / wall : 0.0,
                report_path ? report_path : "(out of memory)",
                report_written ? "" : " (not written: see above)");
        free(report_path);
    }
    if (b.failed) {
        fprintf(stderr, "%s: batch: %zu file%s failed:\n", cli->program,
                b.failed, b.failed == 1 ? "" : "s");
        for (size_t i = 0; i < b.entry_count; i++)
            if (b.entries[i].status == RM_BATCH_FAILED)
                fprintf(stderr, "  %s: %s\n", b.entries[i].input,
                        b.entries[i].error);
        if (status == RM_EXIT_OK) status = RM_EXIT_FAILED;
    }
    if (status == RM_EXIT_OK) status = report;
    if (signals) status = RM_EXIT_INTERRUPTED;
    rm__free_batch(&b);
    if (registry != cli->registry) rm_registry_close(registry);
    pthread_mutex_destroy(&b.lock);
    pthread_cond_destroy(&b.progress_wake);
    pthread_mutex_destroy(&b.events_lock);
    return status;
}

/* `rmrun batch MANIFEST --batch ... --out ...`, the same as
 * `rmrun MANIFEST --batch ...`; here so `rmrun help batch` documents it. */
const rm_cli_command_t rm_cli_command_batch = {
    "batch", NULL,
    "MANIFEST.json --batch DIR|GLOB|@LIST --out DIR [-j N] [--no-progress] "
    "[--resume]",
    "run a manifest over many audio files (also: MANIFEST --batch ...)",
    rm__batch_help, 0, rm_cli_run_batch, &rm__batch_table};
