/* Seeded random numbers and the categorical draw under a temperature. */
#ifndef SRNN_SAMPLER_H
#define SRNN_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

/* xoshiro256**, seeded through splitmix64: fast, reproducible on every platform. */
typedef struct {
    uint64_t s[4];
} srnn_rng;

void srnn_rng_seed(srnn_rng *rng, uint64_t seed);

/* Uniform in [0, 1) with 53 random bits. */
double srnn_rng_uniform(srnn_rng *rng);

/* Index of one draw from softmax(logits / temperature) (first maximum when temperature is
 * below the argmax threshold). weights is scratch space for count doubles. */
int32_t srnn_sample_categorical(srnn_rng *rng, const float *logits, size_t count,
                                float temperature, double *weights);

#endif
