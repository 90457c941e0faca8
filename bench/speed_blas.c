/* The OpenBLAS baseline (speed_blas.h). Keras kernels are (in, out) row-major, so y = x·K is
 * sgemv with the transpose; the upsampling c_j = U_j·h is sgemv without it. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "speed_blas.h"

typedef struct {
    const float *input_kernel, *input_bias, *upsample;
    const float *kernel[64], *recurrent[64], *bias[64];
    uint32_t frame, ratio;
    float *h, *outputs; /* (L, D), (R, D) */
} blas_tier;

struct blas_voice {
    const srnn_model *model;
    uint32_t d, q, f, bf, layers, position;
    blas_tier big, frame;
    float *table; /* (F, Q, D) */
    const float *w1, *b1, *w2, *b2, *w3, *b3;
    float *input, *x, *xg, *hg, *a, *b, *logits; /* input: (BF) scaled samples */
    double *weights;
    int32_t *window;
    uint64_t rng;
};

static const float *tensor(const srnn_model *m, const char *prefix, const char *name)
{
    char full[2 * SRNN_TENSOR_NAME_MAX];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    return srnn_model_tensor(m, full, NULL);
}

static int tier_init(blas_voice *v, blas_tier *t, const char *prefix, uint32_t frame, uint32_t ratio)
{
    t->frame = frame;
    t->ratio = ratio;
    t->input_kernel = tensor(v->model, prefix, "/input/kernel");
    t->input_bias = tensor(v->model, prefix, "/input/bias");
    t->upsample = tensor(v->model, prefix, "/upsample");
    for (uint32_t l = 0; l < v->layers; l++) {
        char layer[64];
        snprintf(layer, sizeof layer, "%s/rnn/layer_%u", prefix, l);
        t->kernel[l] = tensor(v->model, layer, "/kernel");
        t->recurrent[l] = tensor(v->model, layer, "/recurrent_kernel");
        t->bias[l] = tensor(v->model, layer, "/bias");
    }
    t->h = calloc((size_t)v->layers * v->d, sizeof(float));
    t->outputs = calloc((size_t)ratio * v->d, sizeof(float));
    return t->h && t->outputs;
}

blas_voice *blas_voice_create(const srnn_model *model, uint64_t seed)
{
    const srnn_config *c = srnn_model_config(model);
    openblas_set_num_threads(1); /* a voice is one thread's work */
    if (c->rnn_type != SRNN_RNN_GRU || c->skip_conn || c->num_rnn_layers > 64) return NULL;
    blas_voice *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    *v = (blas_voice){.model = model, .d = c->dim, .q = c->q_levels, .f = c->frame_size,
                      .bf = c->big_frame_size, .layers = c->num_rnn_layers, .rng = seed};
    size_t d = v->d, q = v->q, f = v->f;
    int ok = tier_init(v, &v->big, "big_frame", v->bf, v->bf / v->f) &&
             tier_init(v, &v->frame, "frame", v->f, v->f);
    v->table = malloc(f * q * d * sizeof(float));
    v->input = malloc(v->bf * sizeof(float));
    v->x = malloc(d * sizeof(float));
    v->xg = malloc(3 * d * sizeof(float));
    v->hg = malloc(3 * d * sizeof(float));
    v->a = malloc(d * sizeof(float));
    v->b = malloc(d * sizeof(float));
    v->logits = malloc(q * sizeof(float));
    v->weights = malloc(q * sizeof(double));
    v->window = malloc(2 * v->bf * sizeof(int32_t));
    if (!ok || !v->table || !v->input || !v->x || !v->xg || !v->hg || !v->a || !v->b || !v->logits ||
        !v->weights || !v->window) {
        blas_voice_free(v);
        return NULL;
    }
    const float *embedding = tensor(model, "sample_mlp", "/embedding");
    const float *conv = tensor(model, "sample_mlp", "/input/kernel");
    for (size_t k = 0; k < f; k++) /* table[k] = embedding (Q, Q) · conv[k] (Q, D) */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)q, (int)d, (int)q, 1.0f,
                    embedding, (int)q, conv + k * q * d, (int)d, 0.0f, v->table + k * q * d, (int)d);
    v->w1 = tensor(model, "sample_mlp", "/hidden1/kernel");
    v->b1 = tensor(model, "sample_mlp", "/hidden1/bias");
    v->w2 = tensor(model, "sample_mlp", "/hidden2/kernel");
    v->b2 = tensor(model, "sample_mlp", "/hidden2/bias");
    v->w3 = tensor(model, "sample_mlp", "/output/kernel");
    v->b3 = tensor(model, "sample_mlp", "/output/bias");
    for (size_t i = 0; i < 2 * v->bf; i++) v->window[i] = (int32_t)(q / 2);
    return v;
}

