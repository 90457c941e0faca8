/* Small array helpers of the trainer: allocation and the elementwise loops around sgemm. */
#ifndef TRAIN_TENSOR_OPS_H
#define TRAIN_TENSOR_OPS_H

#include <stddef.h>

/* n zeroed floats, 64-byte aligned; NULL when out of memory. Free with free(). */
float *train_floats(size_t n);

/* Every row of y (rows, width) = row. */
void train_rows_set(float *y, const float *row, size_t rows, size_t width);

/* y[i] += x[i] */
void train_add(float *y, const float *x, size_t n);

/* y[k] += Σ_r x[r][k] over rows r of x (rows, width): a bias gradient. */
void train_column_sums_add(float *y, const float *x, size_t rows, size_t width);

/* The sum of squares of x, in double. */
double train_sum_squares(const float *x, size_t n);

#endif
