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

/* Integers take a shortcut past snprintf/strtod: the same text as
 * %.15g, which reads back exactly below 1e15, on every magnitude, both
 * signs, and at the edge where %g switches to an exponent. */
RM_TEST(integers_print_as_percent_15g) {
    double values[400];
    size_t count = 0;
    const double edges[] = {0.0, -0.0, 1, -1, 9, 10, 99, 100,
                            999999999999999.0, -999999999999999.0, 1e15,
                            -1e15, 1e16, 9007199254740992.0, 4294967296.0,
                            123456789012345.0};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        values[count++] = edges[i];
    srand(7);
    for (int digits = 1; digits <= 16; digits++)
        for (int k = 0; k < 20; k++) {
            double v = 0;
            for (int d = 0; d < digits; d++) v = v * 10 + rand() % 10;
            values[count++] = (k & 1) ? -v : v;
        }
    for (size_t i = 0; i < count; i++) {
        char got[40], want[40];
        rm_json_number_text(values[i], got, sizeof got);
        snprintf(want, sizeof want, "%.15g", values[i]);
        if (fabs(values[i]) < 1e15) ASSERT_STR_EQ(got, want);
        ASSERT_TRUE(strtod(got, NULL) == values[i]);
        ASSERT_TRUE(signbit(strtod(got, NULL)) == signbit(values[i]));
    }
    expect_text(-0.0, "-0");
    expect_text(0.0, "0");
    expect_text(999999999999999.0, "999999999999999");
    expect_text(1e15, "1e+15");
    expect_text(-42, "-42");
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
             RM_TEST_ENTRY(integers_print_as_percent_15g),
             RM_TEST_ENTRY(cjson_tree_prints_the_text))
