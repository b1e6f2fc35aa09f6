/* cli_util.c — the pieces every rmrun subcommand shares. */
#include "cli.h"
#include "cli_options.h"
#include "util/json_util.h"
#include "json_number.h"
#include "safe_output.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

int rm_cli_output_folder_ok(const rm_cli_t *cli, const char *label,
                            const char *path, const char *when) {
    char *dir = rm_cli_dirname(path);
    struct stat st;
    int err = !dir ? ENOMEM : stat(dir, &st) != 0 ? errno
              : !S_ISDIR(st.st_mode) ? ENOTDIR
              : access(dir, W_OK | X_OK) != 0 ? errno : 0;
    if (err)
        fprintf(stderr, "%s: %s %s: cannot write into %s: %s (checked %s)\n",
                cli->program, label, path, dir ? dir : "its folder",
                strerror(err), when);
    free(dir);
    return err ? RM_EXIT_IO : RM_EXIT_OK;
}

int rm_cli_refuse_two_stdin(const rm_cli_t *cli, const char *command,
                            const char *manifest_path, const char *option,
                            const char *value) {
    if (!manifest_path || !value || strcmp(manifest_path, "-") != 0 ||
        strcmp(value, "@-") != 0)
        return RM_EXIT_OK;
    fprintf(stderr, "%s %s: the manifest '-' and %s @- would both read "
            "stdin (the first would take it all); give one of them as a "
            "file\n", cli->program, command, option);
    return RM_EXIT_USAGE;
}

void rm_cli_print_diag(const rm_cli_t *cli, const char *path,
                       const char *what, const rm_diag_t *diag) {
    size_t count = rm_diag_count(diag);
    fprintf(stderr, "%s: %s: %s (%zu problem%s):\n", cli->program, path, what,
            count, count == 1 ? "" : "s");
    for (size_t i = 0; i < count; i++) {
        const rm_diag_entry_t *e = rm_diag_at(diag, i);
        fprintf(stderr, "  %s%s%s\n", e->where ? e->where : "",
                e->where ? ": " : "", e->message);
    }
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
    cJSON *string = text ? cJSON_CreateString(text) : NULL;
    char *printed = string ? cJSON_PrintUnformatted(string) : NULL;
    fputs(printed ? printed : "null", stream);
    free(printed);
    cJSON_Delete(string);
}

cJSON *rm_cli_json_add_text(cJSON *object, const char *name,
                            const char *text) {
    return text ? cJSON_AddStringToObject(object, name, text)
                : cJSON_AddNullToObject(object, name);
}

int rm_cli_print_json(FILE *stream, cJSON *json) {
    char *text = json ? cJSON_Print(json) : NULL;
    cJSON_Delete(json);
    if (!text) return RM_EXIT_FAILED;
    fputs(text, stream);
    fputc('\n', stream);
    free(text);
    return RM_EXIT_OK;
}

static const char *rm__sample_format_name(uint32_t format) {
    switch (format) {
    case RM_SAMPLE_F32: return "f32";
    case RM_SAMPLE_I16: return "i16";
    case RM_SAMPLE_I32: return "i32";
    case RM_SAMPLE_F64: return "f64";
    default: return "unknown";
    }
}

static const char *rm__dtype_name(uint32_t dtype) {
    static const char *const names[] = {"float32", "float64", "int8",
                                        "int16", "int32", "int64", "uint8",
                                        "uint16", "uint32", "uint64", "bool"};
    return dtype < sizeof(names) / sizeof(names[0]) ? names[dtype] : "?";
}

