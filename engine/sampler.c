/* PRiSM samples from log_softmax(logits) / T in float64. Subtracting the maximum logit before
 * dividing gives the same distribution, (l_i - lse)/T = (l_i - max)/T + const, without
 * computing the log-sum-exp first. */
#include <math.h>

#include "sampler.h"

#define ARGMAX_TEMPERATURE 1e-6f
#define MAX_TEMPERATURE 1000.0f

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void srnn_rng_seed(srnn_rng *rng, uint64_t seed)
{
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next(srnn_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double srnn_rng_uniform(srnn_rng *rng) { return (double)(next(rng) >> 11) * 0x1.0p-53; }

int32_t srnn_sample_categorical(srnn_rng *rng, const float *logits, size_t count,
                                float temperature, double *weights)
{
    size_t best = 0;
    for (size_t i = 1; i < count; i++)
        if (logits[i] > logits[best]) best = i;
    if (!(temperature > ARGMAX_TEMPERATURE)) return (int32_t)best; /* also NaN */
    double inverse_t = 1.0 / (double)fminf(temperature, MAX_TEMPERATURE);
    double max = logits[best], total = 0.0;
    for (size_t i = 0; i < count; i++) {
        weights[i] = exp(((double)logits[i] - max) * inverse_t);
        total += weights[i];
    }
    double target = srnn_rng_uniform(rng) * total, cumulative = 0.0;
    for (size_t i = 0; i < count; i++) {
        cumulative += weights[i];
        if (target < cumulative) return (int32_t)i;
    }
    return (int32_t)best; /* rounding left target at the very top: the mode is the safe pick */
}
