/* srnn play's audio callback (player_callback) keeps the real-time contract while it does what
 * the controls ask: model handoffs with crossfades, pause and reseed fades, recording into the
 * ring, temperature changes, xrun counting, at 48 kHz (resampled from 8, 16 and 22.05 kHz)
 * and at the model's own rate, in callbacks of 1 to 4096 frames.
 *
 * The interposer (tests/interposer.c) counts the calls made while a callback runs
 * to allocation, locks and waits, I/O and sleeping, in every library the process loads
 * (libsamplerate and libm as well as the player and the engine); a self-check proves it
 * catches a call made inside libsamplerate. The behaviour is checked against references made
 * independently: slots rendered alone, fresh voices with the reseeded seed. */
#include <math.h>
#include <samplerate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "golden.h"
#include "interposer.h"
#include "player.h"
#include "player_slot.h"

enum { RATE = 48000, CHANNELS = 2, MAX_BLOCK = 4096 };
static float out[MAX_BLOCK * CHANNELS];

/* One callback, armed, on the stereo output buffer. */
static void run_callback(player *p, size_t frames, PaStreamCallbackFlags flags) {
    interposer_arm();
    player_callback(NULL, out, frames, NULL, flags, p);
    interposer_disarm();
}

/* The mono signal of the last callback (channel 0), and whether every channel carries it. */
static int channels_agree(const player *p, size_t frames) {
    for (size_t i = 0; i < frames; i++)
        for (int c = 1; c < p->channels; c++)
            if (out[i * (size_t)p->channels + (size_t)c] != out[i * (size_t)p->channels]) return 0;
    return 1;
}

static double rms(const float *x, size_t n, size_t stride) {
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += (double)x[i * stride] * x[i * stride];
    return n ? sqrt(sum / (double)n) : 0.0;
}

static player_slot *make_slot(const char *path, uint32_t rate, uint64_t seed, int tag,
                              float temperature) {
    char error[PLAYER_SLOT_ERROR_MAX];
    player_slot *slot = player_slot_create(path, NULL, rate, seed, tag, temperature, error);
    if (!slot) printf("cannot make a slot: %s\n", error);
    return slot;
}

/* Plays frames in callbacks of the given sizes (cycled), armed; returns the mono signal's RMS
 * and checks the output is finite, in [-1, 1] and the same on every channel. */
static double play(player *p, size_t frames, const size_t *sizes, size_t num_sizes,
                   const char *what) {
    double sum = 0.0;
    size_t done = 0;
    for (size_t k = 0; done < frames; k++) {
        size_t n = sizes[k % num_sizes];
        if (n > frames - done) n = frames - done;
        run_callback(p, n, 0);
        for (size_t i = 0; i < n * (size_t)p->channels; i++) {
            if (!isfinite(out[i]) || fabsf(out[i]) > 1.0f) {
                CHECK(0, "%s: sample %g out of range", what, (double)out[i]);
                return 0.0;
            }
        }
        CHECK(channels_agree(p, n), "%s: channels differ", what);
        double r = rms(out, n, (size_t)p->channels);
        sum += r * r * (double)n;
        done += n;
    }
    return sqrt(sum / (double)frames);
}

static const size_t odd_sizes[] = {1, 37, 256, 1000, 4096, 64, 511};
static const size_t steady[] = {256};

/* Handoffs: the first slot fades in, a second crossfades over crossfade_frames, the first is
 * retired only after that, and a slot submitted while one waits is handed back. */
static void check_handoffs(player *p, const char *model_a, const char *model_b,
                           const char *model_c) {
    float t = player_temperature(p);
    player_slot *a = make_slot(model_a, RATE, 1, 10, t), *b = make_slot(model_b, RATE, 2, 11, t),
                *c = make_slot(model_c, RATE, 3, 12, t);
    if (!CHECK(a && b && c, "cannot make the slots")) {
        player_slot_free(a), player_slot_free(b), player_slot_free(c);
        return;
    }
    CHECK(player_submit(p, a) == NULL, "first submit returned a slot");
    double level = play(p, RATE / 2, odd_sizes, 7, "first slot");
    CHECK(level > 0.01, "first slot: silent (rms %g)", level);
    CHECK(atomic_load(&p->playing_tag) == 10, "playing tag %d, want 10",
          atomic_load(&p->playing_tag));

    CHECK(player_submit(p, b) == NULL, "second submit returned a slot");
    run_callback(p, 256, 0);
    CHECK(atomic_load(&p->playing_tag) == 11, "after handoff: tag %d, want 11",
          atomic_load(&p->playing_tag));
    CHECK(player_take_retired(p) == NULL, "retired before the crossfade ended");
    /* While b crossfades in, c waits; a newer submit hands c back unplayed. */
    CHECK(player_submit(p, c) == NULL, "third submit returned a slot");
    player_slot *d = make_slot(model_c, RATE, 4, 13, t);
    player_slot *returned = player_submit(p, d);
    CHECK(returned == c, "a waiting slot was not handed back");
    player_slot_free(returned);

    play(p, p->crossfade_frames, steady, 1, "crossfade");
    player_slot *retired = player_take_retired(p);
    CHECK(retired == a, "the first slot was not retired after the crossfade");
    player_slot_free(retired);
    /* d is taken only now that the retired pointer is empty again. */
    play(p, 256, steady, 1, "after crossfade");
    CHECK(atomic_load(&p->playing_tag) == 13, "tag %d, want 13 after the retired slot was taken",
          atomic_load(&p->playing_tag));
    play(p, p->crossfade_frames + 256, steady, 1, "second crossfade");
    retired = player_take_retired(p);
    CHECK(retired == b, "the second slot was not retired");
    player_slot_free(retired);
}

