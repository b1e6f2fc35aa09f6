/*
 * safe_output.c — see safe_output.h.
 */
#include "safe_output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RM__MAX_LINKS 40   /* like the kernel's ELOOP limit */
#define RM__BASE_MAX 200   /* of the target's name kept in the temporary's */

char *rm_cli_dirname(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (!dir) return NULL;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return dir;
}

static void rm__why(char *why, size_t size, const rm_safe_output_t *o,
                    const char *reason) {
    if (!why || !size) return;
    if (o->target && strcmp(o->target, o->path) != 0)
        snprintf(why, size, "cannot write '%s' (a symlink to '%s'): %s",
                 o->path, o->target, reason);
    else
        snprintf(why, size, "cannot write '%s': %s", o->path, reason);
}

static void rm__free(rm_safe_output_t *o) {
    free(o->path);
    free(o->target);
    free(o->temp);
    o->path = o->target = o->temp = NULL;
    o->fd = -1;
}

/* Follows `path` through symlinks to what it names. *st is lstat of the
 * result; *exists 0 when nothing is there (a new file, or a dangling
 * symlink's target). NULL with errno set on failure. */
static char *rm__resolve(const char *path, struct stat *st, int *exists) {
    char *cur = strdup(path);
    for (int hops = 0; cur && hops <= RM__MAX_LINKS; hops++) {
        if (lstat(cur, st) != 0) {
            if (errno != ENOENT) break;
            *exists = 0;
            return cur;
        }
        if (!S_ISLNK(st->st_mode)) {
            *exists = 1;
            return cur;
        }
        char link[PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) break;
        link[n] = '\0';
        char *next = NULL;
        if (link[0] == '/' || !strchr(cur, '/')) {
            next = strdup(link); /* absolute, or relative to "." */
        } else {
            char *dir = rm_cli_dirname(cur);
            if (dir) {
                size_t size = strlen(dir) + strlen(link) + 2;
                next = malloc(size);
                if (next) snprintf(next, size, "%s/%s", dir, link);
            }
            free(dir);
        }
        free(cur);
        cur = next;
        if (!cur) errno = ENOMEM;
        if (hops == RM__MAX_LINKS) errno = ELOOP;
    }
    int saved = errno;
    free(cur);
    errno = saved;
    return NULL;
}

