/*
 * cmd_check_plugin.c — `rmrun check-plugin FILE...`: does a plugin follow
 * the ABI? A conformance checker for plugin authors.
 *
 * Isolation. rmrun itself never loads the plugin: each FILE is checked in
 * a forked child, and each test case of each node type in a grandchild
 * forked from that child (which has the plugin loaded but has run nothing,
 * so it is still single-threaded and safe to fork). A crash, an abort or a
 * hang (alarm) ends only the process it happened in; the process above
 * reports the signal and the stage reached, and carries on with the next
 * case. Grandchildren report through a pipe, one line per finding:
 *   "S <stage>"   entering a stage (so a crash can be placed)
 *   "P <text>"    a problem (the plugin breaks the ABI contract)
 *   "R <text>"    the node rejected the input with a proper error
 *   "N <text>"    a note
 *
 * What is checked, per file:
 *   - exported symbols: the ELF dynamic symbol table must define
 *     rm_plugin_entry and nothing else (hidden visibility + version script);
 *   - load: dlopen, entry point, ABI version gate and descriptor/param-spec
 *     validation, exactly as the registry does it (a one-file registry over
 *     a symlink in a temporary directory; plugin_check.c does the checking);
 *   - per node type, through the runtime's real pipeline API (a one-node
 *     manifest compiled and run, so the plugin gets the real host):
 *     create with default params (required params come from --param, or
 *     the type is skipped), then process/flush/destroy on: no input, empty,
 *     1-frame and odd-sized (1001 frames x 3 channels, both layouts) audio
 *     in every sample format, a small JSON item, tensor and bytes items —
 *     whichever the first input port accepts; sources generate until they
 *     say finished. Problems: crashes and hangs, failures without an error
 *     message or with a positive status, emitting NULL or to a port that
 *     does not exist, output items that are malformed or of an undeclared
 *     kind, item references still alive after destroy and host->alloc
 *     blocks never freed (leaks).
 * Rejecting an input with a proper error (EKIND "takes f32 audio") is fine.
 */
#include "cli.h"
#include "cli_options.h"

#include <cjson/cJSON.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <remotemedia/runtime.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/contract.h"
#include "item/item.h" /* rm__item_track_live, rm_live_item_count */

#define RM__CHECK_DEFAULT_TIMEOUT 10
#define RM__CHECK_ODD_FRAMES 1001
#define RM__CHECK_ODD_CHANNELS 3
#define RM__CHECK_RATE 16000
/* A case using more resident memory than this is stopped. */
#define RM__CHECK_MEMORY_LIMIT (1024 << 20)

typedef struct rm__check_param {
    const char *type;  /* node type name (points into argv)               */
    size_t type_len;
    const char *name;  /* parameter name                                   */
    size_t name_len;
    const char *value; /* JSON text, or a bare string                      */
} rm__check_param_t;

typedef struct rm__check_opts {
    const rm_cli_t *cli;
    rm__check_param_t *params;
    size_t param_count;
    unsigned timeout; /* seconds per case                               */
} rm__check_opts_t;

/* ---- reporting (in the per-file child) ---------------------------------- */

typedef struct rm__check_file {
    const rm__check_opts_t *opts;
    int problems;
} rm__check_file_t;

static void rm__problem(rm__check_file_t *file, const char *what,
                        const char *fmt, ...) RM_PRINTF_LIKE(3, 4);
static void rm__problem(rm__check_file_t *file, const char *what,
                        const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("  PROBLEM %s: ", what);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    file->problems++;
}

static const char *rm__signal_name(int sig) {
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (invalid memory access)";
    case SIGBUS: return "SIGBUS (invalid memory access)";
    case SIGABRT: return "SIGABRT (abort, failed assertion or heap corruption)";
    case SIGFPE: return "SIGFPE (arithmetic error, e.g. integer division by zero)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGKILL: return "SIGKILL";
    default: return strsignal(sig);
    }
}

/* ---- exported symbols --------------------------------------------------- */

/* Lists the symbols the ELF file's .dynsym defines with global or weak
 * binding, other than the entry. Returns 1 when the check could run. */
