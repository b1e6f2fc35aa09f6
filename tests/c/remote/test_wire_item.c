/*
 * test_wire_item.c — the remote wire format's item codec: every item kind
 * round-trips through pack/unpack exactly (header and payload, without a
 * copy on the encoding side), and hostile headers are refused by name.
 */
#include "rm_test.h"

#include <remotemedia/runtime.h>

#include "wire_item.h"

/* item -> Item -> bytes -> Item -> decoded; the unpacked message is
 * returned for the caller to free (the decoded item points into it). */
static Remotemedia__Remote__V1__Item *round_trip(const rm_item_t *item,
                                                 rm_wire_item_t *out) {
    rm_wire_pb_item_t storage;
    char why[256];
    ASSERT_EQ_INT(rm_wire_item_encode(item, &storage, why, sizeof why), 0);
    ASSERT_TRUE(storage.item.payload.data == item->data); /* no copy */
    size_t len = remotemedia__remote__v1__item__get_packed_size(&storage.item);
    uint8_t *bytes = malloc(len ? len : 1);
    ASSERT_NOT_NULL(bytes);
    ASSERT_EQ_INT(remotemedia__remote__v1__item__pack(&storage.item, bytes), len);
    Remotemedia__Remote__V1__Item *pb =
        remotemedia__remote__v1__item__unpack(NULL, len, bytes);
    free(bytes);
    ASSERT_NOT_NULL(pb);
    if (rm_wire_item_decode(pb, RM_WIRE_MAX_PAYLOAD, out, why, sizeof why))
        RM__FAIL("decode: %s", why);
    ASSERT_EQ_INT(out->kind, item->kind);
    ASSERT_EQ_INT(out->size, item->size);
    ASSERT_TRUE(out->size == 0 || memcmp(out->data, item->data, out->size) == 0);
    return pb;
}

RM_TEST(audio_of_every_format_and_layout_round_trips) {
    static const uint8_t formats[] = {RM_SAMPLE_F32, RM_SAMPLE_I16,
                                      RM_SAMPLE_I32, RM_SAMPLE_F64};
    for (int f = 0; f < 4; f++) {
        for (uint8_t layout = 0; layout <= 1; layout++) {
            rm_audio_format_t format = {44100, 3, formats[f], layout, 1001};
            rm_item_t *item = rm_item_new_audio(&format);
            ASSERT_NOT_NULL(item);
            for (size_t i = 0; i < item->size; i++)
                ((uint8_t *)item->data)[i] = (uint8_t)(i * 31 + f);
            rm_wire_item_t out;
            Remotemedia__Remote__V1__Item *pb = round_trip(item, &out);
            ASSERT_TRUE(memcmp(&out.audio, &item->audio, sizeof out.audio) == 0);
            remotemedia__remote__v1__item__free_unpacked(pb, NULL);
            rm_item_unref(item);
        }
    }
}

RM_TEST(tensor_json_and_bytes_round_trip) {
    rm_tensor_info_t info = {0};
    info.dtype = RM_DTYPE_U8;
    info.ndim = 3;
    int64_t shape[3] = {4, 6, 3};
    memcpy(info.shape, shape, sizeof shape);
    info.strides[2] = 1; info.strides[1] = 3; info.strides[0] = 18;
    rm_item_t *tensor = rm_item_new_tensor(&info);
    ASSERT_NOT_NULL(tensor);
    memset(tensor->data, 7, tensor->size);
    rm_wire_item_t out;
    Remotemedia__Remote__V1__Item *pb = round_trip(tensor, &out);
    ASSERT_EQ_INT(out.tensor.ndim, 3);
    for (int d = 0; d < 3; d++) {
        ASSERT_EQ_INT(out.tensor.shape[d], info.shape[d]);
        ASSERT_EQ_INT(out.tensor.strides[d], info.strides[d]);
    }
    remotemedia__remote__v1__item__free_unpacked(pb, NULL);
    rm_item_unref(tensor);

    rm_item_t *json = rm_item_new_json("{\"a\":[1,2.5]}", 13);
    pb = round_trip(json, &out);
    remotemedia__remote__v1__item__free_unpacked(pb, NULL);
    rm_item_unref(json);

    rm_item_t *bytes = rm_item_new_bytes("\0\1\2\3", 4);
    pb = round_trip(bytes, &out);
    remotemedia__remote__v1__item__free_unpacked(pb, NULL);
    rm_item_unref(bytes);
}

