/*
 * cli_options.h — rmrun's option tables (internal to rmrun).
 *
 * Every command declares its options once, as a table of rm_cli_option_t;
 * the same table drives the parser (glibc's getopt_long), the command's
 * --help and the usage errors, so they cannot disagree (and a test checks
 * that docs/cli.md names every option of every table: `rmrun help CMD`
 * prints them). Long options must be spelt out in full (getopt_long's
 * abbreviations are refused, so adding an option never changes what an
 * existing command line means); a misspelt one gets a "did you mean".
 */
#ifndef RM_CLI_OPTIONS_H
#define RM_CLI_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "cli.h"

typedef struct rm_cli_option {
    const char *name;  /* the long name without "--": "input"             */
    char short_name;   /* 'n' for -n, or 0                                */
    const char *arg;   /* the value in help ("JSON|@FILE"); NULL: a flag  */
    const char *help;  /* for --help; '\n' starts a continuation line     */
} rm_cli_option_t;

typedef struct rm_cli_options {
    const rm_cli_option_t *items;
    size_t count;
} rm_cli_options_t;

#define RM_CLI_OPTIONS(table) \
    { (table), sizeof(table) / sizeof((table)[0]) }

/* rmrun's global options (main.c), valid anywhere on the command line. */
extern const rm_cli_options_t rm_cli_global_options;
/* The options of run (cmd_run.c) and batch (cmd_batch.c), which launch
 * hands on. */
extern const rm_cli_options_t *const rm_cli_run_options;
extern const rm_cli_options_t *const rm_cli_batch_options;

/* Called per option found, in command-line order: `option` is its entry in
 * the table, `value` its value (NULL for a flag). Returns RM_EXIT_OK, or
 * an exit code that stops the parse (after printing why). */
typedef int (*rm_cli_option_fn)(void *ctx, const rm_cli_option_t *option,
                                 const char *value);

/* Parses the arguments of `command` (what follows the command word, global
 * options removed) against `options` with getopt_long, permuting: options
 * and positionals may be mixed; "--" ends the options. Calls `on_option`
 * per option; leaves the positionals in argv[0..*argc). Prints usage errors
 * (unknown option, with the closest option of the command or a global one;
 * a missing or empty value) and returns RM_EXIT_USAGE; else RM_EXIT_OK or
 * what `on_option` returned. */
int rm_cli_parse_options(const rm_cli_t *cli, const char *command,
                         const rm_cli_options_t *options, int *argc,
                         char **argv, rm_cli_option_fn on_option, void *ctx);

/* Whether `arg` (a command-line word) is `option` spelt out in full:
 * "--name", "--name=VALUE", or "-c..." for its short name. */
int rm_cli_option_spelt(const rm_cli_option_t *option, const char *arg);

/* The closest long option name to `word` ("--inptu" -> "input") among
 * `options` and the global options; NULL when none is close. */
const char *rm_cli_option_suggest(const rm_cli_options_t *options,
                                  const char *word);

/* Prints the options as help lines: "  -n, --name ARG      help". */
void rm_cli_print_options(FILE *stream, const rm_cli_options_t *options);

#endif /* RM_CLI_OPTIONS_H */
