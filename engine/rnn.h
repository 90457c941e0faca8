/* One step of a frame tier: its input Dense and RNN stack (Keras GRU with reset_after, or
 * Keras LSTM) with PRiSM's optional skip connections, on the run-time weights (model.h). */
#ifndef SRNN_RNN_H
#define SRNN_RNN_H

#include "model.h"
#include "spread.h"

/* A tier's state inside a voice. Vectors the kernels write are padded (srnn_padded). */
typedef struct {
    float *h;         /* (L, D) */
    float *c;         /* (L, D), LSTM cell states */
    float *recurrent; /* (L, GD): h_l·R_l + recurrent bias, prepared for the next step */
    float *gates;     /* (GD) scratch */
    float *output;    /* (D): the stack's output at the last step */
    float *input;     /* (frame): the scaled input frame */
    float *upsampled; /* (R, D): the output upsampled, c_j = U_j · output, when the tier runs unfolded */
} srnn_tier_state;

/* Floats a tier's state needs; srnn_tier_state_place lays it out in memory of that size. */
size_t srnn_tier_state_floats(const srnn_config *config, const srnn_tier *tier);
void srnn_tier_state_place(srnn_tier_state *state, const srnn_config *config,
                           const srnn_tier *tier, float *memory);

/* States to zero, and the recurrent halves to what a zero state gives. */
void srnn_tier_state_clear(srnn_tier_state *state, const srnn_model *model,
                           const srnn_tier_run *run);

/* One step of count voices' states on their frames of samples (the tier's frame size of
 * them), plus conditioning (for each, GD gate pre-activations from the tier above; NULL for
 * none), the products batched over the voices. Needs the recurrent halves prepared; leaves the
 * output in each state->output. */
void srnn_tier_step(const srnn_model *model, const srnn_exec *exec, const srnn_tier *tier,
                    const srnn_tier_run *run, unsigned count, srnn_tier_state *const *states,
                    const int32_t *const *frames, const float *const *conditioning);

/* Queues the recurrent halves of the next step, one job per layer for the count states. */
void srnn_tier_queue_recurrent(const srnn_model *model, const srnn_tier_run *run, unsigned count,
                               srnn_tier_state *const *states, srnn_queue *queue);

#endif
