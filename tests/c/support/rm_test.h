/*
 * rm_test.h — a tiny test harness in libuv's spirit.
 *
 * A test file defines its cases with RM_TEST(name) { ... } and lists them
 * once in RM_TEST_LIST(...). The generated main runs every case, or only
 * the one named on the command line (`./test_x case_name`), each in a
 * forked child with a timeout (RM_TEST_TIMEOUT_S, default 60), and prints
 * "N passed, N failed". Assertions print both operands.
 */
#ifndef RM_TEST_H
#define RM_TEST_H

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef void (*rm_test_fn)(void);
typedef struct { const char *name; rm_test_fn fn; } rm_test_case_t;

#define RM_TEST(name) static void rm_test_##name(void)
#define RM_TEST_ENTRY(name) { #name, rm_test_##name }

#define RM__FAIL(...)                                                         \
    do {                                                                      \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                       \
        fprintf(stderr, __VA_ARGS__);                                         \
        fputc('\n', stderr);                                                  \
        exit(1);                                                              \
    } while (0)

#define ASSERT_TRUE(cond)                                                     \
    do { if (!(cond)) RM__FAIL("assertion failed: %s", #cond); } while (0)
#define ASSERT_EQ_INT(a, b)                                                   \
    do {                                                                      \
        long long rm__a = (long long)(a), rm__b = (long long)(b);             \
        if (rm__a != rm__b)                                                   \
            RM__FAIL("%s == %s: %lld != %lld", #a, #b, rm__a, rm__b);         \
    } while (0)
#define ASSERT_NE_INT(a, b)                                                   \
    do {                                                                      \
        long long rm__a = (long long)(a), rm__b = (long long)(b);             \
        if (rm__a == rm__b)                                                   \
            RM__FAIL("%s != %s: both %lld", #a, #b, rm__a);                   \
    } while (0)
#define ASSERT_NEAR(a, b, tol)                                                \
    do {                                                                      \
        double rm__a = (double)(a), rm__b = (double)(b);                      \
        if (!(rm__a - rm__b <= (tol) && rm__b - rm__a <= (tol)))              \
            RM__FAIL("%s ~= %s (tol %g): %.9g vs %.9g", #a, #b,               \
                     (double)(tol), rm__a, rm__b);                            \
    } while (0)
#define ASSERT_NOT_NULL(p)                                                    \
    do { if ((p) == NULL) RM__FAIL("%s is NULL", #p); } while (0)
#define ASSERT_STR_EQ(a, b)                                                   \
    do {                                                                      \
        const char *rm__a = (a), *rm__b = (b);                                \
        if (!rm__a || !rm__b || strcmp(rm__a, rm__b) != 0)                   \
            RM__FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,                    \
                     rm__a ? rm__a : "(null)", rm__b ? rm__b : "(null)");     \
    } while (0)
#define ASSERT_STR_CONTAINS(haystack, needle)                                 \
    do {                                                                      \
        const char *rm__h = (haystack), *rm__n = (needle);                    \
        if (!rm__h || !strstr(rm__h, rm__n))                                  \
            RM__FAIL("%s does not contain \"%s\": \"%s\"", #haystack, rm__n, \
                     rm__h ? rm__h : "(null)");                               \
    } while (0)

#define ASSERT_STR_STARTS_WITH(text, prefix)                                  \
    do {                                                                      \
        const char *rm__t = (text), *rm__p = (prefix);                        \
        if (!rm__t || strncmp(rm__t, rm__p, strlen(rm__p)) != 0)              \
            RM__FAIL("%s does not start with \"%s\": \"%s\"", #text, rm__p,  \
                     rm__t ? rm__t : "(null)");                               \
    } while (0)

static int rm__test_run_one(const rm_test_case_t *tc) {
    const char *timeout_env = getenv("RM_TEST_TIMEOUT_S");
    unsigned timeout_s = timeout_env ? (unsigned)atoi(timeout_env) : 60;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(timeout_s);
        tc->fn();
        fflush(stdout);
        exit(0); /* not _exit: LeakSanitizer checks at exit */
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0) return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 1;
    if (WIFSIGNALED(status))
        fprintf(stderr, "  %s: killed by signal %d%s\n", tc->name,
                WTERMSIG(status),
                WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
    return 0;
}

static int rm__test_main(const rm_test_case_t *cases, size_t count, int argc,
                         char **argv) {
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0) continue;
        int ok = rm__test_run_one(&cases[i]);
        printf("%s %s\n", ok ? "ok  " : "FAIL", cases[i].name);
        if (ok) passed++; else failed++;
    }
    if (passed + failed == 0) {
        fprintf(stderr, "no test case named %s\n", argc > 1 ? argv[1] : "");
        return 2;
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}

#define RM_TEST_LIST(...)                                                     \
    int main(int argc, char **argv) {                                         \
        static const rm_test_case_t rm__cases[] = {__VA_ARGS__};              \
        return rm__test_main(rm__cases,                                       \
                             sizeof(rm__cases) / sizeof(rm__cases[0]), argc,  \
                             argv);                                           \
    }

#endif /* RM_TEST_H */
