/* Initial weights as Keras gives them to PRiSM's layers, from a seed. */
#ifndef TRAIN_INIT_H
#define TRAIN_INIT_H

#include <stdint.h>

#include "layout.h"

/* Fills block (the layout's parameters) with Keras' initialisers: glorot_uniform kernels,
 * orthogonal recurrent kernels, zero biases (LSTM forget gates 1), he_uniform skip outputs,
 * glorot_normal upsampling, uniform(±0.05) embedding. false when out of memory. */
bool train_init_weights(const train_layout *layout, float *block, uint64_t seed);

#endif
