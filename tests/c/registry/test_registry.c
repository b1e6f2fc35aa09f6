/* test_registry.c — scanning, loading, reporting, search order. */
#include "plugin_dir.h"

#include <remotemedia/registry.h>

#include <dlfcn.h>
#include <stdio.h>
#include <sys/wait.h>

/* snprintf into a path buffer; a path that does not fit fails the test. */
#define RMT_PATH(buf, size, ...)                                        \
    ASSERT_TRUE(snprintf(buf, size, __VA_ARGS__) < (int)(size))

/* Options that see only `dirs` (no environment, no default directory). */
static rm_registry_options_t rmt_options(const char *const *dirs,
                                         size_t count) {
    rm_registry_options_t options = {0};
    options.struct_size = sizeof(options);
    options.dirs = dirs;
    options.dir_count = count;
    return options;
}

static rm_registry_t *rmt_open(const rm_registry_options_t *options) {
    rm_registry_t *registry = NULL;
    ASSERT_EQ_INT(rm_registry_open(options, &registry), RM_OK);
    ASSERT_NOT_NULL(registry);
    return registry;
}

static const rm_load_failure_t *rmt_failure_for(const rm_registry_t *registry,
                                                const char *file_name) {
    for (size_t i = 0; i < rm_registry_failure_count(registry); i++) {
        const rm_load_failure_t *failure = rm_registry_failure_at(registry, i);
        const char *slash = strrchr(failure->path, '/');
        if (strcmp(slash ? slash + 1 : failure->path, file_name) == 0)
            return failure;
    }
    RM__FAIL("no failure recorded for %s", file_name);
    return NULL;
}

/* The failure for `file_name` has `kind` and a reason that names its path. */
static const rm_load_failure_t *rmt_expect_failure(
    const rm_registry_t *registry, const char *file_name,
    rm_load_failure_kind_t kind) {
    const rm_load_failure_t *failure = rmt_failure_for(registry, file_name);
    ASSERT_EQ_INT(failure->kind, kind);
    ASSERT_STR_CONTAINS(failure->reason, failure->path);
    return failure;
}

RM_TEST(good_plugin_types_found) {
    const char *dir = rmt_dir_new();
    rmt_dir_link(dir, "rmtest_good", "good.so");
    rm_registry_options_t options = rmt_options(&dir, 1);
    rm_registry_t *registry = rmt_open(&options);

    ASSERT_EQ_INT(rm_registry_failure_count(registry), 0);
    ASSERT_EQ_INT(rm_registry_count(registry), 2);
    ASSERT_EQ_INT(rm_registry_plugin_count(registry), 1);
    ASSERT_EQ_INT(rm_registry_dir_count(registry), 1);
    ASSERT_STR_EQ(rm_registry_dir_at(registry, 0), dir);

    const rm_registry_entry_t *gain = rm_registry_find(registry, "TestGain");
    ASSERT_NOT_NULL(gain);
    ASSERT_STR_EQ(gain->type->version, "1.2.3");
    ASSERT_STR_EQ(gain->plugin->id, "org.remotemedia.test.good");
    ASSERT_STR_CONTAINS(gain->plugin_path, "/good.so");
    ASSERT_EQ_INT(gain->type->param_count, 6);
    const rm_registry_entry_t *source =
        rm_registry_find(registry, "TestSource");
    ASSERT_NOT_NULL(source);
    ASSERT_TRUE(source->type->capabilities & RM_CAP_SOURCE);
    ASSERT_TRUE(rm_registry_find(registry, "TestGai") == NULL);
    ASSERT_TRUE(rm_registry_find(registry, "testgain") == NULL);
    ASSERT_TRUE(rm_registry_find(registry, "") == NULL);
    ASSERT_TRUE(rm_registry_at(registry, 2) == NULL);

    const char *path = NULL;
    const rm_plugin_descriptor_t *plugin =
        rm_registry_plugin_at(registry, 0, &path);
    ASSERT_NOT_NULL(plugin);
    ASSERT_STR_EQ(path, gain->plugin_path);
    rm_registry_close(registry);
}

