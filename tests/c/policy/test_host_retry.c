/* test_host_retry.c — the host extension "remotemedia.retry/1"
 * (runtime/src/host/retry.c) as a node's create sees it: the node's
 * max_retries, the engine's back-off for each retry, and a wait that ends
 * at once when the creating run is cancelled (rm__host_t.stopped). The
 * only waits are of 0 ms or end by the cancel: nothing is timed. */
#include "host/host.h"
#include "rm_test.h"

static const rm_retry_t *retry_of(rm__host_t *h) {
    const rm_retry_t *r = rm_host_retry(&h->pub);
    ASSERT_NOT_NULL(r);
    return r;
}

static int always(const void *ctx) {
    (void)ctx;
    return 1;
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

RM_TEST(a_cancelled_run_ends_the_wait_and_a_compile_has_none) {
    rm_retry_policy_t policy = {.max_retries = 1, .initial_delay_ms = 100};
    rm__host_t h;
    ASSERT_EQ_INT(rm__host_init(&h, "far", "RemoteNode", 0, &policy), RM_OK);
    const rm_retry_t *r = retry_of(&h);
    h.stopped = always; /* as rm__node_create sets it for a cancelled run */
    ASSERT_EQ_INT(r->wait_ms(&h.pub, 3600u * 1000u), RM_ECANCELED);
    h.stopped = NULL;
    ASSERT_EQ_INT(r->wait_ms(&h.pub, 0), RM_OK);
    rm__host_destroy(&h);
    /* No policy given: no retries. */
    ASSERT_EQ_INT(rm__host_init(&h, "far", "RemoteNode", 0, NULL), RM_OK);
    ASSERT_EQ_INT((int)retry_of(&h)->max_retries(&h.pub), 0);
    rm__host_destroy(&h);
}

RM_TEST_LIST(RM_TEST_ENTRY(the_node_policy_and_the_engine_back_off),
             RM_TEST_ENTRY(jitter_keeps_each_delay_within_its_fraction),
             RM_TEST_ENTRY(a_cancelled_run_ends_the_wait_and_a_compile_has_none))