static int rm__check_symbols(rm__check_file_t *file, const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rm__problem(file, "symbols", "cannot open %s: %s", path,
                    strerror(errno));
        return 0;
    }
    struct stat info;
    if (fstat(fd, &info) != 0 || info.st_size < (off_t)sizeof(Elf64_Ehdr)) {
        close(fd);
        printf("  symbols     not checked (not an ELF file)\n");
        return 0;
    }
    size_t size = (size_t)info.st_size;
    const unsigned char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        printf("  symbols     not checked (cannot map the file)\n");
        return 0;
    }
    const Elf64_Ehdr *ehdr = (const Elf64_Ehdr *)map;
    if (memcmp(ehdr->e_ident, ELFMAG, SELFMAG) != 0 ||
        ehdr->e_ident[EI_CLASS] != ELFCLASS64 ||
        ehdr->e_shentsize != sizeof(Elf64_Shdr) ||
        ehdr->e_shoff > size ||
        (size - ehdr->e_shoff) / sizeof(Elf64_Shdr) < ehdr->e_shnum) {
        munmap((void *)map, size);
        printf("  symbols     not checked (not a 64-bit ELF shared object)\n");
        return 0;
    }
    const Elf64_Shdr *sections = (const Elf64_Shdr *)(map + ehdr->e_shoff);
    int has_entry = 0, extra = 0;
    char listed[512] = "";
    for (unsigned s = 0; s < ehdr->e_shnum; s++) {
        const Elf64_Shdr *sh = &sections[s];
        if (sh->sh_type != SHT_DYNSYM || sh->sh_link >= ehdr->e_shnum ||
            sh->sh_entsize != sizeof(Elf64_Sym) || sh->sh_offset > size ||
            sh->sh_size > size - sh->sh_offset)
            continue;
        const Elf64_Shdr *strtab = &sections[sh->sh_link];
        if (strtab->sh_offset > size || strtab->sh_size > size - strtab->sh_offset)
            continue;
        const char *names = (const char *)map + strtab->sh_offset;
        const Elf64_Sym *syms = (const Elf64_Sym *)(map + sh->sh_offset);
        size_t count = sh->sh_size / sizeof(Elf64_Sym);
        for (size_t i = 1; i < count; i++) {
            const Elf64_Sym *sym = &syms[i];
            unsigned bind = ELF64_ST_BIND(sym->st_info);
            unsigned type = ELF64_ST_TYPE(sym->st_info);
            if (sym->st_shndx == SHN_UNDEF) continue;
            if (bind != STB_GLOBAL && bind != STB_WEAK &&
                bind != STB_GNU_UNIQUE)
                continue;
            if (type == STT_SECTION || type == STT_FILE) continue;
            if (ELF64_ST_VISIBILITY(sym->st_other) == STV_HIDDEN ||
                ELF64_ST_VISIBILITY(sym->st_other) == STV_INTERNAL)
                continue;
            if (sym->st_name >= strtab->sh_size) continue;
            const char *name = names + sym->st_name;
            if (memchr(name, '\0', strtab->sh_size - sym->st_name) == NULL)
                continue;
            if (strcmp(name, RM_PLUGIN_ENTRY_NAME) == 0) {
                has_entry = 1;
                continue;
            }
            if (extra < 8) {
                size_t used = strlen(listed);
                snprintf(listed + used, sizeof(listed) - used, "%s%s",
                         used ? ", " : "", name);
            }
            extra++;
        }
    }
    munmap((void *)map, size);
    if (!has_entry)
        rm__problem(file, "symbols",
                    "the dynamic symbol table does not export %s",
                    RM_PLUGIN_ENTRY_NAME);
    if (extra)
        rm__problem(file, "symbols",
                    "%d symbol%s exported besides %s: %s%s — build with "
                    "-fvisibility=hidden and the version script "
                    "(remotemedia_add_plugin does both)",
                    extra, extra == 1 ? "" : "s", RM_PLUGIN_ENTRY_NAME,
                    listed, extra > 8 ? ", ..." : "");
    if (has_entry && !extra)
        printf("  symbols     ok (only %s exported)\n", RM_PLUGIN_ENTRY_NAME);
    return 1;
}

/* ---- one case, in a grandchild ------------------------------------------ */

typedef enum rm__input_kind {
    RM__IN_NONE = 0, RM__IN_AUDIO, RM__IN_JSON, RM__IN_TENSOR, RM__IN_BYTES
} rm__input_kind_t;

typedef struct rm__case {
    rm__input_kind_t kind;
    uint8_t sample_format;
    uint8_t layout;
    uint16_t channels;
    uint64_t frames;
    char label[96];
} rm__case_t;

static const char *rm__format_name(unsigned format) {
    switch (format) {
    case RM_SAMPLE_F32: return "f32";
    case RM_SAMPLE_I16: return "i16";
    case RM_SAMPLE_I32: return "i32";
    case RM_SAMPLE_F64: return "f64";
    default: return "?";
    }
}

/* A quiet deterministic signal: a triangle wave at -6 dBFS (period 37
 * frames, so chunk boundaries never line up with it). */
static rm_item_t *rm__make_input(const rm__case_t *c) {
    switch (c->kind) {
    case RM__IN_AUDIO: {
        rm_audio_format_t format = {RM__CHECK_RATE, c->channels,
                                    c->sample_format, c->layout, c->frames};
        rm_item_t *item = rm_item_new_audio(&format);
        if (!item) return NULL;
        size_t samples = (size_t)c->frames * c->channels;
        for (size_t i = 0; i < samples; i++) {
            size_t frame = c->layout == RM_LAYOUT_PLANAR
                               ? i % (size_t)c->frames
                               : i / c->channels;
            double phase = (double)(frame % 37) / 37.0;
            double v = phase < 0.5 ? 2.0 * phase - 0.5 : 1.5 - 2.0 * phase;
            switch (c->sample_format) {
            case RM_SAMPLE_F32: ((float *)item->data)[i] = (float)v; break;
            case RM_SAMPLE_F64: ((double *)item->data)[i] = v; break;
            case RM_SAMPLE_I16:
                ((int16_t *)item->data)[i] = (int16_t)(v * 32767.0);
                break;
            case RM_SAMPLE_I32:
                ((int32_t *)item->data)[i] = (int32_t)(v * 2147483647.0);
                break;
            }
        }
        return item;
    }
    case RM__IN_JSON: return rm_item_new_json("[1, 2, 3]", 9);
    case RM__IN_TENSOR: {
        rm_tensor_info_t info = {0};
        info.dtype = RM_DTYPE_F32;
        info.ndim = 2;
        info.shape[0] = 3;
        info.shape[1] = 5;
        rm_item_t *item = rm_item_new_tensor(&info);
        if (item)
            for (size_t i = 0; i < 15; i++)
                ((float *)item->data)[i] = (float)i / 16.0f;
        return item;
    }
    case RM__IN_BYTES: return rm_item_new_bytes("bytes\n\0x", 8);
    case RM__IN_NONE: break;
    }
    return NULL;
}

typedef struct rm__reporter {
    int fd;
} rm__reporter_t;

static void rm__report(rm__reporter_t *r, char tag, const char *fmt, ...)
    RM_PRINTF_LIKE(3, 4);
static void rm__report(rm__reporter_t *r, char tag, const char *fmt, ...) {
    char line[1024];
    line[0] = tag;
    line[1] = ' ';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + 2, sizeof(line) - 3, fmt, ap);
    va_end(ap);
    /* One finding per line: flatten the message's own newlines. */
    for (char *p = line + 2; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    size_t len = strlen(line);
    line[len++] = '\n';
    ssize_t ignored = write(r->fd, line, len);
    (void)ignored;
}

