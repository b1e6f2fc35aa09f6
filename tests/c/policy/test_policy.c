/* test_policy.c — the breaker and the back-off (runtime/src/policy) on
 * their own: every time is injected, nothing sleeps. */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "rm_test.h"

#define MS 1000000u

static const rm_breaker_policy_t three_then_1s = {.failure_threshold = 3,
                                                  .cooldown_ms = 1000};

static int admit_at(rm__breaker_t *b, uint64_t now, rm_error_t *err) {
    return rm__breaker_admit_slow(b, &three_then_1s, "asr", "Whisper", now,
                                  err);
}

static unsigned state_of(rm__breaker_t *b) {
    return atomic_load(&b->state);
}

RM_TEST(breaker_opens_after_threshold_consecutive_failures) {
    rm__breaker_t b;
    rm__breaker_init(&b);
    rm_error_t err = {0};
    rm__breaker_failure(&b, 3, "boom 1", 10 * MS);
    rm__breaker_success(&b); /* a success resets the count */
    rm__breaker_failure(&b, 3, "boom 2", 20 * MS);
    rm__breaker_failure(&b, 3, "boom 3", 30 * MS);
    ASSERT_EQ_INT(state_of(&b), RM_BREAKER_CLOSED);
    ASSERT_EQ_INT(rm__breaker_admit(&b, &three_then_1s, "asr", "Whisper",
                                    &err),
                  RM_OK);
    rm__breaker_failure(&b, 3, "boom 4", 40 * MS);
    ASSERT_EQ_INT(state_of(&b), RM_BREAKER_OPEN);
    /* Open: refused, naming the node, the count, the last error and the
     * time left (1000 ms cooldown from 40 ms, asked at 240 ms). */
    ASSERT_EQ_INT(admit_at(&b, 240 * MS, &err), RM_EBREAKER);
    ASSERT_EQ_INT(err.status, RM_EBREAKER);
    ASSERT_EQ_INT(err.transient, 0);
    ASSERT_STR_EQ(err.message,
                  "circuit breaker open for node 'asr' (Whisper) after 3 "
                  "consecutive failures; last error: boom 4; next trial "
                  "call in 800 ms");
    rm__error_clear(&err);
    rm__breaker_destroy(&b);
}

RM_TEST(breaker_half_open_trial_closes_or_reopens) {
    rm__breaker_t b;
    rm__breaker_init(&b);
    rm_error_t err = {0};
    for (int i = 0; i < 3; i++) rm__breaker_failure(&b, 3, "down", 0);
    ASSERT_EQ_INT(state_of(&b), RM_BREAKER_OPEN);
    /* After the cooldown one trial goes through; others wait for it. */
    ASSERT_EQ_INT(admit_at(&b, 1000 * MS, &err), RM_OK);
    ASSERT_EQ_INT(state_of(&b), RM_BREAKER_HALF_OPEN);
    ASSERT_EQ_INT(admit_at(&b, 1001 * MS, &err), RM_EBREAKER);
    ASSERT_STR_CONTAINS(err.message, "half-open for node 'asr'");
    ASSERT_STR_CONTAINS(err.message, "a trial call is running");
    rm__error_clear(&err);
    /* The trial fails: open again from then. */
    rm__breaker_failure(&b, 3, "still down", 1002 * MS);
    ASSERT_EQ_INT(state_of(&b), RM_BREAKER_OPEN);
    ASSERT_EQ_INT(admit_at(&b, 1500 * MS, &err), RM_EBREAKER);
    ASSERT_STR_CONTAINS(err.message, "last error: still down");
    rm__error_clear(&err);
    /* The next trial succeeds: closed, count reset. */
    ASSERT_EQ_INT(admit_at(&b, 2002 * MS, &err), RM_OK);
    rm__breaker_success(&b);
    ASSERT_EQ_INT(state_of(&b), RM_BREAKER_CLOSED);
    ASSERT_EQ_INT(atomic_load(&b.failures), 0);
    rm__breaker_destroy(&b);
}

RM_TEST(breaker_threshold_zero_never_opens) {
    rm__breaker_t b;
    rm__breaker_init(&b);
    for (int i = 0; i < 100; i++) rm__breaker_failure(&b, 0, "x", 0);
    ASSERT_EQ_INT(state_of(&b), RM_BREAKER_CLOSED);
    rm__breaker_destroy(&b);
}

RM_TEST(backoff_grows_caps_and_jitters_below) {
    rm_retry_policy_t p = {.max_retries = 5, .initial_delay_ms = 100,
                           .multiplier = 2.0, .max_delay_ms = 500};
    ASSERT_EQ_INT(rm__retry_delay_ms(&p, 1, NULL), 100);
    ASSERT_EQ_INT(rm__retry_delay_ms(&p, 2, NULL), 200);
    ASSERT_EQ_INT(rm__retry_delay_ms(&p, 3, NULL), 400);
    ASSERT_EQ_INT(rm__retry_delay_ms(&p, 4, NULL), 500); /* capped */
    ASSERT_EQ_INT(rm__retry_delay_ms(&p, 60, NULL), 500);
    p.max_delay_ms = 0; /* no cap: huge, never overflowing */
    ASSERT_EQ_INT(rm__retry_delay_ms(&p, 200, NULL), 1000000000000ull);
    p.max_delay_ms = 500;
    p.jitter = 0.5; /* within [d/2, d], spread */
    uint64_t rng = 42, lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < 200; i++) {
        uint64_t d = rm__retry_delay_ms(&p, 2, &rng);
        ASSERT_TRUE(d >= 100 && d <= 200);
        if (d < lo) lo = d;
        if (d > hi) hi = d;
    }
    ASSERT_TRUE(hi - lo >= 50);
}

RM_TEST_LIST(
    RM_TEST_ENTRY(breaker_opens_after_threshold_consecutive_failures),
    RM_TEST_ENTRY(breaker_half_open_trial_closes_or_reopens),
    RM_TEST_ENTRY(breaker_threshold_zero_never_opens),
    RM_TEST_ENTRY(backoff_grows_caps_and_jitters_below))
