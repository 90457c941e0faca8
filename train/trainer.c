/* The training loop of PRiSM's train.py: epochs of batches of stateful subsequences, validation
 * at each epoch's end, checkpoints, previews, the learning-rate schedule and early stopping;
 * and what PRiSM lacked: resume points inside an epoch, exact resumption, recovery from a
 * non-finite loss or gradient (the weights of the batch's start back, learning rate x0.1),
 * gradual block pruning (pruning.h), a stop on SIGINT, SIGTERM or SIGUSR1 after the step under
 * way with a checkpoint, and data-parallel training over MPI (distributed.h: every rank runs this loop
 * on its share of each batch; rank 0 alone reads and writes the run directory and says what
 * happens). */
#include <cblas.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "core.h"
#include "dataset.h"
#include "distributed.h"
#include "init.h"
#include "preview.h"
#include "prism_config.h"
#include "rollback.h"
#include "run_lock.h"
#include "run_log.h"
#include "stop_request.h"
#include "train.h"

#define NAN_CUT 0.1             /* the learning rate after a non-finite step, times */
#define MIN_LEARNING_RATE 1e-12 /* below this, recovery has failed: stop */
#define SCHEDULE_DECAY -0.1     /* train.py's scheduler: lr·exp(-0.1) per epoch after N */
#define WEIGHT_CHECK_STEPS 100  /* MPI: the ranks compare weight checksums this often */

void train_options_default(train_options *o)
{
    memset(o, 0, sizeof *o);
    o->num_epochs = 100;
    o->batch_size = 64;
    o->optimizer = TRAIN_ADAM;
    o->learning_rate = 0.001;
    o->momentum = 0.9;
    o->val_frac = 0.1;
    o->checkpoint_every = 1;
    o->max_checkpoints = 5;
    o->early_stopping_patience = 3;
    o->monitor = MONITOR_VAL_LOSS;
    o->resume = true;
    o->generate = true;
    o->temperatures[0] = SRNN_DEFAULT_TEMPERATURE;
    o->temperature_count = 1;
    o->output_file_dur = 3.0;
    o->seed = 1;
    o->chunk_ms = 8000.0;
    o->overlap_ms = 1000.0;
    o->log_every = 50;
    train_prune_defaults(&o->prune);
}

typedef struct {
    const train_options *o;
    srnn_config config;
    train_dataset data, val_data;
    bool has_val_data;
    train_chunk_list train_set, val_set;
    size_t subsequences, batches_per_epoch, val_batches;
    train_core core;
    train_dist dist;
    size_t share_first, share_rows; /* this rank's rows of each batch (all of them alone) */
    uint64_t last_weight_check;     /* the step the ranks' weights were last compared at */
    bool stop_agreed;               /* a signal asked to stop: every rank knows after a step */
    /* the RNN states carried inside a batch (train_net_get_carried): this rank's rows, and
     * the whole batch's (rank 0 writes and reads them in a checkpoint inside a batch) */
    float *carried_mine, *carried_all;
    train_progress p;
    train_rollback rollback; /* the state at the start of the batch */
    int32_t *inputs;
    size_t *order;
    train_log log;
    uint64_t batches_this_run;
    uint64_t last_checkpoint_step; /* UINT64_MAX before the first of this run */
    bool nan_injected;             /* --inject_nan_at_step has fired */
    double last_epoch_loss;        /* of the last epoch this run finished, else NAN */
    double density;                /* the pruning mask's share of the prunable weights, else NAN */
    int run_lock; /* the run directory's lock file, -1 before it is taken */
} trainer;

/* Names the rank in failures of the ranks other than 0 of an MPI run; 0 otherwise. */
static int failing_rank;

/* One line on stderr naming the problem; returns false for the callers' convenience. */
static bool fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
static bool fail(const char *format, ...)
{
    char line[4096];
    int at = snprintf(line, sizeof line, "srnn: train: ");
    if (failing_rank) at += snprintf(line + at, sizeof line - (size_t)at, "rank %d: ", failing_rank);
    va_list args;
    va_start(args, format);
    vsnprintf(line + at, sizeof line - (size_t)at, format, args);
    va_end(args);
    fprintf(stderr, "%s\n", line); /* in one piece: other ranks may be failing beside it */
    return false;
}

/* ---- setup -------------------------------------------------------------------------------- */

static bool make_dirs(const char *path)
{
    char buffer[TRAIN_PATH_MAX];
    snprintf(buffer, sizeof buffer, "%s", path);
    for (char *p = buffer + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buffer, 0755) != 0 && errno != EEXIST) return false;
            *p = '/';
        }
    return mkdir(buffer, 0755) == 0 || errno == EEXIST;
}

