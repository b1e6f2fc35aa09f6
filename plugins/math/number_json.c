/* number_json.c — JSON numbers in, JSON numbers out. */
#include "number_json.h"
#include "json_number.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rm_math_format_number(double value, char *buf, size_t size) {
    /* The SDK's number rule (remotemedia.nodes.simple_math): a whole
     * number below 2^53 in magnitude prints as an integer; beyond that a
     * double no longer holds every integer, so it stays a float. */
    if (value == floor(value) && fabs(value) < 9007199254740992.0)
        return snprintf(buf, size, "%lld", (long long)value);
    /* The shortest text that reads back (json_number.h, as Python's
     * repr: 0.1 prints as 0.1). */
    int n = rm_json_number_text(value, buf, size);
    /* A float must read back as a float: 9007199254740992 -> ...992.0 */
    if (n > 0 && (size_t)n + 2 < size && !strpbrk(buf, ".e")) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    return n;
}

static const char *rm_math_type_name(const cJSON *value) {
    if (cJSON_IsString(value)) return "string";
    if (cJSON_IsBool(value)) return "boolean";
    if (cJSON_IsNull(value)) return "null value";
    if (cJSON_IsArray(value)) return "list";
    if (cJSON_IsObject(value)) return "dict (JSON object)";
    if (cJSON_IsNumber(value)) return "number";
    return "invalid";
}

typedef struct rm_math_buf {
    char *data;
    size_t len, capacity;
} rm_math_buf_t;

static int rm_math_append(rm_math_buf_t *buf, const char *text, size_t n) {
    if (buf->len + n + 1 > buf->capacity) {
        size_t capacity = buf->capacity ? buf->capacity * 2 : 64;
        while (capacity < buf->len + n + 1) capacity *= 2;
        char *grown = realloc(buf->data, capacity);
        if (!grown) return 0;
        buf->data = grown;
        buf->capacity = capacity;
    }
    memcpy(buf->data + buf->len, text, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return 1;
}

static rm_math_status_t rm_math_one(const cJSON *value, long index,
                                    rm_math_op_t op, double operand,
                                    rm_math_buf_t *buf,
                                    rm_math_problem_t *problem) {
    /* cJSON keeps booleans apart from numbers: true is not 1 here. */
    if (!cJSON_IsNumber(value)) {
        problem->index = index;
        problem->type = rm_math_type_name(value);
        return RM_MATH_NOT_NUMBER;
    }
    double result = rm_math_op_apply(op, value->valuedouble, operand);
    if (!isfinite(result)) {
        problem->index = index;
        problem->type = "number";
        return RM_MATH_NOT_FINITE;
    }
    /* A whole number near DBL_MAX prints as all its ~309 digits. */
    char text[400];
    int n = rm_math_format_number(result, text, sizeof(text));
    if (n < 0 || (size_t)n >= sizeof(text)) n = (int)strlen(text);
    return rm_math_append(buf, text, (size_t)n) ? RM_MATH_OK : RM_MATH_NOMEM;
}

rm_math_status_t rm_math_apply(const char *json, size_t len, rm_math_op_t op,
                               double operand, char **out, size_t *out_len,
                               rm_math_problem_t *problem) {
    *out = NULL;
    problem->index = -1;
    problem->type = NULL;
    /* Never cJSON_Parse: its error pointer is process-global. */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) return RM_MATH_PARSE;
    rm_math_buf_t buf = {0};
    rm_math_status_t status = RM_MATH_OK;
    if (cJSON_IsArray(root)) {
        long index = 0;
        status = rm_math_append(&buf, "[", 1) ? RM_MATH_OK : RM_MATH_NOMEM;
        for (const cJSON *e = root->child; e && status == RM_MATH_OK;
             e = e->next, index++) {
            if (index && !rm_math_append(&buf, ",", 1)) status = RM_MATH_NOMEM;
            if (status == RM_MATH_OK)
                status = rm_math_one(e, index, op, operand, &buf, problem);
        }
        if (status == RM_MATH_OK && !rm_math_append(&buf, "]", 1))
            status = RM_MATH_NOMEM;
    } else {
        status = rm_math_one(root, -1, op, operand, &buf, problem);
    }
    cJSON_Delete(root);
    if (status != RM_MATH_OK) {
        free(buf.data);
        return status;
    }
    *out = buf.data;
    *out_len = buf.len;
    return RM_MATH_OK;
}