static uint64_t rm__violations[RM_VIOLATION_COUNT];

static void rm__violations_snapshot(void) {
    for (int v = 0; v < RM_VIOLATION_COUNT; v++)
        rm__violations[v] = rm_violation_count((rm_violation_t)v);
}

/* Reports violations counted since the last snapshot. */
static void rm__violations_report(rm__reporter_t *r, const char *op) {
    static const char *const words[RM_VIOLATION_COUNT] = {
        "emitted a NULL item (host->emit(out, port, NULL))",
        "emitted on an output port the node type does not declare",
        "returned a failure without calling host->error_set (no message: "
        "the user would only see the status's generic text)",
        "returned a positive status (must be RM_OK or negative)",
    };
    for (int v = 0; v < RM_VIOLATION_COUNT; v++) {
        uint64_t now = rm_violation_count((rm_violation_t)v);
        if (now > rm__violations[v])
            rm__report(r, 'P', "%s: %s (%llu time%s)", op, words[v],
                       (unsigned long long)(now - rm__violations[v]),
                       now - rm__violations[v] == 1 ? "" : "s");
        rm__violations[v] = now;
    }
}

/* Output items must be well-formed and of a kind the outputs declare. */
static void rm__check_output(rm__reporter_t *r, const rm_node_type_t *type,
                             const rm_item_t *item, size_t index) {
    uint32_t declared = 0;
    for (uint32_t p = 0; p < type->output_count; p++)
        declared |= type->outputs[p].kinds;
    if (!item) {
        rm__report(r, 'P', "output #%zu is NULL", index);
        return;
    }
    if (item->kind < RM_KIND_AUDIO || item->kind > RM_KIND_PYOBJECT) {
        rm__report(r, 'P', "output #%zu has kind %u, which does not exist",
                   index, (unsigned)item->kind);
        return;
    }
    if (!(declared & RM_KIND_BIT(item->kind)))
        rm__report(r, 'P',
                   "output #%zu is %s, which no output port declares "
                   "(declared: %s%s%s%s%s)",
                   index, rm_cli_kind_name(item->kind),
                   declared & RM_KIND_BIT(RM_KIND_AUDIO) ? "audio " : "",
                   declared & RM_KIND_BIT(RM_KIND_TENSOR) ? "tensor " : "",
                   declared & RM_KIND_BIT(RM_KIND_JSON) ? "json " : "",
                   declared & RM_KIND_BIT(RM_KIND_BYTES) ? "bytes " : "",
                   declared & RM_KIND_BIT(RM_KIND_PYOBJECT) ? "pyobject" : "");
    if (item->kind == RM_KIND_AUDIO) {
        size_t bytes = 0;
        if (rm_audio_format_check(&item->audio, &bytes) != RM_OK)
            rm__report(r, 'P',
                       "output #%zu: invalid audio format (rate %u, %u "
                       "channels, sample format %u, layout %u)",
                       index, (unsigned)item->audio.sample_rate,
                       (unsigned)item->audio.channels,
                       (unsigned)item->audio.sample_format,
                       (unsigned)item->audio.layout);
        else if (bytes != item->size)
            rm__report(r, 'P',
                       "output #%zu: audio says %llu frames x %u channels "
                       "of %s (%zu bytes) but the payload is %zu bytes",
                       index, (unsigned long long)item->audio.frames,
                       (unsigned)item->audio.channels,
                       rm__format_name(item->audio.sample_format), bytes,
                       item->size);
        else if (item->size && !item->data)
            rm__report(r, 'P', "output #%zu: audio without data", index);
    } else if (item->kind == RM_KIND_JSON) {
        const char *text = item->data;
        if (!text || memchr(text, '\0', item->size + 1) != text + item->size) {
            rm__report(r, 'P',
                       "output #%zu: JSON text is not NUL-terminated at "
                       "size (%zu)", index, item->size);
            return;
        }
        /* NUL-terminated at size (checked above): the whole text must be
         * one JSON value. */
        cJSON *json = cJSON_ParseWithOpts(text, NULL, 1);
        if (!json)
            rm__report(r, 'P', "output #%zu: not valid JSON: %.60s", index,
                       text);
        cJSON_Delete(json);
    }
}

