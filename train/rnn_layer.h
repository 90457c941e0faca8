/* One recurrent layer (Keras GRU with reset_after, or LSTM) over a subsequence of n steps for a
 * batch of B, forward and backward (truncated BPTT: no gradient flows into the initial state).
 * Rows are time-major: row t·B + b is step t of batch entry b. Matrix products over all steps
 * at once go through cblas_sgemm; only the recurrent product is done step by step. */
#ifndef TRAIN_RNN_LAYER_H
#define TRAIN_RNN_LAYER_H

#include <stdbool.h>
#include <stddef.h>

#include "layout.h"

typedef struct {
    srnn_rnn_type type;
    size_t steps, batch, dim; /* n, B, D */
    size_t copies;  /* the input is this many copies of x side by side (2: concat(e, e)) */
    float *pre;     /* (n·B, G·D) input projection x·W + input bias (LSTM: the whole bias) */
    float *gates;   /* (n·B, G·D) activated gates: GRU z, r, n; LSTM i, f, c̃, o */
    float *hn;      /* GRU (n·B, D): the candidate's recurrent part U_h·h + b_hh; LSTM unused */
    float *h;       /* ((n+1)·B, D): h[0] the initial state, h[t+1] the output of step t */
    float *c;       /* LSTM ((n+1)·B, D) cell states, c[0] initial; GRU unused */
    float *d_pre;   /* (n·B, G·D) gradient of the input-side pre-activations */
    float *d_rec;   /* GRU (n·B, 3D) gradient of the recurrent-side pre-activations */
    float *rec;     /* (B, G·D) scratch: one step's recurrent product */
    float *dh, *dc; /* (B, D) the gradient carried to the previous step */
    size_t bytes;   /* allocated */
} train_rnn_state;

/* Allocates the buffers for n steps of batch B; false when out of memory. */
bool train_rnn_create(train_rnn_state *s, srnn_rnn_type type, size_t steps, size_t batch,
                      size_t dim, size_t copies);
void train_rnn_free(train_rnn_state *s);

/* The initial state of the next forward pass: zero (reset) or the last one's final state. */
void train_rnn_begin(train_rnn_state *s, bool reset);

/* Runs the layer on x (n·B, x_width), saving what backward needs. The layer's input is x
 * repeated `copies` times side by side, so its kernel has copies·x_width rows. The outputs are
 * h + B·D, (n·B, D). */
void train_rnn_forward(train_rnn_state *s, const train_rnn_weights *w, const float *x,
                       size_t x_width);

/* Given d_out = dLoss/d(outputs) (n·B, D), accumulates the weight gradients into g and
 * dLoss/dx into d_x ((n·B, x_width), added to what it holds). */
void train_rnn_backward(train_rnn_state *s, const train_rnn_weights *w, train_rnn_weights *g,
                        const float *x, size_t x_width, const float *d_out, float *d_x);

#endif
