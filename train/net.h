/* The whole three-tier model for training: forward and backward over one subsequence of a
 * batch, as PRiSM's SampleRNN.call(training=True) and its gradient (model.py).
 *
 * A subsequence is B rows of BF + T quantised samples (T = seq_len): the first BF samples are
 * history only, and the model predicts the last T of each row, every prediction teacher-forced.
 * The RNN states carry over from one subsequence to the next (stateful truncated BPTT) unless
 * the forward pass is told to reset them, as at the start of each batch. */
#ifndef TRAIN_NET_H
#define TRAIN_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

typedef struct train_net train_net;

/* Activations and scratch for configuration c and batch size B; NULL when out of memory. */
train_net *train_net_create(const srnn_config *c, size_t batch);
void train_net_free(train_net *net); /* NULL is a no-op */

/* Bytes of activations and scratch the net holds. */
size_t train_net_bytes(const train_net *net);

/* The RNN states the next subsequence starts from (when not reset), so that a checkpoint can
 * stop a batch between two subsequences: B rows of train_net_carried_per_row floats, row b
 * holding batch entry b's states (the big frame tier's layers, then the frame tier's; h, and
 * for an LSTM c, of each), so that a share of the batch's rows is a share of the floats. */
size_t train_net_carried_per_row(const train_net *net);
void train_net_get_carried(const train_net *net, float *rows);
void train_net_set_carried(train_net *net, const float *rows);

/* Forward pass on inputs (B, BF + T) int32, row-major, values in [0, Q). Returns the summed
 * cross-entropy in nats over the B·T predictions and counts the argmax hits in *correct.
 * Leaves in the net what train_net_backward needs, including dLoss/dlogits of the mean loss. */
double train_net_forward(train_net *net, const train_weights *w, const int32_t *inputs,
                         bool reset_states, uint64_t *correct);

/* Backward pass of the last forward: adds dLoss/dθ of the mean loss over the B·T predictions
 * into g. */
void train_net_backward(train_net *net, const train_weights *w, train_weights *g);

#endif