/* Runs one case and reports through `r`. Returns the process exit code. */
static int rm__run_case(rm__reporter_t *r, const rm_registry_t *registry,
                        const rm_node_type_t *type, const char *manifest,
                        const rm__case_t *c) {
    rm_track_live(1);
    rm__violations_snapshot();

    rm__report(r, 'S', "create");
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *pipeline = NULL;
    int status = rm_pipeline_compile(registry, manifest, strlen(manifest),
                                     "<check-plugin>", diag, &pipeline);
    rm__violations_report(r, "create");
    if (status != RM_OK) {
        rm__report(r, 'R', "create failed: %s: %s", rm_err_name(status),
                   diag ? rm_diag_text(diag) : "");
        rm_diag_free(diag);
        if (rm_live_item_count())
            rm__report(r, 'P',
                       "%zu item(s) still alive after a failed create",
                       rm_live_item_count());
        if (rm_live_host_blocks())
            rm__report(r, 'P',
                       "%zu block(s) from host->alloc never freed after a "
                       "failed create (free them before returning the "
                       "error)",
                       rm_live_host_blocks());
        return 0;
    }
    rm_diag_free(diag);

    rm_item_t *input = rm__make_input(c);
    if (c->kind != RM__IN_NONE && !input) {
        rm__report(r, 'N', "could not build the input (out of memory?)");
        rm_pipeline_free(pipeline);
        return 0;
    }
    const char *op = (type->capabilities & RM_CAP_SOURCE) ? "generate"
                                                           : "process/flush";
    rm__report(r, 'S', "%s", op);
    rm_run_result_t *result = NULL;
    status = rm_pipeline_run(pipeline, NULL, input ? &input : NULL,
                             input ? 1 : 0, &result);
    rm__violations_report(r, op);
    const rm_run_error_t *error = result ? rm_run_result_error(result) : NULL;
    if (status != RM_OK) {
        if (status > 0)
            rm__report(r, 'P', "run returned positive status %d", status);
        rm__report(r, 'R', "%s failed: %s%s: %s",
                   error && error->operation ? error->operation : op,
                   rm_err_name(status),
                   error && error->transient ? " (transient)" : "",
                   error && error->message ? error->message : "(none)");
    }
    size_t outputs = 0;
    if (result && rm_run_result_sink_count(result) > 0) {
        outputs = rm_run_result_item_count(result, 0);
        for (size_t i = 0; i < outputs; i++)
            rm__check_output(r, type, rm_run_result_item(result, 0, i), i);
    }
    if (status == RM_OK)
        rm__report(r, 'N', "ok, %zu output item%s", outputs,
                   outputs == 1 ? "" : "s");
    rm_run_result_free(result);
    if (input && rm_item_refcount(input) != 1)
        rm__report(r, 'P',
                   "the input item still has %u reference%s besides ours "
                   "after the run: a borrowed item was item_ref'd and "
                   "never released",
                   rm_item_refcount(input) - 1,
                   rm_item_refcount(input) == 2 ? "" : "s");
    rm_item_unref(input);

    rm__report(r, 'S', "destroy");
    rm_pipeline_free(pipeline);
    size_t live = rm_live_item_count();
    if (live)
        rm__report(r, 'P',
                   "%zu item reference%s never released after destroy: every "
                   "reference from item_new_*/item_ref/item_make_writable "
                   "must end in emit or item_unref",
                   live, live == 1 ? "" : "s");
    size_t blocks = rm_live_host_blocks();
    if (blocks)
        rm__report(r, 'P',
                   "%zu block%s from host->alloc/realloc never freed: free "
                   "what the instance allocated in destroy (host->free)",
                   blocks, blocks == 1 ? "" : "s");
    return 0;
}

/* ---- one case, seen from the per-file child ------------------------------ */

typedef struct rm__type_tally {
    size_t cases, accepted, rejected, problems, notes;
    char first_reject[200];
} rm__type_tally_t;

/* Resident memory of process `pid` in bytes (0 when unknown). */
static size_t rm__resident_bytes(pid_t pid) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
    FILE *statm = fopen(path, "r");
    if (!statm) return 0;
    unsigned long size_pages = 0, resident_pages = 0;
    int fields = fscanf(statm, "%lu %lu", &size_pages, &resident_pages);
    fclose(statm);
    if (fields != 2) return 0;
    long page = sysconf(_SC_PAGESIZE);
    return (size_t)resident_pages * (size_t)(page > 0 ? page : 4096);
}

/* What the per-file child collects from one case's lines. */
typedef struct rm__case_lines {
    rm__check_file_t *file;
    const rm_node_type_t *type;
    const rm__case_t *c;
    rm__type_tally_t *tally;
    char stage[64];
    int problems;
    int rejected;
} rm__case_lines_t;

static void rm__case_line(rm__case_lines_t *l, const char *line) {
    const char *text = line[0] && line[1] ? line + 2 : "";
    int verbose = l->file->opts->cli->verbosity > 0;
    switch (line[0]) {
    case 'S':
        snprintf(l->stage, sizeof(l->stage), "%.60s", text);
        break;
    case 'P':
        rm__problem(l->file, l->type->name, "[%s] %s", l->c->label, text);
        l->problems++;
        break;
    case 'R':
        l->rejected = 1;
        if (!l->tally->first_reject[0])
            snprintf(l->tally->first_reject, sizeof(l->tally->first_reject),
                     "%.90s: %.100s", l->c->label, text);
        if (verbose) printf("    %-40s rejected: %s\n", l->c->label, text);
        break;
    case 'N':
        if (verbose) printf("    %-40s %s\n", l->c->label, text);
        break;
    }
}

