/* The plugin's behaviour in numbers: what srnn.ttl declares and what the test host checks.
 * Port ranges here must match ttl/srnn.ttl (the test host compares them through lilv). */
#ifndef SRNN_LV2_PARAMS_H
#define SRNN_LV2_PARAMS_H

#include <math.h>
#include <stdint.h>

#include "srnn.h"

#define SRNN_LV2_URI "urn:srnn:lv2:mono"
#define SRNN_LV2_STEREO_URI "urn:srnn:lv2:stereo"
/* The MIDI instrument (plugin/instrument.c): notes gate the model's voices. */
#define SRNN_LV2_INSTRUMENT_URI "urn:srnn:lv2:instrument"
/* The continuation effect (plugin/continuation.c): the model follows the input and goes on
 * from it when it falls silent. */
#define SRNN_LV2_CONTINUATION_URI "urn:srnn:lv2:continuation"
#define SRNN_LV2_MODEL_URI "urn:srnn:lv2:model" /* patch:writable, atom:Path */
#define SRNN_LV2_ERROR_URI "urn:srnn:lv2:error" /* patch:readable, atom:String */
/* patch:readable, atom:String: the newest model's real-time factor here and, when it cannot
 * play live, what would help */
#define SRNN_LV2_SPEED_URI "urn:srnn:lv2:speed"

#define SRNN_LV2_CHUNK 256 /* host samples rendered at a time */

/* The longest model path the plugin takes, in bytes with the final NUL. */
#define SRNN_LV2_PATH_MAX 2048

/* The model the bundle ships, loaded when the plugin is instantiated. */
#define SRNN_LV2_DEFAULT_MODEL "default.srnn"

/* Ports, in srnn.ttl's order; the stereo plugin adds the right output. */
enum {
    SRNN_PORT_CONTROL = 0, /* atom input: patch:Set / patch:Get of the model */
    SRNN_PORT_NOTIFY,      /* atom output: the model in use, load errors */
    SRNN_PORT_TEMPERATURE,
    SRNN_PORT_GAIN, /* dB */
    SRNN_PORT_RESEED, /* trigger: a rising edge restarts the voices with new seeds */
    SRNN_PORT_OUT,    /* the left output of the stereo plugin */
    SRNN_PORT_OUT_RIGHT,
    /* the instrument's, after its one output (it has no right one) */
    SRNN_PORT_ATTACK = SRNN_PORT_OUT_RIGHT, /* seconds */
    SRNN_PORT_RELEASE,                      /* seconds */
    SRNN_PORT_TEMPERATURE_CC,               /* the MIDI controller that sets the temperature */
    SRNN_PORT_HOLD,                         /* the continuation's, seconds */
    SRNN_PORT_COUNT_MAX,
};
/* The continuation effect's: its trigger where the generators' reseed is, its input after its
 * one output, then the mix (0 dry to 1 wet), the gate's threshold (dBFS) and hold (seconds). */
enum {
    SRNN_PORT_CONTINUE = SRNN_PORT_RESEED,
    SRNN_PORT_IN = SRNN_PORT_OUT_RIGHT,
    SRNN_PORT_MIX = SRNN_PORT_RELEASE,
    SRNN_PORT_THRESHOLD = SRNN_PORT_TEMPERATURE_CC,
};
#define SRNN_LV2_MIX_DEFAULT 0.5f

/* The instrument: its voices (notes sounding at once; a note beyond them steals one), its
 * envelope's ranges, and the controller that sets the temperature by default (74, "brightness"
 * in General MIDI 2, what most keyboards' first knob sends). The mod wheel (CC 1) raises the
 * temperature from there towards SRNN_LV2_TEMPERATURE_MAX. Velocity sets a note's level,
 * velocity / 127. */
