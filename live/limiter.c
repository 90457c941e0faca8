/* The output's peak limiter (limiter.h). */
#include "limiter.h"

#include <math.h>

void live_limiter_init(live_limiter *limiter, double rate)
{
    live_limiter_reset(limiter);
    limiter->release = 1.0f - expf(-1.0f / (LIVE_LIMITER_RELEASE_SECONDS * (float)rate));
}

void live_limiter_reset(live_limiter *limiter) { limiter->gain = 1.0f; }

void live_limiter_process(live_limiter *limiter, float *const *buffers, uint32_t channels,
                          uint32_t count)
{
    float gain = limiter->gain;
    for (uint32_t i = 0; i < count; i++) {
        float peak = 0.0f;
        for (uint32_t c = 0; c < channels; c++) peak = fmaxf(peak, fabsf(buffers[c][i]));
        /* recovers towards 1, and never above what keeps this sample at the limit */
        gain += limiter->release * (1.0f - gain);
        if (peak * gain > LIVE_LIMIT) gain = LIVE_LIMIT / peak;
        for (uint32_t c = 0; c < channels; c++) {
            float y = buffers[c][i] * gain;
            /* LIVE_LIMIT / peak * peak may round one ulp past the limit */
            buffers[c][i] = fminf(LIVE_LIMIT, fmaxf(-LIVE_LIMIT, y));
        }
    }
    limiter->gain = gain;
}
