/*
 * number_json.h — element-wise arithmetic on JSON numbers (math plugin).
 *
 * Input: a JSON number or a flat list of numbers. Output: the same shape,
 * each element mapped through `op` (math_op.h). A result that is a whole
 * number is
 * written as an integer ("12", not "12.0"), the Python SDK's rule;
 * other results use the shortest text that reads back to the same double.
 */
#ifndef RM_MATH_NUMBER_JSON_H
#define RM_MATH_NUMBER_JSON_H

#include <stddef.h>

#include "math_op.h"

typedef enum rm_math_status {
    RM_MATH_OK = 0,
    RM_MATH_PARSE,      /* not JSON                                        */
    RM_MATH_NOT_NUMBER, /* an element (or the value) is not a number       */
    RM_MATH_NOT_FINITE, /* a result overflowed to inf or is NaN            */
    RM_MATH_NOMEM
} rm_math_status_t;

typedef struct rm_math_problem {
    long index;           /* offending list index, -1 for the value itself */
    const char *type;     /* JSON type name of the offending value         */
} rm_math_problem_t;

/* Apply `op` with `operand` to the JSON text `json` (`len` bytes). On
 * success *out is a malloc'd NUL-terminated text of *out_len bytes. */
rm_math_status_t rm_math_apply(const char *json, size_t len, rm_math_op_t op,
                               double operand, char **out, size_t *out_len,
                               rm_math_problem_t *problem);

/* Format one double by the rules above into buf (>= 32 bytes); returns
 * the length. */
int rm_math_format_number(double value, char *buf, size_t size);

#endif /* RM_MATH_NUMBER_JSON_H */
