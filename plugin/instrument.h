/* The MIDI instrument's part of the plugin (instrument.c): MIDI notes on the control port gate
 * the model's voices (live/voices.h) with an attack/release envelope (live/envelope.h),
 * velocity sets a note's level, the mod wheel and a chosen controller move the temperature.
 * The rest (models through the worker, crossfades between them, state, the limiter, gain, the
 * GUI's feed) is the generator's, in plugin.c, worker.c and state.c. */
#ifndef SRNN_LV2_INSTRUMENT_H
#define SRNN_LV2_INSTRUMENT_H

#include <stdbool.h>
#include <stdint.h>

#include <lv2/atom/atom.h>
#include <lv2/urid/urid.h>

#include "envelope.h"
#include "params.h"
#include "ui_feed.h"

#define SRNN_LV2_NO_NOTE (-1)

typedef struct {
    int note;   /* the MIDI note it plays, SRNN_LV2_NO_NOTE when idle */
    bool held;  /* its key is down */
    float level; /* velocity / 127 */
    bool stealing;    /* the voice's old sound fades out; then its note starts at next_level */
    float next_level;
    uint64_t seed;
    uint32_t started; /* when its note began, in note-ons: the oldest is stolen first */
    live_envelope envelope;
} instrument_voice;

typedef struct {
    LV2_URID midi_event;
    const float *attack, *release, *temperature_cc; /* ports */
    instrument_voice voice[SRNN_LV2_INSTRUMENT_VOICES];
    uint32_t strikes[128]; /* of each note since activation: its next seed */
    uint32_t note_ons;
    uint8_t mod_wheel;      /* 0 to 127 */
    float cc_temperature;   /* the chosen controller's temperature; NAN until it moves */
    float knob;             /* the temperature knob's value when last read */
    const LV2_Atom_Event *next; /* the next MIDI event of this run, NULL after the last */
    float voice_buffer[SRNN_LV2_INSTRUMENT_VOICES][SRNN_LV2_CHUNK];
    /* for the GUI (plugin/ui_feed.h): per voice its note (-1 idle) and level, after a chunk */
    float shown[SRNN_LV2_VOICE_VALUES * SRNN_LV2_INSTRUMENT_VOICES];
} srnn_instrument;

#endif
