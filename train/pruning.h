/* Gradual block pruning while training, after WaveRNN (Kalchbrenner et al. 2018) and LPCNet
 * (Valin and Skoglund 2019): from step start to step end, every `every` steps, each prunable
 * matrix (engine/prune.h: the RNN kernels, the upsamplings, the sample MLP) keeps the share
 *   density(t) = 1 - (1 - final)(1 - (1 - (t - start)/(end - start))^3)
 * of its pieces, those of the largest L2 norm, in the pieces of 4 inputs x 8 outputs the
 * engine's block-sparse int8 product skips (the one-shot srnn convert --density's choice,
 * srnn_prune_tensor); then it stays at final. The mask (train_core.mask) makes the gradients
 * of the pruned weights zero, and their Adam moments are zeroed when they are pruned, so they
 * stay exactly zero through every update. */
#ifndef TRAIN_PRUNING_H
#define TRAIN_PRUNING_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"
#include "prune.h"

typedef struct {
    double density[SRNN_PRUNE_KINDS]; /* final, per srnn_prune_kind; 1: that kind is not pruned */
    uint64_t start, end, every;       /* steps done (global_step); start < end, every >= 1 */
} train_prune_options;

/* No pruning: every final density 1, the default schedule. */
void train_prune_defaults(train_prune_options *o);

/* Whether any kind is pruned. */
bool train_prune_active(const train_prune_options *o);

/* A kind's density after `step` steps: 1 up to start, the cubic schedule, final from end on. */
double train_prune_density(const train_prune_options *o, srnn_prune_kind kind, uint64_t step);

/* Whether the masks are chosen anew before the step that follows `step` steps. */
bool train_prune_due(const train_prune_options *o, uint64_t step);

/* Gives core a mask that keeps everything; false when out of memory. */
bool train_prune_begin(train_core *core);

/* Chooses each prunable matrix's pieces for the schedule's density after `step` steps, from
 * the current weights, and zeroes the weights and optimiser moments of those pruned; false
 * when out of memory. */
bool train_prune(train_core *core, const train_prune_options *o, uint64_t step);

/* The share of the prunable matrices' weights the mask keeps (1 without a mask). */
double train_prune_kept(const train_core *core);

#endif
