/* test_items.c — reference counts, wrap/release, copy-on-write, formats. */
#include <pthread.h>
#include <stdatomic.h>
#include <remotemedia/pipeline.h>

#include "rm_test.h"

RM_TEST(refcount_up_and_down) {
    rm_item_t *item = rm_item_new_json("[1,2]", 5);
    ASSERT_NOT_NULL(item);
    ASSERT_EQ_INT(item->kind, RM_KIND_JSON);
    ASSERT_EQ_INT(item->size, 5);
    ASSERT_STR_EQ((const char *)item->data, "[1,2]");
    ASSERT_EQ_INT(rm_item_refcount(item), 1);
    ASSERT_TRUE(rm_item_ref(item) == item);
    ASSERT_EQ_INT(rm_item_refcount(item), 2);
    ASSERT_EQ_INT(rm_item_is_writable(item), 0);
    rm_item_unref(item);
    ASSERT_EQ_INT(rm_item_refcount(item), 1);
    ASSERT_EQ_INT(rm_item_is_writable(item), 1);
    rm_item_unref(item);
    rm_item_unref(NULL); /* no-op */
}

RM_TEST(json_rejects_embedded_nul) {
    ASSERT_TRUE(rm_item_new_json("a\0b", 3) == NULL);
    rm_item_t *empty = rm_item_new_json("", 0);
    ASSERT_NOT_NULL(empty);
    ASSERT_EQ_INT(empty->size, 0);
    ASSERT_STR_EQ((const char *)empty->data, "");
    rm_item_unref(empty);
}

typedef struct release_log {
    atomic_int calls;
    void *last_data;
} release_log_t;

static void on_release(void *user_data, void *data) {
    release_log_t *log = user_data;
    atomic_fetch_add(&log->calls, 1);
    log->last_data = data;
}

RM_TEST(wrap_release_called_exactly_once) {
    static float samples[8];
    release_log_t log = {0};
    rm_item_t *item = rm_item_wrap(RM_KIND_AUDIO, samples, sizeof(samples), 0,
                                   on_release, &log);
    ASSERT_NOT_NULL(item);
    ASSERT_TRUE(item->data == samples); /* zero copy */
    rm_item_ref(item);
    rm_item_ref(item);
    rm_item_unref(item);
    rm_item_unref(item);
    ASSERT_EQ_INT(atomic_load(&log.calls), 0);
    rm_item_unref(item);
    ASSERT_EQ_INT(atomic_load(&log.calls), 1);
    ASSERT_TRUE(log.last_data == samples);
}

static void *unref_many(void *arg) {
    rm_item_t *item = arg;
    for (int i = 0; i < 10000; i++) rm_item_unref(item);
    return NULL;
}

RM_TEST(wrap_release_once_across_threads) {
    static char bytes[64];
    release_log_t log = {0};
    rm_item_t *item = rm_item_wrap(RM_KIND_BYTES, bytes, sizeof(bytes), 0,
                                   on_release, &log);
    enum { THREADS = 4 };
    for (int i = 0; i < THREADS * 10000 - 1; i++) rm_item_ref(item);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, unref_many, item);
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    ASSERT_EQ_INT(atomic_load(&log.calls), 1);
}

RM_TEST(copy_on_write) {
    rm_item_t *a = rm_item_new_bytes("abcd", 4);
    ASSERT_NOT_NULL(a);
    /* Unique: make_writable returns the same item. */
    rm_item_t *same = rm_item_make_writable(a);
    ASSERT_TRUE(same == a);
    /* Shared: a copy; the other holder's data is untouched. */
    rm_item_t *other = rm_item_ref(a);
    rm_item_t *copy = rm_item_make_writable(a);
    ASSERT_NOT_NULL(copy);
    ASSERT_TRUE(copy != other);
    ASSERT_EQ_INT(rm_item_refcount(other), 1); /* our reference was consumed */
    ASSERT_EQ_INT(rm_item_is_writable(copy), 1);
    ((char *)copy->data)[0] = 'X';
    ASSERT_EQ_INT(memcmp(other->data, "abcd", 4), 0);
    ASSERT_EQ_INT(memcmp(copy->data, "Xbcd", 4), 0);
    rm_item_unref(copy);
    rm_item_unref(other);
}

RM_TEST(readonly_is_never_writable) {
    static const char text[] = "frozen";
    release_log_t log = {0};
    rm_item_t *ro = rm_item_wrap(RM_KIND_BYTES, (void *)text, 6,
                                 RM_ITEM_READONLY, on_release, &log);
    ASSERT_NOT_NULL(ro);
    ASSERT_EQ_INT(rm_item_refcount(ro), 1);
    ASSERT_EQ_INT(rm_item_is_writable(ro), 0);
    rm_item_t *copy = rm_item_make_writable(ro); /* consumes ro */
    ASSERT_EQ_INT(atomic_load(&log.calls), 1);   /* wrapped memory released */
    ASSERT_NOT_NULL(copy);
    ASSERT_EQ_INT(copy->flags & RM_ITEM_READONLY, 0);
    ASSERT_EQ_INT(rm_item_is_writable(copy), 1);
    ASSERT_EQ_INT(memcmp(copy->data, "frozen", 6), 0);
    rm_item_unref(copy);
    ASSERT_TRUE(rm_item_wrap(RM_KIND_BYTES, (void *)text, 6, 0x80, NULL,
                             NULL) == NULL); /* unknown flag */
}

