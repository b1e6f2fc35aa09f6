/*
 * json_number.h — JSON numbers as the shortest text that reads back as the
 * same double, for every JSON rmrun and the plugins write with cJSON.
 *
 * cJSON (1.7.15) prints a number with "%1.15g" and keeps that text when it
 * reads back within a relative DBL_EPSILON, so 0.30000000000000004 comes
 * out as 0.3 and 2^53 as 9.00719925474099e+15: close, not the same double.
 * Here the text is the first of %.15g, %.16g, %.17g that reads back
 * exactly (Python's repr searches the same way), so 0.1 prints as 0.1,
 * 2.74 as 2.74 (never 2.7400000000000002), 30 as 30 and 0.1 + 0.2 as
 * 0.30000000000000004. NaN and the infinities, which JSON cannot hold,
 * print as null. Numbers go into a cJSON tree as raw nodes holding that
 * text, so cJSON_Print* prints them as they are.
 */
#ifndef RM_JSON_NUMBER_H
#define RM_JSON_NUMBER_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Writes the text into buf (at least 32 bytes); returns its length. */
int rm_json_number_text(double value, char *buf, size_t size);

/* A cJSON node printing as that text; NULL when out of memory. */
cJSON *rm_json_number(double value);

/* A cJSON node printing `value` rounded to `significant` digits (%.*g: a
 * deliberate rounding, e.g. scores to 4 digits); null when not finite. */
cJSON *rm_json_number_rounded(double value, int significant);

/* Adds it to `object` under `name`; the node, or NULL. */
cJSON *rm_json_add_number(cJSON *object, const char *name, double value);

#endif /* RM_JSON_NUMBER_H */
