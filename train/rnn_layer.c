/* Recurrent layers for training. Keras gate orders: GRU z, r, h (reset_after: the reset gate
 * multiplies U_h·h + b_hh); LSTM i, f, c, o. The formulas are those of the engine (rnn.c) and
 * of ../shared/prism-samplernn.md; backward is their chain rule, step by step in reverse. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnn_layer.h"
#include "tensor_ops.h"

bool train_rnn_create(train_rnn_state *s, srnn_rnn_type type, size_t steps, size_t batch,
                      size_t dim, size_t copies)
{
    memset(s, 0, sizeof *s);
    s->type = type;
    s->steps = steps;
    s->batch = batch;
    s->dim = dim;
    s->copies = copies;
    size_t rows = steps * batch, gd = (type == SRNN_RNN_LSTM ? 4 : 3) * dim;
    size_t gru = type == SRNN_RNN_GRU;
    s->bytes = sizeof(float) * (3 * rows * gd + (rows + batch) * dim + batch * (gd + 2 * dim) +
                                (gru ? rows * (dim + gd) : (rows + batch) * dim));
    s->pre = train_floats(rows * gd);
    s->gates = train_floats(rows * gd);
    s->h = train_floats((rows + batch) * dim);
    s->d_pre = train_floats(rows * gd);
    s->rec = train_floats(batch * gd);
    s->dh = train_floats(batch * dim);
    s->dc = train_floats(batch * dim);
    bool ok = s->pre && s->gates && s->h && s->d_pre && s->rec && s->dh && s->dc;
    if (type == SRNN_RNN_GRU) {
        s->hn = train_floats(rows * dim);
        s->d_rec = train_floats(rows * gd);
        ok = ok && s->hn && s->d_rec;
    } else {
        s->c = train_floats((rows + batch) * dim);
        ok = ok && s->c;
    }
    if (!ok) train_rnn_free(s);
    return ok;
}

void train_rnn_free(train_rnn_state *s)
{
    float *arrays[] = {s->pre,   s->gates, s->hn,  s->h,  s->c,
                       s->d_pre, s->d_rec, s->rec, s->dh, s->dc};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) free(arrays[i]);
    memset(s, 0, sizeof *s);
}

void train_rnn_begin(train_rnn_state *s, bool reset)
{
    size_t state = s->batch * s->dim, last = s->steps * state;
    if (reset) {
        memset(s->h, 0, state * sizeof(float));
        if (s->c) memset(s->c, 0, state * sizeof(float));
    } else {
        memmove(s->h, s->h + last, state * sizeof(float));
        if (s->c) memmove(s->c, s->c + last, state * sizeof(float));
    }
}

static float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

static void gru_step(train_rnn_state *s, const train_rnn_weights *w, size_t t)
{
    size_t b_count = s->batch, d = s->dim, gd = 3 * d;
    const float *h = s->h + t * b_count * d;
    /* rec = h·U + b_hh, then the gates of every batch entry */
    train_rows_set(s->rec, w->bias + gd, b_count, gd);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b_count, (int)gd, (int)d, 1.0f, h,
                (int)d, w->recurrent_kernel, (int)gd, 1.0f, s->rec, (int)gd);
    for (size_t b = 0; b < b_count; b++) {
        size_t row = t * b_count + b;
        const float *x = s->pre + row * gd, *r_h = s->rec + b * gd, *h_prev = h + b * d;
        float *gate = s->gates + row * gd, *hn = s->hn + row * d;
        float *h_next = s->h + (row + b_count) * d;
        for (size_t k = 0; k < d; k++) {
            float z = sigmoid(x[k] + r_h[k]);
            float r = sigmoid(x[d + k] + r_h[d + k]);
            float n = tanhf(x[2 * d + k] + r * r_h[2 * d + k]);
            gate[k] = z;
            gate[d + k] = r;
            gate[2 * d + k] = n;
            hn[k] = r_h[2 * d + k];
            h_next[k] = z * h_prev[k] + (1.0f - z) * n;
        }
    }
}

static void lstm_step(train_rnn_state *s, const train_rnn_weights *w, size_t t)
{
    size_t b_count = s->batch, d = s->dim, gd = 4 * d;
    const float *h = s->h + t * b_count * d;
    memcpy(s->rec, s->pre + t * b_count * gd, b_count * gd * sizeof(float));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b_count, (int)gd, (int)d, 1.0f, h,
                (int)d, w->recurrent_kernel, (int)gd, 1.0f, s->rec, (int)gd);
    for (size_t b = 0; b < b_count; b++) {
        size_t row = t * b_count + b;
        const float *g = s->rec + b * gd, *c_prev = s->c + row * d;
        float *gate = s->gates + row * gd;
        float *c_next = s->c + (row + b_count) * d, *h_next = s->h + (row + b_count) * d;
        for (size_t k = 0; k < d; k++) {
            float i = sigmoid(g[k]), f = sigmoid(g[d + k]);
            float cell = tanhf(g[2 * d + k]), o = sigmoid(g[3 * d + k]);
            gate[k] = i;
            gate[d + k] = f;
            gate[2 * d + k] = cell;
            gate[3 * d + k] = o;
            c_next[k] = f * c_prev[k] + i * cell;
            h_next[k] = o * tanhf(c_next[k]);
        }
    }
}

