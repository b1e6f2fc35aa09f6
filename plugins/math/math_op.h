/*
 * math_op.h — the math plugin's two operations, MultiplyNode's and
 * AddNode's, on one double. An enum, not a function pointer, so a loop
 * over many numbers picks the operation once and the compiler sees the
 * arithmetic (tensor_math.c).
 */
#ifndef RM_MATH_OP_H
#define RM_MATH_OP_H

typedef enum rm_math_op {
    RM_MATH_MULTIPLY, /* value * operand */
    RM_MATH_ADD       /* value + operand */
} rm_math_op_t;

static inline double rm_math_op_apply(rm_math_op_t op, double value,
                                      double operand) {
    return op == RM_MATH_ADD ? value + operand : value * operand;
}

#endif /* RM_MATH_OP_H */
