/* A peak limiter that keeps the output within full scale: the resampler's ripple, an
 * equal-power crossfade of two loud voices and the gain can pass it (the plugin peaked at
 * +1.8 dBFS at temperature 1.6 on Ardour's meter). Samples within [-LIVE_LIMIT, LIVE_LIMIT]
 * pass unchanged while no peak has been limited; a peak above it lowers the gain at once, to
 * exactly what keeps it at the limit (no lookahead, so no latency), and the gain recovers with
 * a one-pole of LIVE_LIMITER_RELEASE_SECONDS. The channels share one gain, so the stereo image
 * holds. Constant cost per sample, no allocation: real-time safe. */
#ifndef SRNN_LIVE_LIMITER_H
#define SRNN_LIVE_LIMITER_H

#include <stdint.h>

#define LIVE_LIMIT 1.0f
#define LIVE_LIMITER_RELEASE_SECONDS 0.05f
#define LIVE_LIMITER_MAX_CHANNELS 2

typedef struct {
    float gain;    /* 1 when not limiting */
    float release; /* one-pole coefficient per sample */
} live_limiter;

void live_limiter_init(live_limiter *limiter, double rate);

/* Forgets any limiting in progress: after silence, the next sound starts at gain 1. */
void live_limiter_reset(live_limiter *limiter);

/* Limits count samples of channels (1 or 2) buffers in place. */
void live_limiter_process(live_limiter *limiter, float *const *buffers, uint32_t channels,
                          uint32_t count);

#endif
