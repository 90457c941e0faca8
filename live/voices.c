/* A model's voices at the host's rate (voices.h).
 *
 * Without resampling a voice writes straight into the output. With it, the voice fills a small
 * queue of model-rate samples and libsamplerate pulls from it until the output is full; the
 * converter keeps its own history, so the result does not depend on how the host splits its
 * blocks. */
#include "voices.h"

#include <math.h>
#include <samplerate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primer.h"

/* Model-rate samples generated at a time for the converter: small, so that a period's work
 * follows its length (a period of 256 frames at 48 kHz owes 85.3 samples of a 16 kHz model:
 * blocks of 64 made every third period generate 128, blocks of 16 make it 80 or 96). */
#define QUEUE_SAMPLES 16
/* Band-limited sinc interpolation (97 dB SNR over 90% of the band), far cheaper per sample
 * than the engine. */
#define CONVERTER SRC_SINC_MEDIUM_QUALITY

typedef struct {
    srnn_voice *voice;
    uint64_t seed;
    SRC_STATE *converter; /* NULL when the host plays at the model's rate */
    float queue[QUEUE_SAMPLES];
    /* What is played next at the model's rate: the queue, or after a load the samples
     * generated ahead (see prime) until they are used up. */
    const float *input;
    uint32_t input_read, input_fill;
    float *primed;
    uint32_t generated; /* samples generated for the converter since the last restart */
    float temperature;  /* smoothed; NAN until the first sample, which takes the knob's value */
    live_silence silence;
    uint32_t restarts; /* from the primer after falling silent, since the last restart */
    live_listener *listener; /* the input it follows, for voices that listen; else NULL */
} voice_state;

struct live_voices {
    srnn_model *model;
    live_primer primer;
    char *path;
    uint32_t count;
    double ratio; /* host rate / model rate */
    float temperature_coefficient;
    unsigned threads; /* of each voice */
    double realtime_factor;
    bool live;
    char speed[LIVE_ERROR_MAX]; /* live_voices_speed */
    voice_state voice[LIVE_MAX_VOICES];
};

/* count model-rate samples, each at the temperature smoothed one step further; a voice silent
 * for long starts again from the primer */
static void generate(live_voices *v, voice_state *s, float temperature, float *out,
                     uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        s->temperature = isnan(s->temperature)
                             ? temperature
                             : s->temperature + v->temperature_coefficient *
                                                    (temperature - s->temperature);
        out[i] = s->listener ? live_listener_next(s->listener, s->voice, s->seed, s->temperature)
                             : live_primer_next(&v->primer, s->voice, &s->silence, s->seed,
                                                &s->restarts, s->temperature);
    }
}

/* Generates here, off the audio thread, what the first renders would otherwise generate at
 * the start: the samples each converter reads ahead of its first output sample (half its
 * filter), measured, and when the model will crossfade in (lead_in_temperature not NaN), the
 * model-rate samples of the whole crossfade, at that temperature. A crossfade then generates
 * one model, not two: the worst period of a switch to a 512 x 2 int8 model, 256 frames at
 * 48 kHz, went from 111% of the period (nothing generated ahead, not warmed) to 35%
 * (tests/budget_realtime.c). A restart generates all live again. 0, or -1 out of memory. */
static int prime(live_voices *v, float lead_in_seconds, float lead_in_temperature)
{
    int crossfades = !isnan(lead_in_temperature);
    float temperature = crossfades ? lead_in_temperature : SRNN_DEFAULT_TEMPERATURE;
    double model_rate = srnn_model_config(v->model)->sample_rate;
    uint32_t lead_in = crossfades ? (uint32_t)ceil(lead_in_seconds * model_rate) : 0;
    uint32_t ahead[LIVE_MAX_VOICES] = {0};
    for (uint32_t k = 0; k < v->count; k++) {
        if (!v->voice[k].converter) continue;
        float frame;
        live_voices_render(v, k, temperature, &frame, 1);
        ahead[k] = v->voice[k].generated;
    }
    for (uint32_t k = 0; k < v->count; k++) {
        voice_state *s = &v->voice[k];
        live_voices_restart(v, k, s->seed);
        uint32_t count = ahead[k] + lead_in;
        if (count == 0) continue;
        if (!(s->primed = malloc(count * sizeof *s->primed))) return -1;
        generate(v, s, temperature, s->primed, count);
        s->input = s->primed;
        s->input_read = 0;
        s->input_fill = count;
    }
    return 0;
}

/* With options->threads 0: measures the model with one thread per voice and, when that is
 * below options->helpers_below, with as many as the cores give each voice (the voices run one
 * after the other on the audio thread, but each voice's helpers spin a while after it), and
 * keeps the faster. Writes v->speed. SRNN_OK, or the measurement's failure. */