RM_TEST(every_bad_file_reported_healthy_kept) {
    const char *dir = rmt_dir_everything();
    rm_registry_options_t options = rmt_options(&dir, 1);
    rm_registry_t *registry = rmt_open(&options);

    /* The healthy plugin and the shadowing plugin's own type still load. */
    ASSERT_EQ_INT(rm_registry_count(registry), 3);
    ASSERT_NOT_NULL(rm_registry_find(registry, "TestGain"));
    ASSERT_NOT_NULL(rm_registry_find(registry, "TestSource"));
    ASSERT_NOT_NULL(rm_registry_find(registry, "TestShadowOnly"));
    ASSERT_STR_EQ(rm_registry_find(registry, "TestGain")->type->version,
                  "1.2.3");
    ASSERT_TRUE(rm_registry_find(registry, "TestBadParams") == NULL);
    ASSERT_EQ_INT(rm_registry_failure_count(registry),
                  RMT_EVERYTHING_FAILURES);

    const rm_load_failure_t *f;
    f = rmt_expect_failure(registry, "garbage.so", RM_LOAD_NOT_A_PLUGIN);
    f = rmt_expect_failure(registry, "notes.so", RM_LOAD_NOT_A_PLUGIN);
    f = rmt_expect_failure(registry, "rmtest_undef.so", RM_LOAD_NOT_A_PLUGIN);
    ASSERT_STR_CONTAINS(f->reason, "rm_test_symbol_nobody_defines");
    f = rmt_expect_failure(registry, "rmtest_no_entry.so", RM_LOAD_NO_ENTRY);
    ASSERT_STR_CONTAINS(f->reason, RM_PLUGIN_ENTRY_NAME);
    f = rmt_expect_failure(registry, "rmtest_null_entry.so",
                           RM_LOAD_BAD_DESCRIPTOR);
    ASSERT_STR_CONTAINS(f->reason, "returned NULL");
    f = rmt_expect_failure(registry, "rmtest_abi_major2.so", RM_LOAD_BAD_ABI);
    ASSERT_STR_CONTAINS(f->reason, "plugin ABI 2.0, this runtime supports 1.2");
    f = rmt_expect_failure(registry, "rmtest_abi_minor99.so",
                           RM_LOAD_BAD_ABI);
    ASSERT_STR_CONTAINS(f->reason,
                        "plugin ABI 1.99, this runtime supports 1.2");
    f = rmt_expect_failure(registry, "rmtest_bad_param.so",
                           RM_LOAD_BAD_DESCRIPTOR);
    ASSERT_STR_CONTAINS(f->reason, "node type 'TestBadParams'");
    ASSERT_STR_CONTAINS(f->reason, "param 'volume'");
    ASSERT_STR_CONTAINS(f->reason, "out of range");
    ASSERT_STR_CONTAINS(f->reason, "param 'title'");
    ASSERT_STR_CONTAINS(f->reason, "not valid JSON");
    ASSERT_STR_CONTAINS(f->reason, "param 'flavour'");
    ASSERT_STR_CONTAINS(f->reason, "enum_values");

    /* The duplicate names both files; the first one scanned won. */
    f = rmt_expect_failure(registry, "rmtest_shadow.so",
                           RM_LOAD_DUPLICATE_TYPE);
    ASSERT_STR_CONTAINS(f->reason, "'TestGain'");
    ASSERT_STR_CONTAINS(f->reason, "/rmtest_good.so");

    /* Failures come in scan order (sorted file names). */
    for (size_t i = 1; i < rm_registry_failure_count(registry); i++)
        ASSERT_TRUE(strcmp(rm_registry_failure_at(registry, i - 1)->path,
                           rm_registry_failure_at(registry, i)->path) < 0);
    ASSERT_EQ_INT(rm_registry_plugin_count(registry), 2);
    rm_registry_close(registry);
}

RM_TEST(entries_sorted_and_findable) {
    const char *dir = rmt_dir_everything();
    rm_registry_options_t options = rmt_options(&dir, 1);
    rm_registry_t *registry = rmt_open(&options);
    size_t count = rm_registry_count(registry);
    ASSERT_TRUE(count > 1);
    for (size_t i = 0; i < count; i++) {
        const rm_registry_entry_t *entry = rm_registry_at(registry, i);
        ASSERT_TRUE(rm_registry_find(registry, entry->type->name) == entry);
        if (i)
            ASSERT_TRUE(strcmp(rm_registry_at(registry, i - 1)->type->name,
                               entry->type->name) < 0);
    }
    rm_registry_close(registry);
}

