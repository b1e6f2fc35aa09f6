/*
 * main.c — rmrun: global options, and dispatch to one subcommand.
 *
 * Global options may appear anywhere (before or after the command), so
 * `rmrun list --plugins d` and `rmrun --plugins d list` mean the same.
 * Everything else that follows the command is the command's own business.
 * An unknown option *before* the command is an error here, because no
 * command has claimed it yet.
 */
#include "cli.h"
#include "cli_options.h"

#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rm__cmd_help(const rm_cli_t *cli, int argc, char **argv);
static int rm__cmd_version(const rm_cli_t *cli, int argc, char **argv);

static const rm_cli_command_t rm__command_help = {
    "help", "--help", "[COMMAND]", "show this help, or one command's", NULL,
    0, rm__cmd_help, NULL};
static const rm_cli_command_t rm__command_version = {
    "version", "--version", "", "print rmrun's and the plugin ABI's version",
    NULL, 0, rm__cmd_version, NULL};

/* The subcommands, in --help order. Add a command here (and its extern in
 * cli.h); nothing else in this file needs to change. */
static const rm_cli_command_t *const rm__commands[] = {
    &rm_cli_command_run,
    &rm_cli_command_batch,
    &rm_cli_command_launch,
    &rm_cli_command_list,
    &rm_cli_command_inspect,
    &rm_cli_command_failures,
    &rm_cli_command_check_plugin,
    &rm_cli_command_trace,
    &rm_cli_command_serve,
    &rm__command_help,
    &rm__command_version,
};
#define RM__COMMAND_COUNT (sizeof(rm__commands) / sizeof(rm__commands[0]))

static const rm_cli_command_t *rm__command_named(const char *name) {
    for (size_t i = 0; i < RM__COMMAND_COUNT; i++)
        if (strcmp(rm__commands[i]->name, name) == 0) return rm__commands[i];
    return NULL;
}

static const rm_cli_command_t *rm__command_flagged(const char *flag) {
    for (size_t i = 0; i < RM__COMMAND_COUNT; i++)
        if (rm__commands[i]->flag && strcmp(rm__commands[i]->flag, flag) == 0)
            return rm__commands[i];
    return NULL;
}

static const rm_cli_command_t *rm__path_command(void) {
    for (size_t i = 0; i < RM__COMMAND_COUNT; i++)
        if (rm__commands[i]->takes_path) return rm__commands[i];
    return NULL;
}

static void rm__print_command_names(FILE *stream) {
    for (size_t i = 0; i < RM__COMMAND_COUNT; i++)
        fprintf(stream, "%s%s", i ? ", " : "", rm__commands[i]->name);
}

/* ---- help and version --------------------------------------------------- */

static void rm__print_command_usage(FILE *stream, const char *program,
                                    const rm_cli_command_t *command) {
    char synopsis[160];
    if (command->takes_path)
        snprintf(synopsis, sizeof(synopsis), "%s [OPTIONS] %s", program,
                 command->usage);
    else
        snprintf(synopsis, sizeof(synopsis), "%s [OPTIONS] %s%s%s%s%s",
                 program, command->name, command->usage[0] ? " " : "",
                 command->usage, command->flag ? " | " : "",
                 command->flag ? command->flag : "");
    if (strlen(synopsis) > 48) /* keep the summaries in one column */
        fprintf(stream, "  %s\n  %-48s %s\n", synopsis, "", command->summary);
    else
        fprintf(stream, "  %-48s %s\n", synopsis, command->summary);
}

/* The global options, in --help order. main's parser matches them by
 * name (see rm__apply_global). */
