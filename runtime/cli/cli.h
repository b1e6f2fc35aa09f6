/*
 * cli.h — what the rmrun subcommands share (internal to rmrun).
 *
 * main.c parses the global options into an rm_cli_t and dispatches through a
 * table of rm_cli_command_t. Adding a subcommand is: one cmd_<name>.c that
 * defines `const rm_cli_command_t rm_cli_command_<name>`, its extern line
 * below, and one line in the table in main.c. A command whose
 * `takes_path` is set is also chosen when the first positional argument is
 * not a command name (`rmrun manifest.json` means `rmrun run manifest.json`);
 * at most one command may set it.
 */
#ifndef RM_CLI_H
#define RM_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <remotemedia/diag.h>
#include <remotemedia/registry.h>

/* Exit codes, documented in docs/cli.md. Stable: scripts test them. */
enum {
    RM_EXIT_OK = 0,       /* success; for inspect: the type exists          */
    RM_EXIT_FAILED = 1,   /* the run failed; inspect: no such node type     */
    RM_EXIT_USAGE = 2,    /* bad command line (unknown option, missing arg) */
    RM_EXIT_MANIFEST = 3, /* the manifest is invalid (reported in full)     */
    RM_EXIT_PLUGINS = 4,  /* plugin files failed to load (failures), or a
                             node type's plugin could not be loaded          */
    RM_EXIT_IO = 5,       /* an input/output file could not be read/written */
    /* A node failed (run), by error class; 1 is a permanent failure. */
    RM_EXIT_TRANSIENT = 6, /* a transient error outlasted the retries       */
    RM_EXIT_TIMEOUT = 7,  /* a node call timed out (timeout_ms), retries spent */
    RM_EXIT_BREAKER = 8,  /* a node's circuit breaker was open              */
    RM_EXIT_BUDGET = 9,   /* a run budget was exceeded (EBUDGET)            */
    RM_EXIT_INTERRUPTED = 130 /* stopped by Ctrl-C / SIGTERM (128 + SIGINT) */
};

struct rm_run_error;
/* The exit code for a failed run's error: RM_EXIT_BREAKER, _TIMEOUT,
 * _TRANSIENT, RM_EXIT_IO (a permanent RM_EIO: a file could not be read or
 * written) or RM_EXIT_FAILED (any other permanent error). */
int rm_cli_exit_for_error(const struct rm_run_error *error);

/* The global options, valid anywhere on the command line. */
typedef struct rm_cli {
    const char *const *plugin_dirs; /* --plugins DIR, in order given        */
    size_t plugin_dir_count;
    int use_env;            /* 0 with --no-env-plugins                      */
    int use_default;        /* 0 with --no-default-plugins                  */
    int no_python;          /* --no-python                                  */
    int json;               /* --json: machine-readable output on stdout    */
    int verbosity;          /* 0 normal, -1 with -q, +1 per -v              */
    const char *program;    /* argv[0]'s basename, for messages             */
    const char *manifest_text; /* `launch`: the manifest it built; run and
                                  batch use it instead of reading a file  */
    rm_registry_t *registry;   /* `launch`: the registry it opened; run
                                  uses it (and leaves it open) instead of
                                  opening another                         */
} rm_cli_t;

/* What rm_cli_read_file reads at most (default 64 MiB, overridden by the
 * environment variable below); past it the read fails with EFBIG. */
#define RM_CLI_READ_LIMIT_ENV "REMOTEMEDIA_MAX_READ_BYTES"
size_t rm_cli_read_limit(void);
/* strerror(err), except EFBIG, which names the read limit. */
const char *rm_cli_read_error(int err);
/* Why reading `f` stopped, once a read returned short: 0 at the end of
 * the file, else the failed read's errno (EISDIR for a directory, which
 * opens and fails at its first read), EIO when it left none. Set errno to
 * 0 before the read. */
int rm_cli_read_failure(FILE *f);

/* round(x) (halves away from zero) for the reports' numbers, without
 * libm: rmrun then starts without loading it (cli_util.c). */