void train_rnn_forward(train_rnn_state *s, const train_rnn_weights *w, const float *x,
                       size_t x_width)
{
    size_t rows = s->steps * s->batch, d = s->dim;
    size_t gd = (s->type == SRNN_RNN_LSTM ? 4 : 3) * d;
    /* the input projection of every step at once: pre = bias + Σ_copies x·W_copy */
    train_rows_set(s->pre, w->bias, rows, gd);
    for (size_t copy = 0; copy < s->copies; copy++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)gd, (int)x_width,
                    1.0f, x, (int)x_width, w->kernel + copy * x_width * gd, (int)gd, 1.0f, s->pre,
                    (int)gd);
    for (size_t t = 0; t < s->steps; t++) {
        if (s->type == SRNN_RNN_GRU)
            gru_step(s, w, t);
        else
            lstm_step(s, w, t);
    }
}

/* Step t of GRU backward: s->dh holds dLoss/dh[t+1]; leaves dLoss/dh[t] there. */
static void gru_step_backward(train_rnn_state *s, const train_rnn_weights *w, size_t t)
{
    size_t b_count = s->batch, d = s->dim, gd = 3 * d;
    for (size_t b = 0; b < b_count; b++) {
        size_t row = t * b_count + b;
        const float *gate = s->gates + row * gd, *hn = s->hn + row * d;
        const float *h_prev = s->h + row * d;
        float *dh = s->dh + b * d, *dp = s->d_pre + row * gd, *dr = s->d_rec + row * gd;
        for (size_t k = 0; k < d; k++) {
            float z = gate[k], r = gate[d + k], n = gate[2 * d + k];
            float dz = dh[k] * (h_prev[k] - n);
            float dn = dh[k] * (1.0f - z) * (1.0f - n * n);
            float dz_pre = dz * z * (1.0f - z);
            float dr_pre = dn * hn[k] * r * (1.0f - r);
            dp[k] = dr[k] = dz_pre;
            dp[d + k] = dr[d + k] = dr_pre;
            dp[2 * d + k] = dn;
            dr[2 * d + k] = dn * r;
            dh[k] *= z; /* the direct path h' = z·h + … */
        }
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b_count, (int)d, (int)gd, 1.0f,
                s->d_rec + t * b_count * gd, (int)gd, w->recurrent_kernel, (int)gd, 1.0f, s->dh,
                (int)d);
}

/* Step t of LSTM backward: s->dh, s->dc hold the gradients of h[t+1], c[t+1]; leaves those of
 * h[t], c[t]. */
static void lstm_step_backward(train_rnn_state *s, const train_rnn_weights *w, size_t t)
{
    size_t b_count = s->batch, d = s->dim, gd = 4 * d;
    for (size_t b = 0; b < b_count; b++) {
        size_t row = t * b_count + b;
        const float *gate = s->gates + row * gd;
        const float *c_prev = s->c + row * d, *c_next = s->c + (row + b_count) * d;
        float *dh = s->dh + b * d, *dc = s->dc + b * d, *dp = s->d_pre + row * gd;
        for (size_t k = 0; k < d; k++) {
            float i = gate[k], f = gate[d + k], cell = gate[2 * d + k], o = gate[3 * d + k];
            float tc = tanhf(c_next[k]);
            float dc_total = dc[k] + dh[k] * o * (1.0f - tc * tc);
            dp[k] = dc_total * cell * i * (1.0f - i);
            dp[d + k] = dc_total * c_prev[k] * f * (1.0f - f);
            dp[2 * d + k] = dc_total * i * (1.0f - cell * cell);
            dp[3 * d + k] = dh[k] * tc * o * (1.0f - o);
            dc[k] = dc_total * f;
        }
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b_count, (int)d, (int)gd, 1.0f,
                s->d_pre + t * b_count * gd, (int)gd, w->recurrent_kernel, (int)gd, 0.0f, s->dh,
                (int)d);
}

void train_rnn_backward(train_rnn_state *s, const train_rnn_weights *w, train_rnn_weights *g,
                        const float *x, size_t x_width, const float *d_out, float *d_x)
{
    size_t b_count = s->batch, rows = s->steps * b_count, d = s->dim;
    bool gru = s->type == SRNN_RNN_GRU;
    size_t gd = (gru ? 3 : 4) * d;
    memset(s->dh, 0, b_count * d * sizeof(float));
    memset(s->dc, 0, b_count * d * sizeof(float));
    for (size_t t = s->steps; t-- > 0;) {
        train_add(s->dh, d_out + t * b_count * d, b_count * d);
        if (gru)
            gru_step_backward(s, w, t);
        else
            lstm_step_backward(s, w, t);
    }
    /* the weight gradients of every step at once; h[0..n) are the states each step read */
    const float *d_rec = gru ? s->d_rec : s->d_pre;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)gd, (int)rows, 1.0f, s->h,
                (int)d, d_rec, (int)gd, 1.0f, g->recurrent_kernel, (int)gd);
    train_column_sums_add(g->bias, s->d_pre, rows, gd);
    if (gru) train_column_sums_add(g->bias + gd, s->d_rec, rows, gd);
    for (size_t copy = 0; copy < s->copies; copy++) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)x_width, (int)gd, (int)rows, 1.0f,
                    x, (int)x_width, s->d_pre, (int)gd, 1.0f, g->kernel + copy * x_width * gd,
                    (int)gd);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)x_width, (int)gd, 1.0f,
                    s->d_pre, (int)gd, w->kernel + copy * x_width * gd, (int)gd, 1.0f, d_x,
                    (int)x_width);
    }
}
