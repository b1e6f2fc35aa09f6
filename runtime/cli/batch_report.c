/*
 * batch_report.c — batch-report.json, the --events lines and the --resume
 * key of `rmrun --batch` (see batch.h, docs/batch.md). All JSON is built
 * with cJSON.
 */
#include "batch.h"
#include "json_number.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <remotemedia/metrics.h>

#include "safe_output.h"

static const char *const rm__status_names[] = {"not started", "ok", "failed",
                                               "skipped", "interrupted"};

const char *rm_batch_status_name(int status) {
    return status >= 0 && status <= RM_BATCH_RUNNING ? rm__status_names[status]
                                                     : "?";
}

uint64_t rm_batch_hash(uint64_t hash, const void *data, size_t size) {
    const unsigned char *p = data;
    if (hash == 0) hash = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++) {
        hash ^= p[i];
        hash *= 1099511628211ull;
    }
    return hash;
}

/* The key names the input by its real path, however the batch spells it
 * (in/a.wav, ./in/a.wav, /data/in/a.wav, through a symlinked folder), and
 * by where its outputs go below --out (its folder there and name stem:
 * two links to one file write two sets of outputs). */
void rm_batch_make_key(const rm_batch_t *b, const rm_batch_entry_t *e,
                       const struct stat *st, char key[17], char file_id[17]) {
    key[0] = file_id[0] = '\0';
    if (!st) return;
    char real[PATH_MAX];
    const char *name = realpath(e->input, real) ? real : e->input;
    uint64_t where = rm_batch_hash(0, name, strlen(name) + 1);
    where = rm_batch_hash(where, e->subdir ? e->subdir : "", e->subdir ? strlen(e->subdir) + 1 : 1);
    where = rm_batch_hash(where, e->stem ? e->stem : "", e->stem ? strlen(e->stem) + 1 : 1);
    snprintf(file_id, 17, "%016" PRIx64, where);
    uint64_t h = rm_batch_hash(b->manifest_hash, &where, sizeof where);
    int64_t facts[3] = {(int64_t)st->st_size, (int64_t)st->st_mtim.tv_sec,
                        (int64_t)st->st_mtim.tv_nsec};
    h = rm_batch_hash(h, facts, sizeof facts);
    snprintf(key, 17, "%016" PRIx64, h);
}

/* OUT/.rmrun-state.json: per input its key, status and outputs, kept
 * next to the outputs (whatever --report says) for --resume. */
cJSON *rm_batch_load_state(const rm_batch_t *b) {
    char *path = rm_batch_state_path(b->out_dir);
    size_t len = 0;
    char *text = path ? rm_cli_read_file(path, &len) : NULL;
    free(path);
    if (!text) return NULL;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    return root;
}

static int rm__exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* `f` is the state's latest entry of e's file (found by file id, not by
 * the input as spelt: the id holds the real path, see rm_batch_make_key,
 * so `--batch in` then `--batch /abs/in` resume); NULL when there is
 * none. Another manifest, --set or a changed input: another key. */
int rm_batch_previously_done(const cJSON *f, rm_batch_entry_t *e) {
    if (!f || !e->key[0]) return 0;
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(f, "key");
    if (!cJSON_IsString(key) || strcmp(key->valuestring, e->key) != 0)
        return 0;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(f, "status");
    if (!cJSON_IsString(st) || (strcmp(st->valuestring, "ok") != 0 &&
                                strcmp(st->valuestring, "skipped") != 0))
        return 0;
    /* and what it wrote is still there: as this batch spells its outputs
     * (the earlier run's paths were relative to its own folder), matched
     * by name; a name this batch does not make, as it was written */
    const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(f, "written");
    unsigned char *outcome = calloc(e->output_count + 1, sizeof(*outcome));
    const cJSON *o;
    cJSON_ArrayForEach(o, outputs) {
        const char *path = cJSON_IsString(o) ? o->valuestring : NULL;
        for (size_t i = 0; path && i < e->output_count; i++)
            if (strcmp(rm_cli_basename(e->outputs[i]), rm_cli_basename(o->valuestring)) == 0) {
                path = e->outputs[i];
                if (outcome) outcome[i] = RM_BATCH_OUTPUT_WRITTEN;
            }
        if (!path || !rm__exists(path)) {
            free(outcome);
            return 0;
        }
    }
    /* Skipped: its outputs are what the earlier run wrote; another file
     * at one of its paths (a silent input there) stays stale. */
    for (size_t i = 0; outcome && i < e->output_count; i++)
        if (!outcome[i] && rm__exists(e->outputs[i]))
            outcome[i] = RM_BATCH_OUTPUT_STALE;
    free(e->outcome);
    e->outcome = outcome;
    return 1;
}

