/*
 * test_rmrun.c — the rmrun binary as a user meets it: output and exit
 * codes of list, inspect, failures, help, version and usage errors.
 */
#include "plugin_dir.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <remotemedia/registry.h> /* RM_PLUGIN_PATH_ENV */
#include <stdarg.h>

typedef struct rmt_run {
    int status; /* exit code, or 128 + signal */
    char *out;
    char *err;
} rmt_run_t;

static char *rmt_slurp(const char *path) {
    FILE *file = fopen(path, "rb");
    ASSERT_NOT_NULL(file);
    size_t size = 0, capacity = 4096;
    char *text = malloc(capacity);
    ASSERT_NOT_NULL(text);
    size_t n;
    while ((n = fread(text + size, 1, capacity - size - 1, file)) > 0) {
        size += n;
        if (capacity - size < 2) {
            capacity *= 2;
            text = realloc(text, capacity);
            ASSERT_NOT_NULL(text);
        }
    }
    fclose(file);
    text[size] = '\0';
    return text;
}

/* Runs rmrun with the arguments (NULL-terminated), capturing both streams. */
static rmt_run_t rmt_rmrun(const char *first, ...) {
    const char *argv[32];
    int argc = 0;
    argv[argc++] = RM_TEST_RMRUN;
    va_list ap;
    va_start(ap, first);
    for (const char *arg = first; arg && argc < 31; arg = va_arg(ap, const char *))
        argv[argc++] = arg;
    va_end(ap);
    argv[argc] = NULL;

    const char *tmp = rmt_dir_new();
    char out_path[PATH_MAX], err_path[PATH_MAX];
    snprintf(out_path, sizeof(out_path), "%s/stdout", tmp);
    snprintf(err_path, sizeof(err_path), "%s/stderr", tmp);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out < 0 || err < 0) _exit(126);
        dup2(out, 1);
        dup2(err, 2);
        execv(RM_TEST_RMRUN, (char *const *)argv);
        _exit(127);
    }
    int wait_status = 0;
    ASSERT_EQ_INT(waitpid(pid, &wait_status, 0), pid);
    rmt_run_t run;
    run.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status)
                                        : 128 + WTERMSIG(wait_status);
    run.out = rmt_slurp(out_path);
    run.err = rmt_slurp(err_path);
    return run;
}

static void rmt_run_free(rmt_run_t *run) {
    free(run->out);
    free(run->err);
}

#define EXPECT_EXIT(run, code)                                                \
    do {                                                                      \
        if ((run).status != (code))                                           \
            RM__FAIL("exit %d, expected %d\n--- stdout:\n%s--- stderr:\n%s",  \
                     (run).status, (code), (run).out, (run).err);             \
    } while (0)

static cJSON *rmt_parse_json(const char *text) {
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, 1);
    if (!json)
        RM__FAIL("not JSON (at byte %ld): %s", end ? (long)(end - text) : -1L,
                 text);
    return json;
}

/* ---- cases -------------------------------------------------------------- */

RM_TEST(help_documents_everything) {
    rmt_run_t run = rmt_rmrun("--help", NULL);
    EXPECT_EXIT(run, 0);
    const char *expected[] = {"list", "--list", "inspect TYPE", "failures",
                              "--list-failures", "--plugins DIR",
                              "--no-default-plugins", "--no-env-plugins",
                              "--json", "--verbose", "--quiet", "--version",
                              RM_PLUGIN_PATH_ENV, "REMOTEMEDIA_NO_DLCLOSE",
                              "MANIFEST.json", "--input JSON|@FILE",
                              "Exit codes", "usage error"};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        ASSERT_STR_CONTAINS(run.out, expected[i]);
    ASSERT_STR_EQ(run.err, "");
    rmt_run_free(&run);

    run = rmt_rmrun("-h", NULL);
    EXPECT_EXIT(run, 0);
    ASSERT_STR_CONTAINS(run.out, "--plugins DIR");
    rmt_run_free(&run);

    run = rmt_rmrun("inspect", "--help", NULL);
    EXPECT_EXIT(run, 0);
    ASSERT_STR_CONTAINS(run.out, "inspect TYPE");
    ASSERT_STR_CONTAINS(run.out, "Exits 0 when TYPE exists");
    rmt_run_free(&run);

    run = rmt_rmrun("help", "frobnicate", NULL);
    EXPECT_EXIT(run, 2);
    ASSERT_STR_CONTAINS(run.err, "no command named 'frobnicate'");
    rmt_run_free(&run);
}