static srnn_status choose_threads(live_voices *v, const live_options *options)
{
    double rate = 0.0, model_rate = srnn_model_config(v->model)->sample_rate * v->count;
    unsigned cores = srnn_cores();
    v->threads = options->threads ? options->threads : 1;
    srnn_status status =
        srnn_model_measure_speed(v->model, v->threads, options->speed_seconds, &rate);
    if (status != SRNN_OK) return status;
    unsigned most = cores / v->count;
    if (most > SRNN_MAX_THREADS) most = SRNN_MAX_THREADS;
    if (!options->threads && rate / model_rate < options->helpers_below && most > 1) {
        double shared;
        status = srnn_model_measure_speed(v->model, most, options->speed_seconds, &shared);
        if (status != SRNN_OK) return status;
        if (shared > rate) {
            rate = shared;
            v->threads = most;
        }
    }
    v->realtime_factor = rate / model_rate;
    char advice[SRNN_ERROR_MAX];
    srnn_precision precision = srnn_model_precision(v->model);
    v->live = !srnn_speed_advice(v->realtime_factor, precision, v->threads, cores, advice);
    const char *name = strrchr(v->path, '/');
    snprintf(v->speed, sizeof v->speed,
             "%s: %.2fx real time here (%s, %u voice%s of %u thread%s)%s%s",
             name ? name + 1 : v->path, v->realtime_factor, srnn_precision_name(precision),
             v->count, v->count == 1 ? "" : "s", v->threads, v->threads == 1 ? "" : "s",
             v->live ? "" : "; ", advice);
    return SRNN_OK;
}

/* Plays two big frames on every voice and starts again from the seeds, here off the audio
 * thread: the pages and caches the audio thread will touch (the voices' state, the
 * converters', the weights) are warm before it plays the model. A page fault on the audio
 * thread could wait for the memory map's lock, which the loading thread takes whenever it
 * maps or unmaps a model. */
static void warm_up(live_voices *v)
{
    float scratch[256];
    uint32_t frames = (uint32_t)(2.0 * srnn_model_config(v->model)->big_frame_size * v->ratio);
    for (uint32_t k = 0; k < v->count; k++) {
        for (uint32_t done = 0; done < frames; done += 256)
            live_voices_render(v, k, 1.0f, scratch, frames - done < 256 ? frames - done : 256);
        live_voices_restart(v, k, v->voice[k].seed);
    }
}

int live_voices_create(const char *path, const live_options *options, const uint64_t *seeds,
                       float lead_in_temperature, live_voices **out, char error[LIVE_ERROR_MAX])
{
    *out = NULL;
    char reason[SRNN_ERROR_MAX] = "out of memory";
    live_voices *v = calloc(1, sizeof *v);
    if (!v || !(v->path = strdup(path))) goto fail;
    if (options->voices < 1 || options->voices > LIVE_MAX_VOICES) {
        snprintf(reason, sizeof reason, "%u voices, at most %d play", options->voices,
                 LIVE_MAX_VOICES);
        goto fail;
    }
    v->count = options->voices;
    srnn_status loaded = srnn_model_load_with(path, &options->load, &v->model, reason);
    if (loaded != SRNN_OK) {
        if (!reason[0]) snprintf(reason, sizeof reason, "%s", srnn_status_string(loaded));
        goto fail;
    }
    if (live_primer_read(v->model, &v->primer, reason) != 0) goto fail;

    double model_rate = srnn_model_config(v->model)->sample_rate;
    v->ratio = options->host_rate / model_rate;
    v->temperature_coefficient =
        options->smoothing_seconds > 0.0f
            ? 1.0f - expf(-1.0f / (options->smoothing_seconds * (float)model_rate))
            : 1.0f;
    int resample = options->host_rate != model_rate;
    if (resample && !src_is_valid_ratio(v->ratio)) {
        snprintf(reason, sizeof reason, "the host's %.0f Hz is too far from the model's %.0f Hz",
                 options->host_rate, model_rate);
        goto fail;
    }
    srnn_status measured = choose_threads(v, options);
    if (measured != SRNN_OK) {
        snprintf(reason, sizeof reason, "cannot measure its speed: %s",
                 srnn_status_string(measured));
        goto fail;
    }
    snprintf(reason, sizeof reason, "out of memory or threads");
    for (uint32_t k = 0; k < v->count; k++) {
        voice_state *s = &v->voice[k];
        s->temperature = NAN;
        s->seed = seeds[k];
        live_silence_init(&s->silence, model_rate);
        if (srnn_voice_create_threads(v->model, s->seed, v->threads, &s->voice) != SRNN_OK)
            goto fail;
        if (resample) {
            int status = 0;
            s->converter = src_new(CONVERTER, 1, &status);
            if (!s->converter) {
                snprintf(reason, sizeof reason, "resampler: %s", src_strerror(status));
                goto fail;
            }
        }
    }
    warm_up(v);
    if (options->listen) { /* after warming up, which generates */
        for (uint32_t k = 0; k < v->count; k++)
            if (!(v->voice[k].listener = live_listener_create(v->model, options->host_rate)))
                goto fail;
    } else if (prime(v, options->lead_in_seconds, lead_in_temperature) != 0) {
        goto fail;
    }
    *out = v;
    return 0;

fail:
    snprintf(error, LIVE_ERROR_MAX, "%s: %s", path, reason);
    live_voices_free(v);
    return -1;
}

