/* A model generating at the host's rate (generator.h).
 *
 * Without resampling a channel's voice writes straight into the output. With it, the voice
 * fills a small queue of model-rate samples and libsamplerate pulls from it until the output
 * is full; the converter keeps its own history, so the result does not depend on how the
 * host splits its blocks. */
#include "generator.h"

#include <math.h>
#include <samplerate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

/* Model-rate samples generated at a time for the converter: small, so that a period's work
 * follows its length (as PLAYER_SLOT_BLOCK in ui/player_slot.h: 64 made every third period of
 * 256 frames at 48 kHz generate 128 samples of a 16 kHz model, 16 makes it 80 or 96). */
#define QUEUE_SAMPLES 16
#define CONVERTER SRC_SINC_MEDIUM_QUALITY

typedef struct {
    srnn_voice *voice;
    SRC_STATE *converter; /* NULL when the host plays at the model's rate */
    float queue[QUEUE_SAMPLES];
    uint32_t queue_read, queue_fill;
    float temperature; /* smoothed; NAN until the first sample, which takes the knob's value */
} channel_state;

struct generator {
    srnn_model *model;
    char *path;
    uint32_t channels;
    double ratio; /* host rate / model rate */
    float temperature_coefficient;
    channel_state channel[GENERATOR_MAX_CHANNELS];
};

/* Plays two big frames on every channel and starts again from the first seeds, here on the
 * worker: the pages and caches the audio thread will touch (the voices' state, the
 * converters', the weights) are warm before run() fades the model in. Unwarmed, the first
 * period of a crossfade to a 512 x 2 int8 model took 111% of a 256-frame period at 48 kHz
 * (tests/budget_realtime.c); warmed, 80-85%. */
static void warm_up(generator *p)
{
    float scratch[256];
    uint32_t frames = (uint32_t)(2.0 * srnn_model_config(p->model)->big_frame_size * p->ratio);
    for (uint32_t c = 0; c < p->channels; c++) {
        for (uint32_t done = 0; done < frames; done += 256)
            generator_render(p, c, 1.0f, scratch, frames - done < 256 ? frames - done : 256);
        p->channel[c].temperature = NAN;
    }
    generator_reset(p, 0);
}

int generator_create(const char *path, double host_rate, uint32_t channels, generator **out,
                  char error[GENERATOR_ERROR_MAX])
{
    *out = NULL;
    char reason[SRNN_ERROR_MAX] = "out of memory";
    generator *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path))) goto fail;
    if (channels < 1 || channels > GENERATOR_MAX_CHANNELS) {
        snprintf(reason, sizeof reason, "%u channels, the plugin plays 1 or 2", channels);
        goto fail;
    }
    p->channels = channels;
    if (srnn_model_load(path, &p->model, reason) != SRNN_OK) goto fail;

    double model_rate = srnn_model_config(p->model)->sample_rate;
    p->ratio = host_rate / model_rate;
    p->temperature_coefficient = srnn_lv2_smoothing_coefficient(model_rate);
    int resample = host_rate != model_rate;
    if (resample && !src_is_valid_ratio(p->ratio)) {
        snprintf(reason, sizeof reason, "the host's %.0f Hz is too far from the model's %.0f Hz",
                 host_rate, model_rate);
        goto fail;
    }
    snprintf(reason, sizeof reason, "out of memory");
    for (uint32_t c = 0; c < channels; c++) {
        channel_state *ch = &p->channel[c];
        ch->temperature = NAN;
        if (srnn_voice_create(p->model, SRNN_LV2_SEED(0, c), &ch->voice) != SRNN_OK) goto fail;
        if (resample) {
            int status = 0;
            ch->converter = src_new(CONVERTER, 1, &status);
            if (!ch->converter) {
                snprintf(reason, sizeof reason, "resampler: %s", src_strerror(status));
                goto fail;
            }
        }
    }
    warm_up(p);
    *out = p;
    return 0;

fail:
    snprintf(error, GENERATOR_ERROR_MAX, "cannot load model %s: %s", path, reason);
    generator_free(p);
    return -1;
}

void generator_free(generator *p)
{
    if (!p) return;
    for (uint32_t c = 0; c < GENERATOR_MAX_CHANNELS; c++) {
        srnn_voice_free(p->channel[c].voice);
        if (p->channel[c].converter) src_delete(p->channel[c].converter);
    }
    srnn_model_free(p->model);
    free(p->path);
    free(p);
}

const char *generator_path(const generator *p) { return p->path; }

void generator_reset(generator *p, uint32_t reseeds)
{
    for (uint32_t c = 0; c < p->channels; c++) {
        channel_state *ch = &p->channel[c];
        srnn_voice_reset(ch->voice, SRNN_LV2_SEED(reseeds, c));
        if (ch->converter) src_reset(ch->converter);
        ch->queue_read = ch->queue_fill = 0;
    }
}

/* count model-rate samples, each at the temperature smoothed one step further */
static void generate(channel_state *ch, float coefficient, float temperature, float *out,
                     uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        ch->temperature = isnan(ch->temperature)
                              ? temperature
                              : srnn_lv2_smooth(ch->temperature, temperature, coefficient);
        srnn_voice_generate(ch->voice, ch->temperature, out + i, NULL, 1);
    }
}

void generator_render(generator *p, uint32_t channel, float temperature, float *out, uint32_t count)
{
    channel_state *ch = &p->channel[channel];
    if (!ch->converter) {
        generate(ch, p->temperature_coefficient, temperature, out, count);
        return;
    }
    /* Every pass consumes the queue or fills output; the bound only stops a converter that
     * would do neither. */
    uint32_t produced = 0;
    uint32_t max_passes = 64 + 2 * (count + (uint32_t)(count / p->ratio) / QUEUE_SAMPLES);
    for (uint32_t pass = 0; produced < count && pass < max_passes; pass++) {
        if (ch->queue_read == ch->queue_fill) {
            generate(ch, p->temperature_coefficient, temperature, ch->queue, QUEUE_SAMPLES);
            ch->queue_read = 0;
            ch->queue_fill = QUEUE_SAMPLES;
        }
        SRC_DATA data = {
            .data_in = ch->queue + ch->queue_read,
            .input_frames = ch->queue_fill - ch->queue_read,
            .data_out = out + produced,
            .output_frames = count - produced,
            .src_ratio = p->ratio,
        };
        if (src_process(ch->converter, &data) != 0) break;
        ch->queue_read += (uint32_t)data.input_frames_used;
        produced += (uint32_t)data.output_frames_gen;
    }
    for (; produced < count; produced++) out[produced] = 0.0f;
}
