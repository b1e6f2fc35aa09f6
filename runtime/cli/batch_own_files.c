/*
 * batch_own_files.c — the files rmrun itself wrote to a batch's --out
 * (see batch.h), so that a scan of the input folders never takes them for
 * inputs when --out is, or is inside, an input folder: the --out folder
 * itself, the outputs an earlier batch's RM_BATCH_STATE_NAME lists as
 * written (or stale: written by a run before it), and
 * RM_BATCH_REPORT_NAME. Files are told apart by device and
 * inode, so any spelling of a path matches. (The state's and the
 * temporaries' names start with a dot: no scan takes hidden files.)
 */
#include "batch.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void rm__own_add(rm_batch_own_t *own, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return;
    if (own->count == own->cap) {
        size_t cap = own->cap ? own->cap * 2 : 16;
        rm_batch_file_id_t *grown = realloc(own->ids, cap * sizeof(*grown));
        if (!grown) return; /* best effort: the file stays a candidate */
        own->ids = grown;
        own->cap = cap;
    }
    own->ids[own->count++] = (rm_batch_file_id_t){st.st_dev, st.st_ino};
}

void rm_batch_own_load(rm_batch_own_t *own, const char *out_dir) {
    memset(own, 0, sizeof *own);
    struct stat st;
    if (!out_dir || stat(out_dir, &st) != 0 || !S_ISDIR(st.st_mode)) return;
    own->out = (rm_batch_file_id_t){st.st_dev, st.st_ino};
    own->has_out = 1;
    /* the report where a batch puts it without --report */
    char *path = rm_batch_report_path(out_dir, NULL);
    if (path) rm__own_add(own, path);
    free(path);
    path = rm_batch_state_path(out_dir);
    size_t len = 0;
    char *text = path ? rm_cli_read_file(path, &len) : NULL;
    free(path);
    cJSON *state = text ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    /* The paths as the earlier batch spelled them: from the folder it ran
     * in, as a rerun usually is. */
    /* "stale": an output a later run did not rewrite (its input was
     * silent) is still one an earlier run wrote. */
    static const char *const lists[] = {"written", "stale"};
    const cJSON *file, *written;
    cJSON_ArrayForEach(file, cJSON_GetObjectItemCaseSensitive(state, "files"))
        for (size_t k = 0; k < 2; k++)
            cJSON_ArrayForEach(written,
                               cJSON_GetObjectItemCaseSensitive(file, lists[k]))
                if (cJSON_IsString(written))
                    rm__own_add(own, written->valuestring);
    cJSON_Delete(state);
}

int rm_batch_own_is_file(const rm_batch_own_t *own, const struct stat *st) {
    for (size_t i = 0; i < own->count; i++)
        if (own->ids[i].dev == st->st_dev && own->ids[i].ino == st->st_ino)
            return 1;
    return 0;
}

int rm_batch_own_is_out(const rm_batch_own_t *own, const struct stat *st) {
    return own->has_out && own->out.dev == st->st_dev &&
           own->out.ino == st->st_ino;
}

void rm_batch_own_free(rm_batch_own_t *own) {
    free(own->ids);
    memset(own, 0, sizeof *own);
}
