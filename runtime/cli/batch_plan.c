/*
 * batch_plan.c — which inputs of `rmrun --batch` run, decided before any
 * does (see batch.h, docs/batch.md "Which files run"):
 *
 *   - an input any of whose outputs is an input of the batch (the same
 *     file through any path or symlink: --out equal to an input folder)
 *     fails, and nothing is written over it;
 *   - with -n (no_clobber) an input one of whose outputs exists fails;
 *   - with --resume an input the previous report lists as done with the
 *     same key (manifest with --set, input path, size, mtime) and whose
 *     outputs are all there is skipped; any other one runs (again).
 */
#include "batch.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* An input as the kernel knows it: two paths (a symlink, another
 * spelling, a hard link) name the same file exactly when these are
 * equal. */
typedef struct rm__file_id {
    dev_t dev;
    ino_t ino;
    const char *path; /* the input's path as given */
} rm__file_id_t;

static int rm__cmp_id(const void *a, const void *b) {
    const rm__file_id_t *x = a, *y = b;
    if (x->dev != y->dev) return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Whether writing `path` (`st`: its stat) would write over one of the
 * sorted `inputs`. A path that does not exist is none (the inputs were
 * all there); one that is an input's file (stat follows a symlink, as
 * safe_output does) is, unless it is another hard link to it: an output
 * replaces its path's link, so the input's own path keeps its bytes. The
 * paths are resolved only for a file that is an input. */
static int rm__is_input(const char *path, const rm_batch_out_stat_t *st,
                        const rm__file_id_t *inputs, size_t n) {
    if (!st->exists) return 0;
    rm__file_id_t key = {st->dev, st->ino, NULL};
    const rm__file_id_t *hit =
        bsearch(&key, inputs, n, sizeof(*inputs), rm__cmp_id);
    if (!hit) return 0;
    if (st->nlink < 2) return 1;
    char real[PATH_MAX], other[PATH_MAX];
    if (!realpath(path, real)) return 1;
    while (hit > inputs && rm__cmp_id(hit - 1, &key) == 0) hit--;
    for (; hit < inputs + n && rm__cmp_id(hit, &key) == 0; hit++)
        if (!realpath(hit->path, other) || strcmp(real, other) == 0) return 1;
    return 0; /* only other links to an input's file */
}

/* The previous state's files by file id (the input's real path, folder
 * and stem under --out): a sorted index, so a batch of N files looks each
 * up in log N steps instead of reading the whole state per file. The
 * latest entry of a file counts, whatever key it has: a later run with
 * another manifest or --set (another key) replaced the outputs an older
 * entry describes. */
typedef struct rm__done {
    const char *key;
    const cJSON *file;
    size_t position; /* in the state: of equal ids the latest counts */
} rm__done_t;

static int rm__cmp_done(const void *a, const void *b) {
    const rm__done_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->position > y->position) - (x->position < y->position);
}

/* The state's entries that carry a file id, sorted; NULL when out of
 * memory. */
static rm__done_t *rm__index_done(const cJSON *state, size_t *count) {
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(state, "files");
    rm__done_t *index = calloc((size_t)cJSON_GetArraySize(files) + 1,
                               sizeof(*index));
    if (!index) return NULL;
    size_t n = 0, position = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, files) {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(f, "file_id");
        if (cJSON_IsString(key))
            index[n++] = (rm__done_t){key->valuestring, f, position};
        position++;
    }
    qsort(index, n, sizeof(*index), rm__cmp_done);
    *count = n;
    return index;
}

/* The state's latest entry with the file id `key`, or NULL. */
static const cJSON *rm__find_done(const rm__done_t *index, size_t count,
                                  const char *key) {
    size_t lo = 0, hi = count;
    while (lo < hi) { /* the first entry above `key` */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(index[mid].key, key) <= 0) lo = mid + 1;
        else hi = mid;
    }
    return lo > 0 && strcmp(index[lo - 1].key, key) == 0 ? index[lo - 1].file
                                                         : NULL;
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

int rm_batch_input_stat(const rm_batch_entry_t *e, struct stat *st) {
    if (e->input_st_known) {
        *st = e->input_st;
        return 1;
    }
    return stat(e->input, st) == 0;
}

