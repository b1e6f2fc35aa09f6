/* json_number.c — see json_number.h. */
#include "json_number.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* An integral value below 1e15 in magnitude: %.15g prints all of its
 * digits, without exponent, and that reads back exactly, so the digits
 * are written directly (a frame count per chunk cost ~3,500 instructions
 * through snprintf and strtod). -0 stays "-0", as %g prints it. */
static int integer_text(double value, char *buf) {
    char digits[20];
    int count = 0;
    uint64_t magnitude = (uint64_t)fabs(value);
    do {
        digits[count++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    int n = 0;
    if (signbit(value)) buf[n++] = '-';
    while (count) buf[n++] = digits[--count];
    buf[n] = '\0';
    return n;
}

int rm_json_number_text(double value, char *buf, size_t size) {
    if (!isfinite(value)) return snprintf(buf, size, "null");
    if (size >= 32 && fabs(value) < 1e15 && value == trunc(value))
        return integer_text(value, buf);
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
