/* A frame tier's step. Gate orders are Keras's: GRU z, r, h; LSTM i, f, c, o. */
#include <string.h>

#include "rnn.h"

size_t srnn_tier_state_floats(const srnn_config *c, const srnn_tier *tier)
{
    size_t l = c->num_rnn_layers, d = srnn_padded(c->dim);
    size_t gd = srnn_padded(srnn_gates(c->rnn_type) * c->dim);
    return 2 * l * d + l * gd + gd + d + srnn_padded(tier->frame) + tier->ratio * d;
}

void srnn_tier_state_place(srnn_tier_state *s, const srnn_config *c, const srnn_tier *tier,
                           float *memory)
{
    size_t l = c->num_rnn_layers, d = srnn_padded(c->dim);
    size_t gd = srnn_padded(srnn_gates(c->rnn_type) * c->dim);
    s->h = memory;
    s->c = s->h + l * d;
    s->recurrent = s->c + l * d;
    s->gates = s->recurrent + l * gd;
    s->output = s->gates + gd;
    s->input = s->output + d;
    s->upsampled = s->input + srnn_padded(tier->frame);
}

void srnn_tier_state_clear(srnn_tier_state *s, const srnn_model *m, const srnn_tier_run *run)
{
    const srnn_config *c = &m->config;
    size_t l = c->num_rnn_layers, d = srnn_padded(c->dim);
    size_t gd = srnn_padded(srnn_gates(c->rnn_type) * c->dim);
    memset(s->h, 0, l * d * sizeof *s->h);
    memset(s->c, 0, l * d * sizeof *s->c);
    memset(s->recurrent, 0, l * gd * sizeof *s->recurrent);
    for (size_t i = 0; i < l; i++)
        if (run->recurrent_bias[i]) /* h = 0: the recurrent half is its bias */
            memcpy(s->recurrent + i * gd, run->recurrent_bias[i],
                   srnn_gates(c->rnn_type) * c->dim * sizeof(float));
}

void srnn_tier_step(const srnn_model *m, const srnn_exec *exec, const srnn_tier *tier,
                    const srnn_tier_run *run, unsigned count, srnn_tier_state *const *states,
                    const int32_t *const *frames, const float *const *conditioning)
{
    const srnn_config *c = &m->config;
    const srnn_kernels *k = exec->kernels;
    size_t d = c->dim, pd = srnn_padded(d), gd = srnn_gates(c->rnn_type) * d;
    size_t pgd = srnn_padded(gd);
    float half = (float)c->q_levels / 2.0f;
    const float *x[SRNN_MAX_VOICES] = {0};
    float *y[SRNN_MAX_VOICES] = {0};
    for (unsigned v = 0; v < count; v++) {
        srnn_tier_state *s = states[v];
        /* PRiSM scales samples to [-2, 2) before the tier's input Dense */
        for (size_t i = 0; i < tier->frame; i++) s->input[i] = ((float)frames[v][i] / half - 1.0f) * 2.0f;
        memcpy(s->gates, run->input_bias, gd * sizeof *s->gates);
        if (conditioning)
            for (size_t o = 0; o < gd; o++) s->gates[o] += conditioning[v][o];
        x[v] = s->input;
        y[v] = s->gates;
    }
    srnn_exec_gemv(exec, &run->input, count, x, y, 0, run->input.blocks);
    for (uint32_t l = 0; l < c->num_rnn_layers; l++) {
        if (l > 0) {
            for (unsigned v = 0; v < count; v++) {
                memcpy(states[v]->gates, run->kernel_bias[l], gd * sizeof(float));
                x[v] = states[v]->h + (l - 1) * pd;
            }
            srnn_exec_gemv(exec, &run->kernel[l], count, x, y, 0, run->kernel[l].blocks);
        }
        for (unsigned v = 0; v < count; v++) {
            srnn_tier_state *s = states[v];
            float *h = s->h + l * pd, *recurrent = s->recurrent + l * pgd, *g = s->gates;
            if (c->rnn_type == SRNN_RNN_GRU) {
                k->gru_gates(h, g, recurrent, d);
            } else {
                for (size_t o = 0; o < gd; o++) g[o] += recurrent[o];
                k->lstm_gates(h, s->c + l * pd, g, d);
            }
        }
    }
    for (unsigned v = 0; v < count; v++) {
        srnn_tier_state *s = states[v];
        if (c->skip_conn)
            memcpy(s->output, run->skip_bias, d * sizeof *s->output);
        else
            memcpy(s->output, s->h + (c->num_rnn_layers - 1) * pd, d * sizeof *s->output);
        y[v] = s->output;
    }
    for (uint32_t l = 0; c->skip_conn && l < c->num_rnn_layers; l++) {
        for (unsigned v = 0; v < count; v++) x[v] = states[v]->h + l * pd;
        srnn_exec_gemv(exec, &run->skip[l], count, x, y, 0, run->skip[l].blocks);
    }
}

void srnn_tier_queue_recurrent(const srnn_model *m, const srnn_tier_run *run, unsigned count,
                               srnn_tier_state *const *states, srnn_queue *queue)
{
    const srnn_config *c = &m->config;
    size_t pd = srnn_padded(c->dim), gd = srnn_gates(c->rnn_type) * c->dim;
    size_t pgd = srnn_padded(gd);
    const float *x[SRNN_MAX_VOICES];
    float *y[SRNN_MAX_VOICES];
    for (uint32_t l = 0; l < c->num_rnn_layers; l++) {
        for (unsigned v = 0; v < count; v++) {
            float *recurrent = states[v]->recurrent + l * pgd;
            if (run->recurrent_bias[l])
                memcpy(recurrent, run->recurrent_bias[l], gd * sizeof *recurrent);
            else
                memset(recurrent, 0, gd * sizeof *recurrent);
            x[v] = states[v]->h + l * pd;
            y[v] = recurrent;
        }
        srnn_queue_push(queue, &run->recurrent[l], count, x, y);
    }
}
