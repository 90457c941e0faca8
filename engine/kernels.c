/* Plain C kernels, written so that compilers vectorise the inner loops. */
#include <math.h>

#include "kernels.h"

void srnn_vec_mat_acc(float *restrict y, const float *restrict x, const float *restrict w,
                      size_t in, size_t out)
{
    for (size_t i = 0; i < in; i++) {
        const float xi = x[i];
        const float *row = w + i * out;
        for (size_t o = 0; o < out; o++) y[o] += xi * row[o];
    }
}

void srnn_mat_vec(float *restrict y, const float *restrict m, const float *restrict x,
                  size_t rows, size_t cols)
{
    for (size_t r = 0; r < rows; r++) {
        const float *row = m + r * cols;
        float sum = 0.0f;
        for (size_t c = 0; c < cols; c++) sum += row[c] * x[c];
        y[r] = sum;
    }
}

float srnn_sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }
