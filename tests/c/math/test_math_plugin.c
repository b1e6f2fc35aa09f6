/*
 * test_math_plugin.c — MultiplyNode / AddNode on tensors of every dtype
 * they take, at each type's edges (min, max, 0, -1 or 1, their
 * neighbours), against the arithmetic written out here per element: the
 * same bits, for a length with a vector body and a tail. Float samples in
 * place and into a new item; the refusals and their messages.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fake_host.h"
#include "rm_test.h"

const rm_plugin_descriptor_t *rm_plugin_entry(void);

#define COUNT 37 /* a vector body and a tail, whatever the vector width */

static const rm_node_type_t *type_named(const char *name) {
    const rm_node_type_t *t = fake_find_type(rm_plugin_entry(), name);
    ASSERT_NOT_NULL(t);
    return t;
}

/* The two nodes and their operands, as text for the fake host and as the
 * double each element meets. */
static const struct {
    const char *type, *param, *text;
    double operand;
    int add;
} ops[] = {
    {"MultiplyNode", "factor", "3.5", 3.5, 0},
    {"MultiplyNode", "factor", "-0.1", -0.1, 0},
    {"AddNode", "addend", "-0.25", -0.25, 1},
    {"AddNode", "addend", "1e300", 1e300, 1},
};
#define OP_COUNT (sizeof ops / sizeof ops[0])

static double expected(size_t op, double value) {
    return ops[op].add ? value + ops[op].operand : value * ops[op].operand;
}

/* Element i of an integer tensor, cycling through the edges of its type
 * and some values between. */
#define EDGES(T, MIN, MAX)                                                    \
    static T edge_##T(size_t i) {                                             \
        const T e[] = {(T)(MIN), (T)(MAX), 0, (T)-1, 1, (T)((MIN) + 1),       \
                       (T)((MAX) - 1), (T)((MAX) / 3), (T)((MIN) / 7)};       \
        return e[i % (sizeof e / sizeof e[0])];                               \
    }
EDGES(int8_t, INT8_MIN, INT8_MAX)
EDGES(int16_t, INT16_MIN, INT16_MAX)
EDGES(int32_t, INT32_MIN, INT32_MAX)
EDGES(int64_t, INT64_MIN, INT64_MAX)
EDGES(uint8_t, 0, UINT8_MAX)
EDGES(uint16_t, 0, UINT16_MAX)
EDGES(uint32_t, 0, UINT32_MAX)
EDGES(uint64_t, 0, UINT64_MAX)

/* One integer dtype through every op: a new float64 tensor, each element
 * the double operation on the element as a double, bit for bit; the input
 * untouched. */
#define CHECK_INT(T, DTYPE)                                                   \
    do {                                                                      \
        T in[COUNT];                                                          \
        for (size_t i = 0; i < COUNT; i++) in[i] = edge_##T(i);               \
        for (size_t op = 0; op < OP_COUNT; op++) {                            \
            const char *o[] = {ops[op].param, ops[op].text, NULL};            \
            fake_host_t fh;                                                   \
            ASSERT_EQ_INT(fake_create(&fh, type_named(ops[op].type), o),      \
                          RM_OK);                                             \
            rm_item_t *item = fake_tensor(&fh, DTYPE, COUNT, in);             \
            ASSERT_EQ_INT(fake_process(&fh, item), RM_OK);                    \
            rm_item_t *res = fake_emitted_on(&fh, 0, 0);                      \
            ASSERT_NOT_NULL(res);                                             \
            ASSERT_TRUE(res != item);                                         \
            ASSERT_EQ_INT(res->tensor.dtype, RM_DTYPE_F64);                   \
            ASSERT_EQ_INT(res->tensor.shape[0], COUNT);                       \
            ASSERT_EQ_INT(res->size, COUNT * sizeof(double));                 \
            for (size_t i = 0; i < COUNT; i++) {                              \
                double want = expected(op, (double)in[i]);                    \
                double got = ((const double *)res->data)[i];                  \
                if (memcmp(&want, &got, sizeof want) != 0)                    \
                    RM__FAIL("%s %s=%s, %s element %zu: %.17g, want %.17g",  \
                             ops[op].type, ops[op].param, ops[op].text, #T,   \
                             i, got, want);                                   \
            }                                                                 \
            ASSERT_TRUE(memcmp(item->data, in, sizeof in) == 0);              \
            fake_unref(item);                                                 \
            fake_destroy(&fh);                                                \
        }                                                                     \
    } while (0)