RM_TEST(version) {
    rmt_run_t run = rmt_rmrun("--version", NULL);
    EXPECT_EXIT(run, 0);
    ASSERT_STR_CONTAINS(run.out, "rmrun ");
    ASSERT_STR_CONTAINS(run.out, "plugin ABI 1.2");
    rmt_run_free(&run);
}

RM_TEST(usage_errors_exit_2) {
    rmt_run_t run = rmt_rmrun("--bogus", "list", NULL);
    EXPECT_EXIT(run, 2);
    ASSERT_STR_CONTAINS(run.err, "unknown option '--bogus'");
    ASSERT_STR_EQ(run.out, "");
    rmt_run_free(&run);

    run = rmt_rmrun("list", "--bogus", NULL);
    EXPECT_EXIT(run, 2);
    ASSERT_STR_CONTAINS(run.err, "list: unknown option '--bogus'");
    rmt_run_free(&run);

    run = rmt_rmrun(NULL);
    EXPECT_EXIT(run, 2);
    ASSERT_STR_CONTAINS(run.err, "no command given");
    rmt_run_free(&run);

    run = rmt_rmrun("--plugins", NULL);
    EXPECT_EXIT(run, 2);
    ASSERT_STR_CONTAINS(run.err, "--plugins needs a directory");
    rmt_run_free(&run);

    run = rmt_rmrun("inspect", NULL);
    EXPECT_EXIT(run, 2);
    ASSERT_STR_CONTAINS(run.err, "exactly one node type name");
    rmt_run_free(&run);

    run = rmt_rmrun("--list", "--version", NULL);
    EXPECT_EXIT(run, 2);
    ASSERT_STR_CONTAINS(run.err, "--version cannot be combined with '--list'");
    rmt_run_free(&run);

    run = rmt_rmrun("--plugins", "/nonexistent/rmrun-test", "list", NULL);
    EXPECT_EXIT(run, 2);
    ASSERT_STR_CONTAINS(run.err, "--plugins /nonexistent/rmrun-test");
    rmt_run_free(&run);
}

RM_TEST(list_table_and_failure_summary) {
    const char *dir = rmt_dir_everything();
    /* Global options may come after the command, and --plugins=DIR. */
    char plugins_option[PATH_MAX + 16];
    snprintf(plugins_option, sizeof(plugins_option), "--plugins=%s", dir);
    rmt_run_t run = rmt_rmrun("list", plugins_option, "--no-default-plugins",
                              NULL);
    EXPECT_EXIT(run, 0);
    ASSERT_STR_CONTAINS(run.out, "TYPE");
    ASSERT_STR_CONTAINS(run.out, "DESCRIPTION");
    ASSERT_STR_CONTAINS(run.out, "TestGain ");
    ASSERT_STR_CONTAINS(run.out, "1.2.3");
    ASSERT_STR_CONTAINS(run.out, "rmtest_good.so");
    ASSERT_STR_CONTAINS(run.out, "Multiply f32 audio by a factor");
    ASSERT_STR_CONTAINS(run.out, "TestShadowOnly");
    ASSERT_TRUE(strstr(run.out, "TestBadParams") == NULL);
    ASSERT_TRUE(strstr(run.out, "TestGain") < strstr(run.out, "TestSource"));
    ASSERT_STR_CONTAINS(run.err, "9 plugin files failed to load; see "
                                 "`rmrun failures`");
    rmt_run_free(&run);

    run = rmt_rmrun("--plugins", dir, "--no-default-plugins", "--list", "-q",
                    NULL);
    EXPECT_EXIT(run, 0);
    ASSERT_STR_CONTAINS(run.out, "TestSource");
    ASSERT_STR_EQ(run.err, "");
    rmt_run_free(&run);
}

