/* account.c — memory accounts: the bytes a node's items and allocations
 * hold, live and peak (see item.h). */
#include <stdlib.h>

#include "item/item.h"

rm__account_t *rm__account_new(void) {
    rm__account_t *account = malloc(sizeof(*account));
    if (!account) return NULL;
    atomic_init(&account->live, 0);
    atomic_init(&account->peak, 0);
    atomic_init(&account->refs, 1u);
    return account;
}

rm__account_t *rm__account_ref(rm__account_t *account) {
    atomic_fetch_add_explicit(&account->refs, 1u, memory_order_relaxed);
    return account;
}

void rm__account_unref(rm__account_t *account) {
    if (!account) return;
    if (atomic_fetch_sub_explicit(&account->refs, 1u, memory_order_acq_rel) ==
        1u)
        free(account);
}

void rm__account_charge(rm__account_t *account, size_t bytes) {
    size_t live = atomic_fetch_add_explicit(&account->live, bytes,
                                            memory_order_relaxed) + bytes;
    size_t peak = atomic_load_explicit(&account->peak, memory_order_relaxed);
    while (live > peak &&
           !atomic_compare_exchange_weak_explicit(&account->peak, &peak, live,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed)) {
    }
}

void rm__account_discharge(rm__account_t *account, size_t bytes) {
    atomic_fetch_sub_explicit(&account->live, bytes, memory_order_relaxed);
}
