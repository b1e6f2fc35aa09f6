/* test_rmrun_run.c — `rmrun MANIFEST --input ...` end to end: stdout, stderr
 * and exit codes of the real binary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rm_test.h"

typedef struct outcome {
    int exit_code;
    char out[8192];
    char err[8192];
} outcome_t;

static void slurp(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "r");
    ASSERT_NOT_NULL(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    ASSERT_NOT_NULL(f);
    fputs(text, f);
    fclose(f);
}

/* Runs rmrun with the test plugin dirs and `args` (shell words). */
static outcome_t rmrun(const char *args) {
    static outcome_t result;
    char out_path[64], err_path[64], cmd[4096];
    snprintf(out_path, sizeof(out_path), "/tmp/rm_rmrun_out_%d", (int)getpid());
    snprintf(err_path, sizeof(err_path), "/tmp/rm_rmrun_err_%d", (int)getpid());
    snprintf(cmd, sizeof(cmd),
             "'%s/bin/rmrun' --no-env-plugins --no-default-plugins "
             "--plugins '%s' --plugins '%s' %s >%s 2>%s",
             RM_TEST_BUILD_DIR, RM_TEST_PLUGIN_DIR, RM_TEST_EXEC_PLUGIN_DIR,
             args, out_path, err_path);
    int status = system(cmd);
    ASSERT_TRUE(status != -1 && WIFEXITED(status));
    result.exit_code = WEXITSTATUS(status);
    slurp(out_path, result.out, sizeof(result.out));
    slurp(err_path, result.err, sizeof(result.err));
    unlink(out_path);
    unlink(err_path);
    return result;
}

static const char chain[] =
    "{\"version\":\"v1\",\"nodes\":["
    "{\"id\":\"mul\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":3}},"
    "{\"id\":\"add\",\"node_type\":\"AddNode\",\"params\":{\"addend\":1}}]}";

static char manifest_path[64];
static const char *manifest(const char *text) {
    snprintf(manifest_path, sizeof(manifest_path), "/tmp/rm_rmrun_m_%d.json",
             (int)getpid());
    write_file(manifest_path, text);
    return manifest_path;
}

RM_TEST(run_list_input) {
    char args[256];
    snprintf(args, sizeof(args), "%s --input '[1, 2, [3, 4.5]]'",
             manifest(chain));
    outcome_t r = rmrun(args);
    ASSERT_EQ_INT(r.exit_code, 0);
    ASSERT_STR_EQ(r.out, "[4, 7, [10,14.5]]\n");
    unlink(manifest_path);
}

RM_TEST(run_scalar_input_from_file_and_explicit_command) {
    char input[64];
    snprintf(input, sizeof(input), "/tmp/rm_rmrun_in_%d.json", (int)getpid());
    write_file(input, "  2.5 \n");
    char args[256];
    snprintf(args, sizeof(args), "run %s --input @%s", manifest(chain),
             input);
    outcome_t r = rmrun(args);
    ASSERT_EQ_INT(r.exit_code, 0);
    ASSERT_STR_EQ(r.out, "[8.5]\n");
    unlink(input);
    unlink(manifest_path);
}

RM_TEST(run_several_sinks_keyed_by_id) {
    char args[512];
    snprintf(args, sizeof(args), "%s --input '[1,2]'",
             manifest("{\"version\":\"v1\",\"nodes\":["
                      "{\"id\":\"x2\",\"node_type\":\"MultiplyNode\"},"
                      "{\"id\":\"same\",\"node_type\":\"PassThroughNode\"}],"
                      "\"connections\":[]}"));
    outcome_t r = rmrun(args);
    ASSERT_EQ_INT(r.exit_code, 0);
    ASSERT_STR_EQ(r.out, "{\"x2\": [2, 4], \"same\": [1, 2]}\n");
    unlink(manifest_path);
}

RM_TEST(run_source_without_input) {
    char args[512];
    snprintf(args, sizeof(args), "%s",
             manifest("{\"version\":\"v1\",\"nodes\":["
                      "{\"id\":\"src\",\"node_type\":\"TestSource\",\"params\":{\"count\":3}},"
                      "{\"id\":\"m\",\"node_type\":\"MultiplyNode\"}]}"));
    outcome_t r = rmrun(args);
    ASSERT_EQ_INT(r.exit_code, 0);
    ASSERT_STR_EQ(r.out, "[0, 2, 4]\n");
    unlink(manifest_path);
}

RM_TEST(run_invalid_manifest_exit_3_all_problems) {
    char args[512];
    snprintf(args, sizeof(args), "%s --input 1",
             manifest("{\"version\":\"v1\",\"nodes\":["
                      "{\"id\":\"a\",\"node_type\":\"NoSuchType\"},"
                      "{\"id\":\"b\",\"node_type\":\"MultiplyNode\",\"params\":{\"factor\":\"x\"}}]}"));
    outcome_t r = rmrun(args);
    ASSERT_EQ_INT(r.exit_code, 3);
    ASSERT_STR_CONTAINS(r.err, "NoSuchType");
    ASSERT_STR_CONTAINS(r.err, "nodes[1].params.factor");
    ASSERT_STR_EQ(r.out, "");
    unlink(manifest_path);
}

