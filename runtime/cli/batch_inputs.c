/*
 * batch_inputs.c — the input files of `rmrun --batch` (see batch.h): a
 * directory's audio files (with --recursive, its whole tree), the files a
 * glob matches (`**` is any number of directories), the paths of an @LIST
 * file, or one file; sorted. Each input keeps its directory below the
 * directory or the glob's fixed part, which the outputs mirror. A scan
 * passes over what rmrun wrote to --out (batch_own_files.c).
 */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>


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

/* What a scanned path is, by one stat (through a symlink), and an lstat
 * only when that fails: a regular file (*st filled, kept for the plan), a
 * symlink that leads nowhere (its target gone: a storage mount that is
 * down; or a loop) — an input all the same: it fails, named, instead of
 * the batch being smaller without a word — or neither. */
enum { RM__NOT_A_FILE, RM__FILE, RM__BROKEN_LINK };

static int rm__classify(const char *path, struct stat *st) {
    if (stat(path, st) == 0) return S_ISREG(st->st_mode) ? RM__FILE : RM__NOT_A_FILE;
    struct stat link;
    return lstat(path, &link) == 0 && S_ISLNK(link.st_mode) ? RM__BROKEN_LINK
                                                           : RM__NOT_A_FILE;
}

/* ---- the list being built ------------------------------------------------- */

typedef struct rm__list {
    rm_batch_input_t *items;
    size_t count, cap;
    char **unsupported;
    size_t unsupported_count, unsupported_cap;
    int failed; /* out of memory */
    const rm_batch_own_t *own; /* what rmrun wrote to --out: no inputs */
    size_t skipped_own;        /* files of `own` met by the scan */
    int skipped_out;           /* the --out folder met inside the scan */
} rm__list_t;

/* 1 when `st` (a regular file the scan met) is one rmrun wrote: counted,
 * and skipped. */
static int rm__skip_own(rm__list_t *l, const struct stat *st) {
    if (!st || !rm_batch_own_is_file(l->own, st)) return 0;
    l->skipped_own++;
    return 1;
}

/* Takes `path` (malloc'ed); `subdir` is copied ("" when NULL); `st`: its
 * stat, when the scan made one. */
static void rm__add(rm__list_t *l, char *path, const char *subdir,
                    const struct stat *st) {
    if (!path) {
        l->failed = 1;
        return;
    }
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        rm_batch_input_t *grown = realloc(l->items, cap * sizeof(*grown));
        if (!grown) {
            free(path);
            l->failed = 1;
            return;
        }
        l->items = grown;
        l->cap = cap;
    }
    char *dir = strdup(subdir ? subdir : "");
    if (!dir) {
        free(path);
        l->failed = 1;
        return;
    }
    rm_batch_input_t *item = &l->items[l->count++];
    memset(item, 0, sizeof *item);
    item->path = path;
    item->subdir = dir;
    if (st) {
        item->st = *st;
        item->st_known = 1;
    }
}

static void rm__add_unsupported(rm__list_t *l, const char *path) {
    if (l->unsupported_count == l->unsupported_cap) {
        size_t cap = l->unsupported_cap ? l->unsupported_cap * 2 : 16;
        char **grown = realloc(l->unsupported, cap * sizeof(*grown));
        if (!grown) {
            l->failed = 1;
            return;
        }
        l->unsupported = grown;
        l->unsupported_cap = cap;
    }
    char *copy = strdup(path);
    if (!copy) l->failed = 1;
    else l->unsupported[l->unsupported_count++] = copy;
}

/* ---- matching `**` globs, a path component at a time ---------------------- */

/* Whether path components `path` match pattern components `pat`: "**"
 * matches any number of components (none too), others by fnmatch (a
 * leading dot only by a leading dot). */
static int rm__match(char **pat, size_t np, char **path, size_t nc) {
    if (np == 0) return nc == 0;
    if (strcmp(pat[0], "**") == 0) {
        for (size_t skip = 0; skip <= nc; skip++)
            if (rm__match(pat + 1, np - 1, path + skip, nc - skip)) return 1;
        return 0;
    }
    return nc > 0 && fnmatch(pat[0], path[0], FNM_PERIOD) == 0 &&
           rm__match(pat + 1, np - 1, path + 1, nc - 1);
}

/* Splits `text` (modified) at '/' into at most `max` components; empty
 * ones and "." are dropped. Returns how many. */
static size_t rm__split(char *text, char **parts, size_t max) {
    size_t n = 0;
    for (char *save = NULL, *p = strtok_r(text, "/", &save); p && n < max;
         p = strtok_r(NULL, "/", &save))
        if (strcmp(p, ".") != 0) parts[n++] = p;
    return n;
}

