/* A slot resamples with libsamplerate in callback mode: src_callback_read pulls model-rate
 * samples from supply() as it needs them, so a callback asks for exactly the device frames it
 * owes. Everything libsamplerate needs is allocated by src_callback_new, before playing. */
#include "player_slot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Band-limited sinc interpolation (97 dB SNR over 90% of the band), far cheaper per sample
 * than the engine. */
#define PLAYER_RESAMPLER SRC_SINC_MEDIUM_QUALITY

/* libsamplerate's supply callback: the next block of model-rate samples, primed ones first. */
static long supply(void *user, float **data) {
    player_slot *slot = user;
    slot->supplied += PLAYER_SLOT_BLOCK;
    if (slot->primed_read < slot->primed_count) {
        *data = slot->primed + slot->primed_read;
        slot->primed_read += PLAYER_SLOT_BLOCK;
        return PLAYER_SLOT_BLOCK;
    }
    srnn_voice_generate(slot->voice, slot->temperature, slot->block, NULL, PLAYER_SLOT_BLOCK);
    *data = slot->block;
    return PLAYER_SLOT_BLOCK;
}

/* Measures how many samples the resampler reads before its first output frame (it looks
 * ahead by half its filter), then starts again from seed with those and the crossfade's
 * generated at temperature, in whole blocks as supply() hands them out. 0, or -1 when out of
 * memory. */
static int prime(player_slot *slot, uint64_t seed, float temperature) {
    size_t ahead = 0;
    if (slot->resampler) {
        float frame;
        slot->temperature = temperature;
        src_callback_read(slot->resampler, slot->ratio, 1, &frame);
        ahead = slot->supplied;
        player_slot_reseed(slot, seed);
    }
    size_t model_rate = srnn_model_config(slot->model)->sample_rate;
    size_t crossfade = (size_t)ceil(PLAYER_CROSSFADE_SECONDS * (double)model_rate);
    size_t blocks = (ahead + crossfade + PLAYER_SLOT_BLOCK - 1) / PLAYER_SLOT_BLOCK;
    size_t count = blocks * PLAYER_SLOT_BLOCK;
    slot->primed = malloc(count * sizeof *slot->primed);
    if (!slot->primed) return -1;
    srnn_voice_generate(slot->voice, temperature, slot->primed, NULL, count);
    slot->primed_count = count;
    return 0;
}

/* Plays two big frames and starts again from silence with seed: every page the callback will
 * touch (the voice's state, the resampler's, the weights) is faulted in here, on the control
 * thread. A page fault on the audio thread could wait for the memory map's lock, which this
 * thread takes whenever it maps or unmaps a model. */
static void warm_up(player_slot *slot, uint64_t seed) {
    float scratch[256];
    size_t frames = (size_t)(2.0 * srnn_model_config(slot->model)->big_frame_size * slot->ratio);
    for (size_t done = 0; done < frames; done += 256)
        player_slot_render(slot, 1.0f, scratch, frames - done < 256 ? frames - done : 256);
    player_slot_reseed(slot, seed);
}

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
    char load_error[SRNN_ERROR_MAX] = "";
    srnn_status status = srnn_model_load_with(path, &engine->load, &slot->model, load_error);
    if (status != SRNN_OK) {
        snprintf(error, PLAYER_SLOT_ERROR_MAX, "%s: %s", path,
                 load_error[0] ? load_error : srnn_status_string(status));
        goto fail;
    }
    double rate;
    status = srnn_model_measure_speed(slot->model, engine->threads, PLAYER_SPEED_SECONDS, &rate);
    if (status == SRNN_OK) {
        slot->realtime_factor = rate / srnn_model_config(slot->model)->sample_rate;
        status = srnn_voice_create_threads(slot->model, seed, engine->threads, &slot->voice);
    }
    if (status != SRNN_OK) {
        snprintf(error, PLAYER_SLOT_ERROR_MAX, "%s: cannot create a voice: %s", path,
                 srnn_status_string(status));
        goto fail;
    }
    uint32_t model_rate = srnn_model_config(slot->model)->sample_rate;
    slot->ratio = (double)device_rate / model_rate;
    if (model_rate != device_rate) {
        if (!src_is_valid_ratio(slot->ratio)) {
            snprintf(error, PLAYER_SLOT_ERROR_MAX,
                     "%s: cannot resample its %u Hz to the device's %u Hz (a ratio beyond 256)",
                     path, model_rate, device_rate);
            goto fail;
        }
        int src_error = 0;
        slot->resampler = src_callback_new(supply, PLAYER_RESAMPLER, 1, &src_error, slot);
        if (!slot->resampler) {
            snprintf(error, PLAYER_SLOT_ERROR_MAX, "%s: cannot create a resampler: %s", path,
                     src_strerror(src_error));
            goto fail;
        }
    }
    warm_up(slot, seed);
    if (prime(slot, seed, temperature) != 0) {
        snprintf(error, PLAYER_SLOT_ERROR_MAX, "%s: out of memory", path);
        goto fail;
    }
    return slot;
fail:
    player_slot_free(slot);
    return NULL;
}

void player_slot_free(player_slot *slot) {
    if (!slot) return;
    if (slot->resampler) src_delete(slot->resampler);
    free(slot->primed);
    srnn_voice_free(slot->voice);
    srnn_model_free(slot->model);
    free(slot);
}

void player_slot_render(player_slot *slot, float temperature, float *out, size_t count) {
    if (!slot->resampler) {
        size_t primed = slot->primed_count - slot->primed_read;
        if (primed > count) primed = count;
        if (primed) memcpy(out, slot->primed + slot->primed_read, primed * sizeof *out);
        slot->primed_read += primed;
        srnn_voice_generate(slot->voice, temperature, out + primed, NULL, count - primed);
        return;
    }
    slot->temperature = temperature;
    long got = src_callback_read(slot->resampler, slot->ratio, (long)count, out);
    if (got < 0) got = 0; /* cannot happen with a valid state; silence rather than garbage */
    memset(out + got, 0, (count - (size_t)got) * sizeof *out);
}

void player_slot_reseed(player_slot *slot, uint64_t seed) {
    srnn_voice_reset(slot->voice, seed);
    if (slot->resampler) src_reset(slot->resampler);
    slot->primed_read = slot->primed_count; /* what was primed belonged to the old seed */
    slot->supplied = 0;
}