static void rm__case_in_child(rm__check_file_t *file,
                              const rm_registry_t *registry,
                              const rm_node_type_t *type,
                              const char *manifest, const rm__case_t *c,
                              rm__type_tally_t *tally) {
    const rm__check_opts_t *opts = file->opts;
    int fds[2];
    if (pipe(fds) != 0) {
        rm__problem(file, type->name, "cannot create a pipe: %s",
                    strerror(errno));
        return;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        rm__problem(file, type->name, "cannot fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        if (opts->cli->verbosity <= 0) {
            /* Plugins' own logging would drown the report. */
            int devnull = open("/dev/null", O_WRONLY);
            if (devnull >= 0) dup2(devnull, 2);
        }
        alarm(opts->timeout);
        rm__reporter_t r = {fds[1]};
        int code = rm__run_case(&r, registry, type, manifest, c);
        close(fds[1]);
        _exit(code); /* no atexit handlers: the plugin is still loaded */
    }
    close(fds[1]);

    tally->cases++;
    rm__case_lines_t lines = {file, type, c, tally, "start", 0, 0};
    /* Read findings while watching the case's memory: an endless source
     * (or a runaway node) accumulates results fast, and must be stopped
     * before it takes the machine's memory, not only at the timeout. */
    char buf[2048];
    size_t have = 0;
    int memory_killed = 0;
    struct pollfd pfd = {fds[0], POLLIN, 0};
    for (;;) {
        int ready = poll(&pfd, 1, 100);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) break;
        if (ready == 0) {
            if (!memory_killed &&
                rm__resident_bytes(pid) > RM__CHECK_MEMORY_LIMIT) {
                kill(pid, SIGKILL);
                memory_killed = 1;
            }
            continue;
        }
        ssize_t n = read(fds[0], buf + have, sizeof(buf) - 1 - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += (size_t)n;
        char *start = buf, *newline;
        while ((newline = memchr(start, '\n', have - (size_t)(start - buf)))) {
            *newline = '\0';
            rm__case_line(&lines, start);
            start = newline + 1;
        }
        have -= (size_t)(start - buf);
        memmove(buf, start, have);
        if (have == sizeof(buf) - 1) { /* an overlong line: take it as is */
            buf[have] = '\0';
            rm__case_line(&lines, buf);
            have = 0;
        }
    }
    close(fds[0]);
    const char *stage = lines.stage;
    int problems = lines.problems;

    if (memory_killed) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        if ((type->capabilities & RM_CAP_SOURCE) &&
            strcmp(stage, "generate") == 0) {
            printf("  NOTE    %s: [%s] still generating after %d MiB of "
                   "output; stopped (endless source, or give params that "
                   "bound it)\n",
                   type->name, c->label, RM__CHECK_MEMORY_LIMIT >> 20);
            tally->notes++;
        } else {
            rm__problem(file, type->name,
                        "[%s] used more than %d MiB during %s; stopped",
                        c->label, RM__CHECK_MEMORY_LIMIT >> 20, stage);
            problems++;
        }
        if (problems) tally->problems++;
        else tally->accepted++;
        return;
    }

    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(wstatus)) {
        int sig = WTERMSIG(wstatus);
        if (sig == SIGALRM && (type->capabilities & RM_CAP_SOURCE) &&
            strcmp(stage, "generate") == 0) {
            /* An endless source (a live capture) is legal; we cannot tell
             * it from a hang, so it is a note, not a problem. */
            printf("  NOTE    %s: [%s] still generating after %u s; "
                   "stopped (endless source, or give params that bound "
                   "it)\n",
                   type->name, c->label, opts->timeout);
            tally->notes++;
        } else if (sig == SIGALRM) {
            rm__problem(file, type->name,
                        "[%s] did not finish within %u s during %s (hang? "
                        "raise with --timeout)",
                        c->label, opts->timeout, stage);
            problems++;
        } else {
            rm__problem(file, type->name, "[%s] crashed with %s during %s",
                        c->label, rm__signal_name(sig), stage);
            problems++;
        }
    } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0) {
        rm__problem(file, type->name,
                    "[%s] the checking process exited with status %d during "
                    "%s (exit() in the plugin, or a sanitizer report: "
                    "rerun with -v to see stderr)",
                    c->label, WEXITSTATUS(wstatus), stage);
        problems++;
    }
    if (problems) tally->problems++;
    else if (lines.rejected) tally->rejected++;
    else tally->accepted++;
}

/* ---- per node type ------------------------------------------------------- */

static const rm__check_param_t *rm__given_param(const rm__check_opts_t *opts,
                                                const char *type,
                                                const char *name) {
    for (size_t i = 0; i < opts->param_count; i++) {
        const rm__check_param_t *p = &opts->params[i];
        if (strlen(type) == p->type_len &&
            strncmp(type, p->type, p->type_len) == 0 &&
            strlen(name) == p->name_len &&
            strncmp(name, p->name, p->name_len) == 0)
            return p;
    }
    return NULL;
}

/* The one-node manifest, or NULL with the missing params in `missing`. */
static char *rm__manifest_for(const rm__check_opts_t *opts,
                              const rm_node_type_t *type, char *missing,
                              size_t missing_size) {
    missing[0] = '\0';
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "version", "v1");
    cJSON *nodes = cJSON_AddArrayToObject(root, "nodes");
    cJSON *node = cJSON_CreateObject();
    cJSON_AddItemToArray(nodes, node);
    cJSON_AddStringToObject(node, "id", "node");
    cJSON_AddStringToObject(node, "node_type", type->name);
    cJSON *params = cJSON_AddObjectToObject(node, "params");
    cJSON_AddArrayToObject(root, "connections");
    for (uint32_t i = 0; i < type->param_count; i++) {
        const rm_param_spec_t *spec = &type->params[i];
        const rm__check_param_t *given =
            rm__given_param(opts, type->name, spec->name);
        if (given) {
            /* JSON text, or else the bare text as a string, so
             * --param T.path=/tmp/a.wav needs no quoting. */
            cJSON *value = cJSON_Parse(given->value);
            if (!value) value = cJSON_CreateString(given->value);
            cJSON_AddItemToObject(params, spec->name, value);
        } else if ((spec->flags & RM_PARAM_REQUIRED) && !spec->default_json) {
            size_t used = strlen(missing);
            snprintf(missing + used, missing_size - used, "%s%s",
                     used ? ", " : "", spec->name);
        }
    }
    char *text = missing[0] ? NULL : cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

