/* The player's audio callback and the control side of its handoffs (see player.h). */
#include "player.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crossfade.h"
#include "denormals.h"

#define FADE_SECONDS 0.02      /* pause, resume, reseed: short, but no click */

static uint32_t float_bits(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

static float bits_float(uint32_t bits) {
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

int player_init(player *p, uint32_t rate, int channels, float temperature,
                double record_seconds) {
    memset(p, 0, sizeof *p);
    p->rate = rate;
    p->channels = channels;
    p->fade_frames = (uint32_t)ceil(FADE_SECONDS * rate);
    p->crossfade_frames = (uint32_t)ceil(PLAYER_CROSSFADE_SECONDS * rate);
    live_limiter_init(&p->limiter, rate);
    atomic_init(&p->pending, NULL);
    atomic_init(&p->retired, NULL);
    atomic_init(&p->temperature_bits, float_bits(temperature));
    atomic_init(&p->playing_tag, -1);
    return player_ring_init(&p->record_ring, (size_t)ceil(record_seconds * rate));
}

void player_destroy(player *p) {
    player_slot_free(p->current);
    player_slot_free(p->incoming);
    player_slot_free(atomic_exchange(&p->pending, NULL));
    player_slot_free(atomic_exchange(&p->retired, NULL));
    p->current = p->incoming = NULL;
    player_ring_destroy(&p->record_ring);
}

/* ---- control side ---- */

player_slot *player_submit(player *p, player_slot *slot) {
    return atomic_exchange_explicit(&p->pending, slot, memory_order_acq_rel);
}

player_slot *player_take_retired(player *p) {
    return atomic_exchange_explicit(&p->retired, NULL, memory_order_acq_rel);
}

void player_set_temperature(player *p, float temperature) {
    atomic_store_explicit(&p->temperature_bits, float_bits(temperature), memory_order_relaxed);
}

float player_temperature(player *p) {
    return bits_float(atomic_load_explicit(&p->temperature_bits, memory_order_relaxed));
}

void player_set_paused(player *p, int paused) { atomic_store(&p->paused, paused); }

void player_reseed(player *p, uint64_t seed) {
    atomic_store_explicit(&p->reseed_seed, seed, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->reseed_requests, 1, memory_order_release);
}

void player_set_recording(player *p, int on) { atomic_store(&p->record_wanted, on); }

int player_recording_seen(player *p) { return atomic_load(&p->recording_seen); }

/* ---- the callback ---- */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Takes a pending slot when the handoff rules allow (see player.h). */
static void accept_pending(player *p) {
    if (p->incoming || atomic_load_explicit(&p->retired, memory_order_acquire)) return;
    if (!atomic_load_explicit(&p->pending, memory_order_relaxed)) return;
    player_slot *slot = atomic_exchange_explicit(&p->pending, NULL, memory_order_acq_rel);
    if (!slot) return;
    if (p->current) {
        p->incoming = slot;
        p->crossfade_position = 0;
    } else {
        p->current = slot; /* the first: the level fades it in from silence */
    }
    atomic_store_explicit(&p->playing_tag, slot->tag, memory_order_relaxed);
}

static void finish_crossfade(player *p) {
    atomic_store_explicit(&p->retired, p->current, memory_order_release);
    p->current = p->incoming;
    p->incoming = NULL;
}

/* Mixes the incoming slot into p->current_out[0..n) along the crossfade, and takes over the
 * rest of the chunk when the crossfade ends in it. */
static void crossfade_chunk(player *p, size_t n, float temperature) {
    player_slot_render(p->incoming, temperature, p->incoming_out, n);
    size_t left = p->crossfade_frames - p->crossfade_position;
    size_t fading = n < left ? n : left;
    live_crossfade(p->current_out, p->incoming_out, p->current_out, p->crossfade_position,
                   p->crossfade_frames, (uint32_t)fading);
    for (size_t i = fading; i < n; i++) p->current_out[i] = p->incoming_out[i];
    p->crossfade_position += (uint32_t)fading;
    if (p->crossfade_position == p->crossfade_frames) finish_crossfade(p);
}

/* Renders n <= PLAYER_CHUNK mono frames into p->mono. A reseed is wanted while reseeds (the
 * requests made) differs from p->reseeds_done; it is served once, with the newest seed. */
static void render_chunk(player *p, size_t n, float temperature, int paused, unsigned reseeds,
                         uint64_t seed) {
    int reseed_wanted = reseeds != p->reseeds_done;
    float target = paused || reseed_wanted ? 0.0f : 1.0f;
    if (p->level == 0.0f && target == 0.0f) {
        /* Silent: swap and reseed without a fade, and leave the engine idle. */
        if (p->incoming) finish_crossfade(p);
        if (reseed_wanted && p->current) player_slot_reseed(p->current, seed);
        p->reseeds_done = reseeds;
        live_limiter_reset(&p->limiter);
        memset(p->mono, 0, n * sizeof *p->mono);
        return;
    }
    if (p->current) player_slot_render(p->current, temperature, p->current_out, n);
    else memset(p->current_out, 0, n * sizeof *p->current_out);
    if (p->incoming) crossfade_chunk(p, n, temperature);

    float step = 1.0f / (float)p->fade_frames;
    for (size_t i = 0; i < n; i++) {
        if (p->level < target) p->level = fminf(target, p->level + step);
        else if (p->level > target) p->level = fmaxf(target, p->level - step);
        p->mono[i] = p->current_out[i] * p->level;
    }
    /* the resampler's ripple and the crossfade's sum may pass full scale */
    float *mono = p->mono;
    live_limiter_process(&p->limiter, &mono, 1, (uint32_t)n);
}

/* The largest of a stored maximum and value, without a lock. */
static void store_max(_Atomic uint64_t *maximum, uint64_t value) {
    uint64_t seen = atomic_load_explicit(maximum, memory_order_relaxed);
    while (value > seen &&
           !atomic_compare_exchange_weak_explicit(maximum, &seen, value, memory_order_relaxed,
                                                  memory_order_relaxed)) {
    }
}

int player_callback(const void *input, void *output, unsigned long frames,
                    const PaStreamCallbackTimeInfo *time, PaStreamCallbackFlags flags,
                    void *user) {
    (void)input;
    (void)time;
    player *p = user;
    uint64_t start = now_ns();
    srnn_fp_mode saved_fp_mode = srnn_flush_denormals();
    if (flags & paOutputUnderflow) atomic_fetch_add_explicit(&p->xruns, 1, memory_order_relaxed);

    accept_pending(p);
    float temperature = player_temperature(p);
    int paused = atomic_load_explicit(&p->paused, memory_order_relaxed);
    unsigned reseeds = atomic_load_explicit(&p->reseed_requests, memory_order_acquire);
    uint64_t seed = atomic_load_explicit(&p->reseed_seed, memory_order_relaxed);
    int recording = atomic_load_explicit(&p->record_wanted, memory_order_relaxed);

    float *out = output;
    for (unsigned long done = 0; done < frames;) {
        size_t n = frames - done < PLAYER_CHUNK ? (size_t)(frames - done) : PLAYER_CHUNK;
        render_chunk(p, n, temperature, paused, reseeds, seed);
        for (size_t i = 0; i < n; i++)
            for (int c = 0; c < p->channels; c++) out[(done + i) * p->channels + c] = p->mono[i];
        if (recording) {
            size_t kept = player_ring_write(&p->record_ring, p->mono, n);
            if (kept < n)
                atomic_fetch_add_explicit(&p->record_dropped, n - kept, memory_order_relaxed);
        }
        done += n;
    }
    atomic_store_explicit(&p->recording_seen, recording, memory_order_release);

    srnn_restore_fp_mode(saved_fp_mode);
    uint64_t busy = now_ns() - start;
    atomic_fetch_add_explicit(&p->frames, frames, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->callbacks, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->busy_ns, busy, memory_order_relaxed);
    if (frames > 0) store_max(&p->peak_load_ppm, busy * p->rate / 1000u / frames);
    return paContinue;
}