/* dirs, then REMOTEMEDIA_PLUGIN_PATH, then the default dir. */
RM_TEST(search_order_dirs_env_default) {
    const char *good = rmt_dir_new(), *shadow = rmt_dir_new();
    const char *empty = rmt_dir_new();
    rmt_dir_link(good, "rmtest_good", "good.so");
    rmt_dir_link(shadow, "rmtest_shadow", "shadow.so");

    /* --plugins before env. */
    setenv(RM_PLUGIN_PATH_ENV, shadow, 1);
    rm_registry_options_t options = rmt_options(&good, 1);
    options.use_env = 1;
    options.use_default = 1;
    options.default_dir = empty;
    rm_registry_t *registry = rmt_open(&options);
    ASSERT_EQ_INT(rm_registry_dir_count(registry), 3);
    ASSERT_STR_EQ(rm_registry_dir_at(registry, 0), good);
    ASSERT_STR_EQ(rm_registry_dir_at(registry, 1), shadow);
    ASSERT_STR_EQ(rm_registry_dir_at(registry, 2), empty);
    ASSERT_STR_CONTAINS(rm_registry_find(registry, "TestGain")->plugin_path,
                        "/good.so");
    const rm_load_failure_t *f =
        rmt_expect_failure(registry, "shadow.so", RM_LOAD_DUPLICATE_TYPE);
    ASSERT_STR_CONTAINS(f->reason, good);
    rm_registry_close(registry);

    /* env before default. */
    options = rmt_options(NULL, 0);
    options.use_env = 1;
    options.use_default = 1;
    options.default_dir = good;
    registry = rmt_open(&options);
    ASSERT_STR_EQ(rm_registry_dir_at(registry, 0), shadow);
    ASSERT_STR_EQ(rm_registry_dir_at(registry, 1), good);
    ASSERT_STR_CONTAINS(rm_registry_find(registry, "TestGain")->plugin_path,
                        "/shadow.so");
    f = rmt_expect_failure(registry, "good.so", RM_LOAD_DUPLICATE_TYPE);
    ASSERT_STR_CONTAINS(f->reason, shadow);
    /* The losing plugin's other types still load. */
    ASSERT_NOT_NULL(rm_registry_find(registry, "TestSource"));
    rm_registry_close(registry);
}

RM_TEST(use_env_and_use_default_honoured) {
    const char *good = rmt_dir_new();
    rmt_dir_link(good, "rmtest_good", "good.so");
    setenv(RM_PLUGIN_PATH_ENV, good, 1);

    rm_registry_options_t options = rmt_options(NULL, 0);
    options.default_dir = good; /* but use_default = 0 */
    rm_registry_t *registry = rmt_open(&options);
    ASSERT_EQ_INT(rm_registry_dir_count(registry), 0);
    ASSERT_EQ_INT(rm_registry_count(registry), 0);
    rm_registry_close(registry);

    options.use_env = 1;
    registry = rmt_open(&options);
    ASSERT_EQ_INT(rm_registry_count(registry), 2);
    rm_registry_close(registry);

    unsetenv(RM_PLUGIN_PATH_ENV);
    options.use_env = 1;
    options.use_default = 1;
    registry = rmt_open(&options);
    ASSERT_EQ_INT(rm_registry_dir_count(registry), 1);
    ASSERT_EQ_INT(rm_registry_count(registry), 2);
    rm_registry_close(registry);
}

RM_TEST(empty_and_missing_dirs) {
    const char *empty = rmt_dir_new();
    char missing[PATH_MAX];
    snprintf(missing, sizeof(missing), "%s/does-not-exist", empty);
    const char *dirs[] = {missing, empty, "", "/dev/null"};
    char env[2 * PATH_MAX + 8];
    snprintf(env, sizeof(env), "::%s::%s:", missing, empty);
    setenv(RM_PLUGIN_PATH_ENV, env, 1);
    rm_registry_options_t options = rmt_options(dirs, 4);
    options.use_env = 1;
    rm_registry_t *registry = rmt_open(&options);
    ASSERT_EQ_INT(rm_registry_count(registry), 0);
    ASSERT_EQ_INT(rm_registry_failure_count(registry), 0);
    /* Each directory listed once; "" skipped. */
    ASSERT_EQ_INT(rm_registry_dir_count(registry), 3);
    rm_registry_close(registry);
}

