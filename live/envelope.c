/* A voice's attack/release envelope (envelope.h). */
#include "envelope.h"

/* The attack from the envelope's level. */
static void attack(live_envelope *e, float attack_samples)
{
    if (attack_samples < 1.0f) {
        e->stage = ENVELOPE_HOLD;
        e->level = 1.0f;
        return;
    }
    e->stage = ENVELOPE_ATTACK;
    e->remaining = (uint32_t)attack_samples;
    e->step = (1.0f - e->level) / (float)e->remaining;
}

void live_envelope_gate(live_envelope *e, uint32_t delay_samples, float attack_samples)
{
    if (delay_samples == 0) {
        attack(e, attack_samples);
        return;
    }
    e->stage = ENVELOPE_DELAY;
    e->level = 0.0f;
    e->remaining = delay_samples;
    e->attack = attack_samples;
}

void live_envelope_release(live_envelope *e, float release_samples)
{
    if (e->stage == ENVELOPE_IDLE) return;
    if (release_samples < 1.0f || e->stage == ENVELOPE_DELAY) {
        live_envelope_stop(e);
        return;
    }
    e->stage = ENVELOPE_RELEASE;
    e->remaining = (uint32_t)release_samples;
    e->step = e->level / (float)e->remaining;
}

void live_envelope_stop(live_envelope *e)
{
    e->stage = ENVELOPE_IDLE;
    e->level = 0.0f;
}

void live_envelope_apply_add(live_envelope *e, const float *in, float gain, float *out,
                             uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        switch (e->stage) {
        case ENVELOPE_DELAY:
            if (--e->remaining > 0) break;
            attack(e, e->attack); /* from the next sample: this one is still silent */
            continue;
        case ENVELOPE_ATTACK:
            e->level = 1.0f - e->step * (float)--e->remaining; /* no error accumulates */
            if (e->remaining == 0) {
                e->level = 1.0f;
                e->stage = ENVELOPE_HOLD;
            }
            break;
        case ENVELOPE_RELEASE:
            e->level = e->step * (float)--e->remaining;
            if (e->remaining == 0) live_envelope_stop(e);
            break;
        case ENVELOPE_HOLD:
        case ENVELOPE_IDLE: break;
        }
        out[i] += in[i] * gain * e->level;
    }
}
