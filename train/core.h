/* What one training step needs in one place: the parameter layout, the parameters and their
 * gradients (one block each, with named views), the optimiser and the net's activations. */
#ifndef TRAIN_CORE_H
#define TRAIN_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"
#include "net.h"
#include "optimizer.h"

#define TRAIN_CLIP_NORM 5.0 /* model.py's tf.clip_by_global_norm(grads, 5.0) */

typedef struct {
    train_layout layout;
    float *params, *grads; /* layout.floats each */
    train_weights w, g;    /* named views of params and grads */
    float *mask;           /* pruning (pruning.h): 1 for a weight kept, 0 pruned; NULL: dense */
    train_optimizer opt;
    train_net *net;
    size_t batch;
} train_core;

typedef struct {
    double loss_sum;  /* nats, summed over the B·T predictions */
    uint64_t correct; /* argmax hits */
    uint64_t count;   /* predictions: B·T */
    double grad_norm; /* before clipping */
    bool finite;      /* loss and gradients were finite, and the update was applied */
} train_step_result;

/* Layout, zeroed parameters, optimiser and net for config and batch; false with error filled
 * on a bad configuration or when out of memory. */
bool train_core_create(train_core *core, const srnn_config *config, size_t batch,
                       train_optimizer_kind kind, double learning_rate, double momentum,
                       char error[SRNN_ERROR_MAX]);
void train_core_free(train_core *core);

/* One optimisation step on a subsequence (B, BF + T): forward, backward, clip to the global
 * norm, update. Nothing is updated when the loss or a gradient is not finite. */
train_step_result train_core_step(train_core *core, const int32_t *inputs, bool reset_states);

/* Clips core->grads (from train_core_gradients) to the global norm and updates the
 * parameters, when r's loss and the gradients are finite; sets r->grad_norm and r->finite. */
void train_core_apply(train_core *core, train_step_result *r);

/* Forward only (validation): loss and accuracy of a subsequence; grad_norm is 0. */
train_step_result train_core_evaluate(train_core *core, const int32_t *inputs, bool reset_states);

/* Gradients of the mean loss of a subsequence at the current parameters, in core->grads
 * (unclipped, nothing updated); with a mask, those of pruned weights are zero: they are no
 * parameters any more. */
train_step_result train_core_gradients(train_core *core, const int32_t *inputs, bool reset_states);

/* Copies the parameters of a loaded model of the same configuration; false with error filled
 * when the configurations differ. */
bool train_core_load_params(train_core *core, const srnn_model *model, char error[SRNN_ERROR_MAX]);

/* Writes the parameters as a model file (atomically) with metadata lines "key=value\n". */
srnn_status train_core_write_model(const train_core *core, const char *path, const char *metadata,
                                   char error[SRNN_ERROR_MAX]);

#endif
