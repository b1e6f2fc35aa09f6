/*
 * plugin_dir.h — a private plugin directory per test case.
 *
 * Each case builds the directory it needs from the test plugins in
 * RM_TEST_PLUGINS_DIR (symlinked under a chosen name, so the case decides
 * the scan order) and files it writes itself (garbage "plugins"). The
 * directories live in the build tree, not /tmp, because /tmp may be
 * mounted noexec and dlopen would then fail for the wrong reason. They are
 * removed at exit, also when an assertion fails.
 */
#ifndef RM_TEST_PLUGIN_DIR_H
#define RM_TEST_PLUGIN_DIR_H

#include "rm_test.h"

#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>

#define RMT_MAX_DIRS 32
static char rmt_dirs[RMT_MAX_DIRS][PATH_MAX];
static int rmt_dir_count;

static void rmt_remove_tree(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) {
        unlink(path);
        return;
    }
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
            continue;
        char child[PATH_MAX];
        snprintf(child, sizeof(child), "%s/%s", path, entry->d_name);
        struct stat info;
        if (lstat(child, &info) == 0 && S_ISDIR(info.st_mode))
            rmt_remove_tree(child);
        else
            unlink(child);
    }
    closedir(dir);
    rmdir(path);
}

static void rmt_cleanup(void) {
    for (int i = 0; i < rmt_dir_count; i++) rmt_remove_tree(rmt_dirs[i]);
    rmt_dir_count = 0;
}

/* A new empty directory; owned by the harness (removed at exit). */
static const char *rmt_dir_new(void) {
    ASSERT_TRUE(rmt_dir_count < RMT_MAX_DIRS);
    if (rmt_dir_count == 0) atexit(rmt_cleanup);
    char *path = rmt_dirs[rmt_dir_count];
    snprintf(path, PATH_MAX, "%s/tests/tmp-plugins-XXXXXX", RM_TEST_BUILD_DIR);
    ASSERT_NOT_NULL(mkdtemp(path));
    rmt_dir_count++;
    return path;
}

/* The built test plugin `name` ("rmtest_good"), as a path. */
static const char *rmt_plugin_path(const char *name, char *out, size_t size) {
    snprintf(out, size, "%s/%s.so", RM_TEST_PLUGINS_DIR, name);
    return out;
}

/* dir/as_name -> the built test plugin `name`. */
static void rmt_dir_link(const char *dir, const char *name,
                         const char *as_name) {
    char target[PATH_MAX], link_path[PATH_MAX];
    rmt_plugin_path(name, target, sizeof(target));
    struct stat info;
    if (stat(target, &info) != 0) RM__FAIL("test plugin missing: %s", target);
    snprintf(link_path, sizeof(link_path), "%s/%s", dir, as_name);
    ASSERT_EQ_INT(symlink(target, link_path), 0);
}

static void rmt_dir_write(const char *dir, const char *name, const void *bytes,
                          size_t size) {
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *file = fopen(path, "wb");
    ASSERT_NOT_NULL(file);
    ASSERT_EQ_INT(fwrite(bytes, 1, size, file), size);
    ASSERT_EQ_INT(fclose(file), 0);
}

/* Every test plugin, plus garbage.so (random bytes), notes.so (text), a
 * README (ignored: not *.so) and a directory named sub.so (ignored). Names
 * keep the build's names so the scan order is rmtest_good < rmtest_shadow. */
static const char *rmt_dir_everything(void) {
    static const char *const names[] = {
        "rmtest_abi_major2", "rmtest_abi_minor99", "rmtest_bad_param",
        "rmtest_good",       "rmtest_no_entry",    "rmtest_null_entry",
        "rmtest_shadow",     "rmtest_undef"};
    const char *dir = rmt_dir_new();
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char as_name[128];
        snprintf(as_name, sizeof(as_name), "%s.so", names[i]);
        rmt_dir_link(dir, names[i], as_name);
    }
    unsigned char noise[4096];
    unsigned state = 12345;
    for (size_t i = 0; i < sizeof(noise); i++) {
        state = state * 1103515245u + 12345u;
        noise[i] = (unsigned char)(state >> 16);
    }
    rmt_dir_write(dir, "garbage.so", noise, sizeof(noise));
    static const char text[] = "this is a text file, not a plugin\n";
    rmt_dir_write(dir, "notes.so", text, sizeof(text) - 1);
    rmt_dir_write(dir, "README", text, sizeof(text) - 1);
    char sub[PATH_MAX];
    snprintf(sub, sizeof(sub), "%s/sub.so", dir);
    ASSERT_EQ_INT(mkdir(sub, 0700), 0);
    return dir;
}

#define RMT_EVERYTHING_FAILURES 9 /* files in rmt_dir_everything that fail */

#endif /* RM_TEST_PLUGIN_DIR_H */
