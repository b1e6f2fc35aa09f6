/*
 * cancel.c — cancel tokens (remotemedia/pipeline.h, rm_cancel_*). A token
 * is one atomic flag: the scheduler reads it before it starts node calls
 * (engine/scheduler.c, run_cancelled), a create's retry wait between its
 * slices (host/retry.c); requesting is a single store, so a signal handler
 * may do it. It depends on nothing, so it sits in util/, where every
 * folder may use it.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include <remotemedia/pipeline.h>

struct rm_cancel {
    atomic_int requested;
};

rm_cancel_t *rm_cancel_new(void) {
    rm_cancel_t *cancel = malloc(sizeof(*cancel));
    if (cancel) atomic_init(&cancel->requested, 0);
    return cancel;
}

void rm_cancel_free(rm_cancel_t *cancel) { free(cancel); }

void rm_cancel_request(rm_cancel_t *cancel) {
    if (cancel) atomic_store_explicit(&cancel->requested, 1,
                                      memory_order_release);
}

int rm_cancel_requested(const rm_cancel_t *cancel) {
    return cancel && atomic_load_explicit(
                         &((rm_cancel_t *)cancel)->requested,
                         memory_order_acquire);
}

void rm_cancel_reset(rm_cancel_t *cancel) {
    if (cancel) atomic_store_explicit(&cancel->requested, 0,
                                      memory_order_release);
}