#define RM__MAX_PARTS 128

/* ---- walking a tree (nftw has no user pointer: one walk per thread) ------- */

static _Thread_local struct {
    rm__list_t *list;
    size_t root_len;        /* of the root as nftw spells it, with its '/' */
    int audio_only;         /* a directory scan: by extension */
    char **pat;             /* a `**` glob's components, or NULL */
    size_t np;
    const char *program;    /* for the unreadable-folder lines */
    int unreadable_root;    /* the root itself could not be read */
} rm__walk;

static int rm__visit(const char *path, const struct stat *st, int flag,
                     struct FTW *ftw) {
    const char *name = path + ftw->base;
    if (ftw->level > 0 && name[0] == '.')
        return flag == FTW_D ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
    if (flag == FTW_D && ftw->level > 0 &&
        rm_batch_own_is_out(rm__walk.list->own, st)) {
        rm__walk.list->skipped_out = 1;
        return FTW_SKIP_SUBTREE; /* the outputs are no inputs */
    }
    if (flag == FTW_DNR) {
        /* Its files would be missing from the batch without a word. */
        DIR *dir = opendir(path);
        int err = dir ? 0 : errno;
        if (dir) closedir(dir);
        fprintf(stderr, "%s: batch: cannot read directory %s: %s (its files "
                "are not in the batch)\n", rm__walk.program, path,
                err ? strerror(err) : "unreadable");
        rm__walk.unreadable_root |= ftw->level == 0;
        return FTW_CONTINUE;
    }
    if (flag == FTW_D) return FTW_CONTINUE;
    /* a symlink (FTW_PHYS: `st` is its lstat) counts when it names a
     * regular file, or nothing (rm__classify); a symlinked directory is
     * not entered. One stat, for a symlink only. */
    struct stat target;
    int kind = flag == FTW_SL ? rm__classify(path, &target)
               : S_ISREG(st->st_mode) ? RM__FILE
                                      : RM__NOT_A_FILE;
    if (kind == RM__NOT_A_FILE) return FTW_CONTINUE;
    const struct stat *file = kind == RM__BROKEN_LINK ? NULL
                              : flag == FTW_SL        ? &target
                                                      : st;
    const char *rel = strlen(path) > rm__walk.root_len
                          ? path + rm__walk.root_len : name;
    if (rm__walk.pat) {
        char copy[PATH_MAX];
        snprintf(copy, sizeof copy, "%s", path);
        char *parts[RM__MAX_PARTS];
        size_t nc = rm__split(copy, parts, RM__MAX_PARTS);
        if (!rm__match(rm__walk.pat, rm__walk.np, parts, nc) ||
            rm__skip_own(rm__walk.list, file))
            return FTW_CONTINUE;
    } else if (rm__skip_own(rm__walk.list, file)) {
        return FTW_CONTINUE;
    } else if (rm__walk.audio_only && !rm__has_audio_ext(name)) {
        rm__add_unsupported(rm__walk.list, path);
        return rm__walk.list->failed ? FTW_STOP : FTW_CONTINUE;
    }
    /* the directory part of rel mirrors under --out */
    char subdir[PATH_MAX];
    size_t dir_len = (size_t)(name - path) > rm__walk.root_len
                         ? (size_t)(name - path) - rm__walk.root_len - 1
                         : 0;
    snprintf(subdir, sizeof subdir, "%.*s", (int)dir_len, rel);
    rm__add(rm__walk.list, strdup(path), subdir, file);
    return rm__walk.list->failed ? FTW_STOP : FTW_CONTINUE;
}

/* Walks `root`: every audio file (audio_only, and the others counted as
 * unsupported) or every file matching pattern components `pat`. */
static int rm__walk_tree(const rm_cli_t *cli, const char *root, rm__list_t *l,
                         int audio_only, char **pat, size_t np) {
    size_t len = strlen(root);
    while (len > 1 && root[len - 1] == '/') len--;
    char start[PATH_MAX];
    snprintf(start, sizeof start, "%.*s", (int)len, root);
    rm__walk.list = l;
    rm__walk.root_len = strcmp(start, "/") == 0 ? 1 : len + 1;
    rm__walk.audio_only = audio_only;
    rm__walk.pat = pat;
    rm__walk.np = np;
    rm__walk.program = cli->program;
    rm__walk.unreadable_root = 0;
    int rc = nftw(start, rm__visit, 32, FTW_PHYS | FTW_ACTIONRETVAL);
    if (rm__walk.unreadable_root) return RM_EXIT_IO;
    if (rc == -1 && !l->failed) {
        fprintf(stderr, "%s: batch: cannot read %s: %s\n", cli->program, root,
                strerror(errno));
        return RM_EXIT_IO;
    }
    return RM_EXIT_OK;
}