void live_voices_free(live_voices *v)
{
    if (!v) return;
    for (uint32_t k = 0; k < LIVE_MAX_VOICES; k++) {
        srnn_voice_free(v->voice[k].voice);
        if (v->voice[k].converter) src_delete(v->voice[k].converter);
        free(v->voice[k].primed);
        live_listener_free(v->voice[k].listener);
    }
    live_primer_free(&v->primer);
    srnn_model_free(v->model);
    free(v->path);
    free(v);
}

const char *live_voices_path(const live_voices *v) { return v->path; }

const srnn_model *live_voices_model(const live_voices *v) { return v->model; }

double live_voices_realtime_factor(const live_voices *v) { return v->realtime_factor; }

unsigned live_voices_threads(const live_voices *v) { return v->threads; }

const char *live_voices_speed(const live_voices *v) { return v->speed; }

bool live_voices_live(const live_voices *v) { return v->live; }

uint64_t live_voices_seed(const live_voices *v, uint32_t voice) { return v->voice[voice].seed; }

uint32_t live_voices_restarts(const live_voices *v, uint32_t voice)
{
    return v->voice[voice].restarts;
}

void live_voices_restart(live_voices *v, uint32_t voice, uint64_t seed)
{
    voice_state *s = &v->voice[voice];
    s->seed = seed;
    srnn_voice_reset(s->voice, seed);
    live_primer_prime(&v->primer, s->voice, seed, 0);
    s->restarts = 0;
    s->temperature = NAN; /* the knob's value: a smoothed one may stay an ulp off it */
    live_silence_init(&s->silence, srnn_model_config(v->model)->sample_rate);
    if (s->converter) src_reset(s->converter);
    s->input = s->queue; /* what was generated ahead belonged to the old seed */
    s->input_read = s->input_fill = 0;
    s->generated = 0;
    if (s->listener) live_listener_reset(s->listener);
}

void live_voices_render(live_voices *v, uint32_t voice, float temperature, float *out,
                        uint32_t count)
{
    voice_state *s = &v->voice[voice];
    if (!s->converter) {
        uint32_t ahead = s->input_fill - s->input_read;
        if (ahead > count) ahead = count;
        if (ahead) memcpy(out, s->input + s->input_read, ahead * sizeof *out);
        s->input_read += ahead;
        generate(v, s, temperature, out + ahead, count - ahead);
        return;
    }
    /* Every pass consumes the queue or fills output; the bound only stops a converter that
     * would do neither. */
    uint32_t produced = 0;
    uint32_t max_passes = 64 + 2 * (count + (uint32_t)(count / v->ratio) / QUEUE_SAMPLES);
    for (uint32_t pass = 0; produced < count && pass < max_passes; pass++) {
        if (s->input_read == s->input_fill) {
            generate(v, s, temperature, s->queue, QUEUE_SAMPLES);
            s->input = s->queue;
            s->input_read = 0;
            s->input_fill = QUEUE_SAMPLES;
            s->generated += QUEUE_SAMPLES;
        }
        SRC_DATA data = {
            .data_in = s->input + s->input_read,
            .input_frames = s->input_fill - s->input_read,
            .data_out = out + produced,
            .output_frames = count - produced,
            .src_ratio = v->ratio,
        };
        if (src_process(s->converter, &data) != 0) break;
        s->input_read += (uint32_t)data.input_frames_used;
        produced += (uint32_t)data.output_frames_gen;
    }
    for (; produced < count; produced++) out[produced] = 0.0f;
}

void live_voices_listen(live_voices *v, uint32_t voice, const float *input, uint32_t count)
{
    live_listener_push(v->voice[voice].listener, input, count);
}

void live_voices_set_gate(live_voices *v, uint32_t voice, float threshold_db, float hold_seconds)
{
    live_listener_set_gate(v->voice[voice].listener, threshold_db, hold_seconds);
}

void live_voices_trigger(live_voices *v, uint32_t voice)
{
    live_listener_trigger(v->voice[voice].listener);
}

const live_listener *live_voices_listener(const live_voices *v, uint32_t voice)
{
    return v->voice[voice].listener;
}
