/* A model's voices at the host's rate (voices.h).
 *
 * The group generates every sounding voice's next model-rate samples together into that
 * voice's queue. Without resampling a voice copies its queue to the output; with it, its
 * libsamplerate converter pulls from the queue until the output is full. The group generates
 * only when a voice's output needs a sample its queue lacks, so what it has generated at any
 * host sample, and with it where a restarted voice begins, does not depend on how the host
 * splits its blocks; nor does a converter's output, which keeps its own history. */
#include "voices.h"

#include <math.h>
#include <samplerate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primer.h"

/* Model-rate samples the group generates at a time for the converters: small, so that a
 * period's work follows its length (a period of 256 frames at 48 kHz owes 85.3 samples of a
 * 16 kHz model: blocks of 64 made every third period generate 128, blocks of 16 make it 80 or
 * 96). Without resampling it generates what the output needs, in blocks of at most this. */
#define QUEUE_SAMPLES 16
/* Band-limited sinc interpolation (97 dB SNR over 90% of the band), far cheaper per sample
 * than the engine. */
#define CONVERTER SRC_SINC_MEDIUM_QUALITY
/* Input samples SRC_SINC_MEDIUM_QUALITY reads ahead of its output, at most, per unit of
 * 1 / ratio below 1 (its filter's half length is about 46 samples at ratios of 1 and up);
 * what a converter holds is at most this and a queue's block. */
#define CONVERTER_AHEAD 64

typedef struct {
    uint64_t seed;
    bool stopped;
    SRC_STATE *converter; /* NULL when the host plays at the model's rate */
    /* model-rate samples generated and not yet played (or given to the converter): [read,
     * fill) of capacity; after a load, what was generated ahead (see prime) */
    float *queue;
    uint32_t read, fill, capacity;
    /* since the last restart: model samples taken from the queue, host samples written */
    uint64_t taken, written;
    float temperature; /* smoothed; NAN until the first sample, which takes the knob's value */
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
    /* model samples a converter takes before its first output sample, measured (prime); 0
     * without one */
    uint32_t lookahead;
    float temperature_coefficient;
    unsigned threads; /* of the group */
    double realtime_factor;
    bool live;
    char speed[LIVE_ERROR_MAX]; /* live_voices_speed */
    srnn_voices *group;
    voice_state voice[LIVE_MAX_VOICES];
};

/* Generates count model samples of every voice not stopped into its queue (which has room),
 * each at the temperature smoothed one step further; a voice silent for long starts again
 * from the primer; a voice that listens takes its input (listener.h). */
static void generate(live_voices *v, float temperature, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        float *audio[LIVE_MAX_VOICES] = {0};
        for (uint32_t k = 0; k < v->count; k++) {
            voice_state *s = &v->voice[k];
            if (s->stopped) continue;
            s->temperature = isnan(s->temperature)
                                 ? temperature
                                 : s->temperature + v->temperature_coefficient *
                                                        (temperature - s->temperature);
            srnn_voices_set_temperature(v->group, k, s->temperature);
            if (s->listener) live_listener_prepare(s->listener, v->group, k, s->seed);
            audio[k] = s->queue + s->fill;
        }
        srnn_voices_generate(v->group, audio, NULL, 1);
        for (uint32_t k = 0; k < v->count; k++) {
            voice_state *s = &v->voice[k];
            if (s->stopped) continue;
            if (s->listener) {
                s->queue[s->fill] = live_listener_played(s->listener, s->queue[s->fill]);
                s->fill++;
            } else if (live_silence_update(&s->silence, s->queue[s->fill++])) {
                live_primer_prime(&v->primer, v->group, k, s->seed, ++s->restarts);
            }
        }
    }
}

/* Whether every voice not stopped has room for count more samples in its queue (moving what
 * it holds to the front). */
static bool room_for(live_voices *v, uint32_t count)
{
    for (uint32_t k = 0; k < v->count; k++) {
        voice_state *s = &v->voice[k];
        if (s->stopped) continue;
        if (s->read > 0) {
            memmove(s->queue, s->queue + s->read, (s->fill - s->read) * sizeof *s->queue);
            s->fill -= s->read;
            s->read = 0;
        }
        if (s->capacity - s->fill < count) return false;
    }
    return true;
}

/* Writes to out what voice s can from its queue, at most count host samples; how many. */
static uint32_t play_queue(live_voices *v, voice_state *s, float *out, uint32_t count)
{
    uint32_t used, written;
    if (!s->converter) {
        used = written = s->fill - s->read < count ? s->fill - s->read : count;
        memcpy(out, s->queue + s->read, written * sizeof *out);
    } else {
        SRC_DATA data = {
            .data_in = s->queue + s->read,
            .input_frames = s->fill - s->read,
            .data_out = out,
            .output_frames = count,
            .src_ratio = v->ratio,
        };
        if (src_process(s->converter, &data) != 0) return 0;
        used = (uint32_t)data.input_frames_used;
        written = (uint32_t)data.output_frames_gen;
    }
    s->read += used;
    s->taken += used;
    s->written += written;
    return written;
}

