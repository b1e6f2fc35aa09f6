/*
 * batch.h — what the pieces of `rmrun --batch` share (internal to rmrun).
 *
 *   cmd_batch.c     the command: arguments, the manifest, workers, summary
 *   batch_inputs.c  the input list: directories, globs, @LIST
 *   batch_own_files.c  what rmrun wrote to --out: no inputs
 *   batch_plan.c    which inputs run: outputs over inputs, -n, --resume
 *   batch_report.c  batch-report.json, --events lines, the --resume key
 *   batch_progress.c  the progress bar, or plain progress lines
 *   batch_segments.c  --segments: speech segments as JSONL, CSV, RTTM, labels
 *   batch_written.c which outputs this run wrote (not an earlier run's)
 *   batch_paths.c   the names of the report, the state, --metrics, ...
 *   cli_signal.c    Ctrl-C / SIGTERM (cli.h)
 */
#ifndef RM_CLI_BATCH_H
#define RM_CLI_BATCH_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <remotemedia/media_duration.h>
#include <remotemedia/runtime.h>

#include "cli.h"

/* rm_batch_entry_t.status */
enum {
    RM_BATCH_NOT_STARTED = 0,
    RM_BATCH_OK = 1,
    RM_BATCH_FAILED = 2,
    RM_BATCH_SKIPPED = 3,
    RM_BATCH_RUNNING = 4 /* in flight; "interrupted" when the batch stops */
};

/* The name of a status in the report and the events. */
const char *rm_batch_status_name(int status);

/* A node that reads each input file: the parameter (with the role
 * RM_PARAM_INPUT_PATH) set to it in `params`, the node's params object in
 * the batch's manifest. */
typedef struct rm_batch_source {
    cJSON *params;
    const char *key;   /* the parameter's name; the plugin's string */
    /* Its type's media-duration extension (how long an input plays, for
     * the progress and the report), or NULL. */
    const rm_media_duration_t *duration;
} rm_batch_source_t;

/* A node that writes a file per input (a parameter with the role
 * RM_PARAM_OUTPUT_PATH). */
typedef struct rm_batch_file_sink {
    char *id;
    char *ext;         /* with the dot */
    cJSON *params;     /* its params object in the batch's manifest */
    const char *key;   /* the output path parameter's name */
} rm_batch_file_sink_t;

/* An output path as the plan sees it: one stat each before the workers
 * start, shared by the checks (rm_batch_stat_outputs). */
typedef struct rm_batch_out_stat {
    dev_t dev;
    ino_t ino;
    nlink_t nlink;
    mode_t mode;
    int exists;
} rm_batch_out_stat_t;

typedef struct rm_batch_entry {
    char *input;
    char *subdir;        /* mirrored under --out ("" for none) */
    char *stem;
    char **outputs;      /* audio outputs, then the .json one if any */
    size_t output_count;
    rm_batch_out_stat_t *planned; /* each output's stat for the checks
                                     before the workers start (then freed) */
    struct stat input_st; /* the input's stat from the scan, when */
    int input_st_known;   /* known (a directory or glob scan) */
    int streamed;         /* not a regular file (a FIFO, a device, listed
                             by @LIST): read once, by its run only; its
                             length is not read ahead */
    /* Each output as it was when the file's run started (batch_written.c):
     * a second Ctrl-C tells the outputs this run already put in place, the
     * report those it wrote from an earlier run's. */
    struct rm_batch_output_seen *before;
    unsigned char *outcome; /* per output after an ok run: RM_BATCH_OUTPUT_* */
    double audio_s;      /* from the header (rm_batch_source_t.duration),
                            read by the worker that runs the file; <0
                            when unknown or not run */
    double header_s;     /* its length, read once by its worker or the
                            progress display, whichever came first (under
                            the batch's lock; NAN: not read yet) */
    int runs;            /* the plan left it to run (set before any
                            worker starts, then only read) */
    int status;          /* RM_BATCH_* (under the batch's lock) */
    int fifo_released;   /* at Ctrl-C rmrun read and dropped what this
                            file wrote to an output FIFO nobody read */
    double wall_s, compile_ms;
    char *error;
    uint64_t *node_ns;   /* per node, ok runs */
    uint64_t *node_calls; /* per node, with --metrics */
    char key[17];        /* the --resume key, 16 hex digits */
    char file_id[17];    /* the input's real path, folder and stem under
                            --out (no manifest, no size or time) */
} rm_batch_entry_t;

