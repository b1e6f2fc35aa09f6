/*
 * adapter_entry.c — the CPython adapter plugin's entry point (a shim).
 *
 * Why a shim: the adapter must work in two kinds of process.
 *  - Inside a Python process (the SDK), the interpreter is already running
 *    and its Py* symbols are global; loading a second libpython would break
 *    (and some Pythons are linked statically, so there is no libpython.so to
 *    share at all).
 *  - Inside rmrun, nothing provides Python: libpython must be loaded, and
 *    loaded RTLD_GLOBAL, or extension modules such as numpy cannot resolve
 *    the Py* symbols they expect to be global.
 * So this shim links no Python at all. It declares the node types (static
 * data, so `rmrun --list` costs nothing), and on first create it makes the
 * Py* symbols available — already there, or libpython dlopened
 * RTLD_GLOBAL — then loads the real implementation (python-adapter-impl.so,
 * next to the plugin directory, not in it) which was linked against nothing
 * and resolves Py* from the global scope.
 */
#include <remotemedia/plugin.h>

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter_impl.h"
#include "adapter_paths.h"
#include "module_beside.h"
#include "resolver.h"

#ifndef RM_LIBPYTHON_SONAME
#define RM_LIBPYTHON_SONAME ""
#endif
#define RM_ADAPTER_IMPL_FILE "python-adapter-impl.so"

static pthread_once_t impl_once = PTHREAD_ONCE_INIT;
static const rm_python_impl_t *impl;
static char impl_error[2 * PATH_MAX + 1024];

/* Make Py* symbols global, or say why not. */
static int ensure_libpython(void) {
    if (dlsym(RTLD_DEFAULT, "Py_IsInitialized")) return 0; /* in a Python */
    /* The build tree's libpython (python-adapter.cfg, never installed);
     * the SONAME (system Pythons); the lib folder of the base interpreter
     * of the venv this plugin is installed in (pyenv and other prefixes). */
    char built[PATH_MAX] = "", venv_lib[2 * PATH_MAX + 64] = "";
    rm_adapter_build_setting((void *)&ensure_libpython, "libpython", built,
                             sizeof built);
    char venv[PATH_MAX], home[PATH_MAX], cfg[PATH_MAX + 16];
    if (rm_adapter_venv_of((void *)&ensure_libpython, venv, sizeof venv)) {
        snprintf(cfg, sizeof cfg, "%s/pyvenv.cfg", venv);
        if (rm_adapter_cfg_value(cfg, "home", home, sizeof home))
            snprintf(venv_lib, sizeof venv_lib, "%s/../lib/%s", home,
                     RM_LIBPYTHON_SONAME);
    }
    const char *candidates[4] = {getenv("REMOTEMEDIA_LIBPYTHON"), built,
                                 RM_LIBPYTHON_SONAME, venv_lib};
    char tried[1024] = "";
    for (size_t i = 0; i < 4; i++) {
        const char *path = candidates[i];
        if (!path || !*path) continue;
        if (dlopen(path, RTLD_NOW | RTLD_GLOBAL)) return 0;
        size_t used = strlen(tried);
        snprintf(tried + used, sizeof tried - used, "%s%s (%s)",
                 used ? "; " : "", path, dlerror());
    }
    snprintf(impl_error, sizeof impl_error,
             "cannot load libpython: tried %s; set REMOTEMEDIA_LIBPYTHON to "
             "the path of libpython3.x.so",
             tried[0] ? tried : "nothing (no path known)");
    return -1;
}

static void load_impl(void) {
    if (ensure_libpython() != 0) return;
    /* The module stays loaded for the life of the process: Python code and
     * its threads may hold pointers into it. */
    char why[sizeof impl_error - 64] = "";
    const char *override = getenv("REMOTEMEDIA_PYTHON_ADAPTER_IMPL");
    const rm_module_table_head_t expect = {RM_PYTHON_IMPL_LAYOUT,
                                           sizeof(rm_python_impl_t)};
    impl = override && *override
               ? rm_module_open(override, RM_PYTHON_IMPL_SYMBOL, &expect, why,
                                sizeof why)
               /* <prefix>/lib/remotemedia/plugins/python.so -> ../ */
               : rm_module_beside((const void *)&impl_once, "..",
                                  RM_ADAPTER_IMPL_FILE, RM_PYTHON_IMPL_SYMBOL,
                                  &expect, why, sizeof why);
    if (!impl)
        snprintf(impl_error, sizeof impl_error,
                 "cannot load the Python adapter implementation: %s", why);
}