RM_TEST(list_json) {
    const char *dir = rmt_dir_everything();
    rmt_run_t run = rmt_rmrun("--plugins", dir, "--no-default-plugins",
                              "list", "--json", NULL);
    EXPECT_EXIT(run, 0);
    cJSON *json = rmt_parse_json(run.out);
    cJSON *types = cJSON_GetObjectItemCaseSensitive(json, "node_types");
    ASSERT_EQ_INT(cJSON_GetArraySize(types), 3);
    cJSON *first = cJSON_GetArrayItem(types, 0);
    ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(first, "type")->valuestring,
                  "TestGain");
    ASSERT_STR_EQ(
        cJSON_GetObjectItemCaseSensitive(first, "plugin_id")->valuestring,
        "org.remotemedia.test.good");
    ASSERT_EQ_INT(
        cJSON_GetObjectItemCaseSensitive(json, "load_failures")->valueint,
        RMT_EVERYTHING_FAILURES);
    cJSON_Delete(json);
    rmt_run_free(&run);
}

RM_TEST(inspect_shows_everything) {
    const char *dir = rmt_dir_everything();
    rmt_run_t run = rmt_rmrun("--plugins", dir, "--no-default-plugins",
                              "inspect", "TestGain", NULL);
    EXPECT_EXIT(run, 0);
    const char *expected[] = {
        "Node type: TestGain", "Multiply f32 audio by a factor", "1.2.3",
        "rmtest_good.so", "org.remotemedia.test.good", "Test plugin (good)",
        "ABI              1.2", "concurrent", "in-place",
        "may modify its input", "Inputs (1)", "in               audio",
        "Outputs (1)", "Parameters (6)",
        "factor           float, default 1.0, range [0, 10]",
        "multiplier applied to every sample", "delay            int, default 0, >= 0", "clip             bool, default false",
        "label            string, default \"gain\"",
        "mode             enum, default \"linear\"",
        "values: \"linear\", \"db\"",
        "extra            json, optional (no default), may be null"};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        ASSERT_STR_CONTAINS(run.out, expected[i]);
    rmt_run_free(&run);

    run = rmt_rmrun("--plugins", dir, "--no-default-plugins", "inspect",
                    "TestSource", NULL);
    EXPECT_EXIT(run, 0);
    ASSERT_STR_CONTAINS(run.out, "count            int, required, range [1, "
                                 "1000000]");
    ASSERT_STR_CONTAINS(run.out, "source ");
    ASSERT_STR_CONTAINS(run.out, "Inputs (0):\n  none");
    ASSERT_STR_CONTAINS(run.out, "out              json, bytes");
    rmt_run_free(&run);
}

RM_TEST(inspect_json) {
    const char *dir = rmt_dir_everything();
    rmt_run_t run = rmt_rmrun("--plugins", dir, "--no-default-plugins",
                              "--json", "inspect", "TestGain", NULL);
    EXPECT_EXIT(run, 0);
    cJSON *json = rmt_parse_json(run.out);
    ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(json, "type")->valuestring,
                  "TestGain");
    cJSON *params = cJSON_GetObjectItemCaseSensitive(json, "params");
    ASSERT_EQ_INT(cJSON_GetArraySize(params), 6);
    cJSON *factor = cJSON_GetArrayItem(params, 0);
    ASSERT_NEAR(cJSON_GetObjectItemCaseSensitive(factor, "max")->valuedouble,
                10.0, 0.0);
    ASSERT_NEAR(
        cJSON_GetObjectItemCaseSensitive(factor, "default")->valuedouble, 1.0,
        0.0);
    cJSON *mode = cJSON_GetArrayItem(params, 4);
    ASSERT_EQ_INT(cJSON_GetArraySize(
                      cJSON_GetObjectItemCaseSensitive(mode, "enum")),
                  2);
    cJSON_Delete(json);
    rmt_run_free(&run);
}

RM_TEST(inspect_unknown_type_exit_1) {
    const char *dir = rmt_dir_everything();
    rmt_run_t run = rmt_rmrun("--plugins", dir, "--no-default-plugins",
                              "inspect", "TestGian", NULL);
    EXPECT_EXIT(run, 1);
    ASSERT_STR_CONTAINS(run.err, "no node type named 'TestGian'");
    ASSERT_STR_CONTAINS(run.err, "searched: ");
    ASSERT_STR_CONTAINS(run.err, dir);
    ASSERT_STR_CONTAINS(run.err, "did you mean 'TestGain'?");
    ASSERT_STR_CONTAINS(run.err, "9 plugin files failed to load");
    ASSERT_STR_EQ(run.out, "");
    rmt_run_free(&run);

    run = rmt_rmrun("--no-default-plugins", "inspect", "Anything", NULL);
    EXPECT_EXIT(run, 1);
    ASSERT_STR_CONTAINS(run.err, "searched: no directories");
    rmt_run_free(&run);
}

