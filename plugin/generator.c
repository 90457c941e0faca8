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
 * follows its length (as PLAYER_SLOT_BLOCK in ui/player/player_slot.h: 64 made every third period of
 * 256 frames at 48 kHz generate 128 samples of a 16 kHz model, 16 makes it 80 or 96). */
#define QUEUE_SAMPLES 16
#define CONVERTER SRC_SINC_MEDIUM_QUALITY

typedef struct {
    srnn_voice *voice;
    SRC_STATE *converter; /* NULL when the host plays at the model's rate */
    float queue[QUEUE_SAMPLES];
    /* What is played next at the model's rate: the queue, or after a load the samples
     * generated ahead (see prime) until they are used up. */
    const float *input;
    uint32_t input_read, input_fill;
    float *primed;
    uint32_t generated; /* samples generated for the converter since the last reset */
    float temperature; /* smoothed; NAN until the first sample, which takes the knob's value */
} channel_state;

struct generator {
    srnn_model *model;
    char *path;
    uint32_t channels;
    double ratio; /* host rate / model rate */
    uint32_t reseeds; /* voice c plays SRNN_LV2_SEED(reseeds, c) */
    float temperature_coefficient;
    unsigned threads; /* of each voice */
    bool live;
    char speed[GENERATOR_ERROR_MAX]; /* generator_speed */
    channel_state channel[GENERATOR_MAX_CHANNELS];
};

static void generate(channel_state *ch, float coefficient, float temperature, float *out,
                     uint32_t count);

/* Generates here, on the worker, what run() would otherwise generate at the start: the
 * samples each converter reads ahead of its first output sample (half its filter), measured,
 * and when the model will crossfade in (lead_in_temperature not NaN), the model-rate samples
 * of the whole crossfade, at that temperature (the knob's when the load was asked for). A
 * crossfade then generates one voice, not two: the worst period of a switch to a 512 x 2
 * int8 model, 256 frames at 48 kHz, went from 111% of the period (nothing generated ahead,
 * not warmed) to 35% (tests/budget_realtime.c). A reseed generates all live again. 0, or -1
 * out of memory. */
static int prime(generator *p, float lead_in_temperature)
{
    int crossfades = !isnan(lead_in_temperature);
    float temperature = crossfades ? lead_in_temperature : SRNN_LV2_TEMPERATURE_DEFAULT;
    double model_rate = srnn_model_config(p->model)->sample_rate;
    uint32_t lead_in = crossfades ? (uint32_t)ceil(SRNN_LV2_CROSSFADE_SECONDS * model_rate) : 0;
    uint32_t ahead[GENERATOR_MAX_CHANNELS] = {0};
    for (uint32_t c = 0; c < p->channels; c++) {
        if (!p->channel[c].converter) continue;
        float frame;
        generator_render(p, c, temperature, &frame, 1);
        ahead[c] = p->channel[c].generated;
    }
    generator_reset(p, p->reseeds);
    for (uint32_t c = 0; c < p->channels; c++) {
        channel_state *ch = &p->channel[c];
        ch->temperature = NAN;
        uint32_t count = ahead[c] + lead_in;
        if (count == 0) continue;
        if (!(ch->primed = malloc(count * sizeof *ch->primed))) return -1;
        generate(ch, p->temperature_coefficient, temperature, ch->primed, count);
        ch->input = ch->primed;
        ch->input_read = 0;
        ch->input_fill = count;
    }
    return 0;
}

/* Measures the model with one thread per voice and, when that is below
 * SRNN_LV2_HELPERS_BELOW, with as many as the cores give each voice (the voices run one after
 * the other on the audio thread, but each voice's helpers spin a while after it), keeps the
 * faster, and writes p->speed. SRNN_OK, or the measurement's failure. */
static srnn_status choose_threads(generator *p)
{
    double rate = 0.0, model_rate = srnn_model_config(p->model)->sample_rate * p->channels;
    srnn_status status = srnn_model_measure_speed(p->model, 1, SRNN_LV2_SPEED_SECONDS, &rate);
    if (status != SRNN_OK) return status;
    p->threads = 1;
    unsigned cores = srnn_cores(), most = cores / p->channels;
    if (most > SRNN_MAX_THREADS) most = SRNN_MAX_THREADS;
    if (rate / model_rate < SRNN_LV2_HELPERS_BELOW && most > 1) {
        double shared;
        status = srnn_model_measure_speed(p->model, most, SRNN_LV2_SPEED_SECONDS, &shared);
        if (status != SRNN_OK) return status;
        if (shared > rate) {
            rate = shared;
            p->threads = most;
        }
    }
    double factor = rate / model_rate;
    char advice[SRNN_ERROR_MAX];
    p->live = !srnn_speed_advice(factor, srnn_model_precision(p->model), p->threads, cores, advice);
    const char *name = strrchr(p->path, '/');
    snprintf(p->speed, sizeof p->speed, "%s: %.2fx real time here (%s, %u voice%s of %u thread%s)%s%s",
             name ? name + 1 : p->path, factor, srnn_precision_name(srnn_model_precision(p->model)),
             p->channels, p->channels == 1 ? "" : "s", p->threads, p->threads == 1 ? "" : "s",
             p->live ? "" : "; ", advice);
    return SRNN_OK;
}