static int adapter_create(const rm_host_t *host, const rm_params_t *params,
                          void **instance, rm_error_t *err) {
    pthread_once(&impl_once, load_impl);
    if (!impl)
        return host->error_set(err, RM_ENOTSUP, 0, "Python unavailable: %s",
                               impl_error);
    return impl->create(host, params, instance, err);
}

static int adapter_create_source(const rm_host_t *host,
                                 const rm_params_t *params, void **instance,
                                 rm_error_t *err) {
    return adapter_create(host, params, instance, err);
}

static int adapter_process(void *instance, uint32_t port, rm_item_t *item,
                           rm_emit_t *out, rm_error_t *err) {
    return impl->process(instance, port, item, out, err);
}

static int adapter_generate(void *instance, rm_emit_t *out, int *finished,
                            rm_error_t *err) {
    return impl->generate(instance, out, finished, err);
}

static int adapter_flush(void *instance, rm_emit_t *out, rm_error_t *err) {
    return impl->flush(instance, out, err);
}

static void adapter_destroy(void *instance) { impl->destroy(instance); }

static const rm_param_spec_t python_params[] = {
    {"module", RM_PARAM_STRING, 0, "\"\"", 0, 0, NULL,
     "module that defines the node class (\"\" when `instance` is given)"},
    {"class", RM_PARAM_STRING, 0, "\"\"", 0, 0, NULL,
     "class name of the node (a remotemedia.Node subclass)"},
    {"config", RM_PARAM_JSON, 0, "{}", 0, 0, NULL,
     "keyword arguments for the class (the node's params)"},
    {"instance", RM_PARAM_STRING, 0, "\"\"", 0, 0, NULL,
     "key of a live node object registered by the SDK for this run"},
    {"name", RM_PARAM_STRING, 0, "\"\"", 0, 0, NULL,
     "node name passed to the class (defaults to the node id)"},
    {"is_streaming", RM_PARAM_BOOL, 0, "false", 0, 0, NULL,
     "the node receives the whole input stream as one async iterator"},
};

static const rm_port_spec_t any_in[] = {
    {"in", RM_KINDS_ANY, "any item; converted to the SDK's Python types"}};
static const rm_port_spec_t any_out[] = {
    {"out", RM_KINDS_ANY, "what the Python node returns or yields"}};

static const rm_node_type_t python_node = {
    sizeof(rm_node_type_t),
    "PythonNode",
    "Runs a Python node class (remotemedia.Node) inside a native pipeline",
    "1.0.0",
    RM_CAP_STATEFUL | RM_CAP_STREAMING | RM_CAP_NEEDS_PYTHON,
    python_params, sizeof python_params / sizeof python_params[0],
    1, any_in, any_out, 1, 0,
    adapter_create, adapter_process, NULL, adapter_flush, adapter_destroy,
    NULL,
};

static const rm_node_type_t python_source = {
    sizeof(rm_node_type_t),
    "PythonSource",
    "Runs a Python source node (process() with no input yields items)",
    "1.0.0",
    RM_CAP_STATEFUL | RM_CAP_STREAMING | RM_CAP_SOURCE | RM_CAP_NEEDS_PYTHON,
    python_params, sizeof python_params / sizeof python_params[0],
    0, NULL, any_out, 1, 0,
    adapter_create_source, NULL, adapter_generate, adapter_flush,
    adapter_destroy, NULL,
};

static const rm_node_type_t *const node_types[] = {&python_node,
                                                   &python_source};

/* Manifest nodes with a "python" location (resolver.c). */
static const void *get_extension(const char *id) {
    return id && strcmp(id, RM_NODE_RESOLVER_ID) == 0 ? &rm_python_resolver
                                                      : NULL;
}

static const rm_plugin_descriptor_t descriptor = {
    RM_PLUGIN_DESCRIPTOR_HEADER,
    "org.remotemedia.python",
    "CPython adapter",
    "1.0.0",
    "Python nodes inside native pipelines (embeds or joins the interpreter)",
    node_types, 2, 0, get_extension,
};

RM_PLUGIN_DEFINE(descriptor)