static bool load_data(trainer *t)
{
    const train_options *o = t->o;
    char error[TRAIN_DATA_ERROR_MAX];
    if (!train_dataset_load(&t->data, o->data_dir, &t->config, o->chunk_ms, o->overlap_ms, error))
        return fail("%s", error);
    if (o->val_dir) {
        if (!train_dataset_load(&t->val_data, o->val_dir, &t->config, o->chunk_ms, o->overlap_ms,
                                error))
            return fail("%s", error);
        t->has_val_data = true;
    }
    if (!train_dataset_split(&t->data, t->has_val_data ? &t->val_data : NULL, o->batch_size,
                             o->val_frac, o->seed, &t->train_set, &t->val_set, error))
        return fail("%s", error);
    t->subsequences = train_subsequences(&t->data, &t->config);
    if (t->subsequences == 0)
        return fail("chunks of %zu samples are shorter than seq_len %" PRIu32
                    " (longer chunk_length or a shorter seq_len)",
                    t->data.chunk_length, t->config.seq_len);
    t->batches_per_epoch = t->train_set.count / o->batch_size;
    t->val_batches = t->val_set.count / o->batch_size;
    return true;
}

static void describe_data(trainer *t, const char *what, const train_dataset *ds)
{
    train_say(&t->log,
        "%s: %zu audio files (%zu others skipped, %zu shorter than a chunk), %zu chunks of %zu "
        "samples, %zu silent chunks left out",
        what, ds->files, ds->skipped_files, ds->short_files, ds->chunk_count, ds->chunk_length,
        ds->silent_chunks);
}

/* The progress of a run that starts now. */
static void fresh_progress(trainer *t)
{
    const train_options *o = t->o;
    memset(&t->p, 0, sizeof t->p);
    t->p.learning_rate = o->learning_rate;
    t->p.last_val_loss = t->p.last_val_accuracy = NAN;
    t->p.seed = o->seed;
    t->p.batch_size = o->batch_size;
    t->p.train_chunks = t->train_set.count;
    t->p.val_chunks = t->val_set.count;
    t->p.chunk_length = t->data.chunk_length;
    t->p.optimizer = o->optimizer;
    t->p.momentum = o->momentum;
    t->p.prune = o->prune;
}

static bool same_pruning(const train_prune_options *a, const train_prune_options *b)
{
    for (int k = 0; k < SRNN_PRUNE_KINDS; k++)
        if (a->density[k] != b->density[k]) return false;
    return a->start == b->start && a->end == b->end && a->every == b->every;
}

/* A resumed run prunes on the checkpoint's schedule: given no pruning options it goes on with
 * it, and a checkpoint without pruning takes the options' schedule from here on. */
static bool check_pruning(trainer *t)
{
    const train_prune_options *o = &t->o->prune, *p = &t->p.prune;
    if (same_pruning(o, p)) return true;
    if (!train_prune_active(o)) {
        train_say(&t->log, "pruning as the checkpoint did");
        return true;
    }
    if (!train_prune_active(p)) {
        train_say(&t->log, "pruning from step %" PRIu64 " on (the checkpoint had none)",
                  t->p.global_step);
        t->p.prune = *o;
        return true;
    }
    return fail("the checkpoint was made with --prune_density_rnn %g --prune_density_upsampling "
                "%g --prune_density_mlp %g --prune_start %" PRIu64 " --prune_end %" PRIu64
                " --prune_every %" PRIu64,
                p->density[SRNN_PRUNE_RNN], p->density[SRNN_PRUNE_UPSAMPLING],
                p->density[SRNN_PRUNE_MLP], p->start, p->end, p->every);
}

/* A resumed run must see the data and settings its checkpoint was made with. */
static bool check_resumed(trainer *t)
{
    const train_options *o = t->o;
    const train_progress *p = &t->p;
    if (p->seed != o->seed) return fail("the checkpoint was made with --seed %" PRIu64, p->seed);
    if (p->batch_size != o->batch_size)
        return fail("the checkpoint was made with --batch_size %" PRIu64, p->batch_size);
    if (p->optimizer != o->optimizer || p->momentum != o->momentum)
        return fail("the checkpoint was made with --optimizer %s --momentum %g",
                    train_optimizer_name((train_optimizer_kind)p->optimizer), p->momentum);
    if (p->train_chunks != t->train_set.count || p->val_chunks != t->val_set.count ||
        p->chunk_length != t->data.chunk_length)
        return fail("the data differs from the checkpoint's: %zu training and %zu validation "
                    "chunks of %zu samples now, %" PRIu64 " and %" PRIu64 " of %" PRIu64 " then",
                    t->train_set.count, t->val_set.count, t->data.chunk_length, p->train_chunks,
                    p->val_chunks, p->chunk_length);
    return check_pruning(t);
}

/* The step in a checkpoint's name (…/ckpt-STEP.srnn), or 0. */
static uint64_t checkpoint_step(const char *path)
{
    const char *name = strrchr(path, '/');
    uint64_t step = 0;
    sscanf(name ? name + 1 : path, "ckpt-%" SCNu64, &step);
    return step;
}

/* Floats of the RNN states a whole batch carries from one subsequence to the next. */
static size_t carried_floats(const trainer *t)
{
    return t->o->batch_size * train_net_carried_per_row(t->core.net);
}