int rm_batch_plan(rm_batch_t *b) {
    /* The inputs as files, sorted, to look outputs up in; with --resume
     * the same stat gives each input's key (else its worker makes it). */
    rm__file_id_t *inputs = calloc(b->entry_count + 1, sizeof(*inputs));
    b->sizes = calloc(b->entry_count + 1, sizeof(*b->sizes));
    if (!inputs || !b->sizes) {
        free(inputs);
        return RM_EXIT_FAILED;
    }
    size_t n = 0;
    for (size_t i = 0; i < b->entry_count; i++) {
        struct stat st;
        int found = rm_batch_input_stat(&b->entries[i], &st);
        b->sizes[i] = found ? (long long)st.st_size : -1;
        b->entries[i].streamed = found && !S_ISREG(st.st_mode);
        if (b->resume)
            rm_batch_make_key(b, &b->entries[i], found ? &st : NULL,
                              b->entries[i].key, b->entries[i].file_id);
        if (found)
            inputs[n++] = (rm__file_id_t){st.st_dev, st.st_ino,
                                          b->entries[i].input};
    }
    qsort(inputs, n, sizeof(*inputs), rm__cmp_id);
    /* The report and the resume state never go over an input either. */
    char *own[2] = {rm_batch_report_path(b->out_dir, b->report_path),
                    rm_batch_state_path(b->out_dir)};
    int refused = !own[0] || !own[1] ? RM_EXIT_FAILED : RM_EXIT_OK;
    for (int k = 0; refused == RM_EXIT_OK && k < 2; k++) {
        rm_batch_out_stat_t st;
        rm_batch_out_stat(own[k], &st);
        if (!rm__is_input(own[k], &st, inputs, n)) continue;
        fprintf(stderr, "%s: batch: %s is an input of the batch; the "
                "%s would overwrite it (give another --out%s)\n",
                b->cli->program, own[k], k ? "resume state" : "report",
                k ? "" : " or --report");
        refused = RM_EXIT_USAGE;
    }
    free(own[0]);
    free(own[1]);
    if (refused != RM_EXIT_OK) {
        free(inputs);
        return refused;
    }
    cJSON *previous = b->resume ? rm_batch_load_state(b) : NULL;
    size_t done_count = 0;
    rm__done_t *done = previous ? rm__index_done(previous, &done_count) : NULL;
    if (previous && !done) {
        cJSON_Delete(previous);
        free(inputs);
        return RM_EXIT_FAILED;
    }
    for (size_t i = 0; i < b->entry_count; i++) {
        rm_batch_entry_t *e = &b->entries[i];
        for (size_t o = 0; !e->status && o < e->output_count; o++)
            if (rm__is_input(e->outputs[o], &e->planned[o], inputs, n))
                rm__fail(b, e, e->outputs[o],
                         "would overwrite an input of the batch; nothing "
                         "was written (give another --out)");
        if (e->status) continue;
        if (done_count &&
            rm_batch_previously_done(rm__find_done(done, done_count, e->file_id),
                                     e)) {
            e->status = RM_BATCH_SKIPPED;
            b->skipped++;
            continue;
        }
        /* -n is about files: a FIFO or a device (through a symlink too) is
         * written as a stream, never overwritten. */
        for (size_t o = 0; b->no_clobber && !e->status && o < e->output_count;
             o++)
            if (e->planned[o].exists && S_ISREG(e->planned[o].mode))
                rm__fail(b, e, e->outputs[o],
                         "exists and -n refuses to overwrite it (-y "
                         "overwrites; --resume skips done files)");
        if (e->status) continue;
        e->runs = 1;
        b->todo++;
    }
    free(done);
    cJSON_Delete(previous);
    free(inputs);
    return RM_EXIT_OK;
}

void rm_batch_out_stat(const char *path, rm_batch_out_stat_t *out) {
    struct stat st;
    memset(out, 0, sizeof *out);
    if (stat(path, &st) != 0) return;
    *out = (rm_batch_out_stat_t){st.st_dev, st.st_ino, st.st_nlink,
                                 st.st_mode, 1};
}

int rm_batch_stat_outputs(rm_batch_t *b) {
    for (size_t i = 0; i < b->entry_count; i++) {
        rm_batch_entry_t *e = &b->entries[i];
        e->planned = calloc(e->output_count + 1, sizeof(*e->planned));
        if (!e->planned) return RM_EXIT_FAILED;
        for (size_t o = 0; o < e->output_count; o++)
            rm_batch_out_stat(e->outputs[o], &e->planned[o]);
    }
    return RM_EXIT_OK;
}

void rm_batch_free_output_stats(rm_batch_t *b) {
    for (size_t i = 0; i < b->entry_count; i++) {
        free(b->entries[i].planned);
        b->entries[i].planned = NULL;
    }
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
