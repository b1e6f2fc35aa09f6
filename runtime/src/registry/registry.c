/*
 * registry.c — scanning plugin directories into an immutable registry.
 *
 * Opening does all the work (scan, dlopen, ABI gate, descriptor checks,
 * duplicate detection, sorting); afterwards the registry is never written,
 * which is what makes every lookup [thread-safe] without a lock. A broken
 * file is recorded as a failure and skipped: one bad plugin must never hide
 * the healthy ones or take the process down (GStreamer's lesson): each
 * file is loaded first by a scanner child (plugin_scan.c).
 */
#include <remotemedia/registry.h>

#include "registry/registry_private.h"
#include "scan/plugin_check.h"
#include "scan/plugin_scan.h"
#include "util/util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct rm__plugin {
    void *handle;
    char *path;
    const rm_plugin_descriptor_t *descriptor;
} rm__plugin_t;

struct rm_registry {
    char **dirs;
    size_t dir_count;
    rm__plugin_t *plugins;
    size_t plugin_count;
    rm_registry_entry_t *entries; /* sorted by type name once open */
    size_t entry_count;
    rm_load_failure_t *failures;  /* in scan order */
    size_t failure_count;
    rm__resolver_t *resolvers;    /* by precedence, highest first           */
    size_t resolver_count;
    /* Growth bookkeeping, only used while opening. */
    size_t dir_capacity, plugin_capacity, entry_capacity, failure_capacity;
    size_t resolver_capacity;
    int out_of_memory;
    int no_python;                /* RM_REGISTRY_NO_PYTHON                  */
};


/* Timed-out calls still running (engine/watchdog.c counts them). */
static atomic_uint rm__orphans;

unsigned rm__orphan_calls(void) {
    return atomic_load_explicit(&rm__orphans, memory_order_acquire);
}

void rm__orphan_calls_add(int delta) {
    if (delta > 0)
        atomic_fetch_add_explicit(&rm__orphans, (unsigned)delta,
                                  memory_order_acq_rel);
    else
        atomic_fetch_sub_explicit(&rm__orphans, (unsigned)-delta,
                                  memory_order_acq_rel);
}

/* The options of ABI 1.0 of this struct: every field up to default_dir. */
#define RM__OPTIONS_V1_0_SIZE \
    (offsetof(rm_registry_options_t, default_dir) + sizeof(const char *))

/* ---- small helpers ------------------------------------------------------ */

/* Sanitizer builds keep plugins mapped by default: LeakSanitizer cannot
 * name frames in an unloaded object, so a leak inside a plugin would show
 * as "<unknown module>", and libraries that allocate from their load-time
 * constructor (libgomp, under libsoxr) would report that block as leaked
 * once unloaded. REMOTEMEDIA_NO_DLCLOSE=0 still forces unloading. */
#if defined(__SANITIZE_ADDRESS__)
#define RM__KEEP_MAPPED_DEFAULT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RM__KEEP_MAPPED_DEFAULT 1
#endif
#endif
#ifndef RM__KEEP_MAPPED_DEFAULT
#define RM__KEEP_MAPPED_DEFAULT 0
#endif

static int rm__keep_mapped(void) {
    const char *env = getenv("REMOTEMEDIA_NO_DLCLOSE");
    if (env && strcmp(env, "1") == 0) return 1;
    if (env && strcmp(env, "0") == 0) return 0;
    return RM__KEEP_MAPPED_DEFAULT;
}

static void rm__unload(void *handle) {
    if (handle && !rm__keep_mapped()) dlclose(handle);
}

/* Records a failure; `reason` is a full sentence that starts with the path. */
static void rm__fail(rm_registry_t *r, rm_load_failure_kind_t kind,
                     const char *path, const char *fmt, ...)
    RM_PRINTF_LIKE(4, 5);