/* The fixed leading directories of a glob: "raw" of raw/(star)(star)/
 * (star).flac; "." when it starts with a wildcard. */
static void rm__glob_root(const char *spec, char *root, size_t size) {
    const char *end = spec, *p = spec;
    for (; *p && !strchr("*?[", *p); p++)
        if (*p == '/') end = p;
    if (end == spec) snprintf(root, size, spec[0] == '/' ? "/" : ".");
    else snprintf(root, size, "%.*s", (int)(end - spec), spec);
}

/* ---- the sources of inputs ------------------------------------------------- */

/* A list's paths by name, to find one file listed twice. */
typedef struct rm__listed {
    const char *name; /* the path's last component */
    size_t index;     /* in the list, line order */
} rm__listed_t;

static int rm__cmp_listed(const void *a, const void *b) {
    const rm__listed_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Whether two listed paths with one name are one file: the same string,
 * or the same device and inode (another spelling, a symlinked folder).
 * Two files (or two names of one: a link under another name) would write
 * their own outputs. */
static int rm__same_listed(const char *a, const char *b) {
    struct stat sa, sb;
    return strcmp(a, b) == 0 ||
           (stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
            sa.st_ino == sb.st_ino);
}

/* A file listed twice (on `lines`) is taken once, at its first line, with
 * a note; only paths with the same name are compared (stat'ed), so a list
 * without repeats costs no system call here. */
static void rm__drop_listed_twice(const rm_cli_t *cli, const char *list,
                                  rm__list_t *l, const size_t *lines) {
    size_t n = l->count;
    rm__listed_t *by_name = calloc(n + 1, sizeof(*by_name));
    unsigned char *dropped = calloc(n + 1, 1);
    if (!by_name || !dropped) { /* out of memory: the stem check refuses */
        free(by_name);
        free(dropped);
        return;
    }
    for (size_t i = 0; i < n; i++)
        by_name[i] = (rm__listed_t){rm_cli_basename(l->items[i].path), i};
    qsort(by_name, n, sizeof(*by_name), rm__cmp_listed);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n && !dropped[by_name[i].index] &&
                               strcmp(by_name[i].name, by_name[j].name) == 0;
             j++) {
            size_t first = by_name[i].index, again = by_name[j].index;
            if (dropped[again] ||
                !rm__same_listed(l->items[first].path, l->items[again].path))
                continue;
            dropped[again] = 1;
            if (cli->verbosity >= 0)
                fprintf(stderr, "%s: batch: the list %s names %s again on "
                        "line %zu (%s): taken once (line %zu)\n",
                        cli->program, list, l->items[first].path, lines[again],
                        l->items[again].path, lines[first]);
        }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (!dropped[i]) {
            l->items[kept++] = l->items[i];
            continue;
        }
        free(l->items[i].path);
        free(l->items[i].subdir);
    }
    l->count = kept;
    free(by_name);
    free(dropped);
}

static int rm__from_list(const rm_cli_t *cli, const char *spec, rm__list_t *l) {
    FILE *f = strcmp(spec + 1, "-") == 0 ? stdin : fopen(spec + 1, "r");
    if (!f) {
        fprintf(stderr, "%s: batch: cannot read the list %s: %s\n",
                cli->program, spec + 1, strerror(errno));
        return RM_EXIT_IO;
    }
    char *line = NULL;
    size_t size = 0, number = 0;
    size_t *lines = NULL, lines_cap = 0; /* each item's line number */
    int too_long = 0;
    errno = 0;
    while (!l->failed && getline(&line, &size, f) >= 0) {
        number++;
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        if (len >= PATH_MAX) { /* no such path: not two made of it */
            fprintf(stderr, "%s: batch: the list %s, line %zu: a path of %zu bytes, "
                    "longer than the system's limit (%d)\n", cli->program,
                    spec + 1, number, len, PATH_MAX);
            too_long = 1;
            break;
        }
        if (!len) continue;
        rm__add(l, strdup(line), NULL, NULL);
        if (l->count > lines_cap) {
            size_t cap = lines_cap ? lines_cap * 2 : 64;
            size_t *grown = realloc(lines, cap * sizeof(*grown));
            if (!grown) l->failed = 1;
            else {
                lines = grown;
                lines_cap = cap;
            }
        }
        if (!l->failed) lines[l->count - 1] = number;
    }
    free(line);
    /* A directory opens and fails at its first read (EISDIR). */
    int err = too_long ? 0 : rm_cli_read_failure(f);
    if (f != stdin) fclose(f);
    if (too_long) {
        free(lines);
        return RM_EXIT_USAGE;
    }
    if (err) {
        free(lines);
        fprintf(stderr, "%s: batch: cannot read the list %s: %s\n",
                cli->program, spec + 1, strerror(err));
        return RM_EXIT_IO;
    }
    if (!l->failed) rm__drop_listed_twice(cli, spec + 1, l, lines);
    free(lines);
    return RM_EXIT_OK;
}

