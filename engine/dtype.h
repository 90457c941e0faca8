/* Weight element types: conversions between float32 and the reduced precisions, shared by the
 * file reader and writer (models/FORMAT.md) and the run-time matrices (kernels.h). */
#ifndef SRNN_DTYPE_H
#define SRNN_DTYPE_H

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

/* Bits per element (4 for I4: two to a byte). */
size_t srnn_dtype_bits(srnn_dtype dtype);

/* Whether products with it quantise their input (I8 and I4: kernels.h). */
static inline int srnn_dtype_integer(srnn_dtype dtype)
{
    return dtype == SRNN_DTYPE_I8 || dtype == SRNN_DTYPE_I4;
}

/* Round to nearest even; half: clamped to +-65504, subnormals stored as zero. */
uint16_t srnn_f32_to_f16(float x);
uint16_t srnn_f32_to_bf16(float x);
float srnn_f16_to_f32(uint16_t h);
float srnn_bf16_to_f32(uint16_t h);

/* The int8 scale of values whose largest magnitude is max_abs: max_abs / 127 (1 for 0). */
float srnn_i8_scale(float max_abs);
int8_t srnn_f32_to_i8(float x, float scale);

/* int4: levels -8 … 7 times a scale per group of values (SRNN_I4_GROUP rows of a column).
 * The scale of n values x[0], x[stride], …: of the candidates that put v, the value of largest
 * magnitude, at level -d (scale v / -d, d = 7, 7.5, 8, 8.5: -8 holds v whichever its sign),
 * each refitted by least squares to the levels it gives and rounded to float16 (the kernels
 * keep scales in 16 bits), the one that leaves the least squared error with v still at level
 * 7 or 8. On the default model that is 30% less squared error than max / 7 on -7 … 7. Values on
 * such a grid already get their scale back (v's level is 7 or 8, and d = 7 or 8 finds it with
 * no error), so a converted file loads without rounding a weight twice. 1 for a group of zeros;
 * at least float16's smallest normal number in magnitude. */
float srnn_i4_group_scale(const float *x, size_t stride, size_t n);
/* round(x / scale) clamped to -8 … 7 */
int8_t srnn_f32_to_i4(float x, float scale);

/* The run-time dtype of a precision (AUTO must have been resolved). */
srnn_dtype srnn_precision_dtype(srnn_precision precision);

#endif