/* Restores the newest checkpoint (or --resume_from), or starts from Keras' initial weights. */
static bool start_or_resume(trainer *t)
{
    const train_options *o = t->o;
    char model[TRAIN_PATH_MAX], state[TRAIN_PATH_MAX], error[TRAIN_CHECKPOINT_ERROR_MAX];
    bool exact = false, weights_only = false;
    uint64_t step;
    fresh_progress(t);
    if (o->resume_from) {
        snprintf(model, sizeof model, "%s", o->resume_from);
        size_t n = strlen(model);
        bool suffix = n > 5 && strcmp(model + n - 5, ".srnn") == 0; /* ckpt-N.srnn: ckpt-N.state */
        snprintf(state, sizeof state, "%.*s.state", (int)(suffix ? n - 5 : n), model);
        exact = access(state, R_OK) == 0;
        weights_only = !exact;
        uint64_t newest;
        if (train_checkpoint_latest(o->out_dir, &newest) &&
            (weights_only || newest > checkpoint_step(model)))
            return fail("%s holds later checkpoints than --resume_from %s: train into another "
                        "--out",
                        o->out_dir, model);
    } else if (o->resume && train_checkpoint_latest(o->out_dir, &step)) {
        train_checkpoint_paths(o->out_dir, step, model, state);
        exact = true;
    } else if (!o->resume && train_checkpoint_any(o->out_dir)) {
        return fail("%s already holds checkpoints: resume them (--resume true) or train into "
                    "another --out",
                    o->out_dir);
    }
    if (exact) {
        if (!train_checkpoint_read(&t->core, &t->p, t->carried_all, carried_floats(t), model,
                                   state, error))
            return fail("%s", error);
        if (!check_resumed(t)) return false;
        if (o->learning_rate_set && o->learning_rate != t->p.learning_rate) {
            train_say(&t->log, "learning rate %g as asked (the checkpoint's was %g)",
                      o->learning_rate, t->p.learning_rate);
            t->p.learning_rate = o->learning_rate;
        }
        int threads = openblas_get_num_threads();
        if (t->p.threads != (uint32_t)threads)
            train_say(&t->log,
                "note: the checkpoint was made with %" PRIu32 " threads, this run has %d: the "
                "losses may differ from an uninterrupted run in the last digits",
                t->p.threads, threads);
        if (t->p.processes != (uint32_t)t->dist.size)
            train_say(&t->log,
                      "note: the checkpoint was made by %" PRIu32 " process%s, this run has "
                      "%d: the losses may differ from an uninterrupted run in the last digits",
                      t->p.processes, t->p.processes == 1 ? "" : "es", t->dist.size);
        if (t->p.subsequence)
            train_say(&t->log,
                      "resuming from %s: epoch %" PRIu64 ", inside batch %" PRIu64
                      " at subsequence %" PRIu64 ", step %" PRIu64,
                      model, t->p.epoch + 1, t->p.batch + 1, t->p.subsequence + 1,
                      t->p.global_step);
        else
            train_say(&t->log,
                      "resuming from %s: epoch %" PRIu64 ", batch %" PRIu64 ", step %" PRIu64,
                      model, t->p.epoch + 1, t->p.batch, t->p.global_step);
        return true;
    }
    if (weights_only) {
        srnn_model *loaded = NULL;
        char detail[SRNN_ERROR_MAX];
        if (srnn_model_load(model, &loaded, detail) != SRNN_OK)
            return fail("%s: %s", model, detail);
        bool ok = train_core_load_params(&t->core, loaded, detail);
        srnn_model_free(loaded);
        if (!ok) return fail("%s: %s", model, detail);
        train_say(&t->log, "starting from the weights of %s (no optimiser state beside it)", model);
        return true;
    }
    if (!train_init_weights(&t->core.layout, t->core.params, o->seed))
        return fail("out of memory initialising the weights");
    return true;
}

/* ---- checkpoints -------------------------------------------------------------------------- */

/* "key=value\n" lines for a checkpoint's metadata; the NLLs only once they are known. */
static void metadata_text(const trainer *t, char *out, size_t size)
{
    time_t now = time(NULL);
    char created[32], train_nll[64] = "", val_nll[64] = "", density[64] = "";
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    double train_loss = t->p.epoch_count ? t->p.epoch_loss_sum / (double)t->p.epoch_count
                                         : t->last_epoch_loss;
    if (isfinite(train_loss))
        snprintf(train_nll, sizeof train_nll, "train_nll_bits=%.6f\n", train_loss / log(2.0));
    if (isfinite(t->p.last_val_loss))
        snprintf(val_nll, sizeof val_nll, "val_nll_bits=%.6f\n", t->p.last_val_loss / log(2.0));
    if (t->core.mask)
        snprintf(density, sizeof density, "pruned_density=%.6f\n", train_prune_kept(&t->core));
    snprintf(out, size,
             "name=SampleRNN trained by srnn train\n"
             "training_data=%s\n"
             "%s%s%s"
             "training_epochs=%" PRIu64 "\n"
             "training_batches=%" PRIu64 "\n"
             "training_steps=%" PRIu64 "\n"
             "created=%s\n"
             "created_by=srnn train\n",
             t->o->data_dir, train_nll, val_nll, density, t->p.epoch, t->p.batch,
             t->p.global_step, created);
}