RM_TEST(an_8_mb_frame_round_trips) {
    rm_tensor_info_t info = {0};
    info.dtype = RM_DTYPE_U8;
    info.ndim = 3;
    info.shape[0] = 2160; info.shape[1] = 3840; info.shape[2] = 3;
    info.strides[2] = 1; info.strides[1] = 3; info.strides[0] = 3840 * 3;
    rm_item_t *frame = rm_item_new_tensor(&info);
    ASSERT_NOT_NULL(frame);
    for (size_t i = 0; i < frame->size; i += 4096) ((uint8_t *)frame->data)[i] = (uint8_t)i;
    rm_wire_item_t out;
    Remotemedia__Remote__V1__Item *pb = round_trip(frame, &out);
    ASSERT_EQ_INT(out.size, (size_t)2160 * 3840 * 3);
    remotemedia__remote__v1__item__free_unpacked(pb, NULL);
    rm_item_unref(frame);
}

/* A message built by hand, as a hostile sender would. */
static void expect_refused(Remotemedia__Remote__V1__Item *pb, const char *says) {
    rm_wire_item_t out;
    char why[256] = "";
    ASSERT_EQ_INT(rm_wire_item_decode(pb, 1u << 20, &out, why, sizeof why), -1);
    ASSERT_STR_CONTAINS(why, says);
}

RM_TEST(hostile_headers_are_refused_by_name) {
    uint8_t payload[64] = {0};
    Remotemedia__Remote__V1__Item pb = REMOTEMEDIA__REMOTE__V1__ITEM__INIT;
    Remotemedia__Remote__V1__AudioFormat audio =
        REMOTEMEDIA__REMOTE__V1__AUDIO_FORMAT__INIT;
    Remotemedia__Remote__V1__TensorInfo tensor =
        REMOTEMEDIA__REMOTE__V1__TENSOR_INFO__INIT;
    pb.payload.data = payload;
    pb.payload.len = sizeof payload;

    pb.kind = 9;
    expect_refused(&pb, "item kind 9");
    pb.kind = RM_KIND_PYOBJECT;
    expect_refused(&pb, "item kind 5");

    pb.kind = RM_KIND_AUDIO; /* no format */
    expect_refused(&pb, "without its format");
    pb.audio = &audio;
    audio.sample_rate = 16000; audio.channels = 2; audio.sample_format = 1;
    audio.frames = 9; /* 72 bytes declared, 64 sent */
    expect_refused(&pb, "does not match its payload of 64 bytes");
    audio.frames = UINT64_MAX / 2; /* overflows frames x 8 */
    expect_refused(&pb, "does not match");
    audio.frames = 8;
    audio.channels = 100000;
    expect_refused(&pb, "out of range");

    pb.kind = RM_KIND_TENSOR;
    pb.tensor = &tensor;
    tensor.dtype = RM_DTYPE_F64;
    int64_t huge[2] = {INT64_MAX, 3};
    tensor.shape = huge;
    tensor.n_shape = 2;
    expect_refused(&pb, "does not fit");
    int64_t negative[1] = {-8};
    tensor.shape = negative;
    tensor.n_shape = 1;
    expect_refused(&pb, "does not fit");
    int64_t wrong[1] = {9};
    tensor.shape = wrong;
    expect_refused(&pb, "needs 72 bytes, its payload has 64");
    tensor.n_shape = 40;
    expect_refused(&pb, "at most");

    pb.kind = RM_KIND_JSON; /* the payload is zeros: NUL bytes */
    expect_refused(&pb, "NUL");

    pb.kind = RM_KIND_BYTES;
    rm_wire_item_t out;
    char why[256];
    ASSERT_EQ_INT(rm_wire_item_decode(&pb, 32, &out, why, sizeof why), -1);
    ASSERT_STR_CONTAINS(why, "over the limit of 32");
}

RM_TEST(python_objects_and_strided_tensors_cannot_be_sent) {
    rm_tensor_info_t info = {0};
    info.dtype = RM_DTYPE_F32;
    info.ndim = 2;
    info.shape[0] = 3; info.shape[1] = 4;
    rm_item_t *item = rm_item_new_tensor(&info);
    ASSERT_NOT_NULL(item);
    item->tensor.strides[0] = 4; /* a Fortran-order view of the same bytes */
    item->tensor.strides[1] = 12;
    rm_wire_pb_item_t storage;
    char why[256] = "";
    ASSERT_EQ_INT(rm_wire_item_encode(item, &storage, why, sizeof why), -1);
    ASSERT_STR_CONTAINS(why, "C-contiguous");
    rm_item_unref(item);
}

RM_TEST_LIST(RM_TEST_ENTRY(audio_of_every_format_and_layout_round_trips),
             RM_TEST_ENTRY(tensor_json_and_bytes_round_trip),
             RM_TEST_ENTRY(an_8_mb_frame_round_trips),
             RM_TEST_ENTRY(hostile_headers_are_refused_by_name),
             RM_TEST_ENTRY(python_objects_and_strided_tensors_cannot_be_sent))