static const rm_cli_option_t rm__global_options[] = {
    {"plugins", 0, "DIR", "search DIR for plugins (*.so); repeatable; these\n"
     "directories come first, in the order given"},
    {"no-env-plugins", 0, NULL, "ignore " RM_PLUGIN_PATH_ENV},
    {"no-default-plugins", 0, NULL,
     "do not search the installed plugin directory"},
    {"no-python", 0, NULL, "refuse node types that run Python (a manifest\n"
     "naming a Python class runs that code): run\n"
     "manifests you do not trust with this"},
    {"json", 0, NULL, "machine-readable JSON on stdout"},
    {"verbose", 'v', NULL, "say more (repeatable): searched directories,\n"
     "every plugin load failure in full"},
    {"quiet", 'q', NULL, "only errors on stderr"},
    {"help", 'h', NULL, "this help; `COMMAND --help` for one command"},
    {"version", 'V', NULL, "versions of rmrun and of the plugin ABI"},
};
const rm_cli_options_t rm_cli_global_options =
    RM_CLI_OPTIONS(rm__global_options);

static const char rm__help_search[] =
    "\n"
    "Plugin search order (the first plugin to declare a node type wins):\n"
    "  1. --plugins DIR, in order\n"
    "  2. " RM_PLUGIN_PATH_ENV " (colon-separated; empty elements ignored)\n"
    "  3. the installed default directory:\n"
    "     %s\n";

static const char rm__help_tail[] =
    "\n"
    "Environment:\n"
    "  " RM_PLUGIN_PATH_ENV "  extra plugin directories, colon-separated\n"
    "  REMOTEMEDIA_NO_DLCLOSE=1 keep plugins mapped at exit (valgrind)\n"
    "  " RM_NO_PYTHON_ENV "=1 as --no-python, for every registry\n"
    "  REMOTEMEDIA_SCAN=0    load plugin files in-process, without first\n"
    "                        loading each new one in the scanner child\n"
    "  REMOTEMEDIA_SCAN_TIMEOUT_MS  the scanner's time limit (10000)\n"
    "  REMOTEMEDIA_CACHE_DIR where the scanner's verdicts are cached\n"
    "                        (default $XDG_CACHE_HOME/remotemedia or\n"
    "                        ~/.cache/remotemedia)\n"
    "  REMOTEMEDIA_SCANNER   the scanner executable (default: rm-plugin-scanner\n"
    "                        beside the plugins)\n"
    "  REMOTEMEDIA_LOG_LEVEL error, warn (default), info or debug: plugin logs\n"
    "  REMOTEMEDIA_WORKERS   worker threads for node calls (default: the CPU\n"
    "                        count, at least 4)\n"
    "  REMOTEMEDIA_MAX_ABANDONED  timed-out calls still stuck on workers\n"
    "                        that get a replacement worker (default 4 x\n"
    "                        the workers); past it a timeout fails the run\n"
    "  REMOTEMEDIA_MAX_ITEMS_PER_INPUT, REMOTEMEDIA_MAX_BYTES_PER_INPUT\n"
    "                        run budgets' defaults (1000000 items, 16 GiB\n"
    "                        per item entering a run; exit 9 when exceeded)\n"
    "  REMOTEMEDIA_PYTHON    the python executable of Python nodes (default:\n"
    "                        $VIRTUAL_ENV, the plugins' venv, the build's)\n"
    "  REMOTEMEDIA_LIBPYTHON the libpython to load if it is not found\n"
    "  REMOTEMEDIA_PYTHON_ADAPTER_IMPL  the Python adapter's implementation\n"
    "                        module (default: python-adapter-impl.so above\n"
    "                        the plugin directory; for tests)\n"
    "  REMOTEMEDIA_MAX_READ_BYTES  the most read of a manifest, --input @FILE\n"
    "                        or trace (default 67108864)\n"
    "  REMOTEMEDIA_REMOTE_CHANNEL_POOL=0  a gRPC channel per RemoteNode run\n"
    "                        instead of one kept per process and server\n"
    "  REMOTEMEDIA_ITEM_CACHE_MB=N  freed large item blocks kept for reuse\n"
    "                        (MB per process; default 32, 0: off; rmrun sets\n"
    "                        0 when it keeps freed memory itself, see below)\n"
    "  GLIBC_TUNABLES        with glibc.malloc.mmap_threshold or trim_threshold\n"
    "                        (or MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_),\n"
    "                        those instead of rmrun's own (it keeps freed\n"
    "                        memory for reuse: mmap 32 MB, trim 64 MB)\n"
    "  XDG_CACHE_HOME, HOME  where the scanner cache goes (see above)\n"
    "  VIRTUAL_ENV           the venv whose python runs Python nodes\n"
    "  TMPDIR                check-plugin's scratch directory (default /tmp)\n"
    "  COLUMNS               the terminal width for batch progress\n"
    "\n"
    "Exit codes:\n"
    "  0  success (inspect: the node type exists; failures: every file loaded)\n"
    "  1  failed: the run failed (a permanent node error), or inspect found\n"
    "     no such node type\n"
    "  2  usage error: unknown option or command, missing or extra argument,\n"
    "     a --plugins directory that does not exist\n"
    "  3  the manifest is invalid (every problem is reported)\n"
    "  4  plugin files failed to load (failures), or a needed plugin\n"
    "  5  an input or output file could not be read or written\n"
    "  6  run: a node failed with a transient error that outlasted its retries\n"
    "  7  run: a node call timed out (timeout_ms) and its retries were spent\n"
    "  8  run: a node's circuit breaker was open (EBREAKER)\n"
    "  9  run: a run budget was exceeded (EBUDGET; --max-items-per-input)\n"
    "  130  stopped by Ctrl-C or SIGTERM (outputs in progress removed)\n";

