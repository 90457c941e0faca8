/* A voice that listens: the continuation effect's (plugin/continuation.c) model voice follows
 * what the track plays, teacher-forced as `srnn eval` scores a file (srnn_voice_feed of each
 * quantised input sample, the voice started from silence), and when the input falls silent, or
 * on a trigger, goes on generating from where it stopped.
 *
 * The voice is one of a group's (srnn_voices, live/voices.c), which steps all its voices
 * together. The input arrives at the host's rate (live_listener_push), is converted to the
 * model's rate when they differ (libsamplerate, as the output is) and waits in a queue that the
 * listener takes one sample from per step of the group (live_listener_prepare, before it: the
 * voice stopped, fed that sample teacher-forced with srnn_voices_feed, or generating), and
 * live_listener_played gives what the voice plays of the step (after it). A gate looks at each input
 * sample as it arrives; the voice takes it hold seconds later, so that when the gate closes the
 * voice has heard the input up to its last loud sample and not the silence after it (a
 * continuation from silence stays silent):
 *
 *   waiting     before any input: silent, nothing computed (the caller stops the voice when
 *               it resets the listener);
 *   listening   from the first input sample at or above the threshold (|x|, a peak gate): the
 *               voice is reset to its seed (srnn_voices_reset: the voice must be the group's only
 *               one playing, or it would begin at the next big frame boundary) and every input
 *               sample is fed to it; it plays
 *               silence (the effect's dry signal is the input);
 *   continuing  once hold seconds of input stayed below the threshold (the voice was fed up to
 *               the last sample above it), or at once on a trigger: the voice generates at the
 *               knob's temperature from the history it was fed; after a trigger the first
 *               LIVE_LISTENER_FADE_SECONDS rise linearly (the input may have been loud). When
 *               the input reaches the threshold again after hold seconds below it, the voice
 *               listens again from that sample (hold seconds later): the continuation stops,
 *               its last sample decaying over LIVE_LISTENER_FADE_SECONDS (no click).
 *
 * So a phrase's continuation depends on that phrase alone, and the same input with the same
 * seed continues the same way. Create and free off the audio thread; the rest is real-time
 * safe: no allocation, lock, I/O or system call, a bounded cost per sample. */
#ifndef SRNN_LIVE_LISTENER_H
#define SRNN_LIVE_LISTENER_H

#include <stdbool.h>
#include <stdint.h>

#include "srnn.h"

/* The gate's defaults and ranges (the plugin's ports: ttl/continuation.ttl). -50 dBFS: a piano
 * note's tail is still above it a second on, room noise of a quiet track below it. */
#define LIVE_LISTENER_THRESHOLD_DB_DEFAULT (-50.0f)
#define LIVE_LISTENER_THRESHOLD_DB_MIN (-90.0f)
#define LIVE_LISTENER_THRESHOLD_DB_MAX (-10.0f)
#define LIVE_LISTENER_HOLD_DEFAULT 0.15f /* seconds */
#define LIVE_LISTENER_HOLD_MIN 0.01f
#define LIVE_LISTENER_HOLD_MAX 2.0f
#define LIVE_LISTENER_FADE_SECONDS 0.005f
/* Model-rate input samples queued ahead of the voice when the rates differ: the output
 * converter reads ahead of the input converter's output (tests/test_lv2_continuation.c checks
 * that the queue never runs dry at 44.1 and 48 kHz over every block size it tries). */
#define LIVE_LISTENER_CUSHION 256
#define LIVE_LISTENER_QUEUE 8192 /* model-rate samples the queue holds, cushion included */

typedef enum { LIVE_WAITING, LIVE_LISTENING, LIVE_CONTINUING } live_listening_state;

typedef struct live_listener live_listener;

/* A listener for a voice of model at host_rate; NULL out of memory or when the ratio is
 * beyond libsamplerate's. */
live_listener *live_listener_create(const srnn_model *model, double host_rate);
void live_listener_free(live_listener *l); /* NULL is a no-op */

/* Back to waiting, the queue holding only its cushion, the converter cleared. The caller stops
 * the voice (srnn_voices_stop). */
void live_listener_reset(live_listener *l);

/* The gate from now on (clamped to the ranges above; NaN takes the default). */
void live_listener_set_gate(live_listener *l, float threshold_db, float hold_seconds);

/* Queues count host-rate input samples for the voice. */
void live_listener_push(live_listener *l, const float *input, uint32_t count);

/* Continue now (a trigger): a listening voice goes on generating; the input must then stay
 * below the threshold for hold seconds before it is listened to again. */
void live_listener_trigger(live_listener *l);

/* Before the group's next step: takes one queued input sample (silence if the queue ran dry,
 * counted) through the gate and sets what voice of group does in that step: fed the input
 * sample from the hold ago (listening; srnn_voices_feed), generating at the temperature the
 * caller set (continuing), or nothing (waiting). seed: the voice's, it is reset to at every
 * listening start. */
void live_listener_prepare(live_listener *l, srnn_voices *group, unsigned voice, uint64_t seed);
/* After that step: the model-rate sample the voice plays, of the sample the step generated. */
float live_listener_played(live_listener *l, float generated);

live_listening_state live_listener_state(const live_listener *l);
/* Times the queue ran dry since the last reset (0 when the cushion is enough). */
uint32_t live_listener_underruns(const live_listener *l);
/* Times the voice started listening since the last reset. */
uint32_t live_listener_phrases(const live_listener *l);

#endif
