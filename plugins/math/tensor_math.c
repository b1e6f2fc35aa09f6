/* tensor_math.c — see tensor_math.h. Compiled with -O3 (CMakeLists.txt):
 * GCC's -O2 leaves these loops scalar. */
#include "tensor_math.h"

#include <remotemedia/plugin.h>

/* dst[i] = src[i] OP operand for a constant OP: a plain loop, the
 * arithmetic in sight of the vectorizer. */
#define RM_MATH_LOOP(OP, OUT)                                                 \
    for (size_t i = 0; i < count; i++)                                        \
        dst[i] = (OUT)rm_math_op_apply(OP, (double)src[i], operand)

/* One function per source type T: the operation tested once. */
#define RM_MATH_LOOPS(name, T)                                                \
    static void name(rm_math_op_t op, double operand, const T *src,          \
                     double *dst, size_t count) {                             \
        if (op == RM_MATH_ADD)                                                \
            RM_MATH_LOOP(RM_MATH_ADD, double);                                \
        else                                                                  \
            RM_MATH_LOOP(RM_MATH_MULTIPLY, double);                           \
    }
RM_MATH_LOOPS(from_i8, int8_t)
RM_MATH_LOOPS(from_i16, int16_t)
RM_MATH_LOOPS(from_i32, int32_t)
RM_MATH_LOOPS(from_i64, int64_t)
RM_MATH_LOOPS(from_u8, uint8_t)
RM_MATH_LOOPS(from_u16, uint16_t)
RM_MATH_LOOPS(from_u32, uint32_t)
RM_MATH_LOOPS(from_u64, uint64_t)
RM_MATH_LOOPS(from_f64, double)
#undef RM_MATH_LOOPS

int rm_math_to_f64(rm_math_op_t op, double operand, uint8_t dtype,
                   const void *src, double *dst, size_t count) {
    switch (dtype) {
    case RM_DTYPE_I8: from_i8(op, operand, src, dst, count); return 0;
    case RM_DTYPE_I16: from_i16(op, operand, src, dst, count); return 0;
    case RM_DTYPE_I32: from_i32(op, operand, src, dst, count); return 0;
    case RM_DTYPE_I64: from_i64(op, operand, src, dst, count); return 0;
    case RM_DTYPE_U8: from_u8(op, operand, src, dst, count); return 0;
    case RM_DTYPE_U16: from_u16(op, operand, src, dst, count); return 0;
    case RM_DTYPE_U32: from_u32(op, operand, src, dst, count); return 0;
    case RM_DTYPE_U64: from_u64(op, operand, src, dst, count); return 0;
    case RM_DTYPE_F64: from_f64(op, operand, src, dst, count); return 0;
    default: return -1;
    }
}

void rm_math_f32(rm_math_op_t op, float operand, const float *src,
                 float *dst, size_t count) {
    if (op == RM_MATH_ADD)
        RM_MATH_LOOP(RM_MATH_ADD, float);
    else
        RM_MATH_LOOP(RM_MATH_MULTIPLY, float);
}