/* MPI: whether every rank holds the same weights (a checksum compared); says which step they
 * parted at when not. Every rank calls it at the same step. */
static bool weights_agree(trainer *t)
{
    if (t->dist.size == 1) return true;
    t->last_weight_check = t->p.global_step;
    uint64_t checksum =
        train_dist_checksum(t->core.params, t->core.layout.floats * sizeof(float));
    if (train_dist_same(&t->dist, checksum)) return true;
    return fail("the processes' weights differ at step %" PRIu64 " (weight checksum %08" PRIx64
                " here): stopping; rerun the same command to resume from the last checkpoint",
                t->p.global_step, checksum);
}

/* Writes a checkpoint of the current state (rank 0); with previews, renders them from it. */
static bool save_checkpoint(trainer *t, bool previews)
{
    char model[TRAIN_PATH_MAX], state[TRAIN_PATH_MAX], error[TRAIN_CHECKPOINT_ERROR_MAX];
    char metadata[8192];
    if (!weights_agree(t)) return false;
    if (t->p.subsequence) {
        train_net_get_carried(t->core.net, t->carried_mine);
        train_dist_gather_rows(&t->dist, t->carried_mine, t->carried_all,
                               train_net_carried_per_row(t->core.net), t->o->batch_size);
    }
    t->last_checkpoint_step = t->p.global_step;
    if (t->dist.rank != 0) return true;
    train_checkpoint_paths(t->o->out_dir, t->p.global_step, model, state);
    t->p.elapsed_seconds = train_log_elapsed(&t->log);
    t->p.threads = (uint32_t)openblas_get_num_threads();
    t->p.processes = (uint32_t)t->dist.size;
    metadata_text(t, metadata, sizeof metadata);
    if (!train_checkpoint_write(&t->core, &t->p, t->carried_all, carried_floats(t), model, state,
                                metadata, error))
        return fail("%s", error);
    if (t->o->max_checkpoints) train_checkpoint_sweep(t->o->out_dir, t->o->max_checkpoints);
    train_say(&t->log, "checkpoint %s", model);
    if (previews && t->o->generate && t->o->temperature_count) {
        char dir[TRAIN_PATH_MAX], prefix[TRAIN_PATH_MAX + 64];
        snprintf(dir, sizeof dir, "%s/generated", t->o->out_dir);
        snprintf(prefix, sizeof prefix, "%s/ckpt-%09" PRIu64, dir, t->p.global_step);
        if (!make_dirs(dir) ||
            !train_preview(model, prefix, t->o->temperatures, t->o->temperature_count,
                           t->o->output_file_dur, t->p.global_step, error))
            train_say(&t->log, "warning: no preview: %s", make_dirs(dir) ? error : strerror(errno));
        else
            train_say(&t->log, "previews %s_t*.wav", prefix);
    }
    return true;
}

static bool save_best(trainer *t)
{
    char path[TRAIN_PATH_MAX], metadata[8192], error[SRNN_ERROR_MAX];
    if (t->dist.rank != 0) return true;
    snprintf(path, sizeof path, "%s/best.srnn", t->o->out_dir);
    metadata_text(t, metadata, sizeof metadata);
    if (train_core_write_model(&t->core, path, metadata, error) != SRNN_OK)
        return fail("%s: %s", path, error);
    return true;
}

/* ---- steps and batches -------------------------------------------------------------------- */

/* One optimisation step on the subsequence in t->inputs, the j-th of its batch: the pruning
 * schedule's masks when due, forward and backward (of this rank's rows), the ranks' gradients
 * summed, clip, update. false when out of memory. */
static bool step(trainer *t, size_t j, train_step_result *r)
{
    if (train_prune_due(&t->p.prune, t->p.global_step)) {
        if (!train_prune(&t->core, &t->p.prune, t->p.global_step))
            return fail("out of memory pruning");
        t->density = train_prune_kept(&t->core);
    }
    *r = train_core_gradients(&t->core, t->inputs, j == 0);
    bool stop = train_stop_requested() != 0;
    if (t->dist.size > 1) { /* the stop request rides along: every rank stops after one step */
        double stats[4] = {r->loss_sum, (double)r->correct, (double)r->count, stop};
        train_dist_sum_gradients(&t->dist, t->core.grads, t->core.layout.floats, t->share_rows,
                                 t->o->batch_size, stats, 4);
        r->loss_sum = stats[0];
        r->correct = (uint64_t)stats[1];
        r->count = (uint64_t)stats[2];
        r->finite = isfinite(r->loss_sum);
        stop = stats[3] > 0;
    }
    t->stop_agreed = stop;
    if (!t->nan_injected && t->p.global_step + 1 == t->o->inject_nan_at_step) {
        t->core.grads[0] = NAN; /* a stand-in for an exploding gradient, once */
        t->nan_injected = true;
    }
    train_core_apply(&t->core, r);
    return true;
}

