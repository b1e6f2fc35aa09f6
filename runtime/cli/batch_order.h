/* batch_order.h — the order in which `rmrun --batch` workers take files
 * (batch_order.c). No dependency beyond libc, so a unit test can build it
 * alone. */
#ifndef RM_CLI_BATCH_ORDER_H
#define RM_CLI_BATCH_ORDER_H

#include <stddef.h>

/* Fills order[0..n) with entry indices: 0, 1, ... for one job; for more,
 * by `bytes` descending (unknown sizes, -1, last), ties by index. 0, or
 * -1 when out of memory (`order` then untouched). */
int rm_batch_dispatch_order(const long long *bytes, size_t n, unsigned jobs,
                            size_t *order);

#endif
