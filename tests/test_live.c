/* The instruments' shared parts (live/): the output's limiter.
 *
 * Limiter: leaves signals within full scale untouched; keeps a signal at twice full scale
 * within it, reaching it; recovers with its release time constant; gives both channels one
 * gain. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "limiter.h"

#define RATE 16000

static void test_limiter(void)
{
    live_limiter limiter;
    live_limiter_init(&limiter, RATE);
    static float x[RATE], y[RATE];
    for (size_t i = 0; i < RATE; i++) x[i] = y[i] = 0.99f * sinf(0.05f * (float)i);
    float *channel = y;
    live_limiter_process(&limiter, &channel, 1, RATE);
    CHECK_SHOW(max_abs_diff(x, y, RATE, NULL) == 0.0,
               "limiter: a sine at 0.99 passes unchanged (max diff %g)",
               max_abs_diff(x, y, RATE, NULL));

    /* 0.25 s at amplitude 2, then 0.75 s at 0.5 */
    size_t loud = RATE / 4;
    for (size_t i = 0; i < RATE; i++) y[i] = (i < loud ? 2.0f : 0.5f) * sinf(0.05f * (float)i);
    live_limiter_process(&limiter, &channel, 1, RATE);
    float peak = 0.0f;
    for (size_t i = 0; i < loud; i++) peak = fmaxf(peak, fabsf(y[i]));
    int within = 1;
    for (size_t i = 0; i < RATE; i++) within &= fabsf(y[i]) <= LIVE_LIMIT;
    CHECK_SHOW(within && peak >= 0.99f, "limiter: a sine at 2.0 stays within full scale, peak %.4f",
               peak);
    /* five time constants after the loud part, the gain is back within 1% of 1 */
    size_t settled = loud + (size_t)(5 * LIVE_LIMITER_RELEASE_SECONDS * RATE);
    double worst = 0.0;
    for (size_t i = settled; i < RATE; i++) {
        float want = 0.5f * sinf(0.05f * (float)i);
        worst = fmax(worst, fabs(y[i] - want));
    }
    CHECK_SHOW(worst <= 0.005 && limiter.gain > 0.99f,
               "limiter: recovers over its %.0f ms release (off by %.4f after five of them, gain "
               "%.4f)",
               1000.0 * LIVE_LIMITER_RELEASE_SECONDS, worst, limiter.gain);

    /* stereo: a loud left lowers the right by the same gain */
    live_limiter_init(&limiter, RATE);
    static float left[RATE], right[RATE];
    for (size_t i = 0; i < RATE; i++) {
        left[i] = 1.5f * sinf(0.05f * (float)i);
        right[i] = 0.25f;
    }
    float *stereo[2] = {left, right};
    live_limiter_process(&limiter, stereo, 2, RATE);
    double image = 0.0;
    for (size_t i = 0; i < RATE; i++)
        if (fabsf(left[i]) > 0.1f)
            image = fmax(image, fabs(right[i] / 0.25 - left[i] / (1.5 * sinf(0.05f * (float)i))));
    CHECK_SHOW(image < 1e-5, "limiter: both channels get one gain (gains differ by %g)", image);
}

int main(void)
{
    test_limiter();
    return check_summary();
}
