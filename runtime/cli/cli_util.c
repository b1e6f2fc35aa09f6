/* cli_util.c — the pieces every rmrun subcommand shares. */
#include "cli.h"
#include "util/json_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <remotemedia/pipeline.h>

const char *rm_cli_basename(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

int rm_cli_open_registry(const rm_cli_t *cli, rm_registry_t **out) {
    *out = NULL;
    /* A --plugins directory that is not there is almost always a typo;
     * silently finding nothing would send the user hunting elsewhere. */
    for (size_t i = 0; i < cli->plugin_dir_count; i++) {
        struct stat info;
        const char *dir = cli->plugin_dirs[i];
        int missing = stat(dir, &info) != 0;
        if (missing || !S_ISDIR(info.st_mode)) {
            fprintf(stderr, "%s: --plugins %s: %s; give a directory that "
                    "holds plugin .so files\n",
                    cli->program, dir,
                    missing ? strerror(errno) : "not a directory");
            return RM_EXIT_USAGE;
        }
    }
    rm_registry_options_t options = {0};
    options.struct_size = sizeof(options);
    options.dirs = cli->plugin_dirs;
    options.dir_count = cli->plugin_dir_count;
    options.use_env = cli->use_env;
    options.use_default = cli->use_default;
    options.flags = cli->no_python ? RM_REGISTRY_NO_PYTHON : 0;
    int status = rm_registry_open(&options, out);
    if (status != RM_OK) {
        fprintf(stderr, "%s: cannot open the plugin registry: %s\n",
                cli->program, rm_strerror(status));
        return RM_EXIT_FAILED;
    }
    if (cli->verbosity > 0) {
        fprintf(stderr, "%s: ", cli->program);
        rm_cli_print_searched(stderr, *out);
        fputc('\n', stderr);
    }
    return RM_EXIT_OK;
}

void rm_cli_print_searched(FILE *stream, const rm_registry_t *registry) {
    size_t count = rm_registry_dir_count(registry);
    if (count == 0) {
        fputs("searched: no directories (give --plugins DIR or set "
              RM_PLUGIN_PATH_ENV ")",
              stream);
        return;
    }
    fputs("searched: ", stream);
    for (size_t i = 0; i < count; i++)
        fprintf(stream, "%s%s", i ? ", " : "", rm_registry_dir_at(registry, i));
}

const char *rm_cli_failure_kind_name(rm_load_failure_kind_t kind) {
    switch (kind) {
    case RM_LOAD_NOT_A_PLUGIN: return "not a plugin";
    case RM_LOAD_NO_ENTRY: return "no entry symbol";
    case RM_LOAD_BAD_ABI: return "unsupported ABI";
    case RM_LOAD_BAD_DESCRIPTOR: return "bad descriptor";
    case RM_LOAD_DUPLICATE_TYPE: return "duplicate node type";
    case RM_LOAD_CRASHED: return "crashed while loading";
    }
    return "unknown";
}

void rm_cli_warn_failures(const rm_cli_t *cli, const rm_registry_t *registry) {
    size_t count = rm_registry_failure_count(registry);
    if (count == 0 || cli->verbosity < 0) return;
    if (cli->verbosity > 0)
        for (size_t i = 0; i < count; i++) {
            const rm_load_failure_t *failure =
                rm_registry_failure_at(registry, i);
            fprintf(stderr, "%s: %s: %s\n", cli->program,
                    rm_cli_failure_kind_name(failure->kind), failure->reason);
        }
    fprintf(stderr, "%s: %zu plugin file%s failed to load; see `%s failures`\n",
            cli->program, count, count == 1 ? "" : "s", cli->program);
}

void rm_cli_json_string(FILE *stream, const char *text) {
    if (!text) {
        fputs("null", stream);
        return;
    }
    fputc('"', stream);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        switch (*c) {
        case '"': fputs("\\\"", stream); break;
        case '\\': fputs("\\\\", stream); break;
        case '\n': fputs("\\n", stream); break;
        case '\r': fputs("\\r", stream); break;
        case '\t': fputs("\\t", stream); break;
        default:
            if (*c < 0x20)
                fprintf(stream, "\\u%04x", *c);
            else
                fputc(*c, stream);
        }
    }
    fputc('"', stream);
}

int rm_cli_positionals(const rm_cli_t *cli, const char *command, int *argc,
                       char **argv) {
    int options_done = 0, kept = 0;
    for (int i = 0; i < *argc; i++) {
        if (!options_done && strcmp(argv[i], "--") == 0) {
            options_done = 1;
            continue;
        }
        if (!options_done && argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr,
                    "%s %s: unknown option '%s' (this command takes only "
                    "the global options; see '%s help %s')\n",
                    cli->program, command, argv[i], cli->program, command);
            return RM_EXIT_USAGE;
        }
        argv[kept++] = argv[i];
    }
    *argc = kept;
    return RM_EXIT_OK;
}

