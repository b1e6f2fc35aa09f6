/* test_host_retry.c — the host extension "remotemedia.retry/1"
 * (runtime/src/host/retry.c) as a node's create sees it: the node's
 * max_retries, the engine's back-off for each retry, and a wait that ends
 * at once when the creating run or compile is cancelled (its token in
 * rm__host_t.cancel), and the attempts of the create that the host counts
 * for the run's error. The only waits are of 0 ms or end by the cancel:
 * nothing is timed. */
#include "host/host.h"
#include "rm_test.h"

static const rm_retry_t *retry_of(rm__host_t *h) {
    const rm_retry_t *r = rm_host_retry(&h->pub);
    ASSERT_NOT_NULL(r);
    return r;
}

RM_TEST(the_node_policy_and_the_engine_back_off) {
    rm_retry_policy_t policy = {.max_retries = 4, .initial_delay_ms = 100,
                                .multiplier = 2.0, .max_delay_ms = 500};
    rm__host_t h;
    ASSERT_EQ_INT(rm__host_init(&h, "far", "RemoteNode", 0, &policy), RM_OK);
    const rm_retry_t *r = retry_of(&h);
    ASSERT_EQ_INT((int)r->max_retries(&h.pub), 4);
    ASSERT_EQ_INT((int)r->delay_ms(&h.pub, 1), 100);
    ASSERT_EQ_INT((int)r->delay_ms(&h.pub, 2), 200);
    ASSERT_EQ_INT((int)r->delay_ms(&h.pub, 3), 400);
    ASSERT_EQ_INT((int)r->delay_ms(&h.pub, 4), 500); /* capped */
    ASSERT_EQ_INT(r->wait_ms(&h.pub, 0), RM_OK);
    rm__host_destroy(&h);
}

RM_TEST(jitter_keeps_each_delay_within_its_fraction) {
    rm_retry_policy_t policy = {.max_retries = 3, .initial_delay_ms = 1000,
                                .multiplier = 1.0, .jitter = 0.5};
    rm__host_t h;
    ASSERT_EQ_INT(rm__host_init(&h, "far", "RemoteNode", 0, &policy), RM_OK);
    const rm_retry_t *r = retry_of(&h);
    for (uint32_t i = 1; i <= 100; i++) {
        uint64_t d = r->delay_ms(&h.pub, i);
        ASSERT_TRUE(d >= 500 && d <= 1000);
    }
    rm__host_destroy(&h);
}

RM_TEST(a_cancelled_token_ends_the_wait) {
    rm_retry_policy_t policy = {.max_retries = 1, .initial_delay_ms = 100};
    rm__host_t h;
    ASSERT_EQ_INT(rm__host_init(&h, "far", "RemoteNode", 0, &policy), RM_OK);
    const rm_retry_t *r = retry_of(&h);
    rm_cancel_t *cancel = rm_cancel_new();
    ASSERT_NOT_NULL(cancel);
    rm_cancel_request(cancel);
    h.cancel = cancel; /* as rm__node_create sets it for a cancelled run */
    ASSERT_EQ_INT(r->wait_ms(&h.pub, 3600u * 1000u), RM_ECANCELED);
    h.cancel = NULL; /* none: the wait is the wait */
    ASSERT_EQ_INT(r->wait_ms(&h.pub, 0), RM_OK);
    rm_cancel_free(cancel);
    rm__host_destroy(&h);
    /* No policy given: no retries. */
    ASSERT_EQ_INT(rm__host_init(&h, "far", "RemoteNode", 0, NULL), RM_OK);
    ASSERT_EQ_INT((int)retry_of(&h)->max_retries(&h.pub), 0);
    rm__host_destroy(&h);
}

/* attempt: 1 + the waits that ran to their end (each is followed by an
 * attempt); max_attempts: the policy's when the create asked for it. */
RM_TEST(the_host_counts_the_attempts_of_a_create) {
    rm_retry_policy_t policy = {.max_retries = 3};
    rm__host_t h;
    ASSERT_EQ_INT(rm__host_init(&h, "far", "RemoteNode", 0, &policy), RM_OK);
    uint32_t attempt = 0, max_attempts = 0;
    rm__host_create_attempts(&h, &attempt, &max_attempts);
    ASSERT_EQ_INT((int)attempt, 1); /* a create that does not retry */
    ASSERT_EQ_INT((int)max_attempts, 1);
    const rm_retry_t *r = retry_of(&h);
    ASSERT_EQ_INT((int)r->max_retries(&h.pub), 3);
    rm__host_create_attempts(&h, &attempt, &max_attempts);
    ASSERT_EQ_INT((int)attempt, 1); /* failed at once, could have retried */
    ASSERT_EQ_INT((int)max_attempts, 4);
    ASSERT_EQ_INT(r->wait_ms(&h.pub, 0), RM_OK);
    ASSERT_EQ_INT(r->wait_ms(&h.pub, 0), RM_OK);
    rm__host_create_attempts(&h, &attempt, &max_attempts);
    ASSERT_EQ_INT((int)attempt, 3);
    ASSERT_EQ_INT((int)max_attempts, 4);
    /* A wait a cancel ended is not followed by an attempt. */
    rm_cancel_t *cancel = rm_cancel_new();
    ASSERT_NOT_NULL(cancel);
    rm_cancel_request(cancel);
    h.cancel = cancel;
    ASSERT_EQ_INT(r->wait_ms(&h.pub, 1000), RM_ECANCELED);
    h.cancel = NULL;
    rm__host_create_attempts(&h, &attempt, &max_attempts);
    ASSERT_EQ_INT((int)attempt, 3);
    rm_cancel_free(cancel);
    rm__host_destroy(&h);
}

RM_TEST_LIST(RM_TEST_ENTRY(the_node_policy_and_the_engine_back_off),
             RM_TEST_ENTRY(jitter_keeps_each_delay_within_its_fraction),
             RM_TEST_ENTRY(a_cancelled_token_ends_the_wait),
             RM_TEST_ENTRY(the_host_counts_the_attempts_of_a_create))