/* This process's peak resident memory in kB (VmHWM: of this program image
 * only, unlike getrusage, whose maxrss keeps the parent's from before
 * exec); 0 when unknown. */
static long rm__peak_rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

/* A number rounded to `digits` decimals (the report's precision). */
/* `value` rounded to `digits` decimals (0 when not finite), printed as
 * the shortest text that reads back (json_number.h: 0.123, not
 * 0.12300000000000001). */
static cJSON *rm__add_number(cJSON *object, const char *name, double value,
                             int digits) {
    double scale = pow(10, digits);
    return rm_json_add_number(object, name,
                              isfinite(value) ? rm_cli_round(value * scale) / scale
                                              : 0.0);
}


static cJSON *rm__file_json(const rm_batch_entry_t *e) {
    cJSON *f = cJSON_CreateObject();
    if (!f) return NULL;
    int done = e->status != RM_BATCH_NOT_STARTED && e->status != RM_BATCH_RUNNING;
    cJSON_AddStringToObject(f, "input", e->input);
    cJSON_AddStringToObject(f, "status", rm_batch_status_name(e->status));
    if (e->audio_s >= 0) rm__add_number(f, "audio_s", e->audio_s, 3);
    else cJSON_AddNullToObject(f, "audio_s");
    rm__add_number(f, "wall_s", done ? e->wall_s : 0.0, 4);
    rm__add_number(f, "compile_ms", done ? e->compile_ms : 0.0, 3);
    rm_cli_json_add_text(f, "key", e->key[0] ? e->key : NULL);
    rm_cli_json_add_text(f, "file_id", e->file_id[0] ? e->file_id : NULL);
    /* what this run wrote (batch_written.c); what an ok file did not
     * write (its sink got no audio), and of those the ones where an
     * earlier run's file is */
    cJSON *written = cJSON_AddArrayToObject(f, "written");
    cJSON *not_written = cJSON_AddArrayToObject(f, "not_written");
    cJSON *stale = cJSON_AddArrayToObject(f, "stale");
    for (size_t o = 0; written && not_written && stale && o < e->output_count;
         o++) {
        int outcome = rm_batch_output_outcome(e, o);
        cJSON *list = outcome == RM_BATCH_OUTPUT_WRITTEN ? written
                      : e->status == RM_BATCH_OK         ? not_written
                                                         : NULL;
        if (list) cJSON_AddItemToArray(list, cJSON_CreateString(e->outputs[o]));
        if (outcome == RM_BATCH_OUTPUT_STALE)
            cJSON_AddItemToArray(stale, cJSON_CreateString(e->outputs[o]));
    }
    /* A worker writes e->error before it sets the status: read it only
     * for finished files. */
    rm_cli_json_add_text(f, "error", done ? e->error : NULL);
    return f;
}

/* Whether e's node times can be read (lock held): its worker fills them
 * before it sets the file's final status, so a file still running (the
 * report of a second Ctrl-C) has none yet. */
static int rm__node_times(const rm_batch_entry_t *e) {
    return e->node_ns &&
           (e->status == RM_BATCH_OK || e->status == RM_BATCH_FAILED);
}

/* Whether `input` is one of this batch's (the entries are sorted). */
static int rm__in_batch(const rm_batch_t *b, const char *input) {
    size_t lo = 0, hi = b->entry_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->entries[mid].input, input);
        if (c == 0) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

/* Writes `root` to `path` (NULL: out of memory) through safe_output;
 * RM_EXIT_OK or RM_EXIT_IO (printed). */
