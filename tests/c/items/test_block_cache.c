/* test_block_cache.c — large item blocks are kept and reused, within a
 * budget (runtime/src/item/block_cache.c). Each case runs in its own
 * forked child, so each starts with an empty cache and reads
 * REMOTEMEDIA_ITEM_CACHE_MB afresh. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <remotemedia/pipeline.h>

#include "item/block_cache.h"
#include "rm_test.h"

static rm_item_t *audio_item(uint64_t frames) {
    rm_audio_format_t f = {0};
    f.sample_rate = 48000;
    f.channels = 2;
    f.sample_format = RM_SAMPLE_F32;
    f.layout = RM_LAYOUT_PLANAR;
    f.frames = frames;
    return rm_item_new_audio(&f);
}

RM_TEST(classes_round_up_at_most_a_quarter) {
    ASSERT_EQ_INT(rm__block_class(1000), 1000); /* small: as asked */
    ASSERT_EQ_INT(rm__block_class(RM__BLOCK_MIN), RM__BLOCK_MIN);
    ASSERT_EQ_INT(rm__block_class(RM__BLOCK_MIN + 1), RM__BLOCK_MIN + RM__BLOCK_MIN / 4);
    for (size_t n = RM__BLOCK_MIN; n < (size_t)64 << 20; n = n * 9 / 8 + 7) {
        size_t c = rm__block_class(n);
        ASSERT_TRUE(c >= n);
        ASSERT_TRUE(c - n <= n / 4);
        ASSERT_EQ_INT(rm__block_class(c), c); /* a class is its own class */
    }
}

RM_TEST(a_freed_large_block_is_reused_for_the_same_class) {
    rm_item_t *a = audio_item(48000); /* 1 s stereo f32: 384,000 bytes */
    ASSERT_NOT_NULL(a);
    void *where = a->data;
    rm_item_unref(a);
    ASSERT_TRUE(rm__block_cache_held() >= 384000);
    rm_item_t *b = audio_item(47000); /* another size in the same class */
    ASSERT_NOT_NULL(b);
    ASSERT_TRUE(b->data == where);
    ASSERT_EQ_INT(rm__block_cache_held(), 0);
    rm_item_unref(b);
}

RM_TEST(small_items_are_not_kept) {
    rm_item_t *a = audio_item(100); /* 800 bytes */
    ASSERT_NOT_NULL(a);
    rm_item_unref(a);
    ASSERT_EQ_INT(rm__block_cache_held(), 0);
}

RM_TEST(the_budget_bounds_what_is_held_oldest_go_first) {
    setenv("REMOTEMEDIA_ITEM_CACHE_MB", "4", 1);
    rm_item_t *items[12];
    for (int i = 0; i < 12; i++) {
        items[i] = audio_item(131072); /* 1 MiB payload + header */
        ASSERT_NOT_NULL(items[i]);
    }
    void *newest = items[11]->data;
    for (int i = 0; i < 12; i++) rm_item_unref(items[i]);
    size_t held = rm__block_cache_held();
    ASSERT_TRUE(held <= (size_t)4 << 20);
    ASSERT_TRUE(held >= (size_t)2 << 20); /* it keeps what fits */
    rm_item_t *again = audio_item(131072);
    ASSERT_TRUE(again->data == newest); /* the newest were kept */
    rm_item_unref(again);
    rm__block_cache_release();
    ASSERT_EQ_INT(rm__block_cache_held(), 0);
}

RM_TEST(a_block_larger_than_the_budget_is_as_asked_and_not_kept) {
    setenv("REMOTEMEDIA_ITEM_CACHE_MB", "1", 1);
    size_t capacity = 0;
    void *big = rm__block_take((size_t)1 << 20, &capacity); /* class 1 MiB: fits */
    ASSERT_EQ_INT(capacity, (size_t)1 << 20);
    rm__block_give(big, capacity);
    ASSERT_EQ_INT(rm__block_cache_held(), (size_t)1 << 20);
    size_t odd = ((size_t)1 << 20) + 1; /* class 1.25 MiB > the budget */
    void *over = rm__block_take(odd, &capacity);
    ASSERT_NOT_NULL(over);
    ASSERT_EQ_INT(capacity, odd); /* not rounded up */
    rm__block_give(over, capacity);
    ASSERT_EQ_INT(rm__block_cache_held(), (size_t)1 << 20); /* not kept */
}