/* Counts a step's result into the epoch and the log interval. */
static void count_step(train_progress *p, const train_step_result *r)
{
    p->global_step++;
    p->epoch_loss_sum += r->loss_sum;
    p->epoch_correct += r->correct;
    p->epoch_count += r->count;
    p->interval_loss_sum += r->loss_sum;
    p->interval_correct += r->correct;
    p->interval_count += r->count;
    p->interval_grad_norm_sum += r->grad_norm;
    p->interval_steps++;
}

/* One batch: its subsequences in order, states carried, from p.subsequence on (a run resumed
 * inside the batch starts from its checkpoint's carried states). A non-finite step puts the
 * state of the batch's start (or of the resume point) back, cuts the learning rate and runs
 * the batch again. A stop request ends the batch after the step under way with p.subsequence
 * the next one; otherwise p.subsequence is 0 at the end. */
static bool train_batch(trainer *t, const size_t *ids)
{
    train_rollback_save(&t->rollback, &t->core);
    for (;;) {
        train_progress before = t->p;
        bool finite = true;
        if (t->p.subsequence) train_net_set_carried(t->core.net, t->carried_mine);
        for (size_t j = t->p.subsequence; j < t->subsequences && finite; j++) {
            train_subsequence(&t->data, &t->config, ids + t->share_first, t->share_rows, j,
                              t->inputs);
            train_step_result r;
            if (!step(t, j, &r)) return false;
            finite = r.finite;
            if (!finite) break;
            count_step(&t->p, &r);
            t->p.subsequence = j + 1 < t->subsequences ? j + 1 : 0;
            if (t->p.global_step >= t->last_weight_check + WEIGHT_CHECK_STEPS &&
                !weights_agree(t))
                return false;
            train_log_step(&t->log, &t->p,
                           ((double)t->p.batch + (double)(j + 1) / (double)t->subsequences) /
                               (double)t->batches_per_epoch,
                           t->density);
            if (t->stop_agreed && t->p.subsequence) return true;
        }
        if (finite) return true;
        uint64_t failed_step = t->p.global_step + 1;
        t->p = before;
        train_rollback_restore(&t->rollback, &t->core);
        if (t->core.mask) t->density = train_prune_kept(&t->core);
        t->p.learning_rate *= NAN_CUT;
        t->core.opt.learning_rate = t->p.learning_rate;
        t->p.nan_recoveries++;
        char error[1024];
        if (!train_log_recovery(&t->log, &t->p, failed_step, error)) return fail("%s", error);
        if (t->p.learning_rate < MIN_LEARNING_RATE)
            return fail("the loss stays non-finite even at learning rate %.3g: giving up",
                        t->p.learning_rate);
    }
}

/* ---- epochs ------------------------------------------------------------------------------- */

static void validate(trainer *t, double *loss, double *accuracy)
{
    double loss_sum = 0.0;
    uint64_t correct = 0, count = 0; /* this rank's */
    for (size_t b = 0; b < t->val_batches; b++) {
        const size_t *ids = t->val_set.items + b * t->o->batch_size;
        const train_dataset *ds = t->has_val_data ? &t->val_data : &t->data;
        for (size_t j = 0; j < t->subsequences; j++) {
            train_subsequence(ds, &t->config, ids + t->share_first, t->share_rows, j, t->inputs);
            train_step_result r = train_core_evaluate(&t->core, t->inputs, j == 0);
            loss_sum += r.loss_sum;
            correct += r.correct;
            count += r.count;
        }
    }
    double sums[3] = {loss_sum, (double)correct, (double)count};
    train_dist_sum(&t->dist, sums, 3);
    *loss = sums[0] / sums[2];
    *accuracy = sums[1] / sums[2];
}

static double monitored(const trainer *t, double loss, double accuracy)
{
    switch (t->o->monitor) {
    case MONITOR_LOSS:
        return loss;
    case MONITOR_ACCURACY:
        return accuracy;
    case MONITOR_VAL_LOSS:
        return t->p.last_val_loss;
    case MONITOR_VAL_ACCURACY:
        return t->p.last_val_accuracy;
    }
    return loss;
}

static bool improves(const trainer *t, double value)
{
    if (!t->p.has_best) return isfinite(value);
    bool accuracy = t->o->monitor == MONITOR_ACCURACY || t->o->monitor == MONITOR_VAL_ACCURACY;
    return accuracy ? value > t->p.best_metric : value < t->p.best_metric;
}