#define SRNN_LV2_INSTRUMENT_VOICES 8
#define SRNN_LV2_ATTACK_MIN 0.0f
#define SRNN_LV2_ATTACK_DEFAULT 0.01f
#define SRNN_LV2_ATTACK_MAX 5.0f
#define SRNN_LV2_RELEASE_MIN 0.0f
#define SRNN_LV2_RELEASE_DEFAULT 0.3f
#define SRNN_LV2_RELEASE_MAX 10.0f
#define SRNN_LV2_TEMPERATURE_CC_DEFAULT 74
/* A note that steals a sounding voice starts after the voice's sound fades out over this
 * time, not over it (which clicked). */
#define SRNN_LV2_STEAL_SECONDS 0.003f
/* A note's voice starts from this seed: each strike of a note differs, the same performance
 * plays the same sound, and a reseed (the trigger) moves every note on. */
#define SRNN_LV2_NOTE_SEED(reseeds, note, strike)                                               \
    (((uint64_t)(reseeds) << 40) + ((uint64_t)(strike) << 8) + (uint64_t)(note) + (1ull << 32))

#define SRNN_LV2_TEMPERATURE_MIN 0.05f
/* The engine's default; ttl/srnn.ttl states it too (lv2:default), and test_lv2_sound checks
 * that the two agree. */
#define SRNN_LV2_TEMPERATURE_DEFAULT SRNN_DEFAULT_TEMPERATURE
#define SRNN_LV2_TEMPERATURE_MAX 2.0f
#define SRNN_LV2_GAIN_MIN_DB (-60.0f)
#define SRNN_LV2_GAIN_MAX_DB 12.0f

/* Voice c (0 left, 1 right) after r reseeds uses seed 2r + c, so a fresh mono instance plays
 * exactly what `srnn render MODEL --seed 0` writes at the model's rate. */
#define SRNN_LV2_SEED(reseeds, channel) (2u * (uint64_t)(reseeds) + (uint64_t)(channel))

/* Temperature (per model sample) and gain (per host sample) follow their knobs through a
 * one-pole low-pass of this time constant: no zipper noise, and still a quick response. */
#define SRNN_LV2_SMOOTHING_SECONDS 0.02f
/* A new model fades in over this time while the old one fades out (equal power). */
#define SRNN_LV2_CROSSFADE_SECONDS 0.05f
/* A reseed fades out over this time, restarts the voices, and fades back in. */
#define SRNN_LV2_DECLICK_SECONDS 0.005f

/* A model's speed is measured as it loads for this much of the worker's CPU time; when one
 * thread per voice plays it at less than SRNN_LV2_HELPERS_BELOW times real time (all voices
 * together), its voices get helper threads, as many as the cores allow, if that measures
 * faster. */
#define SRNN_LV2_SPEED_SECONDS 0.2
#define SRNN_LV2_HELPERS_BELOW 2.0

/* The temperature a controller value (0 to 127) sets: over the knob's range, logarithmically,
 * as the knob's scale. */
static inline float srnn_lv2_controller_temperature(uint8_t value)
{
    float low = logf(SRNN_LV2_TEMPERATURE_MIN), high = logf(SRNN_LV2_TEMPERATURE_MAX);
    return expf(low + (high - low) * (float)value / 127.0f);
}

/* The instrument's temperature: base (the knob's or the controller's) raised by the mod wheel
 * (0 to 127) towards SRNN_LV2_TEMPERATURE_MAX, logarithmically; the wheel at 0 leaves base. */
static inline float srnn_lv2_wheel_temperature(float base, uint8_t wheel)
{
    if (wheel == 0) return base;
    return base * powf(SRNN_LV2_TEMPERATURE_MAX / base, (float)wheel / 127.0f);
}

/* The one-pole's coefficient at a rate; called outside the audio thread. */
static inline float srnn_lv2_smoothing_coefficient(double rate)
{
    return 1.0f - expf(-1.0f / (SRNN_LV2_SMOOTHING_SECONDS * (float)rate));
}

/* One step of the one-pole towards target. */
static inline float srnn_lv2_smooth(float current, float target, float coefficient)
{
    return current + coefficient * (target - current);
}

static inline float srnn_lv2_db_to_gain(float db) { return powf(10.0f, db / 20.0f); }

#endif
