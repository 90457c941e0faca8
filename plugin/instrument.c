/* The MIDI instrument's part of the plugin (instrument.h).
 *
 * Each of the model's SRNN_LV2_INSTRUMENT_VOICES voices plays one note at a time. A note-on
 * takes an idle voice, or else steals the one released longest ago, or else the oldest held
 * one, and starts it afresh from the note's seed (the model's primer, live/primer.h); its
 * envelope rises over the attack time from when the voice begins to sound. A stolen voice's
 * sound first fades out over SRNN_LV2_STEAL_SECONDS. A note-off releases it over the release
 * time; at the end it is silent and stops. The sounding voices step together, one group of the
 * engine (live/voices.h): eight cost little more than one, and a stopped voice nothing. A note
 * struck while others sound begins with them at the group's next big frame (4 ms at most for
 * the shipped model) and, resampled, as far behind the group's newest samples as they play
 * (about 3 ms more); a note struck in silence begins at once. run() (plugin.c) splits its
 * chunks at the MIDI events' times, so every note starts and ends at its own sample whatever
 * the host's block size.
 *
 * A new model does not crossfade with the old under the notes, which would play every voice
 * twice: the old model's voices fade out over the crossfade's time, then the new model starts
 * the held notes again from their seeds with the attack, all together, and drops the released
 * ones. */
#include <math.h>
#include <string.h>

#include <lv2/atom/util.h>
#include <lv2/midi/midi.h>

#include "crossfade.h"
#include "plugin.h"

enum { MOD_WHEEL = 1, ALL_SOUND_OFF = 120, ALL_NOTES_OFF = 123 };

void instrument_init(srnn_plugin *self)
{
    self->instrument.midi_event = self->map->map(self->map->handle, LV2_MIDI__MidiEvent);
    ui_feed_show_voices(&self->feed, self->instrument.shown, SRNN_LV2_INSTRUMENT_VOICES);
    instrument_reset(self);
}

void instrument_reset(srnn_plugin *self)
{
    srnn_instrument *ins = &self->instrument;
    for (int k = 0; k < SRNN_LV2_INSTRUMENT_VOICES; k++) {
        ins->voice[k].note = SRNN_LV2_NO_NOTE;
        ins->voice[k].held = ins->voice[k].stealing = false;
        live_envelope_stop(&ins->voice[k].envelope);
    }
    memset(ins->strikes, 0, sizeof ins->strikes);
    ins->note_ons = 0;
    ins->mod_wheel = 0;
    ins->cc_temperature = NAN;
    ins->knob = NAN;
    ins->next = NULL;
}

void instrument_restart_voices(srnn_plugin *self, live_voices *p)
{
    for (uint32_t k = 0; k < SRNN_LV2_INSTRUMENT_VOICES; k++) live_voices_stop(p, k);
    for (uint32_t k = 0; k < SRNN_LV2_INSTRUMENT_VOICES; k++)
        if (live_envelope_active(&self->instrument.voice[k].envelope))
            live_voices_restart(p, k, self->instrument.voice[k].seed);
}

/* A port's value in seconds, as host samples. */
static float port_samples(const srnn_plugin *self, const float *port, float low, float high,
                          float fallback)
{
    float seconds = isnan(*port) ? fallback : *port < low ? low : *port > high ? high : *port;
    return seconds * (float)self->rate;
}

static float attack_samples(const srnn_plugin *self)
{
    return port_samples(self, self->instrument.attack, SRNN_LV2_ATTACK_MIN,
                        SRNN_LV2_ATTACK_MAX, SRNN_LV2_ATTACK_DEFAULT);
}

void instrument_take_over(srnn_plugin *self)
{
    for (uint32_t k = 0; k < SRNN_LV2_INSTRUMENT_VOICES; k++) {
        instrument_voice *v = &self->instrument.voice[k];
        live_envelope_stop(&v->envelope);
        if (v->stealing) v->level = v->next_level;
        v->stealing = false;
        if (v->held) live_envelope_gate(&v->envelope, 0, attack_samples(self));
        else v->note = SRNN_LV2_NO_NOTE;
    }
    /* every voice of the new model stops but the held notes', which begin together at once */
    if (self->current) instrument_restart_voices(self, self->current);
}

