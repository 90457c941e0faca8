/* A playable model (player_slot.h): one voice of live/voices.h at the device's rate. */
#include "player_slot.h"

#include <stdio.h>
#include <stdlib.h>

player_slot *player_slot_create(const char *path, const player_engine *engine,
                                uint32_t device_rate, uint64_t seed, int tag, float temperature,
                                char error[PLAYER_SLOT_ERROR_MAX]) {
    static const player_engine defaults = {{0}, 1};
    if (!engine) engine = &defaults;
    player_slot *slot = calloc(1, sizeof *slot);
    if (!slot) {
        snprintf(error, PLAYER_SLOT_ERROR_MAX, "%s: out of memory", path);
        return NULL;
    }
    slot->tag = tag;
    live_options options = {
        .host_rate = device_rate,
        .voices = 1,
        .load = engine->load,
        .threads = engine->threads,
        .speed_seconds = PLAYER_SPEED_SECONDS,
        .smoothing_seconds = PLAYER_SMOOTHING_SECONDS,
        .lead_in_seconds = PLAYER_CROSSFADE_SECONDS,
    };
    if (live_voices_create(path, &options, &seed, temperature, &slot->voices, error) != 0) {
        free(slot);
        return NULL;
    }
    slot->model = live_voices_model(slot->voices);
    slot->realtime_factor = live_voices_realtime_factor(slot->voices);
    return slot;
}

void player_slot_free(player_slot *slot) {
    if (!slot) return;
    live_voices_free(slot->voices);
    free(slot);
}

void player_slot_render(player_slot *slot, float temperature, float *out, size_t count) {
    live_voices_render(slot->voices, temperature, &out, (uint32_t)count);
}

void player_slot_reseed(player_slot *slot, uint64_t seed) {
    live_voices_restart_all(slot->voices, &seed);
}
