/*
 * bench_cpu.h — the CPU model for result tables (benchmarks record the
 * CPU with every result: shared/BENCHMARKS.md). Header-only.
 */
#ifndef RM_BENCH_CPU_H
#define RM_BENCH_CPU_H

#include <stdio.h>
#include <string.h>

/* The CPU model (/proc/cpuinfo "model name"), for result tables. */
static inline const char *bench_cpu_model(void) {
    static char model[128] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) != 0 || !colon) continue;
        snprintf(model, sizeof model, "%s", colon + 2);
        model[strcspn(model, "\n")] = 0;
        break;
    }
    if (f) fclose(f);
    return model;
}

#endif /* RM_BENCH_CPU_H */
