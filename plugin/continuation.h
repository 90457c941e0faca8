/* The continuation effect's part of the plugin (continuation.c): its one voice listens to the
 * audio input (live/listener.h) and goes on from it when it falls silent or on the trigger; a
 * dry/wet mix. The rest (models through the worker, crossfades between them, state, the
 * limiter and gain on the wet signal, the GUI's feed) is the generator's, in plugin.c,
 * worker.c and state.c. */
#ifndef SRNN_LV2_CONTINUATION_H
#define SRNN_LV2_CONTINUATION_H

#include "params.h"

typedef struct {
    const float *in, *mix, *threshold, *hold; /* ports */
    float mix_smoothed; /* NAN until the first sample */
    float dry[SRNN_LV2_CHUNK]; /* the input's chunk: the host may run the plugin in place */
} srnn_continuation;

#endif
