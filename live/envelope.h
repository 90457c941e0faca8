/* A voice's attack/release envelope, for the instruments whose notes gate voices (the MIDI
 * instrument): a note-on rises linearly from where the envelope is to 1 over the attack time
 * (from 0 when its voice begins to sound, which may be a few milliseconds later),
 * holds, and a note-off falls linearly from where it is to exactly 0 over the release time, so
 * that a released voice is silent, and can stop generating, at a known sample. Times are in
 * host samples. Constant cost per sample, no allocation: real-time safe. */
#ifndef SRNN_LIVE_ENVELOPE_H
#define SRNN_LIVE_ENVELOPE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    ENVELOPE_IDLE,
    ENVELOPE_DELAY, /* gated, silent until its voice begins to sound */
    ENVELOPE_ATTACK,
    ENVELOPE_HOLD,
    ENVELOPE_RELEASE
} envelope_stage;

typedef struct {
    envelope_stage stage;
    float level; /* 0 to 1 */
    float step;  /* per sample, in the attack or the release */
    uint32_t remaining; /* samples left of the delay, the attack or the release */
    float attack;       /* the attack's samples, after the delay */
} live_envelope;

/* Gates the envelope on: after delay_samples at 0 (a voice that begins to sound then), it
 * rises from its level to 1 in attack_samples (0: at once). */
void live_envelope_gate(live_envelope *e, uint32_t delay_samples, float attack_samples);
/* Releases it: it falls from its level to 0 in release_samples (0: at once); still in its
 * delay, it stops at once. */
void live_envelope_release(live_envelope *e, float release_samples);
/* Stops it at once (silent, idle). */
void live_envelope_stop(live_envelope *e);
/* Multiplies count samples of in by the envelope's next count values, times gain, and adds
 * them to out. */
void live_envelope_apply_add(live_envelope *e, const float *in, float gain, float *out,
                             uint32_t count);
/* Whether the envelope is anything but idle: the voice sounds, or will. */
static inline bool live_envelope_active(const live_envelope *e)
{
    return e->stage != ENVELOPE_IDLE;
}

#endif