/* Validation, logs, checkpoint and early stopping after an epoch; false to stop training. */
static bool end_epoch(trainer *t, bool *failed)
{
    const train_options *o = t->o;
    double loss = t->p.epoch_loss_sum / (double)t->p.epoch_count;
    double accuracy = (double)t->p.epoch_correct / (double)t->p.epoch_count;
    validate(t, &t->p.last_val_loss, &t->p.last_val_accuracy);
    train_log_epoch(&t->log, &t->p, loss, accuracy);
    uint64_t epoch = t->p.epoch + 1;

    double value = monitored(t, loss, accuracy);
    bool improved = improves(t, value);
    if (improved) {
        t->p.best_metric = value;
        t->p.has_best = 1;
        t->p.epochs_without_improvement = 0;
    } else {
        t->p.epochs_without_improvement++;
    }
    t->last_epoch_loss = loss;
    t->p.epoch = epoch;
    t->p.batch = 0;
    t->p.epoch_loss_sum = 0.0;
    t->p.epoch_correct = t->p.epoch_count = 0;
    if (improved && !save_best(t)) return *failed = true, false;
    bool due = epoch % o->checkpoint_every == 0 || epoch == o->num_epochs;
    if (due && (!o->checkpoint_best_only || improved) && !save_checkpoint(t, true))
        return *failed = true, false;
    if (t->p.epochs_without_improvement >= o->early_stopping_patience) {
        train_say(&t->log, "early stopping: no improvement for %" PRIu32 " epochs",
            t->p.epochs_without_improvement);
        return false;
    }
    return true;
}

/* Whether SIGINT, SIGTERM or SIGUSR1 reached any rank (after the last step or since): every rank gets
 * the same answer at the same point. */
static bool stop_asked(const trainer *t)
{
    return t->stop_agreed || train_dist_any(&t->dist, train_stop_requested() != 0);
}

/* Ends a run a signal stopped, with a checkpoint of where it stands. */
static int stop_now(trainer *t)
{
    if (t->last_checkpoint_step != t->p.global_step && !save_checkpoint(t, false)) return 1;
    int signal_number = train_stop_requested();
    char model[TRAIN_PATH_MAX], state[TRAIN_PATH_MAX];
    train_checkpoint_paths(t->o->out_dir, t->p.global_step, model, state);
    train_say(&t->log, "stopped at step %" PRIu64 " (%s): run the same command again to resume from %s",
              t->p.global_step,
              signal_number == SIGINT    ? "SIGINT"
              : signal_number == SIGTERM ? "SIGTERM"
              : signal_number == SIGUSR1 ? "SIGUSR1"
                                         : "a signal to another process",
              model);
    return 0;
}

static int run_epochs(trainer *t)
{
    const train_options *o = t->o;
    while (t->p.epoch < o->num_epochs) {
        if (t->p.batch == 0 && o->reduce_learning_rate_after &&
            t->p.epoch >= o->reduce_learning_rate_after) {
            t->p.learning_rate *= exp(SCHEDULE_DECAY);
            train_say(&t->log, "epoch %" PRIu64 ": learning rate %.4g", t->p.epoch + 1,
                      t->p.learning_rate);
        }
        t->core.opt.learning_rate = t->p.learning_rate;
        train_log_epoch_begin(&t->log, &t->p);
        train_epoch_order(&t->train_set, o->seed, t->p.epoch, t->order);
        while (t->p.batch < t->batches_per_epoch) {
            if (!train_batch(t, t->order + t->p.batch * o->batch_size)) return 1;
            if (t->p.subsequence) return stop_now(t); /* stopped inside the batch */
            t->p.batch++;
            t->batches_this_run++;
            bool last = t->p.batch == t->batches_per_epoch;
            bool stop = o->max_batches && t->batches_this_run >= o->max_batches;
            bool resume_point =
                o->checkpoint_every_batches && t->p.batch % o->checkpoint_every_batches == 0;
            bool asked = stop_asked(t);
            if (!last && (stop || resume_point || asked) && !save_checkpoint(t, false)) return 1;
            if (asked && !last) return stop_now(t);
            if (stop && !last) {
                train_say(&t->log, "stopping after %" PRIu64 " batches (--max_batches)",
                          t->batches_this_run);
                return 0;
            }
        }
        bool failed = false;
        if (!end_epoch(t, &failed)) return failed ? 1 : 0;
        if (stop_asked(t)) return stop_now(t);
        if (o->max_batches && t->batches_this_run >= o->max_batches) {
            if (t->last_checkpoint_step != t->p.global_step && !save_checkpoint(t, false)) return 1;
            train_say(&t->log, "stopping after %" PRIu64 " batches (--max_batches)",
                      t->batches_this_run);
            return 0;
        }
    }
    train_say(&t->log, "trained %" PRIu64 " epochs", t->p.epoch);
    return 0;
}

/* ---- the run ------------------------------------------------------------------------------ */

static void trainer_free(trainer *t)
{
    train_log_close(&t->log);
    train_rollback_free(&t->rollback);
    free(t->inputs);
    free(t->order);
    free(t->carried_mine);
    free(t->carried_all);
    train_core_free(&t->core);
    train_chunk_lists_free(&t->train_set, &t->val_set);
    train_dataset_free(&t->data);
    train_dataset_free(&t->val_data);
    if (t->run_lock >= 0) close(t->run_lock);
}

