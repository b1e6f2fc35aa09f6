/*
 * batch_order.c — which file a free `rmrun --batch` worker takes next
 * (batch.h).
 *
 * With one worker: the inputs' sorted order. With several: the largest
 * first, ties in sorted order (longest processing time first, the classic
 * rule for jobs on parallel machines). A long file that starts last runs
 * alone while the other workers sit idle; started first, it overlaps the
 * short ones. Bytes on disk stand for the audio's length: close enough
 * within one format, and known from the plan's stat without opening a
 * file.
 */
#include "batch_order.h"

#include <stdlib.h>

typedef struct rm__sized {
    long long bytes;
    size_t index;
} rm__sized_t;

static int rm__larger_first(const void *a, const void *b) {
    const rm__sized_t *x = a, *y = b;
    if (x->bytes != y->bytes) return x->bytes > y->bytes ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

int rm_batch_dispatch_order(const long long *bytes, size_t n, unsigned jobs,
                            size_t *order) {
    if (jobs <= 1 || n < 2) {
        for (size_t i = 0; i < n; i++) order[i] = i;
        return 0;
    }
    rm__sized_t *sized = malloc((n + 1) * sizeof(*sized));
    if (!sized) return -1;
    for (size_t i = 0; i < n; i++) sized[i] = (rm__sized_t){bytes[i], i};
    qsort(sized, n, sizeof(*sized), rm__larger_first);
    for (size_t i = 0; i < n; i++) order[i] = sized[i].index;
    free(sized);
    return 0;
}
