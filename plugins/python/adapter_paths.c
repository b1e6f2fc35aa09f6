/* adapter_paths.c — see adapter_paths.h. */
#include "adapter_paths.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int dir_of(const void *anchor, char *out, size_t size) {
    Dl_info info;
    char path[PATH_MAX];
    if (!dladdr(anchor, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, path))
        return 0;
    char *slash = strrchr(path, '/');
    if (!slash) return 0;
    *slash = '\0';
    return snprintf(out, size, "%s", path) < (int)size;
}

int rm_adapter_venv_of(const void *anchor, char *out, size_t size) {
    char dir[PATH_MAX];
    if (!dir_of(anchor, dir, sizeof dir)) return 0;
    for (int depth = 0; depth < 12; depth++) {
        char cfg[PATH_MAX + 16];
        snprintf(cfg, sizeof cfg, "%s/pyvenv.cfg", dir);
        if (access(cfg, R_OK) == 0)
            return snprintf(out, size, "%s", dir) < (int)size;
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) return 0;
        *slash = '\0';
    }
    return 0;
}

int rm_adapter_cfg_value(const char *file, const char *key, char *out,
                         size_t size) {
    FILE *f = fopen(file, "r");
    if (!f) return 0;
    char line[PATH_MAX + 64];
    size_t key_len = strlen(key);
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (strncmp(p, key, key_len) != 0) continue;
        p += key_len;
        while (*p == ' ' || *p == '\t') p++;
        if (*p != '=') continue;
        p++;
        while (*p == ' ' || *p == '\t') p++;
        p[strcspn(p, "\r\n")] = '\0';
        found = *p && snprintf(out, size, "%s", p) < (int)size;
    }
    fclose(f);
    return found;
}

int rm_adapter_build_setting(const void *anchor, const char *key, char *out,
                             size_t size) {
    char dir[PATH_MAX], file[PATH_MAX + 32];
    if (!dir_of(anchor, dir, sizeof dir)) return 0;
    /* python.so sits in plugins/, python-adapter-impl.so one folder up. */
    snprintf(file, sizeof file, "%s/%s", dir, RM_ADAPTER_CFG_FILE);
    if (access(file, R_OK) != 0) {
        char *slash = strrchr(dir, '/');
        if (!slash) return 0;
        *slash = '\0';
        snprintf(file, sizeof file, "%s/%s", dir, RM_ADAPTER_CFG_FILE);
    }
    return rm_adapter_cfg_value(file, key, out, size);
}
