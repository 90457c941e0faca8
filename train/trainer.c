/* The training loop of PRiSM's train.py: epochs of batches of stateful subsequences, validation
 * at each epoch's end, checkpoints, previews, the learning-rate schedule and early stopping;
 * and what PRiSM lacked: resume points inside an epoch, exact resumption, and recovery from a
 * non-finite loss or gradient (the weights of the batch's start back, learning rate x0.1). */
#include <cblas.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "core.h"
#include "csv_log.h"
#include "dataset.h"
#include "init.h"
#include "preview.h"
#include "prism_config.h"
#include "run_lock.h"
#include "tfevents.h"
#include "train.h"

#define NAN_CUT 0.1             /* the learning rate after a non-finite step, times */
#define MIN_LEARNING_RATE 1e-12 /* below this, recovery has failed: stop */
#define SCHEDULE_DECAY -0.1     /* train.py's scheduler: lr·exp(-0.1) per epoch after N */

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
}

typedef struct {
    double loss_sum, grad_norm_sum;
    uint64_t correct, count, steps;
    double start; /* seconds */
} interval_stats;

typedef struct {
    const train_options *o;
    srnn_config config;
    train_dataset data, val_data;
    bool has_val_data;
    train_chunk_list train_set, val_set;
    size_t subsequences, batches_per_epoch, val_batches;
    train_core core;
    train_progress p;
    float *backup_params, *backup_m, *backup_v; /* the state at the start of the batch */
    int32_t *inputs;
    size_t *order;
    train_csv steps_csv, epochs_csv;
    train_events events;
    double run_start, elapsed_before;
    interval_stats interval;
    uint64_t batches_this_run;
    uint64_t last_checkpoint_step; /* UINT64_MAX before the first of this run */
    bool nan_injected;             /* --inject_nan_at_step has fired */
    double last_epoch_loss;        /* of the last epoch this run finished, else NAN */
    bool tty;
    double bar_drawn;
    int run_lock; /* the run directory's lock file, -1 before it is taken */
} trainer;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static double wall_time(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* One line on stderr naming the problem; returns false for the callers' convenience. */
static bool fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
static bool fail(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("srnn: train: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    return false;
}

/* A log line on stdout; the progress bar (stderr) is cleared first and redrawn later. */
static void say(trainer *t, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void say(trainer *t, const char *format, ...)
{
    if (t->tty) fputs("\r\033[K", stderr);
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
    t->bar_drawn = 0.0;
}

static double elapsed(const trainer *t) { return t->elapsed_before + now_seconds() - t->run_start; }

static void format_duration(char *out, size_t size, double seconds)
{
    if (!isfinite(seconds) || seconds < 0) seconds = 0;
    uint64_t s = (uint64_t)seconds;
    if (s >= 3600)
        snprintf(out, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
    else
        snprintf(out, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
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
    say(t,
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
    return true;
}

/* The step in a checkpoint's name (…/ckpt-STEP.srnn), or 0. */
static uint64_t checkpoint_step(const char *path)
{
    const char *name = strrchr(path, '/');
    uint64_t step = 0;
    sscanf(name ? name + 1 : path, "ckpt-%" SCNu64, &step);
    return step;
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
        if (!train_checkpoint_read(&t->core, &t->p, model, state, error)) return fail("%s", error);
        if (!check_resumed(t)) return false;
        if (o->learning_rate_set && o->learning_rate != t->p.learning_rate) {
            say(t, "learning rate %g as asked (the checkpoint's was %g)", o->learning_rate,
                t->p.learning_rate);
            t->p.learning_rate = o->learning_rate;
        }
        int threads = openblas_get_num_threads();
        if (t->p.threads != (uint32_t)threads)
            say(t,
                "note: the checkpoint was made with %" PRIu32 " threads, this run has %d: the "
                "losses may differ from an uninterrupted run in the last digits",
                t->p.threads, threads);
        say(t, "resuming from %s: epoch %" PRIu64 ", batch %" PRIu64 ", step %" PRIu64, model,
            t->p.epoch + 1, t->p.batch, t->p.global_step);
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
        say(t, "starting from the weights of %s (no optimiser state beside it)", model);
        return true;
    }
    if (!train_init_weights(&t->core.layout, t->core.params, o->seed))
        return fail("out of memory initialising the weights");
    return true;
}

static bool open_logs(trainer *t)
{
    char path[TRAIN_PATH_MAX], error[1024];
    snprintf(path, sizeof path, "%s/steps.csv", t->o->out_dir);
    if (!train_csv_open(&t->steps_csv, path,
                        "step,epoch,batch,loss,accuracy,learning_rate,grad_norm,samples_per_second,"
                        "elapsed_seconds",
                        t->p.global_step, error))
        return fail("%s", error);
    snprintf(path, sizeof path, "%s/epochs.csv", t->o->out_dir);
    if (!train_csv_open(
            &t->epochs_csv, path,
            "epoch,step,loss,accuracy,val_loss,val_accuracy,learning_rate,elapsed_seconds",
            t->p.epoch, error))
        return fail("%s", error);
    if (!train_events_open(&t->events, t->o->out_dir, error)) return fail("%s", error);
    return true;
}

/* ---- checkpoints -------------------------------------------------------------------------- */

/* "key=value\n" lines for a checkpoint's metadata; the NLLs only once they are known. */
static void metadata_text(const trainer *t, char *out, size_t size)
{
    time_t now = time(NULL);
    char created[32], train_nll[64] = "", val_nll[64] = "";
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    double train_loss = t->p.epoch_count ? t->p.epoch_loss_sum / (double)t->p.epoch_count
                                         : t->last_epoch_loss;
    if (isfinite(train_loss))
        snprintf(train_nll, sizeof train_nll, "train_nll_bits=%.6f\n", train_loss / log(2.0));
    if (isfinite(t->p.last_val_loss))
        snprintf(val_nll, sizeof val_nll, "val_nll_bits=%.6f\n", t->p.last_val_loss / log(2.0));
    snprintf(out, size,
             "name=SampleRNN trained by srnn train\n"
             "training_data=%s\n"
             "%s%s"
             "training_epochs=%" PRIu64 "\n"
             "training_batches=%" PRIu64 "\n"
             "training_steps=%" PRIu64 "\n"
             "created=%s\n"
             "created_by=srnn train\n",
             t->o->data_dir, train_nll, val_nll, t->p.epoch, t->p.batch, t->p.global_step, created);
}

/* Writes a checkpoint of the current state; with previews, renders them from it. */
static bool save_checkpoint(trainer *t, bool previews)
{
    char model[TRAIN_PATH_MAX], state[TRAIN_PATH_MAX], error[TRAIN_CHECKPOINT_ERROR_MAX];
    char metadata[8192];
    train_checkpoint_paths(t->o->out_dir, t->p.global_step, model, state);
    t->p.elapsed_seconds = elapsed(t);
    t->p.threads = (uint32_t)openblas_get_num_threads();
    t->p.interval_loss_sum = t->interval.loss_sum;
    t->p.interval_grad_norm_sum = t->interval.grad_norm_sum;
    t->p.interval_correct = t->interval.correct;
    t->p.interval_count = t->interval.count;
    t->p.interval_steps = t->interval.steps;
    metadata_text(t, metadata, sizeof metadata);
    if (!train_checkpoint_write(&t->core, &t->p, model, state, metadata, error))
        return fail("%s", error);
    if (t->o->max_checkpoints) train_checkpoint_sweep(t->o->out_dir, t->o->max_checkpoints);
    t->last_checkpoint_step = t->p.global_step;
    say(t, "checkpoint %s", model);
    if (previews && t->o->generate && t->o->temperature_count) {
        char dir[TRAIN_PATH_MAX], prefix[TRAIN_PATH_MAX + 64];
        snprintf(dir, sizeof dir, "%s/generated", t->o->out_dir);
        snprintf(prefix, sizeof prefix, "%s/ckpt-%09" PRIu64, dir, t->p.global_step);
        if (!make_dirs(dir) ||
            !train_preview(model, prefix, t->o->temperatures, t->o->temperature_count,
                           t->o->output_file_dur, t->p.global_step, error))
            say(t, "warning: no preview: %s", make_dirs(dir) ? error : strerror(errno));
        else
            say(t, "previews %s_t*.wav", prefix);
    }
    return true;
}

static bool save_best(trainer *t)
{
    char path[TRAIN_PATH_MAX], metadata[8192], error[SRNN_ERROR_MAX];
    snprintf(path, sizeof path, "%s/best.srnn", t->o->out_dir);
    metadata_text(t, metadata, sizeof metadata);
    if (train_core_write_model(&t->core, path, metadata, error) != SRNN_OK)
        return fail("%s: %s", path, error);
    return true;
}

/* ---- steps and batches -------------------------------------------------------------------- */

static void backup_state(trainer *t)
{
    size_t bytes = t->core.layout.floats * sizeof(float);
    memcpy(t->backup_params, t->core.params, bytes);
    memcpy(t->backup_m, t->core.opt.m, bytes);
    memcpy(t->backup_v, t->core.opt.v, bytes);
}

static void restore_state(trainer *t, uint64_t opt_step)
{
    size_t bytes = t->core.layout.floats * sizeof(float);
    memcpy(t->core.params, t->backup_params, bytes);
    memcpy(t->core.opt.m, t->backup_m, bytes);
    memcpy(t->core.opt.v, t->backup_v, bytes);
    t->core.opt.step = opt_step;
}

static void draw_bar(trainer *t, double epoch_progress, double samples_per_second)
{
    double now = now_seconds();
    if (!t->tty || now - t->bar_drawn < 0.1) return;
    t->bar_drawn = now;
    enum { WIDTH = 24 };
    char bar[WIDTH + 1], eta[32];
    int filled = (int)(epoch_progress * WIDTH);
    for (int i = 0; i < WIDTH; i++) bar[i] = i < filled ? '=' : ' ';
    bar[WIDTH] = '\0';
    double remaining_samples = (1.0 - epoch_progress) * (double)t->batches_per_epoch *
                               (double)t->subsequences * t->o->batch_size * t->config.seq_len;
    format_duration(eta, sizeof eta, remaining_samples / samples_per_second);
    double count = t->p.epoch_count ? (double)t->p.epoch_count : 1.0;
    fprintf(stderr,
            "\r\033[Kepoch %" PRIu64 "/%" PRIu64 " [%s] %3.0f%% loss %.4f acc %.2f%% "
            "%.0f samples/s ETA %s",
            t->p.epoch + 1, t->o->num_epochs, bar, 100.0 * epoch_progress,
            t->p.epoch_loss_sum / count, 100.0 * (double)t->p.epoch_correct / count,
            samples_per_second, eta);
    fflush(stderr);
}

/* The interval's log line, CSV row and TensorBoard points, every log_every steps. */
static void log_interval(trainer *t)
{
    interval_stats *s = &t->interval;
    if (s->steps == 0) return;
    double now = now_seconds(), seconds = now - s->start;
    double loss = s->loss_sum / (double)s->count, accuracy = (double)s->correct / (double)s->count;
    double grad_norm = s->grad_norm_sum / (double)s->steps;
    double rate = seconds > 0 ? (double)s->count / seconds : 0.0;
    double epoch_progress = (double)t->p.batch / (double)t->batches_per_epoch;
    char eta[32];
    format_duration(eta, sizeof eta,
                    (1.0 - epoch_progress) * (double)t->batches_per_epoch *
                        (double)t->subsequences * t->o->batch_size * t->config.seq_len /
                        (rate > 0 ? rate : 1.0));
    say(t,
        "epoch %" PRIu64 "/%" PRIu64 " batch %" PRIu64 "/%zu step %" PRIu64 ": loss %.4f "
        "accuracy %.2f%% grad_norm %.3g lr %.3g, %.0f samples/s, epoch ETA %s",
        t->p.epoch + 1, t->o->num_epochs, t->p.batch, t->batches_per_epoch, t->p.global_step, loss,
        100.0 * accuracy, grad_norm, t->p.learning_rate, rate, eta);
    train_csv_row(&t->steps_csv,
                  "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.9g,%.9g,%.9g,%.9g,%.1f,%.1f",
                  t->p.global_step, t->p.epoch + 1, t->p.batch, loss, accuracy, t->p.learning_rate,
                  grad_norm, rate, elapsed(t));
    double wall = wall_time();
    int64_t step = (int64_t)t->p.global_step;
    train_events_scalar(&t->events, "loss", step, wall, (float)loss);
    train_events_scalar(&t->events, "accuracy", step, wall, (float)accuracy);
    train_events_scalar(&t->events, "learning_rate", step, wall, (float)t->p.learning_rate);
    train_events_scalar(&t->events, "grad_norm", step, wall, (float)grad_norm);
    *s = (interval_stats){.start = now};
}

/* One batch: its subsequences in order, states carried. A non-finite step puts the state of
 * the batch's start back, cuts the learning rate and runs the batch again. */
static bool train_batch(trainer *t, const size_t *ids)
{
    const train_options *o = t->o;
    uint64_t opt_step = t->core.opt.step;
    backup_state(t);
    for (;;) {
        train_progress before = t->p;
        interval_stats interval_before = t->interval;
        bool finite = true;
        for (size_t j = 0; j < t->subsequences && finite; j++) {
            train_subsequence(&t->data, &t->config, ids, o->batch_size, j, t->inputs);
            train_step_result r = train_core_gradients(&t->core, t->inputs, j == 0);
            if (!t->nan_injected && t->p.global_step + 1 == o->inject_nan_at_step) {
                t->core.grads[0] = NAN; /* a stand-in for an exploding gradient, once */
                t->nan_injected = true;
            }
            train_core_apply(&t->core, &r);
            finite = r.finite;
            if (!finite) break;
            t->p.global_step++;
            t->p.epoch_loss_sum += r.loss_sum;
            t->p.epoch_correct += r.correct;
            t->p.epoch_count += r.count;
            interval_stats *s = &t->interval;
            s->loss_sum += r.loss_sum;
            s->correct += r.correct;
            s->count += r.count;
            s->grad_norm_sum += r.grad_norm;
            s->steps++;
            double progress = ((double)t->p.batch + (double)(j + 1) / (double)t->subsequences) /
                              (double)t->batches_per_epoch;
            draw_bar(t, progress, s->count / fmax(now_seconds() - s->start, 1e-9));
            if (t->p.global_step % o->log_every == 0) log_interval(t);
        }
        if (finite) return true;
        uint64_t failed_step = t->p.global_step + 1;
        char error[1024];
        if (!train_csv_rewind(&t->steps_csv, before.global_step, error)) {
            fail("%s", error);
            return false;
        }
        t->p = before;
        t->interval = interval_before;
        restore_state(t, opt_step);
        t->p.learning_rate *= NAN_CUT;
        t->core.opt.learning_rate = t->p.learning_rate;
        t->p.nan_recoveries++;
        say(t,
            "step %" PRIu64 ": non-finite loss or gradient: weights and optimiser restored "
            "to the start of batch %" PRIu64 ", learning rate cut to %.3g, batch repeated",
            failed_step, t->p.batch + 1, t->p.learning_rate);
        train_events_scalar(&t->events, "learning_rate", (int64_t)t->p.global_step, wall_time(),
                            (float)t->p.learning_rate);
        if (t->p.learning_rate < MIN_LEARNING_RATE) {
            fail("the loss stays non-finite even at learning rate %.3g: giving up",
                 t->p.learning_rate);
            return false;
        }
    }
}

/* ---- epochs ------------------------------------------------------------------------------- */

static void validate(trainer *t, double *loss, double *accuracy)
{
    double loss_sum = 0.0;
    uint64_t correct = 0, count = 0;
    for (size_t b = 0; b < t->val_batches; b++) {
        const size_t *ids = t->val_set.items + b * t->o->batch_size;
        const train_dataset *ds = t->has_val_data ? &t->val_data : &t->data;
        for (size_t j = 0; j < t->subsequences; j++) {
            train_subsequence(ds, &t->config, ids, t->o->batch_size, j, t->inputs);
            train_step_result r = train_core_evaluate(&t->core, t->inputs, j == 0);
            loss_sum += r.loss_sum;
            correct += r.correct;
            count += r.count;
        }
    }
    *loss = loss_sum / (double)count;
    *accuracy = (double)correct / (double)count;
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
    uint64_t epoch = t->p.epoch + 1;
    say(t,
        "epoch %" PRIu64 "/%" PRIu64 ": loss %.4f (%.4f bits) accuracy %.2f%%, val_loss %.4f "
        "(%.4f bits) val_accuracy %.2f%%, %" PRIu64 " steps",
        epoch, o->num_epochs, loss, loss / log(2.0), 100.0 * accuracy, t->p.last_val_loss,
        t->p.last_val_loss / log(2.0), 100.0 * t->p.last_val_accuracy, t->p.global_step);
    train_csv_row(&t->epochs_csv, "%" PRIu64 ",%" PRIu64 ",%.9g,%.9g,%.9g,%.9g,%.9g,%.1f", epoch,
                  t->p.global_step, loss, accuracy, t->p.last_val_loss, t->p.last_val_accuracy,
                  t->p.learning_rate, elapsed(t));
    double wall = wall_time();
    int64_t step = (int64_t)t->p.global_step;
    train_events_scalar(&t->events, "epoch_loss", step, wall, (float)loss);
    train_events_scalar(&t->events, "epoch_accuracy", step, wall, (float)accuracy);
    train_events_scalar(&t->events, "val_loss", step, wall, (float)t->p.last_val_loss);
    train_events_scalar(&t->events, "val_accuracy", step, wall, (float)t->p.last_val_accuracy);

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
        say(t, "early stopping: no improvement for %" PRIu32 " epochs",
            t->p.epochs_without_improvement);
        return false;
    }
    return true;
}

static int run_epochs(trainer *t)
{
    const train_options *o = t->o;
    while (t->p.epoch < o->num_epochs) {
        if (t->p.batch == 0 && o->reduce_learning_rate_after &&
            t->p.epoch >= o->reduce_learning_rate_after) {
            t->p.learning_rate *= exp(SCHEDULE_DECAY);
            say(t, "epoch %" PRIu64 ": learning rate %.4g", t->p.epoch + 1, t->p.learning_rate);
        }
        t->core.opt.learning_rate = t->p.learning_rate;
        train_epoch_order(&t->train_set, o->seed, t->p.epoch, t->order);
        while (t->p.batch < t->batches_per_epoch) {
            if (!train_batch(t, t->order + t->p.batch * o->batch_size)) return 1;
            t->p.batch++;
            t->batches_this_run++;
            bool last = t->p.batch == t->batches_per_epoch;
            bool stop = o->max_batches && t->batches_this_run >= o->max_batches;
            bool resume_point =
                o->checkpoint_every_batches && t->p.batch % o->checkpoint_every_batches == 0;
            if (!last && (stop || resume_point) && !save_checkpoint(t, false)) return 1;
            if (stop && !last) {
                say(t, "stopping after %" PRIu64 " batches (--max_batches)", t->batches_this_run);
                return 0;
            }
        }
        bool failed = false;
        if (!end_epoch(t, &failed)) return failed ? 1 : 0;
        if (o->max_batches && t->batches_this_run >= o->max_batches) {
            if (t->last_checkpoint_step != t->p.global_step && !save_checkpoint(t, false)) return 1;
            say(t, "stopping after %" PRIu64 " batches (--max_batches)", t->batches_this_run);
            return 0;
        }
    }
    say(t, "trained %" PRIu64 " epochs", t->p.epoch);
    return 0;
}

/* ---- the run ------------------------------------------------------------------------------ */

static void trainer_free(trainer *t)
{
    train_csv_close(&t->steps_csv);
    train_csv_close(&t->epochs_csv);
    train_events_close(&t->events);
    free(t->backup_params);
    free(t->backup_m);
    free(t->backup_v);
    free(t->inputs);
    free(t->order);
    train_core_free(&t->core);
    train_chunk_lists_free(&t->train_set, &t->val_set);
    train_dataset_free(&t->data);
    train_dataset_free(&t->val_data);
    if (t->run_lock >= 0) close(t->run_lock);
}

int train_run(const train_options *o)
{
    trainer t = {0};
    t.o = o;
    t.run_lock = -1;
    t.last_checkpoint_step = UINT64_MAX;
    t.last_epoch_loss = NAN;
    t.tty = isatty(STDERR_FILENO);
    t.run_start = now_seconds();
    char error[CKPT_ERROR_MAX];
    if (prism_config_read(o->config_path, &t.config, error) != SRNN_OK) {
        fail("%s", error);
        return 1;
    }
    openblas_set_num_threads(o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN));
    if (!make_dirs(o->out_dir)) {
        fail("%s: %s", o->out_dir, strerror(errno));
        return 1;
    }
    int status = 1;
    t.run_lock = train_run_lock(o->out_dir, error, sizeof error);
    if (t.run_lock < 0) {
        fail("%s", error);
        goto done;
    }
    train_remove_temporaries(o->out_dir); /* only now: they could be another trainer's */
    if (!load_data(&t)) goto done;
    char detail[SRNN_ERROR_MAX];
    if (!train_core_create(&t.core, &t.config, o->batch_size, o->optimizer, o->learning_rate,
                           o->momentum, detail)) {
        fail("%s", detail);
        goto done;
    }
    size_t floats = t.core.layout.floats;
    t.backup_params = malloc(floats * sizeof(float));
    t.backup_m = malloc(floats * sizeof(float));
    t.backup_v = malloc(floats * sizeof(float));
    t.inputs =
        malloc(o->batch_size * (t.config.big_frame_size + t.config.seq_len) * sizeof *t.inputs);
    t.order = malloc(t.train_set.count * sizeof *t.order);
    if (!t.backup_params || !t.backup_m || !t.backup_v || !t.inputs || !t.order) {
        fail("out of memory");
        goto done;
    }
    if (!start_or_resume(&t) || !open_logs(&t)) goto done;
    t.elapsed_before = t.p.elapsed_seconds;
    t.core.opt.learning_rate = t.p.learning_rate;

    describe_data(&t, o->data_dir, &t.data);
    if (t.has_val_data) describe_data(&t, o->val_dir, &t.val_data);
    say(&t,
        "model: %s, D=%" PRIu32 ", L=%" PRIu32 ", frames %" PRIu32 "/%" PRIu32 ", %s Q=%" PRIu32
        "%s, seq_len %" PRIu32 ": %zu parameters, %.0f MiB of activations",
        t.config.rnn_type == SRNN_RNN_GRU ? "GRU" : "LSTM", t.config.dim, t.config.num_rnn_layers,
        t.config.frame_size, t.config.big_frame_size,
        t.config.q_type == SRNN_Q_MULAW ? "mu-law" : "linear", t.config.q_levels,
        t.config.skip_conn ? ", skip connections" : "", t.config.seq_len, t.core.layout.parameters,
        (double)train_net_bytes(t.core.net) / (1 << 20));
    say(&t,
        "training: %zu chunks in %zu batches of %" PRIu64 ", %zu subsequences each: %zu steps "
        "an epoch; validation: %zu chunks; %s, learning rate %g; %d threads",
        t.train_set.count, t.batches_per_epoch, o->batch_size, t.subsequences,
        t.batches_per_epoch * t.subsequences, t.val_set.count, train_optimizer_name(o->optimizer),
        t.p.learning_rate, openblas_get_num_threads());
    t.interval =
        (interval_stats){t.p.interval_loss_sum, t.p.interval_grad_norm_sum, t.p.interval_correct,
                         t.p.interval_count,    t.p.interval_steps,         now_seconds()};
    if (t.p.epoch >= o->num_epochs) {
        say(&t, "already trained %" PRIu64 " epochs", t.p.epoch);
        status = 0;
    } else {
        status = run_epochs(&t);
    }
    if (t.tty) fputs("\r\033[K", stderr);
done:
    trainer_free(&t);
    return status;
}
