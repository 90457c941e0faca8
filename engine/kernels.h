/* The few numeric kernels the forward pass is made of. Plain C here; the SIMD versions with
 * run-time dispatch replace these behind the same names. */
#ifndef SRNN_KERNELS_H
#define SRNN_KERNELS_H

#include <stddef.h>

/* y[out] += x[in] · w[in][out]   (a Keras Dense kernel applied to one vector) */
void srnn_vec_mat_acc(float *restrict y, const float *restrict x, const float *restrict w,
                      size_t in, size_t out);

/* y[rows] = m[rows][cols] · x[cols] */
void srnn_mat_vec(float *restrict y, const float *restrict m, const float *restrict x,
                  size_t rows, size_t cols);

float srnn_sigmoid(float x);

#endif
