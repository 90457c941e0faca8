#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run_log.h"

static double wall_time(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static void format_duration(char *out, size_t size, double seconds)
{
    if (!isfinite(seconds) || seconds < 0) seconds = 0;
    uint64_t s = (uint64_t)seconds;
    if (s >= 3600)
        snprintf(out, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
    else
        snprintf(out, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
}

void train_log_begin(train_log *rl)
{
    memset(rl, 0, sizeof *rl);
    rl->tty = isatty(STDERR_FILENO);
    rl->run_start = rl->interval_start = progress_now();
}

bool train_log_open(train_log *rl, const char *run_dir, const train_progress *p,
                    uint64_t num_epochs, uint64_t log_every, uint64_t batches_per_epoch,
                    uint64_t samples_per_batch, uint32_t sample_rate, char *error)
{
    rl->elapsed_before = p->elapsed_seconds;
    rl->num_epochs = num_epochs;
    rl->log_every = log_every;
    rl->batches_per_epoch = batches_per_epoch;
    rl->samples_per_batch = samples_per_batch;
    rl->sample_rate = sample_rate;
    if (rl->silent) return true;
    char path[4096 + 16];
    snprintf(path, sizeof path, "%s/steps.csv", run_dir);
    if (!train_csv_open(&rl->steps_csv, path,
                        "step,epoch,batch,loss,accuracy,learning_rate,grad_norm,samples_per_second,"
                        "elapsed_seconds",
                        p->global_step, error))
        return false;
    snprintf(path, sizeof path, "%s/epochs.csv", run_dir);
    if (!train_csv_open(
            &rl->epochs_csv, path,
            "epoch,step,loss,accuracy,val_loss,val_accuracy,learning_rate,elapsed_seconds",
            p->epoch, error))
        return false;
    return train_events_open(&rl->events, run_dir, error);
}

void train_log_close(train_log *rl)
{
    train_csv_close(&rl->steps_csv);
    train_csv_close(&rl->epochs_csv);
    train_events_close(&rl->events);
}

void train_say(train_log *rl, const char *format, ...)
{
    if (rl->silent) return;
    if (rl->tty) fputs("\r\033[K", stderr);
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
    rl->bar.last_drawn = 0.0;
}

double train_log_elapsed(const train_log *rl)
{
    return rl->elapsed_before + progress_now() - rl->run_start;
}

void train_log_epoch_begin(train_log *rl, const train_progress *p)
{
    progress_begin(&rl->bar, rl->bar_label, rl->batches_per_epoch * rl->samples_per_batch,
                   rl->sample_rate);
    rl->bar.done_before = p->batch * rl->samples_per_batch;
}

/* The next log interval starts: every rank's progress keeps the same sums. */
static void next_interval(train_log *rl, train_progress *p, double now)
{
    p->interval_loss_sum = p->interval_grad_norm_sum = 0.0;
    p->interval_correct = p->interval_count = p->interval_steps = 0;
    rl->interval_start = now;
}

/* The interval's log line, CSV row and TensorBoard points. */
static void log_interval(train_log *rl, train_progress *p, double density)
{
    if (p->interval_steps == 0) return;
    if (rl->silent) {
        next_interval(rl, p, 0.0);
        return;
    }
    double now = progress_now(), seconds = now - rl->interval_start;
    double count = (double)p->interval_count;
    double loss = p->interval_loss_sum / count, accuracy = (double)p->interval_correct / count;
    double grad_norm = p->interval_grad_norm_sum / (double)p->interval_steps;
    double rate = seconds > 0 ? count / seconds : 0.0;
    double epoch_progress = (double)p->batch / (double)rl->batches_per_epoch;
    char eta[32], pruned[32] = "";
    if (!isnan(density)) snprintf(pruned, sizeof pruned, ", density %.3f", density);
    format_duration(eta, sizeof eta,
                    (1.0 - epoch_progress) * (double)rl->batches_per_epoch *
                        (double)rl->samples_per_batch / (rate > 0 ? rate : 1.0));
    train_say(rl,
              "epoch %" PRIu64 "/%" PRIu64 " batch %" PRIu64 "/%" PRIu64 " step %" PRIu64
              ": loss %.4f accuracy %.2f%% grad_norm %.3g lr %.3g%s, %.0f samples/s, epoch ETA %s",
              p->epoch + 1, rl->num_epochs, p->batch, rl->batches_per_epoch, p->global_step,
              loss, 100.0 * accuracy, grad_norm, p->learning_rate, pruned, rate, eta);
    train_csv_row(&rl->steps_csv,
                  "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.9g,%.9g,%.9g,%.9g,%.1f,%.1f",
                  p->global_step, p->epoch + 1, p->batch, loss, accuracy, p->learning_rate,
                  grad_norm, rate, train_log_elapsed(rl));
    double wall = wall_time();
    int64_t step = (int64_t)p->global_step;
    train_events_scalar(&rl->events, "loss", step, wall, (float)loss);
    train_events_scalar(&rl->events, "accuracy", step, wall, (float)accuracy);
    train_events_scalar(&rl->events, "learning_rate", step, wall, (float)p->learning_rate);
    train_events_scalar(&rl->events, "grad_norm", step, wall, (float)grad_norm);
    if (!isnan(density)) train_events_scalar(&rl->events, "density", step, wall, (float)density);
    next_interval(rl, p, now);
}

void train_log_step(train_log *rl, train_progress *p, double epoch_fraction, double density)
{
    if (rl->bar.tty && !rl->silent) {
        double count = p->epoch_count ? (double)p->epoch_count : 1.0;
        snprintf(rl->bar_label, sizeof rl->bar_label,
                 "epoch %" PRIu64 "/%" PRIu64 " loss %.4f acc %.2f%%", p->epoch + 1,
                 rl->num_epochs, p->epoch_loss_sum / count,
                 100.0 * (double)p->epoch_correct / count);
        progress_update(&rl->bar,
                        (uint64_t)(epoch_fraction * (double)rl->bar.total + 0.5));
    }
    if (p->global_step % rl->log_every == 0) log_interval(rl, p, density);
}

bool train_log_recovery(train_log *rl, const train_progress *p, uint64_t failed_step,
                        char *error)
{
    if (rl->silent) return true;
    if (!train_csv_rewind(&rl->steps_csv, p->global_step, error)) return false;
    train_say(rl,
              "step %" PRIu64 ": non-finite loss or gradient: weights and optimiser restored "
              "to the start of batch %" PRIu64 ", learning rate cut to %.3g, batch repeated",
              failed_step, p->batch + 1, p->learning_rate);
    train_events_scalar(&rl->events, "learning_rate", (int64_t)p->global_step, wall_time(),
                        (float)p->learning_rate);
    return true;
}

void train_log_epoch(train_log *rl, const train_progress *p, double loss, double accuracy)
{
    if (rl->silent) return;
    uint64_t epoch = p->epoch + 1;
    train_say(rl,
              "epoch %" PRIu64 "/%" PRIu64 ": loss %.4f (%.4f bits) accuracy %.2f%%, val_loss "
              "%.4f (%.4f bits) val_accuracy %.2f%%, %" PRIu64 " steps",
              epoch, rl->num_epochs, loss, loss / log(2.0),
              100.0 * accuracy, p->last_val_loss, p->last_val_loss / log(2.0),
              100.0 * p->last_val_accuracy, p->global_step);
    train_csv_row(&rl->epochs_csv, "%" PRIu64 ",%" PRIu64 ",%.9g,%.9g,%.9g,%.9g,%.9g,%.1f", epoch,
                  p->global_step, loss, accuracy, p->last_val_loss, p->last_val_accuracy,
                  p->learning_rate, train_log_elapsed(rl));
    double wall = wall_time();
    int64_t step = (int64_t)p->global_step;
    train_events_scalar(&rl->events, "epoch_loss", step, wall, (float)loss);
    train_events_scalar(&rl->events, "epoch_accuracy", step, wall, (float)accuracy);
    train_events_scalar(&rl->events, "val_loss", step, wall, (float)p->last_val_loss);
    train_events_scalar(&rl->events, "val_accuracy", step, wall, (float)p->last_val_accuracy);
}

void train_log_end(train_log *rl)
{
    if (rl->tty && !rl->silent) fputs("\r\033[K", stderr);
}
