/*
 * batch_output_names.c — every file a batch will write, by the name it is
 * planned under (all are spelt from --out, so equal files have equal
 * names; --report is compared as given): a name two writers share would
 * have the later overwrite the earlier, an input's output lost under the
 * report, or the report under an output; nor may one be the manifest
 * (by device and inode). Refused before anything runs.
 */
#include "batch_output_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct rm__planned {
    char *name;
    const rm_batch_entry_t *entry; /* NULL: the batch's own file */
    const char *what;              /* the batch's own: which one */
    const rm_batch_out_stat_t *st; /* the plan's stat of an output, or
                                      NULL (stat'ed here) */
} rm__planned_t;

typedef struct rm__names {
    rm__planned_t *items;
    size_t count, cap;
    int failed;
} rm__names_t;

static void rm__take(rm__names_t *n, char *name, const rm_batch_entry_t *e,
                     const char *what, const rm_batch_out_stat_t *st) {
    if (!name || n->failed) {
        free(name);
        n->failed = 1;
        return;
    }
    if (n->count == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 64;
        rm__planned_t *grown = realloc(n->items, cap * sizeof(*grown));
        if (!grown) {
            free(name);
            n->failed = 1;
            return;
        }
        n->items = grown;
        n->cap = cap;
    }
    n->items[n->count++] = (rm__planned_t){name, e, what, st};
}

static int rm__cmp_planned(const void *x, const void *y) {
    const rm__planned_t *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    /* the batch's own files first: they are named as the "other" writer */
    return c ? c : (a->entry != NULL) - (b->entry != NULL);
}

/* "the report", or "in/a.wav" */
static const char *rm__who(const rm__planned_t *p) {
    return p->entry ? p->entry->input : p->what;
}

int rm_batch_check_output_names(const rm_batch_t *b) {
    rm__names_t n = {0};
    /* the names as their writers make them (batch_paths.c) */
    rm__take(&n, rm_batch_report_path(b->out_dir, b->report_path), NULL,
             "the batch's report", NULL);
    rm__take(&n, rm_batch_state_path(b->out_dir), NULL,
             "the batch's resume state", NULL);
    static const unsigned formats[] = {RM_SEGMENTS_JSONL, RM_SEGMENTS_CSV,
                                       RM_SEGMENTS_RTTM, RM_SEGMENTS_AUDACITY};
    for (size_t k = 0; k < sizeof formats / sizeof *formats; k++) {
        if (!(b->segment_formats & formats[k])) continue;
        char *combined = rm_batch_segments_combined_path(b, formats[k]);
        if (combined || formats[k] != RM_SEGMENTS_AUDACITY) /* labels: none */
            rm__take(&n, combined, NULL, "the batch's combined segments file",
                     NULL);
    }
    for (size_t i = 0; i < b->entry_count; i++) {
        const rm_batch_entry_t *e = &b->entries[i];
        for (size_t o = 0; o < e->output_count; o++)
            rm__take(&n, e->outputs[o] ? strdup(e->outputs[o]) : NULL, e, NULL,
                     e->planned ? &e->planned[o] : NULL);
        if (b->metrics)
            rm__take(&n, rm_batch_file_path(b, e, RM_BATCH_METRICS_SUFFIX),
                     e, NULL, NULL);
        if (b->trace)
            rm__take(&n, rm_batch_file_path(b, e, RM_BATCH_TRACE_SUFFIX),
                     e, NULL, NULL);
    }
    int status = n.failed ? RM_EXIT_FAILED : RM_EXIT_OK;
    /* nor the manifest (a.json beside a.wav, --out the input folder) */
    struct stat manifest;
    int have_manifest = strcmp(b->manifest_path, "-") != 0 &&
                        stat(b->manifest_path, &manifest) == 0;
    for (size_t i = 0; have_manifest && status == RM_EXIT_OK && i < n.count; i++) {
        rm_batch_out_stat_t own;
        const rm_batch_out_stat_t *st = n.items[i].st;
        if (!st) {
            rm_batch_out_stat(n.items[i].name, &own);
            st = &own;
        }
        if (st->exists && st->dev == manifest.st_dev &&
            st->ino == manifest.st_ino) {
            fprintf(stderr, "%s: batch: %s would write %s, which is the "
                    "manifest %s; give --out another folder\n",
                    b->cli->program, rm__who(&n.items[i]), n.items[i].name,
                    b->manifest_path);
            status = RM_EXIT_USAGE;
        }
    }
    if (status == RM_EXIT_OK) {
        qsort(n.items, n.count, sizeof(*n.items), rm__cmp_planned);
        for (size_t i = 1; i < n.count; i++) {
            const rm__planned_t *x = &n.items[i - 1], *y = &n.items[i];
            if (strcmp(x->name, y->name) != 0) continue;
            if (x->entry == y->entry)
                fprintf(stderr, "%s: batch: %s would write %s twice (two of "
                        "its outputs have that name); rename a node\n",
                        b->cli->program, rm__who(y), y->name);
            else
                fprintf(stderr, "%s: batch: %s and %s would both write %s "
                        "(the later would overwrite the earlier); %s\n",
                        b->cli->program, rm__who(y), rm__who(x), y->name,
                        x->entry ? "batch them separately"
                                 : "rename the input, or give --out (or "
                                   "--report) another folder");
            status = RM_EXIT_USAGE;
            break;
        }
    }
    for (size_t i = 0; i < n.count; i++) free(n.items[i].name);
    free(n.items);
    return status;
}
