/* test_reserve.c — rm__reserve (util.h), the growth of the registry's,
 * the scan's and the diagnostics' arrays. */
#include "rm_test.h"

#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>

/* Appending one at a time keeps every earlier element and always leaves
 * room for the next one. */
RM_TEST(grows_keeping_what_was_there) {
    int *array = NULL;
    size_t capacity = 0;
    for (size_t count = 0; count < 1000; count++) {
        ASSERT_EQ_INT(rm__reserve((void **)&array, &capacity, count,
                                  sizeof(*array)), 1);
        ASSERT_TRUE(capacity > count);
        array[count] = (int)count * 3;
    }
    for (size_t i = 0; i < 1000; i++) ASSERT_EQ_INT(array[i], (int)i * 3);
    free(array);
}

/* Room left: nothing moves. */
RM_TEST(room_left_changes_nothing) {
    int *array = NULL;
    size_t capacity = 0;
    ASSERT_EQ_INT(rm__reserve((void **)&array, &capacity, 0, sizeof(*array)),
                  1);
    int *before = array;
    size_t before_capacity = capacity;
    ASSERT_EQ_INT(rm__reserve((void **)&array, &capacity, capacity - 1,
                              sizeof(*array)), 1);
    ASSERT_TRUE(array == before);
    ASSERT_EQ_INT(capacity, before_capacity);
    free(array);
}

/* A size that does not fit in size_t fails without touching the array. */
RM_TEST(overflow_fails_leaving_the_array) {
    char *array = malloc(4);
    ASSERT_NOT_NULL(array);
    size_t capacity = 4;
    ASSERT_EQ_INT(rm__reserve((void **)&array, &capacity, 4, SIZE_MAX / 4),
                  0);
    ASSERT_EQ_INT(capacity, 4);
    free(array);
}

RM_TEST_LIST(RM_TEST_ENTRY(grows_keeping_what_was_there),
             RM_TEST_ENTRY(room_left_changes_nothing),
             RM_TEST_ENTRY(overflow_fails_leaving_the_array))
