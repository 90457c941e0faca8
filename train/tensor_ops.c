#include <stdlib.h>
#include <string.h>

#include "tensor_ops.h"

float *train_floats(size_t n)
{
    size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
    float *x = aligned_alloc(64, bytes > 0 ? bytes : 64);
    if (x) memset(x, 0, bytes);
    return x;
}

void train_rows_set(float *y, const float *row, size_t rows, size_t width)
{
    for (size_t r = 0; r < rows; r++) memcpy(y + r * width, row, width * sizeof(float));
}

void train_add(float *restrict y, const float *restrict x, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

void train_column_sums_add(float *restrict y, const float *restrict x, size_t rows, size_t width)
{
    for (size_t r = 0; r < rows; r++) train_add(y, x + r * width, width);
}

double train_sum_squares(const float *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += (double)x[i] * x[i];
    return sum;
}
