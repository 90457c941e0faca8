/* A model's voices at the host's rate, for every srnn instrument (the LV2 plugins, the player):
 * the model, its primer (live/primer.h), one group of engine voices (srnn_voices: each step
 * of the model is one batched pass over the weights for all the voices sounding), and per voice
 * a libsamplerate converter when the host's rate differs from the model's, and the smoothed
 * temperature.
 *
 * live_voices_create loads the model, measures its speed, chooses the group's threads, warms
 * every page the audio thread will touch and generates ahead what a crossfade in would
 * otherwise generate twice: call it, and live_voices_free, off the audio thread. The rest is
 * real-time safe: no allocation, lock, I/O or system call, a bounded cost per sample.
 *
 * A voice starts from its seed and the model's primer, and starts again from the primer when it
 * has fallen silent (primer.h); without a primer it starts from silence, as PRiSM does. A
 * stopped voice generates nothing and costs nothing.
 *
 * The voices keep one clock. A voice restarted while no other sounds begins at once, or,
 * resampled, after its converter's look-ahead of silence (about 46 model samples, 2.9 ms of
 * a 16 kHz model), which then costs no generation of its own. A voice restarted while others
 * sound begins where the group lets it, at the group's next big frame boundary
 * (srnn_voices_starts_in), and, resampled, as far behind the group's newest samples as the
 * sounding voices play (their converters' look-ahead and what they hold), so that no voice
 * ever waits for another and the cost stays one group's; live_voices_restart says when it
 * begins, in host samples. live_voices_restart_all restarts every voice at once, with no
 * silence. */
#ifndef SRNN_LIVE_VOICES_H
#define SRNN_LIVE_VOICES_H

#include <stdbool.h>
#include <stdint.h>

#include "listener.h"
#include "srnn.h"

#define LIVE_MAX_VOICES SRNN_MAX_VOICES
#define LIVE_ERROR_MAX 512

typedef struct live_voices live_voices;

typedef struct {
    double host_rate;
    uint32_t voices;        /* 1 to LIVE_MAX_VOICES */
    srnn_load_options load; /* precision; zeros: the file's */
    /* the group's threads, 1 to SRNN_MAX_THREADS; 0: measured, one, or as many as the cores
     * when one is below helpers_below times real time and that is faster */
    unsigned threads;
    double helpers_below;
    double speed_seconds;    /* CPU time measuring the speed as it loads */
    float smoothing_seconds; /* of the temperature's one-pole, per model sample */
    /* what a crossfade in plays, generated ahead at lead_in_temperature (live_voices_create) */
    float lead_in_seconds;
    /* the voices listen to an input (live/listener.h) instead of playing alone: nothing is
     * generated ahead, and they start waiting for it */
    bool listen;
} live_options;

/* Loads the model at path for options->voices voices, voice v starting from seeds[v]. When
 * lead_in_temperature is a number, the model-rate samples of options->lead_in_seconds are
 * generated here at that temperature; NaN for a model that plays alone at once. On failure
 * *out is NULL, error holds one line, "PATH: the problem", and the result is -1. */
int live_voices_create(const char *path, const live_options *options, const uint64_t *seeds,
                       float lead_in_temperature, live_voices **out, char error[LIVE_ERROR_MAX]);
void live_voices_free(live_voices *v); /* NULL is a no-op */

const char *live_voices_path(const live_voices *v);
const srnn_model *live_voices_model(const live_voices *v);
/* The group's real-time factor: the model samples each voice generates per second of CPU
 * time, all stepping together, over the model's rate; measured as it loaded with the threads
 * chosen. */
double live_voices_realtime_factor(const live_voices *v);
unsigned live_voices_threads(const live_voices *v);
/* One line: the file, its real-time factor here, precision, voices and threads, and when it
 * cannot play live, what would help. */
const char *live_voices_speed(const live_voices *v);
bool live_voices_live(const live_voices *v); /* can play live here */
uint64_t live_voices_seed(const live_voices *v, uint32_t voice);
/* Times voice has started again from the primer after falling silent. */
uint32_t live_voices_restarts(const live_voices *v, uint32_t voice);

/* Starts voice again with seed (from its primer) at the knob's temperature, its converter
 * cleared; what was generated ahead for it is dropped. The result: the host samples from now
 * until its new sound begins (silence before). Real-time safe. */
uint32_t live_voices_restart(live_voices *v, uint32_t voice, uint64_t seed);
/* Starts every voice again together, voice k with seeds[k]: they begin at once. Real-time
 * safe. */
void live_voices_restart_all(live_voices *v, const uint64_t *seeds);
/* Silences voice: it generates nothing, and costs nothing, until it is restarted. Real-time
 * safe. */
void live_voices_stop(live_voices *v, uint32_t voice);

/* Writes count samples at the host's rate of every voice to out[voice] (a stopped voice's:
 * silence; a NULL entry: a stopped voice not written). All the voices sounding step together
 * (one group). temperature is the knob's; each model sample uses it smoothed, per voice.
 * Real-time safe. */
void live_voices_render(live_voices *v, float temperature, float *const *out, uint32_t count);

/* Voices that listen (live_options.listen): queues count host-rate input samples for voice,
 * sets its gate, continues now, its listener's state. Real-time safe. */
void live_voices_listen(live_voices *v, uint32_t voice, const float *input, uint32_t count);
void live_voices_set_gate(live_voices *v, uint32_t voice, float threshold_db, float hold_seconds);
void live_voices_trigger(live_voices *v, uint32_t voice);
const live_listener *live_voices_listener(const live_voices *v, uint32_t voice);

#endif