static void rm__fail(rm_registry_t *r, rm_load_failure_kind_t kind,
                     const char *path, const char *fmt, ...) {
    if (!rm__reserve((void **)&r->failures, &r->failure_capacity,
                     r->failure_count, sizeof(*r->failures))) {
        r->out_of_memory = 1;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char detail[8192]; /* a descriptor's problems can be many lines */
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    char *path_copy = strdup(path);
    char *reason = rm__strdupf("%s: %s", path, detail);
    if (!path_copy || !reason) {
        free(path_copy);
        free(reason);
        r->out_of_memory = 1;
        return;
    }
    rm_load_failure_t *failure = &r->failures[r->failure_count++];
    failure->kind = kind;
    failure->path = path_copy;
    failure->reason = reason;
}

/* ---- loading one file --------------------------------------------------- */

static const rm_registry_entry_t *rm__find_linear(const rm_registry_t *r,
                                                  const char *name) {
    for (size_t i = 0; i < r->entry_count; i++)
        if (strcmp(r->entries[i].type->name, name) == 0) return &r->entries[i];
    return NULL;
}

/* dlerror() usually starts with the path; drop it, the reason has it. */
static const char *rm__dlerror_detail(const char *path) {
    const char *text = dlerror();
    if (!text) return "unknown dlopen error";
    size_t path_len = strlen(path);
    if (strncmp(text, path, path_len) == 0 && text[path_len] == ':')
        text += path_len + 1 + (text[path_len + 1] == ' ');
    return text;
}

/* Keeps the plugin's node resolver (RM_NODE_RESOLVER_ID), if it has one;
 * a malformed one is a load failure (its node types stay). */
static void rm__add_resolver(rm_registry_t *r, const rm__plugin_t *plugin) {
    const rm_plugin_descriptor_t *d = plugin->descriptor;
    if (!RM_STRUCT_HAS(d, rm_plugin_descriptor_t, get_extension) ||
        !d->get_extension)
        return;
    const rm_node_resolver_t *resolver = d->get_extension(RM_NODE_RESOLVER_ID);
    if (!resolver) return;
    char why[256];
    if (rm__resolver_check(resolver, why, sizeof why) != RM_OK) {
        rm__fail(r, RM_LOAD_BAD_DESCRIPTOR, plugin->path, "%s", why);
        return;
    }
    if (!rm__reserve((void **)&r->resolvers, &r->resolver_capacity,
                     r->resolver_count, sizeof(*r->resolvers))) {
        r->out_of_memory = 1;
        return;
    }
    /* Insert by precedence, highest first; ties in load order. */
    size_t at = r->resolver_count;
    while (at > 0 &&
           r->resolvers[at - 1].resolver.precedence < resolver->precedence)
        at--;
    memmove(&r->resolvers[at + 1], &r->resolvers[at],
            (r->resolver_count - at) * sizeof(*r->resolvers));
    rm__resolver_t kept = {.plugin_path = plugin->path};
    /* The ABI 1.2 fields come all or none (an older struct ends before
     * them), so no field is ever copied in part. */
    size_t known = RM_STRUCT_HAS(resolver, rm_node_resolver_t, node_label)
                       ? sizeof kept.resolver
                       : offsetof(rm_node_resolver_t, flags);
    memcpy(&kept.resolver, resolver, known);
    kept.resolver.struct_size = (uint32_t)sizeof kept.resolver;
    /* Kept though refused, so the nodes it would claim are named. */
    kept.refused = r->no_python &&
                   (kept.resolver.capabilities & RM_CAP_NEEDS_PYTHON);
    r->resolvers[at] = kept;
    r->resolver_count++;
}

const rm__resolver_t *rm__registry_resolver_of(
    const rm_registry_t *registry, const rm_registry_entry_t *entry) {
    for (size_t i = 0; registry && entry && i < registry->resolver_count; i++)
        if (registry->resolvers[i].plugin_path == entry->plugin_path)
            return &registry->resolvers[i];
    return NULL;
}

const rm__resolver_t *rm__registry_resolvers(const rm_registry_t *registry,
                                             size_t *count) {
    *count = registry ? registry->resolver_count : 0;
    return registry ? registry->resolvers : NULL;
}

/* Adds the plugin's node types; a name already known is a failure that
 * names both files (first one wins). Returns how many were added. */
static size_t rm__add_types(rm_registry_t *r, const rm__plugin_t *plugin) {
    const rm_plugin_descriptor_t *d = plugin->descriptor;
    size_t added = 0;
    for (uint32_t i = 0; i < d->node_type_count; i++) {
        const rm_node_type_t *type = d->node_types[i];
        if (r->no_python && (type->capabilities & RM_CAP_NEEDS_PYTHON))
            continue; /* refused: Python node types run arbitrary code */
        const rm_registry_entry_t *first = rm__find_linear(r, type->name);
        if (first) {
            rm__fail(r, RM_LOAD_DUPLICATE_TYPE, plugin->path,
                     "node type '%s' is already provided by %s (found "
                     "first, so it wins); this file's '%s' is ignored",
                     type->name, first->plugin_path, type->name);
            continue;
        }
        if (!rm__reserve((void **)&r->entries, &r->entry_capacity,
                         r->entry_count, sizeof(*r->entries))) {
            r->out_of_memory = 1;
            return added;
        }
        rm_registry_entry_t *entry = &r->entries[r->entry_count++];
        entry->type = type;
        entry->plugin = d;
        entry->plugin_path = plugin->path;
        added++;
    }
    return added;
}

static int rm__already_loaded(const rm_registry_t *r, void *handle) {
    for (size_t i = 0; i < r->plugin_count; i++)
        if (r->plugins[i].handle == handle) return 1;
    return 0;
}

static void rm__load_file(rm_registry_t *r, const char *path) {
    dlerror();
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        rm__fail(r, RM_LOAD_NOT_A_PLUGIN, path,
                 "cannot be loaded as a shared object: %s",
                 rm__dlerror_detail(path));
        return;
    }
    /* The same file reached twice (a symlink, or a directory listed twice
     * under another name) is the same plugin, not a duplicate: dlopen just
     * counted another reference, which we drop. */
    if (rm__already_loaded(r, handle)) {
        dlclose(handle);
        return;
    }
    void *symbol = dlsym(handle, RM_PLUGIN_ENTRY_NAME);
    if (!symbol) {
        rm__fail(r, RM_LOAD_NO_ENTRY, path,
                 "not a RemoteMedia plugin: it does not export the entry "
                 "symbol '%s' (define it with RM_PLUGIN_DEFINE and build with "
                 "remotemedia_add_plugin() or pkg-config's plugin_ldflags; "
                 "docs/plugin-guide.md)",
                 RM_PLUGIN_ENTRY_NAME);
        rm__unload(handle);
        return;
    }
    rm_plugin_entry_fn entry;
    /* ISO C has no object-to-function pointer conversion; POSIX guarantees
     * the representation, so copy the bits. */
    memcpy(&entry, &symbol, sizeof(entry));
    const rm_plugin_descriptor_t *descriptor = entry();
    if (!descriptor) {
        rm__fail(r, RM_LOAD_BAD_DESCRIPTOR, path,
                 "%s() returned NULL; it must return a pointer to a static "
                 "rm_plugin_descriptor_t",
                 RM_PLUGIN_ENTRY_NAME);
        rm__unload(handle);
        return;
    }
    char why[4096];
    /* Version gate first: abi_major/abi_minor are the only fields whose
     * place every ABI version agrees on. */
    if (rm__abi_check(descriptor->abi_major, descriptor->abi_minor, why,
                      sizeof(why)) != RM_OK) {
        rm__fail(r, RM_LOAD_BAD_ABI, path, "%s", why);
        rm__unload(handle);
        return;
    }
    if (rm__descriptor_check(descriptor, why, sizeof(why)) != RM_OK) {
        rm__fail(r, RM_LOAD_BAD_DESCRIPTOR, path, "%s", why);
        rm__unload(handle);
        return;
    }
    if (!rm__reserve((void **)&r->plugins, &r->plugin_capacity,
                     r->plugin_count, sizeof(*r->plugins))) {
        r->out_of_memory = 1;
        rm__unload(handle);
        return;
    }
    rm__plugin_t *plugin = &r->plugins[r->plugin_count];
    plugin->path = strdup(path);
    if (!plugin->path) {
        r->out_of_memory = 1;
        rm__unload(handle);
        return;
    }
    plugin->handle = handle;
    plugin->descriptor = descriptor;
    r->plugin_count++;
    /* A plugin all of whose types lost to earlier plugins stays loaded:
     * it is healthy, and keeping it makes `rmrun failures` the only place
     * its shadowed types show up, with the reason. */
    rm__add_types(r, plugin);
    rm__add_resolver(r, plugin);
}