typedef struct rm_batch {
    const rm_cli_t *cli;
    const rm_registry_t *registry;
    const char *manifest_path;
    const char *out_dir;
    const char *report_path;  /* NULL: OUT/batch-report.json */
    cJSON *manifest;          /* parsed once; paths set under `lock` */
    uint64_t manifest_hash;   /* of the manifest as run (with --set) */
    rm_batch_source_t *sources; /* the nodes that read each input */
    size_t source_count;
    rm_batch_file_sink_t *sinks;
    size_t sink_count;
    int has_other_sinks;      /* a non-file sink: OUT/<stem>.json */
    rm_batch_entry_t *entries;
    size_t entry_count;
    char **unsupported;       /* skipped: not audio by extension */
    size_t unsupported_count;
    unsigned jobs;
    int progress;             /* RM_BATCH_PROGRESS_* */
    double progress_interval; /* plain lines: seconds apart (0: per file) */
    atomic_int progress_stop; /* ends the ticker (set under `lock`) */
    pthread_cond_t progress_wake; /* signalled with progress_stop: the
                                     ticker's wait ends at once */
    int resume, events;
    int no_clobber;           /* -n: an existing output fails its input */
    unsigned segment_formats; /* --segments: RM_SEGMENTS_* bits */
    int metrics, trace;       /* --metrics, --trace: per file, next to it */
    rm_run_options_t options;
    pthread_mutex_t lock;
    pthread_mutex_t events_lock; /* stdout: a blocked reader must not hold
                                    up `lock` (Ctrl-C takes it) */
    atomic_size_t next;       /* the next place in `order` to take */
    size_t *order;            /* entry indices in dispatch order; NULL:
                                 in entry order */
    long long *sizes;         /* each input's size from the plan's stat
                                 (-1: none), for the order */
    atomic_int interrupted;   /* signals received: 1 stop dispatching */
    size_t done, ok, failed, skipped, todo;
    double audio_done;        /* of the files finished */
    double audio_todo;        /* of all files to run, once `sized` */
    int sized;                /* audio_todo is summed (under `lock`) */
    size_t size_next;         /* the next entry to sum (the progress */
    double size_sum;          /* start, then the ticker thread only) */
    double start;
    int manifest_problem;     /* a compile said EPARSE/EVALIDATE/ECYCLE */
    char *manifest_message;
    size_t node_count;
    char **node_ids, **node_types;
} rm_batch_t;

enum {
    RM_BATCH_PROGRESS_OFF = 0,
    RM_BATCH_PROGRESS_BAR = 1,   /* stderr is a terminal */
    RM_BATCH_PROGRESS_PLAIN = 2  /* a line every progress_interval s */
};

/* How long `path` plays, as the first node type reading the input that
 * can tell says (its media-duration extension); -1 when none can
 * (cmd_batch.c; thread-safe). */
/* The input's stat: the scan's when it made one, else one now (@LIST, a
 * single file); 0 when there is none. */
int rm_batch_input_stat(const rm_batch_entry_t *e, struct stat *st);
double rm_batch_audio_seconds(const rm_batch_t *b, const char *path);

/* The same for an entry, read once between its worker and the progress
 * display (e->header_s, under b->lock; a race costs one more read). */
double rm_batch_header_seconds(rm_batch_t *b, rm_batch_entry_t *e);

/* ---- batch_paths.c ---- */

/* The names of what a batch writes besides its sinks' outputs, for the
 * writers and the checks alike; malloc'ed, NULL when out of memory. */