RM_TEST(same_plugin_twice_is_not_a_duplicate) {
    const char *a = rmt_dir_new();
    rmt_dir_link(a, "rmtest_good", "good.so");
    rmt_dir_link(a, "rmtest_good", "good-again.so");
    char a_again[PATH_MAX];
    snprintf(a_again, sizeof(a_again), "%s/.", a);
    const char *dirs[] = {a, a_again, a};
    rm_registry_options_t options = rmt_options(dirs, 3);
    rm_registry_t *registry = rmt_open(&options);
    ASSERT_EQ_INT(rm_registry_dir_count(registry), 1);
    ASSERT_EQ_INT(rm_registry_count(registry), 2);
    ASSERT_EQ_INT(rm_registry_plugin_count(registry), 1);
    ASSERT_EQ_INT(rm_registry_failure_count(registry), 0);
    rm_registry_close(registry);
}

RM_TEST(options_null_means_env_and_default) {
    const char *good = rmt_dir_new();
    rmt_dir_link(good, "rmtest_good", "good.so");
    setenv(RM_PLUGIN_PATH_ENV, good, 1);
    rm_registry_t *registry = rmt_open(NULL);
    ASSERT_STR_EQ(rm_registry_dir_at(registry, 0), good);
    ASSERT_STR_EQ(rm_registry_dir_at(registry, 1), rm_default_plugin_dir());
    ASSERT_STR_CONTAINS(rm_registry_find(registry, "TestGain")->plugin_path,
                        good);
    rm_registry_close(registry);
}

RM_TEST(bad_arguments) {
    rm_registry_t *registry = (rm_registry_t *)&registry;
    ASSERT_EQ_INT(rm_registry_open(NULL, NULL), RM_EINVAL);
    rm_registry_options_t options = {0}; /* struct_size 0: not initialised */
    ASSERT_EQ_INT(rm_registry_open(&options, &registry), RM_EINVAL);
    ASSERT_TRUE(registry == NULL);
    options.struct_size = sizeof(options);
    options.dir_count = 1; /* but no dirs */
    ASSERT_EQ_INT(rm_registry_open(&options, &registry), RM_EINVAL);
    rm_registry_close(NULL);
    ASSERT_EQ_INT(rm_registry_count(NULL), 0);
    ASSERT_TRUE(rm_registry_find(NULL, "TestGain") == NULL);
    ASSERT_TRUE(rm_registry_failure_at(NULL, 0) == NULL);
}

RM_TEST(default_dir_next_to_library) {
    char build[PATH_MAX], expected[PATH_MAX + 64];
    ASSERT_NOT_NULL(realpath(RM_TEST_BUILD_DIR, build));
    snprintf(expected, sizeof(expected), "%s/lib/remotemedia/plugins", build);
    ASSERT_STR_EQ(rm_default_plugin_dir(), expected);
    /* Stable: computed once. */
    ASSERT_TRUE(rm_default_plugin_dir() == rm_default_plugin_dir());
}

static int rmt_is_mapped(const char *path) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (handle) dlclose(handle);
    return handle != NULL;
}

RM_TEST(close_unloads_unless_no_dlclose) {
    const char *dir = rmt_dir_new();
    rmt_dir_link(dir, "rmtest_good", "good.so");
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/good.so", dir);
    rm_registry_options_t options = rmt_options(&dir, 1);

    /* "0", not unset: sanitizer builds keep plugins mapped by default. */
    setenv("REMOTEMEDIA_NO_DLCLOSE", "0", 1);
    rm_registry_t *registry = rmt_open(&options);
    ASSERT_TRUE(rmt_is_mapped(path));
    rm_registry_close(registry);
    ASSERT_TRUE(!rmt_is_mapped(path));

    setenv("REMOTEMEDIA_NO_DLCLOSE", "1", 1);
    registry = rmt_open(&options);
    rm_registry_close(registry);
    ASSERT_TRUE(rmt_is_mapped(path));
}

RM_TEST(failed_files_are_unloaded) {
    const char *dir = rmt_dir_new();
    rmt_dir_link(dir, "rmtest_abi_major2", "abi.so");
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/abi.so", dir);
    setenv("REMOTEMEDIA_NO_DLCLOSE", "0", 1);
    rm_registry_options_t options = rmt_options(&dir, 1);
    rm_registry_t *registry = rmt_open(&options);
    ASSERT_EQ_INT(rm_registry_failure_count(registry), 1);
    ASSERT_TRUE(!rmt_is_mapped(path));
    rm_registry_close(registry);
}

/* A plugin file that crashes, exits or hangs while loading is loaded by
 * the scanner child, never here (#21.5): this process survives, the
 * healthy plugin beside them loads, each bad one is reported with what it
 * did; the verdicts are cached (a second open, in a process that has no
 * scanner and would die loading them, reports the same from the cache),
 * one line per file. */