double rm_cli_round(double x);
/* A whole file ("-" = stdin), NUL-terminated, *len = its size; NULL with
 * errno set on failure (the read's own errno, see rm_cli_read_failure;
 * EFBIG past rm_cli_read_limit). Caller frees. */
char *rm_cli_read_file(const char *path, size_t *len);

/* The manifest run or batch works on: cli->manifest_text when `launch`
 * built one, else the file at `path` (see rm_cli_read_file). */
char *rm_cli_read_manifest(const rm_cli_t *cli, const char *path,
                           size_t *len);

/* Whether JSON `text` (parsed by cJSON without error) holds what cJSON
 * would silently change: an escaped NUL in a string or key, and with
 * `numbers` also a number that overflows a double (1e400). Prints
 * "<program>: <origin>: <JSON path>: <what, line, column>" and returns 1;
 * 0 when clean. */
int rm_cli_json_flawed(const rm_cli_t *cli, const char *origin,
                       const char *text, size_t len, int numbers);

/* The run options every running command takes. Each returns RM_EXIT_OK or
 * prints "<program> <command>: <option> takes ..." and returns
 * RM_EXIT_USAGE. */
int rm_cli_parse_queue_capacity(const rm_cli_t *cli, const char *command,
                                const char *value, uint32_t *out);
int rm_cli_parse_exec(const rm_cli_t *cli, const char *command,
                      const char *value, uint32_t *out);

/* Runs one subcommand. `argc/argv` are what follows the command name with
 * the global options removed (for a takes_path command chosen by a path,
 * argv[0] is that path). Returns an RM_EXIT_* code. */
typedef int (*rm_cli_run_fn)(const rm_cli_t *cli, int argc, char **argv);

typedef struct rm_cli_command {
    const char *name;       /* "list"                                       */
    const char *flag;       /* option alias, "--list", or NULL              */
    const char *usage;      /* arguments after the name, "TYPE"             */
    const char *summary;    /* one line for --help                          */
    const char *help;       /* more lines for --help (options), or NULL     */
    int takes_path;         /* chosen by a positional that is no command    */
    rm_cli_run_fn run;
    /* The command's options (cli_options.h), printed by its --help before
     * `help`; NULL: it takes only the global ones. */
    const struct rm_cli_options *options;
} rm_cli_command_t;

extern const rm_cli_command_t rm_cli_command_list;
extern const rm_cli_command_t rm_cli_command_inspect;
extern const rm_cli_command_t rm_cli_command_failures;
extern const rm_cli_command_t rm_cli_command_check_plugin;
extern const rm_cli_command_t rm_cli_command_run; /* takes_path = 1 */
extern const rm_cli_command_t rm_cli_command_batch;
extern const rm_cli_command_t rm_cli_command_launch;
extern const rm_cli_command_t rm_cli_command_trace;
extern const rm_cli_command_t rm_cli_command_serve;

/* Ctrl-C and SIGTERM (cli_signal.c). rm_cli_interrupts_start installs a
 * handler for SIGINT and SIGTERM (it only notes the signal; no thread
 * blocks them, so processes that nodes start get the default signal mask)
 * and starts a thread on which the n-th signal calls fn(ctx, n, signo),
 * where locking and writing files is allowed. rm_cli_interrupts_stop ends
 * the thread and returns how many signals arrived; the handler stays, so
 * signals after it no longer end the process. One pair at a time per
 * process. */
typedef void (*rm_cli_interrupt_fn)(void *ctx, int count, int signo);
int rm_cli_interrupts_start(rm_cli_interrupt_fn fn, void *ctx);
int rm_cli_interrupts_stop(void);
const char *rm_cli_signal_name(int signo); /* "SIGINT", "SIGTERM" */

