/*
 * bench_util.h — what the C benchmark programs share: a monotonic clock,
 * medians, a growing text buffer for generated manifests, a chain
 * manifest, and compile-or-exit. Header-only; bench programs only.
 */
#ifndef RM_BENCH_UTIL_H
#define RM_BENCH_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <remotemedia/runtime.h>
#include "bench_cpu.h"

static inline double bench_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline int bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorts `v` in place. */
static inline double bench_median(double *v, size_t n) {
    qsort(v, n, sizeof(*v), bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct bench_text {
    char *s;
    size_t len, cap;
} bench_text_t;

static inline void bench_add(bench_text_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void bench_add(bench_text_t *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
    }
    memcpy(t->s + t->len, buf, (size_t)n + 1);
    t->len += (size_t)n;
}

/* `length` PassThroughNodes in a chain (implicit connections). Caller frees. */
static inline char *bench_chain_manifest(int length) {
    bench_text_t t = {0};
    bench_add(&t, "{\"version\":\"v1\",\"nodes\":[");
    for (int i = 0; i < length; i++)
        bench_add(&t, "%s{\"id\":\"n%d\",\"node_type\":\"PassThroughNode\"}",
                  i ? "," : "", i);
    bench_add(&t, "]}");
    return t.s;
}

/* Compile or print every diagnostic and exit(1). */
static inline rm_pipeline_t *bench_compile(rm_registry_t *registry,
                                           const char *manifest) {
    rm_diag_t *diag = rm_diag_new();
    rm_pipeline_t *p = NULL;
    if (rm_pipeline_compile(registry, manifest, strlen(manifest), "<bench>",
                            diag, &p) != RM_OK) {
        fprintf(stderr, "compile failed:\n%s\n", rm_diag_text(diag));
        exit(1);
    }
    rm_diag_free(diag);
    return p;
}

#endif /* RM_BENCH_UTIL_H */
