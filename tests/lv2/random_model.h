/* Small models with random weights, written with the engine's own writer, for the plugin's
 * tests: models to swap to, at any rate, without the golden data. */
#ifndef SRNN_TEST_RANDOM_MODEL_H
#define SRNN_TEST_RANDOM_MODEL_H

#include <stdint.h>

#include "srnn.h"

/* Writes a GRU or LSTM model (frames 4/16, dim 24, 1 layer) at rate to path; 0 on success. */
int random_model_write(const char *path, uint32_t rate, srnn_rnn_type rnn, srnn_q_type q_type,
                       uint32_t q_levels, uint64_t seed);

#endif