const rm_cli_capability_t rm_cli_capabilities[] = {
    {RM_CAP_STATEFUL, "stateful", "keeps state between items"},
    {RM_CAP_STREAMING, "streaming",
     "carries state across chunks and may emit a tail at end of stream"},
    {RM_CAP_SOURCE, "source", "produces items itself (no input needed)"},
    {RM_CAP_NEEDS_PYTHON, "needs-python",
     "runs Python code (needs the interpreter, takes the GIL)"},
    {RM_CAP_CONCURRENT, "concurrent",
     "one instance may process several items at once"},
    {RM_CAP_IN_PLACE, "in-place", "may modify its input instead of copying"},
};
const size_t rm_cli_capability_count =
    sizeof(rm_cli_capabilities) / sizeof(rm_cli_capabilities[0]);

const char *rm_cli_kind_name(unsigned kind) {
    switch (kind) {
    case RM_KIND_AUDIO: return "audio";
    case RM_KIND_TENSOR: return "tensor";
    case RM_KIND_JSON: return "json";
    case RM_KIND_BYTES: return "bytes";
    case RM_KIND_PYOBJECT: return "pyobject";
    default: return "unknown";
    }
}

void rm_cli_print_kinds(FILE *stream, uint32_t kinds, const char *separator) {
    int first = 1;
    for (unsigned kind = RM_KIND_AUDIO; kind <= RM_KIND_PYOBJECT; kind++)
        if (kinds & RM_KIND_BIT(kind)) {
            fprintf(stream, "%s%s", first ? "" : separator,
                    rm_cli_kind_name(kind));
            first = 0;
        }
    if (first) fputs("none", stream);
}

int rm_cli_exit_for_error(const rm_run_error_t *error) {
    if (!error) return RM_EXIT_OK;
    if (error->status == RM_EBREAKER) return RM_EXIT_BREAKER;
    if (error->status == RM_ETIMEDOUT) return RM_EXIT_TIMEOUT;
    if (error->status == RM_EBUDGET) return RM_EXIT_BUDGET;
    if (error->transient) return RM_EXIT_TRANSIENT;
    return RM_EXIT_FAILED;
}

char *rm_cli_read_manifest(const rm_cli_t *cli, const char *path,
                           size_t *len) {
    if (!cli->manifest_text) return rm_cli_read_file(path, len);
    *len = strlen(cli->manifest_text);
    char *copy = malloc(*len + 1);
    if (copy) memcpy(copy, cli->manifest_text, *len + 1);
    else errno = ENOMEM;
    return copy;
}

char *rm_cli_read_file(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) return NULL;
    size_t capacity = 4096, used = 0;
    char *data = malloc(capacity);
    while (data) {
        if (used + 1 >= capacity) {
            char *grown = realloc(data, capacity *= 2);
            if (!grown) {
                free(data);
                data = NULL;
                errno = ENOMEM;
                break;
            }
            data = grown;
        }
        size_t n = fread(data + used, 1, capacity - used - 1, f);
        used += n;
        if (n == 0) {
            if (ferror(f)) {
                free(data);
                data = NULL;
                errno = EIO;
            }
            break;
        }
    }
    if (f != stdin) fclose(f);
    if (data) {
        data[used] = '\0';
        *len = used;
    }
    return data;
}

int rm_cli_parse_queue_capacity(const rm_cli_t *cli, const char *command,
                                const char *value, uint32_t *out) {
    char *end = NULL;
    long n = strtol(value, &end, 10);
    if (end == value || *end || n < 1 || n > 1000000) {
        fprintf(stderr, "%s %s: --queue-capacity takes a whole number from 1 "
                "to 1000000, got '%s'\n", cli->program, command, value);
        return RM_EXIT_USAGE;
    }
    *out = (uint32_t)n;
    return RM_EXIT_OK;
}

int rm_cli_parse_exec(const rm_cli_t *cli, const char *command,
                      const char *value, uint32_t *out) {
    static const char *const names[] = {"auto", "pool", "inline"};
    static const uint32_t policies[] = {RM_EXEC_AUTO, RM_EXEC_POOL,
                                        RM_EXEC_INLINE};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(value, names[i]) == 0) {
            *out = policies[i];
            return RM_EXIT_OK;
        }
    }
    fprintf(stderr, "%s %s: --exec takes auto, pool or inline, got '%s'\n",
            cli->program, command, value);
    return RM_EXIT_USAGE;
}

int rm_cli_json_flawed(const rm_cli_t *cli, const char *origin,
                       const char *text, size_t len, int numbers) {
    rm_strbuf_t where, message;
    rm__sb_init(&where);
    rm__sb_init(&message);
    int found = rm__json_find_flaw(
        text, len, RM_JSON_FLAW_NUL | (numbers ? RM_JSON_FLAW_OVERFLOW : 0u),
        &where, &message);
    if (found)
        fprintf(stderr, "%s: %s: %s: %s\n", cli->program, origin,
                where.s ? where.s : "$",
                message.s ? message.s : "a value JSON readers would change");
    rm__sb_free(&where);
    rm__sb_free(&message);
    return found;
}
