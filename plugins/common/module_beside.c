/*
 * module_beside.c — see module_beside.h.
 */
#include "module_beside.h"

#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>

const void *rm_module_open(const char *path, const char *symbol,
                           const rm_module_table_head_t *expect, char *why,
                           size_t why_len) {
    void *module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!module) {
        const char *reason = dlerror();
        snprintf(why, why_len, "%s", reason ? reason : path);
        return NULL;
    }
    const rm_module_table_head_t *found = dlsym(module, symbol);
    if (!found) {
        snprintf(why, why_len, "%s has no %s", path, symbol);
        dlclose(module);
        return NULL;
    }
    if (found->layout != expect->layout ||
        found->struct_size != expect->struct_size) {
        snprintf(why, why_len,
                 "%s: its %s is not the table this plugin reads (layout "
                 "%u of %u bytes, expected layout %u of %u bytes): a module "
                 "of another build; install the plugin and its modules "
                 "from one build",
                 path, symbol, (unsigned)found->layout,
                 (unsigned)found->struct_size, (unsigned)expect->layout,
                 (unsigned)expect->struct_size);
        dlclose(module);
        return NULL;
    }
    return found;
}

const void *rm_module_beside(const void *anchor, const char *dir,
                             const char *file, const char *symbol,
                             const rm_module_table_head_t *expect, char *why,
                             size_t why_len) {
    Dl_info self;
    if (!dladdr(anchor, &self) || !self.dli_fname) {
        snprintf(why, why_len, "cannot tell where the plugin file is");
        return NULL;
    }
    char folder[4096], path[4400];
    snprintf(folder, sizeof folder, "%s", self.dli_fname);
    snprintf(path, sizeof path, "%s/%s/%s", dirname(folder), dir, file);
    return rm_module_open(path, symbol, expect, why, why_len);
}
