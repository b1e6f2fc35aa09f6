/*
 * plugin_scan.c — a plugin file is loaded first in a child process.
 *
 * A shared object runs code the moment it is loaded (constructors) and
 * when its entry is called; a file that crashes, aborts, exits or hangs
 * there would take down every command and every SDK process whose plugin
 * path holds it, even for pipelines that never use it. So, like
 * GStreamer's gst-plugin-scanner, an unknown file is first loaded by the
 * scanner executable (rm-plugin-scanner, beside the plugins) with a time
 * limit; only a file the scanner loaded and unloaded cleanly is loaded in
 * this process. The verdict is cached per file (path, device, inode, size,
 * mtime) in $REMOTEMEDIA_CACHE_DIR, else $XDG_CACHE_HOME/remotemedia, else
 * ~/.cache/remotemedia, so the scan is paid once per file version.
 *
 * REMOTEMEDIA_SCAN=0 loads in-process as before (no child, no cache);
 * REMOTEMEDIA_SCAN_TIMEOUT_MS bounds the scanner (default 10 s). Without a
 * scanner executable (a program linking the runtime's sources), files are
 * loaded in-process.
 */
#include "scan/plugin_scan.h"

#include "util/util.h" /* rm__now_ns, rm__reserve */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define RM__SCAN_CACHE_FILE "plugin-scan-v1.txt"
#define RM__SCAN_DEFAULT_TIMEOUT_MS 10000

/* ---- where the scanner and the cache are ------------------------------- */

/* <prefix>/lib/libremotemedia.so → <prefix>/lib/remotemedia/<scanner>,
 * or $REMOTEMEDIA_SCANNER; 0 when there is none. */
static int scanner_find(char *path, size_t len) {
    const char *env = getenv("REMOTEMEDIA_SCANNER");
    if (env && *env) {
        snprintf(path, len, "%s", env);
        return 1;
    }
    Dl_info info;
    char library[PATH_MAX];
    if (!dladdr((void *)&scanner_find, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, library))
        return 0;
    char *slash = strrchr(library, '/');
    if (!slash) return 0;
    *slash = '\0';
    int n = snprintf(path, len, "%s/remotemedia/%s", library, RM_SCANNER_NAME);
    return n > 0 && (size_t)n < len && access(path, X_OK) == 0;
}

static int scan_enabled(void) {
    const char *env = getenv("REMOTEMEDIA_SCAN");
    return !(env && strcmp(env, "0") == 0);
}

static unsigned scan_timeout_ms(void) {
    const char *env = getenv("REMOTEMEDIA_SCAN_TIMEOUT_MS");
    long ms = env ? strtol(env, NULL, 10) : 0;
    return ms > 0 && ms < 3600000 ? (unsigned)ms : RM__SCAN_DEFAULT_TIMEOUT_MS;
}

/* The cache file's path, or 0 when there is no place for one. */
static int cache_path(char *out, size_t len) {
    const char *dir = getenv("REMOTEMEDIA_CACHE_DIR");
    char base[PATH_MAX];
    if (dir && *dir) {
        snprintf(base, sizeof base, "%s", dir);
    } else if ((dir = getenv("XDG_CACHE_HOME")) && *dir) {
        snprintf(base, sizeof base, "%s/remotemedia", dir);
    } else if ((dir = getenv("HOME")) && *dir) {
        snprintf(base, sizeof base, "%s/.cache/remotemedia", dir);
    } else {
        return 0;
    }
    int n = snprintf(out, len, "%s/%s", base, RM__SCAN_CACHE_FILE);
    return n > 0 && (size_t)n < len;
}

/* mkdir -p for the cache file's directory; 0 on failure. */
static int make_parent_dirs(const char *file) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", file);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) return 0;
        *p = '/';
    }
    return 1;
}

/* ---- the cache: one line per file ---------------------------------------
 * dev \t ino \t size \t mtime_ns \t verdict(0|1) \t path \t reason \n
 * Paths and reasons never hold a tab or newline (a path that does is not
 * cached). It is read into memory once when the registry opens, but a
 * line is parsed only when its file is scanned: the file is shared by
 * every build tree and install of the machine (hundreds of lines of other
 * trees' test plugins on a developer's), and a registry open looks up its
 * few files by searching the text for "\t<path>\t", so unrelated lines
 * cost nothing. It is written back (the file replaced atomically) when the
 * scan closes, if a file was scanned: every line then, the old ones and the
 * new; racing writers may lose each other's new lines, which only costs a
 * re-scan. The write drops the lines of files that are gone or changed
 * (temporary plugin folders of test runs left thousands), so the file
 * every run reads stays small. */

static uint64_t mtime_ns(const struct stat *st) {
    return (uint64_t)st->st_mtim.tv_sec * 1000000000u +
           (uint64_t)st->st_mtim.tv_nsec;
}

static int cacheable(const char *text) {
    return !strpbrk(text, "\t\n");
}

