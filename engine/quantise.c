/* Quantisation exactly as PRiSM's utils.py, in float32 like TensorFlow. */
#include <math.h>

#include "srnn.h"

#define MU 255.0f
#define LINEAR_EPSILON 1e-5f

static int32_t clamp_level(int32_t q, uint32_t levels)
{
    if (q < 0) return 0;
    if (q >= (int32_t)levels) return (int32_t)levels - 1;
    return q;
}

int32_t srnn_quantise(const srnn_config *config, float audio)
{
    if (isnan(audio)) audio = 0.0f;
    if (config->q_type == SRNN_Q_MULAW) {
        float magnitude = logf(1.0f + MU * fminf(fabsf(audio), 1.0f)) / logf(1.0f + MU);
        float sign = (audio > 0.0f) - (audio < 0.0f);
        float signal = sign * magnitude;
        return clamp_level((int32_t)((signal + 1.0f) / 2.0f * MU + 0.5f), 256);
    }
    /* PRiSM assumes (-1, 1); clamping keeps out-of-range audio on the outer levels. */
    float a = fminf(fmaxf(audio, -1.0f), 1.0f);
    float levels = (float)config->q_levels;
    return clamp_level((int32_t)((a + 1.0f) / 2.0f * (levels - LINEAR_EPSILON)
                                 + LINEAR_EPSILON / 2.0f),
                       config->q_levels);
}

float srnn_dequantise(const srnn_config *config, int32_t sample)
{
    if (config->q_type == SRNN_Q_MULAW) {
        float signal = 2.0f * ((float)sample / MU) - 1.0f;
        float magnitude = (1.0f / MU) * (powf(1.0f + MU, fabsf(signal)) - 1.0f);
        return ((signal > 0.0f) - (signal < 0.0f)) * magnitude;
    }
    return (float)sample / ((float)config->q_levels / 2.0f) - 1.0f;
}
