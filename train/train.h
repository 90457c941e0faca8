/* srnn train: PRiSM SampleRNN's train.py in C. Options keep train.py's names and defaults;
 * the ones PRiSM lacks are marked. */
#ifndef TRAIN_TRAIN_H
#define TRAIN_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "optimizer.h"
#include "pruning.h"

#define TRAIN_MAX_TEMPERATURES 8

typedef enum {
    MONITOR_LOSS,
    MONITOR_ACCURACY,
    MONITOR_VAL_LOSS,
    MONITOR_VAL_ACCURACY
} train_monitor;

typedef struct {
    const char *data_dir;    /* audio under this folder */
    const char *val_dir;     /* not PRiSM's: validation audio from here instead of val_frac */
    const char *config_path; /* PRiSM *.config.json (plus "sample_rate") */
    const char *out_dir;     /* checkpoints, logs, previews */
    uint64_t num_epochs;     /* 100 */
    uint64_t batch_size;     /* 64 */
    train_optimizer_kind optimizer;      /* adam */
    double learning_rate;                /* 0.001 */
    bool learning_rate_set;              /* given: overrides a resumed checkpoint's */
    double momentum;                     /* 0.9 */
    uint64_t reduce_learning_rate_after; /* epochs; 0: never */
    double val_frac;                     /* 0.1 */
    uint64_t checkpoint_every;           /* epochs: 1 */
    bool checkpoint_best_only;           /* checkpoint_policy Best (default Always) */
    uint64_t max_checkpoints;            /* 5; 0 keeps all */
    uint64_t early_stopping_patience;    /* 3 */
    train_monitor monitor;               /* val_loss */
    bool resume;                         /* true: from the newest checkpoint in out_dir */
    const char *resume_from;             /* a checkpoint (.srnn with its .state), or any model */
    bool generate;                       /* previews at each epoch checkpoint */
    double temperatures[TRAIN_MAX_TEMPERATURES]; /* 0.95 */
    size_t temperature_count;
    double output_file_dur; /* seconds: 3 */
    /* not PRiSM's */
    int threads;                       /* OpenBLAS threads; 0: every core */
    uint64_t seed;                     /* weights, split and order */
    double chunk_ms, overlap_ms;       /* chunk_audio.py's 8000 ms and 1000 ms (its README) */
    uint64_t checkpoint_every_batches; /* also a resume point every this many batches; 0: no */
    uint64_t max_batches;              /* stop (with a checkpoint) after this many; 0: no */
    uint64_t log_every;                /* steps between log lines, CSV rows, TensorBoard points */
    uint64_t inject_nan_at_step;       /* testing: poison this step's gradient; 0: never */
    train_prune_options prune;         /* gradual block pruning; none by default */
} train_options;

/* PRiSM's defaults. */
void train_options_default(train_options *options);

/* Trains; prints progress on stdout (and a bar on stderr when it is a terminal), and one line
 * on stderr for a failure. Returns the process exit status: 0 when training ends (its epochs
 * done, early stopping, or max_batches), 1 on failure. */
int train_run(const train_options *options);

#endif