/* rank 0's weights, optimiser and progress (fresh or resumed) to every other rank. */
static void share_start(trainer *t)
{
    size_t bytes = t->core.layout.floats * sizeof(float);
    train_dist_broadcast(&t->dist, t->core.params, bytes);
    train_dist_broadcast(&t->dist, t->core.opt.m, bytes);
    train_dist_broadcast(&t->dist, t->core.opt.v, bytes);
    train_dist_broadcast(&t->dist, &t->core.opt.step, sizeof t->core.opt.step);
    train_dist_broadcast(&t->dist, &t->p, sizeof t->p);
}

/* Everything before the first step; false after saying why. Rank 0 alone locks, reads and
 * writes the run directory; every rank reads the data and makes its net for its share. */
static bool set_up(trainer *t)
{
    const train_options *o = t->o;
    bool lead = t->dist.rank == 0;
    char error[CKPT_ERROR_MAX];
    if (prism_config_read(o->config_path, &t->config, error) != SRNN_OK) return fail("%s", error);
    if (o->batch_size < (uint64_t)t->dist.size) /* said once, by rank 0 */
        return t->dist.rank == 0 &&
               fail("--batch_size %" PRIu64 " is smaller than the %d processes: each needs at "
                    "least one row of every batch",
                    o->batch_size, t->dist.size);
    openblas_set_num_threads(o->threads > 0 ? o->threads : train_dist_default_threads(&t->dist));
    if (lead && !make_dirs(o->out_dir)) return fail("%s: %s", o->out_dir, strerror(errno));
    if (lead) {
        t->run_lock = train_run_lock(o->out_dir, error, sizeof error);
        if (t->run_lock < 0) return fail("%s", error);
        train_remove_temporaries(o->out_dir); /* only now: they could be another trainer's */
    }
    if (!load_data(t)) return false;
    train_dist_share(t->dist.rank, t->dist.size, o->batch_size, &t->share_first,
                     &t->share_rows);
    char detail[SRNN_ERROR_MAX];
    if (!train_core_create(&t->core, &t->config, t->share_rows, o->optimizer, o->learning_rate,
                           o->momentum, detail))
        return fail("%s", detail);
    t->inputs =
        malloc(t->share_rows * (t->config.big_frame_size + t->config.seq_len) * sizeof *t->inputs);
    t->order = malloc(t->train_set.count * sizeof *t->order);
    t->carried_mine = malloc(t->share_rows * train_net_carried_per_row(t->core.net) * sizeof(float));
    t->carried_all = malloc(carried_floats(t) * sizeof(float));
    if ((train_prune_active(&o->prune) && !train_prune_begin(&t->core)) || !t->inputs ||
        !t->order || !t->carried_mine || !t->carried_all)
        return fail("out of memory");
    if (lead && !start_or_resume(t)) return false;
    if (!train_log_open(&t->log, o->out_dir, &t->p, o->num_epochs, o->log_every,
                        t->batches_per_epoch, t->subsequences * o->batch_size * t->config.seq_len,
                        t->config.sample_rate, error))
        return fail("%s", error);
    return true;
}

/* Rank 0's pruning mask (a checkpoint may have brought it) to every other rank, then the
 * rollback's room (with the mask's when there is one); false when out of memory. */
static bool prepare_batches(trainer *t)
{
    bool pruned = t->core.mask != NULL;
    train_dist_broadcast(&t->dist, &pruned, sizeof pruned);
    if (pruned && !t->core.mask && !train_prune_begin(&t->core)) return fail("out of memory");
    if (pruned)
        train_dist_broadcast(&t->dist, t->core.mask, t->core.layout.floats * sizeof(float));
    if (t->core.mask) t->density = train_prune_kept(&t->core);
    if (!train_rollback_create(&t->rollback, &t->core)) return fail("out of memory");
    return true;
}

/* Every rank must see the same data: the same files under --data on every machine. */
static bool same_data(trainer *t)
{
    if (t->dist.size == 1) return true;
    const train_dataset *ds = &t->data;
    uint64_t checksum = train_dist_checksum(ds->samples, ds->sample_count * sizeof *ds->samples) ^
                        (uint64_t)ds->chunk_count << 32;
    if (t->has_val_data)
        checksum ^= train_dist_checksum(t->val_data.samples,
                                        t->val_data.sample_count * sizeof *t->val_data.samples)
                    << 16;
    if (train_dist_same(&t->dist, checksum)) return true;
    return t->dist.rank != 0 ||
           fail("the processes read different data: every machine needs the same files under "
                "--data (and --val_data)");
}