RM_TEST(every_integer_dtype_at_its_edges_bit_for_bit) {
    CHECK_INT(int8_t, RM_DTYPE_I8);
    CHECK_INT(int16_t, RM_DTYPE_I16);
    CHECK_INT(int32_t, RM_DTYPE_I32);
    CHECK_INT(int64_t, RM_DTYPE_I64);
    CHECK_INT(uint8_t, RM_DTYPE_U8);
    CHECK_INT(uint16_t, RM_DTYPE_U16);
    CHECK_INT(uint32_t, RM_DTYPE_U32);
    CHECK_INT(uint64_t, RM_DTYPE_U64);
    ASSERT_EQ_INT(fake_live_items, 0);
}

static const float f32_edges[] = {-FLT_MAX, FLT_MAX, 0.0f, -1.0f, 1.0f,
                                  -0.0f, FLT_MIN, -FLT_TRUE_MIN, 0.1f,
                                  INFINITY, -INFINITY, 16777217.0f};
static const double f64_edges[] = {-DBL_MAX, DBL_MAX, 0.0, -1.0, 1.0,
                                   -0.0, DBL_MIN, -DBL_TRUE_MIN, 0.1,
                                   INFINITY, -INFINITY, 9007199254740993.0};
#define EDGE_COUNT(a) (sizeof a / sizeof a[0])

/* A float tensor and float audio, each in place (the input is the only
 * reference) and into a new item (shared input, left as it was). */
static void check_float(uint8_t dtype, size_t op, int shared, int audio) {
    int f64 = dtype == RM_DTYPE_F64;
    float in32[COUNT];
    double in64[COUNT];
    for (size_t i = 0; i < COUNT; i++) {
        in32[i] = f32_edges[i % EDGE_COUNT(f32_edges)];
        in64[i] = f64_edges[i % EDGE_COUNT(f64_edges)];
    }
    const void *in = f64 ? (const void *)in64 : (const void *)in32;
    const char *o[] = {ops[op].param, ops[op].text, NULL};
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, type_named(ops[op].type), o), RM_OK);
    rm_item_t *item =
        audio ? fake_audio(&fh, 16000, 1, f64 ? RM_SAMPLE_F64 : RM_SAMPLE_F32,
                           RM_LAYOUT_INTERLEAVED, COUNT, in)
              : fake_tensor(&fh, dtype, COUNT, in);
    ASSERT_NOT_NULL(item);
    rm_item_t *other = shared ? fh.host.item_ref(item) : NULL;
    ASSERT_EQ_INT(fake_process(&fh, item), RM_OK);
    rm_item_t *res = fake_emitted_on(&fh, 0, 0);
    ASSERT_NOT_NULL(res);
    ASSERT_TRUE(shared ? res != item : res == item);
    for (size_t i = 0; i < COUNT; i++) {
        if (f64) {
            double want = expected(op, in64[i]);
            double got = ((const double *)res->data)[i];
            if (memcmp(&want, &got, sizeof want) != 0)
                RM__FAIL("%s %s=%s f64 element %zu: %.17g, want %.17g",
                         ops[op].type, ops[op].param, ops[op].text, i, got,
                         want);
        } else {
            /* the operand as a float, the operation in double */
            float by = (float)ops[op].operand;
            float want = (float)(ops[op].add ? (double)in32[i] + by
                                             : (double)in32[i] * by);
            float got = ((const float *)res->data)[i];
            if (memcmp(&want, &got, sizeof want) != 0)
                RM__FAIL("%s %s=%s f32 element %zu: %.9g, want %.9g",
                         ops[op].type, ops[op].param, ops[op].text, i,
                         (double)got, (double)want);
        }
    }
    if (shared)
        ASSERT_TRUE(memcmp(item->data, in, f64 ? sizeof in64 : sizeof in32) ==
                    0);
    fake_unref(other);
    fake_unref(item);
    fake_destroy(&fh);
}

