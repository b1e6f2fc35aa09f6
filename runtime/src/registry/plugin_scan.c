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
#include "registry/plugin_scan.h"

#include "host/host.h" /* rm__now_ns */

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
 * cached). Writers replace the file atomically; racing writers may lose
 * each other's new lines, which only costs a re-scan. A writer drops the
 * lines of files that are gone or changed (temporary plugin folders of
 * test runs left thousands), so the file every run reads stays small. */

static uint64_t mtime_ns(const struct stat *st) {
    return (uint64_t)st->st_mtim.tv_sec * 1000000000u +
           (uint64_t)st->st_mtim.tv_nsec;
}

static int cacheable(const char *text) {
    return !strpbrk(text, "\t\n");
}

typedef struct cache_line {
    unsigned long long dev, ino, size, mtime;
    int safe;
    char *path, *reason; /* inside the line (its tabs replaced by NULs) */
} cache_line_t;

/* The path field of a cache line (after the 5th tab), or NULL. */
static const char *line_path(const char *line, size_t *len) {
    const char *p = line;
    for (int tabs = 0; tabs < 5; tabs++) {
        p = strchr(p, '\t');
        if (!p) return NULL;
        p++;
    }
    *len = strcspn(p, "\t\n");
    return p;
}

/* Split one cache line in place; 0 when it is not one. */
static int parse_line(char *line, cache_line_t *out) {
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

/* 1 when the line is about the file as `st` describes it now. */
static int line_matches(const cache_line_t *c, const struct stat *st) {
    return c->dev == (unsigned long long)st->st_dev &&
           c->ino == (unsigned long long)st->st_ino &&
           c->size == (unsigned long long)st->st_size &&
           c->mtime == mtime_ns(st);
}

/* 1 safe, 0 unsafe (reason copied), -1 not in the cache. Only the lines
 * of `path` are parsed. */
static int cache_lookup(const char *path, const struct stat *st, char *reason,
                        size_t reason_len) {
    char file[PATH_MAX];
    if (!cache_path(file, sizeof file)) return -1;
    FILE *f = fopen(file, "r");
    if (!f) return -1;
    char line[PATH_MAX + 4200];
    size_t want = strlen(path), len = 0;
    int verdict = -1;
    cache_line_t c;
    while (fgets(line, sizeof line, f)) {
        const char *at = line_path(line, &len);
        if (!at || len != want || memcmp(at, path, want) != 0 ||
            !parse_line(line, &c) || !line_matches(&c, st))
            continue;
        snprintf(reason, reason_len, "%s", c.reason);
        verdict = c.safe ? 1 : 0;
    }
    fclose(f);
    return verdict;
}

static void cache_store(const char *path, const struct stat *st, int safe,
                        const char *reason) {
    char file[PATH_MAX], temp[PATH_MAX + 32];
    if (!cacheable(path) || !cacheable(reason) ||
        !cache_path(file, sizeof file) || !make_parent_dirs(file))
        return;
    snprintf(temp, sizeof temp, "%s.XXXXXX", file);
    int fd = mkstemp(temp);
    if (fd < 0) return;
    FILE *out = fdopen(fd, "w");
    if (!out) {
        close(fd);
        unlink(temp);
        return;
    }
    /* Keep the lines of the other files as they are now (drop this path's
     * and those of files gone or changed since). */
    FILE *in = fopen(file, "r");
    char line[PATH_MAX + 4200];
    cache_line_t c;
    struct stat now;
    while (in && fgets(line, sizeof line, in)) {
        if (!parse_line(line, &c) || strcmp(c.path, path) == 0 ||
            stat(c.path, &now) != 0 || !line_matches(&c, &now))
            continue;
        fprintf(out, "%llu\t%llu\t%llu\t%llu\t%d\t%s\t%s\n", c.dev, c.ino,
                c.size, c.mtime, c.safe, c.path, c.reason);
    }
    if (in) fclose(in);
    fprintf(out, "%llu\t%llu\t%llu\t%llu\t%d\t%s\t%s\n",
            (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
            (unsigned long long)st->st_size,
            (unsigned long long)mtime_ns(st), safe ? 1 : 0, path, reason);
    if (fclose(out) != 0 || rename(temp, file) != 0) unlink(temp);
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

int rm__plugin_scan(const char *path, const struct stat *st, char *reason,
                    size_t reason_len) {
    char scanner[PATH_MAX];
    if (!scan_enabled() || !scanner_find(scanner, sizeof scanner))
        return 1; /* no scanner: load in-process */
    int verdict = cache_lookup(path, st, reason, reason_len);
    if (verdict >= 0) return verdict;
    verdict = scan_in_child(scanner, path, reason, reason_len);
    if (verdict < 0) return 1; /* could not spawn: as without a scanner */
    cache_store(path, st, verdict, verdict ? "" : reason);
    return verdict;
}