int rm_registry_refuses_python(const rm_registry_t *registry) {
    return registry ? registry->no_python : 0;
}

int rm_registry_probe_file(const char *path, char *why, size_t why_len) {
    rm_registry_t *r = calloc(1, sizeof(*r));
    if (!r) return RM_ENOMEM;
    rm__load_file(r, path);
    int status = r->out_of_memory ? RM_ENOMEM
                 : r->failure_count  ? RM_EINVAL
                                     : RM_OK;
    if (why && why_len)
        snprintf(why, why_len, "%s",
                 r->failure_count ? r->failures[0].reason : "");
    rm_registry_close(r); /* runs the plugin's destructors, as at exit */
    return status;
}

/* ---- scanning directories ----------------------------------------------- */

static int rm__compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int rm__is_plugin_name(const char *name) {
    size_t len = strlen(name);
    return len >= 3 && strcmp(name + len - 3, ".so") == 0;
}

static void rm__scan_dir(rm_registry_t *r, rm__scan_t *scan,
                         const char *dir) {
    DIR *stream = opendir(dir);
    if (!stream) {
        /* A directory that does not exist has nothing to load (PATH
         * semantics); one we may not read is worth reporting. */
        if (errno != ENOENT && errno != ENOTDIR)
            rm__fail(r, RM_LOAD_NOT_A_PLUGIN, dir,
                     "cannot read plugin directory: %s", strerror(errno));
        return;
    }
    char **names = NULL;
    size_t count = 0, capacity = 0;
    struct dirent *item;
    while ((item = readdir(stream)) != NULL) {
        if (!rm__is_plugin_name(item->d_name)) continue;
        char *name = strdup(item->d_name);
        if (!name || !rm__reserve((void **)&names, &capacity, count,
                                  sizeof(*names))) {
            free(name);
            r->out_of_memory = 1;
            break;
        }
        names[count++] = name;
    }
    closedir(stream);
    /* strcmp, not the locale's collation: the order (and so which of two
     * duplicates wins) must not depend on the user's LANG. */
    if (count) qsort(names, count, sizeof(*names), rm__compare_names);
    for (size_t i = 0; i < count; i++) {
        char *path = rm__strdupf("%s/%s", dir, names[i]);
        struct stat info;
        if (!path) {
            r->out_of_memory = 1;
        } else if (stat(path, &info) != 0) {
            rm__fail(r, RM_LOAD_NOT_A_PLUGIN, path, "cannot stat: %s",
                     strerror(errno));
        } else if (S_ISREG(info.st_mode)) {
            char why[512];
            if (rm__scan_file(scan, path, &info, why, sizeof why))
                rm__load_file(r, path);
            else
                rm__fail(r, RM_LOAD_CRASHED, path, "%s", why);
        }
        free(path);
        free(names[i]);
    }
    free(names);
}

