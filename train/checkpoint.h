/* Checkpoints: a model file the engine plays (RUN/ckpt-STEP.srnn) and beside it the state
 * that resuming needs (RUN/ckpt-STEP.state): the optimiser's moments and step, the pruning
 * mask and schedule, the position in the data, the epoch's running metrics, early stopping's
 * memory. Each file is written atomically (temporary file, fsync, rename, fsync of the
 * folder), the model first; the state names the model's checksum, so a crash between the two
 * leaves a model without a state, which resuming passes over. */
#ifndef TRAIN_CHECKPOINT_H
#define TRAIN_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"
#include "pruning.h"

#define TRAIN_PATH_MAX 4096
#define TRAIN_CHECKPOINT_ERROR_MAX 1024

/* Where training stands: everything besides weights and moments that resuming restores. */
typedef struct {
    uint64_t epoch;        /* the epoch under way (0-based) */
    uint64_t batch;        /* the next batch of that epoch, or the one under way */
    uint64_t subsequence;  /* the next subsequence of that batch: 0 but for a stop inside it */
    uint64_t global_step;  /* optimisation steps done */
    double learning_rate;  /* current (after schedule and NaN cuts) */
    double epoch_loss_sum; /* nats over the epoch's predictions so far */
    uint64_t epoch_correct, epoch_count;
    double best_metric; /* of the monitored metric; valid when has_best */
    uint32_t has_best;
    uint32_t epochs_without_improvement;
    uint64_t nan_recoveries;
    double elapsed_seconds;                  /* training time over every run so far */
    double last_val_loss, last_val_accuracy; /* NAN before the first validation */
    /* the log interval under way, so that a resumed run logs what an uninterrupted one would */
    double interval_loss_sum, interval_grad_norm_sum;
    uint64_t interval_correct, interval_count, interval_steps;
    /* what must not change between runs */
    uint64_t seed;
    uint64_t batch_size;
    uint64_t train_chunks, val_chunks, chunk_length;
    uint32_t optimizer; /* train_optimizer_kind */
    uint32_t threads;   /* OpenBLAS threads: results are bit-identical only for the same */
    double momentum;
    train_prune_options prune; /* none in a state of version 1; the mask follows the moments */
    uint32_t processes; /* MPI ranks (1 without mpirun): likewise; from state version 3 */
} train_progress;

/* RUN/ckpt-STEP.srnn and .state for a step. */
void train_checkpoint_paths(const char *run_dir, uint64_t step, char model[TRAIN_PATH_MAX],
                            char state[TRAIN_PATH_MAX]);

/* Writes the model (with metadata) and then the state; inside a batch (progress->subsequence
 * not 0) the state holds the RNN states carried to the next subsequence, carried_floats of
 * them (the whole batch's, train_net_get_carried's layout). */
bool train_checkpoint_write(const train_core *core, const train_progress *progress,
                            const float *carried, size_t carried_floats, const char *model_path,
                            const char *state_path, const char *metadata,
                            char error[TRAIN_CHECKPOINT_ERROR_MAX]);

/* Reads a checkpoint into core (parameters, optimiser, the pruning mask when the state holds
 * one), progress and, for one inside a batch, carried (carried_floats: the whole batch's); the
 * state must be intact and name this model file. */
bool train_checkpoint_read(train_core *core, train_progress *progress, float *carried,
                           size_t carried_floats, const char *model_path,
                           const char *state_path, char error[TRAIN_CHECKPOINT_ERROR_MAX]);

/* The step of the newest checkpoint in run_dir whose model and state both exist (a valid
 * pair is checked by train_checkpoint_read); false when there is none. */
bool train_checkpoint_latest(const char *run_dir, uint64_t *step);

/* Whether run_dir holds any checkpoint model file. */
bool train_checkpoint_any(const char *run_dir);

/* Deletes the temporary files (NAME.tmp-XXXXXX) a killed run left in run_dir. */
void train_remove_temporaries(const char *run_dir);

/* Deletes all but the newest keep checkpoints (model and state) in run_dir. */
void train_checkpoint_sweep(const char *run_dir, uint64_t keep);

#endif
