/* The continuation effect's part of the plugin (continuation.h).
 *
 * Its one voice (live/voices.h with listening voices, live/listener.h) takes the input at the
 * host's rate and renders the wet signal: silence while it listens, the continuation after.
 * run() (plugin.c) renders it as the mono generator renders its voice, crossfading models,
 * limiting and applying the gain; around that, this part keeps the dry input and mixes:
 * out = (1 - mix) dry + mix wet, the mix smoothed as the gain is. During a model's crossfade
 * both models listen; the new one starts at the input's next phrase. */
#include <math.h>
#include <string.h>

#include "plugin.h"

void continuation_reset(srnn_plugin *self) { self->continuation.mix_smoothed = NAN; }

/* The models that play this chunk: the current one and, during a crossfade, the old one. */
static uint32_t playing(const srnn_plugin *self, live_voices *models[2])
{
    uint32_t count = 0;
    if (self->current) models[count++] = self->current;
    if (self->fade_active && self->fading) models[count++] = self->fading;
    return count;
}

void continuation_trigger(srnn_plugin *self)
{
    live_voices *models[2];
    for (uint32_t m = 0, n = playing(self, models); m < n; m++) live_voices_trigger(models[m], 0);
}

void continuation_listen(srnn_plugin *self, uint32_t offset, uint32_t count)
{
    srnn_continuation *c = &self->continuation;
    memcpy(c->dry, c->in + offset, count * sizeof *c->dry);
    live_voices *models[2];
    for (uint32_t m = 0, n = playing(self, models); m < n; m++) {
        live_voices_set_gate(models[m], 0, *c->threshold, *c->hold);
        live_voices_listen(models[m], 0, c->dry, count);
    }
}

void continuation_mix(srnn_plugin *self, uint32_t offset, uint32_t count)
{
    srnn_continuation *c = &self->continuation;
    float target = isnan(*c->mix) ? SRNN_LV2_MIX_DEFAULT : fminf(fmaxf(*c->mix, 0.0f), 1.0f);
    if (isnan(c->mix_smoothed)) c->mix_smoothed = target;
    float *out = self->out[0] + offset;
    for (uint32_t i = 0; i < count; i++) {
        c->mix_smoothed = srnn_lv2_smooth(c->mix_smoothed, target, self->gain_coefficient);
        out[i] = (1.0f - c->mix_smoothed) * c->dry[i] + c->mix_smoothed * out[i];
    }
    float *const shown[2] = {out, c->dry};
    ui_feed_run(&self->feed, &self->forge, shown, 2, offset, count);
}