static size_t rm__cases_for(const rm_node_type_t *type, rm__case_t *cases,
                            size_t capacity) {
    size_t n = 0;
#define RM__ADD_CASE(...)                                                   \
    do {                                                                    \
        if (n < capacity) {                                                 \
            rm__case_t c_ = {__VA_ARGS__};                                  \
            cases[n++] = c_;                                                \
        }                                                                   \
    } while (0)
    if (type->capabilities & RM_CAP_SOURCE) {
        RM__ADD_CASE(RM__IN_NONE, 0, 0, 0, 0, "source: generate until finished");
        return n;
    }
    RM__ADD_CASE(RM__IN_NONE, 0, 0, 0, 0, "no input (flush only)");
    uint32_t kinds = type->input_count ? type->inputs[0].kinds : 0;
    if (kinds & RM_KIND_BIT(RM_KIND_AUDIO)) {
        static const uint8_t formats[] = {RM_SAMPLE_F32, RM_SAMPLE_I16,
                                          RM_SAMPLE_I32, RM_SAMPLE_F64};
        for (size_t f = 0; f < sizeof(formats); f++) {
            const char *name = rm__format_name(formats[f]);
            rm__case_t c = {RM__IN_AUDIO, formats[f], RM_LAYOUT_INTERLEAVED,
                            1, 0, ""};
            snprintf(c.label, sizeof(c.label), "audio %s empty (0 frames)",
                     name);
            if (n < capacity) cases[n++] = c;
            c.frames = 1;
            snprintf(c.label, sizeof(c.label), "audio %s 1 frame", name);
            if (n < capacity) cases[n++] = c;
            c.frames = RM__CHECK_ODD_FRAMES;
            c.channels = RM__CHECK_ODD_CHANNELS;
            snprintf(c.label, sizeof(c.label),
                     "audio %s %d frames x %d ch interleaved", name,
                     RM__CHECK_ODD_FRAMES, RM__CHECK_ODD_CHANNELS);
            if (n < capacity) cases[n++] = c;
            c.layout = RM_LAYOUT_PLANAR;
            snprintf(c.label, sizeof(c.label),
                     "audio %s %d frames x %d ch planar", name,
                     RM__CHECK_ODD_FRAMES, RM__CHECK_ODD_CHANNELS);
            if (n < capacity) cases[n++] = c;
        }
    }
    if (kinds & RM_KIND_BIT(RM_KIND_JSON))
        RM__ADD_CASE(RM__IN_JSON, 0, 0, 0, 0, "json [1, 2, 3]");
    if (kinds & RM_KIND_BIT(RM_KIND_TENSOR))
        RM__ADD_CASE(RM__IN_TENSOR, 0, 0, 0, 0, "tensor f32 3x5");
    if (kinds & RM_KIND_BIT(RM_KIND_BYTES))
        RM__ADD_CASE(RM__IN_BYTES, 0, 0, 0, 0, "bytes (8)");
#undef RM__ADD_CASE
    return n;
}

static void rm__check_type(rm__check_file_t *file,
                           const rm_registry_t *registry,
                           const rm_node_type_t *type) {
    char missing[256];
    char *manifest = rm__manifest_for(file->opts, type, missing,
                                      sizeof(missing));
    if (!manifest) {
        printf("  %-24s skipped: needs %s (give --param %s.NAME=VALUE)\n",
               type->name, missing, type->name);
        return;
    }
    rm__case_t cases[32];
    size_t count = rm__cases_for(type, cases, 32);
    rm__type_tally_t tally = {0};
    if (file->opts->cli->verbosity > 0) printf("  %s\n", type->name);
    for (size_t i = 0; i < count; i++)
        rm__case_in_child(file, registry, type, manifest, &cases[i], &tally);
    cJSON_free(manifest);
    if (tally.problems) {
        printf("  %-24s %zu of %zu cases with problems (listed above)\n",
               type->name, tally.problems, tally.cases);
        return;
    }
    printf("  %-24s ok: %zu cases, %zu accepted, %zu rejected with a "
           "proper error%s\n",
           type->name, tally.cases, tally.accepted, tally.rejected,
           tally.notes ? ", see notes" : "");
    if (tally.rejected && file->opts->cli->verbosity <= 0)
        printf("  %-24s e.g. %.150s\n", "", tally.first_reject);
}

/* ---- per file (in a child) ------------------------------------------------ */

/* A one-file plugin directory: a temporary directory holding a symlink to
 * the plugin, so the registry loads exactly this file, the way it always
 * does. Made by the parent (which never loads plugin code) before the
 * child forks, and removed by it afterwards, also when the child crashed.
 * It is made next to the plugin's own directory when possible
 * (<plugin dir>/../.rmrun-check-XXXXXX): a plugin that finds companion
 * files relative to where it was loaded from (dladdr, "../x.so", like the
 * Python adapter) then finds them as in its real directory. */
typedef struct rm__one_file_dir {
    char dir[PATH_MAX];
    char link[PATH_MAX + 16];
} rm__one_file_dir_t;

static int rm__one_file_dir_make(const char *path, rm__one_file_dir_t *out,
                                 char *why, size_t why_size) {
    char real[PATH_MAX];
    out->dir[0] = out->link[0] = '\0';
    if (!realpath(path, real)) {
        snprintf(why, why_size, "%s: %s", path, strerror(errno));
        return 0;
    }
    char *dir = out->dir;
    snprintf(dir, sizeof(out->dir), "%s", real);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';            /* the plugin's directory */
    slash = strrchr(dir, '/');
    int made = 0;
    if (slash && slash != dir) {
        *slash = '\0';                   /* its parent */
        size_t used = strlen(dir);
        snprintf(dir + used, sizeof(out->dir) - used, "/.rmrun-check-XXXXXX");
        made = mkdtemp(dir) != NULL;
    }
    if (!made) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof(out->dir), "%s/rmrun-check-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            snprintf(why, why_size, "cannot create a temporary directory: %s",
                     strerror(errno));
            dir[0] = '\0';
            return 0;
        }
    }
    const char *base = rm_cli_basename(real);
    size_t base_len = strlen(base);
    if (base_len > 3 && strcmp(base + base_len - 3, ".so") == 0)
        snprintf(out->link, sizeof(out->link), "%s/%s", dir, base);
    else
        snprintf(out->link, sizeof(out->link), "%s/plugin.so", dir);
    if (symlink(real, out->link) != 0) {
        snprintf(why, why_size, "cannot link %s into %s: %s", real, dir,
                 strerror(errno));
        out->link[0] = '\0';
        return 0;
    }
    return 1;
}

static void rm__one_file_dir_remove(rm__one_file_dir_t *d) {
    if (d->link[0]) unlink(d->link);
    if (d->dir[0]) rmdir(d->dir);
}

/* `loaded_fd`: written to (then closed) once loading is over, whatever
 * its outcome: the parent's load deadline ends there (rmrun_check_plugin
 * main loop). */