/* Pause fades to exact silence with the engine idle; resume fades back in. */
static void check_pause(player *p) {
    player_set_paused(p, 1);
    play(p, p->fade_frames + 512, steady, 1, "pausing");
    double silent = play(p, 4096, odd_sizes, 7, "paused");
    CHECK(silent == 0.0, "paused output not silent (rms %g)", silent);
    player_set_paused(p, 0);
    double resumed = play(p, RATE / 4, odd_sizes, 7, "resumed");
    CHECK(resumed > 0.01, "no sound after resume (rms %g)", resumed);
}

/* After a reseed the output is exactly a fresh voice with that seed, faded in by the player's
 * linear ramp and limited by a fresh limiter (the silent chunk of the reset resets the
 * player's). */
static void check_reseed(player *p, const char *model) {
    enum { SEED = 777 };
    player_reseed(p, SEED);
    size_t chunk = 256, total = 0;
    static float mono[RATE];
    size_t start = 0;
    int found = 0;
    /* Fade out, a silent chunk (the reset), then the fresh voice fades in. */
    while (total + chunk <= RATE) {
        run_callback(p, chunk, 0);
        for (size_t i = 0; i < chunk; i++) mono[total + i] = out[i * CHANNELS];
        total += chunk;
    }
    for (size_t i = 0; i + chunk <= total; i += chunk) {
        if (rms(mono + i, chunk, 1) == 0.0) {
            start = i + chunk; /* the chunk after the silent one starts the fresh voice */
            found = 1;
            break;
        }
    }
    CHECK(found, "reseed: no silent chunk where the voice restarts");
    if (!found) return;
    player_slot *fresh = make_slot(model, RATE, SEED, 0, player_temperature(p));
    if (!CHECK(fresh, "reseed: cannot make the reference slot")) return;
    static float reference[RATE];
    size_t n = total - start;
    for (size_t done = 0; done < n; done += chunk)
        player_slot_render(fresh, player_temperature(p), reference + done,
                           n - done < chunk ? n - done : chunk);
    player_slot_free(fresh);
    float level = 0.0f, step = 1.0f / (float)p->fade_frames;
    for (size_t i = 0; i < n; i++) {
        level = fminf(1.0f, level + step);
        reference[i] *= level;
    }
    live_limiter limiter;
    live_limiter_init(&limiter, p->rate);
    float *limited = reference;
    live_limiter_process(&limiter, &limited, 1, (uint32_t)n);
    double worst = 0.0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs((double)mono[start + i] - reference[i]));
    CHECK(n > p->fade_frames + 1000 && worst < 1e-6,
          "reseed: output differs from a fresh voice with the seed by %g", worst);
}

/* What the callback plays while recording is what the ring holds, sample for sample. */
static void check_recording(player *p) {
    player_set_recording(p, 1);
    static float played[8192], recorded[8192];
    size_t total = 0;
    for (size_t k = 0; total + odd_sizes[k % 7] <= 8192; k++) {
        size_t n = odd_sizes[k % 7];
        run_callback(p, n, 0);
        for (size_t i = 0; i < n; i++) played[total + i] = out[i * CHANNELS];
        total += n;
    }
    CHECK(player_recording_seen(p) == 1, "the callback did not acknowledge recording");
    player_set_recording(p, 0);
    run_callback(p, 256, 0);
    CHECK(player_recording_seen(p) == 0, "the callback did not acknowledge the stop");
    size_t got = player_ring_read(&p->record_ring, recorded, 8192);
    CHECK(got == total, "recorded %zu frames, played %zu", got, total);
    CHECK(memcmp(played, recorded, total * sizeof *played) == 0,
          "the recording is not what was played");
    CHECK(rms(recorded, got, 1) > 0.01, "the recording is silent");
    /* A full ring drops frames and counts them rather than waiting. */
    player_set_recording(p, 1);
    size_t capacity = p->record_ring.capacity;
    play(p, capacity + 1000, steady, 1, "overflowing the ring");
    player_set_recording(p, 0);
    run_callback(p, 256, 0);
    CHECK(atomic_load(&p->record_dropped) >= 1000, "dropped %llu frames, want >= 1000",
          (unsigned long long)atomic_load(&p->record_dropped));
    while (player_ring_read(&p->record_ring, recorded, 8192) > 0) {
    }
}

