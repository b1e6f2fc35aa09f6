/*
 * batch_paths.c — the names of the files a batch writes besides its
 * sinks' outputs (see batch.h): the report, the resume state, and per
 * input the --metrics, --trace and --segments files. One source for the
 * writers, the checks before the run (batch_output_names.c, batch_plan.c)
 * and the scan that passes over them (batch_own_files.c).
 */
#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OUT/SUBDIR/NAMESUFFIX (SUBDIR "" for none), malloc'ed; NULL when out of
 * memory. */
char *rm_batch_path(const char *out_dir, const char *subdir, const char *name,
                    const char *suffix) {
    const char *sep = subdir[0] ? "/" : "";
    int len = snprintf(NULL, 0, "%s/%s%s%s%s", out_dir, subdir, sep, name,
                       suffix);
    char *path = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (path)
        snprintf(path, (size_t)len + 1, "%s/%s%s%s%s", out_dir, subdir, sep,
                 name, suffix);
    return path;
}

char *rm_batch_report_path(const char *out_dir, const char *report_path) {
    return report_path ? strdup(report_path)
                       : rm_batch_path(out_dir, "", RM_BATCH_REPORT_NAME, "");
}

char *rm_batch_state_path(const char *out_dir) {
    return rm_batch_path(out_dir, "", RM_BATCH_STATE_NAME, "");
}

char *rm_batch_file_path(const rm_batch_t *b, const rm_batch_entry_t *e,
                         const char *suffix) {
    return rm_batch_path(b->out_dir, e->subdir, e->stem, suffix);
}