RM_TEST(audio_format_validation) {
    rm_audio_format_t ok = {48000, 2, RM_SAMPLE_I16, RM_LAYOUT_PLANAR, 100};
    size_t bytes = 0;
    ASSERT_EQ_INT(rm_audio_format_check(&ok, &bytes), RM_OK);
    ASSERT_EQ_INT(bytes, 400);
    rm_item_t *item = rm_item_new_audio(&ok);
    ASSERT_NOT_NULL(item);
    ASSERT_EQ_INT(item->size, 400);
    ASSERT_EQ_INT(item->audio.channels, 2);
    ASSERT_EQ_INT((uintptr_t)item->data % 16, 0);
    rm_item_unref(item);

    rm_audio_format_t bad = ok;
    bad.sample_rate = 0;
    ASSERT_EQ_INT(rm_audio_format_check(&bad, NULL), RM_EINVAL);
    ASSERT_TRUE(rm_item_new_audio(&bad) == NULL);
    bad = ok;
    bad.sample_rate = RM_MAX_SAMPLE_RATE + 1;
    ASSERT_EQ_INT(rm_audio_format_check(&bad, NULL), RM_EINVAL);
    bad = ok;
    bad.channels = 0;
    ASSERT_EQ_INT(rm_audio_format_check(&bad, NULL), RM_EINVAL);
    bad.channels = RM_MAX_CHANNELS + 1;
    ASSERT_EQ_INT(rm_audio_format_check(&bad, NULL), RM_EINVAL);
    bad = ok;
    bad.sample_format = 9;
    ASSERT_EQ_INT(rm_audio_format_check(&bad, NULL), RM_EKIND);
    bad = ok;
    bad.layout = 7;
    ASSERT_EQ_INT(rm_audio_format_check(&bad, NULL), RM_EINVAL);
    bad = ok;
    bad.frames = UINT64_MAX / 2;
    ASSERT_EQ_INT(rm_audio_format_check(&bad, NULL), RM_EINVAL);
    /* The limits themselves are valid. */
    rm_audio_format_t edge = {RM_MAX_SAMPLE_RATE, RM_MAX_CHANNELS,
                              RM_SAMPLE_F64, RM_LAYOUT_INTERLEAVED, 0};
    ASSERT_EQ_INT(rm_audio_format_check(&edge, NULL), RM_OK);
}

RM_TEST(tensor_contiguous_strides) {
    rm_tensor_info_t info = {0};
    info.dtype = RM_DTYPE_F32;
    info.ndim = 3;
    info.shape[0] = 2;
    info.shape[1] = 3;
    info.shape[2] = 4;
    info.strides[0] = 999; /* ignored: new tensors are C-contiguous */
    rm_item_t *t = rm_item_new_tensor(&info);
    ASSERT_NOT_NULL(t);
    ASSERT_EQ_INT(t->size, 2 * 3 * 4 * 4);
    ASSERT_EQ_INT(t->tensor.strides[0], 48);
    ASSERT_EQ_INT(t->tensor.strides[1], 16);
    ASSERT_EQ_INT(t->tensor.strides[2], 4);
    rm_item_unref(t);
    info.dtype = 99;
    ASSERT_TRUE(rm_item_new_tensor(&info) == NULL);
    info.dtype = RM_DTYPE_I64;
    info.shape[1] = -1;
    ASSERT_TRUE(rm_item_new_tensor(&info) == NULL);
    info.shape[1] = 3;
    info.ndim = RM_TENSOR_MAX_DIMS + 1;
    ASSERT_TRUE(rm_item_new_tensor(&info) == NULL);
    info.ndim = 0; /* a scalar */
    t = rm_item_new_tensor(&info);
    ASSERT_NOT_NULL(t);
    ASSERT_EQ_INT(t->size, 8);
    rm_item_unref(t);
}

RM_TEST_LIST(
    RM_TEST_ENTRY(refcount_up_and_down),
    RM_TEST_ENTRY(json_rejects_embedded_nul),
    RM_TEST_ENTRY(wrap_release_called_exactly_once),
    RM_TEST_ENTRY(wrap_release_once_across_threads),
    RM_TEST_ENTRY(copy_on_write),
    RM_TEST_ENTRY(readonly_is_never_writable),
    RM_TEST_ENTRY(audio_format_validation),
    RM_TEST_ENTRY(tensor_contiguous_strides))