RM_TEST(zero_turns_the_cache_off) {
    setenv("REMOTEMEDIA_ITEM_CACHE_MB", "0", 1);
    rm_item_t *a = audio_item(48000);
    ASSERT_NOT_NULL(a);
    rm_item_unref(a);
    ASSERT_EQ_INT(rm__block_cache_held(), 0);
}

static void *give_one(void *arg) {
    rm_item_unref((rm_item_t *)arg); /* this thread gives the block */
    return NULL;
}

RM_TEST(a_thread_gets_back_its_own_block_first) {
    rm_item_t *mine = audio_item(48000), *theirs = audio_item(48000);
    ASSERT_NOT_NULL(mine);
    ASSERT_NOT_NULL(theirs);
    void *my_block = mine->data, *their_block = theirs->data;
    rm_item_unref(mine);
    pthread_t t;
    ASSERT_EQ_INT(pthread_create(&t, NULL, give_one, theirs), 0);
    pthread_join(t, NULL);
    /* theirs is the newest of the class, but this thread gave mine */
    rm_item_t *again = audio_item(48000);
    ASSERT_TRUE(again->data == my_block);
    rm_item_t *next = audio_item(48000);
    ASSERT_TRUE(next->data == their_block); /* then any thread's */
    rm_item_unref(again);
    rm_item_unref(next);
}

static atomic_int forks_done;

static void *hold_and_fork(void *arg) {
    (void)arg;
    /* forks while the main thread keeps taking and giving blocks */
    for (int i = 0; i < 50; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(10); /* a deadlocked child dies (alarms are not inherited) */
            rm_item_t *x = audio_item(48000); /* must not deadlock */
            rm_item_unref(x);
            _exit(x ? 0 : 1);
        }
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            atomic_store(&forks_done, 1);
            return (void *)1;
        }
    }
    atomic_store(&forks_done, 1);
    return NULL;
}

RM_TEST(a_fork_while_another_thread_uses_the_cache_is_safe) {
    rm_item_t *warm = audio_item(48000); /* the cache is set up */
    rm_item_unref(warm);
    pthread_t t;
    ASSERT_EQ_INT(pthread_create(&t, NULL, hold_and_fork, NULL), 0);
    while (!atomic_load(&forks_done)) rm_item_unref(audio_item(48000));
    void *failed = NULL;
    pthread_join(t, &failed);
    ASSERT_TRUE(failed == NULL);
}

static void *churn(void *arg) {
    (void)arg;
    for (int round = 0; round < 300; round++) {
        rm_item_t *x = audio_item(48000 + (uint64_t)(round % 5) * 4000);
        if (!x) return (void *)1;
        rm_item_unref(x);
    }
    return NULL;
}

RM_TEST(a_bad_budget_keeps_the_default) {
    setenv("REMOTEMEDIA_ITEM_CACHE_MB", "lots", 1); /* warned on stderr */
    rm_item_t *a = audio_item(48000);
    ASSERT_NOT_NULL(a);
    rm_item_unref(a);
    ASSERT_TRUE(rm__block_cache_held() >= 384000);
}

RM_TEST(threads_share_the_cache_safely) {
    /* takes and gives from two threads at once (TSan checks the lock) */
    pthread_t t[2];
    for (int i = 0; i < 2; i++) ASSERT_EQ_INT(pthread_create(&t[i], NULL, churn, NULL), 0);
    for (int i = 0; i < 2; i++) {
        void *failed = NULL;
        pthread_join(t[i], &failed);
        ASSERT_TRUE(failed == NULL);
    }
    ASSERT_TRUE(rm__block_cache_held() <= (size_t)RM__BLOCK_BUDGET_MB << 20);
}

RM_TEST_LIST(RM_TEST_ENTRY(classes_round_up_at_most_a_quarter),
             RM_TEST_ENTRY(a_freed_large_block_is_reused_for_the_same_class),
             RM_TEST_ENTRY(small_items_are_not_kept),
             RM_TEST_ENTRY(the_budget_bounds_what_is_held_oldest_go_first),
             RM_TEST_ENTRY(a_block_larger_than_the_budget_is_as_asked_and_not_kept),
             RM_TEST_ENTRY(zero_turns_the_cache_off),
             RM_TEST_ENTRY(a_bad_budget_keeps_the_default),
             RM_TEST_ENTRY(a_thread_gets_back_its_own_block_first),
             RM_TEST_ENTRY(a_fork_while_another_thread_uses_the_cache_is_safe),
             RM_TEST_ENTRY(threads_share_the_cache_safely))