/* The model samples voice k holds generated ahead of what it has played: its queue and, in its
 * converter, what it took beyond the model time of its output. */
static double held_ahead(const live_voices *v, uint32_t k)
{
    const voice_state *s = &v->voice[k];
    return (double)(s->fill - s->read) + (double)s->taken - (double)s->written / v->ratio;
}

void live_voices_render(live_voices *v, float temperature, float *const *out, uint32_t count)
{
    uint32_t done[LIVE_MAX_VOICES] = {0};
    /* Every pass fills the outputs or generates; the bound only stops a converter that would
     * do neither. */
    uint32_t max_passes = 8 + 2 * (uint32_t)((count / v->ratio + 2 * CONVERTER_AHEAD) / QUEUE_SAMPLES);
    for (uint32_t pass = 0; pass < max_passes; pass++) {
        uint32_t wanted = 0; /* model samples a starved voice lacks */
        for (uint32_t k = 0; k < v->count; k++) {
            voice_state *s = &v->voice[k];
            if (s->stopped || !out[k] || done[k] == count) continue;
            done[k] += play_queue(v, s, out[k] + done[k], count - done[k]);
            uint32_t lacking = s->converter || count - done[k] > QUEUE_SAMPLES
                                   ? QUEUE_SAMPLES
                                   : count - done[k];
            if (done[k] < count && s->read == s->fill && lacking > wanted) wanted = lacking;
        }
        if (wanted == 0 || !room_for(v, wanted)) break;
        generate(v, temperature, wanted);
    }
    for (uint32_t k = 0; k < v->count; k++)
        if (out[k])
            for (uint32_t i = v->voice[k].stopped ? 0 : done[k]; i < count; i++) out[k][i] = 0.0f;
}

/* Restarts voice k, its queue starting with ahead model samples of silence. */
static void restart(live_voices *v, uint32_t k, uint64_t seed, uint32_t ahead)
{
    voice_state *s = &v->voice[k];
    s->seed = seed;
    s->stopped = false;
    if (s->listener) { /* silent, costing nothing, until its input is heard */
        srnn_voices_stop(v->group, k);
        live_listener_reset(s->listener);
    } else {
        srnn_voices_reset(v->group, k, seed);
        live_primer_prime(&v->primer, v->group, k, seed, 0);
    }
    s->restarts = 0;
    s->temperature = NAN; /* the knob's value: a smoothed one may stay an ulp off it */
    live_silence_init(&s->silence, srnn_model_config(v->model)->sample_rate);
    if (s->converter) src_reset(s->converter);
    /* what was generated ahead belonged to the old seed */
    if (ahead > s->capacity - QUEUE_SAMPLES) ahead = s->capacity - QUEUE_SAMPLES;
    memset(s->queue, 0, ahead * sizeof *s->queue);
    s->read = 0;
    s->fill = ahead;
    s->taken = s->written = 0;
}

uint32_t live_voices_restart(live_voices *v, uint32_t voice, uint64_t seed)
{
    /* it plays as far behind the group's newest samples as the voices sounding, and at least
     * its converter's look-ahead behind: that look-ahead is silence, not samples generated in
     * this period (a chord from silence, eight voices, cost 1.9 times a steady period) */
    double ahead = v->lookahead;
    for (uint32_t k = 0; k < v->count; k++)
        if (k != voice && !v->voice[k].stopped && held_ahead(v, k) > ahead)
            ahead = held_ahead(v, k);
    restart(v, voice, seed, (uint32_t)ahead);
    size_t silent = v->voice[voice].fill + srnn_voices_starts_in(v->group, voice);
    return (uint32_t)ceil((double)silent * v->ratio);
}

void live_voices_restart_all(live_voices *v, const uint64_t *seeds)
{
    for (uint32_t k = 0; k < v->count; k++) live_voices_stop(v, k);
    for (uint32_t k = 0; k < v->count; k++) restart(v, k, seeds[k], 0);
}

void live_voices_stop(live_voices *v, uint32_t voice)
{
    if (v->voice[voice].stopped) return;
    v->voice[voice].stopped = true;
    srnn_voices_stop(v->group, voice);
}

/* The voices' seeds now. */
static void current_seeds(const live_voices *v, uint64_t seeds[LIVE_MAX_VOICES])
{
    for (uint32_t k = 0; k < v->count; k++) seeds[k] = v->voice[k].seed;
}

/* Generates here, off the audio thread, what the first renders would otherwise generate at
 * the start: the samples the converters read ahead of their first output sample (half their
 * filter), measured, and when the model will crossfade in (lead_in_temperature not NaN), the
 * model-rate samples of the whole crossfade, at that temperature. A crossfade then generates
 * one model, not two: the worst period of a switch to a 512 x 2 int8 model, 256 frames at
 * 48 kHz, went from 111% of the period (nothing generated ahead, not warmed) to 35%
 * (tests/budget_realtime.c). A restart generates all live again. */
