/* reserve.c — room for one more element in a growing array (util.h). */
#include <stdint.h>
#include <stdlib.h>

#include "util/util.h"

int rm__reserve(void **array, size_t *capacity, size_t count,
                size_t element_size) {
    if (count < *capacity) return 1;
    size_t grown = *capacity ? *capacity * 2 : 8;
    if (grown < *capacity || grown > SIZE_MAX / element_size) return 0;
    void *bigger = realloc(*array, grown * element_size);
    if (!bigger) return 0;
    *array = bigger;
    *capacity = grown;
    return 1;
}