/* y = b + x·K for a Keras kernel K (in, out) */
static void dense(float *y, const float *x, const float *kernel, const float *bias, size_t in,
                  size_t out)
{
    memcpy(y, bias, out * sizeof *y);
    cblas_sgemv(CblasRowMajor, CblasTrans, (int)in, (int)out, 1.0f, kernel, (int)out, x, 1, 1.0f, y, 1);
}

static float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

static void tier_step(blas_voice *v, blas_tier *t, const int32_t *frame, const float *conditioning)
{
    size_t d = v->d;
    float half = (float)v->q / 2.0f;
    for (size_t i = 0; i < t->frame; i++) v->input[i] = ((float)frame[i] / half - 1.0f) * 2.0f;
    dense(v->x, v->input, t->input_kernel, t->input_bias, t->frame, d);
    if (conditioning)
        for (size_t o = 0; o < d; o++) v->x[o] += conditioning[o];
    const float *x = v->x;
    for (uint32_t l = 0; l < v->layers; l++) {
        float *h = t->h + l * d;
        dense(v->xg, x, t->kernel[l], t->bias[l], d, 3 * d);
        dense(v->hg, h, t->recurrent[l], t->bias[l] + 3 * d, d, 3 * d);
        for (size_t i = 0; i < d; i++) {
            float z = sigmoid(v->xg[i] + v->hg[i]), r = sigmoid(v->xg[d + i] + v->hg[d + i]);
            float n = tanhf(v->xg[2 * d + i] + r * v->hg[2 * d + i]);
            h[i] = z * h[i] + (1.0f - z) * n;
        }
        x = h;
    }
    for (size_t j = 0; j < t->ratio; j++)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)d, (int)d, 1.0f, t->upsample + j * d * d,
                    (int)d, x, 1, 0.0f, t->outputs + j * d, 1);
}

static double uniform(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*state >> 11) * 0x1p-53;
}

static int32_t draw(blas_voice *v, float temperature)
{
    size_t best = 0;
    for (size_t i = 1; i < v->q; i++)
        if (v->logits[i] > v->logits[best]) best = i;
    double total = 0.0;
    for (size_t i = 0; i < v->q; i++) {
        v->weights[i] = exp(((double)v->logits[i] - v->logits[best]) / temperature);
        total += v->weights[i];
    }
    double target = uniform(&v->rng) * total, cumulative = 0.0;
    for (size_t i = 0; i < v->q; i++) {
        cumulative += v->weights[i];
        if (target < cumulative) return (int32_t)i;
    }
    return (int32_t)best;
}

void blas_voice_generate(blas_voice *v, float temperature, int32_t *samples, size_t count)
{
    size_t d = v->d, q = v->q, f = v->f, bf = v->bf;
    for (size_t n = 0; n < count; n++) {
        size_t p = v->position, end = bf + p;
        if (p == 0) tier_step(v, &v->big, v->window, NULL);
        if (p % f == 0) tier_step(v, &v->frame, v->window + end - f, v->big.outputs + (p / f) * d);
        float *a = v->a, *b = v->b;
        memcpy(a, v->frame.outputs + (p % f) * d, d * sizeof *a);
        for (size_t k = 0; k < f; k++) {
            const float *row = v->table + (k * q + (size_t)v->window[end - f + k]) * d;
            for (size_t o = 0; o < d; o++) a[o] += row[o];
        }
        dense(b, a, v->w1, v->b1, d, d);
        for (size_t o = 0; o < d; o++) b[o] = b[o] > 0 ? b[o] : 0;
        dense(a, b, v->w2, v->b2, d, d);
        for (size_t o = 0; o < d; o++) a[o] = a[o] > 0 ? a[o] : 0;
        dense(v->logits, a, v->w3, v->b3, d, q);
        int32_t sample = draw(v, temperature);
        samples[n] = sample;
        v->window[end] = sample;
        if (++v->position == bf) {
            memcpy(v->window, v->window + bf, bf * sizeof *v->window);
            v->position = 0;
        }
    }
}

void blas_voice_free(blas_voice *v)
{
    if (!v) return;
    free(v->big.h);
    free(v->big.outputs);
    free(v->frame.h);
    free(v->frame.outputs);
    free(v->table);
    free(v->input);
    free(v->x);
    free(v->xg);
    free(v->hg);
    free(v->a);
    free(v->b);
    free(v->logits);
    free(v->weights);
    free(v->window);
    free(v);
}
