/* One playable model: its voice at the device's rate (live/voices.h, as the plugin's). The
 * control thread creates and frees slots (file I/O and allocation); the audio callback only
 * renders and reseeds them. */
#ifndef SRNN_PLAYER_SLOT_H
#define SRNN_PLAYER_SLOT_H

#include <stddef.h>
#include <stdint.h>

#include "srnn.h"
#include "voices.h"

/* A new slot crossfades in over this time (player.c), its samples generated beforehand. */
#define PLAYER_CROSSFADE_SECONDS 0.1

/* How slots load and run their models (srnn play's --precision and --threads). */
typedef struct {
    srnn_load_options load;
    unsigned threads; /* of each voice, 1 to SRNN_MAX_THREADS */
} player_engine;

/* CPU time spent measuring a model's speed as it loads (srnn_model_measure_speed). */
#define PLAYER_SPEED_SECONDS 0.25
/* The temperature follows the player's keys through a one-pole of this time constant. */
#define PLAYER_SMOOTHING_SECONDS 0.02f

typedef struct {
    live_voices *voices;   /* one voice (live/voices.h) */
    const srnn_model *model;
    double realtime_factor; /* measured on the control thread as the slot was made */
    int tag;                /* the caller's: which model this is (a playlist position) */
} player_slot;

/* The size of the one-line error buffer of player_slot_create. */
#define PLAYER_SLOT_ERROR_MAX LIVE_ERROR_MAX

/* Loads the model at path (with engine's options; NULL: the file's precision, one thread),
 * measures its real-time factor, and prepares it to play at device_rate Hz with seed (from
 * the model's primer, or silence).
 * The samples of its crossfade (PLAYER_CROSSFADE_SECONDS) and those the resampler reads ahead
 * of its first output frame are generated here, on the control thread, at temperature, so
 * that a crossfade's callbacks generate one voice, not two (tests/budget_realtime.c: the worst
 * crossfade period to a 512 x 2 int8 model, 256 frames at 48 kHz, took 105% of the period
 * with nothing generated ahead, 41% with the read-ahead and the crossfade).
 * NULL and one line in error on failure (a bad file, an impossible rate ratio, no memory). */
player_slot *player_slot_create(const char *path, const player_engine *engine,
                                uint32_t device_rate, uint64_t seed, int tag, float temperature,
                                char error[PLAYER_SLOT_ERROR_MAX]);
void player_slot_free(player_slot *slot); /* NULL is a no-op */

/* Writes count samples at the device rate. Real-time safe. */
void player_slot_render(player_slot *slot, float temperature, float *out, size_t count);

/* Starts again with a new seed, generating everything live (a reseed's first period generates
 * a period and a half). Real-time safe. */
void player_slot_reseed(player_slot *slot, uint64_t seed);

#endif
