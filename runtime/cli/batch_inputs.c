/*
 * batch_inputs.c — the input files of `rmrun --batch` (see batch.h): a
 * directory's audio files, the files a glob matches, the paths of an
 * @LIST file, or one file; sorted.
 */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static char *rm__strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy) memcpy(copy, s, n);
    return copy;
}

static char *rm__join(const char *dir, const char *name) {
    size_t len = strlen(dir);
    int slash = len && dir[len - 1] == '/';
    char *path = malloc(len + strlen(name) + 2);
    if (path) sprintf(path, "%s%s%s", dir, slash ? "" : "/", name);
    return path;
}

/* Extensions a directory input picks up (what AudioFileSource reads). */
static const char *const rm__audio_exts[] = {
    /* libsndfile */
    "wav", "wave", "flac", "ogg", "oga", "opus", "aif", "aiff", "aifc",
    "au", "snd", "caf", "w64", "rf64", "mp3", "voc", "sd2", "htk", "paf",
    /* FFmpeg (AudioFileSource's second decoder, when installed) */
    "m4a", "m4b", "aac", "mp4", "m4v", "mov", "mkv", "mka", "webm", "wma",
    "wmv", "asf", "amr", "3gp", "3g2", "ac3", "eac3", "mp2", "mpa", "wv",
    "ape", "avi", "flv", "ts", NULL};

/* ---- inputs ----------------------------------------------------------------- */

static int rm__has_audio_ext(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    for (size_t i = 0; rm__audio_exts[i]; i++)
        if (strcasecmp(dot + 1, rm__audio_exts[i]) == 0) return 1;
    return 0;
}

static int rm__is_regular(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int rm__cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The input files, sorted. Returns RM_EXIT_*; prints why on failure. */
int rm_batch_list_inputs(const rm_cli_t *cli, const char *spec,
                           char ***out, size_t *count) {
    char **list = NULL;
    size_t n = 0, cap = 0;
    struct stat st;
    int status = RM_EXIT_OK;
#define RM__PUSH(path_expr)                                                   \
    do {                                                                      \
        if (n == cap) {                                                       \
            cap = cap ? cap * 2 : 64;                                         \
            char **grown = realloc(list, cap * sizeof(*list));                \
            if (!grown) { status = RM_EXIT_FAILED; break; }                   \
            list = grown;                                                     \
        }                                                                     \
        list[n] = (path_expr);                                                \
        if (!list[n]) { status = RM_EXIT_FAILED; break; }                     \
        n++;                                                                  \
    } while (0)
    if (spec[0] == '@') {
        FILE *f = strcmp(spec + 1, "-") == 0 ? stdin : fopen(spec + 1, "r");
        if (!f) {
            fprintf(stderr, "%s: batch: cannot read the list %s: %s\n",
                    cli->program, spec + 1, strerror(errno));
            return RM_EXIT_IO;
        }
        char line[PATH_MAX + 2];
        while (status == RM_EXIT_OK && fgets(line, sizeof line, f)) {
            size_t len = strcspn(line, "\r\n");
            line[len] = '\0';
            if (len == 0) continue;
            RM__PUSH(rm__strdup(line));
        }
        if (f != stdin) fclose(f);
    } else if (strpbrk(spec, "*?[") == NULL && stat(spec, &st) == 0 &&
        S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(spec);
        if (!dir) {
            fprintf(stderr, "%s: batch: cannot read directory %s: %s\n",
                    cli->program, spec, strerror(errno));
            return RM_EXIT_IO;
        }
        struct dirent *d;
        while (status == RM_EXIT_OK && (d = readdir(dir)) != NULL) {
            if (d->d_name[0] == '.' || !rm__has_audio_ext(d->d_name))
                continue;
            char *path = rm__join(spec, d->d_name);
            if (path && !rm__is_regular(path)) {
                free(path);
                continue;
            }
            RM__PUSH(path);
        }
        closedir(dir);
    } else {
        glob_t g;
        int rc = glob(spec, GLOB_NOSORT, NULL, &g);
        if (rc != 0 && rc != GLOB_NOMATCH) {
            fprintf(stderr, "%s: batch: cannot expand %s\n", cli->program,
                    spec);
            return RM_EXIT_IO;
        }
        for (size_t i = 0; rc == 0 && i < g.gl_pathc && status == RM_EXIT_OK;
             i++)
            if (rm__is_regular(g.gl_pathv[i]))
                RM__PUSH(rm__strdup(g.gl_pathv[i]));
        if (rc == 0) globfree(&g);
    }
#undef RM__PUSH
    if (status != RM_EXIT_OK) {
        fprintf(stderr, "%s: batch: out of memory\n", cli->program);
        for (size_t i = 0; i < n; i++) free(list[i]);
        free(list);
        return status;
    }
    if (n == 0) {
        fprintf(stderr, "%s: batch: no input files in %s (a directory gives "
                "its audio files: .wav, .flac, .ogg, ...; a glob the files it "
                "matches)\n", cli->program, spec);
        free(list);
        return RM_EXIT_USAGE;
    }
    qsort(list, n, sizeof(*list), rm__cmp_str);
    *out = list;
    *count = n;
    return RM_EXIT_OK;
}