/* Split one cache line in place; 0 when it is not one. */
static int parse_line(char *line, rm__scan_verdict_t *out) {
    int at = 0;
    if (sscanf(line, "%llu\t%llu\t%llu\t%llu\t%d\t%n", &out->dev, &out->ino,
               &out->size, &out->mtime, &out->safe, &at) != 5 || !at)
        return 0;
    out->path = line + at;
    char *tab = strchr(out->path, '\t');
    if (!tab) return 0;
    *tab = '\0';
    out->reason = tab + 1;
    out->reason[strcspn(out->reason, "\n")] = '\0';
    return 1;
}

/* Append a copy of `v` to the scan's verdicts; 0 when out of memory (the
 * verdict is then not cached: a re-scan next time). */
static int verdict_add(rm__scan_t *scan, const rm__scan_verdict_t *v) {
    if (!rm__reserve((void **)&scan->verdicts, &scan->capacity, scan->count,
                     sizeof(*scan->verdicts)))
        return 0;
    rm__scan_verdict_t *to = &scan->verdicts[scan->count];
    *to = *v;
    to->path = strdup(v->path);
    to->reason = strdup(v->reason);
    if (!to->path || !to->reason) {
        free(to->path);
        free(to->reason);
        return 0;
    }
    scan->count++;
    return 1;
}

