/* The continuation's proof material (tests/test_listener.c, tests/test_lv2_continuation.c): a
 * held-out recording and what the engine itself does with it, independently of live/listener.c.
 *
 * tests/data/heldout.wav is the first second of the default model's test split's
 * sonata25_op79_mvt1_mutopia.wav (models/beethoven_data.sh; never trained on), 16 kHz mono:
 *   sox build/beethoven/test/sonata25_op79_mvt1_mutopia.wav tests/data/heldout.wav trim 0 1 */
#ifndef SRNN_TEST_HELDOUT_H
#define SRNN_TEST_HELDOUT_H

#include <stddef.h>
#include <stdint.h>

#include "srnn.h"

#define HELDOUT_PATH "tests/data/heldout.wav"

/* The recording's samples (malloc'ed, *count of them, at *rate); NULL with a message when it
 * cannot be read. */
float *heldout_read(size_t *count, uint32_t *rate);

/* Where a peak gate (threshold linear, hold samples) on x opens and first closes: *onset is the
 * first sample at or above the threshold, *last the sample after which hold samples in a row
 * have stayed below it (the last one the listener feeds). -1 when it never opens or closes. */
int heldout_gate(const float *x, size_t count, float threshold, uint32_t hold, size_t *onset,
                 size_t *last);

/* The engine's continuation: a voice of seed fed x[0..count) quantised (srnn_voice_feed, as
 * srnn eval feeds a file), then generating length samples at temperature, to out. 0, or -1. */
int heldout_continuation(const srnn_model *model, uint64_t seed, const float *x, size_t count,
                         float temperature, float *out, size_t length);

#endif
