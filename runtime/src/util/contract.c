/* contract.c — counters of plugin ABI violations (see contract.h). */
#include "util/contract.h"

#include <stdatomic.h>

static atomic_uint_fast64_t rm__violations[RM_VIOLATION_COUNT];

void rm__violation_note(rm_violation_t what) {
    if ((unsigned)what < RM_VIOLATION_COUNT)
        atomic_fetch_add_explicit(&rm__violations[what], 1u,
                                  memory_order_relaxed);
}

uint64_t rm_violation_count(rm_violation_t what) {
    if ((unsigned)what >= RM_VIOLATION_COUNT) return 0;
    return atomic_load_explicit(&rm__violations[what], memory_order_relaxed);
}