static int rm__from_dir(const rm_cli_t *cli, const char *spec, rm__list_t *l) {
    DIR *dir = opendir(spec);
    if (!dir) {
        fprintf(stderr, "%s: batch: cannot read directory %s: %s\n",
                cli->program, spec, strerror(errno));
        return RM_EXIT_IO;
    }
    struct dirent *d;
    while (!l->failed && (d = readdir(dir)) != NULL) {
        if (d->d_name[0] == '.') continue;
        char *path = rm__join(spec, d->d_name);
        struct stat st;
        int kind = path ? rm__classify(path, &st) : RM__FILE;
        if (kind == RM__NOT_A_FILE ||
            (path && kind == RM__FILE && rm__skip_own(l, &st))) {
            free(path);
            continue;
        }
        if (path && !rm__has_audio_ext(d->d_name)) {
            rm__add_unsupported(l, path);
            free(path);
            continue;
        }
        rm__add(l, path, NULL, path && kind == RM__FILE ? &st : NULL);
    }
    closedir(dir);
    return RM_EXIT_OK;
}

/* Whether a folder of `path` below its first `root_len` characters (the
 * glob's fixed part) is --out: the outputs mirror the inputs there. */
static int rm__below_out(rm__list_t *l, const char *path, size_t root_len) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *slash = strrchr(dir, '/'); slash && (size_t)(slash - dir) >= root_len;
         slash = strrchr(dir, '/')) {
        *slash = '\0';
        struct stat st;
        if (dir[0] && stat(dir, &st) == 0 && rm_batch_own_is_out(l->own, &st)) {
            l->skipped_out = 1;
            return 1;
        }
    }
    return 0;
}

static int rm__from_glob(const rm_cli_t *cli, const char *spec, rm__list_t *l) {
    char root[PATH_MAX];
    rm__glob_root(spec, root, sizeof root);
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", spec);
    char *pat[RM__MAX_PARTS];
    size_t np = rm__split(copy, pat, RM__MAX_PARTS);
    /* Two `**` in a row are one: each more one multiplied the matching's
     * work by the depth (ten of them took seconds over a small tree). */
    size_t kept = 0;
    for (size_t i = 0; i < np; i++)
        if (!(kept && strcmp(pat[i], "**") == 0 &&
              strcmp(pat[kept - 1], "**") == 0))
            pat[kept++] = pat[i];
    np = kept;
    int globstar = 0;
    for (size_t i = 0; i < np; i++) globstar |= strcmp(pat[i], "**") == 0;
    if (globstar) {
        struct stat st;
        if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) return RM_EXIT_OK;
        return rm__walk_tree(cli, root, l, 0, pat, np);
    }
    glob_t g;
    int rc = glob(spec, GLOB_NOSORT, NULL, &g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
        fprintf(stderr, "%s: batch: cannot expand %s\n", cli->program, spec);
        return RM_EXIT_IO;
    }
    size_t root_len = strcmp(root, ".") == 0   ? 0
                      : strcmp(root, "/") == 0 ? 1
                                               : strlen(root) + 1;
    for (size_t i = 0; rc == 0 && i < g.gl_pathc && !l->failed; i++) {
        const char *path = g.gl_pathv[i];
        struct stat st;
        int kind = rm__classify(path, &st);
        if (kind == RM__NOT_A_FILE || (kind == RM__FILE && rm__skip_own(l, &st)))
            continue;
        /* mirror the directories the wildcards matched */
        const char *rel = strncmp(path, "./", 2) == 0 ? path + 2 : path;
        if (rm__below_out(l, rel, root_len)) continue;
        if (root_len && strlen(rel) > root_len) rel += root_len;
        const char *slash = strrchr(rel, '/');
        char subdir[PATH_MAX];
        snprintf(subdir, sizeof subdir, "%.*s",
                 slash ? (int)(slash - rel) : 0, rel);
        rm__add(l, strdup(path), subdir, kind == RM__FILE ? &st : NULL);
    }
    if (rc == 0) globfree(&g);
    return RM_EXIT_OK;
}

