/*
 * test_node_error.c — plugins/common/node_error.c: every plugin message
 * names its node as the runtime and the SDK do, node 'vad' (Type): ...
 */
#include <string.h>

#include "fake_host.h"
#include "node_error.h"
#include "rm_test.h"

/* The fake host's error_set, through a node type with no create. */
static int no_create(const rm_host_t *host, const rm_params_t *params,
                     void **instance, rm_error_t *err) {
    (void)params;
    *instance = (void *)host;
    (void)err;
    return RM_OK;
}
static const rm_node_type_t probe = {.struct_size = sizeof probe,
                                     .name = "Probe",
                                     .create = no_create};

RM_TEST(names_the_node_by_id_then_type) {
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, &probe, NULL), RM_OK);
    fh.host.node_id = "vad";
    ASSERT_EQ_INT(rm_node_error(&fh.host, &fh.err, RM_EINVAL, 1,
                                "SpeechSegmenter",
                                "frame_ms %d is not 10, 20 or 30", 7),
                  RM_EINVAL);
    ASSERT_STR_EQ(fh.err.message,
                  "node 'vad' (SpeechSegmenter): frame_ms 7 is not 10, 20 "
                  "or 30");
    ASSERT_EQ_INT(fh.err.status, RM_EINVAL);
    ASSERT_EQ_INT(fh.err.transient, 1);
}

RM_TEST(without_an_id_the_type_alone) {
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, &probe, NULL), RM_OK);
    fh.host.node_id = NULL;
    rm_node_error(&fh.host, &fh.err, RM_ENOMEM, 0, "AddNode", "out of memory");
    ASSERT_STR_EQ(fh.err.message, "AddNode: out of memory");
    fh.host.node_id = "";
    rm_node_error(&fh.host, &fh.err, RM_ENOMEM, 0, "AddNode", "out of memory");
    ASSERT_STR_EQ(fh.err.message, "AddNode: out of memory");
}

RM_TEST(a_long_message_is_kept_whole) {
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, &probe, NULL), RM_OK);
    char path[1500];
    memset(path, 'a', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    rm_node_error(&fh.host, &fh.err, RM_EIO, 0, "AudioFileSource",
                  "cannot open audio file '%s': %s", path, "No such file");
    ASSERT_STR_STARTS_WITH(fh.err.message,
                           "node 'node_under_test' (AudioFileSource): "
                           "cannot open audio file 'aaa");
    ASSERT_EQ_INT(strlen(fh.err.message),
                  strlen("node 'node_under_test' (AudioFileSource): cannot "
                         "open audio file '': No such file") +
                      sizeof path - 1);
}

RM_TEST_LIST(RM_TEST_ENTRY(names_the_node_by_id_then_type),
             RM_TEST_ENTRY(without_an_id_the_type_alone),
             RM_TEST_ENTRY(a_long_message_is_kept_whole))
