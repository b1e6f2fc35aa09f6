/*
 * cpu_pair.c — how much slower one core's arithmetic gets while the other
 * core works too (issue #14's -j scaling). A loop that lives in registers
 * and L1 (a 16 -> 32 tanh layer, the SpeechSegmenter's shape) touches no
 * shared cache or memory, so if two copies at once each need more CPU time
 * than one alone, the cores share something underneath (SMT siblings on
 * the host, a shared clock budget): the best -j 2 scaling this machine
 * can give any program is 2 / that ratio.
 *
 *   build/bench/bench_cpu_pair [rounds]   prints this thread's CPU seconds
 *
 * bench/batch/bench_jobs_cpu.py runs it alone and two at once, interleaved.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 400000;
    float w[32 * 16], x[16], h[32];
    for (int i = 0; i < 32 * 16; i++) w[i] = (float)(i % 7) * 0.01f;
    for (int i = 0; i < 16; i++) x[i] = (float)i * 0.1f;
    struct timespec a, b;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    double acc = 0;
    for (long r = 0; r < rounds; r++) {
        for (int j = 0; j < 32; j++) {
            float s = 0;
            for (int i = 0; i < 16; i++) s += w[j * 16 + i] * x[i];
            h[j] = tanhf(s);
        }
        x[r & 15] += h[r & 31] * 1e-6f; /* a dependency: no loop is dead */
        acc += h[0];
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    printf("%.6f %g\n",
           (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
           acc);
    return 0;
}
