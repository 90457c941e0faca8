/* A model's primer: a second or so of real audio kept with the model (metadata key "primer"),
 * that voices start from and start again from when they fall silent. PRiSM SampleRNN seeds
 * generation with a big frame of seed audio; a SampleRNN started from silence (its default)
 * tends to fall back into it at low temperatures: the default model at temperature 0.6
 * played 1e-4 RMS (-80 dBFS) from silence for every seed tried.
 *
 * The metadata value is the primer's samples at the model's rate, quantised (srnn_quantise),
 * four hex digits each, at least one big frame and at most LIVE_PRIMER_MAX_SAMPLES. A voice
 * starts from one big frame of it (srnn_voices_prime), chosen by its seed and how many times it
 * started again, so that restarts differ. */
#ifndef SRNN_LIVE_PRIMER_H
#define SRNN_LIVE_PRIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srnn.h"

#define LIVE_PRIMER_KEY "primer"
#define LIVE_PRIMER_DIGITS 4 /* hex digits per sample */
/* What srnn convert --primer keeps of a recording: its loudest stretch of this length. */
#define LIVE_PRIMER_SECONDS 1.0
#define LIVE_PRIMER_MAX_SAMPLES 65536 /* 256 KiB of metadata, within the format's 1 MiB */

/* A voice counts as silent while each LIVE_SILENCE_WINDOW_SECONDS of its model-rate samples
 * stays below LIVE_SILENCE_DBFS RMS, and starts again from the primer after
 * LIVE_SILENCE_HOLD_SECONDS of that. -40 dBFS: the default model at temperature 0.6 settles
 * around -36 dBFS after a restart and fades to -80 without one. */
#define LIVE_SILENCE_DBFS (-40.0)
#define LIVE_SILENCE_WINDOW_SECONDS 0.1
#define LIVE_SILENCE_HOLD_SECONDS 0.5

typedef struct {
    int32_t *samples; /* NULL when the model has no primer */
    size_t count;
    size_t big_frame;
} live_primer;

/* Reads model's primer into primer (empty when it has none). 0, or -1 with one line in error
 * (SRNN_ERROR_MAX) when the value is malformed or out of range. Allocates. */
int live_primer_read(const srnn_model *model, live_primer *primer, char error[SRNN_ERROR_MAX]);
void live_primer_free(live_primer *primer);

/* The metadata value for audio (count samples at the model's rate): its loudest stretch of
 * LIVE_PRIMER_SECONDS (all of it when shorter), quantised. NULL when count is below one big
 * frame or out of memory; the caller frees it. */
char *live_primer_encode(const srnn_config *config, const float *audio, size_t count);

/* The primer's big frame (big_frame samples) for (seed, restarts), or NULL when there is no
 * primer: a voice's first start uses restarts 0, so that restarts differ. Real-time safe. */
const int32_t *live_primer_frame(const live_primer *primer, uint64_t seed, uint32_t restarts);

/* Primes voice of group (srnn_voices_prime) from the primer's big frame chosen by (seed,
 * restarts); nothing when there is no primer. A voice starts with srnn_voices_reset(seed) and
 * this with restarts 0. Real-time safe. */
void live_primer_prime(const live_primer *primer, srnn_voices *group, unsigned voice,
                       uint64_t seed, uint32_t restarts);

/* Watches a voice's output for silence. */
typedef struct live_silence live_silence;

struct live_silence {
    double sum;          /* of squares in the current window */
    double threshold;    /* of that sum */
    uint32_t window, filled;
    uint32_t quiet, hold; /* quiet windows in a row, and how many call for a restart */
};

void live_silence_init(live_silence *silence, double model_rate);
/* Counts one model-rate sample; true when the voice has been silent long enough to start again
 * (the count then begins anew). Real-time safe. */
bool live_silence_update(live_silence *silence, float sample);

#endif