/* An idle voice, else the one released longest ago, else the oldest held one. */
static uint32_t free_voice(const srnn_instrument *ins)
{
    uint32_t best = 0;
    int best_rank = 3;
    for (uint32_t k = 0; k < SRNN_LV2_INSTRUMENT_VOICES; k++) {
        const instrument_voice *v = &ins->voice[k];
        int rank = v->held ? 2 : live_envelope_active(&v->envelope) ? 1 : 0;
        if (rank < best_rank || (rank == best_rank && v->started < ins->voice[best].started)) {
            best = k;
            best_rank = rank;
        }
    }
    return best;
}

/* Starts voice k's note (its seed set) at level, from the attack. */
static void start_note(srnn_plugin *self, uint32_t k, float level)
{
    instrument_voice *v = &self->instrument.voice[k];
    v->level = level;
    v->stealing = false;
    live_voices *playing = self->fade_active ? self->fading : self->current;
    uint32_t silent = playing ? live_voices_restart(playing, k, v->seed) : 0;
    live_envelope_stop(&v->envelope);
    live_envelope_gate(&v->envelope, silent, attack_samples(self));
}

static void note_on(srnn_plugin *self, uint8_t note, uint8_t velocity)
{
    srnn_instrument *ins = &self->instrument;
    uint32_t k = free_voice(ins);
    instrument_voice *v = &ins->voice[k];
    v->note = note;
    v->held = true;
    v->seed = SRNN_LV2_NOTE_SEED(self->reseeds, note, ins->strikes[note]++);
    v->started = ins->note_ons++;
    float level = (float)velocity / 127.0f;
    if (!live_envelope_active(&v->envelope)) {
        start_note(self, k, level);
        return;
    }
    /* stolen: its sound fades out first; instrument_render starts the note at the end */
    v->stealing = true;
    v->next_level = level;
    live_envelope_release(&v->envelope, SRNN_LV2_STEAL_SECONDS * (float)self->rate);
}

static void release(srnn_plugin *self, int note)
{
    srnn_instrument *ins = &self->instrument;
    float samples = port_samples(self, ins->release, SRNN_LV2_RELEASE_MIN, SRNN_LV2_RELEASE_MAX,
                                 SRNN_LV2_RELEASE_DEFAULT);
    for (uint32_t k = 0; k < SRNN_LV2_INSTRUMENT_VOICES; k++) {
        instrument_voice *v = &ins->voice[k];
        if (!v->held || (note != SRNN_LV2_NO_NOTE && v->note != note)) continue;
        v->held = false;
        if (v->stealing) v->stealing = false; /* released before it started: never starts */
        else live_envelope_release(&v->envelope, samples);
    }
}

static void controller(srnn_plugin *self, uint8_t number, uint8_t value)
{
    srnn_instrument *ins = &self->instrument;
    float chosen = isnan(*ins->temperature_cc) ? SRNN_LV2_TEMPERATURE_CC_DEFAULT
                                               : roundf(*ins->temperature_cc);
    if (number == MOD_WHEEL) {
        ins->mod_wheel = value;
    } else if ((float)number == chosen) {
        ins->cc_temperature = srnn_lv2_controller_temperature(value);
    } else if (number == ALL_NOTES_OFF) {
        release(self, SRNN_LV2_NO_NOTE);
    } else if (number == ALL_SOUND_OFF) {
        for (uint32_t k = 0; k < SRNN_LV2_INSTRUMENT_VOICES; k++) {
            ins->voice[k].held = ins->voice[k].stealing = false;
            live_envelope_stop(&ins->voice[k].envelope);
        }
    }
}

static void play(srnn_plugin *self, const LV2_Atom_Event *event)
{
    const uint8_t *message = LV2_ATOM_BODY_CONST(&event->body);
    if (event->body.size < 3) return; /* the messages played all have two data bytes */
    uint8_t data1 = message[1] & 0x7f, data2 = message[2] & 0x7f;
    switch (lv2_midi_message_type(message)) {
    case LV2_MIDI_MSG_NOTE_ON:
        if (data2 > 0) note_on(self, data1, data2);
        else release(self, data1);
        break;
    case LV2_MIDI_MSG_NOTE_OFF: release(self, data1); break;
    case LV2_MIDI_MSG_CONTROLLER: controller(self, data1, data2); break;
    default: break;
    }
}

