/* json_number.c — see json_number.h. */
#include "json_number.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int rm_json_number_text(double value, char *buf, size_t size) {
    if (!isfinite(value)) return snprintf(buf, size, "null");
    int n = 0;
    for (int digits = 15; digits <= 17; digits++) {
        n = snprintf(buf, size, "%.*g", digits, value);
        if (strtod(buf, NULL) == value) break;
    }
    return n;
}

cJSON *rm_json_number(double value) {
    char text[40];
    rm_json_number_text(value, text, sizeof text);
    return cJSON_CreateRaw(text);
}

cJSON *rm_json_number_rounded(double value, int significant) {
    char text[40];
    if (isfinite(value))
        snprintf(text, sizeof text, "%.*g", significant, value);
    else
        snprintf(text, sizeof text, "null");
    return cJSON_CreateRaw(text);
}

cJSON *rm_json_add_number(cJSON *object, const char *name, double value) {
    cJSON *number = rm_json_number(value);
    if (number && !cJSON_AddItemToObject(object, name, number)) {
        cJSON_Delete(number);
        return NULL;
    }
    return number;
}
