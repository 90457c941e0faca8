/* The audio side of srnn play: the callback PortAudio runs, and the lock-free handoffs between
 * it and the control thread.
 *
 * Threads
 * -------
 * The audio callback (player_callback) runs the current slot's voice, crossfades to a new slot,
 * fades for pause and reseed, and copies what it plays into the recording ring. It allocates
 * nothing, frees nothing, takes no lock and does no I/O.
 * The control thread (one thread: every other function here) loads slots and hands them over
 * with player_submit, collects the ones the callback has finished with (player_take_retired)
 * and frees them, and sets the temperature, pause, reseed and recording requests.
 *
 * Handoff: one atomic pointer each way. The callback takes a pending slot only when it is not
 * crossfading and the retired pointer is empty, so it never holds more than two slots and
 * never has to drop one. */
#ifndef SRNN_PLAYER_H
#define SRNN_PLAYER_H

#include <portaudio.h>
#include <stdatomic.h>
#include <stdint.h>

#include "limiter.h"
#include "player_ring.h"
#include "player_slot.h"

/* Frames rendered at a time inside a callback of any length. */
enum { PLAYER_CHUNK = 256 };

typedef struct {
    uint32_t rate;         /* device Hz */
    int channels;          /* interleaved output channels; the mono signal goes to each */
    uint32_t fade_frames;  /* pause/resume and reseed fade */
    uint32_t crossfade_frames;

    /* control -> callback */
    _Atomic(player_slot *) pending;
    _Atomic uint32_t temperature_bits; /* a float's bits */
    atomic_int paused;
    _Atomic uint64_t reseed_seed;
    atomic_uint reseed_requests; /* bumped after reseed_seed is stored */
    atomic_int record_wanted;

    /* callback -> control */
    _Atomic(player_slot *) retired;
    atomic_int playing_tag;      /* tag of the slot being faded in or played; -1 before any */
    atomic_int recording_seen;   /* record_wanted as the last callback saw it */
    _Atomic uint64_t frames;     /* played since the start */
    _Atomic uint64_t callbacks;
    _Atomic uint64_t xruns;      /* callbacks the host flagged with an output underflow */
    _Atomic uint64_t busy_ns;    /* time spent inside the callback */
    _Atomic uint64_t peak_load_ppm; /* the largest busy / buffer duration, in millionths */
    _Atomic uint64_t record_dropped; /* frames the ring had no room for */
    player_ring record_ring;

    /* the callback's own */
    player_slot *current, *incoming;
    uint32_t crossfade_position;
    float level; /* pause/reseed fade gain, 0 to 1 */
    live_limiter limiter; /* the output's, last */
    unsigned reseeds_done;
    float current_out[PLAYER_CHUNK], incoming_out[PLAYER_CHUNK], mono[PLAYER_CHUNK];
} player;

/* Prepares a player for a device; the ring holds record_seconds of audio. 0, or -1 when out
 * of memory. Nothing plays until a slot is submitted. */
int player_init(player *p, uint32_t rate, int channels, float temperature,
                double record_seconds);

/* Frees every slot the player still holds and the ring. The callback must have stopped. */
void player_destroy(player *p);

/* The PortAudio stream callback; user is the player. */
int player_callback(const void *input, void *output, unsigned long frames,
                    const PaStreamCallbackTimeInfo *time, PaStreamCallbackFlags flags,
                    void *user);

/* Hands slot to the callback, which crossfades to it. Returns the slot submitted before that
 * the callback has not taken yet (the caller frees it), or NULL. */
player_slot *player_submit(player *p, player_slot *slot);

/* A slot the callback has finished with (the caller frees it), or NULL. */
player_slot *player_take_retired(player *p);

void player_set_temperature(player *p, float temperature);
float player_temperature(player *p);
void player_set_paused(player *p, int paused);

/* Fades out, restarts the playing voice from silence with seed, fades in. */
void player_reseed(player *p, uint64_t seed);

/* Starts or stops copying the output into record_ring. After stopping, the ring's last frames
 * are complete once player_recording_seen returns 0. */
void player_set_recording(player *p, int on);
int player_recording_seen(player *p);

#endif