/* A command's options (from its table), then its other help lines. */
static void rm__print_command_help(FILE *stream,
                                   const rm_cli_command_t *command) {
    fputc('\n', stream);
    if (command->options) rm_cli_print_options(stream, command->options);
    if (command->help) fputs(command->help, stream);
}

static int rm__cmd_help(const rm_cli_t *cli, int argc, char **argv) {
    int status = rm_cli_positionals(cli, "help", &argc, argv);
    if (status != RM_EXIT_OK) return status;
    if (argc > 0) {
        const rm_cli_command_t *command = rm__command_named(argv[0]);
        if (!command) {
            fprintf(stderr, "%s: no command named '%s' (commands: ",
                    cli->program, argv[0]);
            rm__print_command_names(stderr);
            fputs(")\n", stderr);
            return RM_EXIT_USAGE;
        }
        printf("Usage:\n");
        rm__print_command_usage(stdout, cli->program, command);
        rm__print_command_help(stdout, command);
        return RM_EXIT_OK;
    }
    printf("%s — run and inspect RemoteMedia pipelines and plugins\n\n"
           "Usage:\n",
           cli->program);
    for (size_t i = 0; i < RM__COMMAND_COUNT; i++)
        rm__print_command_usage(stdout, cli->program, rm__commands[i]);
    printf("\nOptions (anywhere on the command line):\n");
    rm_cli_print_options(stdout, &rm_cli_global_options);
    const char *default_dir = rm_default_plugin_dir();
    printf(rm__help_search, default_dir ? default_dir : "(unknown)");
    for (size_t i = 0; i < RM__COMMAND_COUNT; i++)
        if (rm__commands[i]->help || rm__commands[i]->options) {
            printf("\n%s %s:", cli->program, rm__commands[i]->name);
            rm__print_command_help(stdout, rm__commands[i]);
        }
    fputs(rm__help_tail, stdout);
    return RM_EXIT_OK;
}

static int rm__cmd_version(const rm_cli_t *cli, int argc, char **argv) {
    int status = rm_cli_positionals(cli, "version", &argc, argv);
    if (status != RM_EXIT_OK) return status;
    if (argc > 0) {
        fprintf(stderr, "%s version: takes no arguments, got '%s'\n",
                cli->program, argv[0]);
        return RM_EXIT_USAGE;
    }
    printf("rmrun %s (plugin ABI %d.%d)\n", RM_VERSION, RM_ABI_MAJOR,
           RM_ABI_MINOR);
    return RM_EXIT_OK;
}

/* ---- parsing ------------------------------------------------------------ */

static int rm__usage_error(const char *program, const char *fmt, ...)
    RM_PRINTF_LIKE(2, 3);
static int rm__usage_error(const char *program, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", program);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry '%s --help'.\n", program);
    va_end(ap);
    return RM_EXIT_USAGE;
}

