/* test_batch_order.c — the order in which rmrun --batch workers take files
 * (runtime/cli/batch_order.c): sorted order for one job, the largest first
 * for more, ties and unknown sizes in their place. */
#include "batch_order.h"

#include "rm_test.h"

static void order_of(const long long *bytes, size_t n, unsigned jobs,
                     const size_t *want) {
    size_t order[16];
    ASSERT_EQ_INT(rm_batch_dispatch_order(bytes, n, jobs, order), 0);
    for (size_t i = 0; i < n; i++) ASSERT_EQ_INT((int)order[i], (int)want[i]);
}

RM_TEST(one_job_keeps_the_sorted_order) {
    const long long bytes[] = {10, 500, 20, 500};
    const size_t want[] = {0, 1, 2, 3};
    order_of(bytes, 4, 1, want);
}

RM_TEST(several_jobs_take_the_largest_first_ties_in_order) {
    /* a dataset whose longest recording sorts last by name */
    const long long bytes[] = {10, 500, 20, 500, -1, 9000};
    const size_t want[] = {5, 1, 3, 2, 0, 4};
    order_of(bytes, 6, 2, want);
}

RM_TEST(equal_sizes_keep_the_sorted_order) {
    const long long bytes[] = {7, 7, 7};
    const size_t want[] = {0, 1, 2};
    order_of(bytes, 3, 8, want);
}

RM_TEST_LIST(RM_TEST_ENTRY(one_job_keeps_the_sorted_order),
             RM_TEST_ENTRY(several_jobs_take_the_largest_first_ties_in_order),
             RM_TEST_ENTRY(equal_sizes_keep_the_sorted_order))
