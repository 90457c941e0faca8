/* What a training run tells: log lines on stdout, the epoch's progress bar on stderr (ui/
 * progress.c, when stderr is a terminal), steps.csv and epochs.csv, and TensorBoard scalars.
 * The step itself knows none of it: the trainer hands each step's result here. The log
 * interval's sums live in the train_progress, so that a checkpoint carries them and a rolled
 * back batch takes them back with it. */
#ifndef TRAIN_RUN_LOG_H
#define TRAIN_RUN_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "checkpoint.h"
#include "csv_log.h"
#include "progress.h"
#include "tfevents.h"

typedef struct {
    bool silent; /* says and writes nothing: a rank other than 0 of an MPI run */
    bool tty;
    progress bar;
    char bar_label[160];
    train_csv steps_csv, epochs_csv;
    train_events events;
    double run_start, elapsed_before; /* seconds: this run's start, earlier runs' training */
    double interval_start;            /* when the log interval under way began (this run) */
    /* what the lines and the bar need to know of the run */
    uint64_t num_epochs, log_every;
    uint64_t batches_per_epoch, samples_per_batch; /* predictions: subsequences·B·T */
    uint32_t sample_rate;
} train_log;

/* A log of a run starting now; lines can be said from here on. */
void train_log_begin(train_log *rl);

/* Opens RUN/steps.csv, RUN/epochs.csv (dropping rows past the progress p resumes from) and a
 * TensorBoard file (a silent log none), and learns the run's shape; false with a one-line
 * error (1024 bytes). */
bool train_log_open(train_log *rl, const char *run_dir, const train_progress *p,
                    uint64_t num_epochs, uint64_t log_every, uint64_t batches_per_epoch,
                    uint64_t samples_per_batch, uint32_t sample_rate, char *error);
void train_log_close(train_log *rl);

/* One line on stdout; the bar is cleared first and redrawn at the next step. */
void train_say(train_log *rl, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Seconds of training over every run so far. */
double train_log_elapsed(const train_log *rl);

/* The bar of the epoch p stands in (from its batch on, after a resume). */
void train_log_epoch_begin(train_log *rl, const train_progress *p);

/* After a step that p already counts (its interval sums and global_step): redraws the bar at
 * the fraction of the epoch done and, every log_every steps, writes the interval's line, CSV
 * row and TensorBoard points and starts the next interval. density: the pruning mask's share
 * of the prunable weights, NAN when not pruning. */
void train_log_step(train_log *rl, train_progress *p, double epoch_fraction, double density);

/* A non-finite step rolls the batch back to p: drops the CSV rows past it, says so and
 * records the cut learning rate. */
bool train_log_recovery(train_log *rl, const train_progress *p, uint64_t failed_step,
                        char *error);

/* The end of an epoch: its line, CSV row and TensorBoard points. */
void train_log_epoch(train_log *rl, const train_progress *p, double loss, double accuracy);

/* Erases the bar. */
void train_log_end(train_log *rl);

#endif
