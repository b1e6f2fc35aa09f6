/*
 * block_cache.c — large item blocks kept for reuse (see block_cache.h).
 *
 * A pipeline run frees its audio items as it goes, and the next file's run
 * asks for the same sizes again. glibc hands large blocks back to the
 * kernel (mmap'd blocks, a trimmed heap top), so each file faulted its
 * buffers in anew: ~170 page faults per file-run of the 48-file trim batch
 * in a Python process, where rmrun sets malloc's thresholds for itself
 * (a library cannot do that for the process it lives in). Here blocks of
 * RM__BLOCK_MIN bytes and more are rounded up to a size class (four per
 * doubling, at most 25 % over) and a freed one is kept, up to a byte
 * budget (and at most RM__BLOCK_SLOTS blocks); the oldest go first when
 * it is full. A thread gets back a block
 * it gave itself when there is one (its core's cache may still hold it). The lock is taken only for
 * these large blocks, whose payload costs far more to fill than the lock.
 */
#include "item/block_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Under AddressSanitizer a kept block is poisoned, so a use after the
 * last unref is still caught as it would be after free(). */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define RM__POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define RM__UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define RM__POISON(p, n) ((void)(p), (void)(n))
#define RM__UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define RM__BLOCK_SLOTS 64

typedef struct {
    void *block;
    size_t capacity;
    const void *owner; /* the thread that gave it (its rm__me) */
} rm__slot_t;

/* A thread's identity for rm__slot_t.owner: a block written last by this
 * thread is likelier still in this core's cache, so take prefers it. */
static _Thread_local char rm__me;

static pthread_mutex_t rm__lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t rm__once = PTHREAD_ONCE_INIT;
static size_t rm__budget;          /* bytes the cache may hold             */
static rm__slot_t rm__slots[RM__BLOCK_SLOTS]; /* oldest first              */
static size_t rm__count, rm__held;

/* A fork while another thread holds the lock would leave it locked in the
 * child forever: the forking thread holds it across fork instead. */
static void rm__fork_prepare(void) { pthread_mutex_lock(&rm__lock); }
static void rm__fork_done(void) { pthread_mutex_unlock(&rm__lock); }

static void rm__read_budget(void) {
    pthread_atfork(rm__fork_prepare, rm__fork_done, rm__fork_done);
    rm__budget = (size_t)RM__BLOCK_BUDGET_MB << 20;
    const char *mb = getenv("REMOTEMEDIA_ITEM_CACHE_MB");
    if (!mb || !*mb) return;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(mb, &end, 10);
    if (errno || *end || *mb == '-' || v > (SIZE_MAX >> 20)) {
        fprintf(stderr, "remotemedia: REMOTEMEDIA_ITEM_CACHE_MB='%s' is not "
                "a whole number of MB; using %d\n", mb, RM__BLOCK_BUDGET_MB);
        return;
    }
    rm__budget = (size_t)v << 20;
}

static void rm__free_slots(const rm__slot_t *slots, size_t n) {
    for (size_t i = 0; i < n; i++) {
        RM__UNPOISON(slots[i].block, slots[i].capacity);
        free(slots[i].block);
    }
}

size_t rm__block_class(size_t bytes) {
    if (bytes < RM__BLOCK_MIN) return bytes;
    /* The power of two at or below, in quarters of it. */
    size_t top = (size_t)1 << (63 - __builtin_clzll((unsigned long long)bytes));
    size_t quarter = top / 4;
    size_t rounded = (bytes + quarter - 1) / quarter * quarter;
    return rounded < bytes ? bytes : rounded; /* no overflow at the top */
}

void *rm__block_take(size_t bytes, size_t *capacity) {
    *capacity = bytes;
    if (bytes < RM__BLOCK_MIN) return malloc(bytes);
    pthread_once(&rm__once, rm__read_budget);
    if (!rm__budget) return malloc(bytes); /* REMOTEMEDIA_ITEM_CACHE_MB=0 */
    size_t want = rm__block_class(bytes);
    if (want > rm__budget) return malloc(bytes); /* never kept: as asked */
    *capacity = want;
    void *block = NULL;
    pthread_mutex_lock(&rm__lock);
    /* Newest first (likelier still in a cache), this thread's first. */
    size_t found = rm__count;
    for (size_t i = rm__count; i-- > 0;) {
        if (rm__slots[i].capacity != want) continue;
        if (found == rm__count) found = i;
        if (rm__slots[i].owner == &rm__me) {
            found = i;
            break;
        }
    }
    if (found < rm__count) {
        block = rm__slots[found].block;
        rm__held -= want;
        for (size_t j = found + 1; j < rm__count; j++)
            rm__slots[j - 1] = rm__slots[j];
        rm__count--;
    }
    pthread_mutex_unlock(&rm__lock);
    if (!block) block = malloc(want);
    /* Under ASan the rounded-up tail stays poisoned: a write past the
     * item's payload is still caught. */
    if (block) {
        RM__UNPOISON(block, bytes);
        RM__POISON((char *)block + bytes, want - bytes);
    }
    return block;
}

void rm__block_give(void *block, size_t capacity) {
    if (!block) return;
    if (capacity < RM__BLOCK_MIN) {
        free(block);
        return;
    }
    pthread_once(&rm__once, rm__read_budget);
    if (capacity > rm__budget || capacity != rm__block_class(capacity)) {
        RM__UNPOISON(block, capacity);
        free(block); /* too big to keep, or allocated as asked */
        return;
    }
    rm__slot_t evicted[RM__BLOCK_SLOTS];
    size_t n_evicted = 0;
    RM__POISON(block, capacity);
    pthread_mutex_lock(&rm__lock);
    /* Room for it: the oldest blocks go. */
    size_t drop = 0;
    while (drop < rm__count &&
           (rm__count - drop == RM__BLOCK_SLOTS ||
            rm__held + capacity > rm__budget)) {
        evicted[n_evicted++] = rm__slots[drop];
        rm__held -= rm__slots[drop].capacity;
        drop++;
    }
    for (size_t j = drop; j < rm__count; j++) rm__slots[j - drop] = rm__slots[j];
    rm__count -= drop;
    rm__slots[rm__count].block = block;
    rm__slots[rm__count].capacity = capacity;
    rm__slots[rm__count].owner = &rm__me;
    rm__count++;
    rm__held += capacity;
    pthread_mutex_unlock(&rm__lock);
    rm__free_slots(evicted, n_evicted);
}

size_t rm__block_cache_held(void) {
    pthread_mutex_lock(&rm__lock);
    size_t held = rm__held;
    pthread_mutex_unlock(&rm__lock);
    return held;
}

void rm__block_cache_release(void) {
    pthread_mutex_lock(&rm__lock);
    size_t count = rm__count;
    rm__slot_t blocks[RM__BLOCK_SLOTS];
    for (size_t i = 0; i < count; i++) blocks[i] = rm__slots[i];
    rm__count = 0;
    rm__held = 0;
    pthread_mutex_unlock(&rm__lock);
    rm__free_slots(blocks, count);
}

/* Leak checkers see an empty cache at exit (valgrind's "still reachable"). */
__attribute__((destructor)) static void rm__block_cache_at_exit(void) {
    rm__block_cache_release();
}
