/*
 * safe_output.h — writing to a path the user named without damaging what
 * is there. Shared by rmrun (--output, --metrics, --trace, batch JSON
 * outputs, batch-report.json) and the AudioFileSink plugin, which both
 * link the static library rm_safe_output (plugins/common/CMakeLists.txt;
 * plain POSIX, no runtime dependency).
 *
 *   "-"                     stdout (a dup of fd 1), written as a stream
 *   a symlink               followed (a chain too) to its target, and the
 *                           target is treated as below
 *   a FIFO, char device     opened and written as a stream (never replaced)
 *   a regular file, or      written to a temporary next to it, then renamed
 *   nothing there yet       over it at commit: the final name only ever
 *                           holds a complete file (on a full disk the old
 *                           file stays, or nothing appears)
 *   a directory, block      refused (an error naming the path)
 *   device, socket
 *
 * Temporaries are "<dir>/.rmtmp-<pid>-<16 random hex>.<name>", created with
 * O_CREAT|O_EXCL|O_NOFOLLOW (a file or symlink planted at the name is never
 * followed or reused). rm_safe_output_clean_stale() removes those of dead
 * processes (left by a SIGKILL).
 *
 * Messages name the user's path (and the symlink's target when there is
 * one), never the temporary. [thread-safe]: no global state.
 */
#ifndef RM_SAFE_OUTPUT_H
#define RM_SAFE_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#define RM_SAFE_OUTPUT_PREFIX ".rmtmp-"

typedef struct rm_safe_output {
    int fd;         /* write here; -1 once the caller closed it (see below) */
    int stream;     /* 1: fd is the destination itself (no temp, no rename) */
    int seekable;   /* lseek works on fd                                    */
    char *path;     /* the user's path, for messages                         */
    char *target;   /* where the bytes end up (symlinks resolved)           */
    char *temp;     /* the temporary (not a stream), else NULL              */
    int mode;       /* permissions to give the temporary (-1: default)      */
} rm_safe_output_t;

/* Opens `path` as described above. Returns 0, or -1 with errno set and a
 * one-line reason in `why` ("cannot write 'x': is a directory"). A FIFO
 * open blocks until a reader opens it (like a shell's > redirection). */
/* "a/b/c" -> "a/b", "c" -> ".", "/c" -> "/"; malloc'ed (NULL: no memory). */
char *rm_cli_dirname(const char *path);

int rm_safe_output_open(rm_safe_output_t *out, const char *path, char *why,
                        size_t why_size);

/* Finishes: closes fd (unless the caller closed it and set fd = -1, e.g.
 * through fclose or sf_close), then renames the temporary to the target.
 * Returns 0, or -1 with errno and `why` set (the temporary is removed).
 * Frees what open allocated either way. */
int rm_safe_output_commit(rm_safe_output_t *out, char *why, size_t why_size);

/* Gives up: closes fd if open, removes the temporary, frees. */
void rm_safe_output_abort(rm_safe_output_t *out);

/* The same through stdio: open + fdopen ("w"). NULL with `why` set. */
FILE *rm_safe_output_fopen(rm_safe_output_t *out, const char *path,
                           char *why, size_t why_size);
/* Flushes and closes `f` (from rm_safe_output_fopen), then commits; on a
 * write error (a full disk) aborts instead: the final name keeps what it
 * had. Returns 0, or -1 with errno and `why` set. */
int rm_safe_output_fclose(rm_safe_output_t *out, FILE *f, char *why,
                          size_t why_size);

/* How deep the two below go into subdirectories of `dir` (a batch's
 * mirrored input tree), never through a symlink nor into hidden ones. */
#define RM_SAFE_OUTPUT_MAX_DEPTH 32

/* Removes the temporaries under `dir` whose process is gone (kill(pid, 0)
 * says ESRCH); only names with RM_SAFE_OUTPUT_PREFIX and a pid. Returns
 * how many were removed. */
size_t rm_safe_output_clean_stale(const char *dir);

/* Removes this process's own temporaries in `dir` and its subdirectories
 * `depth` levels down (Ctrl-C: the outputs being written are abandoned).
 * Not async-signal-safe: call it from a thread, e.g. cli_signal.c's.
 * Returns how many. */
size_t rm_safe_output_clean_own(const char *dir, int depth);

#endif /* RM_SAFE_OUTPUT_H */