/* Adds `dir` to the search list unless the same directory is already in
 * it (same inode, or same text when it does not exist). */
static void rm__add_dir(rm_registry_t *r, const char *dir) {
    struct stat info;
    int exists = stat(dir, &info) == 0;
    for (size_t i = 0; i < r->dir_count; i++) {
        struct stat other;
        if (strcmp(r->dirs[i], dir) == 0) return;
        if (exists && stat(r->dirs[i], &other) == 0 &&
            other.st_dev == info.st_dev && other.st_ino == info.st_ino)
            return;
    }
    char *copy = strdup(dir);
    if (!copy || !rm__reserve((void **)&r->dirs, &r->dir_capacity,
                              r->dir_count, sizeof(*r->dirs))) {
        free(copy);
        r->out_of_memory = 1;
        return;
    }
    r->dirs[r->dir_count++] = copy;
}

static void rm__add_path_list(rm_registry_t *r, const char *list) {
    const char *start = list;
    while (*start) {
        const char *end = strchr(start, ':');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        /* An empty element is skipped, not read as ".": loading code from
         * the current directory by accident is a security hole. */
        if (len) {
            char *dir = strndup(start, len);
            if (!dir) {
                r->out_of_memory = 1;
                return;
            }
            rm__add_dir(r, dir);
            free(dir);
        }
        if (!end) break;
        start = end + 1;
    }
}

