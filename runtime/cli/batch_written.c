/*
 * batch_written.c — which of a file's outputs this run of `rmrun --batch`
 * wrote (see batch.h). Each output is looked at when its file starts and
 * after it ran: one that is a new file (another inode: outputs are renamed
 * into place, so the old file still existed when the new one was made) or
 * was written to (another modification time) is this run's. One that did
 * not change was not written: its sink got no audio (no speech, an empty
 * input) and writes no file; a file there is an earlier run's ("stale").
 * A FIFO or a device is written through, not replaced: it counts as
 * written when it is there, as before.
 */
#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One lstat, and a stat only for a symlink (safe_output follows it). */
static void rm__see(const char *path, rm_batch_output_seen_t *seen) {
    memset(seen, 0, sizeof *seen);
    struct stat st;
    if (!path || lstat(path, &st) != 0) return;
    seen->link_ino = (unsigned long long)st.st_ino;
    if (S_ISLNK(st.st_mode) && stat(path, &st) != 0) return;
    seen->exists = 1;
    seen->regular = S_ISREG(st.st_mode) != 0;
    seen->dev = st.st_dev;
    seen->ino = st.st_ino;
    seen->mtime = st.st_mtim;
}

void rm_batch_outputs_note(rm_batch_entry_t *e) {
    free(e->before);
    free(e->outcome);
    e->outcome = NULL;
    e->before = calloc(e->output_count + 1, sizeof(*e->before));
    for (size_t o = 0; e->before && o < e->output_count; o++)
        rm__see(e->outputs[o], &e->before[o]);
}

void rm_batch_outputs_check(rm_batch_entry_t *e) {
    if (!e->before) return; /* out of memory: every output there counts */
    e->outcome = calloc(e->output_count + 1, sizeof(*e->outcome));
    for (size_t o = 0; e->outcome && o < e->output_count; o++) {
        rm_batch_output_seen_t now;
        const rm_batch_output_seen_t *was = &e->before[o];
        rm__see(e->outputs[o], &now);
        int changed = !was->exists || now.dev != was->dev ||
                      now.ino != was->ino ||
                      now.mtime.tv_sec != was->mtime.tv_sec ||
                      now.mtime.tv_nsec != was->mtime.tv_nsec;
        e->outcome[o] = !now.exists                 ? RM_BATCH_OUTPUT_NONE
                        : changed || !now.regular   ? RM_BATCH_OUTPUT_WRITTEN
                                                    : RM_BATCH_OUTPUT_STALE;
    }
}

int rm_batch_output_outcome(const rm_batch_entry_t *e, size_t o) {
    if (e->status == RM_BATCH_OK && e->outcome) return e->outcome[o];
    struct stat st;
    int there = stat(e->outputs[o], &st) == 0;
    if (e->status == RM_BATCH_OK) /* out of memory: every output there */
        return there ? RM_BATCH_OUTPUT_WRITTEN : RM_BATCH_OUTPUT_NONE;
    if (!there) return RM_BATCH_OUTPUT_NONE;
    /* skipped: what the earlier run wrote (rm_batch_previously_done) */
    if (e->status == RM_BATCH_SKIPPED && e->outcome) return e->outcome[o];
    /* failed, refused, not started or abandoned: a file there is not this
     * run's (an earlier run's, or kept by -n): stale, so the next scan
     * still does not take it as an input */
    return RM_BATCH_OUTPUT_STALE;
}

void rm_batch_outputs_drop_abandoned(rm_batch_t *b) {
    for (size_t i = 0; i < b->entry_count; i++) {
        rm_batch_entry_t *e = &b->entries[i];
        if (e->status != RM_BATCH_RUNNING || !e->before) continue;
        for (size_t o = 0; o < e->output_count; o++) {
            rm_batch_output_seen_t now;
            rm__see(e->outputs[o], &now);
            if (now.link_ino && now.link_ino != e->before[o].link_ino)
                unlink(e->outputs[o]);
        }
    }
}

void rm_batch_print_not_written(const rm_batch_t *b) {
    if (b->cli->verbosity < 0) return;
    for (size_t i = 0; i < b->entry_count; i++) {
        const rm_batch_entry_t *e = &b->entries[i];
        if (e->status != RM_BATCH_OK || !e->outcome) continue;
        for (size_t o = 0; o < e->output_count; o++) {
            if (e->outcome[o] == RM_BATCH_OUTPUT_WRITTEN) continue;
            int stale = e->outcome[o] == RM_BATCH_OUTPUT_STALE;
            fprintf(stderr, "%s: batch: %s: %s not written (its sink got no "
                    "audio: no speech, or an empty input; not a failure)%s\n",
                    b->cli->program, e->input, e->outputs[o],
                    stale ? "; the file there is from an earlier run, left "
                            "as it was (\"stale\" in the report)"
                          : "");
        }
    }
}
