/* RNN stack step. Gate orders are Keras's: GRU z, r, h; LSTM i, f, c, o. */
#include <math.h>
#include <string.h>

#include "kernels.h"
#include "rnn.h"

size_t srnn_rnn_scratch_floats(const srnn_config *config)
{
    size_t gd = srnn_gates(config->rnn_type) * config->dim;
    return 2 * gd + 2 * config->dim; /* input gates, recurrent gates, concat(e, e) */
}

/* h' = z*h + (1-z)*n, n = tanh(xh + r*hh): reset_after=True, bias row 0 input, row 1 recurrent */
static void gru_step(const srnn_rnn_layer *layer, size_t d, const float *x, float *h, float *xg,
                     float *hg)
{
    memcpy(xg, layer->bias, 3 * d * sizeof *xg);
    memcpy(hg, layer->bias + 3 * d, 3 * d * sizeof *hg);
    srnn_vec_mat_acc(xg, x, layer->kernel, layer->input_dim, 3 * d);
    srnn_vec_mat_acc(hg, h, layer->recurrent_kernel, d, 3 * d);
    for (size_t i = 0; i < d; i++) {
        float z = srnn_sigmoid(xg[i] + hg[i]);
        float r = srnn_sigmoid(xg[d + i] + hg[d + i]);
        float n = tanhf(xg[2 * d + i] + r * hg[2 * d + i]);
        h[i] = z * h[i] + (1.0f - z) * n;
    }
}

static void lstm_step(const srnn_rnn_layer *layer, size_t d, const float *x, float *h, float *c,
                      float *g)
{
    memcpy(g, layer->bias, 4 * d * sizeof *g);
    srnn_vec_mat_acc(g, x, layer->kernel, layer->input_dim, 4 * d);
    srnn_vec_mat_acc(g, h, layer->recurrent_kernel, d, 4 * d);
    for (size_t k = 0; k < d; k++) {
        float in = srnn_sigmoid(g[k]), forget = srnn_sigmoid(g[d + k]);
        float cell = tanhf(g[2 * d + k]), out = srnn_sigmoid(g[3 * d + k]);
        c[k] = forget * c[k] + in * cell;
        h[k] = out * tanhf(c[k]);
    }
}

void srnn_rnn_stack_step(const srnn_config *config, const srnn_tier *tier, float *h, float *c,
                         const float *input, float *output, float *scratch)
{
    size_t d = config->dim, gd = srnn_gates(config->rnn_type) * d;
    float *xg = scratch, *hg = scratch + gd, *doubled = scratch + 2 * gd;
    const float *x = input;
    if (config->skip_conn) {
        /* PRiSM feeds layer 0 concat(e, e) when skip connections are on */
        memcpy(doubled, input, d * sizeof *doubled);
        memcpy(doubled + d, input, d * sizeof *doubled);
        x = doubled;
        memcpy(output, tier->layers[0].skip_bias, d * sizeof *output);
    }
    for (uint32_t i = 0; i < config->num_rnn_layers; i++) {
        const srnn_rnn_layer *layer = &tier->layers[i];
        float *layer_h = h + i * d;
        if (config->rnn_type == SRNN_RNN_GRU)
            gru_step(layer, d, x, layer_h, xg, hg);
        else
            lstm_step(layer, d, x, layer_h, c + i * d, xg);
        if (config->skip_conn) srnn_vec_mat_acc(output, layer_h, layer->skip_kernel, d, d);
        x = layer_h;
    }
    if (!config->skip_conn) memcpy(output, x, d * sizeof *output);
}