/* The first MIDI event from e on, or NULL. */
static const LV2_Atom_Event *midi_from(const srnn_plugin *self, const LV2_Atom_Event *e)
{
    for (; !lv2_atom_sequence_is_end(&self->control->body, self->control->atom.size, e);
         e = lv2_atom_sequence_next(e))
        if (e->body.type == self->instrument.midi_event) return e;
    return NULL;
}

void instrument_begin_run(srnn_plugin *self, float knob)
{
    srnn_instrument *ins = &self->instrument;
    if (knob != ins->knob) { /* the knob moved: it sets the temperature again */
        ins->knob = knob;
        ins->cc_temperature = NAN;
    }
    self->instrument.next = midi_from(self, lv2_atom_sequence_begin(&self->control->body));
}

void instrument_events_until(srnn_plugin *self, uint32_t frame)
{
    srnn_instrument *ins = &self->instrument;
    while (ins->next && ins->next->time.frames <= (int64_t)frame) {
        play(self, ins->next);
        ins->next = midi_from(self, lv2_atom_sequence_next(ins->next));
    }
}

uint32_t instrument_until_next_event(const srnn_plugin *self, uint32_t frame, uint32_t limit)
{
    const LV2_Atom_Event *next = self->instrument.next;
    if (next && next->time.frames > (int64_t)frame && next->time.frames - frame < limit)
        limit = (uint32_t)(next->time.frames - frame);
    for (uint32_t k = 0; k < SRNN_LV2_INSTRUMENT_VOICES; k++) {
        const instrument_voice *v = &self->instrument.voice[k];
        if (v->stealing && v->envelope.remaining < limit) limit = v->envelope.remaining;
    }
    return limit;
}

float instrument_temperature(const srnn_plugin *self)
{
    const srnn_instrument *ins = &self->instrument;
    float base = isnan(ins->cc_temperature) ? ins->knob : ins->cc_temperature;
    return srnn_lv2_wheel_temperature(base, ins->mod_wheel);
}

void instrument_render(srnn_plugin *self, float *out, uint32_t count, float temperature)
{
    srnn_instrument *ins = &self->instrument;
    memset(out, 0, count * sizeof *out);
    /* The one place the instrument steps its voices: the sounding ones together, the others
     * stopped. During a model's crossfade the old model plays the notes, fading out
     * (instrument_take_over). */
    live_voices *playing = self->fade_active ? self->fading : self->current;
    float *voices[SRNN_LV2_INSTRUMENT_VOICES] = {0};
    for (uint32_t k = 0; k < SRNN_LV2_INSTRUMENT_VOICES; k++) {
        if (live_envelope_active(&ins->voice[k].envelope)) voices[k] = ins->voice_buffer[k];
        else if (playing) live_voices_stop(playing, k);
    }
    if (playing) live_voices_render(playing, temperature, voices, count);
    for (uint32_t k = 0; k < SRNN_LV2_INSTRUMENT_VOICES; k++) {
        instrument_voice *v = &ins->voice[k];
        float *voice = voices[k];
        if (!voice) continue;
        if (!playing) memset(voice, 0, count * sizeof *voice);
        if (self->fade_active)
            live_fade_out(voice, self->fade_position, self->crossfade_length, count);
        live_envelope_apply_add(&v->envelope, voice, v->level, out, count);
        if (v->stealing && !live_envelope_active(&v->envelope))
            start_note(self, k, v->next_level); /* at its sample: chunks end there */
        if (!live_envelope_active(&v->envelope)) v->note = SRNN_LV2_NO_NOTE;
    }
    for (uint32_t k = 0; k < SRNN_LV2_INSTRUMENT_VOICES; k++) {
        const instrument_voice *v = &ins->voice[k];
        ins->shown[SRNN_LV2_VOICE_VALUES * k] = (float)v->note;
        ins->shown[SRNN_LV2_VOICE_VALUES * k + 1] = v->envelope.level * v->level;
    }
}