static int rm__check_one_file(const rm__check_opts_t *opts, const char *path,
                              const char *dir, int loaded_fd) {
    rm__check_file_t file = {opts, 0};
    rm__check_symbols(&file, path);
    /* The registry loads the file in its scanner child first: give that
     * child --timeout too, unless the user set its own limit. */
    const char *scan_env = getenv("REMOTEMEDIA_SCAN_TIMEOUT_MS");
    if (!scan_env || !*scan_env) {
        char ms[32];
        snprintf(ms, sizeof(ms), "%u", opts->timeout * 1000u);
        setenv("REMOTEMEDIA_SCAN_TIMEOUT_MS", ms, 1);
    }

    const char *dirs[] = {dir};
    rm_registry_options_t options = {0};
    options.struct_size = sizeof(options);
    options.dirs = dirs;
    options.dir_count = 1;
    options.use_env = 0;
    options.use_default = 0;
    rm_registry_t *registry = NULL;
    int status = rm_registry_open(&options, &registry);
    if (write(loaded_fd, "L", 1) < 0) { /* the parent stops waiting */
    }
    close(loaded_fd);
    if (status != RM_OK) {
        rm__problem(&file, "load", "cannot open a registry: %s",
                    rm_strerror(status));
        return 1;
    }
    for (size_t i = 0; i < rm_registry_failure_count(registry); i++) {
        const rm_load_failure_t *failure = rm_registry_failure_at(registry, i);
        /* The registry names the symlink in the temporary directory; the
         * user knows the file by the name they gave. */
        const char *reason = failure->reason ? failure->reason : "";
        const char *at = strstr(reason, dir);
        if (at) {
            const char *after = at + strlen(dir);
            if (*after == '/') after += strcspn(after, ": ");
            rm__problem(&file, "load", "%s: %.*s%s%s",
                        rm_cli_failure_kind_name(failure->kind),
                        (int)(at - reason), reason, path, after);
        } else {
            rm__problem(&file, "load", "%s: %s",
                        rm_cli_failure_kind_name(failure->kind), reason);
        }
    }
    const char *loaded_path = NULL;
    const rm_plugin_descriptor_t *descriptor =
        rm_registry_plugin_count(registry)
            ? rm_registry_plugin_at(registry, 0, &loaded_path)
            : NULL;
    if (!descriptor) {
        rm_registry_close(registry);
        return 1;
    }
    printf("  load        ok: %s %s (%s), ABI %u.%u, %u node type%s\n",
           descriptor->id, descriptor->version ? descriptor->version : "",
           descriptor->name, (unsigned)descriptor->abi_major,
           (unsigned)descriptor->abi_minor, descriptor->node_type_count,
           descriptor->node_type_count == 1 ? "" : "s");
    printf("  descriptor  ok (versions, names, ports, parameter specs)\n");
    if (descriptor->node_type_count == 0)
        printf("  NOTE    no node types declared%s: nothing to run\n",
               descriptor->get_extension ? " (they may come from an "
                                           "extension, e.g. the node "
                                           "resolver)"
                                         : "");
    for (uint32_t i = 0; i < descriptor->node_type_count; i++) {
        const rm_node_type_t *type = descriptor->node_types[i];
        /* Missing descriptions/versions are not ABI violations, but
         * `rmrun inspect` shows them to users. */
        if (!type->description || !*type->description ||
            !type->version || !*type->version)
            printf("  NOTE    %s: no %s (shown by rmrun inspect)\n",
                   type->name,
                   !type->description || !*type->description ? "description"
                                                             : "version");
        rm__check_type(&file, registry, type);
    }
    rm_registry_close(registry);
    return file.problems ? 1 : 0;
}

/* ---- the command ------------------------------------------------------------ */

static int rm__parse_param(const rm_cli_t *cli, const char *text,
                           rm__check_param_t *out) {
    const char *dot = strchr(text, '.');
    const char *eq = strchr(text, '=');
    if (!dot || !eq || dot > eq || dot == text || eq == dot + 1) {
        fprintf(stderr,
                "%s check-plugin: --param wants TYPE.NAME=VALUE (e.g. "
                "AudioFileSource.path=/tmp/a.wav), got '%s'\n",
                cli->program, text);
        return 0;
    }
    out->type = text;
    out->type_len = (size_t)(dot - text);
    out->name = dot + 1;
    out->name_len = (size_t)(eq - dot - 1);
    out->value = eq + 1;
    return 1;
}

static const rm_cli_option_t rm__check_options[] = {
    {"param", 0, "TYPE.NAME=VALUE", "a param value (JSON, or a bare string) for\n"
     "a node type; required params without it\n"
     "make the type 'skipped: needs NAME'"},
    {"timeout", 0, "S", "seconds per case (default 10)"},
};
static const rm_cli_options_t rm__check_table =
    RM_CLI_OPTIONS(rm__check_options);

static int rm__check_option(void *ctx, const rm_cli_option_t *o,
                            const char *value) {
    rm__check_opts_t *opts = ctx;
    const rm_cli_t *cli = opts->cli;
    if (o == &rm__check_options[0]) {
        if (!rm__parse_param(cli, value, &opts->params[opts->param_count]))
            return RM_EXIT_USAGE;
        opts->param_count++;
        return RM_EXIT_OK;
    }
    char *end = NULL;
    long seconds = strtol(value, &end, 10);
    if (*end || seconds < 1 || seconds > 3600) {
        fprintf(stderr, "%s check-plugin: --timeout wants seconds "
                "(1..3600), got '%s'\n", cli->program, value);
        return RM_EXIT_USAGE;
    }
    opts->timeout = (unsigned)seconds;
    return RM_EXIT_OK;
}