static int rm__write_json(const rm_batch_t *b, const char *path,
                          const cJSON *root) {
    char *text = path ? cJSON_PrintUnformatted(root) : NULL;
    if (!text) {
        fprintf(stderr, "%s: batch: %s: out of memory\n", b->cli->program,
                path ? path : "the report");
        return RM_EXIT_IO;
    }
    rm_safe_output_t target;
    char why[PATH_MAX + 256];
    FILE *f = rm_safe_output_fopen(&target, path, why, sizeof why);
    if (f) {
        fputs(text, f);
        fputc('\n', f);
    }
    free(text);
    if (!f || rm_safe_output_fclose(&target, f, why, sizeof why) != 0) {
        fprintf(stderr, "%s: batch: %s\n", b->cli->program, why);
        return RM_EXIT_IO;
    }
    return RM_EXIT_OK;
}

int rm_batch_write_report(rm_batch_t *b, double wall) {
    double audio = 0;
    size_t counts[RM_BATCH_RUNNING + 1] = {0};
    for (size_t i = 0; i < b->entry_count; i++) {
        const rm_batch_entry_t *e = &b->entries[i];
        if (e->status >= 0 && e->status <= RM_BATCH_RUNNING) counts[e->status]++;
        if (e->status == RM_BATCH_OK && e->audio_s > 0) audio += e->audio_s;
    }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "manifest", b->manifest_path);
    cJSON_AddStringToObject(root, "out_dir", b->out_dir);
    rm_json_add_number(root, "jobs", b->jobs);
    rm_json_add_number(root, "total", (double)b->entry_count);
    rm_json_add_number(root, "ok", (double)counts[RM_BATCH_OK]);
    rm_json_add_number(root, "failed", (double)counts[RM_BATCH_FAILED]);
    rm_json_add_number(root, "skipped", (double)counts[RM_BATCH_SKIPPED]);
    rm_json_add_number(root, "not_started",
                            (double)counts[RM_BATCH_NOT_STARTED]);
    rm_json_add_number(root, "interrupted",
                            (double)counts[RM_BATCH_RUNNING]);
    cJSON_AddBoolToObject(root, "stopped_by_signal",
                          atomic_load(&b->interrupted) > 0);
    rm__add_number(root, "audio_s", audio, 3);
    rm__add_number(root, "wall_s", wall, 3);
    rm__add_number(root, "realtime_factor", wall > 0 ? audio / wall : 0.0, 2);
    rm__add_number(root, "peak_rss_mb", rm__peak_rss_kb() / 1024.0, 1);
    char hash[17];
    snprintf(hash, sizeof hash, "%016" PRIx64, b->manifest_hash);
    cJSON_AddStringToObject(root, "manifest_hash", hash);
    cJSON *nodes = cJSON_AddArrayToObject(root, "nodes");
    for (size_t n = 0; nodes && n < b->node_count; n++) {
        double total = 0;
        size_t runs = 0;
        for (size_t i = 0; i < b->entry_count; i++)
            if (rm__node_times(&b->entries[i])) {
                total += b->entries[i].node_ns[n] / 1e6;
                runs++;
            }
        cJSON *node = cJSON_CreateObject();
        cJSON_AddItemToArray(nodes, node);
        cJSON_AddStringToObject(node, "id", b->node_ids[n]);
        cJSON_AddStringToObject(node, "type", b->node_types[n]);
        rm__add_number(node, "total_ms", total, 3);
        rm_json_add_number(node, "runs", (double)runs);
        if (b->metrics) { /* the summary of the per-file metrics */
            double calls = 0;
            for (size_t i = 0; i < b->entry_count; i++)
                if (b->entries[i].node_calls && rm__node_times(&b->entries[i]))
                    calls += (double)b->entries[i].node_calls[n];
            rm_json_add_number(node, "calls", calls);
            rm__add_number(node, "mean_us_per_call",
                           calls > 0 ? total * 1e3 / calls : 0.0, 3);
        }
    }
    cJSON *unsupported = cJSON_AddArrayToObject(root, "unsupported");
    for (size_t i = 0; unsupported && i < b->unsupported_count; i++)
        cJSON_AddItemToArray(unsupported, cJSON_CreateString(b->unsupported[i]));
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; files && i < b->entry_count; i++)
        cJSON_AddItemToArray(files, rm__file_json(&b->entries[i]));
    char *path = rm_batch_report_path(b->out_dir, b->report_path);
    int status = rm__write_json(b, path, root);
    free(path);
    /* The state: this batch's files and the earlier ones of other inputs. */
    cJSON *state = cJSON_CreateObject();
    cJSON *kept = cJSON_AddArrayToObject(state, "files");
    cJSON *old = rm_batch_load_state(b);
    cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(old, "files")) {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(f, "input");
        if (cJSON_IsString(in) && !rm__in_batch(b, in->valuestring))
            cJSON_AddItemToArray(kept, cJSON_Duplicate(f, 1));
    }
    cJSON_Delete(old);
    cJSON_ArrayForEach(f, files)
        cJSON_AddItemToArray(kept, cJSON_Duplicate(f, 1));
    char *state_path = rm_batch_state_path(b->out_dir);
    int state_status = rm__write_json(b, state_path, state);
    free(state_path);
    cJSON_Delete(root);
    cJSON_Delete(state);
    return status != RM_EXIT_OK ? status : state_status;
}