/* ---- public API --------------------------------------------------------- */

static int rm__compare_entries(const void *a, const void *b) {
    const rm_registry_entry_t *x = a, *y = b;
    return strcmp(x->type->name, y->type->name);
}

int rm_registry_open(const rm_registry_options_t *options,
                     rm_registry_t **out) {
    if (!out) return RM_EINVAL;
    *out = NULL;
    if (options && (options->struct_size < RM__OPTIONS_V1_0_SIZE ||
                    (options->dir_count && !options->dirs)))
        return RM_EINVAL;
    rm_registry_t *r = calloc(1, sizeof(*r));
    if (!r) return RM_ENOMEM;

    const char *no_python = getenv(RM_NO_PYTHON_ENV);
    r->no_python = (no_python && strcmp(no_python, "1") == 0) ||
                   (options && RM_STRUCT_HAS(options, rm_registry_options_t, flags) &&
                    (options->flags & RM_REGISTRY_NO_PYTHON));
    int use_env = options ? options->use_env : 1;
    int use_default = options ? options->use_default : 1;
    if (options)
        for (size_t i = 0; i < options->dir_count; i++)
            if (options->dirs[i] && options->dirs[i][0])
                rm__add_dir(r, options->dirs[i]);
    if (use_env) {
        const char *env = getenv(RM_PLUGIN_PATH_ENV);
        if (env) rm__add_path_list(r, env);
    }
    if (use_default) {
        const char *dir = options && options->default_dir
                              ? options->default_dir
                              : rm_default_plugin_dir();
        if (dir) rm__add_dir(r, dir);
    }

    rm__scan_t scan;
    rm__scan_open(&scan);
    for (size_t i = 0; i < r->dir_count && !r->out_of_memory; i++)
        rm__scan_dir(r, &scan, r->dirs[i]);
    rm__scan_close(&scan);

    if (r->entry_count)
        qsort(r->entries, r->entry_count, sizeof(*r->entries),
              rm__compare_entries);
    if (r->out_of_memory) {
        rm_registry_close(r);
        return RM_ENOMEM;
    }
    *out = r;
    return RM_OK;
}

void rm_registry_close(rm_registry_t *registry) {
    if (!registry) return;
    /* A timed-out node call still running in a plugin must return into
     * mapped code (engine/watchdog.c): then no plugin is unloaded. */
    int keep_mapped = rm__keep_mapped() || rm__orphan_calls() > 0;
    /* Reverse load order, so a plugin is unloaded before anything loaded
     * ahead of it (mirrors dlopen's own dependency order). */
    for (size_t i = registry->plugin_count; i-- > 0;) {
        if (!keep_mapped) dlclose(registry->plugins[i].handle);
        free(registry->plugins[i].path);
    }
    for (size_t i = 0; i < registry->failure_count; i++) {
        free((char *)registry->failures[i].path);
        free((char *)registry->failures[i].reason);
    }
    for (size_t i = 0; i < registry->dir_count; i++) free(registry->dirs[i]);
    free(registry->plugins);
    free(registry->entries);
    free(registry->failures);
    free(registry->resolvers);
    free(registry->dirs);
    free(registry);
}