RM_TEST(failures_listed_exit_4) {
    const char *dir = rmt_dir_everything();
    rmt_run_t run = rmt_rmrun("--plugins", dir, "--no-default-plugins",
                              "failures", NULL);
    EXPECT_EXIT(run, 4);
    const char *expected[] = {
        "garbage.so", "notes.so", "rmtest_undef.so",
        "not a plugin: ", "no entry symbol: ", "unsupported ABI: ",
        "bad descriptor: ", "duplicate node type: ",
        "plugin ABI 2.0, this runtime supports 1.2",
        "plugin ABI 1.99, this runtime supports 1.2",
        "param 'volume'", "'TestGain' is already provided by"};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        ASSERT_STR_CONTAINS(run.out, expected[i]);
    rmt_run_free(&run);

    run = rmt_rmrun("--plugins", dir, "--no-default-plugins",
                    "--list-failures", "--json", NULL);
    EXPECT_EXIT(run, 4);
    cJSON *json = rmt_parse_json(run.out);
    ASSERT_EQ_INT(cJSON_GetArraySize(
                      cJSON_GetObjectItemCaseSensitive(json, "failures")),
                  RMT_EVERYTHING_FAILURES);
    cJSON_Delete(json);
    rmt_run_free(&run);

    const char *good = rmt_dir_new();
    rmt_dir_link(good, "rmtest_good", "good.so");
    run = rmt_rmrun("--plugins", good, "--no-default-plugins", "failures",
                    NULL);
    EXPECT_EXIT(run, 0);
    ASSERT_STR_CONTAINS(run.out, "every plugin file loaded");
    rmt_run_free(&run);
}

RM_TEST(search_order_on_the_command_line) {
    const char *good = rmt_dir_new(), *shadow = rmt_dir_new();
    rmt_dir_link(good, "rmtest_good", "good.so");
    rmt_dir_link(shadow, "rmtest_shadow", "shadow.so");
    setenv(RM_PLUGIN_PATH_ENV, good, 1);

    rmt_run_t run = rmt_rmrun("--plugins", shadow, "--no-default-plugins",
                              "inspect", "TestGain", NULL);
    EXPECT_EXIT(run, 0);
    ASSERT_STR_CONTAINS(run.out, "shadow.so");
    rmt_run_free(&run);

    run = rmt_rmrun("--plugins", shadow, "--no-default-plugins", "failures",
                    NULL);
    EXPECT_EXIT(run, 4);
    ASSERT_STR_CONTAINS(run.out, "good.so\n  duplicate node type: ");
    ASSERT_STR_CONTAINS(run.out, "already provided by ");
    ASSERT_STR_CONTAINS(run.out, "/shadow.so");
    rmt_run_free(&run);

    run = rmt_rmrun("--no-default-plugins", "inspect", "TestGain", NULL);
    EXPECT_EXIT(run, 0);
    ASSERT_STR_CONTAINS(run.out, "good.so");
    rmt_run_free(&run);

    run = rmt_rmrun("--no-default-plugins", "--no-env-plugins", "inspect",
                    "TestGain", NULL);
    EXPECT_EXIT(run, 1);
    rmt_run_free(&run);

    run = rmt_rmrun("-v", "--plugins", shadow, "--no-default-plugins", "list",
                    NULL);
    EXPECT_EXIT(run, 0);
    ASSERT_STR_CONTAINS(run.err, "searched: ");
    ASSERT_TRUE(strstr(run.err, shadow) < strstr(run.err, good));
    ASSERT_STR_CONTAINS(run.err, "duplicate node type: ");
    rmt_run_free(&run);
}

RM_TEST_LIST(RM_TEST_ENTRY(help_documents_everything),
             RM_TEST_ENTRY(version),
             RM_TEST_ENTRY(usage_errors_exit_2),
             RM_TEST_ENTRY(list_table_and_failure_summary),
             RM_TEST_ENTRY(list_json),
             RM_TEST_ENTRY(inspect_shows_everything),
             RM_TEST_ENTRY(inspect_json),
             RM_TEST_ENTRY(inspect_unknown_type_exit_1),
             RM_TEST_ENTRY(failures_listed_exit_4),
             RM_TEST_ENTRY(search_order_on_the_command_line))