static void describe_run(trainer *t)
{
    const train_options *o = t->o;
    describe_data(t, o->data_dir, &t->data);
    if (t->has_val_data) describe_data(t, o->val_dir, &t->val_data);
    train_say(&t->log,
        "model: %s, D=%" PRIu32 ", L=%" PRIu32 ", frames %" PRIu32 "/%" PRIu32 ", %s Q=%" PRIu32
        "%s, seq_len %" PRIu32 ": %zu parameters, %.0f MiB of activations",
        t->config.rnn_type == SRNN_RNN_GRU ? "GRU" : "LSTM", t->config.dim, t->config.num_rnn_layers,
        t->config.frame_size, t->config.big_frame_size,
        t->config.q_type == SRNN_Q_MULAW ? "mu-law" : "linear", t->config.q_levels,
        t->config.skip_conn ? ", skip connections" : "", t->config.seq_len, t->core.layout.parameters,
        (double)train_net_bytes(t->core.net) / (1 << 20));
    train_say(&t->log,
        "training: %zu chunks in %zu batches of %" PRIu64 ", %zu subsequences each: %zu steps "
        "an epoch; validation: %zu chunks; %s, learning rate %g; %d threads",
        t->train_set.count, t->batches_per_epoch, o->batch_size, t->subsequences,
        t->batches_per_epoch * t->subsequences, t->val_set.count, train_optimizer_name(o->optimizer),
        t->p.learning_rate, openblas_get_num_threads());
    const train_prune_options *prune = &t->p.prune;
    if (train_prune_active(prune))
        train_say(&t->log,
                  "pruning: to densities %g (RNN), %g (upsamplings), %g (sample MLP) from step "
                  "%" PRIu64 " to %" PRIu64 ", every %" PRIu64 " steps; now %.3f of the prunable "
                  "weights kept",
                  prune->density[SRNN_PRUNE_RNN], prune->density[SRNN_PRUNE_UPSAMPLING],
                  prune->density[SRNN_PRUNE_MLP], prune->start, prune->end, prune->every,
                  train_prune_kept(&t->core));
    if (t->dist.size > 1) {
        uint64_t fewest = o->batch_size / (uint64_t)t->dist.size;
        char rows[64];
        if (o->batch_size % (uint64_t)t->dist.size)
            snprintf(rows, sizeof rows, "%" PRIu64 " or %" PRIu64, fewest, fewest + 1);
        else
            snprintf(rows, sizeof rows, "%" PRIu64, fewest);
        train_say(&t->log,
                  "MPI: %d processes (%d on this machine), %s rows of each batch each; "
                  "gradients of %zu bytes summed every step",
                  t->dist.size, t->dist.local_size, rows, t->core.layout.floats * sizeof(float));
        /* Open MPI's mpirun answers Ctrl-C by SIGTERM to every process and SIGKILL a second
         * later (odls_base_sigkill_timeout), too soon for a long step and its checkpoint. */
        train_say(&t->log, "MPI: to stop with a checkpoint, pkill -USR1 -x mpirun (it forwards "
                           "SIGUSR1 to every process); Ctrl-C on mpirun kills them a second "
                           "after asking them to stop");
    }
}

/* MPI: what summing the gradients cost this run. */
static void describe_reductions(trainer *t, double seconds)
{
    if (t->dist.size == 1 || t->dist.reductions == 0) return;
    train_say(&t->log,
              "MPI: %" PRIu64 " gradient sums of %zu bytes, %.3f ms each, %.1f%% of the run's "
              "%.1f s",
              t->dist.reductions, t->core.layout.floats * sizeof(float),
              1e3 * t->dist.reduce_seconds / (double)t->dist.reductions,
              100.0 * t->dist.reduce_seconds / seconds, seconds);
}

int train_run(const train_options *o)
{
    trainer t = {0};
    t.o = o;
    t.run_lock = -1;
    t.last_checkpoint_step = UINT64_MAX;
    t.last_epoch_loss = NAN;
    t.density = NAN;
    train_log_begin(&t.log);
    char error[TRAIN_DIST_ERROR_MAX];
    if (!train_dist_start(&t.dist, error)) {
        fail("%s", error);
        return 1;
    }
    failing_rank = t.dist.rank;
    t.log.silent = t.dist.rank != 0;
    train_stop_catch();
    int status = 1;
    bool ready = set_up(&t), started = false;
    if (!train_dist_any(&t.dist, !ready)) { /* every rank ready */
        started = true; /* from here a failure may be one rank's alone */
        share_start(&t);
        if (t.p.subsequence)
            train_dist_scatter_rows(&t.dist, t.carried_all, t.carried_mine,
                                    train_net_carried_per_row(t.core.net), o->batch_size);
        t.last_weight_check = t.p.global_step;
        t.core.opt.learning_rate = t.p.learning_rate;
        if (prepare_batches(&t) && same_data(&t) && weights_agree(&t)) {
            describe_run(&t);
            double start = train_log_elapsed(&t.log);
            if (t.p.epoch >= o->num_epochs) {
                train_say(&t.log, "already trained %" PRIu64 " epochs", t.p.epoch);
                status = 0;
            } else {
                status = run_epochs(&t);
            }
            describe_reductions(&t, train_log_elapsed(&t.log) - start);
            train_log_end(&t.log);
        }
    }
    bool agreed = !started || status == 0;
    trainer_free(&t);
    train_stop_release();
    train_dist_end(&t.dist, agreed);
    failing_rank = 0;
    return status;
}