typedef struct rm__parsed {
    const rm_cli_command_t *command;
    const char *command_word; /* how it was named, for conflict messages */
    char **rest;
    int rest_count;
    const char **dirs;
} rm__parsed_t;

/* A word that is not a global option: the command (or, for a path, the
 * path command with the word as its first argument), else the command's. */
static int rm__positional(rm_cli_t *cli, rm__parsed_t *p, char *arg) {
    if (p->command) {
        p->rest[p->rest_count++] = arg;
        return RM_EXIT_OK;
    }
    const rm_cli_command_t *command = rm__command_named(arg);
    if (command) {
        p->command = command;
        p->command_word = arg;
        return RM_EXIT_OK;
    }
    command = rm__path_command();
    if (command) {
        /* `rmrun manifest.json`: the path is the command's first
         * argument. */
        p->command = command;
        p->command_word = command->name;
        p->rest[p->rest_count++] = arg;
        return RM_EXIT_OK;
    }
    fprintf(stderr, "%s: '%s' is not a command (commands: ", cli->program,
            arg);
    rm__print_command_names(stderr);
    fprintf(stderr, ")\nTry '%s --help'.\n", cli->program);
    return RM_EXIT_USAGE;
}

/* A command's flag alias (--list, -h, --version) seen at `arg`. Returns
 * RM_EXIT_OK, RM__PARSED when parsing is over (`COMMAND --help`), or a
 * usage error. */
enum { RM__PARSED = -1 };
static int rm__command_flag(rm_cli_t *cli, rm__parsed_t *p,
                            const rm_cli_command_t *command, char *arg) {
    if (!p->command) {
        p->command = command;
        p->command_word = arg;
        return RM_EXIT_OK;
    }
    if (command == &rm__command_help) {
        /* `rmrun inspect --help`: help for that command. */
        p->rest[0] = (char *)p->command->name;
        p->rest_count = 1;
        p->command = command;
        p->command_word = arg;
        return RM__PARSED;
    }
    fprintf(stderr, "%s: %s cannot be combined with '%s'\nTry '%s --help'.\n",
            cli->program, arg, p->command_word, cli->program);
    return RM_EXIT_USAGE;
}

/* getopt_long's view of the global options (val RM__GLOBAL + index) and
 * of the commands' flag aliases that are no global option (--list,
 * --list-failures: val RM__FLAG + command index). */
enum { RM__GLOBAL = 256, RM__FLAG = 512 };

static struct option *rm__main_longs(void) {
    struct option *longs = calloc(
        rm_cli_global_options.count + RM__COMMAND_COUNT + 1, sizeof(*longs));
    if (!longs) return NULL;
    size_t n = 0;
    for (size_t i = 0; i < rm_cli_global_options.count; i++) {
        const rm_cli_option_t *o = &rm_cli_global_options.items[i];
        longs[n++] = (struct option){
            o->name, o->arg ? required_argument : no_argument, NULL,
            RM__GLOBAL + (int)i};
    }
    for (size_t i = 0; i < RM__COMMAND_COUNT; i++) {
        const char *flag = rm__commands[i]->flag;
        int global = 0;
        for (size_t g = 0; flag && g < rm_cli_global_options.count; g++)
            global |= strcmp(flag + 2, rm_cli_global_options.items[g].name) == 0;
        if (flag && !global)
            longs[n++] = (struct option){flag + 2, no_argument, NULL,
                                         RM__FLAG + (int)i};
    }
    return longs;
}

/* Applies global option `o` (`value` for --plugins); --help and --version
 * go to rm__command_flag (see there for the result). */
static int rm__apply_global(rm_cli_t *cli, rm__parsed_t *p,
                            const rm_cli_option_t *o, const char *value,
                            char *arg) {
    if (strcmp(o->name, "plugins") == 0) {
        p->dirs[cli->plugin_dir_count++] = value;
    } else if (strcmp(o->name, "no-default-plugins") == 0) {
        cli->use_default = 0;
    } else if (strcmp(o->name, "no-env-plugins") == 0) {
        cli->use_env = 0;
    } else if (strcmp(o->name, "no-python") == 0) {
        cli->no_python = 1;
    } else if (strcmp(o->name, "json") == 0) {
        cli->json = 1;
    } else if (strcmp(o->name, "verbose") == 0) {
        cli->verbosity = cli->verbosity < 0 ? 1 : cli->verbosity + 1;
    } else if (strcmp(o->name, "quiet") == 0) {
        cli->verbosity = -1;
    } else {
        char flag[32];
        snprintf(flag, sizeof flag, "--%s", o->name);
        return rm__command_flag(cli, p, rm__command_flagged(flag), arg);
    }
    return RM_EXIT_OK;
}

