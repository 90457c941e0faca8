/* The crossfade from one model to the next, for the plugin and the player: equal power (the
 * two voices are uncorrelated), cos and sin of a quarter turn over length samples; and its
 * fade-out alone, for the MIDI instrument. */
#ifndef SRNN_LIVE_CROSSFADE_H
#define SRNN_LIVE_CROSSFADE_H

#include <math.h>
#include <stdint.h>

/* out[i] = cos(x) from[i] + sin(x) to[i], x = pi/2 (position + i) / length, for count
 * samples; out may be from or to. Real-time safe. */
static inline void live_crossfade(const float *from, const float *to, float *out,
                                  uint32_t position, uint32_t length, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        float x = 1.57079632679f * (float)(position + i) / (float)length;
        out[i] = cosf(x) * from[i] + sinf(x) * to[i];
    }
}

/* buffer[i] *= cos(x), x as above: the first half of the crossfade alone, for an instrument
 * that fades one model's voices out before the next model takes them. Real-time safe. */
static inline void live_fade_out(float *buffer, uint32_t position, uint32_t length,
                                 uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        buffer[i] *= cosf(1.57079632679f * (float)(position + i) / (float)length);
}

#endif