static void check_xruns_and_temperature(player *p) {
    uint64_t before = atomic_load(&p->xruns);
    run_callback(p, 256, paOutputUnderflow);
    run_callback(p, 256, 0);
    run_callback(p, 256, paOutputUnderflow | paPrimingOutput);
    CHECK(atomic_load(&p->xruns) - before == 2, "xruns counted %llu, want 2",
          (unsigned long long)(atomic_load(&p->xruns) - before));
    player_set_temperature(p, 0.3f);
    CHECK(player_temperature(p) == 0.3f, "temperature not stored");
    double cold = play(p, 4096, odd_sizes, 7, "temperature 0.3");
    player_set_temperature(p, 1.4f);
    double hot = play(p, 4096, odd_sizes, 7, "temperature 1.4");
    CHECK(cold > 0.0 && hot > 0.0, "silent at a temperature");
}

/* The interposer must catch a forbidden call made inside a shared library (libsamplerate). */
static void self_check(void) {
    interposer_clear();
    interposer_arm();
    int error = 0;
    SRC_STATE *state = src_new(SRC_SINC_FASTEST, 1, &error);
    unsigned calls = interposer_disarm();
    src_delete(state);
    printf("self-check: an allocation in libsamplerate is %s\n", calls ? "caught" : "NOT caught");
    CHECK(calls > 0, "the interposer misses calls");
}

static void scenario(uint32_t rate, const char *a, const char *b, const char *c) {
    player p;
    if (player_init(&p, rate, CHANNELS, SRNN_DEFAULT_TEMPERATURE, 1.0) != 0) {
        CHECK(0, "player_init failed");
        return;
    }
    interposer_clear();
    check_handoffs(&p, a, b, c);
    check_pause(&p);
    check_reseed(&p, c);
    check_recording(&p);
    check_xruns_and_temperature(&p);
    unsigned calls = interposer_disarm();
    printf("%u Hz: %llu callbacks, %u forbidden calls", rate,
           (unsigned long long)atomic_load(&p.callbacks), calls);
    interposer_report();
    printf("\n");
    CHECK(calls == 0, "forbidden calls in the callback");
    player_destroy(&p);
}

/* The shipped model at 48 kHz stays within full scale over the temperature range (play()
 * checks every sample; the resampler overshoots at high temperatures) and is not silent at the
 * low end (its primer, live/primer.h). */
static void full_scale(void) {
    static const float temperatures[] = {0.05f, 0.6f, 1.6f, 2.0f};
    for (size_t k = 0; k < sizeof temperatures / sizeof *temperatures; k++) {
        player p;
        if (player_init(&p, RATE, CHANNELS, temperatures[k], 1.0) != 0) {
            CHECK(0, "player_init failed");
            return;
        }
        player_slot *slot = make_slot("models/default.srnn", RATE, 0, 0, temperatures[k]);
        if (!slot) {
            player_destroy(&p);
            return;
        }
        player_slot_free(player_submit(&p, slot));
        double level = play(&p, RATE, steady, 1, "full scale");
        CHECK_SHOW(level > 0.01, "player, shipped model, temperature %.2f: within full scale, "
                                 "%.1f dBFS RMS over 1 s at 48 kHz",
                   temperatures[k], 20.0 * log10(level));
        player_destroy(&p);
    }
}

int main(void) {
    char gru[1024], low[1024], odd[1024];
    snprintf(gru, sizeof gru, "%s/gru.srnn", golden_dir());          /* 16 kHz */
    snprintf(low, sizeof low, "%s/frames_4_12.srnn", golden_dir());  /* 8 kHz */
    snprintf(odd, sizeof odd, "%s/lstm_linear.srnn", golden_dir());  /* 22.05 kHz */
    self_check();
    scenario(RATE, gru, low, odd);
    /* The model's own rate: no resampler, the voice writes the output directly. */
    scenario(16000, "models/default.srnn", gru, gru);
    full_scale();
    return check_summary();
}