cJSON *rm_cli_item_json(const rm_item_t *item) {
    if (item->kind == RM_KIND_JSON)
        return cJSON_CreateRaw(item->size ? (const char *)item->data : "null");
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "kind", rm_cli_kind_name(item->kind));
    if (item->kind == RM_KIND_AUDIO) {
        rm_json_add_number(o, "sample_rate", item->audio.sample_rate);
        rm_json_add_number(o, "channels", item->audio.channels);
        rm_json_add_number(o, "frames", (double)item->audio.frames);
        cJSON_AddStringToObject(
            o, "format", rm__sample_format_name(item->audio.sample_format));
        cJSON_AddStringToObject(o, "layout",
                                item->audio.layout == RM_LAYOUT_PLANAR
                                    ? "planar"
                                    : "interleaved");
    } else if (item->kind == RM_KIND_TENSOR) {
        cJSON_AddStringToObject(o, "dtype", rm__dtype_name(item->tensor.dtype));
        cJSON *shape = cJSON_AddArrayToObject(o, "shape");
        for (unsigned d = 0; shape && d < item->tensor.ndim; d++)
            cJSON_AddItemToArray(shape,
                                 rm_json_number((double)item->tensor.shape[d]));
    } else {
        rm_json_add_number(o, "size", (double)item->size);
    }
    return o;
}

void rm_cli_print_item(FILE *stream, const rm_item_t *item) {
    cJSON *json = rm_cli_item_json(item);
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    fputs(text ? text : "null", stream);
    free(text);
    cJSON_Delete(json);
}

int rm_cli_positionals(const rm_cli_t *cli, const char *command, int *argc,
                       char **argv) {
    static const rm_cli_options_t none = {NULL, 0};
    return rm_cli_parse_options(cli, command, &none, argc, argv, NULL, NULL);
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
    {RM_CAP_SPEECH_SEGMENTS, "speech-segments",
     "emits speech segments on output port 0 (rmrun --batch --segments)"},
    {RM_CAP_PASS_THROUGH, "pass-through",
     "emits each input item unchanged on output port 0"},
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
    /* A node that could not read or write its file. */
    if (error->status == RM_EIO) return RM_EXIT_IO;
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

/* The most rm_cli_read_file reads: manifests, --input files and reports
 * are small; /dev/zero or a wrong path to a video must not fill memory. */
#define RM_CLI_READ_LIMIT_DEFAULT ((size_t)64 << 20)

size_t rm_cli_read_limit(void) {
    const char *text = getenv(RM_CLI_READ_LIMIT_ENV);
    char *end = NULL;
    unsigned long long n = text && *text ? strtoull(text, &end, 10) : 0;
    if (!text || !*text || *end || n == 0 || n > SIZE_MAX / 2)
        return RM_CLI_READ_LIMIT_DEFAULT;
    return (size_t)n;
}

const char *rm_cli_read_error(int err) {
    static char message[160];
    if (err != EFBIG) return strerror(err);
    snprintf(message, sizeof message,
             "larger than %zu bytes (the limit; " RM_CLI_READ_LIMIT_ENV
             " raises it)", rm_cli_read_limit());
    return message;
}

double rm_cli_round(double x) {
    double a = x < 0 ? -x : x;
    if (!(a < 4503599627370496.0)) return x; /* 2^52: whole already; inf, NaN */
    double whole = (double)(long long)a;     /* exact below 2^52 */
    if (a - whole >= 0.5) whole += 1.0;      /* a - whole is exact too */
    return __builtin_copysign(whole, x); /* -0.3 and -0.0 give -0.0 */
}

int rm_cli_read_failure(FILE *f) {
    if (!ferror(f)) return 0;
    return errno ? errno : EIO;
}

char *rm_cli_read_file(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) return NULL;
    size_t limit = rm_cli_read_limit();
    size_t capacity = 4096, used = 0;
    int err = 0;
    char *data = malloc(capacity);
    if (!data) err = ENOMEM;
    while (!err) {
        if (used + 1 >= capacity) {
            char *grown = realloc(data, capacity *= 2);
            if (!grown) {
                err = ENOMEM;
                break;
            }
            data = grown;
        }
        size_t want = capacity - used - 1;
        errno = 0;
        size_t n = fread(data + used, 1, want, f);
        used += n;
        if (used > limit) {
            err = EFBIG;
        } else if (n < want) { /* the end of the file, or a failed read */
            err = rm_cli_read_failure(f);
            break;
        }
    }
    if (f != stdin) fclose(f);
    if (err) {
        free(data);
        errno = err;
        return NULL;
    }
    data[used] = '\0';
    *len = used;
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