static int rm__cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int rm__cmp_input(const void *a, const void *b) {
    return strcmp(((const rm_batch_input_t *)a)->path,
                  ((const rm_batch_input_t *)b)->path);
}

void rm_batch_inputs_free(rm_batch_inputs_t *in) {
    for (size_t i = 0; i < in->count; i++) {
        free(in->items[i].path);
        free(in->items[i].subdir);
    }
    for (size_t i = 0; i < in->unsupported_count; i++) free(in->unsupported[i]);
    free(in->items);
    free(in->unsupported);
    memset(in, 0, sizeof *in);
}

/* One line, when the scan passed over what rmrun wrote to --out. */
static void rm__say_skipped(const rm_cli_t *cli, const rm__list_t *l,
                            const char *out_dir) {
    if (cli->verbosity < 0 || (!l->skipped_out && !l->skipped_own)) return;
    fprintf(stderr, "%s: batch: not taken as inputs:", cli->program);
    if (l->skipped_out)
        fprintf(stderr, " the --out folder %s (inside the scanned folder)%s",
                out_dir, l->skipped_own ? ";" : "");
    if (l->skipped_own)
        fprintf(stderr, " %zu file%s rmrun wrote to --out %s (an earlier "
                "batch's outputs and report)", l->skipped_own,
                l->skipped_own == 1 ? "" : "s", out_dir);
    fputc('\n', stderr);
}

int rm_batch_list_inputs(const rm_cli_t *cli, const char *spec, int recursive,
                         const char *out_dir, rm_batch_inputs_t *out) {
    rm__list_t l;
    memset(&l, 0, sizeof l);
    memset(out, 0, sizeof *out);
    rm_batch_own_t own; /* empty for @LIST and one file: named, not found */
    memset(&own, 0, sizeof own);
    l.own = &own;
    struct stat st;
    int status;
    int glob = strpbrk(spec, "*?[") != NULL;
    if (spec[0] != '@' && (glob || (stat(spec, &st) == 0 && S_ISDIR(st.st_mode))))
        rm_batch_own_load(&own, out_dir);
    if (spec[0] == '@')
        status = rm__from_list(cli, spec, &l);
    else if (!glob && stat(spec, &st) != 0) {
        /* A plain path, not a glob: a typo, say so rather than "no input
         * files in it". */
        fprintf(stderr, "%s: batch: --batch %s: %s (give a directory, a "
                "quoted glob, @LIST or an audio file)\n", cli->program, spec,
                strerror(errno));
        return RM_EXIT_USAGE;
    } else if (!glob && S_ISDIR(st.st_mode)) /* st: above */
        status = recursive ? rm__walk_tree(cli, spec, &l, 1, NULL, 0)
                           : rm__from_dir(cli, spec, &l);
    else
        status = rm__from_glob(cli, spec, &l);
    rm_batch_own_free(&own);
    rm__say_skipped(cli, &l, out_dir);
    out->items = l.items;
    out->count = l.count;
    out->unsupported = l.unsupported;
    out->unsupported_count = l.unsupported_count;
    if (status == RM_EXIT_OK && l.failed) {
        fprintf(stderr, "%s: batch: out of memory\n", cli->program);
        status = RM_EXIT_FAILED;
    }
    if (status == RM_EXIT_OK && out->count == 0) {
        fprintf(stderr, "%s: batch: no input files in %s (a directory gives "
                "its audio files: .wav, .flac, .m4a, ...%s; a glob the files "
                "it matches, '**' any depth)", cli->program, spec,
                recursive ? ", in the whole tree" : " (--recursive: its whole tree)");
        if (out->unsupported_count)
            fprintf(stderr, "; %zu file%s not audio by extension, e.g. %s",
                    out->unsupported_count,
                    out->unsupported_count == 1 ? "" : "s",
                    out->unsupported[0]);
        fputc('\n', stderr);
        status = RM_EXIT_USAGE;
    }
    if (status != RM_EXIT_OK) {
        rm_batch_inputs_free(out);
        return status;
    }
    qsort(out->items, out->count, sizeof(*out->items), rm__cmp_input);
    if (out->unsupported_count) /* qsort(NULL, 0): undefined */
        qsort(out->unsupported, out->unsupported_count, sizeof(char *),
              rm__cmp_str);
    return RM_EXIT_OK;
}
