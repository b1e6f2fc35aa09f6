/* cli_options.c — see cli_options.h. */
#include "cli_options.h"
#include "util/json_util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

int rm_cli_option_spelt(const rm_cli_option_t *option, const char *arg) {
    if (arg[0] != '-') return 0;
    if (arg[1] != '-') return option->short_name && arg[1] == option->short_name;
    size_t len = strlen(option->name);
    return strncmp(arg + 2, option->name, len) == 0 &&
           (arg[2 + len] == '\0' || arg[2 + len] == '=');
}

const char *rm_cli_option_suggest(const rm_cli_options_t *options,
                                  const char *word) {
    char name[128];
    size_t len = strcspn(word, "=");
    if (len >= sizeof name) return NULL;
    memcpy(name, word, len);
    name[len] = '\0';
    rm_suggest_t suggest;
    rm__suggest_init(&suggest, name);
    for (size_t i = 0; options && i < options->count; i++)
        rm__suggest_offer(&suggest, options->items[i].name);
    for (size_t i = 0; i < rm_cli_global_options.count; i++)
        rm__suggest_offer(&suggest, rm_cli_global_options.items[i].name);
    return suggest.best;
}

/* getopt_long's tables for `options`: struct option[] (val = index + 256)
 * and the short-option string (":" first: a missing value returns ':'). */
static int rm__getopt_tables(const rm_cli_options_t *options,
                             struct option **longs, char **shorts) {
    *longs = calloc(options->count + 1, sizeof(**longs));
    *shorts = calloc(2 * options->count + 3, 1);
    if (!*longs || !*shorts) return -1;
    char *s = *shorts;
    *s++ = ':';
    for (size_t i = 0; i < options->count; i++) {
        const rm_cli_option_t *o = &options->items[i];
        (*longs)[i] = (struct option){o->name,
                                      o->arg ? required_argument : no_argument,
                                      NULL, (int)i + 256};
        if (o->short_name) {
            *s++ = o->short_name;
            if (o->arg) *s++ = ':';
        }
    }
    return 0;
}

static const rm_cli_option_t *rm__by_short(const rm_cli_options_t *options,
                                           int c) {
    for (size_t i = 0; i < options->count; i++)
        if (options->items[i].short_name == c) return &options->items[i];
    return NULL;
}

static int rm__unknown(const rm_cli_t *cli, const char *command,
                       const rm_cli_options_t *options, const char *word) {
    const char *best =
        word[1] == '-' ? rm_cli_option_suggest(options, word + 2) : NULL;
    fprintf(stderr, "%s %s: unknown option '%s'", cli->program, command, word);
    if (best) fprintf(stderr, " (did you mean '--%s'?)", best);
    fprintf(stderr, "; see '%s help %s'\n", cli->program, command);
    return RM_EXIT_USAGE;
}

static void rm__option_label(char *out, size_t size,
                             const rm_cli_option_t *o) {
    snprintf(out, size, "--%s %s", o->name, o->arg ? o->arg : "");
}

int rm_cli_parse_options(const rm_cli_t *cli, const char *command,
                         const rm_cli_options_t *options, int *argc,
                         char **argv, rm_cli_option_fn on_option, void *ctx) {
    /* getopt wants the program name first. */
    char **args = calloc((size_t)*argc + 2, sizeof(*args));
    struct option *longs = NULL;
    char *shorts = NULL;
    if (!args || rm__getopt_tables(options, &longs, &shorts) != 0) {
        free(args);
        free(longs);
        free(shorts);
        fprintf(stderr, "%s: out of memory\n", cli->program);
        return RM_EXIT_FAILED;
    }
    args[0] = (char *)cli->program;
    memcpy(args + 1, argv, (size_t)*argc * sizeof(*args));
    int count = *argc + 1, status = RM_EXIT_OK;
    optind = 0; /* a fresh scan (glibc) */
    opterr = 0;
    for (;;) {
        int index = -1;
        int c = getopt_long(count, args, shorts, longs, &index);
        if (c == -1) break;
        const rm_cli_option_t *o =
            c >= 256 ? &options->items[c - 256] : rm__by_short(options, c);
        if (c == '?' || c == ':') {
            /* The word: a long option is the element before optind; a
             * short one is named by optopt. */
            char word[8];
            const char *text = args[optind - 1];
            if (optopt && optopt < 256) {
                o = c == ':' ? rm__by_short(options, optopt) : NULL;
                snprintf(word, sizeof word, "-%c", optopt);
                text = word;
            } else if (optopt >= 256) {
                o = &options->items[optopt - 256];
            }
            if (c == '?' || !o) {
                status = rm__unknown(cli, command, options, text);
                break;
            }
        } else if (c >= 256) {
            /* getopt_long takes unambiguous abbreviations; rmrun does not. */
            const char *text = args[optind - 1];
            if (o->arg && optarg == text && optind >= 2) text = args[optind - 2];
            if (!rm_cli_option_spelt(o, text)) {
                status = rm__unknown(cli, command, options, text);
                break;
            }
        }
        if (!o) {
            status = rm__unknown(cli, command, options, args[optind - 1]);
            break;
        }
        if (o->arg && (c == ':' || !optarg || !*optarg)) {
            char label[96];
            rm__option_label(label, sizeof label, o);
            fprintf(stderr, "%s %s: --%s needs a value: %s\n", cli->program,
                    command, o->name, label);
            status = RM_EXIT_USAGE;
            break;
        }
        status = on_option ? on_option(ctx, o, o->arg ? optarg : NULL)
                           : RM_EXIT_OK;
        if (status != RM_EXIT_OK) break;
    }
    if (status == RM_EXIT_OK) {
        *argc = count - optind;
        memmove(argv, args + optind, (size_t)*argc * sizeof(*argv));
    }
    free(args);
    free(longs);
    free(shorts);
    return status;
}

void rm_cli_print_options(FILE *stream, const rm_cli_options_t *options) {
    for (size_t i = 0; i < options->count; i++) {
        const rm_cli_option_t *o = &options->items[i];
        char label[96];
        int n = o->short_name
                    ? snprintf(label, sizeof label, "-%c, --%s%s%s",
                               o->short_name, o->name, o->arg ? " " : "",
                               o->arg ? o->arg : "")
                    : snprintf(label, sizeof label, "--%s%s%s", o->name,
                               o->arg ? " " : "", o->arg ? o->arg : "");
        const char *help = o->help ? o->help : "";
        /* The label in 22 columns, else on a line of its own. */
        if (n <= 20)
            fprintf(stream, "  %-22s", label);
        else
            fprintf(stream, "  %s\n  %-22s", label, "");
        for (const char *line = help;;) {
            size_t len = strcspn(line, "\n");
            fprintf(stream, "%.*s\n", (int)len, line);
            if (!line[len]) break;
            line += len + 1;
            fprintf(stream, "  %-22s", "");
        }
    }
}
