/*
 * test_plugin_exports.c — a plugin exports rm_plugin_entry and nothing
 * else, for the test plugin built like every real one and for every plugin
 * in the project's plugin directory. Extra exports would collide between
 * plugins and with the host (an RTLD_LOCAL load hides them from others, but
 * not from the plugin's own dependencies).
 */
#include "rm_test.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>

/* Every defined dynamic symbol of `path` other than rm_plugin_entry, joined
 * by spaces; counts rm_plugin_entry in *entries. */
static void rmt_exports(const char *path, char *extra, size_t size,
                        int *entries) {
    char command[PATH_MAX + 128];
    snprintf(command, sizeof(command), "'%s' -D --defined-only '%s'",
             RM_TEST_NM, path);
    FILE *pipe = popen(command, "r");
    ASSERT_NOT_NULL(pipe);
    char line[512];
    extra[0] = '\0';
    *entries = 0;
    int lines = 0;
    while (fgets(line, sizeof(line), pipe)) {
        lines++;
        char address[64], kind[8], name[400];
        if (sscanf(line, "%63s %7s %399s", address, kind, name) != 3) continue;
        /* The anonymous version node of the version script shows as an
         * absolute symbol ("A"); it is not code or data. */
        if (strcmp(kind, "A") == 0) continue;
        if (strcmp(name, "rm_plugin_entry") == 0) {
            (*entries)++;
            continue;
        }
        strncat(extra, name, size - strlen(extra) - 2);
        strcat(extra, " ");
    }
    ASSERT_EQ_INT(pclose(pipe), 0);
    ASSERT_TRUE(lines > 0);
}

static void rmt_expect_only_entry(const char *path) {
    char extra[4096];
    int entries = 0;
    rmt_exports(path, extra, sizeof(extra), &entries);
    if (entries != 1 || extra[0])
        RM__FAIL("%s: exports rm_plugin_entry %d time(s) and also: [%s]",
                 path, entries, extra);
}

RM_TEST(test_plugin_exports_only_entry) {
    rmt_expect_only_entry(RM_TEST_PLUGINS_DIR "/rmtest_good.so");
}

RM_TEST(hidden_symbols_not_reachable_by_dlsym) {
    void *handle =
        dlopen(RM_TEST_PLUGINS_DIR "/rmtest_good.so", RTLD_NOW | RTLD_LOCAL);
    ASSERT_NOT_NULL(handle);
    ASSERT_NOT_NULL(dlsym(handle, "rm_plugin_entry"));
    /* Has external linkage in the source; the version script hides it. */
    ASSERT_TRUE(dlsym(handle, "rm_test_good_hidden_helper") == NULL);
    dlclose(handle);
}

RM_TEST(project_plugins_export_only_entry) {
    DIR *dir = opendir(RM_TEST_PLUGIN_DIR);
    if (!dir) {
        printf("  (no project plugins built yet in %s)\n", RM_TEST_PLUGIN_DIR);
        return;
    }
    struct dirent *entry;
    int checked = 0;
    while ((entry = readdir(dir)) != NULL) {
        size_t len = strlen(entry->d_name);
        if (len < 4 || strcmp(entry->d_name + len - 3, ".so") != 0) continue;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", RM_TEST_PLUGIN_DIR,
                 entry->d_name);
        rmt_expect_only_entry(path);
        checked++;
    }
    closedir(dir);
    printf("  %d project plugin(s) checked\n", checked);
}

RM_TEST_LIST(RM_TEST_ENTRY(test_plugin_exports_only_entry),
             RM_TEST_ENTRY(hidden_symbols_not_reachable_by_dlsym),
             RM_TEST_ENTRY(project_plugins_export_only_entry))
