/*
 * block_cache.h — large item blocks kept for reuse across runs (internal).
 *
 * rm__item_alloc takes its block here and rm__item_unref gives it back.
 * Blocks under RM__BLOCK_MIN bytes are plain malloc/free (glibc's own
 * per-thread caches serve those well); larger ones are rounded up to a
 * size class and, when freed, kept up to a budget of
 * REMOTEMEDIA_ITEM_CACHE_MB (default RM__BLOCK_BUDGET_MB; 0 turns the
 * cache off) and 64 blocks, the oldest freed first when it is full; a
 * block larger than the budget is allocated as asked and never kept.
 * [thread-safe]
 */
#ifndef RM_ITEM_BLOCK_CACHE_H
#define RM_ITEM_BLOCK_CACHE_H

#include <stddef.h>

#define RM__BLOCK_MIN ((size_t)64 * 1024)
#define RM__BLOCK_BUDGET_MB 32

/* A block of at least `bytes`; *capacity is what to give back. NULL when
 * out of memory. */
void *rm__block_take(size_t bytes, size_t *capacity);
/* Keep (or free) a block rm__block_take returned with `capacity`. */
void rm__block_give(void *block, size_t capacity);

/* The size class `bytes` is rounded up to (itself under RM__BLOCK_MIN). */
size_t rm__block_class(size_t bytes);
/* Bytes held now, and freeing all of them (tests; exit). */
size_t rm__block_cache_held(void);
void rm__block_cache_release(void);

#endif /* RM_ITEM_BLOCK_CACHE_H */