RM_TEST(float_samples_at_their_edges_in_place_and_copied) {
    for (size_t op = 0; op < OP_COUNT; op++)
        for (int shared = 0; shared < 2; shared++)
            for (int audio = 0; audio < 2; audio++) {
                check_float(RM_DTYPE_F32, op, shared, audio);
                check_float(RM_DTYPE_F64, op, shared, audio);
            }
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST(json_numbers) {
    const char *o[] = {"factor", "2", NULL};
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, type_named("MultiplyNode"), o), RM_OK);
    rm_item_t *item = fh.host.item_new_json(&fh.host, "[1, 2.5, -3]", 12);
    ASSERT_EQ_INT(fake_process(&fh, item), RM_OK);
    ASSERT_STR_EQ((const char *)fake_emitted_on(&fh, 0, 0)->data, "[2,5,-6]");
    fake_unref(item);
    fake_destroy(&fh);
}

/* Each refusal names the node as the runtime does. */
static void expect_refused(const char *type, rm_item_t *(*make)(fake_host_t *),
                           int status, const char *message) {
    fake_host_t fh;
    ASSERT_EQ_INT(fake_create(&fh, type_named(type), NULL), RM_OK);
    rm_item_t *item = make(&fh);
    ASSERT_NOT_NULL(item);
    ASSERT_EQ_INT(fake_process(&fh, item), status);
    ASSERT_STR_EQ(fh.err.message, message);
    ASSERT_EQ_INT(fh.out.count, 0);
    fake_unref(item);
    fake_destroy(&fh);
}
static rm_item_t *bool_tensor(fake_host_t *fh) {
    return fake_tensor(fh, RM_DTYPE_BOOL, 4, NULL);
}
static rm_item_t *unknown_dtype(fake_host_t *fh) {
    rm_item_t *t = fake_tensor(fh, RM_DTYPE_U8, 4, NULL);
    if (t) t->tensor.dtype = 99;
    return t;
}
static rm_item_t *strided(fake_host_t *fh) {
    rm_item_t *t = fake_tensor(fh, RM_DTYPE_I16, 4, NULL);
    if (t) t->tensor.strides[0] = 4;
    return t;
}
static rm_item_t *i16_audio(fake_host_t *fh) {
    return fake_audio(fh, 16000, 1, RM_SAMPLE_I16, RM_LAYOUT_INTERLEAVED, 4,
                      NULL);
}
static rm_item_t *string_json(fake_host_t *fh) {
    return fh->host.item_new_json(&fh->host, "\"two\"", 5);
}
static rm_item_t *bytes(fake_host_t *fh) {
    return fh->host.item_new_bytes(&fh->host, "ab", 2);
}

RM_TEST(refusals_name_the_node) {
    static const struct {
        const char *type;
        rm_item_t *(*make)(fake_host_t *);
        const char *message;
    } cases[] = {
        {"MultiplyNode", bool_tensor,
         "node 'node_under_test' (MultiplyNode): expected a numeric tensor, "
         "got dtype bool"},
        {"AddNode", unknown_dtype,
         "node 'node_under_test' (AddNode): tensor dtype 99 is not "
         "supported"},
        {"AddNode", strided,
         "node 'node_under_test' (AddNode): tensor must be C-contiguous"},
        {"MultiplyNode", i16_audio,
         "node 'node_under_test' (MultiplyNode): audio must be f32 or f64 "
         "samples (convert integer PCM first)"},
        {"MultiplyNode", string_json,
         "node 'node_under_test' (MultiplyNode): input is a string; "
         "expected a number or a list of numbers"},
        {"AddNode", bytes,
         "node 'node_under_test' (AddNode): cannot do arithmetic on a bytes "
         "item; expected JSON numbers, float audio or a float tensor"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_refused(cases[i].type, cases[i].make, RM_EKIND,
                       cases[i].message);
    ASSERT_EQ_INT(fake_live_items, 0);
}

RM_TEST_LIST(RM_TEST_ENTRY(every_integer_dtype_at_its_edges_bit_for_bit),
             RM_TEST_ENTRY(float_samples_at_their_edges_in_place_and_copied),
             RM_TEST_ENTRY(json_numbers),
             RM_TEST_ENTRY(refusals_name_the_node))
