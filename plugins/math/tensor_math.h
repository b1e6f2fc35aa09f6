/*
 * tensor_math.h — the math plugin's arithmetic on numbers in memory:
 * float audio/tensor samples, and integer tensors into float64 (as numpy
 * computes `array * 2.0`). Host-independent: the plugin file checks the
 * item (kind, dtype, layout, sizes) and owns the buffers.
 *
 * The element type and the operation are chosen once per call, never per
 * element: each (type, operation) pair is a loop of its own, which the
 * compiler vectorizes where the instruction set has the conversion.
 * Every result is the double operation on the element as a double, the
 * same bits as one rm_math_op_apply per element.
 */
#ifndef RM_TENSOR_MATH_H
#define RM_TENSOR_MATH_H

#include <stddef.h>
#include <stdint.h>

#include "math_op.h"

/* dst[i] = rm_math_op_apply(op, (double)src[i], operand), i < count, for
 * `src` of a numeric tensor dtype (rm_dtype_t: I8..U64, F64; src may be
 * dst for F64). Returns 0, or -1 (nothing written) for another dtype
 * (F32, BOOL, unknown). */
int rm_math_to_f64(rm_math_op_t op, double operand, uint8_t dtype,
                   const void *src, double *dst, size_t count);

/* dst[i] = (float)rm_math_op_apply(op, src[i], operand) with the operand
 * a float too (MultiplyNode on f32 audio: factor 0.1 is 0.1f), i < count;
 * src may be dst. */
void rm_math_f32(rm_math_op_t op, float operand, const float *src,
                 float *dst, size_t count);

#endif /* RM_TENSOR_MATH_H */
