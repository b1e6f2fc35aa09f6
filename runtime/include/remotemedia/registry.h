/*
 * remotemedia/registry.h — finding and loading plugins.
 *
 * The registry scans plugin directories, dlopens every `*.so` in them with
 * RTLD_NOW | RTLD_LOCAL, checks each plugin's ABI version, and maps node
 * type names to the node types that provide them. A file that is not a
 * plugin, lacks the entry symbol, has an unsupported ABI, or declares a node
 * type another plugin already declared is reported (file + reason) and
 * skipped; the healthy plugins still load. Nothing here ever aborts the
 * process on a bad file.
 *
 * Search order (first match wins for duplicate types):
 *   1. the directories given in rm_registry_options_t.dirs, in order;
 *   2. the REMOTEMEDIA_PLUGIN_PATH environment variable (colon-separated),
 *      unless use_env is 0;
 *   3. the installed default directory (the project's own plugins), unless
 *      use_default is 0.
 *
 * Thread safety: opening is [main-thread]; a registry that is open is
 * immutable, and every lookup below is [thread-safe].
 */
#ifndef REMOTEMEDIA_REGISTRY_H
#define REMOTEMEDIA_REGISTRY_H

#include <remotemedia/export.h>
#include <stddef.h>
#include <remotemedia/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RM_PLUGIN_PATH_ENV "REMOTEMEDIA_PLUGIN_PATH"

typedef struct rm_registry rm_registry_t;

typedef struct rm_registry_options {
    uint32_t struct_size;        /* sizeof(rm_registry_options_t)            */
    const char *const *dirs;     /* borrowed; dir_count entries              */
    size_t dir_count;
    int use_env;                 /* read REMOTEMEDIA_PLUGIN_PATH (default 1) */
    int use_default;             /* scan the installed default dir (1)       */
    const char *default_dir;     /* override the default dir; NULL = built-in */
    /* Appended (read only when struct_size covers it): */
    uint32_t flags;              /* RM_REGISTRY_*                            */
} rm_registry_options_t;

/* rm_registry_options_t.flags. A manifest that names a Python class runs
 * that code (any module, any class): with NO_PYTHON, node types that need
 * the Python interpreter (RM_CAP_NEEDS_PYTHON) are left out of the
 * registry, so such a manifest fails validation naming its Python nodes.
 * The environment variable REMOTEMEDIA_NO_PYTHON=1 sets it for every
 * registry a process opens (rmrun --no-python, the SDK's batch and
 * distributed runs with allow_python=False). */
#define RM_REGISTRY_NO_PYTHON (1u << 0)
#define RM_NO_PYTHON_ENV "REMOTEMEDIA_NO_PYTHON"

/* Why a plugin file was not loaded. */
typedef enum rm_load_failure_kind {
    RM_LOAD_NOT_A_PLUGIN = 1,  /* dlopen failed: not a shared object, or a
                                  missing library/symbol it needs           */
    RM_LOAD_NO_ENTRY = 2,      /* loaded, but no rm_plugin_entry symbol     */
    RM_LOAD_BAD_ABI = 3,       /* unsupported ABI version                    */
    RM_LOAD_BAD_DESCRIPTOR = 4,/* NULL descriptor, missing names, bad specs  */
    RM_LOAD_DUPLICATE_TYPE = 5,/* a node type another plugin declared first */
    RM_LOAD_CRASHED = 6        /* crashed, exited or hung the scanner child
                                  while loading: never loaded in-process    */
} rm_load_failure_kind_t;

typedef struct rm_load_failure {
    rm_load_failure_kind_t kind;
    const char *path;          /* the file; owned by the registry            */
    const char *reason;        /* full human message; owned by the registry  */
} rm_load_failure_t;

/* One node type known to the registry. */
typedef struct rm_registry_entry {
    const rm_node_type_t *type;               /* owned by the plugin         */
    const rm_plugin_descriptor_t *plugin;     /* owned by the plugin         */
    const char *plugin_path;                  /* owned by the registry       */
} rm_registry_entry_t;

/* Scan and load. Returns RM_OK and *out even when some files failed to load
 * (see rm_registry_failures); an error only when nothing could be set up
 * (out of memory). `options` may be NULL for the defaults. */
RM_API int rm_registry_open(const rm_registry_options_t *options,
                     rm_registry_t **out);
/* Unload everything. Set REMOTEMEDIA_NO_DLCLOSE=1 to keep the plugins mapped
 * (useful under valgrind to keep symbol names in reports). */
RM_API void rm_registry_close(rm_registry_t *registry);

/* Node types, sorted by name. */
RM_API size_t rm_registry_count(const rm_registry_t *registry);
RM_API const rm_registry_entry_t *rm_registry_at(const rm_registry_t *registry,
                                          size_t index);
/* NULL when no loaded plugin provides `type_name`. */
RM_API const rm_registry_entry_t *rm_registry_find(const rm_registry_t *registry,
                                            const char *type_name);

/* Files that were not loaded, in scan order. */
RM_API size_t rm_registry_failure_count(const rm_registry_t *registry);
RM_API const rm_load_failure_t *rm_registry_failure_at(const rm_registry_t *registry,
                                                size_t index);

/* The directories scanned, in order (for "searched: ..." messages). */
RM_API size_t rm_registry_dir_count(const rm_registry_t *registry);
RM_API const char *rm_registry_dir_at(const rm_registry_t *registry, size_t index);

/* Loaded plugins (one per file), in scan order. */
RM_API size_t rm_registry_plugin_count(const rm_registry_t *registry);
RM_API const rm_plugin_descriptor_t *rm_registry_plugin_at(
    const rm_registry_t *registry, size_t index, const char **path);

/* Load one plugin file in this process exactly as rm_registry_open does
 * (dlopen, entry, ABI and descriptor checks), then unload it. RM_OK when it
 * is a healthy plugin; else a status, with the reason in `why`. Used by
 * the scanner process (rm-plugin-scanner) that every unknown plugin file
 * goes through before rm_registry_open loads it: a file that crashes,
 * exits or hangs while loading takes down the scanner, not the caller. */
/* Non-zero when the registry leaves out Python node types
 * (RM_REGISTRY_NO_PYTHON or REMOTEMEDIA_NO_PYTHON=1). */
RM_API int rm_registry_refuses_python(const rm_registry_t *registry);

RM_API int rm_registry_probe_file(const char *path, char *why, size_t why_len);

/* The built-in default plugin directory: <dir of the runtime library or
 * executable>/../lib/remotemedia/plugins, so build and install trees
 * behave alike. Owned by the runtime; NULL if it cannot be determined. */
RM_API const char *rm_default_plugin_dir(void);

#ifdef __cplusplus
}
#endif

#endif /* REMOTEMEDIA_REGISTRY_H */