/* The whole cache file into scan->text (NUL-terminated); none parsed. */
static void cache_read(rm__scan_t *scan) {
    int fd = open(scan->cache, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size < SIZE_MAX) {
        size_t size = (size_t)st.st_size, got = 0;
        char *text = malloc(size + 1);
        while (text && got < size) {
            ssize_t n = read(fd, text + got, size - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break; /* shorter now: what was read */
            got += (size_t)n;
        }
        if (text) {
            text[got] = '\0';
            scan->text = text;
            scan->text_len = got;
        }
    }
    close(fd);
}

/* Copies the line of the cache's text around `at` into `line` and parses
 * it; 0 when it is not a line (or longer than `size`). */
static int text_line_at(const rm__scan_t *scan, const char *at, char *line,
                        size_t size, rm__scan_verdict_t *out) {
    const char *start = at;
    while (start > scan->text && start[-1] != '\n') start--;
    const char *end = memchr(at, '\n', scan->text_len - (size_t)(at - scan->text));
    size_t len = (size_t)((end ? end : scan->text + scan->text_len) - start);
    if (len >= size) return 0;
    memcpy(line, start, len);
    line[len] = '\0';
    return parse_line(line, out);
}

static int same_file(const rm__scan_verdict_t *v, const char *path,
                     const struct stat *st) {
    return strcmp(v->path, path) == 0 &&
           v->dev == (unsigned long long)st->st_dev &&
           v->ino == (unsigned long long)st->st_ino &&
           v->size == (unsigned long long)st->st_size &&
           v->mtime == mtime_ns(st);
}

/* The verdict of the cache's line for this file (path and version): 1
 * safe, 0 unsafe (`reason`), -1 none. Only lines holding "\t<path>\t" are
 * parsed. */
static int cache_lookup(rm__scan_t *scan, const char *path,
                        const struct stat *st, char *reason,
                        size_t reason_len) {
    size_t path_len = strlen(path);
    if (!scan->text || !cacheable(path) || path_len >= PATH_MAX)
        return -1;
    char needle[PATH_MAX + 4];
    needle[0] = '\t';
    memcpy(needle + 1, path, path_len);
    needle[path_len + 1] = '\t';
    const char *from = scan->text, *end = scan->text + scan->text_len;
    const char *hit;
    while ((hit = memmem(from, (size_t)(end - from), needle, path_len + 2))) {
        char line[PATH_MAX + 4200];
        rm__scan_verdict_t v;
        scan->parsed++;
        if (text_line_at(scan, hit, line, sizeof line, &v) &&
            same_file(&v, path, st)) {
            snprintf(reason, reason_len, "%s", v.reason);
            return v.safe;
        }
        from = hit + 1;
    }
    return -1;
}

/* 1 when this open scanned `path` (its old lines are replaced). */
static int scanned_now(const rm__scan_t *scan, const char *path) {
    for (size_t i = 0; i < scan->count; i++)
        if (strcmp(scan->verdicts[i].path, path) == 0) return 1;
    return 0;
}

/* 1 when the file of `v` is still there as the line describes it. */
static int still_there(const rm__scan_verdict_t *v) {
    struct stat st;
    return v->path[0] && stat(v->path, &st) == 0 &&
           same_file(v, v->path, &st);
}

/* A verdict's line, when its file is still there as it says (not "", a
 * stale line of a re-scanned file). */
static void write_line(FILE *out, const rm__scan_verdict_t *v) {
    if (still_there(v))
        fprintf(out, "%llu\t%llu\t%llu\t%llu\t%d\t%s\t%s\n", v->dev, v->ino,
                v->size, v->mtime, v->safe, v->path, v->reason);
}

static void cache_write(const rm__scan_t *scan) {
    char temp[PATH_MAX + 32];
    if (!make_parent_dirs(scan->cache)) return;
    snprintf(temp, sizeof temp, "%s.XXXXXX", scan->cache);
    int fd = mkstemp(temp);
    if (fd < 0) return;
    FILE *out = fdopen(fd, "w");
    if (!out) {
        close(fd);
        unlink(temp);
        return;
    }
    const char *at = scan->text;
    while (at && *at) { /* the lines read, but those of files scanned now */
        const char *eol = strchr(at, '\n');
        char line[PATH_MAX + 4200];
        rm__scan_verdict_t v;
        if (text_line_at(scan, at, line, sizeof line, &v) &&
            !scanned_now(scan, v.path))
            write_line(out, &v);
        at = eol ? eol + 1 : NULL;
    }
    for (size_t i = 0; i < scan->count; i++)
        write_line(out, &scan->verdicts[i]);
    if (fclose(out) != 0 || rename(temp, scan->cache) != 0) unlink(temp);
}

/* ---- running the scanner ------------------------------------------------ */

static uint64_t now_ms(void) { return rm__now_ns() / 1000000u; }

/* 1 safe, 0 unsafe (reason), -1 the scanner could not run. */
static int scan_in_child(const char *scanner_path, const char *path,
                         char *reason, size_t reason_len) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                     O_RDONLY, 0);
    /* What a plugin prints while loading is not ours to show. */
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null",
                                     O_WRONLY, 0);
    char *argv[] = {(char *)RM_SCANNER_NAME, (char *)path, NULL};
    pid_t pid;
    int spawned = posix_spawn(&pid, scanner_path, &actions, NULL, argv,
                              environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    if (spawned != 0) {
        close(pipe_fds[0]);
        return -1;
    }
    unsigned timeout = scan_timeout_ms();
    uint64_t deadline = now_ms() + timeout;
    char said[64] = "";
    size_t said_len = 0;
    int timed_out = 0;
    for (;;) {
        uint64_t now = now_ms();
        if (now >= deadline) {
            timed_out = 1;
            break;
        }
        struct pollfd fd = {pipe_fds[0], POLLIN, 0};
        int ready = poll(&fd, 1, (int)(deadline - now));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        ssize_t n = read(pipe_fds[0], said + said_len,
                         sizeof said - 1 - said_len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* the scanner closed its end: it is done */
        said_len += (size_t)n;
        if (said_len == sizeof said - 1) break;
    }
    close(pipe_fds[0]);
    if (timed_out) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    said[said_len] = '\0';
    if (timed_out) {
        snprintf(reason, reason_len,
                 "did not finish loading within %u ms (a hang in its "
                 "constructor or %s; not loaded)",
                 timeout, "rm_plugin_entry");
        return 0;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
        strncmp(said, RM_SCANNER_SAFE, strlen(RM_SCANNER_SAFE)) == 0)
        return 1;
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *name = sigabbrev_np(sig);
        snprintf(reason, reason_len,
                 "crashed with SIG%s (%s) while loading, in its constructor "
                 "or rm_plugin_entry; not loaded",
                 name ? name : "?", strsignal(sig));
        return 0;
    }
    snprintf(reason, reason_len,
             "ended the process with exit(%d) while loading, in its "
             "constructor or rm_plugin_entry; not loaded",
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}

void rm__scan_open(rm__scan_t *scan) {
    memset(scan, 0, sizeof(*scan));
    scan->enabled = scan_enabled() && scanner_find(scan->scanner,
                                                   sizeof scan->scanner);
    if (scan->enabled && cache_path(scan->cache, sizeof scan->cache))
        cache_read(scan);
}

int rm__scan_file(rm__scan_t *scan, const char *path, const struct stat *st,
                  char *reason, size_t reason_len) {
    if (!scan->enabled) return 1; /* no scanner: load in-process */
    for (size_t i = 0; i < scan->count; i++) /* scanned by this open */
        if (same_file(&scan->verdicts[i], path, st)) {
            snprintf(reason, reason_len, "%s", scan->verdicts[i].reason);
            return scan->verdicts[i].safe;
        }
    int cached = cache_lookup(scan, path, st, reason, reason_len);
    if (cached >= 0) return cached;
    int verdict = scan_in_child(scan->scanner, path, reason, reason_len);
    if (verdict < 0) return 1; /* could not spawn: as without a scanner */
    const char *said = verdict ? "" : reason;
    if (!scan->cache[0] || !cacheable(path) || !cacheable(said))
        return verdict;
    for (size_t i = 0; i < scan->count; i++) /* this path's stale lines */
        if (strcmp(scan->verdicts[i].path, path) == 0)
            scan->verdicts[i].path[0] = '\0';
    /* (and the cache text's: cache_write skips the paths scanned now) */
    rm__scan_verdict_t v = {(unsigned long long)st->st_dev,
                            (unsigned long long)st->st_ino,
                            (unsigned long long)st->st_size, mtime_ns(st),
                            verdict, (char *)path, (char *)said};
    if (verdict_add(scan, &v)) scan->changed = 1;
    return verdict;
}

void rm__scan_close(rm__scan_t *scan) {
    if (scan->changed) cache_write(scan);
    for (size_t i = 0; i < scan->count; i++) {
        free(scan->verdicts[i].path);
        free(scan->verdicts[i].reason);
    }
    free(scan->verdicts);
    free(scan->text);
    memset(scan, 0, sizeof(*scan));
}