/* For an interrupt (cli_fifo.c): each of `paths` (NULL entries skipped)
 * that is a FIFO no process reads is opened for reading by rmrun, and a
 * thread drops what is written to it, so a writer blocked opening it (an
 * AudioFileSink's call, rmrun's --output) goes on and the cancelled run
 * ends. Says so on stderr per FIFO unless quiet. Returns how many. A FIFO
 * that has a reader is left to it, but the write end rmrun opened to ask
 * stays open under `owner` (a batch entry, a run) until
 * rm_cli_fifo_probes_close(owner), called when the owner has finished: a
 * reader still waiting in open() is connected by it and must not see
 * end-of-file before the real writer joins. */
size_t rm_cli_release_fifos(const char *program, const void *owner,
                            const char *const *paths, size_t count,
                            int quiet);
void rm_cli_fifo_probes_close(const void *owner);

/* Manifests from the command line (cli_manifest.c). */
struct cJSON;
/* `--set NODE_ID.PARAM=VALUE`: sets params.PARAM of the node with that id
 * in `manifest`, the value typed by the node type's parameter spec (a
 * bool: true/false/yes/no/1/0; int and float: a number; string and enum:
 * the text as is; JSON or a parameter the type does not declare: JSON if
 * it parses, else the text — the compiler then names what is wrong, with
 * its "did you mean"). Prints why and returns RM_EXIT_USAGE for a bad
 * assignment, an unknown node id (with a did-you-mean) or a value of the
 * wrong type; else RM_EXIT_OK. */
int rm_cli_apply_set(const rm_cli_t *cli, const rm_registry_t *registry,
                     struct cJSON *manifest, const char *manifest_path,
                     const char *assignment);
/* A parameter value from text typed by `spec` (NULL: JSON or a string);
 * prints "<origin>: parameter 'P' is an int, got 'x'" and returns NULL
 * when it does not fit. */
struct cJSON *rm_cli_param_value(const rm_cli_t *cli, const char *origin,
                                 const rm_param_spec_t *spec, const char *text);
/* Roles of parameters (plugin.h: RM_PARAM_INPUT_PATH, _OUTPUT_PATH), read
 * from the registry, so no node type is named here. The name of the first
 * string parameter of manifest node `node`'s type that declares `role`;
 * NULL when it has none or the type is unknown. */
const char *rm_cli_role_param(const rm_registry_t *registry,
                              const struct cJSON *node, uint32_t role);
/* The registry entry of manifest node `node`'s "node_type"; NULL when the
 * registry is NULL, the field is not a string or the type is unknown. */
const rm_registry_entry_t *rm_cli_node_entry(const rm_registry_t *registry,
                                             const struct cJSON *node);
/* The output paths the nodes of `manifest` are given (the values of their
 * RM_PARAM_OUTPUT_PATH parameters), at most `max`; returns how many. The
 * strings belong to `manifest`. */
size_t rm_cli_output_paths(const rm_registry_t *registry,
                           const struct cJSON *manifest, const char **paths,
                           size_t max);
/* The spec of parameter `param` of manifest node `node`'s type; NULL when
 * the type is unknown or has no such parameter. */
const rm_param_spec_t *rm_cli_param_spec(const rm_registry_t *registry,
                                         const struct cJSON *node,
                                         const char *param);
/* The "params" object of manifest node `node`, added when it has none;
 * NULL when its params are not an object (the compiler names that) or out
 * of memory. */
struct cJSON *rm_cli_node_params(struct cJSON *node);
/* Sets params[key] to `value` (taken over), replacing a value it has. */
void rm_cli_set_param(struct cJSON *params, const char *key,
                      struct cJSON *value);

/* `MANIFEST --batch INPUT --out DIR ...` (cmd_batch.c); run hands over to
 * it when its arguments hold --batch. */
int rm_cli_run_batch(const rm_cli_t *cli, int argc, char **argv);

/* Opens the registry the global options describe (--plugins dirs first,
 * then REMOTEMEDIA_PLUGIN_PATH, then the default dir). On failure prints why
 * on stderr and returns an RM_EXIT_* code; RM_EXIT_OK with *out set else. */
int rm_cli_open_registry(const rm_cli_t *cli, rm_registry_t **out);