void rm_batch_print_unsupported(const rm_batch_t *b) {
    size_t n = b->unsupported_count, shown = b->cli->verbosity > 0 ? n : 5;
    if (n == 0 || b->cli->verbosity < 0) return;
    fprintf(stderr, "%s: batch: %zu file%s skipped, not audio by extension "
            "(listed in the report):", b->cli->program, n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n && i < shown; i++)
        fprintf(stderr, "%s %s", i ? "," : "", b->unsupported[i]);
    if (n > shown) fprintf(stderr, ", ... (%zu more; -v lists all)", n - shown);
    fputc('\n', stderr);
}

/* Writes `text` (from the runtime; freed here) to `path` (NULL: out of
 * memory; freed here); NULL or why. */
static char *rm__write_text(char *path, char *text) {
    char why[PATH_MAX + 256];
    rm_safe_output_t target;
    FILE *f = text && path ? rm_safe_output_fopen(&target, path, why, sizeof why)
                           : NULL;
    if (!text || !path)
        snprintf(why, sizeof why, "%s: out of memory", path ? path : "--metrics");
    free(path);
    if (f) fputs(text, f);
    rm_free_string(text);
    if (!f || rm_safe_output_fclose(&target, f, why, sizeof why) != 0)
        return strdup(why);
    return NULL;
}

char *rm_batch_write_diagnostics(const rm_batch_t *b, rm_batch_entry_t *e,
                                 const rm_run_result_t *r) {
    char *error = NULL;
    if (b->metrics)
        error = rm__write_text(rm_batch_file_path(b, e, RM_BATCH_METRICS_SUFFIX),
                               rm_run_result_metrics_json(
                                   r, RM_METRICS_JSON_PRETTY, NULL));
    if (b->trace && !error)
        error = rm__write_text(rm_batch_file_path(b, e, RM_BATCH_TRACE_SUFFIX),
                               rm_run_result_trace_json(r, NULL));
    for (size_t i = 0; b->metrics && e->node_calls &&
                       i < rm_run_result_node_count(r) && i < b->node_count;
         i++)
        e->node_calls[i] = rm_run_result_node_stats(r, i)->calls;
    return error;
}

char *rm_batch_event_line(const rm_batch_entry_t *e) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "input", e->input);
    cJSON_AddStringToObject(o, "status", rm_batch_status_name(e->status));
    rm__add_number(o, "audio_s", e->audio_s > 0 ? e->audio_s : 0.0, 3);
    rm__add_number(o, "wall_s", e->wall_s, 4);
    rm_cli_json_add_text(o, "error", e->error);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* Once stdout fails (its reader gone: EPIPE with SIGPIPE ignored), no
 * more lines; said once. Under events_lock. */
static int rm__events_closed;

void rm_batch_event_write(rm_batch_t *b, char *line) {
    if (!line) return;
    pthread_mutex_lock(&b->events_lock);
    if (!rm__events_closed) {
        fputs(line, stdout);
        fputc('\n', stdout);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            int err = errno;
            rm__events_closed = 1;
            fprintf(stderr, "%s: batch: --events: cannot write to stdout: %s; "
                    "no more event lines (the batch goes on; its report has "
                    "every file)\n", b->cli->program, strerror(err));
        }
    }
    pthread_mutex_unlock(&b->events_lock);
    free(line);
}
