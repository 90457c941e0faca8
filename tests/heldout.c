/* The continuation's proof material (heldout.h). */
#include "heldout.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>

float *heldout_read(size_t *count, uint32_t *rate)
{
    SF_INFO info = {0};
    SNDFILE *file = sf_open(HELDOUT_PATH, SFM_READ, &info);
    if (!file || info.channels != 1) {
        fprintf(stderr, "%s: cannot read a mono recording\n", HELDOUT_PATH);
        if (file) sf_close(file);
        return NULL;
    }
    float *x = malloc((size_t)info.frames * sizeof *x);
    *count = x ? (size_t)sf_readf_float(file, x, info.frames) : 0;
    *rate = (uint32_t)info.samplerate;
    sf_close(file);
    return x;
}

int heldout_gate(const float *x, size_t count, float threshold, uint32_t hold, size_t *onset,
                 size_t *last)
{
    size_t i = 0;
    while (i < count && fabsf(x[i]) < threshold) i++;
    if (i == count) return -1;
    *onset = i;
    for (uint32_t quiet = 0; i < count; i++) {
        quiet = fabsf(x[i]) < threshold ? quiet + 1 : 0;
        if (quiet == hold) {
            *last = i;
            return 0;
        }
    }
    return -1;
}

int heldout_continuation(const srnn_model *model, uint64_t seed, const float *x, size_t count,
                         float temperature, float *out, size_t length)
{
    srnn_voice *voice;
    if (srnn_voice_create(model, seed, &voice) != SRNN_OK) return -1;
    const srnn_config *config = srnn_model_config(model);
    for (size_t i = 0; i < count; i++) srnn_voice_feed(voice, srnn_quantise(config, x[i]));
    srnn_voice_generate(voice, temperature, out, NULL, length);
    srnn_voice_free(voice);
    return 0;
}
