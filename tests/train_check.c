/* Checks the C trainer against the PyTorch autograd reference (tests/reference/train_ref.py):
 *
 *   train_check DIR CASE
 *
 * reads DIR/CASE.srnn (initial weights), CASE.batches.i32, CASE.txt, and the reference's
 * CASE.grad1.srnn, CASE.grad2.srnn (gradients of the first two subsequences of the first batch
 * at the initial weights, the second with the states the first left) and CASE.losses.txt (the
 * loss of every training step, gradients clipped, Keras optimiser). Passes (exit 0) when every
 * gradient element is within 1e-3 relative or 1e-5 absolute of the reference and every loss
 * within 1e-3 nats; prints the worst differences either way. A pruned case (CASE.txt names
 * prune_density_KIND=D) prunes the initial weights to those densities with the trainer's own
 * pruning (train/pruning.c) before all of it, and its masked gradients are compared. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core.h"
#include "pruning.h"

#define GRAD_RELATIVE 1e-3
#define GRAD_ABSOLUTE 1e-5
#define LOSS_TOLERANCE 1e-3
#define MAX_STEPS 1000

typedef struct {
    size_t batch, subsequences, batches;
    char optimizer[16];
    double learning_rate, momentum;
    train_prune_options prune; /* final densities, reached at step 1 */
} case_settings;

static int read_settings(const char *path, case_settings *s)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[256];
    int found = 0;
    train_prune_defaults(&s->prune);
    s->prune.start = 0;
    s->prune.end = s->prune.every = 1;
    while (fgets(line, sizeof line, f)) {
        unsigned long value;
        if (sscanf(line, "prune_density_rnn=%lf", &s->prune.density[SRNN_PRUNE_RNN]) == 1 ||
            sscanf(line, "prune_density_upsampling=%lf",
                   &s->prune.density[SRNN_PRUNE_UPSAMPLING]) == 1 ||
            sscanf(line, "prune_density_mlp=%lf", &s->prune.density[SRNN_PRUNE_MLP]) == 1)
            continue;
        if (sscanf(line, "batch=%lu", &value) == 1)
            s->batch = value, found++;
        else if (sscanf(line, "subsequences=%lu", &value) == 1)
            s->subsequences = value, found++;
        else if (sscanf(line, "batches=%lu", &value) == 1)
            s->batches = value, found++;
        else if (sscanf(line, "optimizer=%15s", s->optimizer) == 1)
            found++;
        else if (sscanf(line, "learning_rate=%lf", &s->learning_rate) == 1)
            found++;
        else if (sscanf(line, "momentum=%lf", &s->momentum) == 1)
            found++;
    }
    fclose(f);
    return found == 6 ? 0 : -1;
}

static int32_t *read_batches(const char *path, size_t count)
{
    FILE *f = fopen(path, "rb");
    int32_t *data = malloc(count * sizeof *data);
    size_t got = f && data ? fread(data, sizeof *data, count, f) : 0;
    int extra = f ? fgetc(f) : EOF;
    if (f) fclose(f);
    if (got != count || extra != EOF) {
        free(data);
        return NULL;
    }
    return data;
}

/* One subsequence (B, BF + T) of a batch (B, BF + S·T): columns [j·T, j·T + BF + T). */
static void cut_subsequence(const int32_t *batch, size_t b_count, size_t width, size_t j,
                            const srnn_config *c, int32_t *out)
{
    size_t sub = c->big_frame_size + c->seq_len;
    for (size_t b = 0; b < b_count; b++)
        memcpy(out + b * sub, batch + b * width + j * c->seq_len, sub * sizeof *out);
}

/* Compares core->grads with the reference model file, element by element. */
static void compare_gradients(const train_core *core, const char *path)
{
    srnn_model *ref = NULL;
    char error[SRNN_ERROR_MAX];
    if (!CHECK(srnn_model_load(path, &ref, error) == SRNN_OK, "%s: %s", path, error)) return;
    size_t bad = 0;
    double worst_ratio = 0.0;
    const char *worst_name = "";
    for (size_t i = 0; i < core->layout.count; i++) {
        const srnn_tensor_info *info = &core->layout.info[i];
        const float *expected = srnn_model_tensor(ref, info->name, NULL);
        const float *got = core->grads + core->layout.offset[i];
        double max_abs = 0.0, max_ref = 0.0;
        size_t tensor_bad = 0;
        for (uint64_t k = 0; k < info->count; k++) {
            double diff = fabs((double)got[k] - expected[k]);
            double allowed = fmax(GRAD_ABSOLUTE, GRAD_RELATIVE * fabs(expected[k]));
            if (!(diff <= allowed)) tensor_bad++;
            max_abs = fmax(max_abs, diff);
            max_ref = fmax(max_ref, fabs(expected[k]));
            if (diff / allowed > worst_ratio) {
                worst_ratio = diff / allowed;
                worst_name = info->name;
            }
        }
        if (tensor_bad)
            printf("  %s: %zu of %llu elements off, max |diff| %.3g (max |grad| %.3g)\n",
                   info->name, tensor_bad, (unsigned long long)info->count, max_abs, max_ref);
        bad += tensor_bad;
    }
    CHECK_SHOW(bad == 0, "%s: %zu elements off; the worst at %.3f of its tolerance (%s)", path,
               bad, worst_ratio, worst_name);
    srnn_model_free(ref);
}