/* The global option getopt_long returned `c` for (a long one's val, or a
 * short letter); NULL for anything else. */
static const rm_cli_option_t *rm__global_option(int c) {
    if (c >= RM__GLOBAL && c < RM__FLAG)
        return &rm_cli_global_options.items[c - RM__GLOBAL];
    for (size_t i = 0; c != '?' && c != ':' && c < RM__GLOBAL &&
                       i < rm_cli_global_options.count;
         i++)
        if (rm_cli_global_options.items[i].short_name == c)
            return &rm_cli_global_options.items[i];
    return NULL;
}

static int rm__unknown_global(const rm_cli_t *cli, const char *arg) {
    const char *best =
        arg[1] == '-' ? rm_cli_option_suggest(NULL, arg + 2) : NULL;
    if (best)
        return rm__usage_error(cli->program, "unknown option '%s' (did you "
                               "mean '--%s'? options of a command go after "
                               "the command)", arg, best);
    return rm__usage_error(cli->program, "unknown option '%s' (options of a "
                           "command go after the command)", arg);
}

/* The global options, anywhere on the command line, by getopt_long in
 * order ("-": RETURN_IN_ORDER). Every other word, and every option that is
 * not a global one spelt out in full, goes to the command as written, in
 * order (the command parses it with its own table). An unknown option
 * before the command is a usage error. Returns RM_EXIT_OK, or prints a
 * usage error and returns RM_EXIT_USAGE. */
static int rm__parse(int argc, char **argv, rm_cli_t *cli, rm__parsed_t *p) {
    struct option *longs = rm__main_longs();
    if (!longs) return RM_EXIT_FAILED;
    int status = RM_EXIT_OK, forwarded = 0;
    optind = 0; /* a fresh scan (glibc) */
    opterr = 0;
    while (status == RM_EXIT_OK) {
        int at = optind ? optind : 1; /* the word getopt reads now */
        int c = getopt_long(argc, argv, "-:vqhV", longs, NULL);
        if (c == -1) {
            /* The end, or "--": the rest are arguments (the command gets
             * the "--" too, so it takes them as such). */
            int i = optind, dashed = 0;
            /* `rmrun -- -m.json`: after "--" a first word that is no
             * command is the manifest, "--" before it so that the run
             * command does not read it as an option. */
            if (i < argc && !p->command && i > 1 &&
                strcmp(argv[i - 1], "--") == 0 &&
                !rm__command_named(argv[i]) && rm__path_command()) {
                p->command = rm__path_command();
                p->command_word = p->command->name;
                p->rest[p->rest_count++] = "--";
                p->rest[p->rest_count++] = argv[i++];
                dashed = 1;
            }
            if (i < argc && !p->command)
                status = rm__positional(cli, p, argv[i++]);
            if (optind < argc && p->command && !dashed)
                p->rest[p->rest_count++] = "--";
            for (; i < argc && status == RM_EXIT_OK; i++)
                status = rm__positional(cli, p, argv[i]);
            break;
        }
        if (c == 1) {
            status = rm__positional(cli, p, optarg);
            continue;
        }
        const rm_cli_option_t *o = rm__global_option(c);
        const rm_cli_command_t *flagged =
            c >= RM__FLAG ? rm__commands[c - RM__FLAG] : NULL;
        if (flagged && strcmp(argv[at], flagged->flag) == 0) {
            status = rm__command_flag(cli, p, flagged, argv[at]);
        } else if (c == ':' && optopt == RM__GLOBAL) { /* --plugins, first */
            status = rm__usage_error(cli->program, "--plugins needs a "
                                     "directory: --plugins DIR");
        } else if (o && rm_cli_option_spelt(o, argv[at])) {
            status = rm__apply_global(cli, p, o, optarg, argv[at]);
        } else if (p->command) {
            /* The command's option, with any word getopt took as its value
             * (once per word: a cluster like -j4 comes back per letter). */
            int end = optind > at ? optind : at + 1;
            for (int i = at > forwarded ? at : forwarded; i < end; i++)
                p->rest[p->rest_count++] = argv[i];
            forwarded = end;
        } else {
            status = rm__unknown_global(cli, argv[at]);
        }
    }
    free(longs);
    return status == RM__PARSED ? RM_EXIT_OK : status;
}

