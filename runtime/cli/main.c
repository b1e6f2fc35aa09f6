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

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rm__cmd_help(const rm_cli_t *cli, int argc, char **argv);
static int rm__cmd_version(const rm_cli_t *cli, int argc, char **argv);

static const rm_cli_command_t rm__command_help = {
    "help", "--help", "[COMMAND]", "show this help, or one command's", NULL,
    0, rm__cmd_help};
static const rm_cli_command_t rm__command_version = {
    "version", "--version", "", "print rmrun's and the plugin ABI's version",
    NULL, 0, rm__cmd_version};

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

static const char rm__help_options[] =
    "\n"
    "Options (anywhere on the command line):\n"
    "  --plugins DIR         search DIR for plugins (*.so); repeatable; these\n"
    "                        directories come first, in the order given\n"
    "  --no-env-plugins      ignore " RM_PLUGIN_PATH_ENV "\n"
    "  --no-default-plugins  do not search the installed plugin directory\n"
    "  --no-python           refuse node types that run Python (a manifest\n"
    "                        naming a Python class runs that code): run\n"
    "                        manifests you do not trust with this\n"
    "  --json                machine-readable JSON on stdout\n"
    "  -v, --verbose         say more (repeatable): searched directories,\n"
    "                        every plugin load failure in full\n"
    "  -q, --quiet           only errors on stderr\n"
    "  -h, --help            this help; `COMMAND --help` for one command\n"
    "  -V, --version         versions of rmrun and of the plugin ABI\n"
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
    "\n"
    "Exit codes:\n"
    "  0  success (inspect: the node type exists)\n"
    "  1  failed: the run failed, or inspect found no such node type\n"
    "  2  usage error: unknown option or command, missing argument\n"
    "  3  the manifest is invalid\n"
    "  4  plugin files failed to load (failures), or a needed plugin\n"
    "  5  an input or output file could not be read or written\n"
    "  6  run: a transient error outlasted the retries; 7 a call timed out;\n"
    "     8 a circuit breaker was open; 9 a run budget was exceeded\n"
    "  130  stopped by Ctrl-C or SIGTERM (outputs in progress removed)\n";

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
        if (command->help) printf("\n%s", command->help);
        return RM_EXIT_OK;
    }
    printf("%s — run and inspect RemoteMedia pipelines and plugins\n\n"
           "Usage:\n",
           cli->program);
    for (size_t i = 0; i < RM__COMMAND_COUNT; i++)
        rm__print_command_usage(stdout, cli->program, rm__commands[i]);
    const char *default_dir = rm_default_plugin_dir();
    printf(rm__help_options, default_dir ? default_dir : "(unknown)");
    for (size_t i = 0; i < RM__COMMAND_COUNT; i++)
        if (rm__commands[i]->help)
            printf("\n%s %s:\n%s", cli->program, rm__commands[i]->name,
                   rm__commands[i]->help);
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

/* Matches "--name VALUE" or "--name=VALUE"; advances *index past a separate
 * value. Returns 1 and sets *value on a match, -1 when the value is
 * missing, 0 when `argv[*index]` is another option. */
static int rm__value_option(const char *name, int argc, char **argv,
                            int *index, const char **value) {
    const char *arg = argv[*index];
    size_t len = strlen(name);
    if (strncmp(arg, name, len) != 0) return 0;
    if (arg[len] == '=') {
        *value = arg + len + 1;
        return **value ? 1 : -1;
    }
    if (arg[len] != '\0') return 0;
    if (*index + 1 >= argc || argv[*index + 1][0] == '\0') return -1;
    *value = argv[++*index];
    return 1;
}

typedef struct rm__parsed {
    const rm_cli_command_t *command;
    const char *command_word; /* how it was named, for conflict messages */
    char **rest;
    int rest_count;
    const char **dirs;
} rm__parsed_t;

/* Returns RM_EXIT_OK, or prints a usage error and returns RM_EXIT_USAGE. */
static int rm__parse(int argc, char **argv, rm_cli_t *cli, rm__parsed_t *p) {
    int positional_only = 0;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (positional_only || arg[0] != '-' || arg[1] == '\0') {
            if (p->command) {
                p->rest[p->rest_count++] = arg;
                continue;
            }
            const rm_cli_command_t *command = rm__command_named(arg);
            if (command) {
                p->command = command;
                p->command_word = arg;
                continue;
            }
            command = rm__path_command();
            if (command) {
                /* `rmrun manifest.json`: the path is the command's first
                 * argument. */
                p->command = command;
                p->command_word = command->name;
                p->rest[p->rest_count++] = arg;
                continue;
            }
            fprintf(stderr, "%s: '%s' is not a command (commands: ",
                    cli->program, arg);
            rm__print_command_names(stderr);
            fprintf(stderr, ")\nTry '%s --help'.\n", cli->program);
            return RM_EXIT_USAGE;
        }
        if (strcmp(arg, "--") == 0) {
            positional_only = 1;
            if (p->command) p->rest[p->rest_count++] = arg;
            continue;
        }
        const char *value = NULL;
        int match = rm__value_option("--plugins", argc, argv, &i, &value);
        if (match < 0)
            return rm__usage_error(cli->program,
                                   "--plugins needs a directory: "
                                   "--plugins DIR");
        if (match > 0) {
            p->dirs[cli->plugin_dir_count++] = value;
            continue;
        }
        if (strcmp(arg, "--no-default-plugins") == 0) {
            cli->use_default = 0;
        } else if (strcmp(arg, "--no-env-plugins") == 0) {
            cli->use_env = 0;
        } else if (strcmp(arg, "--no-python") == 0) {
            cli->no_python = 1;
        } else if (strcmp(arg, "--json") == 0) {
            cli->json = 1;
        } else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
            cli->verbosity = cli->verbosity < 0 ? 1 : cli->verbosity + 1;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            cli->verbosity = -1;
        } else {
            const char *flag = strcmp(arg, "-h") == 0   ? "--help"
                               : strcmp(arg, "-V") == 0 ? "--version"
                                                        : arg;
            const rm_cli_command_t *command = rm__command_flagged(flag);
            if (command && !p->command) {
                p->command = command;
                p->command_word = arg;
            } else if (command && command == &rm__command_help) {
                /* `rmrun inspect --help`: help for that command. */
                p->rest[0] = (char *)p->command->name;
                p->rest_count = 1;
                p->command = command;
                p->command_word = arg;
                return RM_EXIT_OK;
            } else if (command) {
                fprintf(stderr, "%s: %s cannot be combined with '%s'\n"
                        "Try '%s --help'.\n",
                        cli->program, arg, p->command_word, cli->program);
                return RM_EXIT_USAGE;
            } else if (p->command) {
                p->rest[p->rest_count++] = arg; /* the command's option */
            } else {
                return rm__usage_error(
                    cli->program,
                    "unknown option '%s' (options of a command go after "
                    "the command)",
                    arg);
            }
        }
    }
    return RM_EXIT_OK;
}

int main(int argc, char **argv) {
    /* rmrun exits when done: unloading the plugins first would only run
     * their libraries' destructors and turn what those libraries keep for
     * the process's life into leaks in a checker's eyes (libgomp's 8
     * bytes). Set it to 0 to unload anyway. */
    setenv("REMOTEMEDIA_NO_DLCLOSE", "1", 0);
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