static uint64_t rm__random64(void) {
    uint64_t value = 0;
    if (getrandom(&value, sizeof value, GRND_NONBLOCK) == (ssize_t)sizeof value)
        return value;
    /* No entropy yet (early boot): the name is still created O_EXCL, so a
     * guessable one is only retried, never followed. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    value = ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^
            ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)&ts;
    return value;
}

/* Creates the temporary next to o->target. */
static int rm__create_temp(rm_safe_output_t *o, mode_t mode) {
    char *dir = rm_cli_dirname(o->target);
    if (!dir) return -1;
    const char *slash = strrchr(o->target, '/');
    const char *base = slash ? slash + 1 : o->target;
    int base_len = (int)strnlen(base, RM__BASE_MAX);
    size_t size = strlen(dir) + base_len + 64;
    o->temp = malloc(size);
    if (!o->temp) {
        free(dir);
        return -1;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(o->temp, size, "%s/" RM_SAFE_OUTPUT_PREFIX "%ld-%016llx.%.*s",
                 dir, (long)getpid(), (unsigned long long)rm__random64(),
                 base_len, base);
        o->fd = open(o->temp,
                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     mode);
        if (o->fd >= 0 || errno != EEXIST) break;
    }
    free(dir);
    if (o->fd < 0) {
        int saved = errno;
        free(o->temp);
        o->temp = NULL;
        errno = saved;
        return -1;
    }
    return 0;
}

int rm_safe_output_open(rm_safe_output_t *o, const char *path, char *why,
                        size_t why_size) {
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->path = strdup(path);
    if (!o->path) goto fail;
    if (strcmp(path, "-") == 0) {
        fflush(stdout);
        o->fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        if (o->fd < 0) goto fail;
        o->stream = 1;
        o->seekable = lseek(o->fd, 0, SEEK_CUR) >= 0;
        return 0;
    }
    struct stat st;
    int exists = 0;
    o->target = rm__resolve(path, &st, &exists);
    if (!o->target) goto fail;
    if (exists && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
        o->fd = open(o->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (o->fd < 0) goto fail;
        o->stream = 1;
        o->seekable = lseek(o->fd, 0, SEEK_CUR) >= 0;
        return 0;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        const char *what = S_ISDIR(st.st_mode)   ? "it is a directory"
                           : S_ISBLK(st.st_mode) ? "it is a block device"
                           : S_ISSOCK(st.st_mode) ? "it is a socket"
                                                  : "it is not a regular file";
        char reason[160];
        snprintf(reason, sizeof reason,
                 "%s (outputs go to regular files, FIFOs, character devices "
                 "or '-' for stdout; it is left untouched)", what);
        rm__why(why, why_size, o, reason);
        rm__free(o);
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return -1;
    }
    /* A new file gets the usual 0666 & ~umask; a replaced one keeps its
     * permission bits (not set-id bits). */
    o->mode = exists ? (int)(st.st_mode & 0777) : -1;
    if (rm__create_temp(o, exists ? (mode_t)o->mode : 0666) != 0) goto fail;
    if (exists) fchmod(o->fd, (mode_t)o->mode); /* past the umask */
    o->seekable = 1;
    return 0;
fail: {
        int saved = errno;
        if (o->path) rm__why(why, why_size, o, strerror(saved));
        else if (why && why_size)
            snprintf(why, why_size, "cannot write '%s': %s", path,
                     strerror(saved));
        if (o->fd >= 0) close(o->fd);
        rm__free(o);
        errno = saved;
        return -1;
    }
}

int rm_safe_output_commit(rm_safe_output_t *o, char *why, size_t why_size) {
    int status = 0, saved = 0;
    if (o->fd >= 0 && close(o->fd) != 0) {
        saved = errno;
        status = -1;
    }
    o->fd = -1;
    if (status == 0 && o->temp) {
        /* Something other than a file appeared at the target meanwhile:
         * leave it alone. */
        struct stat st;
        if (lstat(o->target, &st) == 0 && !S_ISREG(st.st_mode)) {
            saved = EEXIST;
            status = -1;
            rm__why(why, why_size, o,
                    "something other than a regular file appeared there "
                    "while writing; it is left untouched");
        } else if (rename(o->temp, o->target) != 0) {
            saved = errno;
            status = -1;
        }
    }
    if (status != 0) {
        if (why && why_size && saved != EEXIST)
            rm__why(why, why_size, o, strerror(saved));
        if (o->temp) unlink(o->temp);
    }
    rm__free(o);
    errno = saved;
    return status;
}

void rm_safe_output_abort(rm_safe_output_t *o) {
    if (o->fd >= 0) close(o->fd);
    if (o->temp) unlink(o->temp);
    rm__free(o);
}

FILE *rm_safe_output_fopen(rm_safe_output_t *o, const char *path,
                           char *why, size_t why_size) {
    if (rm_safe_output_open(o, path, why, why_size) != 0) return NULL;
    FILE *f = fdopen(o->fd, "w");
    if (!f) {
        int saved = errno;
        rm__why(why, why_size, o, strerror(saved));
        rm_safe_output_abort(o);
        errno = saved;
    }
    return f;
}

int rm_safe_output_fclose(rm_safe_output_t *o, FILE *f, char *why,
                          size_t why_size) {
    int error = fflush(f) != 0 ? errno : ferror(f) ? EIO : 0;
    if (fclose(f) != 0 && !error) error = errno;
    o->fd = -1; /* fclose closed it */
    if (error) {
        rm__why(why, why_size, o, strerror(error));
        rm_safe_output_abort(o);
        errno = error;
        return -1;
    }
    return rm_safe_output_commit(o, why, why_size);
}

/* Removes the temporaries in directory `fd` (closed here) whose pid is
 * `own` (own > 0), or whose process is gone (own == 0); into
 * subdirectories (never through a symlink) while depth > 0. */
static size_t rm__clean(int fd, pid_t own, int depth) {
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return 0;
    }
    size_t removed = 0, prefix = strlen(RM_SAFE_OUTPUT_PREFIX);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, RM_SAFE_OUTPUT_PREFIX, prefix) != 0) {
            if (depth <= 0 || e->d_name[0] == '.' ||
                (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
                continue;
            int sub = openat(dirfd(d), e->d_name,
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) removed += rm__clean(sub, own, depth - 1);
            continue;
        }
        char *end = NULL;
        long pid = strtol(e->d_name + prefix, &end, 10);
        if (pid <= 0 || !end || *end != '-' || pid > INT_MAX) continue;
        if (own > 0 && (pid_t)pid != own) continue;
        if (own == 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue; /* alive */
        /* unlinkat never follows: a symlink with our name is removed as
         * itself. Only files and symlinks, never a directory. */
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) removed++;
    }
    closedir(d);
    return removed;
}

static size_t rm__clean_dir(const char *dir, pid_t own, int depth) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? 0 : rm__clean(fd, own, depth);
}

size_t rm_safe_output_clean_stale(const char *dir) {
    return rm__clean_dir(dir, 0, RM_SAFE_OUTPUT_MAX_DEPTH);
}

size_t rm_safe_output_clean_own(const char *dir, int depth) {
    return rm__clean_dir(dir, getpid(), depth);
}