/* glibc hands freed memory back to the kernel early: blocks above its mmap
 * threshold at once, the top of a heap above its trim threshold. A batch
 * allocates and frees the same few hundred-KB item buffers for every file,
 * so each file faulted those pages in again, and with two workers every
 * hand-back cost a TLB shoot-down on the other core. rmrun is a process
 * that ends when its job does: keep what it frees for reuse (bench/
 * RESULTS.md, #14 re-run 08:12: CPU -15 %, peak RSS 12 -> 14 MB). A
 * user's own mmap/trim thresholds (GLIBC_TUNABLES or MALLOC_*_) win. */
static void rm__keep_freed_memory(void) {
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    const char *tunables = getenv("GLIBC_TUNABLES");
    if ((tunables && (strstr(tunables, "glibc.malloc.mmap_threshold") ||
                      strstr(tunables, "glibc.malloc.trim_threshold"))) ||
        getenv("MALLOC_MMAP_THRESHOLD_") || getenv("MALLOC_TRIM_THRESHOLD_"))
        return;
    /* 32 MB: glibc's largest dynamic mmap threshold on 64-bit (16 MB on
     * 32-bit, where mallopt refuses more and glibc keeps its default). */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    /* glibc now keeps every freed block, the items' too: the runtime's own
     * item block cache (runtime/src/item/block_cache.c, for processes that
     * cannot do this) would only add its lock and rounding (measured +3 %
     * CPU, +2 MB RSS; bench_item_cache.py). A value the user set wins. */
    setenv("REMOTEMEDIA_ITEM_CACHE_MB", "0", 0);
#endif
}

int main(int argc, char **argv) {
    /* rmrun exits when done: unloading the plugins first would only run
     * their libraries' destructors and turn what those libraries keep for
     * the process's life into leaks in a checker's eyes (libgomp's 8
     * bytes). Set it to 0 to unload anyway. */
    setenv("REMOTEMEDIA_NO_DLCLOSE", "1", 0);
    rm__keep_freed_memory();
    rm_cli_t cli = {0};
    cli.use_env = 1;
    cli.use_default = 1;
    cli.program = argc > 0 ? rm_cli_basename(argv[0]) : "rmrun";

    rm__parsed_t parsed = {0};
    parsed.rest = calloc((size_t)argc + 1, sizeof(*parsed.rest));
    parsed.dirs = calloc((size_t)argc + 1, sizeof(*parsed.dirs));
    if (!parsed.rest || !parsed.dirs) {
        fprintf(stderr, "%s: out of memory\n", cli.program);
        free(parsed.rest);
        free(parsed.dirs);
        return RM_EXIT_FAILED;
    }
    cli.plugin_dirs = parsed.dirs;

    int status = rm__parse(argc, argv, &cli, &parsed);
    if (status == RM_EXIT_OK && !parsed.command) {
        fprintf(stderr, "%s: no command given (commands: ", cli.program);
        rm__print_command_names(stderr);
        fprintf(stderr, ")\nTry '%s --help'.\n", cli.program);
        status = RM_EXIT_USAGE;
    }
    if (status == RM_EXIT_OK)
        status = parsed.command->run(&cli, parsed.rest_count, parsed.rest);
    if (fflush(stdout) != 0 && status == RM_EXIT_OK) {
        perror("rmrun: writing to stdout");
        status = RM_EXIT_IO;
    }
    free(parsed.rest);
    free(parsed.dirs);
    return status;
}
