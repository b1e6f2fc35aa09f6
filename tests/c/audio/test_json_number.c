/*
 * test_json_number.c — plugins/common/json_number.c: the JSON numbers
 * rmrun and the plugins write are the shortest text that reads back as
 * the same double (cJSON's own printer keeps a text within a relative
 * DBL_EPSILON: 0.1 + 0.2 came out as 0.3, 2^53 as 9.00719925474099e+15).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_number.h"
#include "rm_test.h"

static void expect_text(double value, const char *text) {
    char buf[40];
    rm_json_number_text(value, buf, sizeof buf);
    ASSERT_STR_EQ(buf, text);
}

RM_TEST(shortest_text_that_reads_back) {
    expect_text(0.1, "0.1");
    expect_text(2.74, "2.74");
    expect_text(0.1 + 0.2, "0.30000000000000004");
    expect_text(30, "30");
    expect_text(0.03, "0.03");
    expect_text(9007199254740992.0, "9007199254740992");
    expect_text(1e300, "1e+300");
    expect_text(-0.5, "-0.5");
    expect_text(NAN, "null");
    expect_text(INFINITY, "null");
    /* every one reads back exactly */
    const double values[] = {1.0 / 3, 2.0 / 3, 1e-300, 123456.789e10,
                             0.1 + 0.7, 4.35, 1e23};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char buf[40];
        rm_json_number_text(values[i], buf, sizeof buf);
        ASSERT_TRUE(strtod(buf, NULL) == values[i]);
    }
}

RM_TEST(cjson_tree_prints_the_text) {
    cJSON *o = cJSON_CreateObject();
    rm_json_add_number(o, "a", 0.1 + 0.2);
    cJSON_AddItemToObject(o, "s", rm_json_number_rounded(0.123456, 4));
    cJSON_AddItemToObject(o, "n", rm_json_number(NAN));
    char *text = cJSON_PrintUnformatted(o);
    ASSERT_STR_EQ(text, "{\"a\":0.30000000000000004,\"s\":0.1235,\"n\":null}");
    free(text);
    cJSON_Delete(o);
}

RM_TEST_LIST(RM_TEST_ENTRY(shortest_text_that_reads_back),
             RM_TEST_ENTRY(cjson_tree_prints_the_text))
