/*
 * bench_math_tensor.c — MultiplyNode (the math plugin's vtable, driven by
 * the tests' fake host) on a 1-D tensor of each dtype it takes: its
 * element-wise loops and the one allocation of the output, nothing else.
 *
 *   build/bench/bench_math_tensor [--elements N] [--repeats R] [DTYPE...]
 *
 * DTYPE: i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 (default: all). Prints a
 * Markdown table: median ms per call and ns per element over R calls
 * (default 1,000,000 elements, 21 calls). An integer tensor gets a new
 * float64 tensor per call; a float one is multiplied in place (the input
 * is the only reference), by 1.0 so its values stay the same.
 *
 * For instruction counts (not times): one call under callgrind, counting
 * only the node's process call — bench/math/count_math.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "fake_host.h"

const rm_plugin_descriptor_t *rm_plugin_entry(void);

static const struct {
    const char *name;
    uint8_t dtype;
} dtypes[] = {
    {"i8", RM_DTYPE_I8},   {"i16", RM_DTYPE_I16}, {"i32", RM_DTYPE_I32},
    {"i64", RM_DTYPE_I64}, {"u8", RM_DTYPE_U8},   {"u16", RM_DTYPE_U16},
    {"u32", RM_DTYPE_U32}, {"u64", RM_DTYPE_U64}, {"f32", RM_DTYPE_F32},
    {"f64", RM_DTYPE_F64},
};
#define DTYPE_COUNT (sizeof dtypes / sizeof dtypes[0])

/* Element i as a small signed pattern (-500..499), in `dtype`. */
static void fill(rm_item_t *t, uint8_t dtype, size_t n) {
    for (size_t i = 0; i < n; i++) {
        long v = (long)(i % 1000) - 500;
        switch (dtype) {
        case RM_DTYPE_I8: ((int8_t *)t->data)[i] = (int8_t)v; break;
        case RM_DTYPE_I16: ((int16_t *)t->data)[i] = (int16_t)v; break;
        case RM_DTYPE_I32: ((int32_t *)t->data)[i] = (int32_t)v; break;
        case RM_DTYPE_I64: ((int64_t *)t->data)[i] = v; break;
        case RM_DTYPE_U8: ((uint8_t *)t->data)[i] = (uint8_t)v; break;
        case RM_DTYPE_U16: ((uint16_t *)t->data)[i] = (uint16_t)v; break;
        case RM_DTYPE_U32: ((uint32_t *)t->data)[i] = (uint32_t)v; break;
        case RM_DTYPE_U64: ((uint64_t *)t->data)[i] = (uint64_t)v; break;
        case RM_DTYPE_F32: ((float *)t->data)[i] = (float)v; break;
        default: ((double *)t->data)[i] = (double)v; break;
        }
    }
}

static int bench_one(const rm_node_type_t *multiply, const char *name,
                     uint8_t dtype, size_t n, int repeats) {
    int is_float = dtype == RM_DTYPE_F32 || dtype == RM_DTYPE_F64;
    const char *factor[] = {"factor", is_float ? "1.0" : "3.0", NULL};
    fake_host_t fh;
    rm_item_t *input = NULL;
    double *ms = malloc(sizeof(double) * (size_t)repeats);
    int status = fake_create(&fh, multiply, factor);
    if (status == RM_OK && (!ms || !(input = fake_tensor(&fh, dtype, n, NULL))))
        status = RM_ENOMEM;
    if (status == RM_OK) fill(input, dtype, n);
    for (int r = 0; r < repeats && status == RM_OK; r++) {
        double t0 = bench_now_us();
        status = fake_process(&fh, input);
        ms[r] = (bench_now_us() - t0) / 1e3;
        fake_clear_emitted(&fh);
    }
    if (status == RM_OK) {
        double median = bench_median(ms, (size_t)repeats);
        printf("| %s | %zu | %.3f | %.2f |\n", name, n, median,
               median * 1e6 / (double)n);
    } else {
        fprintf(stderr, "%s: %s\n", name,
                fh.err.message[0] ? fh.err.message : "out of memory");
    }
    free(ms);
    fake_unref(input);
    fake_destroy(&fh);
    return status != RM_OK;
}

int main(int argc, char **argv) {
    size_t n = 1000000;
    int repeats = 21, first = 1;
    for (; first + 1 < argc && strncmp(argv[first], "--", 2) == 0;
         first += 2) {
        if (strcmp(argv[first], "--elements") == 0)
            n = (size_t)strtoull(argv[first + 1], NULL, 10);
        else if (strcmp(argv[first], "--repeats") == 0)
            repeats = atoi(argv[first + 1]);
        else
            break;
    }
    int bad = repeats < 1 || n < 1;
    for (int a = first; a < argc && !bad; a++) {
        size_t d = 0;
        while (d < DTYPE_COUNT && strcmp(argv[a], dtypes[d].name) != 0) d++;
        bad = d == DTYPE_COUNT;
    }
    if (bad) {
        fprintf(stderr, "usage: %s [--elements N>0] [--repeats R>0] "
                        "[i8 i16 i32 i64 u8 u16 u32 u64 f32 f64]...\n",
                argv[0]);
        return 2;
    }
    const rm_node_type_t *multiply =
        fake_find_type(rm_plugin_entry(), "MultiplyNode");
    printf("| dtype | elements | median ms per call | ns per element |\n"
           "|---|---:|---:|---:|\n");
    for (size_t d = 0; d < DTYPE_COUNT; d++) {
        int wanted = first >= argc;
        for (int a = first; a < argc; a++)
            wanted |= strcmp(argv[a], dtypes[d].name) == 0;
        if (wanted && bench_one(multiply, dtypes[d].name, dtypes[d].dtype, n,
                                repeats))
            return 1;
    }
    return 0;
}
