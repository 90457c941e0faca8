/* The state of a batch's start (parameters, optimiser moments and step, the pruning mask),
 * kept so that a non-finite loss or gradient can take the batch back and run it again. */
#ifndef TRAIN_ROLLBACK_H
#define TRAIN_ROLLBACK_H

#include <stdbool.h>

#include "core.h"

typedef struct {
    float *params, *m, *v, *mask; /* mask: NULL when the core has none */
    uint64_t opt_step;
} train_rollback;

/* Room for core's state (its mask too, if it has one now); false when out of memory. */
bool train_rollback_create(train_rollback *r, const train_core *core);
void train_rollback_free(train_rollback *r);

/* Keeps core's state. */
void train_rollback_save(train_rollback *r, const train_core *core);

/* Puts the kept state back into core. */
void train_rollback_restore(const train_rollback *r, train_core *core);

#endif