static void prime(live_voices *v, float lead_in_seconds, float lead_in_temperature)
{
    int crossfades = !isnan(lead_in_temperature);
    float temperature = crossfades ? lead_in_temperature : SRNN_DEFAULT_TEMPERATURE;
    double model_rate = srnn_model_config(v->model)->sample_rate;
    uint32_t lead_in = crossfades ? (uint32_t)ceil(lead_in_seconds * model_rate) : 0;
    uint32_t ahead = 0;
    uint64_t seeds[LIVE_MAX_VOICES];
    current_seeds(v, seeds);
    if (v->voice[0].converter) {
        float frames[LIVE_MAX_VOICES], *outs[LIVE_MAX_VOICES];
        for (uint32_t k = 0; k < v->count; k++) outs[k] = &frames[k];
        live_voices_render(v, temperature, outs, 1);
        v->lookahead = (uint32_t)v->voice[0].taken;
        ahead = v->lookahead + v->voice[0].fill - v->voice[0].read;
    }
    live_voices_restart_all(v, seeds);
    if (ahead + lead_in > 0) generate(v, temperature, ahead + lead_in);
}

/* With options->threads 0: measures the group with one thread and, when that is below
 * options->helpers_below times real time, with as many as the cores give (the helpers' slice
 * of each product covers all the voices), and keeps the faster. Writes v->speed. SRNN_OK, or
 * the measurement's failure. */
static srnn_status choose_threads(live_voices *v, const live_options *options)
{
    double rate = 0.0, model_rate = srnn_model_config(v->model)->sample_rate;
    unsigned cores = srnn_cores();
    v->threads = options->threads ? options->threads : 1;
    srnn_status status = srnn_voices_measure_speed(v->model, v->count, v->threads,
                                                   options->speed_seconds, &rate);
    if (status != SRNN_OK) return status;
    unsigned most = cores < SRNN_MAX_THREADS ? cores : SRNN_MAX_THREADS;
    if (!options->threads && rate / model_rate < options->helpers_below && most > 1) {
        double shared;
        status = srnn_voices_measure_speed(v->model, v->count, most, options->speed_seconds,
                                           &shared);
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

/* Plays two big frames of every voice and starts again from the seeds, here off the audio
 * thread: the pages and caches the audio thread will touch (the voices' state, the
 * converters', the weights) are warm before it plays the model. A page fault on the audio
 * thread could wait for the memory map's lock, which the loading thread takes whenever it
 * maps or unmaps a model. */
static void warm_up(live_voices *v)
{
    float scratch[LIVE_MAX_VOICES][256];
    float *outs[LIVE_MAX_VOICES];
    for (uint32_t k = 0; k < v->count; k++) outs[k] = scratch[k];
    uint32_t frames = (uint32_t)(2.0 * srnn_model_config(v->model)->big_frame_size * v->ratio);
    for (uint32_t done = 0; done < frames; done += 256)
        live_voices_render(v, 1.0f, outs, frames - done < 256 ? frames - done : 256);
    uint64_t seeds[LIVE_MAX_VOICES];
    current_seeds(v, seeds);
    live_voices_restart_all(v, seeds);
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
    if (srnn_voices_create(v->model, v->count, seeds, v->threads, &v->group) != SRNN_OK)
        goto fail;
    /* a queue holds the crossfade's samples generated ahead, and then at most what a
     * converter reads ahead and a block, twice: its own and, restarted, the others' */
    uint32_t lead_in = isnan(lead_in_temperature)
                           ? 0
                           : (uint32_t)ceil(options->lead_in_seconds * model_rate);
    double below_one = v->ratio < 1.0 ? 1.0 / v->ratio : 1.0;
    uint32_t capacity = lead_in + 4 * QUEUE_SAMPLES + 2 * (uint32_t)ceil(CONVERTER_AHEAD * below_one);
    for (uint32_t k = 0; k < v->count; k++) {
        voice_state *s = &v->voice[k];
        s->seed = seeds[k];
        s->capacity = capacity;
        if (!(s->queue = calloc(capacity, sizeof *s->queue))) goto fail;
        if (resample) {
            int status = 0;
            s->converter = src_new(CONVERTER, 1, &status);
            if (!s->converter) {
                snprintf(reason, sizeof reason, "resampler: %s", src_strerror(status));
                goto fail;
            }
        }
    }
    live_voices_restart_all(v, seeds);
    warm_up(v);
    if (options->listen) { /* after warming up, which generates; they generate nothing ahead */
        for (uint32_t k = 0; k < v->count; k++)
            if (!(v->voice[k].listener = live_listener_create(v->model, options->host_rate)))
                goto fail;
        live_voices_restart_all(v, seeds);
    } else {
        prime(v, options->lead_in_seconds, lead_in_temperature);
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
    srnn_voices_free(v->group);
    for (uint32_t k = 0; k < LIVE_MAX_VOICES; k++) {
        if (v->voice[k].converter) src_delete(v->voice[k].converter);
        free(v->voice[k].queue);
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
