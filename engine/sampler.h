/* Seeded random numbers: the sampler's draws (the kernels' sample), the trainer's
 * initialisation and shuffles. */
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

#endif