#define RM_BATCH_METRICS_SUFFIX ".metrics.json" /* --metrics, per input */
#define RM_BATCH_TRACE_SUFFIX ".trace.json"     /* --trace, per input */
/* OUT/SUBDIR/NAMESUFFIX (SUBDIR "" for none). */
char *rm_batch_path(const char *out_dir, const char *subdir, const char *name,
                    const char *suffix);
/* --report, else OUT/RM_BATCH_REPORT_NAME. */
char *rm_batch_report_path(const char *out_dir, const char *report_path);
/* OUT/RM_BATCH_STATE_NAME. */
char *rm_batch_state_path(const char *out_dir);
/* OUT/<subdir>/<stem>SUFFIX of an input (RM_BATCH_METRICS_SUFFIX, ...). */
char *rm_batch_file_path(const rm_batch_t *b, const rm_batch_entry_t *e,
                         const char *suffix);

/* ---- batch_written.c ---- */

/* An output path as seen at one moment. */
typedef struct rm_batch_output_seen {
    unsigned long long link_ino; /* the path's own inode (lstat; 0: none) */
    dev_t dev;                   /* the file it names (through a symlink) */
    ino_t ino;
    struct timespec mtime;
    unsigned char exists, regular;
} rm_batch_output_seen_t;

/* rm_batch_entry_t.outcome, and rm_batch_output_outcome */
enum {
    RM_BATCH_OUTPUT_NONE = 0,    /* not written, and no file there */
    RM_BATCH_OUTPUT_WRITTEN = 1, /* written by this run (or, for a file
                                    --resume skipped, by the earlier one) */
    RM_BATCH_OUTPUT_STALE = 2    /* not written this run; an earlier run's
                                    file is there */
};

/* At the file's start (before the signal thread sees it RUNNING): notes
 * each output as it is (e->before). */
void rm_batch_outputs_note(rm_batch_entry_t *e);
/* After its run: which outputs it wrote (e->outcome). */
void rm_batch_outputs_check(rm_batch_entry_t *e);
/* Output `o` of `e` as the report names it (RM_BATCH_OUTPUT_*; lock
 * held, or no worker running). */
int rm_batch_output_outcome(const rm_batch_entry_t *e, size_t o);
/* A second Ctrl-C: removes the outputs the files in flight already put in
 * place (an output that is still the one from before stays). */
void rm_batch_outputs_drop_abandoned(rm_batch_t *b);
/* One line per output an ok file did not write (its sink got no audio),
 * saying whether an earlier run's file is there (not with -q). */
void rm_batch_print_not_written(const rm_batch_t *b);

/* ---- batch_progress.c ---- */

/* Initialises b->progress_wake (on the monotonic clock). */
void rm_batch_progress_wake_init(rm_batch_t *b);

/* Before the workers start, with progress shown: for a bar or a line per
 * file, reads the first files' lengths for the total (all of a small
 * batch); the ticker sums the rest. */
void rm_batch_progress_start(rm_batch_t *b);

/* The progress line (call with b->lock held); `final`: the last one. */
void rm_batch_progress_line(rm_batch_t *b, int final);
/* A file finished (lock held): redraws the bar, or with an interval of 0
 * prints a plain line. */
void rm_batch_progress_file_done(rm_batch_t *b);
/* The thread that redraws the bar, and prints the plain lines on time,
 * until the batch is done or progress_stop is set (under b->lock, with
 * progress_wake signalled). */
void *rm_batch_progress_ticker(void *arg);

/* ---- batch_segments.c ---- */

enum {
    RM_SEGMENTS_JSONL = 1u,
    RM_SEGMENTS_CSV = 2u,
    RM_SEGMENTS_RTTM = 4u,
    RM_SEGMENTS_AUDACITY = 8u
};
/* The id of the pass-through sink (a node type with RM_CAP_PASS_THROUGH)
 * added on port 0 of the node whose type has RM_CAP_SPEECH_SEGMENTS. */