/* Plays two big frames on every channel and starts again from the first seeds, here on the
 * worker: the pages and caches the audio thread will touch (the voices' state, the
 * converters', the weights) are warm before run() fades the model in. */
static void warm_up(generator *p)
{
    float scratch[256];
    uint32_t frames = (uint32_t)(2.0 * srnn_model_config(p->model)->big_frame_size * p->ratio);
    for (uint32_t c = 0; c < p->channels; c++) {
        for (uint32_t done = 0; done < frames; done += 256)
            generator_render(p, c, 1.0f, scratch, frames - done < 256 ? frames - done : 256);
        p->channel[c].temperature = NAN;
    }
    generator_reset(p, p->reseeds);
}

int generator_create(const char *path, double host_rate, uint32_t channels, uint32_t reseeds,
                     float lead_in_temperature, generator **out, char error[GENERATOR_ERROR_MAX])
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
    srnn_status measured = choose_threads(p);
    if (measured != SRNN_OK) {
        snprintf(reason, sizeof reason, "cannot measure its speed: %s",
                 srnn_status_string(measured));
        goto fail;
    }
    snprintf(reason, sizeof reason, "out of memory or threads");
    for (uint32_t c = 0; c < channels; c++) {
        channel_state *ch = &p->channel[c];
        ch->temperature = NAN;
        if (srnn_voice_create_threads(p->model, SRNN_LV2_SEED(0, c), p->threads, &ch->voice) !=
            SRNN_OK)
            goto fail;
        if (resample) {
            int status = 0;
            ch->converter = src_new(CONVERTER, 1, &status);
            if (!ch->converter) {
                snprintf(reason, sizeof reason, "resampler: %s", src_strerror(status));
                goto fail;
            }
        }
    }
    p->reseeds = reseeds;
    warm_up(p);
    if (prime(p, lead_in_temperature) != 0) goto fail;
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
        free(p->channel[c].primed);
    }
    srnn_model_free(p->model);
    free(p->path);
    free(p);
}

const char *generator_path(const generator *p) { return p->path; }

const char *generator_speed(const generator *p) { return p->speed; }

bool generator_live(const generator *p) { return p->live; }

uint32_t generator_reseeds(const generator *p) { return p->reseeds; }

void generator_reset(generator *p, uint32_t reseeds)
{
    p->reseeds = reseeds;
    for (uint32_t c = 0; c < p->channels; c++) {
        channel_state *ch = &p->channel[c];
        srnn_voice_reset(ch->voice, SRNN_LV2_SEED(reseeds, c));
        if (ch->converter) src_reset(ch->converter);
        ch->input = ch->queue; /* what was generated ahead belonged to the old seed */
        ch->input_read = ch->input_fill = 0;
        ch->generated = 0;
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
        uint32_t ahead = ch->input_fill - ch->input_read;
        if (ahead > count) ahead = count;
        if (ahead) memcpy(out, ch->input + ch->input_read, ahead * sizeof *out);
        ch->input_read += ahead;
        generate(ch, p->temperature_coefficient, temperature, out + ahead, count - ahead);
        return;
    }
    /* Every pass consumes the queue or fills output; the bound only stops a converter that
     * would do neither. */
    uint32_t produced = 0;
    uint32_t max_passes = 64 + 2 * (count + (uint32_t)(count / p->ratio) / QUEUE_SAMPLES);
    for (uint32_t pass = 0; produced < count && pass < max_passes; pass++) {
        if (ch->input_read == ch->input_fill) {
            generate(ch, p->temperature_coefficient, temperature, ch->queue, QUEUE_SAMPLES);
            ch->input = ch->queue;
            ch->input_read = 0;
            ch->input_fill = QUEUE_SAMPLES;
            ch->generated += QUEUE_SAMPLES;
        }
        SRC_DATA data = {
            .data_in = ch->input + ch->input_read,
            .input_frames = ch->input_fill - ch->input_read,
            .data_out = out + produced,
            .output_frames = count - produced,
            .src_ratio = p->ratio,
        };
        if (src_process(ch->converter, &data) != 0) break;
        ch->input_read += (uint32_t)data.input_frames_used;
        produced += (uint32_t)data.output_frames_gen;
    }
    for (; produced < count; produced++) out[produced] = 0.0f;
}
