/*
 * test_module_tables.c — plugins/common/module_beside.c's layout check of
 * a table a plugin file looks up in its extra module: the remote core
 * and FFmpeg reader modules of this build are accepted; the tables of an
 * older build (tests/plugins/broken/old_tables.c: the remote core, the
 * Python adapter's implementation and the FFmpeg reader without their
 * layout head) and a table of the right layout at another size are
 * refused, naming the file.
 */
#include "rm_test.h"

#include "adapter_impl.h"
#include "core_module.h"
#include "module_beside.h"
#include "reader.h"

static char why[8192];

static const rm_module_table_head_t remote_core = {
    RM_REMOTE_CORE_LAYOUT, sizeof(rm_remote_core_t)};

RM_TEST(this_builds_remote_core_is_accepted) {
    const rm_remote_core_t *core = rm_module_open(
        RM_TEST_REMOTE_CORE, RM_REMOTE_CORE_SYMBOL, &remote_core, why,
        sizeof why);
    if (!core) RM__FAIL("refused: %s", why);
    ASSERT_TRUE(core->create != NULL && core->server != NULL);
}

static const rm_module_table_head_t reader_ops = {RM_READER_OPS_LAYOUT,
                                                  sizeof(rm_reader_ops_t)};

#ifdef RM_TEST_FFMPEG_READER
RM_TEST(this_builds_ffmpeg_reader_is_accepted) {
    const rm_reader_ops_t *ops = rm_module_open(
        RM_TEST_FFMPEG_READER, RM_FFMPEG_READER_SYMBOL, &reader_ops, why,
        sizeof why);
    if (!ops) RM__FAIL("refused: %s", why);
    ASSERT_STR_EQ(ops->name, "ffmpeg");
}
#endif

static void assert_refused(const char *symbol,
                           const rm_module_table_head_t *expect) {
    why[0] = '\0';
    ASSERT_TRUE(rm_module_open(RM_TEST_OLD_TABLES, symbol, expect, why,
                               sizeof why) == NULL);
    ASSERT_STR_CONTAINS(why, RM_TEST_OLD_TABLES);
    ASSERT_STR_CONTAINS(why, symbol);
    ASSERT_STR_CONTAINS(why, "is not the table this plugin reads");
    ASSERT_STR_CONTAINS(why, "a module of another build");
}

RM_TEST(an_older_builds_tables_are_refused_naming_the_file) {
    assert_refused(RM_REMOTE_CORE_SYMBOL, &remote_core);
    const rm_module_table_head_t python = {RM_PYTHON_IMPL_LAYOUT,
                                           sizeof(rm_python_impl_t)};
    assert_refused(RM_PYTHON_IMPL_SYMBOL, &python);
    assert_refused(RM_FFMPEG_READER_SYMBOL, &reader_ops);
}

RM_TEST(the_right_layout_at_another_size_is_refused) {
    const rm_module_table_head_t layout_1 = {1, 2 * sizeof(uint32_t) +
                                                    sizeof(void *)};
    assert_refused("rm_test_grown_table", &layout_1);
}

RM_TEST_LIST(RM_TEST_ENTRY(this_builds_remote_core_is_accepted),
#ifdef RM_TEST_FFMPEG_READER
             RM_TEST_ENTRY(this_builds_ffmpeg_reader_is_accepted),
#endif
             RM_TEST_ENTRY(an_older_builds_tables_are_refused_naming_the_file),
             RM_TEST_ENTRY(the_right_layout_at_another_size_is_refused))