#define RM_BATCH_SEGMENTS_TAP "rmrun-segments"

/* "jsonl,csv,rttm,audacity" or "all" into RM_SEGMENTS_* (JSONL always). */
int rm_batch_segments_parse(const rm_cli_t *cli, const char *value,
                            unsigned *formats);
/* Adds the tap to b->manifest (exactly one node emitting speech segments
 * and a pass-through type in the registry, else a usage error naming
 * why). */
int rm_batch_segments_tap(rm_batch_t *b);
/* How many per-file segment outputs, and their paths into `outputs`. */
size_t rm_batch_segments_outputs(const rm_batch_t *b);
int rm_batch_segments_plan(const rm_batch_t *b, rm_batch_entry_t *e,
                           char **outputs);
/* Writes one file's segment files from its run result; NULL, or the
 * reason it could not (malloc'ed). */
char *rm_batch_segments_write(const rm_batch_t *b, const rm_batch_entry_t *e,
                              const rm_run_result_t *r, char **outputs);
/* The combined file of format `bit` (OUT/segments.jsonl, .csv, .rttm;
 * malloc'ed), or NULL: none for that format (labels), or out of memory. */
char *rm_batch_segments_combined_path(const rm_batch_t *b, unsigned bit);
/* OUT/segments.jsonl, .csv, .rttm of every done file. RM_EXIT_*. */
int rm_batch_segments_combine(const rm_batch_t *b);

/* ---- batch_inputs.c ---- */

typedef struct rm_batch_input {
    char *path;
    struct stat st; /* its stat, when the scan made one (st_known) */
    int st_known;
    char *subdir; /* its directory below the scanned directory or the glob's
                     fixed part ("" for none, @LIST and one file): the
                     outputs go to OUT/<subdir>/ */
} rm_batch_input_t;

typedef struct rm_batch_inputs {
    rm_batch_input_t *items; /* sorted by path */
    size_t count;
    char **unsupported;      /* directory scans: files that are not audio
                                by their extension, sorted */
    size_t unsupported_count;
} rm_batch_inputs_t;

/* The input files of `spec`: a directory's audio files (`recursive`: its
 * tree's; hidden files and directories skipped, symlinked directories not
 * entered), a glob's files (`**` any number of directories), @LIST's
 * paths, or one file. What rmrun wrote is no input: a directory or glob
 * scan does not enter `out_dir` when it is a folder below the scanned one,
 * and skips the files an earlier batch wrote to `out_dir` (the outputs its
 * RM_BATCH_STATE_NAME lists, RM_BATCH_REPORT_NAME) when the outputs go
 * into the scanned folders; one line on stderr says what was skipped.
 * Returns RM_EXIT_* (prints why on failure; none found is
 * RM_EXIT_USAGE). */
int rm_batch_list_inputs(const rm_cli_t *cli, const char *spec, int recursive,
                         const char *out_dir, rm_batch_inputs_t *out);
void rm_batch_inputs_free(rm_batch_inputs_t *inputs);

/* ---- batch_own_files.c ---- */

typedef struct rm_batch_file_id {
    dev_t dev;
    ino_t ino;
} rm_batch_file_id_t;

/* What rmrun wrote to --out: the folder, and the files an earlier batch
 * wrote there (its outputs, as RM_BATCH_STATE_NAME lists them, and
 * RM_BATCH_REPORT_NAME), by device and inode. */
typedef struct rm_batch_own {
    rm_batch_file_id_t out;
    int has_out;              /* --out exists (a folder) */
    rm_batch_file_id_t *ids;  /* the files */
    size_t count, cap;
} rm_batch_own_t;

/* Best effort: what cannot be read (no --out yet, no state, no memory) is
 * not in it. */
void rm_batch_own_load(rm_batch_own_t *own, const char *out_dir);
int rm_batch_own_is_file(const rm_batch_own_t *own, const struct stat *st);
int rm_batch_own_is_out(const rm_batch_own_t *own, const struct stat *st);
void rm_batch_own_free(rm_batch_own_t *own);

