/* The plugin's behaviour in numbers: what srnn.ttl declares and what the test host checks.
 * Port ranges here must match ttl/srnn.ttl (the test host compares them through lilv). */
#ifndef SRNN_LV2_PARAMS_H
#define SRNN_LV2_PARAMS_H

#include <math.h>
#include <stdint.h>

#include "srnn.h"

#define SRNN_LV2_URI "urn:srnn:lv2:mono"
#define SRNN_LV2_STEREO_URI "urn:srnn:lv2:stereo"
#define SRNN_LV2_MODEL_URI "urn:srnn:lv2:model" /* patch:writable, atom:Path */
#define SRNN_LV2_ERROR_URI "urn:srnn:lv2:error" /* patch:readable, atom:String */
/* patch:readable, atom:String: the newest model's real-time factor here and, when it cannot
 * play live, what would help */
#define SRNN_LV2_SPEED_URI "urn:srnn:lv2:speed"

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
};

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