#define RMT_SCAN_DONE 77 /* an exit(0) in a plugin must not look like a pass */
static void rmt_scan_case(void);
RM_TEST(files_that_crash_exit_or_hang_while_loading_are_scanned_out) {
    rmt_dir_new(); /* plugins, then the cache: made here, where the */
    rmt_dir_new(); /* harness removes them at exit */
    pid_t pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        rmt_scan_case();
        _exit(RMT_SCAN_DONE);
    }
    int status = 0;
    ASSERT_EQ_INT(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != RMT_SCAN_DONE)
        RM__FAIL("the case did not run to its end (status 0x%x): a plugin "
                 "was loaded in-process", status);
}

static void rmt_scan_case(void) {
    const char *dir = rmt_dirs[rmt_dir_count - 2];
    const char *cache = rmt_dirs[rmt_dir_count - 1];
    setenv("REMOTEMEDIA_CACHE_DIR", cache, 1);
    setenv("REMOTEMEDIA_SCAN_TIMEOUT_MS", "3000", 1); /* only the hang */
    unsetenv("REMOTEMEDIA_SCAN");
    rmt_dir_link(dir, "rmtest_good", "rmtest_good.so");
    static const char *const bad[] = {"rmtest_ctor_segv", "rmtest_ctor_exit0",
                                      "rmtest_ctor_exit42", "rmtest_ctor_hang",
                                      "rmtest_entry_abort"};
    static const char *const says[] = {"SIGSEGV", "exit(0)", "exit(42)",
                                       "did not finish loading within 3000 ms",
                                       "SIGABRT"};
    for (int i = 0; i < 5; i++) {
        char target[PATH_MAX], link_path[PATH_MAX];
        RMT_PATH(target, sizeof target, "%s/%s.so", RM_TEST_LOAD_FAULT_DIR,
                 bad[i]);
        RMT_PATH(link_path, sizeof link_path, "%s/%s.so", dir, bad[i]);
        ASSERT_EQ_INT(symlink(target, link_path), 0);
    }
    const char *dirs[] = {dir};
    rm_registry_options_t options = rmt_options(dirs, 1);
    rm_registry_t *registry = rmt_open(&options);
    ASSERT_NOT_NULL(rm_registry_find(registry, "TestGain"));
    ASSERT_TRUE(rm_registry_find(registry, "LoadTime") == NULL);
    ASSERT_EQ_INT(rm_registry_failure_count(registry), 5);
    for (int i = 0; i < 5; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s.so", bad[i]);
        const rm_load_failure_t *failure =
            rmt_expect_failure(registry, name, RM_LOAD_CRASHED);
        ASSERT_STR_CONTAINS(failure->reason, says[i]);
    }
    rm_registry_close(registry);

    /* From the cache: a child whose scanner cannot run would load the
     * files itself and die, unless every verdict comes from the cache. */
    pid_t pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        setenv("REMOTEMEDIA_SCANNER", "/nonexistent/rm-plugin-scanner", 1);
        rm_registry_t *again = NULL;
        if (rm_registry_open(&options, &again) != RM_OK) _exit(3);
        int ok = rm_registry_failure_count(again) == 5 &&
                 rm_registry_find(again, "TestGain") != NULL &&
                 strstr(rm_registry_failure_at(again, 0)->reason,
                        "while loading") != NULL;
        _exit(ok ? 0 : 4);
    }
    int status = 0;
    ASSERT_EQ_INT(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ_INT(WEXITSTATUS(status), 0);

    char cache_file[PATH_MAX];
    RMT_PATH(cache_file, sizeof cache_file, "%s/plugin-scan-v1.txt", cache);
    FILE *f = fopen(cache_file, "r");
    ASSERT_NOT_NULL(f);
    char line[8192];
    int lines = 0;
    while (fgets(line, sizeof line, f)) lines++;
    fclose(f);
    ASSERT_EQ_INT(lines, 6);
    unsetenv("REMOTEMEDIA_SCAN_TIMEOUT_MS");
    unsetenv("REMOTEMEDIA_CACHE_DIR");
}

/* The scan cache stays as small as the plugins that exist: storing a new
 * verdict drops the lines of files that are gone or changed (temporary
 * plugin folders of test runs had left thousands, parsed by every run
 * for every plugin), keeps those of files as they are. */
