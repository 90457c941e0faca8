/* Keras' default initialisers for the layers PRiSM builds (samplernn/ in its repository): Dense,
 * Conv1D and RNN kernels glorot_uniform; GRU/LSTM recurrent kernels orthogonal; biases zero, except
 * LSTM's unit_forget_bias; skip-output Dense he_uniform; the upsampling variable GlorotNormal;
 * Embedding uniform(-0.05, 0.05). Fans follow Keras: for a shape (..., in, out), receptive
 * field = product of the leading dimensions, fan_in = in·field, fan_out = out·field. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "sampler.h"

static double normal(srnn_rng *rng)
{
    double u1 = srnn_rng_uniform(rng), u2 = srnn_rng_uniform(rng);
    return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

static void fans(const srnn_tensor_info *info, double *fan_in, double *fan_out)
{
    if (info->ndim < 2) { /* Keras: a vector's fans are its length */
        *fan_in = *fan_out = info->shape[0];
        return;
    }
    double field = 1.0;
    for (uint32_t i = 0; i + 2 < info->ndim; i++) field *= info->shape[i];
    *fan_in = info->shape[info->ndim - 2] * field;
    *fan_out = info->shape[info->ndim - 1] * field;
}

static void uniform(srnn_rng *rng, float *x, size_t n, double limit)
{
    for (size_t i = 0; i < n; i++) x[i] = (float)((2.0 * srnn_rng_uniform(rng) - 1.0) * limit);
}

/* Keras' truncated normal: draws beyond two standard deviations are drawn again. */
static void truncated_normal(srnn_rng *rng, float *x, size_t n, double stddev)
{
    for (size_t i = 0; i < n; i++) {
        double v;
        do v = normal(rng);
        while (fabs(v) > 2.0);
        x[i] = (float)(v * stddev);
    }
}

/* rows × cols (rows <= cols) with orthonormal rows: Gram-Schmidt on Gaussian rows, in double. */
static bool orthogonal(srnn_rng *rng, float *x, size_t rows, size_t cols)
{
    double *m = malloc(rows * cols * sizeof *m);
    if (!m) return false;
    for (size_t i = 0; i < rows; i++) {
        double *v = m + i * cols;
        double norm;
        do {
            for (size_t k = 0; k < cols; k++) v[k] = normal(rng);
            for (size_t j = 0; j < i; j++) { /* twice, for accuracy */
                for (int pass = 0; pass < 2; pass++) {
                    const double *u = m + j * cols;
                    double dot = 0.0;
                    for (size_t k = 0; k < cols; k++) dot += u[k] * v[k];
                    for (size_t k = 0; k < cols; k++) v[k] -= dot * u[k];
                }
            }
            norm = 0.0;
            for (size_t k = 0; k < cols; k++) norm += v[k] * v[k];
            norm = sqrt(norm);
        } while (norm < 1e-6);
        for (size_t k = 0; k < cols; k++) v[k] /= norm;
    }
    for (size_t i = 0; i < rows * cols; i++) x[i] = (float)m[i];
    free(m);
    return true;
}

static bool ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n >= s && strcmp(name + n - s, suffix) == 0;
}

bool train_init_weights(const train_layout *layout, float *block, uint64_t seed)
{
    srnn_rng rng;
    srnn_rng_seed(&rng, seed);
    const srnn_config *c = &layout->config;
    for (size_t i = 0; i < layout->count; i++) {
        const srnn_tensor_info *info = &layout->info[i];
        float *x = block + layout->offset[i];
        double fan_in, fan_out;
        fans(info, &fan_in, &fan_out);
        if (ends_with(info->name, "/bias")) {
            memset(x, 0, info->count * sizeof *x);
            bool lstm_bias = c->rnn_type == SRNN_RNN_LSTM && strstr(info->name, "/rnn/layer_") &&
                             !strstr(info->name, "skip_out");
            if (lstm_bias) /* unit_forget_bias: gate order i, f, c, o */
                for (size_t k = c->dim; k < 2 * (size_t)c->dim; k++) x[k] = 1.0f;
        } else if (ends_with(info->name, "recurrent_kernel")) {
            if (!orthogonal(&rng, x, info->shape[0], info->shape[1])) return false;
        } else if (ends_with(info->name, "skip_out/kernel")) {
            uniform(&rng, x, info->count, sqrt(6.0 / fan_in));
        } else if (ends_with(info->name, "upsample")) {
            /* GlorotNormal: truncated, stddev corrected for the truncation */
            truncated_normal(&rng, x, info->count,
                             sqrt(2.0 / (fan_in + fan_out)) / .87962566103423978);
        } else if (ends_with(info->name, "embedding")) {
            uniform(&rng, x, info->count, 0.05);
        } else {
            uniform(&rng, x, info->count, sqrt(6.0 / (fan_in + fan_out)));
        }
    }
    return true;
}
