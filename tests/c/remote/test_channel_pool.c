/*
 * test_channel_pool.c — plugins/remote/channel_pool.c: a channel given
 * back is taken again for the same target and TLS material only, never
 * while in use; a discarded one is not kept; idle channels are capped;
 * REMOTEMEDIA_REMOTE_CHANNEL_POOL=0 makes a channel per take (read once, at
 * a process's first take). Channels connect lazily, so no server is
 * needed.
 */
#include "rm_test.h"

#include <stdlib.h>

#include "channel_pool.h"

#define TARGET "127.0.0.1:1"
#define LIMIT (1u << 20)

static rm_tp_channel_t *take(const char *target, const rm_tp_tls_t *tls,
                             size_t max_message) {
    rm_tp_channel_t *ch = NULL;
    char why[256];
    ASSERT_EQ_INT(rm_channel_pool_take(target, tls, max_message, &ch, why,
                                       sizeof why), 0);
    ASSERT_TRUE(ch != NULL);
    return ch;
}

RM_TEST(given_back_is_reused_for_the_same_key_only) {
    rm_tp_channel_t *a = take(TARGET, NULL, LIMIT);
    rm_tp_channel_t *b = take(TARGET, NULL, LIMIT); /* a is in use */
    ASSERT_TRUE(a != b);
    ASSERT_EQ_INT((int)rm_channel_pool_idle(), 0);
    rm_channel_pool_give_back(a);
    ASSERT_EQ_INT((int)rm_channel_pool_idle(), 1);
    rm_tp_tls_t tls = {"ca", NULL, NULL, NULL};
    rm_tp_tls_t other_ca = {"another ca", NULL, NULL, NULL};
    rm_tp_channel_t *t = take(TARGET, &tls, LIMIT);
    ASSERT_TRUE(t != a);                               /* TLS vs plaintext */
    rm_tp_channel_t *m = take(TARGET, NULL, 2 * LIMIT); /* another limit */
    ASSERT_TRUE(m != a);
    rm_tp_channel_t *h = take("127.0.0.1:2", NULL, LIMIT); /* another host */
    ASSERT_TRUE(h != a);
    rm_channel_pool_give_back(t);
    rm_tp_channel_t *c = take(TARGET, &other_ca, LIMIT);
    ASSERT_TRUE(c != t && c != a);
    ASSERT_TRUE(take(TARGET, &tls, LIMIT) == t);
    ASSERT_TRUE(take(TARGET, NULL, LIMIT) == a);
    ASSERT_EQ_INT((int)rm_channel_pool_idle(), 0);
    rm_tp_channel_t *all[] = {a, b, t, m, h, c};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        rm_channel_pool_discard(all[i]);
    ASSERT_EQ_INT((int)rm_channel_pool_idle(), 0);
}

RM_TEST(discarded_is_not_kept) {
    rm_tp_channel_t *a = take(TARGET, NULL, LIMIT);
    rm_channel_pool_discard(a);
    ASSERT_EQ_INT((int)rm_channel_pool_idle(), 0);
    rm_channel_pool_give_back(NULL);
    rm_channel_pool_discard(NULL);
    ASSERT_EQ_INT((int)rm_channel_pool_idle(), 0);
}

RM_TEST(idle_channels_are_capped) {
    rm_tp_channel_t *chs[RM_CHANNEL_POOL_MAX + 3];
    for (size_t i = 0; i < sizeof chs / sizeof *chs; i++)
        chs[i] = take(TARGET, NULL, LIMIT);
    for (size_t i = 0; i < sizeof chs / sizeof *chs; i++)
        rm_channel_pool_give_back(chs[i]);
    ASSERT_EQ_INT((int)rm_channel_pool_idle(), RM_CHANNEL_POOL_MAX);
    /* The newest given back are the ones kept. */
    rm_tp_channel_t *again = take(TARGET, NULL, LIMIT);
    ASSERT_TRUE(again == chs[sizeof chs / sizeof *chs - 1]);
    rm_channel_pool_discard(again);
    while (rm_channel_pool_idle() > 0)
        rm_channel_pool_discard(take(TARGET, NULL, LIMIT));
}

/* The switch is read at the first take of a process: each case runs in a
 * process of its own (rm_test.h), so it is set here before that take. */
RM_TEST(pool_off_makes_a_channel_per_take) {
    ASSERT_EQ_INT(setenv("REMOTEMEDIA_REMOTE_CHANNEL_POOL", "0", 1), 0);
    rm_tp_channel_t *a = take(TARGET, NULL, LIMIT);
    rm_channel_pool_give_back(a); /* closed, not kept */
    ASSERT_EQ_INT((int)rm_channel_pool_idle(), 0);
    /* Read once: turning it back on later changes nothing. */
    ASSERT_EQ_INT(unsetenv("REMOTEMEDIA_REMOTE_CHANNEL_POOL"), 0);
    rm_channel_pool_give_back(take(TARGET, NULL, LIMIT));
    ASSERT_EQ_INT((int)rm_channel_pool_idle(), 0);
}

RM_TEST(pool_switch_is_read_once) {
    ASSERT_EQ_INT(unsetenv("REMOTEMEDIA_REMOTE_CHANNEL_POOL"), 0);
    rm_tp_channel_t *a = take(TARGET, NULL, LIMIT);
    rm_channel_pool_give_back(a);
    ASSERT_EQ_INT(setenv("REMOTEMEDIA_REMOTE_CHANNEL_POOL", "0", 1), 0);
    rm_tp_channel_t *again = take(TARGET, NULL, LIMIT);
    ASSERT_TRUE(again == a); /* the pool stays on */
    rm_channel_pool_discard(again);
    ASSERT_EQ_INT(unsetenv("REMOTEMEDIA_REMOTE_CHANNEL_POOL"), 0);
}

RM_TEST_LIST(RM_TEST_ENTRY(given_back_is_reused_for_the_same_key_only),
             RM_TEST_ENTRY(discarded_is_not_kept),
             RM_TEST_ENTRY(idle_channels_are_capped),
             RM_TEST_ENTRY(pool_off_makes_a_channel_per_take),
             RM_TEST_ENTRY(pool_switch_is_read_once))