/* Prints "N plugin files failed to load; see `rmrun failures`" on stderr
 * when there are failures (and not -q); with -v, every reason too. */
void rm_cli_warn_failures(const rm_cli_t *cli, const rm_registry_t *registry);

/* Prints "searched: dir1, dir2" (or "searched: no directories"). */
void rm_cli_print_searched(FILE *stream, const rm_registry_t *registry);

/* The manifest `-` and OPTION @- (--input, --batch) both read stdin: the
 * first would take it all and the other find it empty. RM_EXIT_USAGE,
 * printed; else RM_EXIT_OK. */
int rm_cli_refuse_two_stdin(const rm_cli_t *cli, const char *command,
                            const char *manifest_path, const char *option,
                            const char *value);

/* Whether the folder of output `path` exists, is a folder and may be
 * written: RM_EXIT_OK, else "rmrun: LABEL PATH: cannot write into DIR:
 * WHY (checked WHEN)" and RM_EXIT_IO. For outputs written at the end, so
 * a long run does not lose them there. */
int rm_cli_output_folder_ok(const rm_cli_t *cli, const char *label,
                            const char *path, const char *when);

/* "rmrun: PATH: WHAT (N problems):" and a line per problem, on stderr. */
void rm_cli_print_diag(const rm_cli_t *cli, const char *path,
                       const char *what, const rm_diag_t *diag);

/* "not a plugin", "no entry symbol", ... for a failure kind. */
const char *rm_cli_failure_kind_name(rm_load_failure_kind_t kind);

/* JSON output is built with cJSON, numbers with rm_json_number
 * (plugins/common/json_number.h: the shortest text that reads back). */
/* Writes `text` as a JSON string literal (quotes and escapes included);
 * NULL writes null. */
void rm_cli_json_string(FILE *stream, const char *text);
/* Adds `text` as a string, or null when NULL; the node or NULL. */
struct cJSON *rm_cli_json_add_text(struct cJSON *object, const char *name,
                                   const char *text);
/* Prints `json` indented, a newline, and deletes it. RM_EXIT_OK, or
 * RM_EXIT_FAILED when out of memory (json may be NULL: then too). */
int rm_cli_print_json(FILE *stream, struct cJSON *json);
/* An item as rmrun prints it: a JSON item as its value; audio, tensor and
 * bytes as a summary object ({"kind":"audio","sample_rate":...,"frames":
 * ...,"format":"f32","layout":"planar"}, {"kind":"tensor","dtype":...,
 * "shape":[...]}, {"kind":"bytes","size":N}). NULL when out of memory. */
struct cJSON *rm_cli_item_json(const rm_item_t *item);
/* The same, printed on one line. */
void rm_cli_print_item(FILE *stream, const rm_item_t *item);

/* Capability flags with a short name (JSON, lists) and words (inspect). */
typedef struct rm_cli_capability {
    uint64_t bit;           /* RM_CAP_*                                     */
    const char *name;       /* "streaming"                                  */
    const char *words;      /* "carries state across chunks ..."            */
} rm_cli_capability_t;
extern const rm_cli_capability_t rm_cli_capabilities[];
extern const size_t rm_cli_capability_count;

/* "audio", "tensor", "json", "bytes", "pyobject" or "unknown". */
const char *rm_cli_kind_name(unsigned kind);
/* The kinds of a RM_KIND_BIT mask joined by `separator`; "none" if empty. */
void rm_cli_print_kinds(FILE *stream, uint32_t kinds, const char *separator);

/* The file name part of a path (for tables); the path itself if no '/'. */
const char *rm_cli_basename(const char *path);

/* For commands without options of their own: removes a "--" and keeps only
 * the positional arguments in argv (compacted in place), updating *argc.
 * An option ("-x", "--foo") before a "--" is a usage error naming it and
 * the command (with a "did you mean" among the global options): prints it
 * and returns RM_EXIT_USAGE; else RM_EXIT_OK. */
int rm_cli_positionals(const rm_cli_t *cli, const char *command, int *argc,
                       char **argv);

#endif /* RM_CLI_H */
