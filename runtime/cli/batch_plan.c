/*
 * batch_plan.c — which inputs of `rmrun --batch` run, decided before any
 * does (see batch.h, docs/batch.md "Which files run"):
 *
 *   - an input any of whose outputs is an input of the batch (the same
 *     file, through any path or symlink: --out equal to an input folder)
 *     fails, and nothing is written over it;
 *   - with -n (no_clobber) an input one of whose outputs exists fails;
 *   - with --resume an input the previous report lists as done with the
 *     same key (manifest with --set, input path, size, mtime) and whose
 *     outputs are all there is skipped; any other one runs (again).
 */
#include "batch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int rm__cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Where writing `path` would put the bytes: its resolved path when it
 * exists (a symlink is followed, as safe_output does), else its resolved
 * directory and its name. 0, or -1 when its directory does not exist (so
 * it cannot be an existing file). */
static int rm__would_write(const char *path, char *out) {
    if (realpath(path, out)) return 0;
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    char real[PATH_MAX];
    if (!realpath(dir, real)) return -1;
    int n = snprintf(out, PATH_MAX, "%s/%s", strcmp(real, "/") ? real : "",
                     slash ? slash + 1 : path);
    return n > 0 && n < PATH_MAX ? 0 : -1;
}

/* Fails `e`: "output PATH WHY". */
static void rm__fail(rm_batch_t *b, rm_batch_entry_t *e, const char *path,
                     const char *why) {
    size_t n = strlen(path) + strlen(why) + 16;
    e->error = malloc(n);
    if (e->error) snprintf(e->error, n, "output %s %s", path, why);
    e->status = RM_BATCH_FAILED;
    b->failed++;
    b->done++;
}

int rm_batch_plan(rm_batch_t *b) {
    /* The inputs' real paths, sorted, to look outputs up in. */
    char **inputs = calloc(b->entry_count + 1, sizeof(*inputs));
    if (!inputs) return RM_EXIT_FAILED;
    size_t n = 0;
    char real[PATH_MAX];
    for (size_t i = 0; i < b->entry_count; i++)
        if (realpath(b->entries[i].input, real)) {
            inputs[n] = strdup(real);
            if (!inputs[n]) break;
            n++;
        }
    qsort(inputs, n, sizeof(*inputs), rm__cmp_str);
    /* The report and the resume state never go over an input either. */
    char own[2][PATH_MAX + 32];
    if (b->report_path) snprintf(own[0], sizeof own[0], "%s", b->report_path);
    else snprintf(own[0], sizeof own[0], "%s/batch-report.json", b->out_dir);
    snprintf(own[1], sizeof own[1], "%s/" RM_BATCH_STATE_NAME, b->out_dir);
    for (int k = 0; k < 2; k++) {
        const char *key = real;
        if (rm__would_write(own[k], real) == 0 &&
            bsearch(&key, inputs, n, sizeof(*inputs), rm__cmp_str)) {
            fprintf(stderr, "%s: batch: %s is an input of the batch; the "
                    "%s would overwrite it (give another --out%s)\n",
                    b->cli->program, own[k], k ? "resume state" : "report",
                    k ? "" : " or --report");
            for (size_t i = 0; i < n; i++) free(inputs[i]);
            free(inputs);
            return RM_EXIT_USAGE;
        }
    }
    cJSON *previous = b->resume ? rm_batch_load_state(b) : NULL;
    for (size_t i = 0; i < b->entry_count; i++) {
        rm_batch_entry_t *e = &b->entries[i];
        rm_batch_set_key(b, e);
        for (size_t o = 0; !e->status && o < e->output_count; o++) {
            const char *key = real;
            if (rm__would_write(e->outputs[o], real) == 0 &&
                bsearch(&key, inputs, n, sizeof(*inputs), rm__cmp_str))
                rm__fail(b, e, e->outputs[o],
                         "would overwrite an input of the batch; nothing "
                         "was written (give another --out)");
        }
        if (e->status) continue;
        if (b->resume && previous && rm_batch_previously_done(previous, e)) {
            e->status = RM_BATCH_SKIPPED;
            b->skipped++;
            continue;
        }
        /* -n is about files: a FIFO or a device (through a symlink too) is
         * written as a stream, never overwritten. */
        struct stat st;
        for (size_t o = 0; b->no_clobber && !e->status && o < e->output_count;
             o++)
            if (stat(e->outputs[o], &st) == 0 && S_ISREG(st.st_mode))
                rm__fail(b, e, e->outputs[o],
                         "exists and -n refuses to overwrite it (-y "
                         "overwrites; --resume skips done files)");
        if (e->status) continue;
        b->todo++;
        if (e->audio_s > 0) b->audio_todo += e->audio_s;
    }
    cJSON_Delete(previous);
    for (size_t i = 0; i < n; i++) free(inputs[i]);
    free(inputs);
    return RM_EXIT_OK;
}

/* "subdir/stem" of an entry, for the same-output check. */
typedef struct rm__named {
    char *name;
    size_t index;
} rm__named_t;

static int rm__cmp_named(const void *a, const void *b) {
    const rm__named_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index < y->index ? -1 : x->index > y->index);
}

int rm_batch_check_stems(const rm_batch_t *b) {
    rm__named_t *names = calloc(b->entry_count + 1, sizeof(*names));
    int status = names ? RM_EXIT_OK : RM_EXIT_FAILED;
    size_t n = 0;
    for (; status == RM_EXIT_OK && n < b->entry_count; n++) {
        const rm_batch_entry_t *e = &b->entries[n];
        size_t len = strlen(e->subdir) + strlen(e->stem) + 2;
        names[n].name = malloc(len);
        names[n].index = n;
        if (!names[n].name) status = RM_EXIT_FAILED;
        else snprintf(names[n].name, len, "%s/%s", e->subdir, e->stem);
    }
    if (status == RM_EXIT_OK) {
        qsort(names, n, sizeof(*names), rm__cmp_named);
        for (size_t i = 1; i < n; i++) {
            if (strcmp(names[i - 1].name, names[i].name) != 0) continue;
            const rm_batch_entry_t *x = &b->entries[names[i - 1].index];
            const rm_batch_entry_t *y = &b->entries[names[i].index];
            fprintf(stderr, "%s: batch: %s and %s would write the same "
                    "outputs (same name stem '%s'%s%s); batch them "
                    "separately\n", b->cli->program, x->input, y->input,
                    x->stem, x->subdir[0] ? " in " : "", x->subdir);
            status = RM_EXIT_USAGE;
            break;
        }
    }
    for (size_t i = 0; names && i < n; i++) free(names[i].name);
    free(names);
    return status;
}