RM_TEST(run_node_error_exit_1_names_node) {
    char args[256];
    snprintf(args, sizeof(args), "%s --input '[1, \"two\"]'", manifest(chain));
    outcome_t r = rmrun(args);
    ASSERT_EQ_INT(r.exit_code, 1);
    ASSERT_STR_CONTAINS(r.err, "'mul' (MultiplyNode) failed in process");
    ASSERT_STR_CONTAINS(r.err, "string");
    ASSERT_STR_EQ(r.out, "[4]\n"); /* partial results still printed */
    unlink(manifest_path);
}

RM_TEST(run_usage_and_io_errors) {
    outcome_t r = rmrun("/nonexistent/m.json --input 1");
    ASSERT_EQ_INT(r.exit_code, 5);
    ASSERT_STR_CONTAINS(r.err, "/nonexistent/m.json");
    char args[256];
    snprintf(args, sizeof(args), "%s --input '[1,'", manifest(chain));
    r = rmrun(args);
    ASSERT_EQ_INT(r.exit_code, 2);
    ASSERT_STR_CONTAINS(r.err, "not valid JSON");
    snprintf(args, sizeof(args), "%s --input @/nonexistent/in.json",
             manifest(chain));
    r = rmrun(args);
    ASSERT_EQ_INT(r.exit_code, 5);
    snprintf(args, sizeof(args), "%s --frobnicate", manifest(chain));
    r = rmrun(args);
    ASSERT_EQ_INT(r.exit_code, 2);
    ASSERT_STR_CONTAINS(r.err, "--frobnicate");
    unlink(manifest_path);
}

/* Manifests and --input files are read up to a limit: /dev/zero fails with
 * a message naming the limit instead of filling memory (issue #21.7). */
RM_TEST(run_reads_are_bounded) {
    char args[256];
    outcome_t r = rmrun("run /dev/zero");
    ASSERT_EQ_INT(r.exit_code, 5);
    ASSERT_STR_CONTAINS(r.err, "cannot read manifest /dev/zero: larger than");
    ASSERT_STR_CONTAINS(r.err, "REMOTEMEDIA_MAX_READ_BYTES");
    snprintf(args, sizeof(args), "run %s --input @/dev/zero", manifest(chain));
    r = rmrun(args);
    ASSERT_EQ_INT(r.exit_code, 5);
    ASSERT_STR_CONTAINS(r.err, "--input @/dev/zero: larger than 67108864 bytes");
    setenv("REMOTEMEDIA_MAX_READ_BYTES", "16", 1);
    snprintf(args, sizeof(args), "run %s --input '[1]'", manifest(chain));
    r = rmrun(args);
    unsetenv("REMOTEMEDIA_MAX_READ_BYTES");
    ASSERT_EQ_INT(r.exit_code, 5);
    ASSERT_STR_CONTAINS(r.err, "larger than 16 bytes");
    r = rmrun(args); /* the default limit again: the same run works */
    ASSERT_EQ_INT(r.exit_code, 0);
    unlink(manifest_path);
}

RM_TEST(run_metrics_file) {
    char args[256];
    snprintf(args, sizeof(args), "%s --input '[1,2,3]' --metrics /tmp/rm_rmrun_metrics_%d.json",
             manifest(chain), (int)getpid());
    outcome_t r = rmrun(args);
    ASSERT_EQ_INT(r.exit_code, 0);
    char path[64], text[4096];
    snprintf(path, sizeof(path), "/tmp/rm_rmrun_metrics_%d.json", (int)getpid());
    slurp(path, text, sizeof(text));
    ASSERT_STR_CONTAINS(text, "\"schema\": \"remotemedia.metrics/1\"");
    ASSERT_STR_CONTAINS(text, "\"node_id\": \"mul\"");
    ASSERT_STR_CONTAINS(text, "\"calls\": 3");
    unlink(path);
    unlink(manifest_path);
}

RM_TEST_LIST(
    RM_TEST_ENTRY(run_list_input),
    RM_TEST_ENTRY(run_scalar_input_from_file_and_explicit_command),
    RM_TEST_ENTRY(run_several_sinks_keyed_by_id),
    RM_TEST_ENTRY(run_source_without_input),
    RM_TEST_ENTRY(run_invalid_manifest_exit_3_all_problems),
    RM_TEST_ENTRY(run_node_error_exit_1_names_node),
    RM_TEST_ENTRY(run_usage_and_io_errors),
    RM_TEST_ENTRY(run_reads_are_bounded),
    RM_TEST_ENTRY(run_metrics_file))