static int rm__cmd_check_plugin(const rm_cli_t *cli, int argc, char **argv) {
    rm__check_opts_t opts = {cli, NULL, 0, RM__CHECK_DEFAULT_TIMEOUT};
    opts.params = calloc((size_t)argc + 1, sizeof(*opts.params));
    const char **files = (const char **)argv;
    size_t file_count = 0;
    int status = RM_EXIT_OK;
    if (!opts.params) {
        fprintf(stderr, "%s: out of memory\n", cli->program);
        status = RM_EXIT_FAILED;
        goto done;
    }
    status = rm_cli_parse_options(cli, "check-plugin", &rm__check_table,
                                  &argc, argv, rm__check_option, &opts);
    file_count = status == RM_EXIT_OK ? (size_t)argc : 0;
    if (status == RM_EXIT_OK && file_count == 0) {
        fprintf(stderr, "%s check-plugin: give at least one plugin file "
                "(e.g. build/plugins/gain.so)\nTry '%s help check-plugin'.\n",
                cli->program, cli->program);
        status = RM_EXIT_USAGE;
    }
    if (status != RM_EXIT_OK) goto done;

    size_t failed = 0;
    for (size_t f = 0; f < file_count; f++) {
        printf("%s\n", files[f]);
        fflush(stdout);
        fflush(stderr);
        rm__one_file_dir_t dir;
        char why[PATH_MAX + 128];
        struct stat info;
        if (stat(files[f], &info) == 0 && !S_ISREG(info.st_mode)) {
            /* A FIFO named x.so blocked every open of it for ever. */
            printf("  PROBLEM load: not a regular file (%s); a plugin is a "
                   "shared object file\n  => NOT conformant\n",
                   S_ISFIFO(info.st_mode) ? "a FIFO"
                   : S_ISDIR(info.st_mode) ? "a directory"
                                           : "a device or socket");
            failed++;
            continue;
        }
        if (!rm__one_file_dir_make(files[f], &dir, why, sizeof(why))) {
            rm__one_file_dir_remove(&dir);
            printf("  PROBLEM load: %s\n  => NOT conformant\n", why);
            failed++;
            continue;
        }
        int loaded[2];
        pid_t pid = pipe2(loaded, O_CLOEXEC) == 0 ? fork() : -1;
        if (pid < 0) {
            fprintf(stderr, "%s check-plugin: cannot fork: %s\n",
                    cli->program, strerror(errno));
            rm__one_file_dir_remove(&dir);
            status = RM_EXIT_FAILED;
            goto done;
        }
        if (pid == 0) {
            close(loaded[0]);
            int code = rm__check_one_file(&opts, files[f], dir.dir, loaded[1]);
            fflush(stdout);
            fflush(stderr);
            _exit(code);
        }
        close(loaded[1]);
        /* Loading gets --timeout (its scanner child has the same limit),
         * plus a margin for the scanner to report first; the cases after
         * it have their own alarms. */
        struct pollfd wait_load = {loaded[0], POLLIN, 0};
        int ready;
        while ((ready = poll(&wait_load, 1, (int)(opts.timeout + 5) * 1000)) <
                   0 &&
               errno == EINTR) {
        }
        char byte = 0;
        int finished_loading = ready > 0 && read(loaded[0], &byte, 1) == 1;
        close(loaded[0]);
        int hung = ready == 0;
        if (hung) kill(pid, SIGKILL);
        int wstatus = 0;
        while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
        }
        rm__one_file_dir_remove(&dir);
        int problems = 1;
        if (hung)
            printf("  PROBLEM load: still loading after %u s (a hang in a "
                   "constructor or rm_plugin_entry); stopped (raise with "
                   "--timeout)\n",
                   opts.timeout + 5);
        else if (WIFSIGNALED(wstatus))
            printf("  PROBLEM load: crashed with %s while loading or "
                   "inspecting the plugin (its entry point, a constructor, "
                   "or the descriptor)\n",
                   rm__signal_name(WTERMSIG(wstatus)));
        else if (WIFEXITED(wstatus) && !finished_loading)
            /* exit(0) in a constructor was reported "conformant". */
            printf("  PROBLEM load: ended the process with exit(%d) while "
                   "loading (exit() in a constructor or rm_plugin_entry)\n",
                   WEXITSTATUS(wstatus));
        else if (WIFEXITED(wstatus))
            problems = WEXITSTATUS(wstatus) != 0;
        printf("  => %s\n", problems ? "NOT conformant" : "conformant");
        if (problems) failed++;
    }
    if (file_count > 1)
        printf("%zu of %zu plugin files conformant\n", file_count - failed,
               file_count);
    status = failed ? RM_EXIT_FAILED : RM_EXIT_OK;
done:
    free(opts.params);
    return status;
}

const rm_cli_command_t rm_cli_command_check_plugin = {
    "check-plugin", NULL, "FILE... [--param TYPE.NAME=VALUE] [--timeout S]",
    "check that plugin files follow the plugin ABI (conformance)",
    "  Loads each FILE in a child process (a crash is reported, never fatal)\n"
    "  and checks: only rm_plugin_entry exported; ABI version and descriptor\n"
    "  (names, ports, parameter specs); then every node type through the\n"
    "  real runtime — create with default params, process/flush/destroy on\n"
    "  no input, empty, 1-frame and 1001x3 audio in f32/i16/i32/f64 (both\n"
    "  layouts), JSON, tensor and bytes items as the input port accepts;\n"
    "  sources generate until finished. Problems: crashes, hangs, failures\n"
    "  without an error message, NULL or undeclared-port emits, malformed\n"
    "  or undeclared output kinds, item references or host->alloc blocks\n"
    "  leaked past destroy, more than 1 GiB of memory in one case.\n"
    "  Rejecting an input with a proper error is fine.\n"
    "  -v (global)           every case, and the plugin's own stderr\n"
    "  Exit: 0 conformant, 1 problems found, 2 usage error.\n",
    0, rm__cmd_check_plugin, &rm__check_table};