static void rmt_cache_line(FILE *f, const char *path, const struct stat *st,
                           unsigned long long size_offset) {
    fprintf(f, "%llu\t%llu\t%llu\t%llu\t1\t%s\t\n",
            (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
            (unsigned long long)st->st_size + size_offset,
            (unsigned long long)st->st_mtim.tv_sec * 1000000000ull +
                (unsigned long long)st->st_mtim.tv_nsec,
            path);
}

static void rmt_prune_case(void);
RM_TEST(scan_cache_drops_lines_of_files_gone_or_changed) {
    rmt_dir_new(); /* plugins, then the cache */
    rmt_dir_new();
    pid_t pid = fork(); /* its environment stays its own */
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        rmt_prune_case();
        _exit(RMT_SCAN_DONE);
    }
    int status = 0;
    ASSERT_EQ_INT(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != RMT_SCAN_DONE)
        RM__FAIL("the case did not run to its end (status 0x%x)", status);
}

static void rmt_prune_case(void) {
    const char *dir = rmt_dirs[rmt_dir_count - 2];
    const char *cache = rmt_dirs[rmt_dir_count - 1];
    setenv("REMOTEMEDIA_CACHE_DIR", cache, 1);
    unsetenv("REMOTEMEDIA_SCAN");
    rmt_dir_link(dir, "rmtest_good", "good.so");
    char kept[PATH_MAX], changed[PATH_MAX], gone[PATH_MAX], cache_file[PATH_MAX];
    RMT_PATH(kept, sizeof kept, "%s/kept.so", cache);
    RMT_PATH(changed, sizeof changed, "%s/changed.so", cache);
    RMT_PATH(gone, sizeof gone, "%s/gone.so", cache);
    RMT_PATH(cache_file, sizeof cache_file, "%s/plugin-scan-v1.txt", cache);
    rmt_dir_write(cache, "kept.so", "k", 1);
    rmt_dir_write(cache, "changed.so", "c", 1);
    struct stat kept_st, changed_st;
    ASSERT_EQ_INT(stat(kept, &kept_st), 0);
    ASSERT_EQ_INT(stat(changed, &changed_st), 0);
    FILE *f = fopen(cache_file, "w");
    ASSERT_NOT_NULL(f);
    rmt_cache_line(f, kept, &kept_st, 0);
    rmt_cache_line(f, changed, &changed_st, 1); /* its size was other */
    rmt_cache_line(f, gone, &kept_st, 0);       /* no such file now */
    fclose(f);

    const char *dirs[] = {dir};
    rm_registry_options_t options = rmt_options(dirs, 1);
    rm_registry_t *registry = rmt_open(&options);
    ASSERT_NOT_NULL(rm_registry_find(registry, "TestGain"));
    rm_registry_close(registry);

    f = fopen(cache_file, "r");
    ASSERT_NOT_NULL(f);
    char line[8192];
    int lines = 0, has_kept = 0, has_good = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        has_kept += strstr(line, "/kept.so\t") != NULL;
        has_good += strstr(line, "/good.so\t") != NULL;
        ASSERT_TRUE(strstr(line, "/changed.so") == NULL);
        ASSERT_TRUE(strstr(line, "/gone.so") == NULL);
    }
    fclose(f);
    ASSERT_EQ_INT(lines, 2);
    ASSERT_EQ_INT(has_kept, 1);
    ASSERT_EQ_INT(has_good, 1);
}

RM_TEST_LIST(RM_TEST_ENTRY(good_plugin_types_found),
             RM_TEST_ENTRY(scan_cache_drops_lines_of_files_gone_or_changed),
             RM_TEST_ENTRY(files_that_crash_exit_or_hang_while_loading_are_scanned_out),
             RM_TEST_ENTRY(every_bad_file_reported_healthy_kept),
             RM_TEST_ENTRY(entries_sorted_and_findable),
             RM_TEST_ENTRY(search_order_dirs_env_default),
             RM_TEST_ENTRY(use_env_and_use_default_honoured),
             RM_TEST_ENTRY(empty_and_missing_dirs),
             RM_TEST_ENTRY(same_plugin_twice_is_not_a_duplicate),
             RM_TEST_ENTRY(options_null_means_env_and_default),
             RM_TEST_ENTRY(bad_arguments),
             RM_TEST_ENTRY(default_dir_next_to_library),
             RM_TEST_ENTRY(close_unloads_unless_no_dlclose),
             RM_TEST_ENTRY(failed_files_are_unloaded))