static void run(const char *dir, const char *name)
{
    char path[1024], error[SRNN_ERROR_MAX];
    case_settings s = {0};
    snprintf(path, sizeof path, "%s/%s.txt", dir, name);
    if (!CHECK(read_settings(path, &s) == 0, "%s: unreadable case settings", path)) return;
    srnn_model *initial = NULL;
    snprintf(path, sizeof path, "%s/%s.srnn", dir, name);
    if (!CHECK(srnn_model_load(path, &initial, error) == SRNN_OK, "%s: %s", path, error)) return;
    const srnn_config *c = srnn_model_config(initial);
    train_optimizer_kind kind;
    train_core core;
    if (!CHECK(train_optimizer_parse(s.optimizer, &kind) &&
                   train_core_create(&core, c, s.batch, kind, s.learning_rate, s.momentum, error) &&
                   train_core_load_params(&core, initial, error),
               "%s: cannot set up training: %s", name, error)) {
        srnn_model_free(initial);
        return;
    }
    bool pruned = train_prune_active(&s.prune);
    if (pruned && !CHECK(train_prune_begin(&core) && train_prune(&core, &s.prune, 1),
                         "%s: out of memory pruning", name)) {
        train_core_free(&core);
        srnn_model_free(initial);
        return;
    }
    size_t width = c->big_frame_size + s.subsequences * c->seq_len;
    size_t batch_values = s.batch * width;
    snprintf(path, sizeof path, "%s/%s.batches.i32", dir, name);
    int32_t *batches = read_batches(path, s.batches * batch_values);
    int32_t *sub = malloc(s.batch * (c->big_frame_size + c->seq_len) * sizeof *sub);
    double expected[MAX_STEPS];
    size_t steps = 0;
    snprintf(path, sizeof path, "%s/%s.losses.txt", dir, name);
    FILE *f = fopen(path, "r");
    while (f && steps < MAX_STEPS && fscanf(f, "%lf", &expected[steps]) == 1) steps++;
    if (f) fclose(f);
    if (CHECK(batches && sub && steps == s.batches * s.subsequences,
              "%s: missing or malformed batches or losses", name)) {
        printf("%s: gradients\n", name);
        for (size_t j = 0; j < 2; j++) {
            cut_subsequence(batches, s.batch, width, j, c, sub);
            train_core_gradients(&core, sub, j == 0);
            snprintf(path, sizeof path, "%s/%s.grad%zu.srnn", dir, name, j + 1);
            compare_gradients(&core, path);
        }
        train_core_load_params(&core, initial, error); /* the weights never moved; to be sure */
        if (pruned) train_prune(&core, &s.prune, 1);   /* the same pieces again */
        double worst = 0.0;
        size_t step = 0, off = 0;
        for (size_t i = 0; i < s.batches; i++)
            for (size_t j = 0; j < s.subsequences; j++, step++) {
                cut_subsequence(batches + i * batch_values, s.batch, width, j, c, sub);
                train_step_result r = train_core_step(&core, sub, j == 0);
                double loss = r.loss_sum / (double)r.count;
                double diff = fabs(loss - expected[step]);
                worst = fmax(worst, diff);
                off += !CHECK(diff <= LOSS_TOLERANCE, "step %zu: loss %.6f, reference %.6f",
                              step + 1, loss, expected[step]);
            }
        CHECK_SHOW(off == 0,
                   "%s: %zu %s steps, losses %.5f -> %.5f, max |diff| from the reference %.2g",
                   name, steps, s.optimizer, expected[0], expected[steps - 1], worst);
        if (pruned) {
            size_t moved = 0, zeros = 0;
            for (size_t i = 0; i < core.layout.floats; i++)
                if (core.mask[i] == 0.0f) moved += core.params[i] != 0.0f, zeros++;
            CHECK_SHOW(zeros > 0 && moved == 0,
                       "%s: %zu of %zu pruned weights moved off zero (%.3f of the prunable "
                       "weights kept)",
                       name, moved, zeros, train_prune_kept(&core));
        }
    }
    free(sub);
    free(batches);
    train_core_free(&core);
    srnn_model_free(initial);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: train_check DIR CASE\n");
        return 2;
    }
    run(argv[1], argv[2]);
    return check_summary();
}
