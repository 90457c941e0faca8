/* One time step of a tier's RNN stack (Keras GRU with reset_after, or Keras LSTM), with
 * PRiSM's optional skip connections. */
#ifndef SRNN_RNN_H
#define SRNN_RNN_H

#include "model.h"

/* Floats of scratch memory rnn_stack_step needs for a model. */
size_t srnn_rnn_scratch_floats(const srnn_config *config);

/* h (L, D) and c (L, D, LSTM only) are updated in place; output (D) receives the stack's
 * output for input (D). */
void srnn_rnn_stack_step(const srnn_config *config, const srnn_tier *tier, float *h, float *c,
                         const float *input, float *output, float *scratch);

#endif