/* ---- batch_plan.c ---- */

/* Before any file runs: fails the inputs whose outputs would overwrite an
 * input of the batch (and, with -n, those whose outputs exist), skips
 * (--resume) those the previous report lists as done with the same key;
 * counts the rest into todo. Sets every entry's key. Returns RM_EXIT_OK,
 * RM_EXIT_USAGE when the report or the state would overwrite an input
 * (printed), or RM_EXIT_FAILED when out of memory. */
int rm_batch_plan(rm_batch_t *b);

/* Stats every planned output once (e->planned), for the checks before
 * the workers start; rm_batch_free_output_stats frees them after.
 * RM_EXIT_FAILED when out of memory. */
int rm_batch_stat_outputs(rm_batch_t *b);
void rm_batch_free_output_stats(rm_batch_t *b);
/* One stat of `path` into `st` (exists 0 when it cannot be stat'ed). */
void rm_batch_out_stat(const char *path, rm_batch_out_stat_t *st);

/* Refuses (RM_EXIT_USAGE, printed) two inputs with the same name stem in
 * the same mirrored folder: they would write the same outputs. */
int rm_batch_check_stems(const rm_batch_t *b);

/* ---- batch_report.c ---- */

/* 64-bit FNV-1a of `text`, continuing from `hash` (start: 0). */
uint64_t rm_batch_hash(uint64_t hash, const void *data, size_t size);

/* The --resume key of `e` into `key` and its file id into `file_id` (16
 * hex digits each). The file id: the input's real path, its folder and
 * stem under --out (two spellings of one input are one file; two links
 * write two sets of outputs). The key: the file id, the manifest hash,
 * and the input's size and modification time from `st` (its stat). Both
 * "" when `st` is NULL (the input cannot be stat'ed). With --resume the
 * plan makes every entry's; otherwise the worker that runs a file does. */
void rm_batch_make_key(const rm_batch_t *b, const rm_batch_entry_t *e,
                       const struct stat *st, char key[17], char file_id[17]);

/* The --resume state, kept next to the outputs whatever --report says:
 * {"files": [report entries]} of every input a batch on OUT_DIR saw. */
#define RM_BATCH_STATE_NAME ".rmrun-state.json"
/* The report's name in OUT_DIR unless --report says otherwise. */
#define RM_BATCH_REPORT_NAME "batch-report.json"

/* OUT_DIR's state, or NULL. */
cJSON *rm_batch_load_state(const rm_batch_t *b);

/* Whether `file`, the state's latest entry of e's file id (NULL: none),
 * has e's key, says it was done, and everything it wrote is still there
 * (looked up as this batch names its outputs). */
int rm_batch_previously_done(const cJSON *file, rm_batch_entry_t *e);

/* Writes the report and OUT_DIR's state (call with b->lock held, or when
 * no worker runs). Prints why and returns RM_EXIT_IO on failure. */
int rm_batch_write_report(rm_batch_t *b, double wall);

/* --metrics / --trace: OUT/<subdir>/<stem>.metrics.json / .trace.json of
 * one file's run, and its calls per node for the report's summary. NULL,
 * or why it could not (malloc'ed). */
char *rm_batch_write_diagnostics(const rm_batch_t *b, rm_batch_entry_t *e,
                                 const rm_run_result_t *r);

/* "N files skipped, not audio by extension: a, b, ..." on stderr. */
void rm_batch_print_unsupported(const rm_batch_t *b);

/* The --events line of `e` (JSON; call with b->lock held), then written on stdout under events_lock, so a reader that is slow to
 * empty the pipe never holds up b->lock. Frees `line`. */
char *rm_batch_event_line(const rm_batch_entry_t *e);
void rm_batch_event_write(rm_batch_t *b, char *line);

#endif /* RM_CLI_BATCH_H */