size_t rm_registry_count(const rm_registry_t *registry) {
    return registry ? registry->entry_count : 0;
}

const rm_registry_entry_t *rm_registry_at(const rm_registry_t *registry,
                                          size_t index) {
    return registry && index < registry->entry_count
               ? &registry->entries[index]
               : NULL;
}

static int rm__compare_key(const void *key, const void *element) {
    const rm_registry_entry_t *entry = element;
    return strcmp((const char *)key, entry->type->name);
}

const rm_registry_entry_t *rm_registry_find(const rm_registry_t *registry,
                                            const char *type_name) {
    if (!registry || !type_name || !registry->entry_count) return NULL;
    return bsearch(type_name, registry->entries, registry->entry_count,
                   sizeof(*registry->entries), rm__compare_key);
}

size_t rm_registry_failure_count(const rm_registry_t *registry) {
    return registry ? registry->failure_count : 0;
}

const rm_load_failure_t *rm_registry_failure_at(const rm_registry_t *registry,
                                                size_t index) {
    return registry && index < registry->failure_count
               ? &registry->failures[index]
               : NULL;
}

size_t rm_registry_dir_count(const rm_registry_t *registry) {
    return registry ? registry->dir_count : 0;
}

const char *rm_registry_dir_at(const rm_registry_t *registry, size_t index) {
    return registry && index < registry->dir_count ? registry->dirs[index]
                                                   : NULL;
}

size_t rm_registry_plugin_count(const rm_registry_t *registry) {
    return registry ? registry->plugin_count : 0;
}

const rm_plugin_descriptor_t *rm_registry_plugin_at(
    const rm_registry_t *registry, size_t index, const char **path) {
    if (!registry || index >= registry->plugin_count) {
        if (path) *path = NULL;
        return NULL;
    }
    if (path) *path = registry->plugins[index].path;
    return registry->plugins[index].descriptor;
}

/* ---- the default directory ---------------------------------------------- */

static pthread_once_t rm__default_dir_once = PTHREAD_ONCE_INIT;
static char rm__default_dir[PATH_MAX];
static int rm__default_dir_found;

/* <prefix>/lib/libremotemedia.so → <prefix>/lib/remotemedia/plugins: the
 * library's own directory, found with dladdr, works in the build tree, an
 * install prefix and a Python wheel alike, with no configured path. */
static void rm__default_dir_compute(void) {
    Dl_info info;
    if (!dladdr((void *)&rm__default_dir_compute, &info) || !info.dli_fname)
        return;
    char library[PATH_MAX];
    if (!realpath(info.dli_fname, library)) return;
    char *slash = strrchr(library, '/');
    if (!slash || (size_t)(slash - library) + 4 > sizeof(library)) return;
    /* dirname(lib)/.. normalised; the plugin dir itself may not exist yet. */
    memcpy(slash, "/..", 4);
    char prefix[PATH_MAX];
    if (!realpath(library, prefix)) return;
    int n = snprintf(rm__default_dir, sizeof(rm__default_dir), "%s/%s",
                     strcmp(prefix, "/") == 0 ? "" : prefix, RM_PLUGIN_SUBDIR);
    rm__default_dir_found = n > 0 && (size_t)n < sizeof(rm__default_dir);
}

const char *rm_default_plugin_dir(void) {
    pthread_once(&rm__default_dir_once, rm__default_dir_compute);
    return rm__default_dir_found ? rm__default_dir : NULL;
}
